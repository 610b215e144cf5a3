//! Lockfiles read per package: for each workspace package, the outside packages its
//! lockfile resolves for it (all the way down, as entries naming version and checksum),
//! so two versions of a lockfile tell which packages' resolved dependencies changed,
//! or say they cannot tell (then every package of that ecosystem counts as changed,
//! never those of another).
//!
//! pnpm-lock.yaml (`importers`, v6 and v9), package-lock.json (`packages`, v2 and v3),
//! yarn.lock (classic and berry), bun.lock, Cargo.lock and uv.lock. (go.sum is not read
//! yet: its callers count a change to it against every Go module.)
//! A workspace package's own dependencies on other workspace packages are not part of
//! its entries: those reach it through the package graph. A package one version does
//! not lock (added since) reads as changed, not as "cannot tell".

mod cargo;
mod node;
mod uv;

use std::collections::{BTreeMap, BTreeSet};

use crate::discover::Workspace;
use crate::package::Ecosystem;

/// Which lockfile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// pnpm-lock.yaml.
    Pnpm,
    /// package-lock.json or npm-shrinkwrap.json.
    Npm,
    /// yarn.lock of yarn 1.
    Yarn,
    /// yarn.lock of yarn 2 and later.
    Berry,
    /// bun.lock (the text lockfile; bun.lockb is binary and not read).
    Bun,
    /// Cargo.lock.
    Cargo,
    /// uv.lock.
    Uv,
}

impl Kind {
    /// The kind of lockfile named `file_name` with content `text`; `None` for a file
    /// that is no lockfile this crate reads.
    pub fn of(file_name: &str, text: &str) -> Option<Kind> {
        Some(match file_name {
            "pnpm-lock.yaml" => Kind::Pnpm,
            "package-lock.json" | "npm-shrinkwrap.json" => Kind::Npm,
            "yarn.lock" if text.contains("\n__metadata:") => Kind::Berry,
            "yarn.lock" => Kind::Yarn,
            "bun.lock" => Kind::Bun,
            "Cargo.lock" => Kind::Cargo,
            "uv.lock" => Kind::Uv,
            _ => return None,
        })
    }

    /// The ecosystem whose packages it locks.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Kind::Pnpm | Kind::Npm | Kind::Yarn | Kind::Berry | Kind::Bun => Ecosystem::Node,
            Kind::Cargo => Ecosystem::Cargo,
            Kind::Uv => Ecosystem::Uv,
        }
    }
}

/// For each package the lockfile locks (by index in [`Workspace::packages`]), the
/// entries it resolves for it, sorted.
pub(crate) type Resolved = BTreeMap<usize, BTreeSet<String>>;

/// What the lockfile of `kind` (its text; `dir` is the directory it sits in, relative
/// to the root, `""` for the root) resolves for each package; `Err` says why it cannot
/// tell (a format version it does not know, an entry it cannot find).
pub fn resolved(ws: &Workspace, kind: Kind, dir: &str, text: &str) -> Result<Resolved, String> {
    match kind {
        Kind::Pnpm => node::pnpm(ws, dir, text),
        Kind::Npm => node::npm(ws, dir, text),
        Kind::Yarn => node::yarn(ws, dir, text),
        Kind::Berry => node::berry(ws, dir, text),
        Kind::Bun => node::bun(ws, dir, text),
        Kind::Cargo => cargo::resolved(ws, text),
        Kind::Uv => uv::resolved(ws, text),
    }
}

/// The entries of a package the lockfile does not lock yet (a package added since):
/// one marker, so the package reads as changed against a lockfile that locks it.
fn unlocked() -> std::collections::BTreeSet<String> {
    std::collections::BTreeSet::from(["(not in the lockfile)".to_owned()])
}

/// Which packages a lockfile change touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Affected {
    /// These packages' resolved dependencies changed (by index, ascending; maybe none).
    Packages(Vec<usize>),
    /// Cannot tell which: every package of the ecosystem counts as changed.
    Ecosystem {
        /// The ecosystem.
        ecosystem: Ecosystem,
        /// Why it cannot tell.
        why: String,
    },
}

/// The packages whose resolved dependencies differ between two versions of a lockfile
/// (`None` for a version where the file is absent).
pub fn affected(
    ws: &Workspace,
    kind: Kind,
    dir: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Affected {
    let read = |text: Option<&str>| {
        text.map_or_else(|| Ok(Resolved::new()), |t| resolved(ws, kind, dir, t))
    };
    match (read(before), read(after)) {
        (Ok(a), Ok(b)) => {
            let keys: BTreeSet<usize> = a.keys().chain(b.keys()).copied().collect();
            Affected::Packages(keys.into_iter().filter(|k| a.get(k) != b.get(k)).collect())
        }
        (Err(why), _) | (_, Err(why)) => Affected::Ecosystem {
            ecosystem: kind.ecosystem(),
            why,
        },
    }
}
