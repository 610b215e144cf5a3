//! Discovery: from a root directory, the workspace and its member packages as each
//! tool finds them (pnpm, npm, yarn, bun; Cargo; uv; Go), side by side in one list.
//!
//! The root directory is always the root package `//` (turbo's name). Every read is
//! bounded (`read`), every walk too (`walk`); a malformed file is an
//! [`Error`] naming it, never a panic.

mod cargo;
mod go;
mod node;
mod uv;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use node::{Detected, PackageManager, PackageManagerKind};
pub(crate) use uv::normalise_name as normalise_python_name;

use crate::error::{Error, Result};
use crate::package::{Ecosystem, Package, ROOT};

/// The most packages one workspace may have.
pub(crate) const MAX_PACKAGES: usize = 50_000;

/// A workspace as it stands on disk.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The root directory, as given.
    pub root: PathBuf,
    /// The Node package manager, when the root has a Node workspace or lockfile.
    pub package_manager: Option<PackageManager>,
    /// The files at the root that define the workspace (`pnpm-workspace.yaml`,
    /// `package.json`, `Cargo.toml`, `pyproject.toml`, `go.work`): a change to one may
    /// change every package.
    pub files: Vec<String>,
    /// The packages: the root (`//`) first, then the members by directory.
    pub packages: Vec<Package>,
}

impl Workspace {
    /// The package named `name` (the first, if ecosystems share a name).
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// The workspace of `root` holding the root package (`//`) alone: a monorepo made
    /// only of mise's `[monorepo]` config roots, which [`Workspace::add_config_root`]
    /// then adds.
    pub fn root_only(root: &Path) -> Workspace {
        Workspace {
            root: root.to_owned(),
            package_manager: None,
            files: Vec::new(),
            packages: vec![Package {
                name: ROOT.into(),
                dir: String::new(),
                ecosystem: Ecosystem::Mise,
                manifest_name: None,
                version: None,
                scripts: Default::default(),
                declared: Vec::new(),
            }],
        }
    }

    /// Adds the directory `dir` (relative to the root, `/`-separated) as a package of
    /// mise's `[monorepo]` ([`Ecosystem::Mise`]) named as mise names it (`//dir`),
    /// unless a package already has that directory (its own mise.toml's tasks are then
    /// that package's). The packages stay in the order [`discover`] gives them.
    pub fn add_config_root(&mut self, dir: &str) {
        if dir.is_empty() || self.packages.iter().any(|p| p.dir == dir) {
            return;
        }
        self.packages.push(Package {
            name: format!("{ROOT}{dir}"),
            dir: dir.to_owned(),
            ecosystem: Ecosystem::Mise,
            manifest_name: None,
            version: None,
            scripts: Default::default(),
            declared: Vec::new(),
        });
        self.packages[1..]
            .sort_by(|a, b| (a.dir.as_str(), a.ecosystem).cmp(&(b.dir.as_str(), b.ecosystem)));
    }

    /// Which package each path belongs to, for many paths at once.
    pub fn owners(&self) -> Owners<'_> {
        let mut by_dir: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in self.packages.iter().enumerate() {
            by_dir.entry(p.dir.as_str()).or_default().push(i);
        }
        Owners { by_dir }
    }
}

/// The packages a path belongs to: those with the deepest directory holding it. A
/// directory can be two packages of two ecosystems (tailwindcss's crates/node is the
/// npm package `@tailwindcss/oxide` and a Cargo crate): a change there is both's.
pub struct Owners<'a> {
    by_dir: HashMap<&'a str, Vec<usize>>,
}

impl Owners<'_> {
    /// The index (in [`Workspace::packages`]) of the first package that holds the
    /// relative, `/`-separated `path`: the root's (0) for a path in no member.
    pub fn of(&self, path: &str) -> usize {
        self.all_of(path)[0]
    }

    /// The indices (ascending) of every package whose directory is the deepest holding
    /// the relative, `/`-separated `path`: the root's (`[0]`) for a path in no member.
    /// Linear in the path's depth.
    pub fn all_of(&self, path: &str) -> &[usize] {
        let mut dir = path.trim_matches('/');
        loop {
            if let Some(found) = self.by_dir.get(dir) {
                return found;
            }
            match dir.rfind('/') {
                Some(cut) => dir = &dir[..cut],
                None if dir.is_empty() => return &[0],
                None => dir = "",
            }
        }
    }
}

/// The workspace rooted at `root`: its packages, their manifests' dependencies, its
/// package manager.
pub fn discover(root: &Path) -> Result<Workspace> {
    let mut files = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut root_pkg: Option<Package> = None;

    let node_root = node::read_root(root)?;
    let node_members = node::members(root, node_root.as_ref())?;
    let package_manager = node::package_manager(root, node_root.as_ref())?;
    if let Some(r) = &node_root {
        files.push("package.json".to_owned());
        root_pkg = Some(node::root_package(r)?);
    }
    if let Some((members, from)) = node_members {
        if from != "package.json" {
            files.push(from.to_owned());
        }
        let skip = if package_manager
            .as_ref()
            .is_some_and(|m| m.kind == PackageManagerKind::Pnpm)
        {
            node::PNPM_SKIP
        } else {
            &[]
        };
        for dir in walk::member_dirs(root, &members, "package.json", skip)? {
            packages.push(node::member(root, &dir)?);
            bound(root, packages.len())?;
        }
    }

    if let Some(c) = cargo::read_root(root)? {
        if c.is_workspace() || c.is_package() {
            files.push("Cargo.toml".to_owned());
        }
        packages.extend(cargo::members(root, &c)?);
        bound(root, packages.len())?;
        if let Some(krate) = cargo::root_crate(&c)? {
            merge_root(&mut root_pkg, krate);
        }
    }

    if let Some(u) = uv::read_root(root)? {
        if u.is_workspace() || u.is_project() {
            files.push("pyproject.toml".to_owned());
        }
        packages.extend(uv::members(root, &u)?);
        bound(root, packages.len())?;
        if let Some(project) = uv::root_project(&u)? {
            merge_root(&mut root_pkg, project);
        }
    }

    if let Some(dirs) = go::used_dirs(root)? {
        files.push("go.work".to_owned());
        for dir in dirs {
            let module = go::module(root, &dir)?;
            if dir.is_empty() {
                merge_root(&mut root_pkg, module);
            } else {
                packages.push(module);
                bound(root, packages.len())?;
            }
        }
    }

    let Some(mut first) = root_pkg.or_else(|| {
        (!files.is_empty() || !packages.is_empty()).then(|| Package {
            name: ROOT.into(),
            dir: String::new(),
            ecosystem: packages.first().map_or(Ecosystem::Node, |p| p.ecosystem),
            manifest_name: None,
            version: None,
            scripts: Default::default(),
            declared: Vec::new(),
        })
    }) else {
        return Err(Error::Invalid {
            file: root.to_owned(),
            message: "no workspace here: no package.json, pnpm-workspace.yaml, Cargo.toml, pyproject.toml or go.work"
                .into(),
        });
    };
    first.name = ROOT.into();
    packages.sort_by(|a, b| (a.dir.as_str(), a.ecosystem).cmp(&(b.dir.as_str(), b.ecosystem)));
    packages.insert(0, first);
    unique_names(&packages)?;
    Ok(Workspace {
        root: root.to_owned(),
        package_manager,
        files,
        packages,
    })
}

/// The root package gathers every root manifest's dependencies; the first manifest
/// gives its ecosystem, version and scripts.
fn merge_root(root: &mut Option<Package>, mut other: Package) {
    match root {
        Some(r) => r.declared.append(&mut other.declared),
        None => {
            other.manifest_name = Some(std::mem::take(&mut other.name));
            *root = Some(other);
        }
    }
}

fn bound(root: &Path, n: usize) -> Result<()> {
    if n > MAX_PACKAGES {
        return Err(Error::TooMany {
            what: "packages",
            limit: MAX_PACKAGES,
            root: root.to_owned(),
        });
    }
    Ok(())
}

/// Two packages of one ecosystem may not share a name (npm, Cargo and uv refuse it
/// too); across ecosystems they may.
fn unique_names(packages: &[Package]) -> Result<()> {
    let mut seen: HashMap<(Ecosystem, &str), &str> = HashMap::with_capacity(packages.len());
    for p in packages.iter().skip(1) {
        if let Some(first) = seen.insert((p.ecosystem, &p.name), &p.dir) {
            return Err(Error::DuplicateName {
                name: p.name.clone(),
                ecosystem: p.ecosystem.as_str(),
                first: first.into(),
                second: p.dir.clone().into(),
            });
        }
    }
    Ok(())
}
