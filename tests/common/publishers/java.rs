//! The Adoptium API v3 as Temurin's publisher answers it: `/v3/info/available_releases`,
//! `/v3/info/release_versions` (`{"versions": [version data…]}`) and
//! `/v3/assets/feature_releases/{major}/ga` (each release's `binaries`, each with its
//! `package` `link` on github.com and `checksum`), and the github.com release assets
//! those links name. The real Java is a whole JDK, Debian's `openjdk-17-jdk-headless`
//! (`java`, `javac`, `jar`, `jshell`, …, all real), laid out as Temurin's
//! `OpenJDK17U-jdk_x64_linux_hotspot_17.0.N_B.tar.gz` is: see [`real_archive`].
//!
//! Every `/v3/info` and `/v3/assets` answer carries the validators the real API sends
//! ([`API_VALIDATORS`]): adoptium/api.adoptium.net's
//! `adoptium-frontend-parent/adoptium-api-v3-frontend/src/main/kotlin/net/adoptium/api/v3/CacheControlService.kt`
//! (at 08abf7e2) adds, on those paths, a strong `ETag` (a SHA-1 of its data's checksum
//! and the request URI), `Last-Modified` (when its data was last updated) and
//! `Cache-Control: public, max-age=120, s-maxage=120` (`MAX_CACHE_AGE_IN_SEC = 120`),
//! and answers `304` through `evaluatePreconditions(lastModified, etag)` to either
//! validator presented unchanged.

use std::path::PathBuf;

use vx_fixture::{Route, TestServer, Validators, noise_seeded, sha256_hex};

/// What the Adoptium API's answers carry (see the module docs); the date is the
/// fixture's data's.
pub const API_VALIDATORS: Validators = Validators {
    etag: true,
    last_modified: Some("Wed, 16 Jul 2025 00:00:00 GMT"),
    cache_control: Some("public, max-age=120, s-maxage=120"),
};

/// An answer of the Adoptium API: `body` with [`API_VALIDATORS`].
fn api(body: Vec<u8>) -> Route {
    Route::Validated(body, API_VALIDATORS)
}

/// What the listings filter on, in the order vx asks.
pub const FILTERS: &str = "heap_size=normal&image_type=jdk&jvm_impl=hotspot&project=jdk&sort_method=DEFAULT&sort_order=DESC&vendor=eclipse";

/// Debian's JDK 17 on this machine (`openjdk-17-jdk-headless`).
pub struct DebianJdk {
    /// Its home (`/usr/lib/jvm/java-17-openjdk-amd64`).
    pub home: PathBuf,
    /// Its version as Temurin names a build (`17.0.15+6`): the `release` file's
    /// `JAVA_VERSION` and the build number of its `JAVA_RUNTIME_VERSION`.
    pub version: String,
}

/// This machine's Debian JDK 17; fails the test with what to install where there is
/// none.
pub fn debian_jdk() -> DebianJdk {
    let home = PathBuf::from("/usr/lib/jvm/java-17-openjdk-amd64");
    let release = std::fs::read_to_string(home.join("release")).unwrap_or_else(|e| {
        panic!(
            "the Java tests install a real JDK laid out as Temurin ships it, made from \
             Debian's openjdk-17-jdk-headless (apt-get install openjdk-17-jdk-headless): \
             {}: {e}",
            home.join("release").display()
        )
    });
    assert!(
        home.join("bin/javac").is_file(),
        "{} has no javac: install openjdk-17-jdk-headless",
        home.display()
    );
    let field = |name: &str| {
        release
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=\"")))
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("{name} in {release}"))
            .to_owned()
    };
    let runtime = field("JAVA_RUNTIME_VERSION");
    let build = runtime
        .split_once('+')
        .and_then(|(_, b)| b.split('-').next())
        .unwrap_or_else(|| panic!("a build number in {runtime}"));
    DebianJdk {
        version: format!("{}+{build}", field("JAVA_VERSION")),
        home,
    }
}

/// The real JDK archive's file name as Temurin names it for `version`.
pub fn real_name(version: &str) -> String {
    let (numbers, build) = version.split_once('+').unwrap();
    let major = numbers.split('.').next().unwrap();
    format!("OpenJDK{major}U-jdk_x64_linux_hotspot_{numbers}_{build}.tar.gz")
}

/// The JDK archive Temurin would publish for this machine's real JDK
/// ([`debian_jdk`]), named by [`real_name`]. Made once per machine.
///
/// The layout is Temurin's, read from its build scripts (adoptium/temurin-build at
/// 15a30906, the newest stored snapshot):
/// - `sbin/build.sh` l.2000-2007 (`getJdkArchivePath`) and l.349
///   (`getOpenJdkVersion`): the JDK image is moved to a directory named by the
///   release's tag, `jdk-17.0.N+B` (`cleanAndMoveArchiveFiles`, l.2046), which
///   `sbin/common/common.sh` l.252-295 (`createOpenJDKArchive`) archives whole with
///   `tar -cf - --owner=root --group=root jdk-17.0.N+B/ | gzip`;
/// - the image is OpenJDK's `make images` JDK: `bin/` (`java`, `javac`, `jar`,
///   `jshell`, …), `conf/`, `include/`, `jmods/` (JDK 17 keeps them: l.176-186
///   drops them from 24 on), `legal/`, `lib/` (`modules`, `server/libjvm.so`, …),
///   `man/` and `release`, whose own lines (`IMPLEMENTOR`, `JAVA_VERSION`,
///   `JAVA_RUNTIME_VERSION`, `MODULES`, …) the build writes;
/// - l.2757-2793 (`addInfoToReleaseFile`) then appends to `release`, in this order,
///   `FULL_VERSION` (`java.runtime.version`, l.2826-2833), `SEMANTIC_VERSION` (the tag
///   less `jdk-`, l.2902-2916), `BUILD_INFO` (`OS: Linux Version: $(uname -r)`,
///   l.2874-2888), `JVM_VARIANT="Hotspot"` (l.2835-2842), `JVM_VERSION`
///   (`java.vm.version`, l.2817-2824) and `IMAGE_TYPE="JDK"` (l.2940-2946);
///   `BUILD_SOURCE` and the source repositories' lines come first only where the
///   build has a git work tree (l.2844-2873), which this one has not, and
///   `IMPLEMENTOR` only for JDK 8 (l.2795-2800).
///
/// Where Debian's files differ: Debian links `conf/*`, `lib/jvm.cfg` and
/// `lib/security/*` to `/etc` (its configuration files), which here are the files
/// themselves as in Temurin's archive; `lib/src.zip` (Debian's `openjdk-17-source`,
/// not installed) and the `docs` link are left out, as is the `NOTICE` Temurin adds
/// (l.2336-2349); `IMPLEMENTOR` stays Debian's own line.
pub fn real_archive() -> PathBuf {
    let jdk = debian_jdk();
    super::built_once(&format!("debian-{}", real_name(&jdk.version)), |out| {
        let work = tempfile::tempdir().unwrap();
        let top = format!("jdk-{}", jdk.version);
        let home = work.path().join(&top);
        super::run(
            "cp",
            &["-a", jdk.home.to_str().unwrap(), home.to_str().unwrap()],
            work.path(),
        );
        super::resolve_outside_links(&home);
        let mut release = std::fs::read_to_string(home.join("release")).unwrap();
        let property = |name: &str| {
            let out = std::process::Command::new(home.join("bin/java"))
                .args(["-XshowSettings:properties", "-version"])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix(&format!("{name} = "))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| panic!("{name} of java -XshowSettings:properties"))
        };
        let kernel = std::process::Command::new("uname")
            .arg("-r")
            .output()
            .unwrap();
        release.push_str(&format!(
            "FULL_VERSION=\"{}\"\nSEMANTIC_VERSION=\"{}\"\nBUILD_INFO=\"OS: Linux Version: {}\"\n\
             JVM_VARIANT=\"Hotspot\"\nJVM_VERSION=\"{}\"\nIMAGE_TYPE=\"JDK\"\n",
            property("java.runtime.version"),
            jdk.version,
            String::from_utf8_lossy(&kernel.stdout).trim(),
            property("java.vm.version"),
        ));
        std::fs::write(home.join("release"), release).unwrap();
        super::run(
            "tar",
            &[
                "czf",
                out.to_str().unwrap(),
                "--owner=root",
                "--group=root",
                &format!("{top}/"),
            ],
            work.path(),
        );
    })
}

/// One release of the fake API.
pub struct Release {
    /// `21.0.8+9`.
    pub version: String,
    /// Archives served (package name → bytes); the others are listed with made-up
    /// checksums, never served.
    pub served: Vec<(String, Vec<u8>)>,
    /// Whether the packages carry a checksum (Adoptium's always do).
    pub checksums: bool,
    /// A link a hostile API gives in place of github.com's (`file:///…`).
    pub link: Option<String>,
}

impl Release {
    pub fn listed(version: &str) -> Release {
        Release {
            version: version.to_owned(),
            served: Vec::new(),
            checksums: true,
            link: None,
        }
    }

    /// Major, minor, security, patch (a fourth number, as Debian's `17.0.21.1` has and
    /// Temurin's `17.0.4.1+1` had; `None` without one) and build.
    fn numbers(&self) -> (u64, u64, u64, Option<u64>, u64) {
        let (left, build) = self.version.split_once('+').unwrap();
        let parts: Vec<u64> = left.split('.').map(|p| p.parse().unwrap()).collect();
        let patch = parts.get(3).copied();
        (parts[0], parts[1], parts[2], patch, build.parse().unwrap())
    }

    /// Adoptium's `semver`: `21.0.5+11.0.LTS`; a patch release folds its patch into
    /// the build (`17.0.4.1+1` is `17.0.4+101`).
    fn semver(&self) -> String {
        let (major, minor, security, patch, build) = self.numbers();
        let core = match patch {
            Some(patch) => format!("{major}.{minor}.{security}+{}", patch * 100 + build),
            None => self.version.clone(),
        };
        if LTS.contains(&major) {
            format!("{core}.0.LTS")
        } else {
            core
        }
    }
}

/// The LTS lines the fake API names.
const LTS: [u64; 4] = [8, 11, 17, 21];

/// The binaries of each release: (os, architecture, image, extension).
const BINARIES: [(&str, &str, &str, &str); 6] = [
    ("linux", "x64", "jre", "tar.gz"),
    ("linux", "x64", "jdk", "tar.gz"),
    ("alpine-linux", "x64", "jdk", "tar.gz"),
    ("linux", "aarch64", "jdk", "tar.gz"),
    ("mac", "aarch64", "jdk", "tar.gz"),
    ("windows", "x64", "jdk", "zip"),
];

/// The package name of `release`'s `image` for `os`/`arch`.
pub fn package_name(release: &Release, os: &str, arch: &str, image: &str, ext: &str) -> String {
    // Temurin names a package by the whole version: `…_hotspot_17.0.4.1_1.tar.gz`.
    let (major, ..) = release.numbers();
    let (numbers, build) = release.version.split_once('+').unwrap();
    format!("OpenJDK{major}U-{image}_{arch}_{os}_hotspot_{numbers}_{build}.{ext}")
}

/// Where a package is on github.com, under `adoptium/`.
pub fn package_path(release: &Release, name: &str) -> String {
    let (major, ..) = release.numbers();
    let tag = release.version.replace('+', "%2B");
    format!("temurin{major}-binaries/releases/download/jdk-{tag}/{name}")
}

fn version_data(release: &Release) -> serde_json::Value {
    let (major, minor, security, patch, build) = release.numbers();
    let lts = LTS.contains(&major);
    serde_json::json!({
        "build": build, "major": major, "minor": minor, "security": security, "patch": patch,
        "openjdk_version": format!("{}{}", release.version, if lts { "-LTS" } else { "" }),
        "optional": if lts { Some("LTS") } else { None },
        "semver": release.semver(),
    })
}

/// The Adoptium API at `/v3/` and github.com's `adoptium/` release assets at
/// `/gh/adoptium/`, for `releases` (newest first).
pub fn serve(releases: &[Release]) -> TestServer {
    let mut routes: Vec<(String, Route)> = Vec::new();
    let mut majors: Vec<u64> = releases.iter().map(|r| r.numbers().0).collect();
    majors.dedup();
    routes.push((
        "/v3/info/available_releases".to_owned(),
        api(serde_json::to_vec(&serde_json::json!({
            "available_lts_releases": LTS,
            "available_releases": [8, 11, 17, 21, 22, 23],
            "most_recent_feature_release": 23,
            "most_recent_feature_version": 24,
            "most_recent_lts": 21,
            "tip_version": 24,
        }))
        .unwrap()),
    ));
    let versions: Vec<serde_json::Value> = releases.iter().map(version_data).collect();
    routes.push((
        format!("/v3/info/release_versions?{FILTERS}&page=0&page_size=50&release_type=ga"),
        api(serde_json::to_vec(&serde_json::json!({ "versions": versions })).unwrap()),
    ));
    for major in majors {
        let mut assets = Vec::new();
        for (n, release) in releases.iter().enumerate() {
            if release.numbers().0 != major {
                continue;
            }
            let binaries: Vec<serde_json::Value> = BINARIES
                .iter()
                .enumerate()
                .map(|(i, (os, arch, image, ext))| {
                    let name = package_name(release, os, arch, image, ext);
                    let (sum, size) = match release.served.iter().find(|(f, _)| *f == name) {
                        Some((_, body)) => (sha256_hex(body), body.len()),
                        None => (sha256_hex(&noise_seeded(64, (n * 10 + i) as u64)), 64),
                    };
                    let link = release.link.clone().unwrap_or_else(|| {
                        format!(
                            "https://github.com/adoptium/{}",
                            package_path(release, &name)
                        )
                    });
                    serde_json::json!({
                        "architecture": arch, "download_count": 1, "heap_size": "normal",
                        "image_type": image, "jvm_impl": "hotspot", "os": os, "project": "jdk",
                        "scm_ref": format!("jdk-{}_adopt", release.version),
                        "updated_at": "2025-07-16T00:00:00Z",
                        "package": {
                            "checksum": if release.checksums { Some(sum) } else { None },
                            "checksum_link": format!("{link}.sha256.txt"),
                            "download_count": 1, "link": link,
                            "metadata_link": format!("{link}.json"),
                            "name": name, "size": size,
                        },
                    })
                })
                .collect();
            assets.push(serde_json::json!({
                "binaries": binaries,
                "download_count": 1,
                "id": format!("id-{}", release.version),
                "release_link": format!("https://github.com/adoptium/temurin{major}-binaries/releases/tag/jdk-{}", release.version.replace('+', "%2B")),
                "release_name": format!("jdk-{}", release.version),
                "release_type": "ga",
                "timestamp": "2025-07-16T00:00:00Z",
                "updated_at": "2025-07-16T00:00:00Z",
                "vendor": "eclipse",
                "version_data": version_data(release),
            }));
        }
        routes.push((
            format!("/v3/assets/feature_releases/{major}/ga?{FILTERS}&page=0&page_size=20"),
            api(serde_json::to_vec(&assets).unwrap()),
        ));
    }
    for release in releases {
        for (name, body) in &release.served {
            routes.push((
                format!("/gh/adoptium/{}", package_path(release, name)),
                Route::Ok(body.clone()),
            ));
        }
    }
    TestServer::start(routes)
}

/// The feature listing's URL at the real API (the lock's checksum source).
pub fn feature_url(major: u64) -> String {
    format!(
        "https://api.adoptium.net/v3/assets/feature_releases/{major}/ga?{FILTERS}&page=0&page_size=20"
    )
}

/// The user config lines sending the Adoptium API and github.com's `adoptium/`
/// downloads to `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}{}",
        super::replacement("https://api.adoptium.net/", &server.url("/")),
        super::replacement("https://github.com/adoptium/", &server.url("/gh/adoptium/"))
    )
}
