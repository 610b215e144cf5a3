//! PyPI's simple repository API, as pypi.org, devpi, Artifactory and every pip index
//! serve it: a project's page (`INDEX/NAME/`, NAME normalized as PEP 503 says) in
//! PEP 503's HTML (one `<a href="URL#sha256=HEX">FILENAME</a>` per file, what pypi.org
//! answers a client that asks for nothing else) or PEP 691's JSON (`files`, each with
//! `filename`, `url`, `hashes.sha256`, `yanked`). Either way vx reads the files, their
//! sha256 and whether they are yanked: the versions come from the file names (PEP 427's
//! wheel names, sdists' `NAME-VERSION.tar.gz`), and each platform's wheel is chosen by
//! its tags.
//!
//! Binary first: a wheel tagged `py3-none-PLATFORM` (no Python ABI) is a native
//! program packed as a wheel (maturin's `bindings = "bin"`: ruff, uv), its command in
//! `NAME-VERSION.data/scripts/`: vx installs it as an archive of its own, with no
//! python. A project without such wheels needs python.

use serde::Deserialize;

use super::npm::Target;

/// One file of a project's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its name (`ruff-0.8.4-py3-none-win_amd64.whl`).
    pub filename: String,
    /// Its URL, absolute, without the `#sha256=` fragment.
    pub url: String,
    /// Its sha256, lower-case hex, when the index gives it.
    pub sha256: Option<String>,
    /// Whether it is yanked (PEP 592).
    pub yanked: bool,
}

/// A wheel's name, read as PEP 427 writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wheel {
    /// The distribution as the file names it (`ruff`, `black`).
    pub dist: String,
    /// Its version.
    pub version: String,
    /// Python tags (`py3`).
    pub python: Vec<String>,
    /// ABI tags (`none`).
    pub abi: Vec<String>,
    /// Platform tags (`manylinux_2_17_x86_64`, `manylinux2014_x86_64`).
    pub platforms: Vec<String>,
}

impl Wheel {
    /// `filename` as a wheel's name; `None` when it is not one.
    pub fn parse(filename: &str) -> Option<Wheel> {
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (dist, version, python, abi, platform) = match parts.as_slice() {
            [d, v, py, abi, plat] | [d, v, _, py, abi, plat] => (d, v, py, abi, plat),
            _ => return None,
        };
        let tags = |t: &str| t.split('.').map(str::to_owned).collect::<Vec<_>>();
        Some(Wheel {
            dist: (*dist).to_owned(),
            version: (*version).to_owned(),
            python: tags(python),
            abi: tags(abi),
            platforms: tags(platform),
        })
    }

    /// Whether it is a wheel of `project` (names compared normalized, PEP 503): a page
    /// may list another project's wheel, which is never taken for this one's.
    pub fn is_of(&self, project: &str) -> bool {
        vx_model::package_name::normalize(&self.dist) == vx_model::package_name::normalize(project)
    }

    /// Whether it is a native program for any Python 3 (`py3-none-PLATFORM`), rather
    /// than a library built for one Python ABI or pure Python (`any`).
    pub fn is_native_program(&self) -> bool {
        self.abi.iter().any(|a| a == "none")
            && self
                .python
                .iter()
                .any(|p| p == "py3" || p.starts_with("py3"))
            && !self.platforms.iter().any(|p| p == "any")
    }

    /// How well it fits `target`: `None` when it does not, a lower number for a
    /// closer fit (the platform's own architecture before `universal2`).
    pub fn fit(&self, target: &Target) -> Option<u8> {
        self.platforms
            .iter()
            .filter_map(|tag| tag_fit(tag, target))
            .min()
    }

    /// How well it installs into CPython `major.minor` on `target`, as installers
    /// rank wheels (`None`: it does not install there); lower is closer: built for
    /// the platform before pure Python, then the interpreter's own ABI (`cp312`)
    /// before the stable one (`abi3`, built for that python or an older one) before
    /// none, then the platform tag's own fit.
    pub fn fit_python(&self, target: &Target, (major, minor): (u32, u32)) -> Option<(u8, u8, u8)> {
        let own = format!("cp{major}{minor}");
        let abi3_built_for = |tag: &str| {
            tag.strip_prefix(&format!("cp{major}"))
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m <= minor)
        };
        let abi = self
            .abi
            .iter()
            .filter_map(|abi| match abi.as_str() {
                a if a == own && self.python.contains(&own) => Some(0),
                "abi3" if self.python.iter().any(|p| abi3_built_for(p)) => Some(1),
                "none" => Some(2),
                _ => None,
            })
            .min()?;
        let any_python = self
            .python
            .iter()
            .any(|p| *p == own || *p == format!("py{major}") || *p == format!("py{major}{minor}"));
        if abi == 2 && !any_python {
            return None;
        }
        if self.platforms.iter().any(|p| p == "any") {
            return Some((1, abi, 0));
        }
        Some((0, abi, self.fit(target)?))
    }
}

/// How a platform tag fits `target` (see [`Wheel::fit`]).
fn tag_fit(tag: &str, target: &Target) -> Option<u8> {
    let arch = match (target.os, target.cpu) {
        ("win32", "x64") => return (tag == "win_amd64").then_some(0),
        ("win32", "arm64") => return (tag == "win_arm64").then_some(0),
        ("darwin", cpu) => {
            let rest = tag.strip_prefix("macosx_")?;
            let want = if cpu == "arm64" { "arm64" } else { "x86_64" };
            return if rest.ends_with(want) {
                Some(0)
            } else if rest.ends_with("universal2") {
                Some(1)
            } else {
                None
            };
        }
        (_, "x64") => "x86_64",
        (_, "arm64") => "aarch64",
        _ => return None,
    };
    if !tag.ends_with(arch) {
        return None;
    }
    if target.is_musl() {
        tag.starts_with("musllinux_").then_some(0)
    } else {
        tag.starts_with("manylinux").then_some(0)
    }
}

/// The version a file of `project` (normalized) is of: a wheel's, or an sdist's
/// (`NAME-VERSION.tar.gz`, `.zip`); `None` for another project's file, which a
/// hostile or mistaken index page may list (it would stand in for the project's own
/// file, or add its sha256 to the project's pinned set).
pub fn version_of(filename: &str, project: &str) -> Option<String> {
    if let Some(wheel) = Wheel::parse(filename) {
        return wheel.is_of(project).then_some(wheel.version);
    }
    let stem = filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))?;
    let (name, version) = stem.rsplit_once('-')?;
    (vx_model::package_name::normalize(name) == project).then(|| version.to_owned())
}

/// Whether a PEP 440 version is a pre-release or development release.
pub fn is_prerelease(version: &str) -> bool {
    let v = version.to_ascii_lowercase();
    v.contains("dev")
        || v.contains("rc")
        || v.split(|c: char| !c.is_ascii_alphabetic())
            .any(|word| matches!(word, "a" | "b" | "alpha" | "beta" | "c" | "pre" | "preview"))
}

/// A project page's files, from its HTML (PEP 503) or JSON (PEP 691) at `page_url`.
pub fn parse_page(page_url: &str, text: &str) -> Result<Vec<File>, serde_json::Error> {
    if text.trim_start().starts_with('{') {
        parse_json(page_url, text)
    } else {
        Ok(parse_html(page_url, text))
    }
}

#[derive(Deserialize)]
struct JsonPage {
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    yanked: serde_json::Value,
}

fn parse_json(page_url: &str, text: &str) -> Result<Vec<File>, serde_json::Error> {
    let page: JsonPage = serde_json::from_str(text)?;
    Ok(page
        .files
        .into_iter()
        .map(|f| File {
            url: absolute(page_url, f.url.split('#').next().unwrap_or(&f.url)),
            sha256: f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            yanked: !matches!(
                f.yanked,
                serde_json::Value::Bool(false) | serde_json::Value::Null
            ),
            filename: f.filename,
        })
        .collect())
}

fn parse_html(page_url: &str, text: &str) -> Vec<File> {
    let mut files = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<a ") {
        rest = &rest[start..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        // The link's text ends at the first `</a>` after its start tag (one before
        // it, as in `<a </a>`, made the text's range run backwards: a panic).
        let Some(end) = rest[close..].find("</a>").map(|i| close + i) else {
            break;
        };
        let filename = unescape(rest[close + 1..end].trim());
        rest = &rest[end..];
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let (url, fragment) = match href.split_once('#') {
            Some((url, fragment)) => (url.to_owned(), Some(fragment.to_owned())),
            None => (href.clone(), None),
        };
        let sha256 = fragment
            .as_deref()
            .and_then(|f| f.strip_prefix("sha256="))
            .map(str::to_ascii_lowercase);
        files.push(File {
            filename,
            url: absolute(page_url, &url),
            sha256,
            yanked: tag.contains("data-yanked"),
        });
    }
    files
}

/// An attribute's value in an HTML start tag (double or single quoted), unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let quote = tag[at..].chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &tag[at + 1..];
    let end = value.find(quote)?;
    Some(unescape(&value[..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// `href` made absolute against the page it is on; `..` climbs one folder and never
/// above the host, as a browser resolves it. One pass over the path: a page is the
/// index's to size, and resolving one `../` at a time copied the whole URL for each
/// (quadratic: an href of 1,000,000 `../` took minutes).
fn absolute(page_url: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_owned();
    }
    let (scheme, rest) = page_url.split_once("://").unwrap_or(("https", page_url));
    let (host, page_path) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some(path) = href.strip_prefix('/') {
        return format!("{scheme}://{host}/{path}");
    }
    let folder = page_path.rfind('/').map_or("", |i| &page_path[..=i]);
    let joined = format!("{folder}{href}");
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        if segment == ".." {
            segments.pop();
        } else {
            segments.push(segment);
        }
    }
    format!("{scheme}://{host}/{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(os: &str, arch: &str, musl: bool) -> Target {
        Target::of(os, arch, musl).unwrap()
    }

    /// A python's wheels ranked as uv ranks them: black's names as pypi.org lists
    /// them for 24.10.0.
    #[test]
    fn a_wheel_for_the_platform_and_python_beats_the_pure_one() {
        let fit =
            |name: &str, t: &Target, python| Wheel::parse(name).unwrap().fit_python(t, python);
        let linux = target("linux", "x86_64", false);
        let cp312 = "black-24.10.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_28_x86_64.whl";
        let pure = "black-24.10.0-py3-none-any.whl";
        assert!(fit(cp312, &linux, (3, 12)) < fit(pure, &linux, (3, 12)));
        assert!(fit(pure, &linux, (3, 12)).is_some());
        // Another python, another platform, another C library: not installable.
        assert_eq!(fit(cp312, &linux, (3, 13)), None);
        assert_eq!(fit(cp312, &target("linux", "x86_64", true), (3, 12)), None);
        assert_eq!(
            fit(cp312, &target("macos", "aarch64", false), (3, 12)),
            None
        );
        // The stable ABI serves the python it was built for and newer ones, not older.
        let abi3 = "cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl";
        assert!(fit(abi3, &linux, (3, 12)).is_some());
        assert_eq!(fit(abi3, &linux, (3, 8)), None);
        assert!(fit(cp312, &linux, (3, 12)) < fit(abi3, &linux, (3, 12)));
        // A Python 2 only wheel installs nowhere here.
        assert_eq!(fit("six-1.0-py2-none-any.whl", &linux, (3, 12)), None);
        assert!(fit("six-1.16.0-py2.py3-none-any.whl", &linux, (3, 12)).is_some());
    }

    /// pypi.org's real page of ruff (tests/data/pypi-ruff.html: `https://pypi.org/simple/ruff/`
    /// trimmed to the files of 0.8.3 and 0.8.4) and its PEP 691 twin
    /// (tests/data/pypi-ruff.json, the same URL with `Accept:
    /// application/vnd.pypi.simple.v1+json`, trimmed alike).
    fn page(file: &str) -> Vec<File> {
        let path = format!(
            "{}/tests/data/{file}",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        );
        parse_page(
            "https://pypi.org/simple/ruff/",
            &std::fs::read_to_string(path).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn both_formats_give_the_same_files() {
        let html = page("pypi-ruff.html");
        let json = page("pypi-ruff.json");
        assert_eq!(html.len(), 36);
        let key = |files: &[File]| {
            let mut v: Vec<(String, String, Option<String>)> = files
                .iter()
                .map(|f| (f.filename.clone(), f.url.clone(), f.sha256.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(key(&html), key(&json));
        let win = html
            .iter()
            .find(|f| f.filename == "ruff-0.8.4-py3-none-win_amd64.whl")
            .unwrap();
        assert!(
            win.url
                .starts_with("https://files.pythonhosted.org/packages/")
        );
        assert_eq!(win.sha256.as_deref().map(str::len), Some(64));
    }

    #[test]
    fn each_platform_takes_its_native_wheel() {
        let files = page("pypi-ruff.html");
        let best = |t: Target| {
            files
                .iter()
                .filter_map(|f| Some((Wheel::parse(&f.filename)?, f)))
                .filter(|(w, _)| w.version == "0.8.4" && w.is_native_program())
                .filter_map(|(w, f)| Some((w.fit(&t)?, f.filename.clone())))
                .min()
                .map(|(_, name)| name)
        };
        assert_eq!(
            best(target("linux", "x86_64", false)).unwrap(),
            "ruff-0.8.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        assert_eq!(
            best(target("linux", "x86_64", true)).unwrap(),
            "ruff-0.8.4-py3-none-musllinux_1_2_x86_64.whl"
        );
        assert_eq!(
            best(target("macos", "aarch64", false)).unwrap(),
            "ruff-0.8.4-py3-none-macosx_11_0_arm64.whl"
        );
        assert_eq!(
            best(target("windows", "x86_64", false)).unwrap(),
            "ruff-0.8.4-py3-none-win_amd64.whl"
        );
        assert_eq!(
            version_of("ruff-0.8.4.tar.gz", "ruff").as_deref(),
            Some("0.8.4")
        );
        assert!(
            !Wheel::parse("black-24.1.0-cp312-cp312-win_amd64.whl")
                .unwrap()
                .is_native_program()
        );
        assert!(
            !Wheel::parse("black-24.1.0-py3-none-any.whl")
                .unwrap()
                .is_native_program()
        );
        assert!(is_prerelease("1.0.0rc1") && is_prerelease("2.0a1") && !is_prerelease("0.8.4"));
        assert_eq!(
            absolute("https://idx.example/simple/ruff/", "../../files/r.whl"),
            "https://idx.example/files/r.whl"
        );
        assert_eq!(
            absolute("https://idx.example/simple/ruff/", "/files/r.whl"),
            "https://idx.example/files/r.whl"
        );
        assert_eq!(
            absolute("https://idx.example/simple/ruff/", "r.whl"),
            "https://idx.example/simple/ruff/r.whl"
        );
        assert_eq!(
            absolute("https://idx.example/simple/ruff", "../../../../r.whl"),
            "https://idx.example/r.whl"
        );
    }

    /// A start tag that `</a>` closes before its own `>` (found by cargo-fuzz,
    /// `fuzz/fuzz_targets/language_registry.rs`) is no link, never a panic.
    /// Another project's files on a project's page are none of its versions: a wheel
    /// was taken by its version alone, so `evil-0.8.4-py3-none-any.whl` on ruff's page
    /// stood in for ruff's pure wheel (and its sha256 joined ruff's pinned set).
    #[test]
    fn another_projects_file_on_the_page_is_not_the_projects() {
        assert_eq!(version_of("evil-0.8.4-py3-none-any.whl", "ruff"), None);
        assert_eq!(version_of("evil-0.8.4.tar.gz", "ruff"), None);
        assert_eq!(
            version_of("ruff-0.8.4-py3-none-any.whl", "ruff").as_deref(),
            Some("0.8.4")
        );
        assert_eq!(
            version_of("Pre_Commit-4.0.1-py2.py3-none-any.whl", "pre-commit").as_deref(),
            Some("4.0.1")
        );
    }

    #[test]
    fn a_link_closed_inside_its_start_tag_is_not_a_panic() {
        for page in [
            "<a </a>",
            "<a href=\"r.whl\"</a>",
            "<a </a><a href=\"/r.whl\">r.whl</a>",
        ] {
            let files = parse_page("https://idx.example/simple/ruff/", page).unwrap();
            assert!(files.len() <= 1, "{page}: {files:?}");
        }
        let files = parse_page(
            "https://idx.example/simple/ruff/",
            "<a href=\"/r.whl\">r.whl</a>",
        )
        .unwrap();
        assert_eq!(files[0].filename, "r.whl");
    }

    /// A page whose href climbs 1,000,000 folders (3 MB, a tenth of the cap) is read
    /// in linear time: each `../` was resolved by copying the whole URL (minutes here;
    /// 185 ms at 30,000, quadratic).
    #[test]
    fn an_href_of_many_parent_folders_is_resolved_in_linear_time() {
        let href = format!("{}files/r.whl", "../".repeat(1_000_000));
        let page = format!("<a href=\"{href}\">r.whl</a>\n");
        let started = std::time::Instant::now();
        let files = parse_page("https://idx.example/simple/ruff/", &page).unwrap();
        assert_eq!(files[0].url, "https://idx.example/files/r.whl");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }
}
