//! Tools named by a registry, pinned: from a name and a constraint in vx.toml
//! (`ripgrep = "14"`) to the concrete downloads the rest of vx installs.
//!
//! - [`pinned`]: a lock entry back into a concrete table, offline (the install path:
//!   no registry, no GitHub).
//! - [`network`]: GitHub and the cache for one run, and its progress lines.
//! - [`resolver`]: names to packages (the project's registries), constraints to
//!   versions (GitHub's releases), versions to each platform's download and checksum.
//! - [`runtime`]: language runtimes (`node = "20"`) resolved from their publishers'
//!   indexes into the same lock entries, and pinned back with their layout.
//! - [`backend`]: language-registry tools (`"npm:esbuild" = "0.24"`) resolved from
//!   their registries' metadata into the same lock entries, pinned by the
//!   registries' own hashes.
//! - [`signatures`] and [`provenance`]: what verifies that checksum when a version is
//!   locked (the checksum file's signatures; GitHub's attestations and SLSA provenance
//!   of the asset's digest).
//!
//! This room sits between the registry format (`vx_sources::registry`, which knows nothing
//! of manifests or locks) and the project (`vx_project::plan`), which hands the
//! concrete tables to the same sync as any tool with a URL of its own.

pub(crate) mod at_version;
pub mod backend;
pub(crate) mod concrete;
pub(crate) mod named;
pub mod needs;
pub mod network;
pub mod pinned;
pub(crate) mod provenance;
pub mod resolver;
pub mod runtime;
pub(crate) mod signatures;

pub use named::{Listed, Named};
pub use network::{Network, Options};
pub use resolver::Resolver;

use vx_model::lock::Lock;
use vx_model::manifest::{Manifest, Platform};

/// Resolves the registry tools a lock does not pin yet: looks each name up, picks the
/// newest version its constraint allows, and fills the lock entry (constraint,
/// package, registry pin, tag; each platform's URL, format, executables and — where a
/// checksum file or GitHub's digest says it — sha256), making the tool concrete in
/// `manifest`. An implementation reaches registries and GitHub.
///
/// It also carries the one choice a re-lock leaves to the user: whether a tool may be
/// locked at a version that loses the verification its locked version had
/// (`--allow-provenance-loss`). The resolver judges registry tools by it, the project
/// judges URL tools by it (`vx_project::plan`), so every command that re-locks applies
/// the same gate with the same answer.
pub trait Resolve {
    /// Resolves the tools named `names` of `manifest` for `platforms`, recording them
    /// in `lock`.
    fn resolve(
        &self,
        manifest: &mut Manifest,
        names: &[String],
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<(), ResolutionError>;

    /// Whether a loss of provenance is allowed (`--allow-provenance-loss`); refused
    /// unless an implementation says otherwise.
    fn allows_provenance_loss(&self) -> bool {
        false
    }
}

/// Resolves through the project's registries and GitHub, set up only when a tool
/// needs it (a locked project's sync reaches neither).
pub struct OnDemand {
    /// How.
    pub options: Options,
    /// The runtimes the project can name.
    pub catalogue: std::sync::Arc<vx_sources::runtime::catalogue::Catalogue>,
}

impl Resolve for OnDemand {
    fn resolve(
        &self,
        manifest: &mut Manifest,
        names: &[String],
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<(), ResolutionError> {
        let net = Network::from_env(self.options.clone())?;
        let resolver = Resolver::new(&net, Some(manifest), Some(lock), &self.catalogue)?;
        resolver.resolve(manifest, names, platforms, lock)
    }

    fn allows_provenance_loss(&self) -> bool {
        self.options.allow_provenance_loss
    }
}

/// Why a registry tool could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolutionError {
    /// Resolving was not possible here and the lock does not pin these tools.
    #[error("vx.lock does not pin {} yet; run `vx lock` where the registries and GitHub can be reached", .tools.join(", "))]
    NotPinned {
        /// The tools.
        tools: Vec<String>,
    },
    /// A name or constraint of vx.toml that resolves to nothing (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The network, GitHub or a registry failed (exit 1).
    #[error("{0}")]
    Environment(String),
    /// Nothing answered: GitHub or a registry could not be reached at all (DNS,
    /// connect, TLS, proxy, timeout; exit 1). What else needs the same place fails
    /// alike, so a caller that goes on says it once, with what helps
    /// ([`UNREACHABLE_HELP`]).
    #[error("{0}")]
    Unreachable(String),
    /// A signature the registry declares did not verify (exit 1): the version is
    /// refused.
    #[error("{0}")]
    Verify(String),
}

/// What helps when GitHub or a registry cannot be reached: never a token (no answer
/// came to refuse one).
pub const UNREACHABLE_HELP: &str = "with the cache an earlier run filled, `VX_OFFLINE=1` (or `--offline`, where the command takes it) works without the network; otherwise reach GitHub through a mirror or a proxy you can reach: `url_replacements` or `mirrors` in the user config, or HTTPS_PROXY";

impl ResolutionError {
    /// Whether vx.toml is at fault (exit 2) rather than the machine or network.
    pub fn is_usage(&self) -> bool {
        matches!(self, ResolutionError::Usage(_))
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // vx.toml's fault (exit 2) or the network's (exit 1; nothing answered: what
    // helps, never a token).
    ResolutionError => |e| {
        use crate::resolution::{ResolutionError, UNREACHABLE_HELP};
        match e {
            e if e.is_usage() => Error::usage(e),
            ResolutionError::Unreachable(why) => {
                Error::environment(format!("{why}; {UNREACHABLE_HELP}"))
            }
            e => Error::environment(e),
        }
    };
}
