//! Go from go.dev: every version and each file's sha256 from the download list
//! `https://go.dev/dl/?mode=json&include=all` (without `include=all` it lists only the
//! two newest minors), archives from `https://dl.google.com/go/` by the `filename` the
//! list gives.
//!
//! The list is a JSON array, newest first, of `{"version": "go1.23.8", "stable": true,
//! "files": [{"filename": "go1.23.8.linux-amd64.tar.gz", "os": "linux", "arch":
//! "amd64", "version": "go1.23.8", "sha256": "…", "size": 73700000, "kind":
//! "archive"}, …]}`; `kind` is `archive`, `installer` or `source`. Go named a minor's
//! first release `go1.20` up to 1.20 and `go1.21.0` from 1.21; `go1.24rc1` and
//! `go1.21beta1` are pre-releases (`stable: false`).
//!
//! Go's binaries are static: the linux build serves a musl host as well. What users
//! install with `go install` and the module cache go to `GOPATH`, which defaults to
//! `~/go`: outside the store, so a shared store entry is never written to.

use serde::Deserialize;

use super::version::{Numeric, Request};
use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use vx_model::manifest::Platform;

/// The download list, every release.
pub(crate) const INDEX: &str = "https://go.dev/dl/?mode=json&include=all";
/// Where the archives are.
pub(crate) const DOWNLOADS: &str = "https://dl.google.com/go";
/// What [`INDEX`] is, as its errors name it.
const WHAT: &str = "Go download list";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str = "Go, from go.dev's download list (static: the linux build serves musl too)";

/// Go.
pub(crate) struct Go;

/// One release of the list; other keys are ignored.
#[derive(Deserialize)]
struct Entry {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<File>,
}

/// One file of a release.
#[derive(Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    arch: String,
    #[serde(default)]
    sha256: String,
    #[serde(default)]
    kind: String,
}

impl Runtime for Go {
    fn about(&self) -> About<'_> {
        About::new("go", &["golang"], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        releases_in(&cx.text(INDEX)?)
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        if let Some(rest) = wanted.strip_prefix("go") {
            // Go's own name of a release: exactly that one (`go1.20` is 1.20's first).
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return releases
                    .iter()
                    .find(|r| r.id == wanted)
                    .cloned()
                    .ok_or_else(|| super::no_such_version("go", wanted, releases));
            }
        }
        let Some(parsed) = Request::parse(wanted, 3) else {
            return Err(RuntimeError::Request(format!(
                "`{}` is not a Go version: write 1.23, 1.23.8, go1.23.8 or latest",
                vx_base::validate::shorten(wanted)
            )));
        };
        // `1.20.0` is go1.20: versions compare padded to three numbers.
        let parsed = match parsed {
            Request::Exact(n) => Request::Exact(padded(n)),
            other => other,
        };
        super::version::newest(releases.iter(), |r| numeric(&r.version), &parsed)
            .cloned()
            .ok_or_else(|| super::no_such_version("go", wanted, releases))
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        // No build for the platform: known without the list.
        if names(platform).is_none() {
            return Ok(Resolved::Unsupported(format!(
                "go: no build for {platform}"
            )));
        }
        resolve(&cx.text(INDEX)?, release, platform)
    }

    fn layout(&self, _version: &str, platform: &Platform) -> Layout {
        let exe = if platform.os == "windows" { ".exe" } else { "" };
        Layout {
            strip_components: 1,
            bin: vec![format!("bin/go{exe}"), format!("bin/gofmt{exe}")],
            ..Layout::default()
        }
    }
}

/// The download list `text` (go.dev's JSON from [`INDEX`]).
fn parse(text: &str) -> Result<Vec<Entry>, RuntimeError> {
    serde_json::from_str(text).map_err(|e| RuntimeError::invalid(INDEX, WHAT, e))
}

/// The releases go.dev's download list `text` names, in its order.
pub(crate) fn releases_in(text: &str) -> Result<Vec<Release>, RuntimeError> {
    Ok(parse(text)?.iter().filter_map(release).collect())
}

/// Where `release` for `platform` downloads from, as go.dev's download list `text`
/// says.
pub(crate) fn resolve(
    text: &str,
    release: &Release,
    platform: &Platform,
) -> Result<Resolved, RuntimeError> {
    let Some((os, arch)) = names(platform) else {
        return Ok(Resolved::Unsupported(format!(
            "go: no build for {platform}"
        )));
    };
    let entries = parse(text)?;
    let file = entries
        .iter()
        .find(|e| e.version == release.id)
        .and_then(|e| {
            e.files
                .iter()
                .find(|f| f.kind == "archive" && f.os == os && f.arch == arch)
        });
    let Some(file) = file else {
        return Ok(Resolved::Unsupported(format!(
            "go {}: no build for {platform}",
            release.version
        )));
    };
    let format = super::resolver::tar_gz_or_zip(&file.filename, "archive", INDEX, WHAT)?;
    if file.filename.contains(['/', '\\', '?', '#']) || file.filename.starts_with('.') {
        return Err(RuntimeError::invalid(
            INDEX,
            WHAT,
            format!(
                "`{}` is not a file name",
                vx_base::validate::shorten(&file.filename)
            ),
        ));
    }
    let sha256 = vx_base::validate::sha256(&file.sha256).map_err(|_| RuntimeError::NoChecksum {
        file: INDEX.to_owned(),
        asset: file.filename.clone(),
    })?;
    Ok(Resolved::Download(Download::archive(
        format!("{DOWNLOADS}/{}", file.filename),
        sha256,
        format!("index:{INDEX}"),
        format,
    )))
}

/// A list entry as a release; `None` when its version is not `goN.N…`.
fn release(entry: &Entry) -> Option<Release> {
    let version = entry.version.strip_prefix("go")?;
    let numeric = Numeric::parse(version)?;
    let prerelease = !entry.stable || !numeric.is_release();
    Some(Release::named(
        version.to_owned(),
        entry.version.clone(),
        prerelease,
    ))
}

/// A Go version as three numbers (`1.20` is `1.20.0`), its suffix kept (`rc1`).
fn numeric(version: &str) -> Option<Numeric> {
    Numeric::parse(version).map(padded)
}

fn padded(mut n: Numeric) -> Numeric {
    while n.parts.len() < 3 {
        n.parts.push(0);
    }
    n
}

/// Go's names of `platform`'s system and architecture.
fn names(platform: &Platform) -> Option<(&'static str, &'static str)> {
    let arch = match platform.arch.as_str() {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => return None,
    };
    let os = match platform.os.as_str() {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "windows",
        _ => return None,
    };
    Some((os, arch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_base::format::ArchiveFormat;

    /// A list in go.dev's shape.
    const LIST: &str = r#"[
      {"version":"go1.24rc1","stable":false,"files":[
        {"filename":"go1.24rc1.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.24rc1","sha256":"aa00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"archive"}]},
      {"version":"go1.23.8","stable":true,"files":[
        {"filename":"go1.23.8.src.tar.gz","os":"","arch":"","version":"go1.23.8","sha256":"bb00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"source"},
        {"filename":"go1.23.8.darwin-arm64.pkg","os":"darwin","arch":"arm64","version":"go1.23.8","sha256":"cc00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"installer"},
        {"filename":"go1.23.8.darwin-arm64.tar.gz","os":"darwin","arch":"arm64","version":"go1.23.8","sha256":"dd00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"archive"},
        {"filename":"go1.23.8.linux-amd64.tar.gz","os":"linux","arch":"amd64","version":"go1.23.8","sha256":"EE00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"archive"},
        {"filename":"go1.23.8.windows-amd64.zip","os":"windows","arch":"amd64","version":"go1.23.8","sha256":"ff00000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"archive"},
        {"filename":"go1.23.8.windows-amd64.msi","os":"windows","arch":"amd64","version":"go1.23.8","sha256":"0100000000000000000000000000000000000000000000000000000000000000","size":1,"kind":"installer"}]},
      {"version":"go1.23.7","stable":true,"files":[]},
      {"version":"go1.21.0","stable":true,"files":[]},
      {"version":"go1.21rc2","stable":false,"files":[]},
      {"version":"go1.20.14","stable":true,"files":[]},
      {"version":"go1.20","stable":true,"files":[]}
    ]"#;

    fn releases() -> Vec<Release> {
        let entries: Vec<Entry> = serde_json::from_str(LIST).unwrap();
        entries.iter().filter_map(release).collect()
    }

    #[test]
    fn versions_as_asdf_and_mise_users_write_them() {
        let all = releases();
        let pick = |r: &str| Go.pick(&all, r).map(|r| r.id);
        assert_eq!(pick("1.23").unwrap(), "go1.23.8");
        assert_eq!(pick("1.23.7").unwrap(), "go1.23.7");
        assert_eq!(pick("go1.23.7").unwrap(), "go1.23.7");
        assert_eq!(pick("latest").unwrap(), "go1.23.8", "no release candidate");
        assert_eq!(
            pick("1.20").unwrap(),
            "go1.20.14",
            "the newest of the minor"
        );
        assert_eq!(pick("go1.20").unwrap(), "go1.20", "Go's own name: exactly");
        assert_eq!(pick("1.20.0").unwrap(), "go1.20", "1.20's first release");
        assert_eq!(pick("1.21").unwrap(), "go1.21.0");
        assert_eq!(pick("1.21rc2").unwrap(), "go1.21rc2", "named exactly");
        assert_eq!(pick("go1.24rc1").unwrap(), "go1.24rc1");
        assert_eq!(pick("1").unwrap(), "go1.23.8");
        let missing = pick("1.22").unwrap_err().to_string();
        assert!(
            missing.contains("no version of go matches `1.22`")
                && missing.contains("1.23.8, 1.23.7, 1.21.0, 1.20.14"),
            "{missing}"
        );
        assert!(pick("go1.22.1").unwrap_err().is_request());
        assert!(pick("stable-ish").unwrap_err().is_request());
        assert!(all.iter().find(|r| r.id == "go1.24rc1").unwrap().prerelease);
    }

    #[test]
    fn archives_are_the_list_s_files_and_zip_on_windows() {
        let entries: Vec<Entry> = serde_json::from_str(LIST).unwrap();
        let files = &entries[1].files;
        let archive = |os: &str, arch: &str| {
            files
                .iter()
                .find(|f| f.kind == "archive" && f.os == os && f.arch == arch)
                .map(|f| f.filename.as_str())
        };
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let (os, arch) = names(&linux).unwrap();
        assert_eq!(archive(os, arch), Some("go1.23.8.linux-amd64.tar.gz"));
        let mac: Platform = "macos-aarch64".parse().unwrap();
        let (os, arch) = names(&mac).unwrap();
        assert_eq!(archive(os, arch), Some("go1.23.8.darwin-arm64.tar.gz"));
        let win: Platform = "windows-x86_64".parse().unwrap();
        let (os, arch) = names(&win).unwrap();
        assert_eq!(archive(os, arch), Some("go1.23.8.windows-amd64.zip"));
        let musl: Platform = "linux-x86_64-musl".parse().unwrap();
        assert_eq!(names(&musl), Some(("linux", "amd64")), "static: same build");
        assert_eq!(
            Go.layout("1.23.8", &win).bin,
            ["bin/go.exe", "bin/gofmt.exe"]
        );
        assert_eq!(Go.layout("1.23.8", &linux).bin, ["bin/go", "bin/gofmt"]);
        assert_eq!(Go.layout("1.23.8", &linux).strip_components, 1);
    }

    #[test]
    fn download_locks_the_list_s_url_and_sha256_for_each_platform() {
        let github = crate::runtime::offline_github();
        let cx = Context::seeded(&github, &[(INDEX, LIST)]);
        let all = releases();
        let get = |id: &str, platform: &str| {
            let release = all.iter().find(|r| r.id == id).unwrap();
            Go.download(&cx, release, &platform.parse().unwrap())
        };
        let Resolved::Download(win) = get("go1.23.8", "windows-x86_64").unwrap() else {
            panic!("windows has a zip")
        };
        assert_eq!(
            win.url,
            "https://dl.google.com/go/go1.23.8.windows-amd64.zip"
        );
        assert_eq!(win.format, ArchiveFormat::Zip);
        assert_eq!(win.checksum, format!("index:{INDEX}"));
        assert!(win.sha256.starts_with("ff00"));
        let Resolved::Download(linux) = get("go1.23.8", "linux-x86_64").unwrap() else {
            panic!("linux has a tarball")
        };
        assert_eq!(
            linux.url,
            "https://dl.google.com/go/go1.23.8.linux-amd64.tar.gz"
        );
        assert!(linux.sha256.starts_with("ee00"), "lower-cased");
        assert_eq!(
            get("go1.23.8", "linux-x86_64-musl").unwrap(),
            Resolved::Download(linux),
            "static: the same build"
        );
        let Resolved::Download(mac) = get("go1.23.8", "macos-aarch64").unwrap() else {
            panic!("macos has a tarball, not only the .pkg")
        };
        assert!(mac.url.ends_with("go1.23.8.darwin-arm64.tar.gz"));
        assert_eq!(
            get("go1.23.8", "macos-x86_64").unwrap(),
            Resolved::Unsupported("go 1.23.8: no build for macos-x86_64".to_owned())
        );

        // A file listed without its sha256 is an error, never an unchecked download.
        let bare = LIST.replace(
            "EE00000000000000000000000000000000000000000000000000000000000000",
            "",
        );
        let cx = Context::seeded(&github, &[(INDEX, &bare)]);
        let release = all.iter().find(|r| r.id == "go1.23.8").unwrap();
        let err = Go
            .download(&cx, release, &"linux-x86_64".parse().unwrap())
            .unwrap_err();
        assert!(
            matches!(&err, RuntimeError::NoChecksum { asset, .. } if asset == "go1.23.8.linux-amd64.tar.gz"),
            "{err}"
        );
    }
}
