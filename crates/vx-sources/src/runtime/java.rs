//! Java: Eclipse Temurin JDKs through the Adoptium API v3 (`https://api.adoptium.net`).
//!
//! - Versions: `/v3/info/release_versions` (GA, vendor eclipse, JDK, hotspot, newest
//!   first, 50 a page; a short page or a 404 ends the listing): `{"versions":
//!   [{"major": 21, "minor": 0, "security": 5, "patch": null, "build": 11,
//!   "openjdk_version": "21.0.5+11-LTS", "semver": "21.0.5+11.0.LTS", "optional":
//!   "LTS"}, …]}`. The store and the board show `21.0.5+11`; the lock's `tag` is
//!   Adoptium's `semver`, which is what mise writes (`temurin-21.0.5+11.0.LTS`).
//!   LTS lines come from `/v3/info/available_releases` (`available_lts_releases`).
//! - Downloads: `/v3/assets/feature_releases/{major}/ga` (20 a page) lists each
//!   release's `binaries`, each with `os` (`linux`, `alpine-linux` for musl, `mac`,
//!   `windows`), `architecture` (`x64`, `aarch64`), `image_type` and a `package`
//!   whose `link` (a github.com release asset, fetched like every URL: GitHub
//!   settings, `url_replacements`, mirrors) and `checksum` (its sha256) are locked.
//!   The checksum source is recorded as `index:` that page's URL.
//! - Layout: the archive's one top directory (`jdk-21.0.5+11/`) is stripped; macOS
//!   archives keep the JDK under `Contents/Home`. `JAVA_HOME` is set to the JDK's
//!   home; the commands are `java`, `javac`, `jar`, `keytool` and, from 9, `jshell`.
//!
//! Other vendors (`zulu-17`, `corretto-21`) are refused with what is supported. Java
//! writes nothing into its home at run time; Maven and Gradle keep their caches in
//! `~/.m2` and `~/.gradle`, outside the store.

use serde::Deserialize;

use super::version::{Numeric, Request};
use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use vx_model::manifest::Platform;

/// The Adoptium API.
pub(crate) const API: &str = "https://api.adoptium.net/v3";
/// What Adoptium's release lists are, as their errors name them.
const RELEASES: &str = "Adoptium release list";
/// The filters every listing uses: Temurin's GA JDKs, hotspot, normal heap.
const FILTERS: &str = "heap_size=normal&image_type=jdk&jvm_impl=hotspot&project=jdk&sort_method=DEFAULT&sort_order=DESC&vendor=eclipse";
/// Versions per page of `release_versions` (the API's largest).
const VERSIONS_PAGE: usize = 50;
/// Releases per page of `feature_releases` (the API's largest).
const ASSETS_PAGE: usize = 20;
/// Pages read at most (2,500 versions; a feature line's 400 releases).
const MAX_PAGES: usize = 50;

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str =
    "Java: Eclipse Temurin JDKs through the Adoptium API (musl builds for Alpine)";

/// Java (Temurin).
pub(crate) struct Java;

/// One entry of `release_versions`, or a release's `version_data`.
#[derive(Deserialize)]
struct VersionData {
    major: u64,
    #[serde(default)]
    minor: u64,
    #[serde(default)]
    security: u64,
    #[serde(default)]
    patch: Option<u64>,
    #[serde(default)]
    build: u64,
    semver: String,
}

#[derive(Deserialize)]
struct Versions {
    versions: Vec<VersionData>,
}

#[derive(Deserialize)]
struct Available {
    #[serde(default)]
    available_lts_releases: Vec<u64>,
}

/// One release of `feature_releases`.
#[derive(Deserialize)]
struct Asset {
    #[serde(default)]
    binaries: Vec<Binary>,
    version_data: VersionData,
}

#[derive(Deserialize)]
struct Binary {
    os: String,
    architecture: String,
    #[serde(default)]
    image_type: String,
    package: Option<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    link: String,
    #[serde(default)]
    checksum: Option<String>,
}

impl VersionData {
    /// The version as vx shows it: `21.0.5+11` (`17.0.4.1+1` with a patch number).
    fn version(&self) -> String {
        match self.patch {
            Some(patch) if patch > 0 => format!(
                "{}.{}.{}.{patch}+{}",
                self.major, self.minor, self.security, self.build
            ),
            _ => format!(
                "{}.{}.{}+{}",
                self.major, self.minor, self.security, self.build
            ),
        }
    }
}

impl Runtime for Java {
    fn about(&self) -> About<'_> {
        About::new("java", &["jdk"], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let url = format!("{API}/info/available_releases");
        let available = cx.text(&url)?;
        list(&available, &url, |page| {
            let url = format!(
                "{API}/info/release_versions?{FILTERS}&page={page}&page_size={VERSIONS_PAGE}&release_type=ga"
            );
            // Adoptium answers 404 for a page past the end; on the first page it
            // means the listing itself is missing (a mirror without it): an error
            // naming the URL, never an empty list.
            let text = if page == 0 {
                Some(cx.text(&url)?)
            } else {
                cx.text_unless_missing(&url)?
            };
            Ok(text.map(|text| (url, text)))
        })
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let lower = wanted.to_ascii_lowercase();
        let rest = match lower.split_once('-') {
            Some(("temurin", rest)) => rest,
            Some((vendor, _)) if vendor.chars().all(|c| c.is_ascii_alphabetic()) => {
                return Err(RuntimeError::Request(format!(
                    "java `{}`: only Eclipse Temurin (Adoptium) builds are supported; write 21, temurin-21, temurin-21.0.5+11, lts or latest",
                    vx_base::validate::shorten(wanted)
                )));
            }
            _ => lower.as_str(),
        };
        let found = match rest {
            "lts" => releases.iter().find(|r| r.lts.is_some()),
            _ => {
                let Some(parsed) = request_of(rest) else {
                    return Err(RuntimeError::Request(format!(
                        "`{}` is not a Java version: write 21, 21.0.5, temurin-21, temurin-21.0.5+11, 21.0.5+11.0.LTS, lts or latest",
                        vx_base::validate::shorten(wanted)
                    )));
                };
                super::version::newest(releases.iter(), |r| numeric(&r.version), &parsed)
            }
        };
        found
            .cloned()
            .ok_or_else(|| super::no_such_version("java", wanted, releases))
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        resolve(release, platform, |major, page| {
            let url = format!(
                "{API}/assets/feature_releases/{major}/ga?{FILTERS}&page={page}&page_size={ASSETS_PAGE}"
            );
            Ok(cx.text_unless_missing(&url)?.map(|text| (url, text)))
        })
    }

    fn layout(&self, version: &str, platform: &Platform) -> Layout {
        let major = numeric(version)
            .and_then(|n| n.parts.first().copied())
            .unwrap_or(0);
        let home = if platform.os == "macos" {
            "Contents/Home"
        } else {
            ""
        };
        let exe = if platform.os == "windows" { ".exe" } else { "" };
        let mut commands = vec!["java", "javac", "jar", "keytool"];
        if major >= 9 {
            commands.push("jshell");
        }
        let bin = commands
            .iter()
            .map(|c| {
                if home.is_empty() {
                    format!("bin/{c}{exe}")
                } else {
                    format!("{home}/bin/{c}{exe}")
                }
            })
            .collect();
        Layout {
            strip_components: 1,
            bin,
            env: [("JAVA_HOME".to_owned(), home.to_owned())].into(),
            ..Layout::default()
        }
    }
}

/// Where `release` for `platform` downloads from, as Adoptium's
/// `/assets/feature_releases/{major}/ga` pages list it: `page(major, n)` gives the URL
/// and text of page `n` (`None` past the end); pages are read until one lists the
/// release, is short, or `MAX_PAGES`.
pub(crate) fn resolve(
    release: &Release,
    platform: &Platform,
    mut page: impl FnMut(u64, usize) -> Result<Option<(String, std::rc::Rc<str>)>, RuntimeError>,
) -> Result<Resolved, RuntimeError> {
    let Some((os, arch)) = names(platform) else {
        return Ok(Resolved::Unsupported(format!(
            "java: Temurin has no build for {platform}"
        )));
    };
    let Some(major) = numeric(&release.version).and_then(|n| n.parts.first().copied()) else {
        return Err(RuntimeError::Request(format!(
            "java {} is not a Temurin version",
            vx_base::validate::shorten(&release.version)
        )));
    };
    for n in 0..MAX_PAGES {
        let Some((url, text)) = page(major, n)? else {
            break;
        };
        let assets: Vec<Asset> =
            serde_json::from_str(&text).map_err(|e| RuntimeError::invalid(&url, RELEASES, e))?;
        let count = assets.len();
        if let Some(asset) = assets
            .into_iter()
            .find(|a| a.version_data.semver == release.id)
        {
            return binary(&asset, os, arch, &url, release, platform);
        }
        if count < ASSETS_PAGE {
            break;
        }
    }
    Err(RuntimeError::invalid(
        &format!("{API}/assets/feature_releases/{major}/ga"),
        RELEASES,
        format!("it does not list {}", release.id),
    ))
}

/// The releases Adoptium lists: `available` is `/info/available_releases` (read from
/// `url`; its LTS majors), `page(n)` the URL and text of `/info/release_versions` page
/// `n` (`None` past the end); pages are read until one is short or
/// `MAX_PAGES`. One release per version, newest first.
pub(crate) fn list(
    available: &str,
    url: &str,
    mut page: impl FnMut(usize) -> Result<Option<(String, std::rc::Rc<str>)>, RuntimeError>,
) -> Result<Vec<Release>, RuntimeError> {
    let lts: Available =
        serde_json::from_str(available).map_err(|e| RuntimeError::invalid(url, RELEASES, e))?;
    let lts_majors: std::collections::HashSet<_> =
        lts.available_lts_releases.iter().copied().collect();
    let mut releases = super::distinct::Distinct::default();
    for n in 0..MAX_PAGES {
        let Some((url, text)) = page(n)? else {
            break;
        };
        let listed: Versions = serde_json::from_str(&text)
            .map_err(|e| RuntimeError::invalid(&url, "Adoptium version list", e))?;
        let count = listed.versions.len();
        for data in listed.versions {
            let version = data.version();
            releases.push(&version.clone(), || Release {
                version,
                id: data.semver.clone(),
                lts: lts_majors.contains(&data.major).then(|| "LTS".to_owned()),
                published_at: None,
                prerelease: false,
            });
        }
        if count < VERSIONS_PAGE {
            break;
        }
    }
    let mut releases = releases.into_vec();
    releases.sort_by_cached_key(|r| std::cmp::Reverse(numeric(&r.version)));
    Ok(releases)
}

/// The package of `asset` for `os`/`arch` as a download.
fn binary(
    asset: &Asset,
    os: &str,
    arch: &str,
    url: &str,
    release: &Release,
    platform: &Platform,
) -> Result<Resolved, RuntimeError> {
    let found = asset
        .binaries
        .iter()
        .find(|b| b.os == os && b.architecture == arch && b.image_type == "jdk");
    let Some(package) = found.and_then(|b| b.package.as_ref()) else {
        let musl = if os == "alpine-linux" {
            " (musl: Temurin's alpine-linux builds)"
        } else {
            ""
        };
        return Ok(Resolved::Unsupported(format!(
            "java {}: Temurin has no JDK for {platform}{musl}",
            release.version
        )));
    };
    let format = super::resolver::tar_gz_or_zip(&package.name, "package", url, RELEASES)?;
    vx_base::validate::url(&package.link).map_err(|e| RuntimeError::invalid(url, RELEASES, e))?;
    let sha256 = package
        .checksum
        .as_deref()
        .and_then(|hex| vx_base::validate::sha256(hex).ok())
        .ok_or_else(|| RuntimeError::NoChecksum {
            file: url.to_owned(),
            asset: package.name.clone(),
        })?;
    Ok(Resolved::Download(Download::archive(
        package.link.clone(),
        sha256,
        format!("index:{url}"),
        format,
    )))
}

/// A Temurin version as five numbers: major, minor, security, patch, build
/// (`21.0.5+11` → 21.0.5.0.11), so `21.0.5` names that update's newest build.
fn numeric(version: &str) -> Option<Numeric> {
    let (left, build) = version.split_once('+')?;
    let mut n = Numeric::parse(left).filter(|n| n.is_release() && n.parts.len() <= 4)?;
    n.parts.resize(4, 0);
    n.parts.push(leading_number(build)?);
    Some(n)
}

/// A request as users write it (after `temurin-`): `21`, `21.0.5`, `21.0.5+11`,
/// `21.0.5+11.0.LTS` (Adoptium's semver), `latest`, or a semver range.
fn request_of(text: &str) -> Option<Request> {
    match text.split_once('+') {
        Some(_) => numeric(text).map(Request::Exact),
        None => match Request::parse(text, 5)? {
            // `21.0.5.1` without a build names that patch's newest build.
            Request::Exact(n) if n.is_release() => Some(Request::Prefix(n.parts)),
            Request::Exact(_) => None,
            other => Some(other),
        },
    }
}

/// The number a text starts with (`11` of `11.0.LTS`).
fn leading_number(text: &str) -> Option<u64> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    text[..digits].parse().ok()
}

/// Adoptium's names of `platform`'s system and architecture (`alpine-linux` on musl).
fn names(platform: &Platform) -> Option<(&'static str, &'static str)> {
    let arch = match platform.arch.as_str() {
        "x86_64" => "x64",
        "aarch64" => "aarch64",
        _ => return None,
    };
    let os = match platform.os.as_str() {
        "linux" if platform.is_musl() => "alpine-linux",
        "linux" => "linux",
        "macos" => "mac",
        "windows" => "windows",
        _ => return None,
    };
    Some((os, arch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_base::format::ArchiveFormat;

    fn release(version: &str, semver: &str, lts: bool) -> Release {
        Release {
            version: version.to_owned(),
            id: semver.to_owned(),
            lts: lts.then(|| "LTS".to_owned()),
            published_at: None,
            prerelease: false,
        }
    }

    fn releases() -> Vec<Release> {
        vec![
            release("23.0.1+11", "23.0.1+11", false),
            release("21.0.5+11", "21.0.5+11.0.LTS", true),
            release("21.0.4+7", "21.0.4+7.0.LTS", true),
            release("17.0.13+11", "17.0.13+11", true),
            release("17.0.4.1+1", "17.0.4+101.1", true),
            release("8.0.432+6", "8.0.432+6", true),
        ]
    }

    #[test]
    fn versions_as_mise_asdf_and_sdkman_users_write_them() {
        let all = releases();
        let pick = |r: &str| Java.pick(&all, r).map(|r| r.version);
        assert_eq!(pick("21").unwrap(), "21.0.5+11");
        assert_eq!(pick("temurin-21").unwrap(), "21.0.5+11");
        assert_eq!(pick("temurin-21.0.4+7").unwrap(), "21.0.4+7");
        assert_eq!(pick("21.0.4").unwrap(), "21.0.4+7");
        assert_eq!(pick("21.0.4+7.0.LTS").unwrap(), "21.0.4+7");
        assert_eq!(pick("temurin-21.0.5+11.0.LTS").unwrap(), "21.0.5+11");
        assert_eq!(pick("17.0.4.1").unwrap(), "17.0.4.1+1");
        assert_eq!(pick("8").unwrap(), "8.0.432+6");
        assert_eq!(pick("latest").unwrap(), "23.0.1+11");
        assert_eq!(pick("lts").unwrap(), "21.0.5+11");
        assert_eq!(pick("temurin-lts").unwrap(), "21.0.5+11");
        let missing = pick("22").unwrap_err().to_string();
        assert!(
            missing.contains("no version of java matches `22`")
                && missing.contains("23.0.1+11, 21.0.5+11"),
            "{missing}"
        );
        let vendor = pick("zulu-17").unwrap_err();
        assert!(vendor.is_request());
        assert!(
            vendor.to_string().contains("only Eclipse Temurin"),
            "{vendor}"
        );
        assert!(pick("corretto-21").unwrap_err().is_request());
        assert!(pick("banana").unwrap_err().is_request());
    }

    /// Two platforms' binaries of 21.0.5+11 in the API's shape.
    fn feature_page() -> String {
        let binary = |os: &str, arch: &str, image: &str, ext: &str, sum: &str| {
            let name = format!("OpenJDK21U-{image}_{arch}_{os}_hotspot_21.0.5_11.{ext}");
            format!(
                r#"{{"architecture":"{arch}","download_count":1,"heap_size":"normal","image_type":"{image}","jvm_impl":"hotspot","os":"{os}","project":"jdk","scm_ref":"jdk-21.0.5+11_adopt","updated_at":"2024-10-16T00:00:00Z",
                   "package":{{"checksum":"{sum}","checksum_link":"https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/{name}.sha256.txt","download_count":1,"link":"https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/{name}","metadata_link":"x","name":"{name}","size":1}}}}"#
            )
        };
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let c = "c".repeat(64);
        let d = "d".repeat(64);
        format!(
            r#"[{{"binaries":[{},{},{},{}],"release_name":"jdk-21.0.5+11","release_type":"ga","vendor":"eclipse",
                "version_data":{{"build":11,"major":21,"minor":0,"openjdk_version":"21.0.5+11-LTS","optional":"LTS","security":5,"semver":"21.0.5+11.0.LTS"}}}}]"#,
            binary("linux", "x64", "jre", "tar.gz", &a),
            binary("linux", "x64", "jdk", "tar.gz", &b),
            binary("mac", "aarch64", "jdk", "tar.gz", &c),
            binary("windows", "x64", "jdk", "zip", &d),
        )
    }

    #[test]
    fn download_locks_the_api_s_link_and_checksum_for_each_platform() {
        let page = format!("{API}/assets/feature_releases/21/ga?{FILTERS}&page=0&page_size=20");
        let text = feature_page();
        let github = crate::runtime::offline_github();
        let cx = Context::seeded(&github, &[(&page, &text)]);
        let jdk = release("21.0.5+11", "21.0.5+11.0.LTS", true);
        let get = |platform: &str| Java.download(&cx, &jdk, &platform.parse().unwrap());
        let Resolved::Download(linux) = get("linux-x86_64").unwrap() else {
            panic!("linux has a JDK")
        };
        assert_eq!(
            linux.url,
            "https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/OpenJDK21U-jdk_x64_linux_hotspot_21.0.5_11.tar.gz",
            "the JDK, not the JRE"
        );
        assert_eq!(linux.sha256, "b".repeat(64));
        assert_eq!(linux.checksum, format!("index:{page}"));
        let Resolved::Download(win) = get("windows-x86_64").unwrap() else {
            panic!("windows has a zip")
        };
        assert_eq!(win.format, ArchiveFormat::Zip);
        assert!(
            win.url
                .ends_with("OpenJDK21U-jdk_x64_windows_hotspot_21.0.5_11.zip")
        );
        let Resolved::Download(mac) = get("macos-aarch64").unwrap() else {
            panic!("macos has a tarball")
        };
        assert_eq!(mac.sha256, "c".repeat(64));
        assert_eq!(
            get("linux-x86_64-musl").unwrap(),
            Resolved::Unsupported(
                "java 21.0.5+11: Temurin has no JDK for linux-x86_64-musl (musl: Temurin's alpine-linux builds)"
                    .to_owned()
            ),
            "never the glibc build on musl"
        );

        // A package without its checksum is an error, never an unchecked download.
        let bare = text.replace(&"b".repeat(64), "");
        let cx = Context::seeded(&github, &[(&page, &bare)]);
        let err = Java
            .download(&cx, &jdk, &"linux-x86_64".parse().unwrap())
            .unwrap_err();
        assert!(matches!(err, RuntimeError::NoChecksum { .. }), "{err}");
    }

    #[test]
    fn layouts_set_java_home_and_macos_keeps_contents_home() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let layout = Java.layout("21.0.5+11", &linux);
        assert_eq!(layout.strip_components, 1);
        assert_eq!(
            layout.bin,
            [
                "bin/java",
                "bin/javac",
                "bin/jar",
                "bin/keytool",
                "bin/jshell"
            ]
        );
        assert_eq!(layout.env["JAVA_HOME"], "");
        let mac: Platform = "macos-aarch64".parse().unwrap();
        let layout = Java.layout("21.0.5+11", &mac);
        assert_eq!(layout.bin[0], "Contents/Home/bin/java");
        assert_eq!(layout.env["JAVA_HOME"], "Contents/Home");
        let win: Platform = "windows-x86_64".parse().unwrap();
        assert_eq!(Java.layout("21.0.5+11", &win).bin[1], "bin/javac.exe");
        assert!(
            !Java
                .layout("8.0.432+6", &linux)
                .bin
                .contains(&"bin/jshell".to_owned()),
            "no jshell before 9"
        );
    }
}
