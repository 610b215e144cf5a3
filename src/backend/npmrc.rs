//! Which npm registry a package comes from, and with what credentials, as the npm
//! client reads its configuration (npm's docs, "npmrc" and "config"): the project's
//! `.npmrc` (beside vx.toml), then the user's (`$NPM_CONFIG_USERCONFIG`, else
//! `~/.npmrc`), the environment's `NPM_CONFIG_REGISTRY` above both.
//!
//! - `registry=URL`: the default registry (`https://registry.npmjs.org/`).
//! - `@scope:registry=URL`: the registry of one scope's packages.
//! - `//host/path/:_authToken=TOKEN` (a bearer token) or `//host/path/:_auth=BASE64`
//!   (basic): credentials for the registry URLs under that prefix; `${VAR}` is
//!   replaced by the environment's value, as npm does.
//!
//! Credentials are [`Secret`]s: sent as a header to their registry only, never
//! written into a lock, a message or a board.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::secret::Secret;

/// npm's default registry.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";

/// The npm configuration vx reads.
#[derive(Clone, Debug, Default)]
pub struct Npmrc {
    /// `registry=`, when set.
    registry: Option<String>,
    /// `@scope:registry=`, by scope (with its `@`).
    scopes: BTreeMap<String, String>,
    /// `//prefix:_authToken=` / `_auth=`, by prefix (`//host/path/`), as the header's
    /// value (`Bearer …`, `Basic …`).
    auth: BTreeMap<String, Secret>,
}

/// A registry to read a package from.
#[derive(Clone, Debug)]
pub struct Registry {
    /// Its URL, without a trailing `/`.
    pub url: String,
    /// The `Authorization` header's value for it, when the configuration gives one.
    pub authorization: Option<Secret>,
}

impl Npmrc {
    /// The configuration of a project in `project_dir` (`None`: none) for this user,
    /// `env` giving the environment's variables.
    pub fn load(project_dir: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Npmrc {
        let mut rc = Npmrc::default();
        let user = env("NPM_CONFIG_USERCONFIG")
            .or_else(|| env("npm_config_userconfig"))
            .map(PathBuf::from)
            .or_else(|| {
                env("HOME")
                    .or_else(|| env("USERPROFILE"))
                    .filter(|h| !h.is_empty())
                    .map(|h| PathBuf::from(h).join(".npmrc"))
            });
        // Later files win: the user's, then the project's.
        for file in user
            .into_iter()
            .chain(project_dir.map(|d| d.join(".npmrc")))
        {
            if let Ok(text) = std::fs::read_to_string(&file) {
                rc.read(&text, env);
            }
        }
        if let Some(url) = env("NPM_CONFIG_REGISTRY").or_else(|| env("npm_config_registry")) {
            rc.registry = Some(url);
        }
        rc
    }

    /// Reads one `.npmrc`'s lines over what is known.
    pub fn read(&mut self, text: &str, env: &dyn Fn(&str) -> Option<String>) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(['#', ';']) {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), expand(value.trim().trim_matches('"'), env));
            if key == "registry" {
                self.registry = Some(value);
            } else if let Some(scope) = key.strip_suffix(":registry")
                && scope.starts_with('@')
            {
                self.scopes.insert(scope.to_owned(), value);
            } else if let Some(prefix) = key.strip_suffix(":_authToken") {
                self.auth
                    .insert(prefix.to_owned(), Secret::new(format!("Bearer {value}")));
            } else if let Some(prefix) = key.strip_suffix(":_auth") {
                self.auth
                    .insert(prefix.to_owned(), Secret::new(format!("Basic {value}")));
            }
        }
    }

    /// With `url` as the registry of `package` where no file names one (the registry a
    /// lock recorded for it, on a machine whose `.npmrc` says nothing of it).
    pub fn or_registry_of(mut self, package: &str, url: &str) -> Npmrc {
        match package.split_once('/').filter(|(s, _)| s.starts_with('@')) {
            Some((scope, _)) => {
                self.scopes
                    .entry(scope.to_owned())
                    .or_insert_with(|| url.to_owned());
            }
            None => {
                self.registry.get_or_insert_with(|| url.to_owned());
            }
        }
        self
    }

    /// The registry of `package` (`@scope/name` → its scope's, else the default).
    pub fn registry_for(&self, package: &str) -> Registry {
        let scoped = package
            .split_once('/')
            .filter(|(scope, _)| scope.starts_with('@'))
            .and_then(|(scope, _)| self.scopes.get(scope));
        let url = scoped
            .or(self.registry.as_ref())
            .map_or(DEFAULT_REGISTRY, String::as_str)
            .trim_end_matches('/')
            .to_owned();
        let authorization = self.auth_for(&url);
        Registry { url, authorization }
    }

    /// Every `//host/path/` prefix with its `Authorization` value, for the network's
    /// credentials (`crate::net::Credentials::with_prefixes`).
    pub fn auth_prefixes(&self) -> Vec<(String, Secret)> {
        self.auth
            .iter()
            .map(|(p, s)| (p.clone(), s.clone()))
            .collect()
    }

    /// The credentials of the longest `//host/path/` prefix that `url` is under.
    pub fn auth_for(&self, url: &str) -> Option<Secret> {
        let bare = url.split_once("://").map_or(url, |(_, rest)| rest);
        let bare = format!("//{}/", bare.trim_end_matches('/'));
        self.auth
            .iter()
            .filter(|(prefix, _)| {
                let prefix = if prefix.ends_with('/') {
                    (*prefix).clone()
                } else {
                    format!("{prefix}/")
                };
                bare.starts_with(&prefix)
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, secret)| secret.clone())
    }
}

/// The configuration vx gives an npm it runs (`npm install --package-lock-only` at lock
/// time, `npm ci` at install), so the tool's dependencies come from the registries the
/// user's and the project's `.npmrc` name, with their tokens, as the tool itself does:
/// written as the project-level `.npmrc` of the directory npm runs in (above the
/// user's own, which npm still reads for everything else).
#[derive(Clone, Debug, Default)]
pub struct ForNpm {
    /// The `.npmrc` text: `registry=`, each `@scope:registry=` (after
    /// `url_replacements`), and each token as `${VX_NPM_AUTH_N}`, never its value, so
    /// no secret is written to disk.
    pub text: String,
    /// The variables those `${…}` name, with their values: set in npm's environment
    /// only.
    pub env: Vec<(String, Secret)>,
    /// Every registry URL npm is sent to (as configured and as rewritten), without a
    /// trailing `/`: a `resolved` URL under one of them is left out of the lock.
    pub registries: Vec<String>,
}

impl Npmrc {
    /// What an npm run by vx is given, each registry URL passed through `rewrite`
    /// (`url_replacements`): a token for `//host/path/` is given for that prefix, and
    /// for where `url_replacements` sends it, as vx's own reads send it there.
    pub fn for_npm(&self, rewrite: &dyn Fn(&str) -> String) -> ForNpm {
        let mut out = ForNpm::default();
        let mut registry = |url: &str| {
            let url = url.trim_end_matches('/');
            let fetched = rewrite(&format!("{url}/"));
            for base in [url, fetched.trim_end_matches('/')] {
                if !out.registries.iter().any(|r| r == base) {
                    out.registries.push(base.to_owned());
                }
            }
            fetched
        };
        let mut text = format!(
            "registry={}\n",
            registry(self.registry.as_deref().unwrap_or(DEFAULT_REGISTRY))
        );
        for (scope, url) in &self.scopes {
            text.push_str(&format!("{scope}:registry={}\n", registry(url)));
        }
        for (n, (prefix, secret)) in self.auth.iter().enumerate() {
            let (key, value) = match secret.expose().split_once(' ') {
                Some(("Bearer", token)) => ("_authToken", token),
                Some(("Basic", basic)) => ("_auth", basic),
                _ => continue,
            };
            let var = format!("VX_NPM_AUTH_{n}");
            let rewritten = rewrite(&format!("https:{prefix}"));
            let moved = rewritten
                .split_once("://")
                .map(|(_, rest)| format!("//{rest}"))
                .filter(|p| p != prefix);
            for prefix in std::iter::once(prefix.clone()).chain(moved) {
                // npm's own rule: a credential line's key must end its path with `/`.
                let prefix = match prefix.ends_with('/') {
                    true => prefix,
                    false => format!("{prefix}/"),
                };
                text.push_str(&format!("{prefix}:{key}=${{{var}}}\n"));
            }
            out.env.push((var, Secret::new(value.to_owned())));
        }
        out.text = text;
        out
    }
}

/// `${VAR}` replaced by the environment's value (empty when unset), as npm does.
fn expand(value: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&env(&rest[start + 2..start + 2 + len]).unwrap_or_default());
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_tokens_are_read_as_npm_reads_them() {
        let env = |k: &str| (k == "CORP_TOKEN").then(|| "s3cret".to_owned());
        let mut rc = Npmrc::default();
        rc.read(
            "; a comment\nregistry=https://npm.corp.example/repo/\n@biomejs:registry=https://mirror.example/npm/\n//npm.corp.example/repo/:_authToken=${CORP_TOKEN}\n",
            &env,
        );
        let plain = rc.registry_for("esbuild");
        assert_eq!(plain.url, "https://npm.corp.example/repo");
        assert_eq!(
            plain.authorization.as_ref().map(|s| s.expose().to_owned()),
            Some("Bearer s3cret".to_owned())
        );
        assert!(!format!("{plain:?}").contains("s3cret"), "never shown");
        let scoped = rc.registry_for("@biomejs/biome");
        assert_eq!(scoped.url, "https://mirror.example/npm");
        assert!(
            scoped.authorization.is_none(),
            "the token is not that host's"
        );
        let default = Npmrc::default().registry_for("@esbuild/linux-x64");
        assert_eq!(default.url, DEFAULT_REGISTRY);
    }

    #[test]
    fn npm_is_given_the_registries_and_tokens_by_name_only() {
        let env = |k: &str| (k == "CORP_TOKEN").then(|| "s3cret".to_owned());
        let mut rc = Npmrc::default();
        rc.read(
            "@corp:registry=https://npm.corp.example/repo/\n//npm.corp.example/repo/:_authToken=${CORP_TOKEN}\n//other.example/:_auth=dTpw\n",
            &env,
        );
        let rewrite = |url: &str| {
            url.replace("https://registry.npmjs.org/", "http://127.0.0.1:9/npmjs/")
                .replace("https://npm.corp.example/", "http://127.0.0.1:9/corp/")
        };
        let given = rc.for_npm(&rewrite);
        assert_eq!(
            given.text,
            "registry=http://127.0.0.1:9/npmjs/\n@corp:registry=http://127.0.0.1:9/corp/repo/\n//npm.corp.example/repo/:_authToken=${VX_NPM_AUTH_0}\n//127.0.0.1:9/corp/repo/:_authToken=${VX_NPM_AUTH_0}\n//other.example/:_auth=${VX_NPM_AUTH_1}\n"
        );
        let values: Vec<(&str, &str)> = given
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            values,
            [("VX_NPM_AUTH_0", "s3cret"), ("VX_NPM_AUTH_1", "dTpw")]
        );
        assert!(!format!("{given:?}").contains("s3cret"));
        assert_eq!(
            given.registries,
            [
                "https://registry.npmjs.org",
                "http://127.0.0.1:9/npmjs",
                "https://npm.corp.example/repo",
                "http://127.0.0.1:9/corp/repo"
            ]
        );
    }
}
