//! Registry credentials from docker's `config.json` (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`): `auths` keyed by registry, each with a base64
//! `auth` (`user:password`) or a `username` and `password`. Credential helpers
//! (`credsStore`, `credHelpers`) and identity tokens are not supported: a registry that
//! needs one is reached anonymously.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use vx_base::secret::Secret;

/// Largest `config.json` read.
const MAX_BYTES: u64 = 1 << 20;

#[derive(Deserialize, Default)]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// Where docker's config is read from: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json` (`%USERPROFILE%` on Windows).
pub(crate) fn path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|v| !v.is_empty())?;
    Some(PathBuf::from(home).join(".docker").join("config.json"))
}

/// The `Authorization: Basic …` value for the registry at `authority` (`HOST[:PORT]`),
/// when docker's config has credentials for it. A missing file is no credentials; an
/// unreadable or malformed one is an error (which names the file, never a secret).
pub(crate) fn basic_for(authority: &str) -> Result<Option<Secret>, DockerConfigError> {
    let Some(path) = path() else {
        return Ok(None);
    };
    let text = match vx_base::bounded_read::read_to_string(&path, MAX_BYTES) {
        Ok(text) => text,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(source) => return Err(DockerConfigError::Read { path, source }),
    };
    let config: ConfigFile = match serde_json::from_str(&text) {
        Ok(config) => config,
        Err(e) => {
            return Err(DockerConfigError::NotConfig {
                path,
                line: e.line(),
                column: e.column(),
            });
        }
    };
    basic_in(&config, authority).map_err(|problem| DockerConfigError::Auth { path, problem })
}

/// Why docker's config cannot give a registry's credentials (naming the file, never a
/// secret).
#[derive(Debug, thiserror::Error)]
pub(crate) enum DockerConfigError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: vx_base::bounded_read::ReadError,
    },
    /// Not JSON of config.json's shape (where, never what: it holds secrets).
    #[error("{} is not docker's config.json (line {line}, column {column})", path.display())]
    NotConfig {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// The column.
        column: usize,
    },
    /// The registry's entry cannot be used.
    #[error("{}: {problem}", path.display())]
    Auth {
        /// The file.
        path: PathBuf,
        /// What is wrong with the entry.
        problem: AuthProblem,
    },
}

/// What is wrong with a registry's `auth` in docker's config.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AuthProblem {
    /// Not base64.
    #[error("the `auth` of {key} is not base64")]
    NotBase64 {
        /// The registry's key.
        key: String,
    },
    /// Not `user:password` once decoded.
    #[error("the `auth` of {key} is not user:password")]
    NotUserPassword {
        /// The registry's key.
        key: String,
    },
}

/// [`basic_for`] over a parsed config.
fn basic_in(config: &ConfigFile, authority: &str) -> Result<Option<Secret>, AuthProblem> {
    let Some((key, entry)) = config
        .auths
        .iter()
        .find(|(key, _)| registry_key(key) == authority.to_ascii_lowercase())
    else {
        return Ok(None);
    };
    let pair = match (&entry.auth, &entry.username, &entry.password) {
        (Some(auth), _, _) if !auth.is_empty() => {
            let bytes = STANDARD
                .decode(auth.trim())
                .map_err(|_| AuthProblem::NotBase64 { key: key.clone() })?;
            let not_pair = || AuthProblem::NotUserPassword { key: key.clone() };
            let text = String::from_utf8(bytes).map_err(|_| not_pair())?;
            if !text.contains(':') {
                return Err(not_pair());
            }
            text
        }
        (_, Some(user), Some(password)) => format!("{user}:{password}"),
        _ => return Ok(None),
    };
    Ok(Some(Secret::new(format!(
        "Basic {}",
        STANDARD.encode(pair.as_bytes())
    ))))
}

/// A key of `auths` (`registry.corp`, `https://registry.corp/v1/`, `host:5000`) as
/// `host[:port]`, lower-case.
fn registry_key(key: &str) -> String {
    let rest = key.split_once("://").map_or(key, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> ConfigFile {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn credentials_are_found_by_host_and_port_in_every_spelling_docker_writes() {
        let auth = STANDARD.encode("ci:s3cret");
        let c = config(&format!(
            r#"{{"auths": {{"https://Registry.Corp:5000/v1/": {{"auth": "{auth}"}},
                "other.corp": {{"username": "u", "password": "p"}}}},
               "credsStore": "desktop"}}"#
        ));
        let basic = basic_in(&c, "registry.corp:5000").unwrap().unwrap();
        assert_eq!(basic.expose(), format!("Basic {auth}"));
        assert_eq!(format!("{basic:?}"), "***");
        let other = basic_in(&c, "other.corp").unwrap().unwrap();
        assert_eq!(other.expose(), format!("Basic {}", STANDARD.encode("u:p")));
        assert!(basic_in(&c, "registry.corp").unwrap().is_none());
    }

    #[test]
    fn a_malformed_auth_is_an_error_that_shows_no_secret() {
        let c = config(r#"{"auths": {"r.corp": {"auth": "%%%notbase64"}}}"#);
        let err = basic_in(&c, "r.corp").unwrap_err().to_string();
        assert!(err.contains("not base64"), "{err}");
        assert!(!err.contains("notbase64"));
    }
}
