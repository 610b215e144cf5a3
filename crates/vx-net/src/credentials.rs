//! Credentials for hosts: netrc (`NETRC`, `~/.netrc`, `%USERPROFILE%\_netrc`) and the
//! user config's per-host headers. [`Credentials::for_url`] gives the headers for one
//! URL's host; the client asks for every hop of a request with that hop's URL, so a
//! redirect to another host gets that host's credentials (normally none).
//!
//! - **Per-host headers** (`[http.headers."HOST"]` or `"HOST:PORT"` in the user config):
//!   a key without a port matches its host on any port, one with a port that port only
//!   (the scheme's default when the URL names none); host names compare without case.
//!   A value may name environment variables, `${VAR}`. The file's part (the host key,
//!   the header's name, the `${…}` syntax) is checked when the settings are made; the
//!   variables are needed only by a request to that host: an unset one is an error
//!   naming the variable and the host when such a request is about to be sent
//!   ([`Credentials::for_url`]), so a run that never asks that host never fails on it
//!   ([`Credentials::unresolved`] lists them for `vx doctor`).
//! - **netrc**: `machine`, `login`, `password` and `default` as curl reads them
//!   (`account` ignored, `macdef` bodies skipped, `"quoted tokens"` with `\"`), giving
//!   `Authorization: Basic …` to its machine (a host name, any port). A header the user
//!   config gives for the host wins over netrc's `Authorization`.
//!
//! Nothing here is ever shown: values are [`Secret`]s (`***` in `Debug`), and errors
//! name files, lines, hosts and variables, never a value.

use std::path::{Path, PathBuf};

use base64::Engine;
use thiserror::Error;

use super::url::{host, port};
use vx_base::secret::Secret;

/// The largest netrc file read.
pub(crate) const MAX_NETRC_BYTES: u64 = 1 << 20;

/// The credentials known for hosts. `Default`: none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    headers: Vec<HostHeader>,
    netrc: Vec<NetrcEntry>,
    netrc_file: Option<PathBuf>,
    /// `Authorization` values for the URLs under a prefix (`//host/path/`, as npm's
    /// `.npmrc` writes `//registry.corp/npm/:_authToken=…`), longest prefix first.
    prefixes: Vec<(String, Secret)>,
}

/// One configured header for one host (and maybe port).
#[derive(Clone, Debug, PartialEq, Eq)]
struct HostHeader {
    /// The host key as written (for messages).
    key: String,
    host: String,
    port: Option<u16>,
    name: String,
    /// The value with its variables filled in, or why it cannot be sent (a variable
    /// unset, a control character in one's value): said when a request needs it.
    value: Result<Secret, Unsendable>,
}

/// Why a configured header's value cannot be sent as the environment is: the
/// environment's fault, said when a request needs it. Names a variable, never a value.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
enum Unsendable {
    /// A variable's value brings a control or non-ASCII character.
    #[error("the value (once its variables are filled in) holds a control or non-ASCII character")]
    Control,
    /// This variable is unset (or empty).
    #[error("the environment variable {0} is not set")]
    Unset(String),
}

/// One netrc entry: a `machine` (`None`: `default`) and its `Authorization` value.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NetrcEntry {
    machine: Option<String>,
    authorization: Secret,
}

/// Why the credentials could not be made.
#[derive(Debug, Error)]
pub enum CredentialsError {
    /// The netrc file exists (or `NETRC` names it) but cannot be read.
    #[error("{}: cannot read the netrc file: {source}", path.display())]
    NetrcRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The netrc file does not parse; no token of it is quoted.
    #[error("{}:{line}: {problem}", path.display())]
    NetrcSyntax {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A configured header cannot be sent (an unset variable, a bad name or value).
    #[error("[http.headers.\"{host}\"] {name}: {problem}")]
    Header {
        /// The host key as written.
        host: String,
        /// The header's name.
        name: String,
        /// What is wrong (a variable's name, never a value).
        problem: String,
    },
}

impl Credentials {
    /// Credentials of `headers` (host key → header name → value, `${VAR}` filled from
    /// `env`) and of the netrc file `netrc` (its path and text), if any.
    pub fn new<'a>(
        headers: impl IntoIterator<Item = (&'a str, &'a str, &'a Secret)>,
        env: &dyn Fn(&str) -> Option<String>,
        netrc: Option<(&Path, &str)>,
    ) -> Result<Credentials, CredentialsError> {
        let mut out = Credentials::default();
        for (key, name, value) in headers {
            let problem = |problem: String| header_error(key, name, problem);
            let (host, port) = host_key(key).ok_or_else(|| {
                problem("the key must be a host name, with a port or without".to_owned())
            })?;
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(problem("not a valid header name".to_owned()));
            }
            let unsendable =
                |text: &str| text.bytes().any(|b| b.is_ascii_control() || !b.is_ascii());
            if unsendable(value.expose()) {
                return Err(problem(
                    "the value holds a control or non-ASCII character".to_owned(),
                ));
            }
            let value = match expand(value.expose(), env) {
                Ok(value) if unsendable(&value) => Err(Unsendable::Control),
                Ok(value) => Ok(Secret::new(value)),
                Err(Expand::Unset(variable)) => Err(Unsendable::Unset(variable)),
                Err(Expand::Syntax(why)) => return Err(problem(why)),
            };
            out.headers.push(HostHeader {
                key: key.to_owned(),
                host,
                port,
                name: name.to_owned(),
                value,
            });
        }
        if let Some((path, text)) = netrc {
            out.netrc = parse_netrc(path, text)?;
            out.netrc_file = Some(path.to_owned());
        }
        Ok(out)
    }

    /// These credentials, plus an `Authorization` value for each URL prefix
    /// (`//host[:port]/path/`, scheme left out, as npm's `.npmrc` names a registry's
    /// token): sent to a URL under the prefix unless a configured header gives one,
    /// and before netrc's.
    pub fn with_prefixes(mut self, prefixes: Vec<(String, Secret)>) -> Credentials {
        self.prefixes = prefixes
            .into_iter()
            .map(|(p, s)| (if p.ends_with('/') { p } else { format!("{p}/") }, s))
            .collect();
        self.prefixes
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        self
    }

    /// The headers (name, secret value) to send with a request to `url`'s host: its
    /// configured headers, and a netrc `Authorization: Basic …` unless one of those is
    /// an `Authorization`. Empty when none; an error naming the variable and the host
    /// when a header for this host names a variable that is not set.
    pub(crate) fn for_url(&self, url: &str) -> Result<Vec<(String, Secret)>, CredentialsError> {
        let (Some(url_host), Some(url_port)) = (host(url), port(url)) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(String, Secret)> = Vec::new();
        for h in self
            .headers
            .iter()
            .filter(|h| h.host == url_host && h.port.is_none_or(|p| p == url_port))
        {
            match &h.value {
                Ok(value) => out.push((h.name.clone(), value.clone())),
                Err(why) => return Err(header_error(&h.key, &h.name, why.to_string())),
            }
        }
        let has_authorization = out
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        let bare = url.split_once("://").map(|(_, rest)| format!("//{rest}"));
        let prefixed = bare.as_deref().and_then(|bare| {
            self.prefixes
                .iter()
                .find(|(prefix, _)| bare.starts_with(prefix.as_str()))
        });
        if let Some((_, value)) = prefixed.filter(|_| !has_authorization) {
            out.push(("Authorization".to_owned(), value.clone()));
        } else if !has_authorization {
            let entry = self
                .netrc
                .iter()
                .find(|e| e.machine.as_deref() == Some(url_host.as_str()))
                .or_else(|| self.netrc.iter().find(|e| e.machine.is_none()));
            if let Some(entry) = entry {
                out.push(("Authorization".to_owned(), entry.authorization.clone()));
            }
        }
        Ok(out)
    }

    /// The configured headers that cannot be sent as the environment is (a variable
    /// unset): each an error naming the host, the header and the variable, never a
    /// value. A request to another host is not concerned by them.
    pub fn unresolved(&self) -> Vec<CredentialsError> {
        self.headers
            .iter()
            .filter_map(|h| {
                h.value
                    .as_ref()
                    .err()
                    .map(|why| header_error(&h.key, &h.name, why.to_string()))
            })
            .collect()
    }

    /// The netrc file read, if any.
    #[cfg(test)]
    pub(crate) fn netrc_file(&self) -> Option<&Path> {
        self.netrc_file.as_deref()
    }
}

/// The netrc file to read and whether it was named: `NETRC` (which must then be
/// readable), else the home directory's `.netrc` (`_netrc` on Windows) when it exists.
pub fn netrc_path() -> Option<(PathBuf, bool)> {
    if let Some(named) = std::env::var_os("NETRC").filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(named), true));
    }
    vx_base::platform::fs::netrc_file()
        .filter(|p| p.exists())
        .map(|p| (p, false))
}

/// Reads the netrc file of [`netrc_path`], if any: its path and text. A file named by
/// `NETRC` that cannot be read, or one found that cannot be, is an error.
pub fn read_netrc() -> Result<Option<(PathBuf, String)>, CredentialsError> {
    let Some((path, _)) = netrc_path() else {
        return Ok(None);
    };
    let read_err = |source| CredentialsError::NetrcRead {
        path: path.clone(),
        source,
    };
    let bytes = match vx_base::bounded_read::read(&path, MAX_NETRC_BYTES) {
        Ok(bytes) => bytes,
        Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
            return Err(read_err(std::io::Error::other(format!(
                "over {MAX_NETRC_BYTES} bytes; that is not a netrc file"
            ))));
        }
        Err(e) => return Err(read_err(e.into())),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| read_err(std::io::Error::other("the file is not valid UTF-8")))?;
    Ok(Some((path, text)))
}

/// A header key's host (lower-case) and port, if it names one.
fn host_key(key: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = match key.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port.parse().ok()?)),
        Some(_) => return None,
        None => (key, None),
    };
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    ok.then(|| (name.to_ascii_lowercase(), port))
}

/// RFC 9110's `tchar`: what a header name is made of.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Why a header's value could not be filled in.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Expand {
    /// The text is not well formed (an unclosed `${`, not a variable's name inside):
    /// the file's fault, whatever the environment.
    Syntax(String),
    /// This variable is unset (or empty).
    Unset(String),
}

/// The error of the header `name` of the host key `key`, its parts sanitized.
fn header_error(key: &str, name: &str, problem: String) -> CredentialsError {
    CredentialsError::Header {
        host: vx_text::sanitize(key).into_owned(),
        name: vx_text::sanitize(name).into_owned(),
        problem,
    }
}

/// `text` with each `${VAR}` replaced by `env`'s value; an unclosed `${` or a bad
/// name, or an unset (or empty) variable, is an error that names the variable, never
/// a value.
pub(crate) fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, Expand> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut unset = None;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| Expand::Syntax("a `${` without its `}`".to_owned()))?;
        let name = &after[..end];
        let valid =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(Expand::Syntax(
                "`${…}` must hold an environment variable's name".to_owned(),
            ));
        }
        match env(name).filter(|v| !v.is_empty()) {
            Some(value) => out.push_str(&value),
            // The rest is still checked: a syntax error is the file's, whatever is set.
            None => {
                unset.get_or_insert_with(|| name.to_owned());
            }
        }
        rest = &after[end + 1..];
    }
    if let Some(name) = unset {
        return Err(Expand::Unset(name));
    }
    out.push_str(rest);
    Ok(out)
}

/// A netrc entry being read: its machine (`None`: `default`), login and password.
struct Pending {
    machine: Option<String>,
    login: Option<String>,
    password: Option<String>,
}

impl Pending {
    fn new(machine: Option<String>) -> Pending {
        Pending {
            machine,
            login: None,
            password: None,
        }
    }

    /// The entry, when it has a password (a machine without one gives nothing).
    fn finish(self) -> Option<NetrcEntry> {
        let password = self.password?;
        let pair = format!("{}:{password}", self.login.unwrap_or_default());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        Some(NetrcEntry {
            machine: self.machine,
            authorization: Secret::new(format!("Basic {encoded}")),
        })
    }
}

/// The entries of a netrc file, as curl reads it.
fn parse_netrc(path: &Path, text: &str) -> Result<Vec<NetrcEntry>, CredentialsError> {
    let syntax = |line: usize, problem| CredentialsError::NetrcSyntax {
        path: path.to_owned(),
        line,
        problem,
    };
    let unclosed = |line| syntax(line, "a quoted token without its closing quote");
    let mut lexer = Lexer { text, at: 0 };
    let mut entries = Vec::new();
    let mut current: Option<Pending> = None;
    while let Some(word) = lexer.token().map_err(unclosed)? {
        let line = lexer.line();
        match word.as_str() {
            "machine" | "default" | "macdef" => {
                entries.extend(current.take().and_then(Pending::finish));
                match word.as_str() {
                    "machine" => {
                        let name = lexer
                            .token()
                            .map_err(unclosed)?
                            .ok_or_else(|| syntax(line, "`machine` without a host name"))?;
                        current = Some(Pending::new(Some(name.to_ascii_lowercase())));
                    }
                    "default" => current = Some(Pending::new(None)),
                    _ => lexer.skip_macro(),
                }
            }
            "login" | "password" | "account" => {
                let value = lexer.token().map_err(unclosed)?.ok_or_else(|| {
                    syntax(line, "a `login`, `password` or `account` without a value")
                })?;
                let entry = current.as_mut().ok_or_else(|| {
                    syntax(
                        line,
                        "a `login` or `password` before any `machine` or `default`",
                    )
                })?;
                match word.as_str() {
                    "login" => entry.login = Some(value),
                    "password" => entry.password = Some(value),
                    _ => {}
                }
            }
            _ => {
                return Err(syntax(
                    line,
                    "expected `machine`, `default`, `login`, `password`, `account` or `macdef`",
                ));
            }
        }
    }
    entries.extend(current.and_then(Pending::finish));
    Ok(entries)
}

/// The netrc tokenizer: words separated by white space, `"quoted"` words with `\`
/// escapes, `#` comments to the end of the line.
struct Lexer<'a> {
    text: &'a str,
    at: usize,
}

impl Lexer<'_> {
    /// The line of the current position (1-based).
    fn line(&self) -> usize {
        self.text[..self.at].matches('\n').count() + 1
    }

    /// The next token; `Err(line)` for an unclosed quote.
    fn token(&mut self) -> Result<Option<String>, usize> {
        loop {
            let rest = &self.text[self.at..];
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if trimmed.starts_with('#') {
                self.at += trimmed.find('\n').unwrap_or(trimmed.len());
                continue;
            }
            if trimmed.is_empty() {
                return Ok(None);
            }
            break;
        }
        let rest = &self.text[self.at..];
        if let Some(quoted) = rest.strip_prefix('"') {
            let line = self.line();
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.at += 1 + i + 1;
                        return Ok(Some(out));
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => out.push('\n'),
                        Some((_, 't')) => out.push('\t'),
                        Some((_, 'r')) => out.push('\r'),
                        Some((_, other)) => out.push(other),
                        None => return Err(line),
                    },
                    c => out.push(c),
                }
            }
            return Err(line);
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        self.at += end;
        Ok(Some(rest[..end].to_owned()))
    }

    /// Skips a `macdef`'s name and body: up to the first empty line.
    fn skip_macro(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.find("\n\n").map_or(rest.len(), |i| i + 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn netrc(text: &str) -> Credentials {
        Credentials::new([], &no_env, Some((Path::new("/h/.netrc"), text))).unwrap()
    }

    fn auth(creds: &Credentials, url: &str) -> Option<String> {
        creds
            .for_url(url)
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == "Authorization")
            .map(|(_, v)| v.expose().to_owned())
    }

    #[test]
    fn a_prefix_token_goes_to_the_urls_under_it_only() {
        let creds = netrc("default login u password p\n").with_prefixes(vec![
            ("//npm.corp/repo".into(), Secret::new("Bearer t1")),
            ("//npm.corp/repo/private/".into(), Secret::new("Bearer t2")),
        ]);
        assert_eq!(
            auth(&creds, "https://npm.corp/repo/esbuild/-/esbuild-1.0.0.tgz").as_deref(),
            Some("Bearer t1")
        );
        assert_eq!(
            auth(&creds, "https://npm.corp/repo/private/x").as_deref(),
            Some("Bearer t2")
        );
        assert!(
            auth(&creds, "https://npm.corp/other/x").is_some_and(|a| a.starts_with("Basic ")),
            "netrc's, not the token"
        );
        assert!(
            auth(&creds, "https://npm.corp.evil/repo/x").is_some_and(|a| a.starts_with("Basic "))
        );
    }

    #[test]
    fn netrc_gives_basic_auth_to_its_machine_and_default_to_the_rest() {
        let creds = netrc(
            "# mine\nmachine files.corp login alice password s3cret\n\
             macdef init\ncd /pub\nls\n\n\
             default login anon password \"p w\\\"x\"\n",
        );
        // alice:s3cret
        assert_eq!(
            auth(&creds, "https://Files.Corp:8443/a.tgz").as_deref(),
            Some("Basic YWxpY2U6czNjcmV0")
        );
        // anon:p w"x
        assert_eq!(
            auth(&creds, "http://other.org/x").as_deref(),
            Some("Basic YW5vbjpwIHcieA==")
        );
        assert_eq!(creds.netrc_file(), Some(Path::new("/h/.netrc")));
    }

    #[test]
    fn a_machine_without_password_gives_nothing_and_bad_files_name_the_line() {
        let creds = netrc("machine a.org login bob\n");
        assert_eq!(auth(&creds, "https://a.org/"), None);
        for (text, line) in [
            ("machine a.org\n  passwd s3cret\n", 2),
            ("login x password s3cret\n", 1),
            ("machine a.org password \"s3cret\n", 1),
        ] {
            let err = Credentials::new([], &no_env, Some((Path::new("/h/.netrc"), text)))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&format!("/h/.netrc:{line}: ")), "{err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn configured_headers_match_their_host_and_port_and_beat_netrc() {
        let bearer = Secret::new("Bearer ${TOKEN}");
        let key = Secret::new("k-1");
        let env = |name: &str| (name == "TOKEN").then(|| "t0k".to_owned());
        let creds = Credentials::new(
            [
                ("Artifacts.corp", "Authorization", &bearer),
                ("files.corp:8443", "X-Api-Key", &key),
            ],
            &env,
            Some((Path::new("/n"), "default login u password p\n")),
        )
        .unwrap();
        assert_eq!(
            auth(&creds, "https://artifacts.corp:9000/x").as_deref(),
            Some("Bearer t0k")
        );
        let files = creds.for_url("https://files.corp:8443/x").unwrap();
        assert_eq!(files.len(), 2, "the key and netrc's Authorization");
        assert!(
            creds
                .for_url("https://files.corp/x")
                .unwrap()
                .iter()
                .all(|(n, _)| n != "X-Api-Key")
        );
        assert!(!format!("{creds:?}").contains("t0k"));
    }

    #[test]
    fn an_unset_variable_fails_only_a_request_to_its_host_and_no_value_is_shown() {
        let value = Secret::new("Bearer ${ARTIFACTORY_TOKEN}");
        let creds = Credentials::new(
            [("a.corp", "Authorization", &value)],
            &no_env,
            Some((Path::new("/n"), "default login u password s3cret\n")),
        )
        .unwrap();
        // Another host is not concerned.
        assert_eq!(creds.for_url("https://b.corp/x").unwrap().len(), 1);
        let err = creds.for_url("https://a.corp/x").unwrap_err().to_string();
        assert_eq!(
            err,
            "[http.headers.\"a.corp\"] Authorization: the environment variable ARTIFACTORY_TOKEN is not set"
        );
        let unresolved: Vec<String> = creds.unresolved().iter().map(|e| e.to_string()).collect();
        assert_eq!(unresolved, [err]);
        assert!(!format!("{creds:?}").contains("s3cret"));
        assert_eq!(
            expand("${A", &no_env),
            Err(Expand::Syntax("a `${` without its `}`".into()))
        );
        assert!(matches!(expand("${A-B}", &no_env), Err(Expand::Syntax(_))));
        assert!(matches!(
            expand("${A} ${B-C}", &no_env),
            Err(Expand::Syntax(_))
        ));
        assert_eq!(expand("plain $HOME", &no_env).unwrap(), "plain $HOME");
        // The file's own faults are errors at once, whatever the environment.
        for (host, value) in [("a corp", "x"), ("a.corp", "${A"), ("a.corp", "${}")] {
            let value = Secret::new(value);
            assert!(Credentials::new([(host, "X", &value)], &no_env, None).is_err());
        }
        // A control character in a variable's value is the environment's: deferred.
        let env = |_: &str| Some("x\ny".to_owned());
        let value = Secret::new("${V}");
        let creds = Credentials::new([("a.corp", "X", &value)], &env, None).unwrap();
        assert!(creds.for_url("https://a.corp/").is_err());
        let bad = Secret::new("x\ny");
        assert!(Credentials::new([("a.corp", "X", &bad)], &no_env, None).is_err());
    }
}
