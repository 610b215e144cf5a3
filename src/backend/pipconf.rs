//! Which Python package index to read, as pip and uv are configured (pip's
//! "Configuration" docs, uv's "Package indexes"): `PIP_INDEX_URL`, then uv's
//! `UV_INDEX_URL` / `UV_DEFAULT_INDEX`, then pip's configuration files
//! (`PIP_CONFIG_FILE`, else `$XDG_CONFIG_HOME/pip/pip.conf` or `~/.config/pip/pip.conf`,
//! `~/.pip/pip.conf`; `%APPDATA%\pip\pip.ini` on Windows): `index-url` of `[global]`
//! (or `[install]`), else PyPI.
//!
//! An index URL may carry credentials (`https://user:token@host/simple/`): they are
//! taken out of it into an `Authorization` header ([`Secret`]), so no URL that reaches
//! a lock, a message or a board holds them.

use std::path::PathBuf;

use base64::Engine;

use super::npmrc::Registry;
use crate::secret::Secret;

/// PyPI's simple index.
pub const PYPI: &str = "https://pypi.org/simple";

/// The index the environment and pip's files name, credentials split out.
pub fn index(env: &dyn Fn(&str) -> Option<String>) -> Registry {
    let named = ["PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX"]
        .iter()
        .find_map(|k| env(k).filter(|v| !v.trim().is_empty()))
        .or_else(|| {
            files(env)
                .into_iter()
                .find_map(|f| std::fs::read_to_string(f).ok().and_then(|t| index_url(&t)))
        });
    split_credentials(named.as_deref().unwrap_or(PYPI))
}

/// pip's configuration files, the one that wins first.
fn files(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    if let Some(file) = env("PIP_CONFIG_FILE").filter(|f| !f.is_empty()) {
        return vec![PathBuf::from(file)];
    }
    let mut out = Vec::new();
    if let Some(appdata) = env("APPDATA").filter(|a| !a.is_empty()) {
        out.push(PathBuf::from(appdata).join("pip").join("pip.ini"));
    }
    let home = env("HOME").filter(|h| !h.is_empty());
    match env("XDG_CONFIG_HOME").filter(|x| x.starts_with('/')) {
        Some(xdg) => out.push(PathBuf::from(xdg).join("pip/pip.conf")),
        None => {
            if let Some(home) = &home {
                out.push(PathBuf::from(home).join(".config/pip/pip.conf"));
            }
        }
    }
    if let Some(home) = &home {
        out.push(PathBuf::from(home).join(".pip/pip.conf"));
    }
    out
}

/// `index-url` of a pip configuration file's `[global]` or `[install]` section.
pub fn index_url(text: &str) -> Option<String> {
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        if !matches!(section.as_str(), "global" | "install") {
            continue;
        }
        if let Some((key, value)) = line.split_once(['=', ':'])
            && matches!(key.trim(), "index-url" | "index_url")
        {
            return Some(value.trim().to_owned());
        }
    }
    None
}

/// `url` without its `user:password@`, and those as a basic `Authorization`.
pub fn split_credentials(url: &str) -> Registry {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return Registry {
            url: url.to_owned(),
            authorization: None,
        };
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            let decode = |s: &str| {
                String::from_utf8_lossy(&crate::validate::percent_decoded(s)).into_owned()
            };
            let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                decode(user),
                decode(password)
            ));
            Registry {
                url: format!("{scheme}://{host}{}", &rest[authority_end..]),
                authorization: Some(Secret::new(format!("Basic {basic}"))),
            }
        }
        None => Registry {
            url: url.to_owned(),
            authorization: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_read_as_pip_and_uv_read_it() {
        let none = |_: &str| None;
        assert_eq!(index(&none).url, PYPI);
        let uv = |k: &str| (k == "UV_INDEX_URL").then(|| "https://uv.example/simple/".to_owned());
        assert_eq!(index(&uv).url, "https://uv.example/simple");
        let both = |k: &str| match k {
            "UV_INDEX_URL" => Some("https://uv.example/simple/".to_owned()),
            "PIP_INDEX_URL" => Some("https://alice:s%40cret@pip.example/simple/".to_owned()),
            _ => None,
        };
        let registry = index(&both);
        assert_eq!(registry.url, "https://pip.example/simple");
        let auth = registry.authorization.unwrap();
        assert_eq!(
            auth.expose(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("alice:s@cret")
            )
        );
        assert_eq!(
            index_url("[global]\ntimeout = 60\nindex-url = https://corp.example/pypi/simple\n")
                .as_deref(),
            Some("https://corp.example/pypi/simple")
        );
        assert_eq!(index_url("[freeze]\nindex-url = x\n"), None);
    }
}
