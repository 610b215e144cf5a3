//! One package of a workspace, as its manifest describes it: name, directory,
//! ecosystem, version, scripts and the dependencies it declares (resolved into edges of
//! the package graph by [`crate::graph`]).

use std::collections::BTreeMap;
use std::fmt;

/// The name turbo gives the workspace's root package (`//#build` is its `build`).
pub const ROOT: &str = "//";

/// Which tool's workspace a package belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// package.json: npm, pnpm, yarn (classic and berry), bun.
    Node,
    /// Cargo.toml.
    Cargo,
    /// pyproject.toml in a uv workspace.
    Uv,
    /// go.mod in a go.work.
    Go,
    /// A config root of mise's `[monorepo]` that no package manager names: a
    /// directory with its own mise.toml, with no dependencies on the others.
    Mise,
}

impl Ecosystem {
    /// Its name in messages: `node`, `cargo`, `uv`, `go`, `mise`.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Node => "node",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Uv => "uv",
            Ecosystem::Go => "go",
            Ecosystem::Mise => "mise",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which table a dependency is declared in (the graph keeps every kind: each orders
/// builds alike, as turbo's `^build` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// `dependencies`, `[dependencies]`, a project's `dependencies`, a go `require`.
    Normal,
    /// `devDependencies`, `[dev-dependencies]`, dependency groups.
    Dev,
    /// `peerDependencies`.
    Peer,
    /// `optionalDependencies`, a project's optional dependencies.
    Optional,
    /// Cargo's `[build-dependencies]`.
    Build,
}

/// What a declared dependency points at, before it is resolved against the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A package of this ecosystem by name, taken from the workspace when `workspace`
    /// says so (npm's `workspace:` protocol, uv's `{ workspace = true }`, a go module
    /// the go.work uses) or when `range` (npm) is satisfied by the workspace package's
    /// version.
    Name {
        /// The npm version range, when one was written (`^1.2.0`, `*`).
        range: Option<String>,
        /// Whether the manifest asks for the workspace's own package.
        workspace: bool,
    },
    /// A directory, relative to the workspace root and normalised (`crates/core`):
    /// Cargo's `path =`, go's `replace … => ../lib`, npm's `file:`/`link:`, uv's `path`.
    Dir(String),
}

/// A dependency as a manifest declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The ecosystem whose packages it names (the root package may declare
    /// dependencies in several: a root package.json beside a root Cargo.toml).
    pub ecosystem: Ecosystem,
    /// The name it is declared under (npm's key, the crate's key, the normalised Python
    /// name, the Go module path).
    pub name: String,
    /// What it points at.
    pub target: Target,
    /// Which table declares it.
    pub kind: DepKind,
}

/// One package of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// Its name: the manifest's (`@acme/ui`, a crate's, a Python project's, a Go module
    /// path); [`ROOT`] for the workspace root.
    pub name: String,
    /// Its directory relative to the workspace root, `/`-separated; `""` for the root.
    pub dir: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The name its manifest gives it, when that differs from `name` (the root's).
    pub manifest_name: Option<String>,
    /// Its version, when the manifest has one.
    pub version: Option<String>,
    /// Its package.json `scripts`, by name.
    pub scripts: BTreeMap<String, String>,
    /// Its declared dependencies, in manifest order.
    pub declared: Vec<Declared>,
}

impl Package {
    /// Whether this is the workspace root (`//`).
    pub fn is_root(&self) -> bool {
        self.name == ROOT
    }
}

/// `dir` joined with the relative path `rel`, normalised (`.` and `..` folded) into a
/// `/`-separated path relative to the root; `None` when it climbs above the root.
pub(crate) fn join_rel(dir: &str, rel: &str) -> Option<String> {
    let mut out: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join_rel;

    #[test]
    fn relative_paths_fold_into_the_root() {
        assert_eq!(
            join_rel("crates/app", "../util").as_deref(),
            Some("crates/util")
        );
        assert_eq!(
            join_rel("tools/cli", "../../crates/app/").as_deref(),
            Some("crates/app")
        );
        assert_eq!(join_rel("", "./lib").as_deref(), Some("lib"));
        assert_eq!(join_rel("a", "../../x"), None);
    }
}
