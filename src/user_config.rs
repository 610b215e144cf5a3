//! The user's own configuration, `config.toml` in vx's configuration directory
//! ([`crate::platform::fs::config_dir`]: `$XDG_CONFIG_HOME/vx`, `%APPDATA%\vx`):
//! settings that belong to a person or a machine rather than a project, such as where
//! GitHub is and the token for it. A missing file is the defaults.
//!
//! It is read as strictly as `vx.toml`: an unknown table or key is an error at its
//! line and column, so a typo never silently drops a setting. Only `[github]` is
//! modelled so far; the network's `[http]`, `url_replacements` and `mirrors` come with
//! the network work. A token never appears in `Debug`, in an error or in output.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::manifest::Location;
use crate::secret::Token;

/// The configuration file's name in vx's configuration directory.
pub const CONFIG_FILE: &str = "config.toml";

/// The largest user config read; a larger file is refused unread.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The user config. `Default` is what a missing file means.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// `[github]`: where GitHub is, and the token for it.
    #[serde(default)]
    pub github: GithubSection,
    /// `[registry]`: the standard registry's ref where no project's lock pins one.
    #[serde(default)]
    pub registry: RegistrySection,
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
/// ([`crate::registry::github::GithubConfig`]).
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
    /// The user config's path: `config.toml` in [`crate::platform::fs::config_dir`];
    /// `None` when no configuration directory is known.
    pub fn path() -> Option<PathBuf> {
        crate::platform::fs::config_dir().map(|dir| dir.join(CONFIG_FILE))
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
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(UserConfig::default());
            }
            Err(e) => return Err(read_err(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_CONFIG_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(invalid(&format!(
                "over {MAX_CONFIG_BYTES} bytes; that is not a vx config"
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| invalid("the file is not valid UTF-8"))?;
        UserConfig::parse(path, &text)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<UserConfig, UserConfigError> {
        let config: UserConfig = toml::from_str(text).map_err(|e| UserConfigError::Invalid {
            path: path.to_owned(),
            location: e.span().map(|s| Location::from_offset(text, s.start)),
            problem: problem(e.message()),
        })?;
        let registry = &config.registry;
        if registry.standard_ref.is_some() != registry.standard_sha256.is_some() {
            return Err(UserConfigError::Invalid {
                path: path.to_owned(),
                location: None,
                problem: "[registry] needs both standard_ref and standard_sha256".to_owned(),
            });
        }
        Ok(config)
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
    vx_tui::text::sanitize(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<UserConfig, UserConfigError> {
        UserConfig::parse(Path::new("/home/u/.config/vx/config.toml"), text)
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
        assert!(
            msg.starts_with("/home/u/.config/vx/config.toml:3:3: unknown field `tokn`"),
            "{msg}"
        );
        assert!(!msg.contains("ghp_abc"), "{msg}");
        let err = parse("[githbu]\n").unwrap_err().to_string();
        assert!(err.contains(":1:2: unknown field `githbu`"), "{err}");
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
