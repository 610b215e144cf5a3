//! `vx search`'s work: vx's language runtimes and the packages of the project's
//! registries and the standard one whose names, aliases, commands or descriptions
//! hold a term, in one order by how well they matched (a runtime before a package of
//! the same rank: `rg` finds ripgrep before the runtime whose description happens to
//! hold the letters). Nothing here prints.

use std::sync::Arc;

use vx_text::sanitize;

use crate::session::Session;
use vx_engine::resolution::ResolutionError;
use vx_sources::registry::names::Rank;
use vx_sources::registry::set::SetHit;
use vx_sources::runtime::Runtime;

/// One result: a runtime (vx's own or a declared one) or a registry's package.
pub enum Found {
    /// A runtime.
    Runtime(Arc<dyn Runtime>),
    /// A package, with its registry.
    Package(SetHit),
}

/// What a search found, best matches first.
pub struct Searched {
    /// The results, ranked.
    pub found: Vec<Found>,
    /// How many of them are runtimes.
    pub runtimes: usize,
    /// The registries that could not be searched, each with why.
    pub problems: Vec<String>,
}

/// Why a search has no answer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The registries or the runtimes cannot be reached or read.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// Nothing matched where something could not be searched: no answer, not "no
    /// match" (the machine's or the network's).
    #[error(
        "no package matches `{}` in what could be searched, and {} could not be: {}",
        sanitize(term),
        match problems.len() { 1 => "1 registry".to_owned(), n => format!("{n} registries") },
        problems.join("; ")
    )]
    Unsearched {
        /// The term.
        term: String,
        /// Why each registry could not be searched.
        problems: Vec<String>,
    },
}

/// Searches `session`'s runtimes and registries for `term` (progress lines unless
/// `quiet`).
pub fn search(session: &Session, term: &str, quiet: bool) -> Result<Searched, SearchError> {
    let net = session.network(quiet)?;
    let resolver = session.resolver(&net)?;
    let lowered = term.to_ascii_lowercase();
    let all = session
        .catalogue()
        .all()
        .map_err(vx_engine::resolution::runtime::error)?;
    let runtimes: Vec<(Rank, Arc<dyn Runtime>)> = all
        .into_iter()
        .filter_map(|r| runtime_rank(&*r, &lowered).map(|rank| (rank, r)))
        .collect();
    let (hits, problems) = resolver.search(term);
    if hits.is_empty() && runtimes.is_empty() && !problems.is_empty() {
        return Err(SearchError::Unsearched {
            term: term.to_owned(),
            problems,
        });
    }
    let count = runtimes.len();
    let mut ranked: Vec<(Rank, Found)> = runtimes
        .into_iter()
        .map(|(rank, r)| (rank, Found::Runtime(r)))
        .chain(hits.into_iter().map(|h| (h.hit.rank, Found::Package(h))))
        .collect();
    // Stable: within a rank, runtimes first, then the packages in the search's order.
    ranked.sort_by_key(|(rank, _)| *rank);
    Ok(Searched {
        found: ranked.into_iter().map(|(_, f)| f).collect(),
        runtimes: count,
        problems,
    })
}

/// How well a runtime matches a lowercased `term`, ranked as packages are: by its name
/// or an alias, else its summary.
fn runtime_rank(runtime: &dyn Runtime, term: &str) -> Option<Rank> {
    vx_sources::registry::names::rank_of(
        std::iter::once(runtime.name()).chain(runtime.aliases()),
        Some(runtime.summary()),
        term,
    )
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A search whose registries could not be read.
    SearchError => |e| {
        use crate::search::SearchError;
        match e {
            SearchError::Resolution(e) => e.into(),
            e @ SearchError::Unsearched { .. } => Error::environment(e),
        }
    };
}
