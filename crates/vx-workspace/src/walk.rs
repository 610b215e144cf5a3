//! The package graph as turbo walks it for `--filter`'s `...` and `[REF]` and for
//! `--affected` (a changed package's dependents): the workspace packages the root
//! package.json depends on, directly or not, are dependencies of every package (what
//! the root installs, every package can import; turbo 2 counts them so since
//! vercel/turborepo#8465 and #8364). So `web...` holds them, `...X` of such an X is
//! every package, and a change to one is a change to every package.
//!
//! One walk for both, so that `--filter` and `--affected` cannot disagree on what a
//! change reaches. The root's dependencies are not edges of [`Graph`]: the task graph
//! (`^build`) never follows them, and as edges they would make a cycle of each package
//! the root depends on.

use crate::discover::Workspace;
use crate::graph::Graph;

/// The package graph with the root's dependencies counted as every package's.
pub struct Walk<'a> {
    graph: &'a Graph,
    /// The packages the root depends on, directly or not, by index.
    root_deps: Vec<bool>,
}

impl<'a> Walk<'a> {
    /// The walk over `graph`, the root's dependencies read from it.
    pub fn new(ws: &Workspace, graph: &'a Graph) -> Walk<'a> {
        let root = ws.packages.iter().position(|p| p.is_root());
        let root_deps = match root {
            Some(root) => graph.dependency_closure([root]),
            None => vec![false; graph.len()],
        };
        Walk { graph, root_deps }
    }

    /// Whether `i` is a package the root depends on, directly or not.
    pub(crate) fn is_root_dependency(&self, i: usize) -> bool {
        self.root_deps[i]
    }

    /// What each seed depends on, directly or not, the seed itself left out unless
    /// another seed's walk reaches it: its dependencies in the graph and the root's.
    pub(crate) fn dependencies(&self, seeds: &[usize]) -> Vec<bool> {
        let mut out = self.graph.dependency_closure(seeds.iter().copied());
        if seeds.is_empty() {
            return out;
        }
        for (i, o) in out.iter_mut().enumerate() {
            // A root dependency is every seed's but its own (it has no edge to itself).
            *o |= self.root_deps[i] && seeds.iter().any(|&s| s != i);
        }
        out
    }

    /// What depends on a seed, directly or not, the seed itself left out unless
    /// another seed's walk reaches it: every package when a seed is one the root
    /// depends on.
    pub fn dependents(&self, seeds: &[usize]) -> Vec<bool> {
        let mut out = self.graph.dependent_closure(seeds.iter().copied());
        let mut of_root = seeds.iter().filter(|&&s| self.root_deps[s]);
        if let Some(&first) = of_root.next() {
            let second = of_root.next().is_some();
            for (i, o) in out.iter_mut().enumerate() {
                *o |= i != first || second;
            }
        }
        out
    }
}
