//! Fetching what a project's registries publish beside them (runtime declarations)
//! through the run's network settings (the project's `url_replacements` too), the
//! network made on the first fetch only: a project without such declarations, or with
//! them cached, costs nothing.

use std::cell::OnceCell;
use std::sync::Arc;

use vx_engine::resolution::{Network, Options, ResolutionError};
use vx_model::manifest::network::ProjectNet;
use vx_sources::registry::source::{Fetch, FetchError};

/// A [`Fetch`] whose network is made when first asked.
pub(crate) struct LazyFetch {
    project: ProjectNet,
    net: OnceCell<Result<Network, Arc<ResolutionError>>>,
}

impl LazyFetch {
    /// Fetches through the user's settings and `project`'s.
    pub(crate) fn new(project: ProjectNet) -> LazyFetch {
        LazyFetch {
            project,
            net: OnceCell::new(),
        }
    }
}

impl Fetch for LazyFetch {
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        let net = self.net.get_or_init(|| {
            Network::from_env(Options {
                project: self.project.clone(),
                ..Options::from_env(false, false)
            })
            .map_err(Arc::new)
        });
        match net {
            Ok(net) => net.fetch(url, max_bytes),
            Err(e) => Err(Box::new(Arc::clone(e))),
        }
    }
}
