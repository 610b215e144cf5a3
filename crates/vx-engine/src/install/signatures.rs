//! What the child's signature checks need from the program ([`vx_net::verify::Context`]):
//! its HTTP client, the user config's Sigstore trusted root (read only when a Sigstore
//! check runs: an install from a fresh lock never reads it), and GitHub's attestations
//! through the GitHub client, with its hosts and token rules.

use std::sync::Arc;

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use vx_model::user_config::{UserConfig, UserConfigError};
use vx_net::Client;
use vx_net::verify::ContextError;
use vx_sources::github::{Github, GithubConfig};

use super::{InstallError, InstallOptions, ProgressSink, fetch};

/// The child's [`vx_net::verify::Context`].
pub(crate) struct ChildContext {
    /// The client; `None` under `--offline`.
    pub client: Option<Client>,
    /// The user config, read at the first check that needs it (the trusted root, the
    /// GitHub token), once.
    pub user: std::sync::OnceLock<Result<UserConfig, Arc<UserConfigError>>>,
}

impl ChildContext {
    fn user(&self) -> Result<&UserConfig, ContextError> {
        self.user
            .get_or_init(|| UserConfig::load().map_err(Arc::new))
            .as_ref()
            .map_err(|e| ContextError::Program(Box::new(Arc::clone(e))))
    }
}

impl vx_net::verify::Context for ChildContext {
    fn client(&self) -> Option<&Client> {
        self.client.as_ref()
    }

    fn trusted_root(&self) -> Result<Option<std::path::PathBuf>, ContextError> {
        Ok(self.user()?.verify.trusted_root.clone())
    }

    fn attestations(
        &self,
        owner: &str,
        name: &str,
        sha256: &str,
        max: u64,
    ) -> Result<Vec<u8>, ContextError> {
        let Some(client) = &self.client else {
            return Err(ContextError::Offline);
        };
        let program = |e| ContextError::Program(Box::new(e));
        let config = GithubConfig::from_env(self.user()?).map_err(program)?;
        Github::new(config, client.clone(), None, false)
            .attestations(owner, name, sha256, max)
            .map_err(program)
    }
}

/// Checks the signatures `cfg`'s tool must carry ([`vx_net::verify`]) over the bytes
/// just downloaded and hashed, before anything is unpacked into the store or recorded;
/// returns what was verified, for the receipt (and from it the lock).
pub(super) fn verify(
    cfg: &InstallConfig,
    download: &fetch::Download,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Option<String>, InstallError> {
    let Some(checks) = cfg.spec.verify.as_ref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    sink.phase(Phase::Downloading, "checking the signature");
    let cx = ChildContext {
        client: (!cfg.offline).then(|| fetch::client(opts)),
        user: std::sync::OnceLock::new(),
    };
    let verified = vx_net::verify::verify_download(
        &download.path,
        &download.sha256,
        &cfg.spec.url,
        checks,
        &cx,
    )?;
    Ok(Some(verified))
}
