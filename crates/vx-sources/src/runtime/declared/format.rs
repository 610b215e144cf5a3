//! A runtime declaration's file, read strictly: TOML with no unknown key, every
//! template's placeholders known, every mapping's archive extension one vx unpacks, so a
//! mistake is said when the file is read, not when a platform is locked.
//!
//! ```toml
//! name = "acme-jdk"                       # the [tools] key and the store's name
//! aliases = ["acmejdk"]                   # other names users write (optional)
//! summary = "ACME's JDK build"            # one line for `vx search`
//! needs = "erlang"                        # a runtime it needs to run (optional)
//!
//! [versions]                              # where versions are listed
//! kind = "json-list"                      # json-list | lines | github-releases
//! url = "https://dl.acme.corp/jdk/index.json"
//! list = "releases"                       # json-list: dotted path of the array ("": the document)
//! version = "version"                     # json-list: each entry's version field
//! strip_prefix = "jdk-"                   # taken off a listed id to give the version
//! lts = "lts"                             # json-list: a string field naming an LTS line (optional)
//! date = "date"                           # json-list: publication date (optional)
//! builds = "files"                        # json-list: the platforms built, matched with download.build (optional)
//! # lines: `url`; each line's first word is a release. github-releases: `repo = "owner/name"`.
//!
//! [download]
//! url = "https://dl.acme.corp/jdk/{tag}/acme-jdk-{version}-{os}-{arch}{libc}.{ext}"
//! checksums = "https://dl.acme.corp/jdk/{tag}/SHA256SUMS"   # or "none"
//! os = { linux = "linux", macos = "mac", windows = "windows" }
//! arch = { x86_64 = "x64", aarch64 = "aarch64" }
//! libc = { gnu = "", musl = "-musl" }     # absent: no musl build
//! ext = { linux = "tar.gz", macos = "tar.gz", windows = "zip" }
//! alternatives = { linux = ["tar.xz"] }   # the same tree packed otherwise (optional)
//! build = { linux = "linux-{arch}{libc}" }  # the `builds` entry a platform needs (optional)
//!
//! [download.musl]                         # musl builds published elsewhere (optional)
//! versions = "https://…/index.json"       # whose `builds` say which releases have one
//! url = "https://…"
//! checksums = "https://…"
//! note = "musl builds come from …"        # added to "no build for …"
//!
//! [layout]
//! strip = 1                               # leading directories to drop
//! bin = ["bin/java", "bin/javac"]         # the commands
//! windows_bin = ["bin/java.exe", "bin/javac.exe"]   # on Windows (default: bin)
//! env = { JAVA_HOME = "" }                # variables, each a path inside the install
//! post_install = "…"                      # a step run in the unpacked tree (optional)
//!
//! path_after = ["{data}/acme-jdk/bin"]   # directories outside the store on PATH after
//! windows_path_after = ["{data}/acme-jdk"] # the runtime's own (Windows: default path_after)
//!
//! [[layout.write]]                        # a file written into the install (node's
//! path = "etc/npmrc"                      # etc/npmrc naming npm's global prefix)
//! text = "prefix={data}/npm-global/{major}\n"
//!
//! [[layout.extra]]                        # more commands in some versions only
//! versions = ["14.19..15", "16.9..25"]    # FROM..UNTIL: FROM <= version < UNTIL
//! bin = ["bin/corepack"]
//! windows_bin = ["corepack.cmd"]
//! ```
//!
//! Placeholders: `{version}` (the version as vx names it), `{tag}` (the publisher's
//! id of it, as listed), `{os}`, `{arch}`, `{libc}`, `{ext}` (the mappings' values
//! for the platform). A platform whose os or arch a mapping lacks has no build. In
//! `[[layout.write]]` texts and `path_after`: `{data}` (vx's data directory on the
//! machine that installs, `$XDG_DATA_HOME/vx`: never locked), `{version}` and
//! `{major}`; a `path_after` entry starts with `{data}/`, so it names a place of the
//! user's outside the shared store.

use std::collections::BTreeMap;

use serde::Deserialize;

use vx_base::format::ArchiveFormat;

/// The largest declaration file read.
pub(crate) const MAX_DECLARATION_BYTES: u64 = 64 << 10;

/// The placeholders a template may hold.
/// The most other packings one platform's download may name.
const MAX_ALTERNATIVES: usize = 4;

const PLACEHOLDERS: &[&str] = &["version", "tag", "os", "arch", "libc", "ext"];

/// The placeholders of a written file's text and of `path_after`.
const LAYOUT_PLACEHOLDERS: &[&str] = &["data", "version", "major"];

/// A declaration as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec {
    /// Its name.
    pub name: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One line for `vx search`.
    pub summary: String,
    /// The runtime it needs.
    #[serde(default)]
    pub needs: Option<String>,
    /// Where versions come from.
    pub versions: Versions,
    /// What each platform downloads.
    pub download: DownloadSpec,
    /// How the archive is laid out.
    pub layout: LayoutSpec,
}

/// The version index.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum Versions {
    /// A JSON document holding an array of objects.
    JsonList {
        /// Its URL.
        url: String,
        /// The dotted path of the array in the document (empty: the document).
        #[serde(default)]
        list: String,
        /// The dotted path of an entry's version.
        version: String,
        /// Taken off a listed id to give the version.
        #[serde(default)]
        strip_prefix: String,
        /// The field naming an LTS line (a string; anything else: not LTS).
        #[serde(default)]
        lts: Option<String>,
        /// The field giving the publication date.
        #[serde(default)]
        date: Option<String>,
        /// The field listing the platforms built (strings).
        #[serde(default)]
        builds: Option<String>,
    },
    /// A text file, one release a line (its first word).
    Lines {
        /// Its URL.
        url: String,
        /// Taken off a listed id to give the version.
        #[serde(default)]
        strip_prefix: String,
    },
    /// A GitHub repository's releases.
    GithubReleases {
        /// `owner/name`.
        repo: String,
        /// Taken off a tag to give the version.
        #[serde(default)]
        strip_prefix: String,
    },
}

/// `[download]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DownloadSpec {
    /// The archive's URL template.
    pub url: String,
    /// The sums file's URL template, or `none`.
    pub checksums: String,
    /// vx's os → the publisher's.
    pub os: BTreeMap<String, String>,
    /// vx's arch → the publisher's.
    pub arch: BTreeMap<String, String>,
    /// `gnu`/`musl` → the publisher's; absent: Linux builds are glibc only.
    #[serde(default)]
    pub libc: Option<BTreeMap<String, String>>,
    /// vx's os → the archive's extension.
    pub ext: BTreeMap<String, String>,
    /// vx's os → other extensions the publisher packs the same tree in, named by the
    /// same sums file (nodejs.org's `tar.gz` beside its `tar.xz`): each is locked
    /// too, and the install takes whichever arrives unpacked soonest on its link.
    #[serde(default)]
    pub alternatives: BTreeMap<String, Vec<String>>,
    /// vx's os → the `builds` entry a platform needs.
    #[serde(default)]
    pub build: BTreeMap<String, String>,
    /// Where musl builds come from, when elsewhere.
    #[serde(default)]
    pub musl: Option<MuslSpec>,
}

/// `[download.musl]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MuslSpec {
    /// The index whose `builds` say which releases have a musl build.
    #[serde(default)]
    pub versions: Option<String>,
    /// The archive's URL template.
    #[serde(default)]
    pub url: Option<String>,
    /// The sums file's URL template, or `none`.
    #[serde(default)]
    pub checksums: Option<String>,
    /// Said after "no build for …".
    #[serde(default)]
    pub note: Option<String>,
}

/// `[layout]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LayoutSpec {
    /// Leading directories to drop.
    #[serde(default)]
    pub strip: u32,
    /// The commands.
    pub bin: Vec<String>,
    /// The commands on Windows (default: `bin`).
    #[serde(default)]
    pub windows_bin: Option<Vec<String>>,
    /// Variables, each a path inside the install.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// A step run in the unpacked tree (Unix).
    #[serde(default)]
    pub post_install: Option<String>,
    /// The step on Windows.
    #[serde(default)]
    pub windows_post_install: Option<String>,
    /// Commands of some versions only.
    #[serde(default)]
    pub extra: Vec<Extra>,
    /// Files written into the install.
    #[serde(default)]
    pub write: Vec<Write>,
    /// Directories outside the store on `PATH` after the runtime's own.
    #[serde(default)]
    pub path_after: Vec<String>,
    /// The same on Windows (default: `path_after`).
    #[serde(default)]
    pub windows_path_after: Option<Vec<String>>,
}

/// `[[layout.write]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Write {
    /// Where, inside the install (`etc/npmrc`).
    pub path: String,
    /// What (`{data}`, `{version}`, `{major}` filled in).
    pub text: String,
}

/// `[[layout.extra]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Extra {
    /// `FROM..UNTIL` ranges.
    pub versions: Vec<String>,
    /// The commands.
    pub bin: Vec<String>,
    /// The commands on Windows (default: `bin`).
    #[serde(default)]
    pub windows_bin: Option<Vec<String>>,
}

/// A `FROM..UNTIL` range of versions: FROM ≤ version < UNTIL, compared as numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    /// Its lower bound (included).
    pub from: super::super::version::Numeric,
    /// Its upper bound (excluded).
    pub until: super::super::version::Numeric,
}

impl Range {
    /// Reads `FROM..UNTIL`.
    pub(crate) fn parse(text: &str) -> Option<Range> {
        let (from, until) = text.split_once("..")?;
        Some(Range {
            from: super::super::version::Numeric::parse(from.trim())?,
            until: super::super::version::Numeric::parse(until.trim())?,
        })
    }

    /// Whether `version` is in it.
    pub(crate) fn contains(&self, version: &super::super::version::Numeric) -> bool {
        *version >= self.from && *version < self.until
    }
}

/// Reads and checks a declaration's text; `Err` says what is wrong, with the line and
/// column where TOML knows them.
pub(crate) fn parse(text: &str) -> Result<Spec, SpecError> {
    let spec: Spec = toml::from_str(text).map_err(|e| SpecError::Toml {
        // One line, as a vx.toml error is: toml's own text draws the line in ASCII art.
        message: e.message().trim().replace('\n', "; "),
        at: e.span().map(|span| {
            let at = vx_model::manifest::Location::from_offset(text, span.start);
            (at.line, at.column)
        }),
    })?;
    check(&spec)?;
    Ok(spec)
}

/// Why a declaration's text is not a declaration: the key at fault first.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// Not TOML, or not the declaration's fields.
    #[error("{}{message}", at.map(|(line, column)| format!("line {line}, column {column}: ")).unwrap_or_default())]
    Toml {
        /// TOML's message, on one line.
        message: String,
        /// The line and column, when known.
        at: Option<(usize, usize)>,
    },
    /// `name`, `aliases` or `needs` is not a tool's name.
    #[error("{key}: {source}")]
    Name {
        /// The key.
        key: &'static str,
        /// What is wrong.
        source: vx_base::validate::FieldError,
    },
    /// The summary is empty or holds control characters.
    #[error("summary: one line of text is needed")]
    Summary,
    /// A JSON list without the field of its versions.
    #[error("versions.version: the field of each entry's version is needed")]
    VersionField,
    /// A GitHub repository that is not `owner/name`.
    #[error(
        "versions.repo: `{}` is not owner/name",
        vx_base::validate::shorten(repo)
    )]
    Repo {
        /// The repository as written.
        repo: String,
    },
    /// An extension that is no archive vx unpacks.
    #[error(
        "download.ext.{os}: `{}` is not an archive vx unpacks (tar.gz, tar.xz, tar.bz2, tar.zst, tar, zip, raw)",
        vx_base::validate::shorten(ext)
    )]
    Ext {
        /// The os.
        os: String,
        /// The extension.
        ext: String,
    },
    /// Alternatives for an os without an extension.
    #[error(
        "download.alternatives.{}: not an os of download.ext",
        vx_base::validate::shorten(os)
    )]
    AlternativesOs {
        /// The os.
        os: String,
    },
    /// Too many alternatives.
    #[error("download.alternatives.{os}: at most {MAX_ALTERNATIVES} other packings")]
    TooManyAlternatives {
        /// The os.
        os: String,
    },
    /// An alternative that is no archive vx unpacks.
    #[error(
        "download.alternatives.{os}: `{}` is not an archive vx unpacks (tar.gz, tar.xz, tar.bz2, tar.zst, tar, zip)",
        vx_base::validate::shorten(ext)
    )]
    Alternative {
        /// The os.
        os: String,
        /// The extension.
        ext: String,
    },
    /// An os of `download.os` without an extension.
    #[error("download.ext: no extension for {os}")]
    NoExt {
        /// The os.
        os: String,
    },
    /// A libc other than gnu or musl.
    #[error("download.libc: `{libc}` is not gnu or musl")]
    Libc {
        /// The key.
        libc: String,
    },
    /// No command.
    #[error("layout.bin: at least one command is needed")]
    NoBin,
    /// A version range that is not `FROM..UNTIL`.
    #[error(
        "layout.extra.versions: `{}` is not FROM..UNTIL (14.19..15)",
        vx_base::validate::shorten(range)
    )]
    Range {
        /// The range as written.
        range: String,
    },
    /// A file written that is not one the install may hold.
    #[error("layout.write: {0}")]
    Write(#[source] vx_base::validate::FieldError),
    /// A `path_after` outside vx's data directory.
    #[error(
        "layout.path_after: `{}` must start with {{data}}/ and stay there, with no `..` (vx's data directory, outside the store)",
        vx_base::validate::shorten(dir)
    )]
    PathAfter {
        /// The directory as written.
        dir: String,
    },
    /// A variable a runtime may not set.
    #[error(
        "layout.env: `{}` is not a variable a runtime may set (a runtime says where it is, not how shells, loaders or interpreters behave)",
        vx_base::validate::shorten(name)
    )]
    Env {
        /// The variable.
        name: String,
    },
    /// A template that is not one.
    #[error("{key}: {problem}")]
    Template {
        /// The key.
        key: String,
        /// What is wrong.
        problem: TemplateProblem,
    },
}

/// What is wrong with a template of a declaration.
#[derive(Debug, thiserror::Error)]
pub enum TemplateProblem {
    /// Nothing written.
    #[error("empty")]
    Empty,
    /// `{` without `}`.
    #[error("a `{{` is not closed")]
    Unclosed,
    /// A placeholder not among those known.
    #[error(
        "`{{{}}}` is not a placeholder (known: {})",
        vx_base::validate::shorten(name),
        braces(known)
    )]
    Unknown {
        /// The placeholder's name.
        name: String,
        /// The placeholders known.
        known: &'static [&'static str],
    },
    /// `}` without `{`.
    #[error("a `}}` without its `{{`")]
    Unopened,
}

/// `{a} {b}`.
fn braces(known: &[&str]) -> String {
    known
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The checks TOML's types cannot make.
fn check(spec: &Spec) -> Result<(), SpecError> {
    let name = |key| move |source| SpecError::Name { key, source };
    vx_base::validate::tool_name(&spec.name).map_err(name("name"))?;
    for alias in &spec.aliases {
        vx_base::validate::tool_name(alias).map_err(name("aliases"))?;
    }
    if let Some(needs) = &spec.needs {
        vx_base::validate::tool_name(needs).map_err(name("needs"))?;
    }
    if spec.summary.trim().is_empty() || spec.summary.contains(char::is_control) {
        return Err(SpecError::Summary);
    }
    match &spec.versions {
        Versions::JsonList { url, version, .. } => {
            template("versions.url", url)?;
            if version.is_empty() {
                return Err(SpecError::VersionField);
            }
        }
        Versions::Lines { url, .. } => template("versions.url", url)?,
        Versions::GithubReleases { repo, .. } => {
            let ok = repo
                .split_once('/')
                .is_some_and(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'));
            if !ok {
                return Err(SpecError::Repo { repo: repo.clone() });
            }
        }
    }
    let download = &spec.download;
    template("download.url", &download.url)?;
    checksums("download.checksums", &download.checksums)?;
    for (os, ext) in &download.ext {
        if ArchiveFormat::from_name(ext).is_none() {
            return Err(SpecError::Ext {
                os: os.clone(),
                ext: ext.clone(),
            });
        }
    }
    for (os, exts) in &download.alternatives {
        if !download.ext.contains_key(os) {
            return Err(SpecError::AlternativesOs { os: os.clone() });
        }
        if exts.len() > MAX_ALTERNATIVES {
            return Err(SpecError::TooManyAlternatives { os: os.clone() });
        }
        for ext in exts {
            if ArchiveFormat::from_name(ext).is_none_or(|f| f == ArchiveFormat::Raw) {
                return Err(SpecError::Alternative {
                    os: os.clone(),
                    ext: ext.clone(),
                });
            }
        }
    }
    for os in download.os.keys() {
        if !download.ext.contains_key(os) {
            return Err(SpecError::NoExt { os: os.clone() });
        }
    }
    if let Some(libc) = &download.libc
        && let Some(other) = libc.keys().find(|k| *k != "gnu" && *k != "musl")
    {
        return Err(SpecError::Libc {
            libc: other.clone(),
        });
    }
    for (os, build) in &download.build {
        template(&format!("download.build.{os}"), build)?;
    }
    if let Some(musl) = &download.musl {
        if let Some(url) = &musl.versions {
            template("download.musl.versions", url)?;
        }
        if let Some(url) = &musl.url {
            template("download.musl.url", url)?;
        }
        if let Some(url) = &musl.checksums {
            checksums("download.musl.checksums", url)?;
        }
    }
    let layout = &spec.layout;
    if layout.bin.is_empty() {
        return Err(SpecError::NoBin);
    }
    for extra in &layout.extra {
        for range in &extra.versions {
            if Range::parse(range).is_none() {
                return Err(SpecError::Range {
                    range: range.clone(),
                });
            }
        }
    }
    for write in &layout.write {
        template_of("layout.write.text", &write.text, LAYOUT_PLACEHOLDERS)?;
        vx_base::validate::written_file(&write.path, &write.text).map_err(SpecError::Write)?;
    }
    let windows = layout.windows_path_after.iter().flatten();
    for dir in layout.path_after.iter().chain(windows) {
        template_of("layout.path_after", dir, LAYOUT_PLACEHOLDERS)?;
        // Inside vx's data directory, and staying there: no `..` step (a `{data}/../..`
        // would reach any directory of the machine).
        let escapes = dir.split(['/', '\\']).any(|step| step == "..");
        if !dir.starts_with("{data}/") || escapes {
            return Err(SpecError::PathAfter { dir: dir.clone() });
        }
    }
    for name in layout.env.keys() {
        let ok = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !ok || runs_code(name) {
            return Err(SpecError::Env { name: name.clone() });
        }
    }
    Ok(())
}

/// Whether `name` is a variable a runtime may NOT set: everything but what says where
/// the runtime is. The hook applies what installed runtimes set to the user's shell,
/// so a list of the dangerous ones (`PROMPT_COMMAND`, `LD_PRELOAD`, `NODE_OPTIONS`,
/// …) is never complete (it missed `PERLLIB`, `LUA_INIT`, `GIT_PAGER`, `LESSOPEN`,
/// `BROWSER`, …); an allow-list is. A runtime says where it is: a name ending in
/// `_HOME` or `_ROOT` (`JAVA_HOME`, `CARGO_HOME`, `ERL_ROOT`), or `GOROOT`. Even
/// those are refused in the namespaces of the shell, git, the XDG directories, the
/// dynamic loader and vx itself (`XDG_CONFIG_HOME`, `GIT_…`, `LD_…`, `__VX_…`), and
/// `HOME`, `PYTHONHOME` (where Python finds its standard library, code it runs).
pub fn runs_code(name: &str) -> bool {
    !may_set(&name.to_ascii_uppercase())
}

/// The allow-list of [`runs_code`], on an upper-cased name.
fn may_set(upper: &str) -> bool {
    const DENIED_PREFIXES: &[&str] = &[
        "XDG_", "GIT_", "LD_", "DYLD_", "BASH_", "ZSH_", "__VX", "SSH_", "GNUPG", "PYTHON",
    ];
    let says_where = upper == "GOROOT" || upper.ends_with("_HOME") || upper.ends_with("_ROOT");
    says_where && !DENIED_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// A checksum source: `none` or a template.
fn checksums(key: &str, value: &str) -> Result<(), SpecError> {
    if value == "none" {
        Ok(())
    } else {
        template(key, value)
    }
}

/// Checks that `text` holds only known placeholders, well closed.
fn template(key: &str, text: &str) -> Result<(), SpecError> {
    template_of(key, text, PLACEHOLDERS)
}

/// Checks that `text` holds only the placeholders `known`, well closed.
fn template_of(key: &str, text: &str, known: &'static [&'static str]) -> Result<(), SpecError> {
    let wrong = |problem| SpecError::Template {
        key: key.to_owned(),
        problem,
    };
    if text.is_empty() {
        return Err(wrong(TemplateProblem::Empty));
    }
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(wrong(TemplateProblem::Unclosed));
        };
        let name = &after[..close];
        if !known.contains(&name) {
            return Err(wrong(TemplateProblem::Unknown {
                name: name.to_owned(),
                known,
            }));
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(wrong(TemplateProblem::Unopened));
    }
    Ok(())
}

/// `text` with each placeholder replaced by its value in `values`.
pub(crate) fn render(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A declaration with only the keys that must be there (the user file tests
    /// read it too).
    pub(in crate::runtime::declared) const MINIMAL: &str = r#"
name = "acme-jdk"
summary = "ACME's JDK"
[versions]
kind = "lines"
url = "https://dl.acme.corp/jdk/versions.txt"
[download]
url = "https://dl.acme.corp/jdk/{version}/jdk-{os}-{arch}.{ext}"
checksums = "https://dl.acme.corp/jdk/{version}/SHA256SUMS"
os = { linux = "linux" }
arch = { x86_64 = "x64" }
ext = { linux = "tar.gz" }
[layout]
bin = ["bin/java"]
"#;

    #[test]
    fn a_minimal_declaration_reads() {
        let spec = parse(MINIMAL).unwrap();
        assert_eq!(spec.name, "acme-jdk");
        assert!(matches!(spec.versions, Versions::Lines { .. }));
        assert_eq!(spec.layout.strip, 0);
    }

    #[test]
    fn mistakes_are_said_where_they_are() {
        let bad = |from: &str, to: &str| {
            let text = MINIMAL.replacen(from, to, 1);
            assert_ne!(text, MINIMAL, "{from}");
            parse(&text).unwrap_err().to_string()
        };
        let e = bad("summary =", "sumary =");
        assert!(
            e.starts_with("line 3, column 1: unknown field `sumary`") && !e.contains('\n'),
            "one line, as a terminal shows it: {e}"
        );
        let e = parse("summary = \"x\"\nindex = [\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 2, column ") && !e.contains('\n'), "{e}");
        let e = bad("kind = \"lines\"", "kind = \"yaml\"");
        assert!(e.contains("yaml"), "{e}");
        let e = bad("{arch}.{ext}", "{arch}.{extension}");
        assert!(e.contains("`{extension}` is not a placeholder"), "{e}");
        let e = bad("\"tar.gz\"", "\"rar\"");
        assert!(e.contains("not an archive vx unpacks"), "{e}");
        let e = bad("bin = [\"bin/java\"]", "bin = []");
        assert!(e.contains("layout.bin"), "{e}");
        let e = bad("name = \"acme-jdk\"", "name = \"../x\"");
        assert!(e.starts_with("name:"), "{e}");
        let e = bad("[layout]", "[layout]\nenv = { PATH = \"bin\" }");
        assert!(e.contains("not a variable a runtime may set"), "{e}");
        for name in [
            "PROMPT_COMMAND",
            "ld_preload",
            "NODE_OPTIONS",
            "BASH_ENV",
            "DYLD_INSERT_LIBRARIES",
        ] {
            let e = bad("[layout]", &format!("[layout]\nenv = {{ {name} = \"x\" }}"));
            assert!(
                e.contains("not a variable a runtime may set"),
                "{name}: {e}"
            );
        }
        let e = bad(
            "os = { linux = \"linux\" }",
            "os = { linux = \"linux\", macos = \"mac\" }",
        );
        assert!(e.contains("no extension for macos"), "{e}");
        let e = bad(
            "bin = [\"bin/java\"]",
            "bin = [\"bin/java\"]\n[[layout.extra]]\nversions = [\"14\"]\nbin = []",
        );
        assert!(e.contains("FROM..UNTIL"), "{e}");
        let write = |path: &str, text: &str| {
            bad(
                "bin = [\"bin/java\"]",
                &format!(
                    "bin = [\"bin/java\"]\n[[layout.write]]\npath = \"{path}\"\ntext = \"{text}\""
                ),
            )
        };
        let e = write("../etc/npmrc", "prefix={data}/x");
        assert!(e.contains("inside the install"), "{e}");
        let e = write("/etc/npmrc", "x");
        assert!(e.contains("inside the install"), "{e}");
        let e = write("etc/npmrc", "prefix={home}/x");
        assert!(e.contains("`{home}` is not a placeholder"), "{e}");
        let e = bad("[layout]", "[layout]\npath_after = [\"/usr/local/bin\"]");
        assert!(e.contains("must start with {data}/"), "{e}");
        let e = bad(
            "[layout]",
            "[layout]\npath_after = [\"{data}/../../../../usr/local/evil\"]",
        );
        assert!(e.contains("no `..`"), "{e}");
        let e = bad("[layout]", "[layout]\npath_after = [\"{data}/{os}/bin\"]");
        assert!(e.contains("`{os}` is not a placeholder"), "{e}");
    }

    #[test]
    fn ranges_include_their_start_and_not_their_end() {
        let n = |t| crate::runtime::version::Numeric::parse(t).unwrap();
        let range = Range::parse("16.9..25").unwrap();
        assert!(range.contains(&n("16.9.0")));
        assert!(range.contains(&n("24.11.1")));
        assert!(!range.contains(&n("25.0.0")));
        assert!(!range.contains(&n("16.8.9")));
    }
}
