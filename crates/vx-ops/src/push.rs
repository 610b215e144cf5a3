//! `vx mirror push` and `vx bundle export`'s work: the project's lock, its locked
//! downloads and an OCI image manifest sent to a target ([`vx_project::fleet::push`]): a
//! registry, or an image layout on disk. The downloads the target lacks are gathered
//! through the sync pipeline with the request's settings and the project's network
//! settings. Nothing here prints to stdout: progress goes to the writer given.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use crate::session::{Session, SessionError};
use vx_net::{Client, Timeouts};
use vx_project::fleet::push::{self, Push, PushError, Pushed, Target};
use vx_sources::settings::network::NetConfigError;
use vx_sync::Settings;

/// What to push.
pub struct Request<'a> {
    /// Where to: a registry, or an image layout.
    pub target: &'a Target,
    /// The platforms (empty: every locked one).
    pub platforms: Vec<String>,
    /// Tags besides the lock's.
    pub tags: &'a [String],
    /// How the downloads run and report; its network part is replaced by the project's.
    pub settings: Settings,
    /// Seconds a read may wait.
    pub read_timeout: u32,
}

/// A push that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PushOpError {
    /// No project, or it could not be opened.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The project's network settings are wrong (the user's to fix).
    #[error(transparent)]
    Network(#[from] NetConfigError),
    /// The push itself failed.
    #[error(transparent)]
    Push(#[from] PushError),
}

/// Pushes the project's lock to the request's target; `progress` gets the pipeline's
/// lines.
pub fn push(
    session: &Session,
    request: Request<'_>,
    progress: &mut dyn Write,
) -> Result<Pushed, PushOpError> {
    let manifest = session.project()?;
    // Read once: the registry's client uses the settings, the children get the
    // project's part.
    let net = vx_sources::settings::network::load(&manifest.network)?;
    let mut settings = request.settings;
    settings.network = manifest.network.clone();
    settings.read_timeout_secs = Some(request.read_timeout);
    let timeouts = Timeouts {
        read: Duration::from_secs(u64::from(request.read_timeout)),
        ..Timeouts::default()
    };
    let client = Client::new(Arc::new(net), timeouts);
    let lock_path = manifest.lock_path();
    let job = Push {
        lock_path: &lock_path,
        trusted: vx_engine::trust::is_trusted(&manifest.path),
        platforms: &request.platforms,
        tags: request.tags,
        settings: &settings,
        client,
    };
    Ok(push::push(request.target, &job, progress)?)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A push that could not be made: a missing lock is a usage error (exit 2), an
    // interrupted download 130, anything else the environment's (exit 1).
    PushOpError => |e| {
        use crate::push::PushOpError;
        match e {
            PushOpError::Session(e) => e.into(),
            PushOpError::Network(e) => Error::usage(Because::new("network settings", e)),
            PushOpError::Push(e) if e.is_interrupted() => Error::with_code(INTERRUPTED, e),
            PushOpError::Push(e) if e.is_usage() => Error::usage(e),
            PushOpError::Push(e) => Error::environment(e),
        }
    };
}
