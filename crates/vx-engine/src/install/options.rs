//! [`InstallOptions`]: what an install is tuned with besides its tool's config,
//! timeouts, the safety caps, the network and the work area; its defaults are vx's.

use std::sync::Arc;
use std::time::Duration;

use vx_model::config_frame::InstallConfig;
use vx_net::NetConfig;
use vx_sources::settings::network::NetConfigError;

use super::ExtractLimits;
use crate::store;

/// Tunables of an install that are not part of the tool's config: timeouts and the
/// safety caps. [`Default`] is what `vx` uses.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// Longest wait to resolve and connect to a server.
    pub connect_timeout: Duration,
    /// Longest wait for any single read from a server (a stalled download fails).
    pub read_timeout: Duration,
    /// Largest download accepted.
    pub max_download_bytes: u64,
    /// The download's exact size when the lock records it ([`vx_model::spec::ToolSpec::size`]): a
    /// larger `Content-Length` is refused up front, a longer body cut off at it.
    pub expected_size: Option<u64>,
    /// Caps on what the archive may unpack to.
    pub extract: ExtractLimits,
    /// How often a running post-install command is checked for cancellation.
    pub post_install_poll: Duration,
    /// The waits before each retry of a download that failed transiently (connection
    /// refused or reset, dropped mid-body, timeout, HTTP 5xx or 429): one more attempt
    /// per entry, so the default two give three attempts.
    pub retry_delays: Vec<Duration>,
    /// How often a wait (backoff, another vx's lock) checks for cancellation.
    pub wait_poll: Duration,
    /// This process leads a process tree of its own (a `vx sync` child on Unix:
    /// `vx_base::platform::process::leads_own_tree`): a cancelled `post_install` is
    /// ended by a SIGTERM to the whole group, which reaches whatever the command forked
    /// even when no parent is left to kill the group. (On Windows the parent's Job
    /// Object ends what the command leaves once the child has exited.)
    pub own_process_group: bool,
    /// The network's settings (trust, proxies, credentials, URL rewrites).
    pub net: Arc<NetConfig>,
    /// Secret headers sent with the download, to its first origin only (a mirror's
    /// registry token: [`vx_sources::mirror`]). Empty for a tool's own URL, which gets the
    /// configured credentials ([`vx_net::Client`]).
    pub source_headers: Vec<(String, vx_base::secret::Secret)>,
    /// The work directory this process's installs take turns in (a `vx sync` child's
    /// batch, [`store::WorkArea`]); `None`: each install makes its own.
    pub work_area: Option<Arc<store::WorkArea>>,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            max_download_bytes: 8 << 30,
            expected_size: None,
            extract: ExtractLimits::default(),
            post_install_poll: Duration::from_millis(50),
            retry_delays: vec![Duration::from_millis(250), Duration::from_secs(1)],
            wait_poll: Duration::from_millis(50),
            own_process_group: false,
            net: Arc::default(),
            source_headers: Vec::new(),
            work_area: None,
        }
    }
}

impl InstallOptions {
    /// The options for `cfg`: the defaults, with its read timeout and the network
    /// settings of its project, this process's environment and the user config.
    pub fn for_config(cfg: &InstallConfig) -> Result<InstallOptions, NetConfigError> {
        let net = Arc::new(vx_sources::settings::network::load(&cfg.network)?);
        Ok(InstallOptions::for_config_with(cfg, net))
    }

    /// [`InstallOptions::for_config`] with the network settings `net` already made from
    /// `cfg.network` (a batch's tools share them: the user config, read once).
    pub(crate) fn for_config_with(cfg: &InstallConfig, net: Arc<NetConfig>) -> InstallOptions {
        let mut opts = InstallOptions {
            net,
            ..InstallOptions::default()
        };
        if let Some(secs) = cfg.read_timeout_secs {
            opts.read_timeout = Duration::from_secs(u64::from(secs));
        }
        opts.expected_size = cfg.spec.size;
        opts
    }
}
