//! What resolving reaches: GitHub (releases, tags, checksum files, the standard
//! registry's file) through one client, with its cache, token and offline switch,
//! and the progress lines a resolution shows on stderr.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vx_model::manifest::Manifest;
use vx_model::manifest::network::ProjectNet;
use vx_model::user_config::UserConfig;
use vx_net::{Client, NetConfig, Timeouts};
use vx_sources::github::hosts::GithubHosts;
use vx_sources::github::{Github, GithubConfig};
use vx_sources::registry::source::{Fetch, FetchError};

use super::ResolutionError;

/// How a run resolves.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Fetch nothing: registries, versions and checksum files come from the cache.
    pub offline: bool,
    /// Print no progress lines.
    pub quiet: bool,
    /// Also print where `url_replacements` sent each URL (`-v`).
    pub verbose: bool,
    /// GitHub at these hosts, with no token and no user config (the demo's loopback
    /// GitHub); `None`: as the environment and the user config say.
    pub github: Option<GithubHosts>,
    /// The cache here instead of vx's cache directory (the demo's temporary one).
    pub cache_dir: Option<PathBuf>,
    /// The project's network settings (vx.toml's `url_replacements`, `mirrors`).
    pub project: ProjectNet,
    /// Lock a registry tool's new version even when it lost the verification its
    /// locked version had (`--allow-provenance-loss`).
    pub allow_provenance_loss: bool,
    /// The store a runtime installs into when a lock needs it to pin a runtime
    /// tool's environment (the session's `--store`); `None`: the default store.
    pub store: Option<PathBuf>,
}

/// Whether `VX_OFFLINE` asks for offline (set, not empty, not `0`): what a `vx run
/// --offline` gives its tasks, so the vx a task starts (`"$VX" run …`) is offline too.
pub fn offline_env() -> bool {
    std::env::var("VX_OFFLINE").is_ok_and(|v| !v.is_empty() && v != "0")
}

impl Options {
    /// `offline` as asked, or as `VX_OFFLINE=1` says.
    pub fn from_env(offline: bool, quiet: bool) -> Options {
        Options {
            offline: offline || offline_env(),
            quiet,
            verbose: false,
            github: None,
            cache_dir: None,
            project: ProjectNet::default(),
            allow_provenance_loss: false,
            store: None,
        }
    }

    /// These options through `project`'s network settings (vx.toml's
    /// `url_replacements`, `mirrors`); outside a project (`None`), the user's alone.
    pub fn project(self, project: Option<&Manifest>) -> Options {
        Options {
            project: project.map(|m| m.network.clone()).unwrap_or_default(),
            ..self
        }
    }

    /// These options installing a runtime a lock needs into `store` (`None`: the
    /// default store).
    pub fn store(self, store: Option<&Path>) -> Options {
        Options {
            store: store.map(Path::to_path_buf),
            ..self
        }
    }

    /// These options fetching nothing when `offline` (an `--offline` of the caller's
    /// own); offline options stay offline.
    pub fn offline(self, offline: bool) -> Options {
        Options {
            offline: self.offline || offline,
            ..self
        }
    }

    /// These options saying where `url_replacements` sent each URL when `verbose`
    /// (`-v`).
    pub fn verbose(self, verbose: bool) -> Options {
        Options { verbose, ..self }
    }

    /// These options locking a registry tool's new version even when it lost the
    /// verification its locked version had, when `allow` (`--allow-provenance-loss`).
    pub fn allow_provenance_loss(self, allow: bool) -> Options {
        Options {
            allow_provenance_loss: allow,
            ..self
        }
    }
}

/// GitHub and the cache, for one run.
pub struct Network {
    /// The network's settings (trust, proxies, credentials, URL rewrites).
    pub net: Arc<NetConfig>,
    /// The GitHub client (API answers cached with their ETags).
    pub github: Github,
    /// vx's cache directory.
    pub cache_dir: PathBuf,
    /// How the run resolves.
    pub options: Options,
    /// Shows a progress line (the registry sources take it as a callback).
    pub say: Box<dyn Fn(&str)>,
    /// The user config's standard registry (`[registry]`), for runs no lock pins.
    pub standard: Option<(String, String)>,
    /// What a declared attestation or provenance source that cannot answer means
    /// (`VX_ATTESTATIONS_UNAVAILABLE`, else the user config's `[verify]`).
    pub attestations_unavailable: vx_net::verify::Unavailable,
    /// The URLs whose rewrite was shown ([`Network::note_rewrite`]).
    rewrites_shown: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Network {
    /// The network as the environment and the user config describe it.
    pub fn from_env(options: Options) -> Result<Network, ResolutionError> {
        let (user, config) = match &options.github {
            Some(hosts) => (
                UserConfig::default(),
                GithubConfig {
                    hosts: hosts.clone(),
                    ..GithubConfig::default()
                },
            ),
            None => {
                let user = UserConfig::load().map_err(|e| ResolutionError::Usage(e.to_string()))?;
                let config = GithubConfig::from_env(&user)
                    .map_err(|e| ResolutionError::Usage(e.to_string()))?;
                (user, config)
            }
        };
        let cache_dir = match &options.cache_dir {
            Some(dir) => dir.clone(),
            None => vx_base::platform::fs::cache_dir().ok_or_else(|| {
                ResolutionError::Environment(
                    "no cache directory: set VX_CACHE_DIR, XDG_CACHE_HOME or HOME".to_owned(),
                )
            })?,
        };
        let net = vx_sources::settings::network::merged(&options.project, &user)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?;
        let net = Arc::new(net);
        let client = Client::new(net.clone(), Timeouts::default());
        let github = Github::new(
            config,
            client,
            Some(cache_dir.join("github")),
            options.offline,
        );
        let quiet = options.quiet;
        let standard = match (&user.registry.standard_ref, &user.registry.standard_sha256) {
            (Some(r), Some(sha)) => Some((r.clone(), sha.trim_start_matches("sha256:").to_owned())),
            _ => None,
        };
        let attestations_unavailable = vx_net::verify::Unavailable::in_force(
            std::env::var(vx_net::verify::Unavailable::ENV)
                .ok()
                .as_deref(),
            user.verify.attestations_unavailable,
        )
        .map_err(ResolutionError::Usage)?;
        Ok(Network {
            net,
            attestations_unavailable,
            rewrites_shown: Default::default(),
            standard,
            github,
            cache_dir,
            options,
            say: Box::new(move |line| {
                if !quiet {
                    vx_base::note!("vx: {}", vx_text::sanitize(line));
                }
            }),
        })
    }

    /// Where GitHub is.
    pub fn hosts(&self) -> &GithubHosts {
        self.github.hosts()
    }

    /// Shows a progress line on stderr (unless quiet); `line` is sanitized.
    pub(crate) fn progress(&self, line: &str) {
        (self.say)(line);
    }

    /// Shows once, with `-v`, which PyPI index is read and what named it (a variable,
    /// which pip configuration file, or none: PyPI).
    pub(crate) fn note_pip_index(&self, located: &vx_sources::backend::pipconf::Located) {
        if !self.options.verbose {
            return;
        }
        let mut shown = self
            .rewrites_shown
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shown.insert(format!("pip index {}", located.registry.shown)) {
            self.progress(&format!(
                "PyPI index {} from {}",
                located.registry.shown, located.from
            ));
        }
    }

    /// Shows `line` as a progress line once a run, however often it is asked (a
    /// configuration's note, read again by each reader of it).
    pub(crate) fn note_once(&self, line: &str) {
        let mut shown = self
            .rewrites_shown
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shown.insert(format!("note {line}")) {
            self.progress(line);
        }
    }

    /// Shows, once per URL, that `url_replacements` rewrites `url` (`FROM → TO`), as a
    /// progress line with `-v`; nothing when no rule does, nor without `-v` (a mirror
    /// set up once is no news at every run).
    pub(crate) fn note_rewrite(&self, url: &str) {
        if !self.options.verbose {
            return;
        }
        let Some(note) = self.net.rewrites.note(url) else {
            return;
        };
        let mut shown = self
            .rewrites_shown
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if shown.insert(url.to_owned()) {
            self.progress(note.trim_start_matches("vx: "));
        }
    }
}

impl Fetch for Network {
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        self.note_rewrite(url);
        self.github
            .fetch(url, max_bytes)
            .map_err(|e| Box::new(e) as FetchError)
    }
}
