//! Go modules through a module proxy (the GOPROXY protocol, `go help goproxy`):
//! `$GOPROXY/<module>/@v/list` lists a module's versions, `@v/<version>.zip` is its
//! source, module paths and versions case-encoded (`!` before each upper-case letter,
//! lowered) so they fit a case-insensitive file system.
//!
//! A `go:` tool is the package path users write (`golang.org/x/tools/gopls`,
//! `github.com/owner/repo/cmd/tool`); its module is the longest prefix of it that the
//! proxy knows, as `go install PATH@VERSION` finds it. vx locks the module's `.zip`
//! (its sha256, and Go's `h1:` hash of it, [`vx_net::verify::gosum`]) and builds the package
//! with the project's go ([`build_command`]).

/// `GOPROXY`'s default (`go env GOPROXY` when unset).
pub(crate) const DEFAULT_PROXY: &str = "https://proxy.golang.org,direct";

/// The proxies vx reads, in order, from `GOPROXY` as Go reads it (`,` or `|`
/// separated; `direct` and `off` end the list: vx reads modules only from a proxy).
pub fn proxies(goproxy: Option<&str>) -> Result<Vec<String>, ProxyError> {
    let value = goproxy
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(DEFAULT_PROXY);
    let mut out = Vec::new();
    for entry in value.split([',', '|']).map(str::trim) {
        match entry {
            "" => continue,
            "direct" | "off" => break,
            url if url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("file://") =>
            {
                out.push(url.trim_end_matches('/').to_owned());
            }
            other => {
                return Err(ProxyError::Entry {
                    entry: other.to_owned(),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(ProxyError::NoProxy {
            value: value.to_owned(),
        });
    }
    Ok(out)
}

/// A `GOPROXY` vx cannot read modules through.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// An entry that is neither a URL nor `direct` or `off`.
    #[error(
        "GOPROXY entry {:?} is not a URL, `direct` or `off`",
        vx_base::validate::shorten(entry)
    )]
    Entry {
        /// The entry.
        entry: String,
    },
    /// No proxy before `direct` or `off`.
    #[error(
        "GOPROXY={value:?} names no proxy; vx reads Go modules from a module proxy (GOPROXY=https://proxy.golang.org or your own), not directly from version control"
    )]
    NoProxy {
        /// The value read.
        value: String,
    },
}

/// Whether `path` matches one of `patterns`, as Go matches `GOPRIVATE`, `GONOPROXY`
/// and `GONOSUMDB` (golang.org/x/mod's `module.MatchPrefixPatterns`): comma-separated
/// globs (`path.Match`'s `*` and `?`, not across `/`), each matched against as many
/// leading elements of `path` as it has.
pub(crate) fn matches_patterns(patterns: &str, path: &str) -> bool {
    let elements: Vec<&str> = path.split('/').collect();
    patterns
        .split(',')
        .map(|p| p.trim().trim_end_matches('/'))
        .filter(|p| !p.is_empty())
        .any(|pattern| {
            let wanted: Vec<&str> = pattern.split('/').collect();
            wanted.len() <= elements.len()
                && wanted
                    .iter()
                    .zip(&elements)
                    .all(|(w, e)| glob(w.as_bytes(), e.as_bytes()))
        })
}

/// `path.Match` of one element: `*` any run, `?` one byte, others themselves.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// Why vx cannot read `package` from a proxy when Go's settings send it to its version
/// control directly (`GONOPROXY`, else `GOPRIVATE`): `None` when they do not.
pub fn fetched_directly(package: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let (var, patterns) = match env("GONOPROXY") {
        Some(value) => ("GONOPROXY", value),
        None => ("GOPRIVATE", env("GOPRIVATE")?),
    };
    matches_patterns(&patterns, package).then(|| {
        format!(
            "{var}={patterns:?} has Go fetch {package} from its version control directly; vx reads Go modules from a module proxy only (serve it from one, e.g. Athens, and name it in GOPROXY)"
        )
    })
}

/// A module path or version case-encoded for a proxy URL (golang.org/x/mod's
/// `module.EscapePath`): each upper-case letter as `!` and its lower case.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The module paths that may hold `package`, longest first (as `go install` tries
/// them): the package itself, then each shorter prefix of at least two elements.
pub fn candidates(package: &str) -> Vec<&str> {
    let mut out = vec![package];
    let mut rest = package;
    while let Some((head, _)) = rest.rsplit_once('/') {
        if !head.contains('/') {
            break;
        }
        out.push(head);
        rest = head;
    }
    out
}

/// The versions a proxy's `@v/list` names (one a line; blank lines skipped).
pub fn versions(list: &str) -> Vec<String> {
    list.lines()
        .map(str::trim)
        .filter(|v| v.starts_with('v') && v.len() > 1)
        .filter(|v| vx_base::validate::version(v).is_ok())
        .map(str::to_owned)
        .collect()
}

/// Whether `version` is a Go pseudo-version, the version Go gives an untagged commit
/// (golang/mod `module/pseudo.go`, `pseudoVersionRE`:
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+incompatible)?$`):
/// `vX.0.0-yyyymmddhhmmss-abcdef123456` (no earlier tag), `vX.Y.(Z+1)-0.yyyymmddhhmmss-…`
/// (after the release vX.Y.Z), `vX.Y.Z-pre.0.yyyymmddhhmmss-…` (after a pre-release).
pub fn is_pseudo(version: &str) -> bool {
    let v = version.strip_suffix("+incompatible").unwrap_or(version);
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    // `…-<14-digit time>-<revision>`, the time after `-` (form 1) or `.` (forms 2, 3).
    let Some((head, revision)) = rest.rsplit_once('-') else {
        return false;
    };
    if revision.is_empty() || !revision.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let Some(time_at) = head.len().checked_sub(14) else {
        return false;
    };
    let (base, time) = head.split_at(time_at);
    if !digits(time) {
        return false;
    }
    // `X.0.0-` | `X.Y.Z-` then (anything without `+` and `.`)? `0.`
    let Some((major, rest)) = base.split_once('.') else {
        return false;
    };
    if !digits(major) {
        return false;
    }
    if rest == "0.0-" {
        return true;
    }
    let Some((minor, rest)) = rest.split_once('.') else {
        return false;
    };
    let Some((patch, pre)) = rest.split_once('-') else {
        return false;
    };
    digits(minor)
        && digits(patch)
        && (pre == "0." || pre.strip_suffix(".0.").is_some_and(|p| !p.contains('+')))
}

/// A version a user names of a Go module that its `@v/list` need not hold, found
/// through the proxy's `@v/QUERY.info` (`go help goproxy`), as `go install
/// MODULE@QUERY` finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// A pseudo-version ([`is_pseudo`]): an untagged commit's, which no list names.
    Pseudo(String),
    /// A commit hash prefix (7 to 40 hex digits, at least one a letter): a proxy that
    /// runs Go resolves it; one of static files cannot.
    Commit(String),
}

/// The [`Query`] `constraint` is, if any: a pseudo-version (its leading `v` may be
/// left out), or a commit hash prefix.
pub fn query(constraint: &str) -> Option<Query> {
    let c = constraint.trim();
    if is_pseudo(c) {
        return Some(Query::Pseudo(c.to_owned()));
    }
    let with_v = format!("v{c}");
    if !c.starts_with('v') && is_pseudo(&with_v) {
        return Some(Query::Pseudo(with_v));
    }
    let commit = (7..=40).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && c.bytes().any(|b| b.is_ascii_lowercase());
    commit.then(|| Query::Commit(c.to_owned()))
}

/// The version a proxy's `.info` or `@latest` answer names (`{"Version": …, "Time": …}`,
/// `go help goproxy`).
pub fn info_version(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Info {
        #[serde(rename = "Version")]
        version: String,
    }
    serde_json::from_str::<Info>(text)
        .ok()
        .map(|i| i.version)
        .filter(|v| v.starts_with('v') && v.len() > 1)
}

/// The URL of `module`'s `@latest` at `proxy`: its newest version, which for a module
/// with no tagged release is a pseudo-version of its default branch.
pub fn latest_url(proxy: &str, module: &str) -> String {
    format!("{proxy}/{}/@latest", escape(module))
}

/// The URL of `module`'s `file` (`list`, `v1.2.3.zip`) at `proxy`.
pub fn url(proxy: &str, module: &str, file: &str) -> String {
    format!("{proxy}/{}/@v/{}", escape(module), file)
}

/// The module a `.zip` URL of [`url`] is for, given the package it builds: the
/// longest prefix of `package` whose encoding the URL names, and the version.
pub fn of_zip_url<'p>(zip_url: &str, package: &'p str) -> Option<(&'p str, String)> {
    let (before, file) = zip_url.rsplit_once("/@v/")?;
    let version = file.strip_suffix(".zip")?;
    let module = candidates(package)
        .into_iter()
        .find(|m| before.ends_with(&format!("/{}", escape(m))))?;
    Some((module, unescape(version)?))
}

/// A case-encoded path or version decoded.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut bang = false;
    for c in text.chars() {
        if bang {
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
            bang = false;
        } else if c == '!' {
            bang = true;
        } else {
            out.push(c);
        }
    }
    (!bang).then_some(out)
}

/// Whether every byte of `text` may stand inside single quotes of the build script
/// (module paths, versions, `h1:` hashes: all checked before, checked again here).
fn quotable(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/+=:!".contains(&b))
}

/// The build step of `package` from `module`'s `.zip` at `version` (unpacked as Go's
/// module cache holds it, `MODULE@VERSION/`), whose `h1:` hash is `h1`: the module
/// cache around it completed (`cache/download/…/@v/VERSION.{ziphash,mod,info}`), then
/// `go install PACKAGE@VERSION` with that cache, the project's go
/// (`GOTOOLCHAIN=local`), `GOFLAGS=-mod=readonly`, the module left out of the
/// checksum database (vx checked its bytes: the lock's sha256 of the `.zip`, whose
/// `h1:` the lock records) while its dependencies are checked by Go as always
/// (`GOSUMDB`), and `GOBIN` the tree's `bin/`; then all but `bin/` removed. `None`
/// when a part is not one the script may quote.
pub fn build_command(
    module: &str,
    package: &str,
    version: &str,
    h1: &str,
    windows: bool,
) -> Option<String> {
    if ![module, package, version, h1].iter().all(|t| quotable(t)) {
        return None;
    }
    let esc = escape(module);
    let esc_version = escape(version);
    if windows {
        let dir = format!("cache\\download\\{}\\@v", esc.replace('/', "\\"));
        let unpacked = format!("{}@{version}", module.replace('/', "\\"));
        return Some(format!(
            "mkdir \"{dir}\" && (echo {h1})> \"{dir}\\{esc_version}.ziphash\" && (echo {{\"Version\":\"{version}\"}})> \"{dir}\\{esc_version}.info\" && copy /y \"{unpacked}\\go.mod\" \"{dir}\\{esc_version}.mod\" >nul && set \"GOMODCACHE=%CD%\" && set \"GOTOOLCHAIN=local\" && set \"GOFLAGS=-mod=readonly -modcacherw\" && set \"GONOSUMDB={module}\" && set \"GOBIN=%CD%\\bin\" && go install {package}@{version}"
        ));
    }
    let dir = format!("cache/download/{esc}/@v");
    let unpacked = format!("{module}@{version}");
    let cached = format!("{esc}@{esc_version}");
    let mut script = vec![
        "set -e".to_owned(),
        format!("mkdir -p '{dir}'"),
        format!("printf '%s\\n' '{h1}' > '{dir}/{esc_version}.ziphash'"),
        format!("printf '{{\"Version\":\"%s\"}}\\n' '{version}' > '{dir}/{esc_version}.info'"),
        format!(
            "if [ -f '{unpacked}/go.mod' ]; then cp '{unpacked}/go.mod' '{dir}/{esc_version}.mod'; else printf 'module %s\\n' '{module}' > '{dir}/{esc_version}.mod'; fi"
        ),
    ];
    if unpacked != cached {
        script.push(format!(
            "mkdir -p \"$(dirname '{cached}')\" && mv '{unpacked}' '{cached}'"
        ));
    }
    script.push(format!(
        "GOMODCACHE=\"$PWD\" GOTOOLCHAIN=local GOFLAGS='-mod=readonly -modcacherw' GONOSUMDB='{module}'\"${{GONOSUMDB:+,$GONOSUMDB}}\" GOBIN=\"$PWD/bin\" go install '{package}@{version}'"
    ));
    script.push("find . -mindepth 1 -maxdepth 1 ! -name bin -exec rm -rf {} +".to_owned());
    Some(script.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pseudo_version_or_a_commit_is_a_query_and_a_constraint_is_not() {
        let pseudo = "v0.0.0-20231010123456-abcdef123456";
        assert_eq!(query(pseudo), Some(Query::Pseudo(pseudo.to_owned())));
        assert_eq!(query(&pseudo[1..]), Some(Query::Pseudo(pseudo.to_owned())));
        assert_eq!(query("abcdef1"), Some(Query::Commit("abcdef1".to_owned())));
        for not in [
            "1", "^1.2", "latest", "v1.2.3", "1234567", "abcdef", "ABCDEF1",
        ] {
            assert_eq!(query(not), None, "{not}");
        }
    }

    #[test]
    fn goproxy_is_read_as_go_reads_it() {
        assert_eq!(proxies(None).unwrap(), ["https://proxy.golang.org"]);
        assert_eq!(
            proxies(Some("https://a.example/,https://b.example|direct")).unwrap(),
            ["https://a.example", "https://b.example"]
        );
        let err = proxies(Some("direct")).unwrap_err().to_string();
        assert!(err.contains("not directly from version control"), "{err}");
        assert!(proxies(Some("off")).is_err());
        assert!(proxies(Some("ftp://x")).is_err());
    }

    #[test]
    fn paths_are_case_encoded_and_found_in_zip_urls() {
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(
            candidates("github.com/o/r/cmd/t"),
            [
                "github.com/o/r/cmd/t",
                "github.com/o/r/cmd",
                "github.com/o/r",
                "github.com/o"
            ]
        );
        let url = url("http://p", "github.com/Owner/r", "v1.0.0-RC.zip");
        assert_eq!(url, "http://p/github.com/!owner/r/@v/v1.0.0-RC.zip");
        assert_eq!(
            of_zip_url(
                "http://p/github.com/!owner/r/@v/v1.0.0-!r!c.zip",
                "github.com/Owner/r/cmd/t"
            ),
            Some(("github.com/Owner/r", "v1.0.0-RC".to_owned()))
        );
        assert_eq!(versions("v1.0.0\n\nv1.1.0\nbad\n"), ["v1.0.0", "v1.1.0"]);
    }

    #[test]
    fn private_patterns_match_leading_elements_as_go_does() {
        assert!(matches_patterns(
            "*.corp.example,rsc.io/private",
            "git.corp.example/x/y"
        ));
        assert!(matches_patterns("rsc.io/private", "rsc.io/private/quux"));
        assert!(!matches_patterns("rsc.io/private", "rsc.io/public"));
        assert!(!matches_patterns("*.corp.example", "corp.example/x"));
        let env = |k: &str| (k == "GOPRIVATE").then(|| "github.com/acme".to_owned());
        let why = fetched_directly("github.com/acme/tool/cmd/t", &env).unwrap();
        assert!(why.contains("GOPRIVATE"), "{why}");
        assert_eq!(fetched_directly("github.com/other/t", &env), None);
    }

    #[test]
    fn the_build_refuses_what_it_cannot_quote() {
        let h1 = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let script =
            build_command("example.com/m", "example.com/m/cmd/t", "v1.0.0", h1, false).unwrap();
        assert!(
            script.contains("go install 'example.com/m/cmd/t@v1.0.0'"),
            "{script}"
        );
        assert!(build_command("example.com/m'", "x", "v1", h1, false).is_none());
    }

    #[test]
    fn pseudo_versions_are_the_three_forms_of_golang_mods_pseudo_go() {
        for pseudo in [
            "v0.0.0-20240101120000-abcdef123456",
            "v2.0.0-20240101120000-abcdef123456+incompatible",
            "v1.2.4-0.20240101120000-abcdef123456",
            "v1.2.3-rc.1.0.20240101120000-abcdef123456",
        ] {
            assert!(is_pseudo(pseudo), "{pseudo}");
        }
        for not in [
            "v1.0.0",
            "v1.2.3-rc.1",
            "v0.0.0-2024010112000-abcdef123456",
            "v0.0.0-20240101120000-",
            "0.0.0-20240101120000-abcdef123456",
            "v1.2.4-1.20240101120000-abcdef123456",
        ] {
            assert!(!is_pseudo(not), "{not}");
        }
        assert_eq!(
            info_version(
                r#"{"Version":"v0.0.0-20240101120000-abcdef123456","Time":"2024-01-01T12:00:00Z"}"#
            )
            .as_deref(),
            Some("v0.0.0-20240101120000-abcdef123456")
        );
        assert_eq!(info_version("not json"), None);
        assert_eq!(
            latest_url("http://p", "example.com/Foo"),
            "http://p/example.com/!foo/@latest"
        );
    }
}
