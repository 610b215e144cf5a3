//! A language-registry tool as users write its name: `npm:prettier`,
//! `npm:@biomejs/biome`, `pypi:ruff` (mise's `pipx:ruff`, extras as in
//! `pypi:black[jupyter]`), `cargo:cargo-nextest`, `go:golang.org/x/tools/gopls`.
//!
//! Each registry's own naming rules are checked here, so a malformed name is an error
//! at its line in vx.toml (or on the command line) rather than a request the registry
//! answers with a 404:
//!
//! - npm: validate-npm-package-name's rules: at most 214 characters, URL-safe
//!   (`A-Z a-z 0-9 - . _ ~`), not starting with `.` or `_`; scoped `@scope/name`.
//! - PyPI: PEP 508's name (`[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?`), normalized as
//!   PEP 503 says (lower case, runs of `-_.` as one `-`); extras are names too.
//! - crates.io: 1 to 64 of `A-Z a-z 0-9 _ -`, starting with a letter.
//! - Go: a module path (golang.org/x/mod's `CheckPath`, simplified): `/`-separated
//!   elements of `A-Z a-z 0-9 - . _ ~`, none empty, `.` or `..`, the first holding a
//!   dot (a host name).
//!
//! The tool's name in the store and on the board is the command's usual name: the
//! package's last segment (`@biomejs/biome` → `biome`), a Go path's last element
//! before a major version suffix (`…/cmd/foo/v2` → `foo`).

use std::fmt;

/// Which registry a name is looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// npm's registry (`registry.npmjs.org`, or the `.npmrc`'s).
    Npm,
    /// PyPI (or the index pip or uv are configured with).
    Pypi,
    /// crates.io.
    Cargo,
    /// Go modules (the GOPROXY).
    Go,
}

impl Kind {
    /// The prefix vx writes (`npm`, `pypi`, `cargo`, `go`).
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Kind::Npm => "npm",
            Kind::Pypi => "pypi",
            Kind::Cargo => "cargo",
            Kind::Go => "go",
        }
    }

    /// The runtime a package of this registry runs on or is built with, by its name
    /// among vx's runtimes: npm's node, PyPI's python (for a package that is not a
    /// native program's wheel), crates' rust, Go modules' go.
    pub fn runtime(self) -> &'static str {
        match self {
            Kind::Npm => "node",
            Kind::Pypi => "python",
            Kind::Cargo => "rust",
            Kind::Go => "go",
        }
    }

    /// The package manager that builds an environment of this registry's package on
    /// its runtime (npm's, pip's); `None` where the package is built from source by
    /// the runtime's own build (`cargo install`, `go install`).
    pub fn manager(self) -> Option<crate::spec::needs::Manager> {
        match self {
            Kind::Npm => Some(crate::spec::needs::Manager::Npm),
            Kind::Pypi => Some(crate::spec::needs::Manager::Pip),
            Kind::Cargo | Kind::Go => None,
        }
    }

    /// The kind a prefix names: vx's own, and mise's `pipx` for PyPI.
    pub(crate) fn of_prefix(prefix: &str) -> Option<Kind> {
        match prefix {
            "npm" => Some(Kind::Npm),
            "pypi" | "pipx" => Some(Kind::Pypi),
            "cargo" => Some(Kind::Cargo),
            "go" => Some(Kind::Go),
            _ => None,
        }
    }

    /// What the registry is called in messages.
    pub(crate) fn registry(self) -> &'static str {
        match self {
            Kind::Npm => "npm",
            Kind::Pypi => "PyPI",
            Kind::Cargo => "crates.io",
            Kind::Go => "Go modules",
        }
    }
}

/// A language-registry package, checked by its registry's rules.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The registry.
    pub kind: Kind,
    /// The package as the registry names it (PyPI's normalized): `@biomejs/biome`,
    /// `ruff`, `cargo-nextest`, `golang.org/x/tools/gopls`.
    pub package: String,
    /// PyPI's extras (`black[jupyter]` → `jupyter`), sorted, normalized.
    pub extras: Vec<String>,
}

/// A name with a registry's prefix that breaks that registry's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{written:?} is not a valid {registry} name: {why}")]
pub struct NameError {
    /// The name as written (shortened).
    pub written: String,
    /// The registry.
    pub registry: &'static str,
    /// What is wrong, and what is expected.
    pub why: NameProblem,
}

/// npm's rule, said after what breaks it.
const NPM_RULE: &str = "npm names are at most 214 URL-safe characters (A-Z a-z 0-9 - . _ ~), not starting with . or _, scoped as @scope/name";
/// PyPI's rule.
const PYPI_RULE: &str = "PyPI names are letters, digits, . _ - (starting and ending with a letter or digit), extras as name[extra1,extra2]";
/// Go's rule.
const GO_RULE: &str = "a Go module path is host/path (golang.org/x/tools/gopls): elements of A-Z a-z 0-9 - . _ ~, the first a host name with a dot";

/// What is wrong with a registry package's name, and what is expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameProblem {
    /// Only the prefix.
    #[error("nothing follows `{prefix}:`")]
    Empty {
        /// The prefix as written.
        prefix: String,
    },
    /// Longer than any name read.
    #[error("it is longer than {MAX_NAME} bytes")]
    TooLong,
    /// Longer than npm allows.
    #[error("longer than 214 characters; {NPM_RULE}")]
    NpmTooLong,
    /// Not an npm name.
    #[error("{NPM_RULE}")]
    Npm,
    /// `name[extra` without `]`.
    #[error("unclosed extras; {PYPI_RULE}")]
    PypiUnclosed,
    /// An extra that is not a name.
    #[error("extra {extra:?} is not a name; {PYPI_RULE}")]
    PypiExtra {
        /// The extra as written.
        extra: String,
    },
    /// Not a PyPI name.
    #[error("{PYPI_RULE}")]
    Pypi,
    /// Not a crate name.
    #[error("crate names are 1 to 64 of A-Z a-z 0-9 _ -, starting with a letter")]
    Cargo,
    /// Not a Go module path.
    #[error("{GO_RULE}")]
    Go,
    /// A command name that is no tool name.
    #[error(
        "its command name `{}` is not a tool name vx can keep (1 to 32 of A-Z a-z 0-9 . _ -); name the tool yourself: [tools.NAME] package = \"{name}\"",
        vx_base::validate::shorten(short)
    )]
    CommandName {
        /// The command's name.
        short: String,
        /// The package, as vx spells it.
        name: String,
    },
}

/// Longest name read at all (npm's limit is 214; a Go path may be longer but not much).
const MAX_NAME: usize = 300;

impl Name {
    /// `text` as a registry package: `Ok(None)` when it has no registry's prefix (a
    /// runtime's or an aqua package's name), an error when it has one but breaks
    /// that registry's rules.
    pub fn parse(text: &str) -> Result<Option<Name>, NameError> {
        let Some((prefix, rest)) = text.split_once(':') else {
            return Ok(None);
        };
        let Some(kind) = Kind::of_prefix(prefix) else {
            return Ok(None);
        };
        let fail = |why: NameProblem| NameError {
            written: vx_base::validate::shorten(text),
            registry: kind.registry(),
            why,
        };
        if rest.is_empty() {
            return Err(fail(NameProblem::Empty {
                prefix: prefix.to_owned(),
            }));
        }
        if rest.len() > MAX_NAME {
            return Err(fail(NameProblem::TooLong));
        }
        let (package, extras) = match kind {
            Kind::Npm => (npm(rest).map_err(fail)?, Vec::new()),
            Kind::Pypi => pypi(rest).map_err(fail)?,
            Kind::Cargo => (cargo(rest).map_err(fail)?, Vec::new()),
            Kind::Go => (go(rest).map_err(fail)?, Vec::new()),
        };
        let name = Name {
            kind,
            package,
            extras,
        };
        let short = name.short_name();
        vx_base::validate::tool_name(&short).map_err(|_| {
            fail(NameProblem::CommandName {
                short: short.clone(),
                name: name.to_string(),
            })
        })?;
        Ok(Some(name))
    }

    /// Whether `text` starts with a registry's prefix (`npm:`, `pypi:`, `pipx:`,
    /// `cargo:`, `go:`), valid or not.
    pub fn has_prefix(text: &str) -> bool {
        text.split_once(':')
            .is_some_and(|(prefix, _)| Kind::of_prefix(prefix).is_some())
    }

    /// The tool's name in the store and on the board: the command's usual name.
    pub fn short_name(&self) -> String {
        match self.kind {
            Kind::Npm => self
                .package
                .rsplit('/')
                .next()
                .unwrap_or(&self.package)
                .to_owned(),
            Kind::Pypi | Kind::Cargo => self.package.clone(),
            Kind::Go => {
                let mut elements = self.package.rsplit('/');
                let last = elements.next().unwrap_or(&self.package);
                let major = last.len() > 1
                    && last.starts_with('v')
                    && last[1..].bytes().all(|b| b.is_ascii_digit());
                match elements.next() {
                    Some(before) if major => before.to_owned(),
                    _ => last.to_owned(),
                }
            }
        }
    }

    /// PyPI's requirement as pip reads it: `black[jupyter]`.
    pub(crate) fn requirement(&self) -> String {
        if self.extras.is_empty() {
            self.package.clone()
        } else {
            format!("{}[{}]", self.package, self.extras.join(","))
        }
    }
}

/// `NAME@VERSION` split at the `@` that starts the version, one that begins an npm
/// scope (`npm:@biomejs/biome@1`) kept in the name: `(name, version)`.
pub fn split_version(text: &str) -> (&str, Option<&str>) {
    let skip = match text.split_once(':') {
        Some((prefix, rest)) if Kind::of_prefix(prefix).is_some() && rest.starts_with('@') => {
            prefix.len() + 2
        }
        _ => 0,
    };
    match text[skip..].find('@') {
        Some(at) => (&text[..skip + at], Some(&text[skip + at + 1..])),
        None => (text, None),
    }
}

impl fmt::Display for Name {
    /// vx's own spelling, which the lock records as the package: `npm:@biomejs/biome`,
    /// `pypi:black[jupyter]` (mise's `pipx:` written as `pypi:`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.prefix(), self.requirement())
    }
}

/// Whether `b` may appear in an npm name or Go path element (URL-safe).
fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn npm(rest: &str) -> Result<String, NameProblem> {
    if rest.len() > 214 {
        return Err(NameProblem::NpmTooLong);
    }
    let check = |part: &str| {
        !part.is_empty() && !part.starts_with(['.', '_']) && part.bytes().all(url_safe)
    };
    let ok = match rest.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, name)) => check(scope) && check(name),
            None => false,
        },
        None => check(rest),
    };
    if ok {
        Ok(rest.to_owned())
    } else {
        Err(NameProblem::Npm)
    }
}

/// A PEP 508 name, PEP 503-normalized; `None` when it is not one.
fn pep508(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let ok = !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then(|| normalize(name))
}

/// PEP 503's normalized form of a project name: lower case, each run of `-`, `_`
/// and `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !run {
                out.push('-');
            }
            run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            run = false;
        }
    }
    out
}

fn pypi(rest: &str) -> Result<(String, Vec<String>), NameProblem> {
    let (name, extras) = match rest.split_once('[') {
        Some((name, tail)) => {
            let inner = tail.strip_suffix(']').ok_or(NameProblem::PypiUnclosed)?;
            let mut extras = Vec::new();
            for extra in inner.split(',') {
                let extra = pep508(extra.trim()).ok_or_else(|| NameProblem::PypiExtra {
                    extra: extra.trim().to_owned(),
                })?;
                if !extras.contains(&extra) {
                    extras.push(extra);
                }
            }
            extras.sort();
            (name, extras)
        }
        None => (rest, Vec::new()),
    };
    let name = pep508(name).ok_or(NameProblem::Pypi)?;
    Ok((name, extras))
}

fn cargo(rest: &str) -> Result<String, NameProblem> {
    let bytes = rest.as_bytes();
    let ok = bytes.len() <= 64
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(rest.to_owned())
    } else {
        Err(NameProblem::Cargo)
    }
}

fn go(rest: &str) -> Result<String, NameProblem> {
    let elements: Vec<&str> = rest.split('/').collect();
    let ok = elements.iter().all(|e| {
        !e.is_empty() && *e != "." && *e != ".." && e.bytes().all(url_safe) && !e.ends_with('.')
    }) && elements[0].contains('.')
        && !elements[0].starts_with(['-', '.']);
    if ok {
        Ok(rest.to_owned())
    } else {
        Err(NameProblem::Go)
    }
}

/// The one rule of which project tool is the runtime `runtime` (the resolver picks a
/// runtime tool's runtime by it at lock time, `vx_engine::resolution::needs` the runtime
/// a tool is built with): whether the project's tool `name`, whose package is `package` (its lock entry's,
/// or its table's registry lookup), is the runtime `runtime` (`node`, `rust`): named
/// so, or its package names that runtime.
pub fn is_runtime(name: &str, package: Option<&str>, runtime: &str) -> bool {
    name == runtime
        || package.is_some_and(|package| {
            package == runtime
                || package.strip_prefix("runtime:") == Some(runtime)
                || package
                    .rsplit_once(":runtime:")
                    .is_some_and(|(_, named)| named == runtime)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Name {
        Name::parse(text).unwrap().unwrap()
    }

    #[test]
    fn each_registry_reads_its_own_names() {
        let biome = parsed("npm:@biomejs/biome");
        assert_eq!(
            (
                biome.kind,
                biome.package.as_str(),
                biome.short_name().as_str()
            ),
            (Kind::Npm, "@biomejs/biome", "biome")
        );
        assert_eq!(parsed("npm:prettier").to_string(), "npm:prettier");
        let black = parsed("pipx:Black[Jupyter,d]");
        assert_eq!(black.to_string(), "pypi:black[d,jupyter]");
        assert_eq!(black.short_name(), "black");
        assert_eq!(parsed("pypi:ruamel.yaml").package, "ruamel-yaml");
        assert_eq!(parsed("cargo:cargo-nextest").short_name(), "cargo-nextest");
        let gopls = parsed("go:golang.org/x/tools/gopls");
        assert_eq!(gopls.short_name(), "gopls");
        assert_eq!(parsed("go:example.com/cmd/foo/v2").short_name(), "foo");
        assert_eq!(parsed("go:example.com/v2").short_name(), "example.com");
    }

    #[test]
    fn a_version_follows_the_last_at() {
        assert_eq!(
            split_version("npm:@biomejs/biome@1"),
            ("npm:@biomejs/biome", Some("1"))
        );
        assert_eq!(
            split_version("npm:@biomejs/biome"),
            ("npm:@biomejs/biome", None)
        );
        assert_eq!(
            split_version("npm:esbuild@0.24"),
            ("npm:esbuild", Some("0.24"))
        );
        assert_eq!(split_version("ripgrep@14"), ("ripgrep", Some("14")));
        assert_eq!(split_version("ripgrep"), ("ripgrep", None));
    }

    #[test]
    fn other_names_are_not_registry_names() {
        for text in [
            "ripgrep",
            "cli/cli",
            "standard:cli/cli",
            "node",
            "corp:runtime:jdk",
        ] {
            assert_eq!(Name::parse(text).unwrap(), None, "{text}");
        }
    }

    #[test]
    fn malformed_names_are_refused_with_the_rule() {
        for (text, says) in [
            ("npm:", "nothing follows"),
            ("npm:@scope", "scoped as @scope/name"),
            ("npm:.hidden", "not starting with . or _"),
            ("npm:a b", "URL-safe"),
            ("pypi:-ruff", "PyPI names"),
            ("pypi:black[", "unclosed extras"),
            ("pypi:black[a b]", "extra \"a b\""),
            ("cargo:1abc", "starting with a letter"),
            ("go:gopls", "host name with a dot"),
            ("go:golang.org//x", "host/path"),
            ("go:golang.org/../x", "host/path"),
        ] {
            let err = Name::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
        let long = format!("npm:{}", "a".repeat(40));
        let err = Name::parse(&long).unwrap_err().to_string();
        assert!(err.contains("package = \"npm:"), "{err}");
    }
}
