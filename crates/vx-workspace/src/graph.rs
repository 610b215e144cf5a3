//! The package graph: an edge from a package to each workspace package it depends on,
//! as its tool links them (npm's `workspace:` protocol or a range the package's version
//! satisfies; a Cargo, Go or uv path; a uv `workspace = true` source; a Go `require`
//! of a module the go.work uses). Dependencies of other ecosystems never cross over.
//!
//! Built, ordered and walked in time linear in packages plus edges.

use std::collections::HashMap;

use crate::discover::Workspace;
use crate::error::{Error, Result};
use crate::npm_range;
use crate::package::{DepKind, Ecosystem, Package, Target};

/// One edge: the package depended on, and the table that declares it (the first, when
/// several do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The index of the package depended on, in [`Workspace::packages`].
    pub to: usize,
    /// The table that declares it.
    pub kind: DepKind,
}

/// The package graph of a workspace, by package index.
#[derive(Clone, Debug)]
pub struct Graph {
    names: Vec<String>,
    deps: Vec<Vec<Edge>>,
    dependents: Vec<Vec<usize>>,
}

impl Graph {
    /// The graph of `ws`'s packages.
    pub fn new(ws: &Workspace) -> Graph {
        let packages = &ws.packages;
        let mut by_name: HashMap<(Ecosystem, &str), usize> = HashMap::with_capacity(packages.len());
        let mut by_dir: HashMap<(Ecosystem, &str), usize> = HashMap::with_capacity(packages.len());
        // The root last: a package named as the root's package.json is named is the
        // one a dependency links, as pnpm and turbo link it (steven-tey/novel's root
        // and its editor package are both `novel`).
        let root_last = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_root())
            .chain(packages.iter().enumerate().filter(|(_, p)| p.is_root()));
        for (i, p) in root_last {
            let name = p.manifest_name.as_deref().unwrap_or(&p.name);
            by_name.entry((p.ecosystem, name)).or_insert(i);
            by_dir.entry((p.ecosystem, p.dir.as_str())).or_insert(i);
        }
        // pnpm links a workspace package for a plain range only with
        // `link-workspace-packages` (on by default before pnpm 9, off since); npm, yarn
        // and bun link any range the package's version satisfies.
        let pnpm9 = ws.package_manager.as_ref().is_some_and(|m| {
            let major = m
                .version
                .as_deref()
                .and_then(|v| v.split('.').next()?.parse::<u32>().ok());
            m.kind == crate::discover::PackageManagerKind::Pnpm
                && major.is_none_or(|major| major >= 9)
        });
        let plain_ranges_link = !pnpm9 || links_workspace_packages(&ws.root);
        let mut deps: Vec<Vec<Edge>> = Vec::with_capacity(packages.len());
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        for (i, p) in packages.iter().enumerate() {
            let mut edges: Vec<Edge> = Vec::new();
            // A peer dependency is the dependent's to provide: no edge, as turbo
            // builds its graph.
            for d in p.declared.iter().filter(|d| d.kind != DepKind::Peer) {
                let to = match &d.target {
                    Target::Dir(dir) => by_dir.get(&(d.ecosystem, dir.as_str())).copied(),
                    Target::Name { range, workspace } => by_name
                        .get(&(d.ecosystem, d.name.as_str()))
                        .copied()
                        .filter(|&j| {
                            *workspace
                                || (plain_ranges_link
                                    && range_links(range.as_deref(), &packages[j]))
                        }),
                };
                if let Some(to) = to.filter(|&to| to != i) {
                    edges.push(Edge { to, kind: d.kind });
                }
            }
            // One edge per package depended on: the first declaration's kind.
            let mut seen = std::collections::HashSet::with_capacity(edges.len());
            edges.retain(|e| seen.insert(e.to));
            edges.sort_by_key(|e| e.to);
            for e in &edges {
                dependents[e.to].push(i);
            }
            deps.push(edges);
        }
        Graph {
            names: packages.iter().map(|p| p.name.clone()).collect(),
            deps,
            dependents,
        }
    }

    /// How many packages.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no packages.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The packages `i` depends on directly, by index.
    pub fn dependencies(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.deps[i].iter().map(|e| e.to)
    }

    /// Every package, dependencies before their dependents (ties by index); a cycle is
    /// an error naming it.
    pub fn topological(&self) -> Result<Vec<usize>> {
        crate::order::topological(self.len(), |i| self.dependencies(i)).map_err(|cycle| {
            Error::Cycle {
                cycle: cycle.into_iter().map(|i| self.names[i].clone()).collect(),
            }
        })
    }

    /// Every package the `seeds` depend on, directly or not (a seed only when another
    /// seed, or a cycle, leads to it), as a membership table by index.
    pub(crate) fn dependency_closure(&self, seeds: impl IntoIterator<Item = usize>) -> Vec<bool> {
        self.closure(seeds, |i, out| out.extend(self.dependencies(i)))
    }

    /// Every package that depends on one of the `seeds`, directly or not.
    pub fn dependent_closure(&self, seeds: impl IntoIterator<Item = usize>) -> Vec<bool> {
        self.closure(seeds, |i, out| out.extend_from_slice(&self.dependents[i]))
    }

    fn closure(
        &self,
        seeds: impl IntoIterator<Item = usize>,
        next: impl Fn(usize, &mut Vec<usize>),
    ) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = Vec::new();
        for s in seeds {
            next(s, &mut stack);
        }
        while let Some(i) = stack.pop() {
            if !seen[i] {
                seen[i] = true;
                next(i, &mut stack);
            }
        }
        seen
    }
}

/// Whether pnpm links workspace packages for plain ranges here: `link-workspace-packages
/// = true` in the root's `.npmrc`, or `linkWorkspacePackages: true` in
/// `pnpm-workspace.yaml`.
fn links_workspace_packages(root: &std::path::Path) -> bool {
    let read = |name: &str| {
        crate::read::text_if_present(&root.join(name), 1 << 20)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let npmrc = read(".npmrc");
    let yaml = read("pnpm-workspace.yaml");
    npmrc.lines().any(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l == "link-workspace-packages=true" || l == "link-workspace-packages=deep"
    }) || yaml.lines().any(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l == "linkWorkspacePackages:true" || l == "linkWorkspacePackages:deep"
    })
}

/// Whether a plain npm range links the workspace's package: its version satisfies the
/// range (a `*` or empty range links a package with no version too).
fn range_links(range: Option<&str>, pkg: &Package) -> bool {
    let range = range.unwrap_or("*").trim();
    match &pkg.version {
        _ if range.is_empty() || range == "*" => true,
        Some(v) => npm_range::satisfies(range, v) == Some(true),
        None => false,
    }
}
