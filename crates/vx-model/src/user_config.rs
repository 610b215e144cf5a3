//! The user's own configuration, `config.toml` in vx's configuration directory
//! ([`vx_base::platform::fs::config_dir`]: `$XDG_CONFIG_HOME/vx`, `%APPDATA%\vx`):
//! settings that belong to a person or a machine rather than a project: where GitHub
//! is and the token for it, extra certificate authorities, headers (credentials) per
//! host, URL rewrites and mirrors. A missing file is the defaults.
//!
//! ```toml
//! mirrors = ["oci://registry.corp/vx", "https://cache.corp/vx/{sha256}"]
//!
//! [url_replacements]
//! "https://github.com/" = "https://artifacts.corp/github/"
//!
//! [http]
//! ca_certificates = ["corp-ca.pem"]          # relative to this file
//!
//! [http.headers."artifacts.corp"]            # a host, or HOST:PORT
//! Authorization = "Bearer ${ARTIFACTORY_TOKEN}"
//!
//! [github]
//! url = "https://github.corp"
//! token = "ghp_…"
//!
//! [verify]
//! trusted_root = "trusted_root.json"         # Sigstore's; relative to this file
//! attestations_unavailable = "warn"           # lock past an attestations API that cannot answer
//!
//! [self_update]
//! url = "https://github.corp/mirrors/vx"     # the repository vx's releases come from
//! keys = ["RWS…", "corp-release.pub"]        # more minisign keys; paths relative to this file
//! ```
//!
//! It is read as strictly as `vx.toml`: an unknown table or key is an error at its
//! line and column with the closest known key, so a typo never silently drops a
//! setting. A token or header value never appears in `Debug`, in an error or in
//! output. How these settings combine with the environment and the project's is
//! `vx_net::config`'s (network) and `vx_sources::github::GithubConfig`'s
//! (GitHub) business: flags over the environment over the project over this file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::manifest::{Location, Problem};
use vx_base::secret::{Secret, Token};

/// The configuration file's name in vx's configuration directory.
pub(crate) const CONFIG_FILE: &str = "config.toml";

/// The largest user config read; a larger file is refused unread.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Keys of the top level.
const TOP_KEYS: &[&str] = &[
    "github",
    "registry",
    "http",
    "verify",
    "self_update",
    "url_replacements",
    "mirrors",
    "task_cache",
];
/// Keys of `[github]`.
const GITHUB_KEYS: &[&str] = &["url", "api_url", "token"];
/// Keys of `[registry]`.
const REGISTRY_KEYS: &[&str] = &["standard_ref", "standard_sha256"];
/// Keys of `[http]`.
const HTTP_KEYS: &[&str] = &["ca_certificates", "headers"];
/// Keys of `[verify]`.
const VERIFY_KEYS: &[&str] = &["trusted_root", "attestations_unavailable"];
/// Keys of `[self_update]`.
const SELF_UPDATE_KEYS: &[&str] = &["url", "keys"];

/// The user config. `Default` is what a missing file means.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// `[github]`: where GitHub is, and the token for it.
    pub github: GithubSection,
    /// `[registry]`: the standard registry's ref where no project's lock pins one.
    pub registry: RegistrySection,
    /// `[http]`: trust and per-host headers.
    pub http: HttpSection,
    /// `[verify]`: the Sigstore trusted root.
    pub verify: VerifySection,
    /// `[self_update]`: where vx's own releases are and which keys sign them.
    pub self_update: SelfUpdateSection,
    /// `url_replacements`, in the file's order: (key, replacement).
    pub url_replacements: Vec<(String, String)>,
    /// `mirrors`, in order.
    pub mirrors: Vec<String>,
    /// `task_cache`: the OCI repository of task results (`oci://HOST/REPO`) for a
    /// project that names none (`vx_tasks::cache`).
    pub task_cache: Option<String>,
    /// The line of each key set (`github.token`, `http.headers.HOST.NAME`,
    /// `url_replacements.KEY`, `mirrors`): where `vx config list` says it came from.
    pub lines: BTreeMap<String, usize>,
}

/// The file as serde reads it; [`UserConfig::parse`] orders and checks it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    github: GithubSection,
    #[serde(default)]
    registry: RegistrySection,
    #[serde(default)]
    http: HttpSection,
    #[serde(default)]
    verify: VerifySection,
    #[serde(default)]
    self_update: SelfUpdateSection,
    #[serde(default)]
    url_replacements: BTreeMap<String, String>,
    #[serde(default)]
    mirrors: Vec<String>,
    #[serde(default)]
    task_cache: Option<String>,
}

/// `[http]`: certificate authorities to trust beyond the system's, and headers sent to
/// one host each (credentials for a private mirror or artifact store).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// PEM files of extra CAs; a relative path is relative to the config file.
    #[serde(default)]
    pub ca_certificates: Vec<PathBuf>,
    /// Host (or `HOST:PORT`) → header name → value; a value may name environment
    /// variables as `${VAR}` ([`vx_net::credentials`]). Shown as `***`.
    #[serde(default)]
    pub headers: BTreeMap<String, BTreeMap<String, Secret>>,
}

/// `[verify]`: what Sigstore checks ([`vx_net::verify::sigstore`]) trust.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySection {
    /// A Sigstore `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, timestamp
    /// authorities) used instead of the public-good root vx ships: a newer root, or a
    /// company's own Sigstore. Relative to the config file. Read only when a Sigstore
    /// check runs, so an install from a fresh lock never reads it.
    pub trusted_root: Option<PathBuf>,
    /// What GitHub's attestations API (or a provenance file) that cannot answer
    /// means: refuse the version (the default), or lock it without that check and
    /// say so. A mirror, a GitHub Enterprise Server or an anonymous client over its
    /// rate limit answers 404 there; this is the user's (or the machine's,
    /// `VX_ATTESTATIONS_UNAVAILABLE`) setting, never a committed project's.
    pub attestations_unavailable: Option<vx_net::verify::Unavailable>,
}

/// `[self_update]`: what `vx self update` reads (`vx_engine::self_update`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfUpdateSection {
    /// The repository vx's releases come from (`https://github.corp/mirrors/vx`); its
    /// `releases/latest/download/` and `releases/download/TAG/` hold the release sets.
    /// Default: `vx-toolchain/vx` on GitHub (`VX_GITHUB_URL`, `[github] url`).
    pub url: Option<String>,
    /// minisign public keys trusted besides the one compiled into vx: the `RW…` line
    /// of a `.pub` file, or the path of one (relative to this file). A user's trust
    /// decision, as `[verify] trusted_root` is.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// `[registry]`: the standard registry (aquaproj/aqua-registry) at another ref than the
/// one vx pins, for runs without a project (`vx x`, `vx search` outside one): a newer
/// release, or one a GitHub Enterprise Server mirrors. Both keys together: the file at
/// `standard_ref` must have `standard_sha256`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// The ref (a tag of aquaproj/aqua-registry).
    pub standard_ref: Option<String>,
    /// The sha256 of that ref's `registry.yaml` (64 hex digits, `sha256:` optional).
    pub standard_sha256: Option<String>,
}

/// `[github]`: a GitHub Enterprise Server and a token. The environment's
/// `VX_GITHUB_URL`, `VX_GITHUB_API_URL`, `GITHUB_TOKEN` and `GH_TOKEN` come first
/// (`vx_sources::github::GithubConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSection {
    /// The web base (`https://github.example.com`).
    pub url: Option<String>,
    /// The API base (default: `URL/api/v3` off github.com).
    pub api_url: Option<String>,
    /// A token sent to GitHub's hosts only; shown as `***`.
    pub token: Option<Token>,
}

/// Why the user config could not be read.
#[derive(Debug, Error)]
pub enum UserConfigError {
    /// The file exists but could not be read.
    #[error("{}: cannot read the user config: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The content is invalid; `location` is where, when somewhere in particular.
    #[error(
        "{}{}: {problem}",
        path.display(),
        location.map(|l| format!(":{}:{}", l.line, l.column)).unwrap_or_default()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where the problem is.
        location: Option<Location>,
        /// What it is (no value of the file is quoted: one may be a secret).
        problem: String,
    },
}

impl UserConfig {
    /// The user config's path: `config.toml` in [`vx_base::platform::fs::config_dir`];
    /// `None` when no configuration directory is known.
    pub fn path() -> Option<PathBuf> {
        vx_base::platform::fs::config_dir().map(|dir| dir.join(CONFIG_FILE))
    }

    /// Reads the user config from [`UserConfig::path`]; the defaults when there is no
    /// such file (or no configuration directory).
    pub fn load() -> Result<UserConfig, UserConfigError> {
        match UserConfig::path() {
            Some(path) => UserConfig::load_from(&path),
            None => Ok(UserConfig::default()),
        }
    }

    /// Reads the user config at `path`; the defaults when it does not exist.
    pub fn load_from(path: &Path) -> Result<UserConfig, UserConfigError> {
        let read_err = |source| UserConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let invalid = |problem: &str| UserConfigError::Invalid {
            path: path.to_owned(),
            location: None,
            problem: problem.to_owned(),
        };
        let bytes = match vx_base::bounded_read::read(path, MAX_CONFIG_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(UserConfig::default()),
            Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
                return Err(invalid(&format!(
                    "over {MAX_CONFIG_BYTES} bytes; that is not a vx config"
                )));
            }
            Err(e) => return Err(read_err(e.into())),
        };
        let text = String::from_utf8(bytes).map_err(|_| invalid("the file is not valid UTF-8"))?;
        UserConfig::parse(path, &text)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<UserConfig, UserConfigError> {
        let invalid = |span: Option<Range<usize>>, problem: String| UserConfigError::Invalid {
            path: path.to_owned(),
            location: span.map(|s| Location::from_offset(text, s.start)),
            problem,
        };
        let root = DeTable::parse(text)
            .map_err(|e| invalid(e.span(), format!("invalid TOML: {}", problem(e.message()))))?;
        let walked = walk(root.get_ref()).map_err(|(span, why)| invalid(Some(span), why))?;
        let raw: Raw = toml::from_str(text).map_err(|e| invalid(e.span(), problem(e.message())))?;
        let registry = &raw.registry;
        if registry.standard_ref.is_some() != registry.standard_sha256.is_some() {
            return Err(invalid(
                None,
                "[registry] needs both standard_ref and standard_sha256".to_owned(),
            ));
        }
        let mut url_replacements: Vec<(String, String)> =
            raw.url_replacements.into_iter().collect();
        url_replacements.sort_by_key(|(key, _)| walked.order.iter().position(|k| k == key));
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut http = raw.http;
        for ca in &mut http.ca_certificates {
            if ca.is_relative() {
                *ca = dir.join(&*ca);
            }
        }
        let mut verify = raw.verify;
        if let Some(root) = verify.trusted_root.as_mut()
            && root.is_relative()
        {
            *root = dir.join(&*root);
        }
        let mut self_update = raw.self_update;
        for key in &mut self_update.keys {
            // A key line is base64 starting `RW`; anything else names a file.
            let is_line = key.starts_with("RW") && !key.contains(['.', '\\']);
            if !is_line && Path::new(key.as_str()).is_relative() {
                *key = dir.join(key.as_str()).to_string_lossy().into_owned();
            }
        }
        let lines = walked
            .spans
            .into_iter()
            .map(|(key, span)| (key, Location::from_offset(text, span.start).line))
            .collect();
        Ok(UserConfig {
            github: raw.github,
            registry: raw.registry,
            http,
            verify,
            self_update,
            url_replacements,
            mirrors: raw.mirrors,
            task_cache: raw.task_cache,
            lines,
        })
    }
}

/// What [`walk`] learnt of the file beyond what serde reads: each key's span and the
/// order of `url_replacements`.
struct Walked {
    spans: Vec<(String, Range<usize>)>,
    order: Vec<String>,
}

type Table<'i> = toml::map::Map<Spanned<std::borrow::Cow<'i, str>>, Spanned<DeValue<'i>>>;

/// Checks every key of the file against the known ones (the closest known key
/// suggested) and the values that have a form (`url_replacements` rules, `mirrors`),
/// each error at its key or value; types are serde's to check.
fn walk(root: &Table<'_>) -> Result<Walked, (Range<usize>, String)> {
    let mut walked = Walked {
        spans: Vec::new(),
        order: Vec::new(),
    };
    known_keys(root, TOP_KEYS, "")?;
    for (key, value) in root.iter() {
        let name = key.get_ref().as_ref();
        let DeValue::Table(table) = value.get_ref() else {
            if name == "task_cache" {
                walked.spans.push(("task_cache".to_owned(), key.span()));
            }
            if name == "mirrors" {
                walked.spans.push(("mirrors".to_owned(), key.span()));
                if let DeValue::Array(items) = value.get_ref() {
                    for item in items {
                        if let DeValue::String(mirror) = item.get_ref() {
                            vx_base::validate::mirror(mirror)
                                .map_err(|why| (item.span(), why.to_owned()))?;
                        }
                    }
                }
            }
            continue;
        };
        let allowed = match name {
            "github" => GITHUB_KEYS,
            "registry" => REGISTRY_KEYS,
            "http" => HTTP_KEYS,
            "verify" => VERIFY_KEYS,
            "self_update" => SELF_UPDATE_KEYS,
            _ => &[],
        };
        if !allowed.is_empty() {
            known_keys(table, allowed, name)?;
        }
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (sub, sub_value) in entries {
            let sub_name = sub.get_ref().as_ref();
            let dotted = format!("{name}.{sub_name}");
            match (name, sub_name, sub_value.get_ref()) {
                ("http", "headers", DeValue::Table(hosts)) => {
                    for (host, headers) in hosts.iter() {
                        if let DeValue::Table(headers) = headers.get_ref() {
                            for (header, _) in headers.iter() {
                                walked.spans.push((
                                    format!("http.headers.{}.{}", host.get_ref(), header.get_ref()),
                                    header.span(),
                                ));
                            }
                        }
                    }
                }
                ("url_replacements", _, to) => {
                    if let DeValue::String(to) = to {
                        vx_net::rewrite::check(sub_name, to)
                            .map_err(|e| (sub.span(), format!("url_replacements: {e}")))?;
                    }
                    walked.order.push(sub_name.to_owned());
                    walked.spans.push((dotted, sub.span()));
                }
                _ => walked.spans.push((dotted, sub.span())),
            }
        }
    }
    Ok(walked)
}

/// Why `[tools]` is refused here: the global toolset has a file of its own.
const TOOLS_HERE: &str = "tools do not go in config.toml: the global toolset is the vx.toml beside it (with its vx.lock); `vx use -g TOOL[@VERSION]` adds one";

/// Refuses any key of `table` not in `allowed`, with the closest one as a suggestion:
/// the manifest's rule and message ([`Problem::UnknownKey`]).
fn known_keys(table: &Table<'_>, allowed: &[&str], at: &str) -> Result<(), (Range<usize>, String)> {
    for key in table.keys() {
        known(key.get_ref().as_ref(), allowed, at).map_err(|why| (key.span(), why.to_string()))?;
    }
    Ok(())
}

/// `name` if `allowed` holds it, else the reader's message for an unknown key.
fn known(name: &str, allowed: &[&str], at: &str) -> Result<(), KeyError> {
    if at.is_empty() && name == "tools" {
        return Err(KeyError::ToolsHere);
    }
    if allowed.contains(&name) {
        return Ok(());
    }
    Err(KeyError::Unknown(Problem::UnknownKey {
        key: vx_base::validate::shorten(name),
        table: at.to_owned(),
        suggestion: crate::manifest::suggest(name, allowed),
    }))
}

/// Why a key is not one of the user config's (the key itself not repeated): what
/// `vx config get`, `set` and `unset` say, and the reader at a key's place.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `[tools]`, which the global toolset holds.
    #[error("{TOOLS_HERE}")]
    ToolsHere,
    /// A key no table has: the manifest's message ([`Problem::UnknownKey`]).
    #[error("{}", vx_text::sanitize(&.0.to_string()))]
    Unknown(Problem),
    /// Not a TOML dotted key.
    #[error(
        "{}",
        vx_text::sanitize(&format!(
            "not a TOML dotted key (quote a part that holds a dot, a `:` or a `/`): {why}{}",
            did_you_mean(suggestion)
        ))
    )]
    NotDotted {
        /// TOML's reason, its first line.
        why: String,
        /// The key quoted where it likely should be.
        suggestion: Option<String>,
    },
    /// No key at all.
    #[error("an empty key")]
    Empty,
    /// A key deeper than the table's keys go.
    #[error("names no setting: {what}{}", did_you_mean(suggestion))]
    NoSetting {
        /// How the table's keys are written.
        what: &'static str,
        /// The key quoted where it likely should be.
        suggestion: Option<String>,
    },
    /// A setting used as a table.
    #[error("`{key}` is a setting, not a table")]
    NotATable {
        /// The setting.
        key: String,
    },
}

/// `; did you mean `KEY`?` for a suggestion, else nothing.
fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

/// `key` as a TOML dotted key split into its parts
/// (`http.headers."artifacts.corp".X-Api` → `http`, `headers`, `artifacts.corp`,
/// `X-Api`): the one key syntax of `vx config get`, `set` and `unset`, the one
/// [`dotted_key`] writes. Not a dotted key: why, with the quoted form when the key
/// looks like a header's or a rule's whose host or prefix was left unquoted.
pub fn split_key(key: &str) -> Result<Vec<String>, KeyError> {
    let keys = toml_edit::Key::parse(key).map_err(|e| {
        let why = e.to_string();
        let why = why
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .to_owned();
        KeyError::NotDotted {
            why,
            suggestion: quoted(key),
        }
    })?;
    Ok(keys.iter().map(|k| k.get().to_owned()).collect())
}

/// `parts` as a TOML dotted key, each part quoted where TOML needs it
/// (`url_replacements."https://nodejs.org/"`): what `vx config list` prints, so a key
/// it shows can be pasted into `get`, `set` and `unset` ([`split_key`] reads it back).
pub fn dotted_key<S: AsRef<str>>(parts: &[S]) -> String {
    parts
        .iter()
        .map(|p| toml_edit::Key::new(p.as_ref()).display_repr().into_owned())
        .collect::<Vec<_>>()
        .join(".")
}

/// The key a user most likely meant by `key`, a header's or a rule's written with its
/// host or prefix unquoted (`http.headers.artifacts.corp.X-Api`,
/// `url_replacements.https://nodejs.org/`): that part quoted.
fn quoted(key: &str) -> Option<String> {
    if let Some(prefix) = key.strip_prefix("url_replacements.") {
        return Some(dotted_key(&["url_replacements", prefix]));
    }
    let (host, name) = key.strip_prefix("http.headers.")?.rsplit_once('.')?;
    (!host.is_empty() && !name.is_empty()).then(|| dotted_key(&["http", "headers", host, name]))
}

/// Whether `keys` (a dotted key split by [`split_key`]: `["github", "token"]`,
/// `["http", "headers", HOST, NAME]`, `["url_replacements", PREFIX]`, or a table such
/// as `["github"]`) names a setting or table the reader knows, with the reader's
/// message when it does not (the key itself not repeated): what `vx config set`,
/// `unset` and `get` check.
pub fn check_key(keys: &[&str]) -> Result<(), KeyError> {
    let Some((top, rest)) = keys.split_first() else {
        return Err(KeyError::Empty);
    };
    known(top, TOP_KEYS, "")?;
    let no_setting = |what: &'static str| KeyError::NoSetting {
        what,
        suggestion: quoted(&keys.join(".")),
    };
    let allowed = match *top {
        "github" => GITHUB_KEYS,
        "registry" => REGISTRY_KEYS,
        "http" => HTTP_KEYS,
        "verify" => VERIFY_KEYS,
        "self_update" => SELF_UPDATE_KEYS,
        // A URL prefix (or `regex:` rule) of any text, one level.
        "url_replacements" if rest.len() <= 1 => return Ok(()),
        "url_replacements" => {
            return Err(no_setting(
                "a rule's key is url_replacements.PREFIX, the prefix quoted when it holds a dot",
            ));
        }
        "mirrors" | "task_cache" if rest.is_empty() => return Ok(()),
        _ => {
            return Err(KeyError::NotATable {
                key: (*top).to_owned(),
            });
        }
    };
    let Some((second, deeper)) = rest.split_first() else {
        return Ok(());
    };
    known(second, allowed, top)?;
    // Only [http.headers] nests: a host, then a header's name.
    match (*top, *second) {
        _ if deeper.is_empty() => Ok(()),
        ("http", "headers") if deeper.len() <= 2 => Ok(()),
        ("http", "headers") => Err(no_setting(
            "a header's key is http.headers.HOST.NAME, the host quoted when it holds a dot",
        )),
        _ => Err(KeyError::NotATable {
            key: format!("{top}.{second}"),
        }),
    }
}

/// The TOML parser's message on one line, sanitized, with any quoted string value
/// left out: serde quotes a value it did not expect (`invalid type: string "…"`), and
/// a value here may be a token written in the wrong place.
fn problem(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.trim().chars() {
        match (c, quoted) {
            ('"', false) => {
                quoted = true;
                out.push_str("\"…\"");
            }
            ('"', true) => quoted = false,
            (_, true) => {}
            ('\n', false) => out.push_str("; "),
            (c, false) => out.push(c),
        }
    }
    vx_text::sanitize(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<UserConfig, UserConfigError> {
        UserConfig::parse(Path::new("/home/u/.config/vx/config.toml"), text)
    }

    #[test]
    fn self_update_settings_are_read_and_key_files_found_beside_the_config() {
        let config = parse(
            "[self_update]\nurl = \"https://ghe.corp/mirrors/vx\"\nkeys = [\"RWSXmWzYcxUA6lg926av07P0aGDQ6u9kNGf0O9kRfSHEhUICsTZcaDMb\", \"corp.pub\", \"/etc/vx.pub\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.self_update.url.as_deref(),
            Some("https://ghe.corp/mirrors/vx")
        );
        assert_eq!(
            config.self_update.keys,
            [
                "RWSXmWzYcxUA6lg926av07P0aGDQ6u9kNGf0O9kRfSHEhUICsTZcaDMb".to_owned(),
                Path::new("/home/u/.config/vx")
                    .join("corp.pub")
                    .display()
                    .to_string(),
                "/etc/vx.pub".to_owned()
            ]
        );
        let err = parse("[self_update]\nkey = []\n").unwrap_err().to_string();
        assert!(err.contains(":2:1") && err.contains("keys"), "{err}");
    }

    #[test]
    fn github_settings_are_read() {
        let config = parse(
            "# mine\n[github]\nurl = \"https://ghe.corp\"\napi_url = \"https://ghe.corp/api/v3\"\ntoken = \"ghp_abc\"\n",
        )
        .unwrap();
        assert_eq!(config.github.url.as_deref(), Some("https://ghe.corp"));
        assert_eq!(
            config.github.api_url.as_deref(),
            Some("https://ghe.corp/api/v3")
        );
        assert_eq!(config.github.token, Token::new("ghp_abc"));
        assert_eq!(parse("").unwrap(), UserConfig::default());
    }

    #[test]
    fn an_unknown_key_or_table_is_an_error_at_its_line_and_column() {
        let err =
            parse("[github]\nurl = \"https://ghe.corp\"\n  tokn = \"ghp_abc\"\n").unwrap_err();
        let msg = err.to_string();
        assert_eq!(
            msg,
            "/home/u/.config/vx/config.toml:3:3: unknown key `tokn` in `[github]`; did you mean `token`?"
        );
        let err = parse("[githbu]\n").unwrap_err().to_string();
        assert!(
            err.ends_with(":1:2: unknown key `githbu` at the top level; did you mean `github`?"),
            "{err}"
        );
        let err = parse("[http]\nca_certificate = []\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(
                ":2:1: unknown key `ca_certificate` in `[http]`; did you mean `ca_certificates`?"
            ),
            "{err}"
        );
        let err = parse("mirror = []\n").unwrap_err().to_string();
        assert!(err.ends_with("did you mean `mirrors`?"), "{err}");
    }

    #[test]
    fn tools_in_the_user_config_point_at_the_global_toolset() {
        let err = parse("[tools]\nrg = \"14\"\n").unwrap_err().to_string();
        assert!(
            err.contains(":1:2: tools do not go in config.toml"),
            "{err}"
        );
        assert!(err.contains("`vx use -g TOOL[@VERSION]`"), "{err}");
    }

    #[test]
    fn the_network_settings_are_read_in_order_with_their_lines() {
        let config = parse(
            "mirrors = [\"oci://r.corp/vx\", \"file:///mnt/vx\"]\n\
             [url_replacements]\n\
             \"https://z.org/\" = \"https://proxy/z/\"\n\
             \"regex:^https://a\\\\.org/(.*)\" = \"https://proxy/a/$1\"\n\
             [http]\n\
             ca_certificates = [\"corp.pem\", \"/etc/ssl/other.pem\"]\n\
             [http.headers.\"artifacts.corp\"]\n\
             Authorization = \"Bearer ${TOKEN}\"\n",
        )
        .unwrap();
        assert_eq!(config.mirrors, ["oci://r.corp/vx", "file:///mnt/vx"]);
        let keys: Vec<&str> = config
            .url_replacements
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            keys,
            ["https://z.org/", "regex:^https://a\\.org/(.*)"],
            "the file's order"
        );
        assert_eq!(
            config.http.ca_certificates,
            [
                PathBuf::from("/home/u/.config/vx/corp.pem"),
                PathBuf::from("/etc/ssl/other.pem")
            ]
        );
        let value = &config.http.headers["artifacts.corp"]["Authorization"];
        assert_eq!(value.expose(), "Bearer ${TOKEN}");
        assert!(!format!("{config:?}").contains("TOKEN"));
        assert_eq!(config.lines["mirrors"], 1);
        assert_eq!(config.lines["url_replacements.https://z.org/"], 3);
        assert_eq!(config.lines["http.ca_certificates"], 6);
        assert_eq!(config.lines["http.headers.artifacts.corp.Authorization"], 8);
    }

    #[test]
    fn the_sigstore_trusted_root_is_relative_to_the_file_and_strictly_read() {
        let config = parse("[verify]\ntrusted_root = \"roots/trusted_root.json\"\n").unwrap();
        assert_eq!(
            config.verify.trusted_root,
            Some(PathBuf::from("/home/u/.config/vx/roots/trusted_root.json"))
        );
        let err = parse("[verify]\ntrusted_roots = \"r.json\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(
                ":2:1: unknown key `trusted_roots` in `[verify]`; did you mean `trusted_root`?"
            ),
            "{err}"
        );
    }

    #[test]
    fn bad_rules_and_mirrors_are_errors_at_their_place() {
        let err = parse("[url_replacements]\n\"regex:([\" = \"https://x/\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.toml:2:1: url_replacements: bad regex:"),
            "{err}"
        );
        let err = parse("mirrors = [\"file:///ok\",\n  \"cache.corp/vx\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.toml:2:3: a mirror must be oci://"),
            "{err}"
        );
        let err = parse("[http.headers.\"a.corp\"]\nAuthorization = 1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("config.toml:2:"), "{err}");
    }

    #[test]
    fn a_token_is_never_shown() {
        let config = parse("[github]\ntoken = \"ghp_secret\"\n").unwrap();
        assert!(!format!("{config:?}").contains("ghp_secret"));
        // A token in the wrong place, or of the wrong shape, is not quoted either.
        for text in [
            "github = \"ghp_secret\"\n",
            "[github]\ntoken = \"ghp secret\"\n",
            "[github]\nurl = [\"ghp_secret\"]\n",
        ] {
            let msg = parse(text).unwrap_err().to_string();
            assert!(!msg.contains("secret"), "{text}: {msg}");
            assert!(msg.contains("config.toml:"), "{msg}");
        }
    }

    #[test]
    fn a_missing_file_is_the_defaults_and_a_huge_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        assert_eq!(UserConfig::load_from(&path).unwrap(), UserConfig::default());
        std::fs::write(&path, vec![b'#'; MAX_CONFIG_BYTES as usize + 1]).unwrap();
        let err = UserConfig::load_from(&path).unwrap_err();
        assert!(err.to_string().contains("over"), "{err}");
        std::fs::write(&path, b"[github]\nurl = \"\xff\"\n").unwrap();
        let err = UserConfig::load_from(&path).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    #[test]
    fn a_key_is_split_as_toml_and_written_back_quoted_where_needed() {
        let parts = split_key("http.headers.\"artifacts.corp\".X-Api").unwrap();
        assert_eq!(parts, ["http", "headers", "artifacts.corp", "X-Api"]);
        assert_eq!(dotted_key(&parts), "http.headers.\"artifacts.corp\".X-Api");
        let parts = split_key("url_replacements.'https://nodejs.org/'").unwrap();
        assert_eq!(
            dotted_key(&parts),
            "url_replacements.\"https://nodejs.org/\""
        );
        assert_eq!(dotted_key(&["github", "url"]), "github.url");
        // The unquoted forms: refused, with the quoted one suggested, the key not
        // repeated.
        let err = split_key("url_replacements.https://nodejs.org/")
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("did you mean `url_replacements.\"https://nodejs.org/\"`?"),
            "{err}"
        );
        let parts = split_key("http.headers.artifacts.corp.X-Api").unwrap();
        let names: Vec<&str> = parts.iter().map(String::as_str).collect();
        let err = check_key(&names).unwrap_err().to_string();
        assert_eq!(
            err,
            "names no setting: a header's key is http.headers.HOST.NAME, the host quoted when it holds a dot; did you mean `http.headers.\"artifacts.corp\".X-Api`?"
        );
        assert_eq!(
            check_key(&["github", "url", "x"]).unwrap_err().to_string(),
            "`github.url` is a setting, not a table"
        );
        assert!(check_key(&["http", "headers", "a.corp", "X"]).is_ok());
        assert!(
            check_key(&["github", "tokn"])
                .unwrap_err()
                .to_string()
                .contains("did you mean `token`")
        );
    }

    #[test]
    fn the_standard_registry_may_be_moved_with_both_keys() {
        let config =
            parse("[registry]\nstandard_ref = \"v4.600.0\"\nstandard_sha256 = \"sha256:00\"\n")
                .unwrap();
        assert_eq!(config.registry.standard_ref.as_deref(), Some("v4.600.0"));
        let err = parse("[registry]\nstandard_ref = \"v4.600.0\"\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("[registry] needs both standard_ref and standard_sha256"),
            "{err}"
        );
    }
}
