//! Field rules shared by the manifest parser and the config frame reader, so a value
//! the manifest accepts is exactly a value a child accepts.
//!
//! The limits follow from where the values end up: tool names are copied into a
//! fixed-size slot field of the board, names and versions become directory names in
//! the store; the rest must fit, together, in one config frame.

use thiserror::Error;

/// Whether `name` has a variable's shape, `[A-Za-z_][A-Za-z0-9_]*`: a name every shell
/// vx writes for (POSIX sh, fish, PowerShell, cmd) takes, and the one a shell reads as
/// an assignment (`NAME=value`). The length is the caller's rule (vx.toml's bound is
/// not a mise file's).
pub fn var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Longest tool name: the size of the board slot's name field.
pub(crate) const MAX_TOOL_NAME: usize = 32;
/// Longest version string. Room for Go's pseudo-versions (golang/mod
/// `module/pseudo.go`: `v1.2.4-0.20191109021931-daa7c04131f5`, 36 bytes, and longer
/// with a pre-release or `+incompatible`), short enough to stay one modest store
/// directory name. The board slot's version field is smaller (32 bytes): a longer
/// version is shown there cut, with a final `…` (`docs/LAYOUT.md`).
pub const MAX_VERSION: usize = 64;
/// Longest accepted URL, after `{version}` substitution.
pub(crate) const MAX_URL: usize = 4096;
/// Longest accepted `post_install` command.
pub(crate) const MAX_COMMAND: usize = 4096;
/// Largest `strip_components`; deeper archives are not a real use case.
pub(crate) const MAX_STRIP_COMPONENTS: u32 = 64;
/// Largest per-tool `options`, measured as compact JSON, so every tool's config fits
/// in one frame (see `vx_model::config_frame::MAX_PAYLOAD`).
pub(crate) const MAX_OPTIONS_JSON: usize = 16 * 1024;

/// Most `bin` entries one tool may list.
pub(crate) const MAX_BINS: usize = 64;
/// Longest `bin` entry.
pub(crate) const MAX_BIN_PATH: usize = 256;

/// A value that breaks one of the field rules. The message says what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FieldError {
    /// A tool name outside `[A-Za-z0-9][A-Za-z0-9._-]{0,31}`.
    #[error(
        "tool name {0:?} is invalid: use 1 to 32 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit"
    )]
    ToolName(String),
    /// A version outside `[A-Za-z0-9][A-Za-z0-9._+-]{0,63}`.
    #[error(
        "version {0:?} is invalid: use 1 to 64 characters from A-Z a-z 0-9 . _ + -, starting with a letter or digit"
    )]
    Version(String),
    /// An `integrity` that is not `sha512-<base64>` (the reason says so).
    #[error("{0}")]
    Integrity(String),
    /// A Go module hash that is not `h1:` and the base64 of 32 bytes.
    #[error("{0:?} is not a Go module hash (h1: and the base64 of a SHA-256)")]
    GoModuleHash(String),
    /// A sha256 that is not 64 hexadecimal digits.
    #[error("sha256 {0:?} is invalid: expected 64 hexadecimal digits")]
    Sha256(String),
    /// A URL with an unsupported scheme, no host, control characters or too long.
    #[error("url {url:?} is invalid: {reason}")]
    Url {
        /// The offending URL (shortened for display).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `post_install` command that is empty, too long or contains NUL.
    #[error("post_install is invalid: {0}")]
    Command(&'static str),
    /// A `strip_components` over [`MAX_STRIP_COMPONENTS`].
    #[error("strip_components {0} is too large (at most {MAX_STRIP_COMPONENTS})")]
    StripComponents(u64),
    /// Options whose JSON is over [`MAX_OPTIONS_JSON`] bytes.
    #[error("the tool's options take {0} bytes as JSON; at most {MAX_OPTIONS_JSON} are allowed")]
    OptionsTooLarge(usize),
    /// A variable a tool sets that is not a name, or whose path leaves the install.
    #[error("env {name:?} is invalid: {reason}")]
    Env {
        /// The variable (shortened).
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A file a runtime writes into its install that could land outside it, or whose
    /// text is too long.
    #[error("write {path:?} is invalid: {reason}")]
    Write {
        /// The file (shortened).
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A directory put on `PATH` after a tool's own that is not an absolute path.
    #[error("path_after {dir:?} is invalid: {reason}")]
    PathAfter {
        /// The directory (shortened).
        dir: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A `bin` entry that could point outside the install, or too many of them.
    #[error("bin {path:?} is invalid: {reason}")]
    Bin {
        /// The entry (shortened for display).
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A read timeout of 0 or over [`MAX_READ_TIMEOUT`] seconds.
    #[error("read timeout {0} s is invalid: use 1 to {MAX_READ_TIMEOUT} seconds")]
    ReadTimeout(u32),
}

/// Longest read timeout, in seconds (a day).
pub(crate) const MAX_READ_TIMEOUT: u32 = 86_400;

/// Checks a read timeout in seconds: 1 to [`MAX_READ_TIMEOUT`].
pub fn read_timeout(secs: u32) -> Result<(), FieldError> {
    if (1..=MAX_READ_TIMEOUT).contains(&secs) {
        Ok(())
    } else {
        Err(FieldError::ReadTimeout(secs))
    }
}

/// The URL schemes `vx` downloads from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS (rustls).
    Https,
    /// A local file, `file:///absolute/path`.
    File,
}

/// Shortens a user-supplied value for an error message so a hostile 1 MiB value does
/// not become a 1 MiB message.
pub fn shorten(value: &str) -> String {
    const KEEP: usize = 80;
    if value.len() <= KEEP {
        return value.to_owned();
    }
    let mut end = KEEP;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

fn name_like(value: &str, max: usize, extra: &[u8]) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(b))
}

/// Checks a tool name: 1..=32 bytes of `A-Z a-z 0-9 . _ -`, starting with a letter or
/// digit (so it can never be `.`, `..` or the store's hidden `.tmp`).
pub fn tool_name(name: &str) -> Result<(), FieldError> {
    if name_like(name, MAX_TOOL_NAME, b"._-") {
        Ok(())
    } else {
        Err(FieldError::ToolName(shorten(name)))
    }
}

/// Checks a version: 1..=64 bytes of `A-Z a-z 0-9 . _ + -`, starting with a letter or
/// digit (it becomes a directory name in the store).
pub fn version(version: &str) -> Result<(), FieldError> {
    if name_like(version, MAX_VERSION, b"._+-") {
        Ok(())
    } else {
        Err(FieldError::Version(shorten(version)))
    }
}

/// Checks a sha256 and returns it lower-cased: exactly 64 hexadecimal digits.
pub fn sha256(hex: &str) -> Result<String, FieldError> {
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(FieldError::Sha256(shorten(hex)))
    }
}

/// Checks a download URL and returns its scheme: `http://host…`, `https://host…` or
/// `file:///path` (also `file://localhost/path`), at most [`MAX_URL`] bytes, no
/// whitespace or control characters.
pub fn url(url: &str) -> Result<Scheme, FieldError> {
    let bad = |reason| {
        Err(FieldError::Url {
            url: shorten(url),
            reason,
        })
    };
    if url.len() > MAX_URL {
        return bad("it is longer than 4096 bytes");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it contains whitespace or control characters");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad("expected http://, https:// or file://");
    };
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        "file" => Scheme::File,
        _ => return bad("only http://, https:// and file:// are supported"),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    match scheme {
        Scheme::File if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) => {
            bad("a file:// URL must name a local absolute path (file:///path)")
        }
        Scheme::File if !rest[host.len()..].starts_with('/') => {
            bad("a file:// URL must name a local absolute path (file:///path)")
        }
        Scheme::Http | Scheme::Https if host.is_empty() => bad("it has no host"),
        _ => Ok(scheme),
    }
}

/// Checks a `post_install` command: non-empty, at most [`MAX_COMMAND`] bytes, no NUL.
pub fn command(command: &str) -> Result<(), FieldError> {
    if command.trim().is_empty() {
        Err(FieldError::Command("it is empty"))
    } else if command.len() > MAX_COMMAND {
        Err(FieldError::Command("it is longer than 4096 bytes"))
    } else if command.contains('\0') {
        Err(FieldError::Command("it contains a NUL byte"))
    } else {
        Ok(())
    }
}

/// Checks `strip_components` against [`MAX_STRIP_COMPONENTS`].
pub fn strip_components(n: u64) -> Result<u32, FieldError> {
    u32::try_from(n)
        .ok()
        .filter(|n| *n <= MAX_STRIP_COMPONENTS)
        .ok_or(FieldError::StripComponents(n))
}

/// Checks that a tool's options serialize to at most [`MAX_OPTIONS_JSON`] bytes.
pub fn options(
    options: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<(), FieldError> {
    let size = serde_json::to_vec(options)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size <= MAX_OPTIONS_JSON {
        Ok(())
    } else {
        Err(FieldError::OptionsTooLarge(size))
    }
}

/// `text` with its `%XX` escapes decoded (an invalid one kept as written), as bytes:
/// a URL's path, which need not be UTF-8 once decoded.
pub fn percent_decoded(text: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(text).collect()
}

/// Checks a variable a tool sets (a runtime's `JAVA_HOME`): a name of letters, digits
/// and `_` not starting with a digit, never `PATH`; its value a path inside the install
/// (empty: the install itself), relative, without `..`, NUL or backslash.
pub fn env_entry(name: &str, path: &str) -> Result<(), FieldError> {
    let refuse = |reason| {
        Err(FieldError::Env {
            name: shorten(name),
            reason,
        })
    };
    let named = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !named {
        return refuse("a name is 1 to 64 letters, digits and _, not starting with a digit");
    }
    if name.eq_ignore_ascii_case("PATH") {
        return refuse("PATH is the toolchain's own");
    }
    if path.len() > MAX_BIN_PATH || path.contains(['\0', '\\']) || path.starts_with('/') {
        return refuse("its value must be a path inside the install (at most 256 bytes)");
    }
    if path.split('/').any(|part| part == "..") {
        return refuse("its value must not leave the install (`..`)");
    }
    Ok(())
}

/// Checks a file a runtime writes into its install: a relative path inside it (as
/// [`env_entry`]'s values, and not empty) and a text of at most [`MAX_COMMAND`] bytes
/// without NUL.
pub fn written_file(path: &str, text: &str) -> Result<(), FieldError> {
    let refuse = |reason| {
        Err(FieldError::Write {
            path: shorten(path),
            reason,
        })
    };
    let inside = !path.is_empty()
        && path.len() <= MAX_BIN_PATH
        && !path.contains(['\0', '\\'])
        && !path.starts_with('/')
        && !path.contains(':')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".");
    if !inside {
        return refuse(
            "it must be a relative path inside the install (no `..`, at most 256 bytes)",
        );
    }
    if text.len() > MAX_COMMAND || text.contains('\0') {
        return refuse("its text must be at most 4096 bytes, without NUL");
    }
    Ok(())
}

/// Checks a directory put on `PATH` after a tool's own: absolute, at most 4096 bytes,
/// without NUL or the platform's `PATH` separator.
pub fn outside_dir(dir: &str) -> Result<(), FieldError> {
    let refuse = |reason| {
        Err(FieldError::PathAfter {
            dir: shorten(dir),
            reason,
        })
    };
    let separator = if cfg!(windows) { ';' } else { ':' };
    if !std::path::Path::new(dir).is_absolute() || dir.len() > MAX_COMMAND {
        return refuse("it must be an absolute path of at most 4096 bytes");
    }
    if dir.contains('\0') || dir.contains(separator) {
        return refuse("it must not hold NUL or PATH's separator");
    }
    Ok(())
}

/// Checks a `bin` list: at most [`MAX_BINS`] entries, each a relative path inside the
/// install (no `..`, not absolute, no NUL or backslash, at most [`MAX_BIN_PATH`] bytes),
/// optionally preceded by a command name and `=` (`yq=yq_linux_amd64`) or `==` (a hard
/// link, `pnpx==pnpm`).
pub fn bin(paths: &[String]) -> Result<(), FieldError> {
    let refuse = |path: &str, reason| {
        Err(FieldError::Bin {
            path: shorten(path),
            reason,
        })
    };
    if paths.len() > MAX_BINS {
        return refuse("…", "a tool may list at most 64 executables");
    }
    for entry in paths {
        let path = crate::bin_entry::path(entry).to_owned();
        let path = &path;
        if let Some((name, _)) = entry.split_once('=')
            && !name_like(name, MAX_TOOL_NAME * 2, b"._-+")
        {
            return refuse(
                entry,
                "a command name (before `=`) is letters, digits and . _ - +",
            );
        }
        if path.is_empty() || path.len() > MAX_BIN_PATH {
            return refuse(path, "use 1 to 256 bytes");
        }
        if path.contains(['\0', '\\']) {
            return refuse(path, "NUL and backslash are not allowed");
        }
        if path.starts_with('/') {
            return refuse(path, "it must be a path inside the install, not absolute");
        }
        if path.split('/').any(|part| part == "..") {
            return refuse(path, "`..` would leave the install");
        }
    }
    Ok(())
}

/// Checks a mirror's form: `oci://HOST[:PORT]/REPO`, an `http://` or `https://` URL
/// template holding `{sha256}`, or `file:///DIR`. The error says which forms exist.
pub fn mirror(mirror: &str) -> Result<(), &'static str> {
    const FORMS: &str = "a mirror must be oci://HOST[:PORT]/REPO, an http(s):// URL with {sha256} in it, or file:///DIR";
    let (scheme, rest) = mirror.split_once("://").ok_or(FORMS)?;
    if mirror.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a mirror must not hold white space or control characters");
    }
    match scheme.to_ascii_lowercase().as_str() {
        "oci" => {
            let (authority, repo) = rest.split_once('/').ok_or(FORMS)?;
            let host_ok = !authority.is_empty()
                && !authority.contains('@')
                && authority.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                });
            let repo_ok = !repo.is_empty()
                && !repo.ends_with('/')
                && repo.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || matches!(b, b'.' | b'_' | b'-' | b'/')
                });
            if !host_ok {
                return Err(
                    "an oci:// mirror needs a registry host (and port), without credentials: oci://HOST[:PORT]/REPO",
                );
            }
            if !repo_ok {
                return Err(
                    "an oci:// mirror needs a repository of lower-case letters, digits, . _ - and /: oci://HOST[:PORT]/REPO",
                );
            }
            Ok(())
        }
        "http" | "https" => {
            if !mirror.contains("{sha256}") {
                return Err("an http(s):// mirror must hold {sha256} where the file's digest goes");
            }
            let sample = mirror.replace("{sha256}", &"0".repeat(64));
            url(&sample).map(|_| ()).map_err(|_| FORMS)
        }
        "file" => match url(mirror) {
            Ok(Scheme::File) if rest.len() > 1 => Ok(()),
            _ => Err("a file:// mirror must name a local directory: file:///DIR"),
        },
        _ => Err(FORMS),
    }
}

/// Where `url`'s userinfo (`user:password@`, `token@`) is: the byte range from the
/// start of its authority to its last `@` there; `None` when it has none.
fn userinfo(url: &str) -> Option<std::ops::Range<usize>> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority = &url[start..];
    let end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    authority[..end].rfind('@').map(|at| start..start + at)
}

/// Whether `url` carries credentials (`user:password@` or `token@` before its host).
pub fn has_userinfo(url: &str) -> bool {
    userinfo(url).is_some()
}

/// `url` with its userinfo (`user:password@`, `token@`) replaced by `***@`, fit to show
/// where a URL that should not hold credentials does: the host stays, the secret goes.
/// A URL without userinfo comes back as it is.
pub fn hide_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    match userinfo(url) {
        Some(range) => format!("{}***{}", &url[..range.start], &url[range.end..]).into(),
        None => url.into(),
    }
}

/// A YAML parser's words for nesting past its depth limit ("recursion limit exceeded",
/// "budget breached: Depth …"), said as a reader would: too deeply nested.
pub fn yaml_too_deep(message: &str) -> Option<String> {
    (message.contains("recursion limit exceeded") || message.contains("budget breached: Depth"))
        .then(|| "too deeply nested (at most 64 levels)".to_owned())
}

/// Most tools one manifest may list (also bounds the board's slot table).
pub const MAX_TOOLS: usize = 1024;

/// Checks `value` is a Go module hash as `go.sum` writes it (`h1:` and the standard
/// base64 of 32 bytes): what a lock entry of a `go:` tool records.
pub fn go_module_hash(value: &str) -> Result<(), FieldError> {
    let decoded = value
        .strip_prefix("h1:")
        .filter(|b64| b64.len() == 44)
        .and_then(|b64| {
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).ok()
        });
    match decoded {
        Some(bytes) if bytes.len() == 32 => Ok(()),
        _ => Err(FieldError::GoModuleHash(shorten(value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_name_is_a_shells_whatever_its_length() {
        for good in ["_", "A", "_a1", "PATH", &"A".repeat(300)] {
            assert!(var_name(good), "{good}");
        }
        for bad in ["", "1A", "A-B", "A B", "É", "A=B", "$A"] {
            assert!(!var_name(bad), "{bad}");
        }
    }

    #[test]
    fn percent_escapes_are_decoded_and_invalid_ones_kept() {
        assert_eq!(percent_decoded("a%20b%2Fc"), b"a b/c");
        assert_eq!(percent_decoded("%E2%82%ac"), "€".as_bytes());
        assert_eq!(percent_decoded("%ff"), [0xff]);
        for kept in ["%", "%4", "%zz", "100%", "%%41"] {
            let want = kept.replace("%41", "A");
            assert_eq!(percent_decoded(kept), want.as_bytes(), "{kept}");
        }
    }

    #[test]
    fn tool_names_follow_the_slot_rules() {
        for ok in ["ripgrep", "a", "node-20", "x_y.z", "A9", &"n".repeat(32)] {
            assert_eq!(tool_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".tmp",
            "-rf",
            "_x",
            "a/b",
            "a b",
            "é",
            "a\0",
            &"n".repeat(33),
        ] {
            assert!(tool_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn versions_follow_the_store_rules() {
        // Go's pseudo-versions (golang/mod module/pseudo.go's three forms) fit.
        for ok in [
            "1",
            "14.1.1",
            "1.0.0-rc.1+build.5",
            "v20",
            "v0.0.0-20240101120000-abcdef123456",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.3-pre.0.20191109021931-daa7c04131f5+incompatible",
            &"9".repeat(MAX_VERSION),
        ] {
            assert_eq!(version(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "..", "1/2", "1 2", "+1", "v1\\x", &"9".repeat(65)] {
            assert!(version(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sha256_is_64_hex_digits_and_lowercased() {
        let upper = "AB".repeat(32);
        assert_eq!(sha256(&upper), Ok("ab".repeat(32)));
        assert!(sha256(&"a".repeat(63)).is_err());
        assert!(sha256(&"a".repeat(65)).is_err());
        assert!(sha256(&"g".repeat(64)).is_err());
        assert!(sha256("").is_err());
    }

    #[test]
    fn urls_need_a_supported_scheme_and_a_host() {
        assert_eq!(url("https://example.org/a.tar.gz"), Ok(Scheme::Https));
        assert_eq!(url("HTTP://127.0.0.1:8080/a"), Ok(Scheme::Http));
        assert_eq!(url("file:///tmp/a.zip"), Ok(Scheme::File));
        assert_eq!(url("file://localhost/tmp/a.zip"), Ok(Scheme::File));
        for bad in [
            "ftp://example.org/a",
            "example.org/a",
            "https:///a",
            "file://host/a",
            "file://relative",
            "https://example.org/a b",
            "https://example.org/\n",
        ] {
            assert!(url(bad).is_err(), "{bad:?}");
        }
        let long = format!("https://x.org/{}", "a".repeat(MAX_URL));
        assert!(url(&long).is_err());
    }

    #[test]
    fn commands_strip_components_and_options_have_caps() {
        assert_eq!(command("make install"), Ok(()));
        assert!(command("  ").is_err());
        assert!(command("a\0b").is_err());
        assert!(command(&"x".repeat(MAX_COMMAND + 1)).is_err());
        assert_eq!(strip_components(3), Ok(3));
        assert!(strip_components(65).is_err());
        assert!(strip_components(u64::MAX).is_err());
        let mut options = std::collections::BTreeMap::new();
        options.insert("k".to_owned(), serde_json::json!("v"));
        assert_eq!(super::options(&options), Ok(()));
        options.insert(
            "big".to_owned(),
            serde_json::json!("x".repeat(MAX_OPTIONS_JSON)),
        );
        assert!(super::options(&options).is_err());
    }

    #[test]
    fn shorten_keeps_char_boundaries() {
        assert_eq!(shorten("abc"), "abc");
        let long = "é".repeat(100);
        let short = shorten(&long);
        assert!(short.len() < long.len());
        assert!(short.ends_with('…'));
    }

    #[test]
    fn mirrors_have_three_forms() {
        for good in [
            "oci://registry.corp/vx",
            "oci://127.0.0.1:5000/team/vx",
            "https://cache.corp/vx/{sha256}",
            "http://cache.corp/{sha256}.bin",
            "file:///mnt/vx",
        ] {
            assert_eq!(mirror(good), Ok(()), "{good}");
        }
        for bad in [
            "registry.corp/vx",
            "oci://registry.corp",
            "oci://u:p@registry.corp/vx",
            "oci://registry.corp/VX",
            "https://cache.corp/vx/",
            "ftp://cache.corp/{sha256}",
            "file://host/dir",
            "file:///",
        ] {
            assert!(mirror(bad).is_err(), "{bad}");
        }
        assert!(has_userinfo("https://u:p@h/x"));
        assert!(!has_userinfo("https://h/x@y"));
        assert_eq!(hide_userinfo("http://bob:PW@h:1/x@y"), "http://***@h:1/x@y");
        assert_eq!(hide_userinfo("https://tok@h"), "https://***@h");
        assert_eq!(hide_userinfo("https://h/x@y"), "https://h/x@y");
    }
}
