//! turbo's `--filter`, parsed (`selector`) and evaluated over the package graph as
//! turbo 2.11 evaluates it: several selectors select the union of what each includes,
//! less what the `!` ones match; with only `!` selectors, every package but the root
//! is the starting set.
//!
//! Which packages changed since a ref is the caller's to say (git stays outside this
//! crate): [`select`] asks its `changed` function, which answers with the directories
//! (relative, `""` for the root) of the packages that changed.
//!
//! The walks (`...`, and what a change reaches) count the packages the root depends on
//! as every package's dependencies, as turbo does ([`crate::walk`]).

mod selector;

use std::collections::HashMap;

pub(crate) use selector::{Selector, parse};

use crate::discover::Workspace;
use crate::graph::Graph;
use crate::patterns;
use crate::walk::Walk;

/// Why a filter could not be read or evaluated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    /// Nothing to select by (`!`, `...`).
    #[error("--filter={0}: selects nothing: give a package name, a {{directory}} or a [ref]")]
    Empty(String),
    /// `{}`.
    #[error("--filter={0}: the {{directory}} is empty")]
    EmptyDirectory(String),
    /// `...[ref]` with neither a name nor a directory before it.
    #[error("--filter={0}: `...[ref]` needs a package name or a {{directory}} before it")]
    MatchDependenciesWithout(String),
    /// A directory above the workspace root.
    #[error("--filter={0}: the directory is outside the workspace")]
    OutsideRoot(String),
    /// A name without wildcards that no package has.
    #[error("--filter={selector}: no package is named {name:?}")]
    NoSuchPackage {
        /// The selector.
        selector: String,
        /// The name.
        name: String,
    },
    /// The caller's `changed` function failed for a ref.
    #[error("--filter={selector}: cannot tell what changed since {reference}: {message}")]
    Changed {
        /// The selector.
        selector: String,
        /// The ref.
        reference: String,
        /// What the caller said.
        message: String,
    },
}

/// What changed between two refs: the directories of the packages that changed
/// (relative to the root, `""` for the root package), or why that cannot be told. The
/// second ref is `None` for "up to now" (the caller decides whether the working tree's
/// changes count).
pub(crate) type Changed<'a> = dyn FnMut(&str, Option<&str>) -> Result<Vec<String>, String> + 'a;

/// The packages (indices into [`Workspace::packages`], ascending) that `filters`
/// select; no filters select every package but the root.
pub fn select(
    ws: &Workspace,
    graph: &Graph,
    filters: &[&str],
    changed: &mut Changed,
) -> Result<Vec<usize>, FilterError> {
    let selectors = filters
        .iter()
        .map(|f| parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut eval = Eval {
        ws,
        walk: Walk::new(ws, graph),
        changed,
        by_dir: HashMap::new(),
    };
    for (i, p) in ws.packages.iter().enumerate() {
        eval.by_dir.entry(p.dir.as_str()).or_default().push(i);
    }
    let (excludes, includes): (Vec<&Selector>, Vec<&Selector>) =
        selectors.iter().partition(|s| s.exclude);
    let mut chosen = if includes.is_empty() {
        let mut all = vec![true; ws.packages.len()];
        if let Some(root) = all.first_mut() {
            *root = false; // the root package is in only when a selector names it
        }
        all
    } else {
        eval.union(&includes)?
    };
    let out = eval.union(&excludes)?;
    for (c, o) in chosen.iter_mut().zip(out) {
        *c &= !o;
    }
    Ok(chosen
        .iter()
        .enumerate()
        .filter(|(_, c)| **c)
        .map(|(i, _)| i)
        .collect())
}

struct Eval<'a, 'c> {
    ws: &'a Workspace,
    walk: Walk<'a>,
    changed: &'c mut Changed<'c>,
    by_dir: HashMap<&'a str, Vec<usize>>,
}

impl Eval<'_, '_> {
    fn n(&self) -> usize {
        self.ws.packages.len()
    }

    /// What the selectors select together (their `!` aside).
    fn union(&mut self, selectors: &[&Selector]) -> Result<Vec<bool>, FilterError> {
        let mut out = vec![false; self.n()];
        for sel in selectors {
            let matched = self.matched(sel)?;
            let seeds: Vec<usize> = (0..self.n()).filter(|&i| matched[i]).collect();
            if seeds.is_empty() {
                continue;
            }
            let walks = sel.include_dependencies || sel.include_dependents;
            if !walks || !sel.exclude_self {
                for &s in &seeds {
                    out[s] = true;
                }
            }
            if sel.include_dependencies {
                or(&mut out, &self.walk.dependencies(&seeds));
            }
            if sel.include_dependents {
                let up = self.walk.dependents(&seeds);
                if sel.include_dependencies {
                    // The dependents' own dependencies, as turbo adds them.
                    let ups: Vec<usize> = (0..self.n()).filter(|&i| up[i]).collect();
                    or(&mut out, &self.walk.dependencies(&ups));
                }
                or(&mut out, &up);
            }
        }
        Ok(out)
    }

    /// The packages a selector matches before its `...` walks.
    fn matched(&mut self, sel: &Selector) -> Result<Vec<bool>, FilterError> {
        let mut entry = vec![false; self.n()];
        let mut valid = false;
        if sel.match_dependencies {
            // `NAME...[REF]`: a NAME (or {DIR}) package that changed, or one of whose
            // dependencies did.
            for (i, e) in entry.iter_mut().enumerate() {
                *e = self.in_dir(sel, i);
            }
            self.keep_named(sel, &mut entry)?;
            let changed = self.changed_since(sel)?;
            // Packages with a changed dependency: the changed ones' dependents, in one
            // walk (linear, not one walk per package).
            let seeds: Vec<usize> = (0..self.n()).filter(|&i| changed[i]).collect();
            let above = self.walk.dependents(&seeds);
            for i in 0..self.n() {
                entry[i] &= (!sel.exclude_self && changed[i]) || above[i];
            }
            return Ok(entry);
        }
        if sel.from_ref.is_some() {
            valid = true;
            let changed = self.changed_since(sel)?;
            for i in 0..self.n() {
                entry[i] = changed[i] && self.in_dir(sel, i);
            }
        } else if let Some(dir) = &sel.dir {
            valid = true;
            for (i, p) in self.ws.packages.iter().enumerate() {
                entry[i] = if dir == "." {
                    p.dir.is_empty()
                } else {
                    !p.dir.is_empty() && patterns::matches_dir(dir, &p.dir)
                };
            }
        }
        if !sel.name.is_empty() {
            if !valid {
                entry = vec![true; self.n()];
                valid = true;
            }
            self.keep_named(sel, &mut entry)?;
        }
        if !valid {
            return Err(FilterError::Empty(sel.raw.clone()));
        }
        Ok(entry)
    }

    fn in_dir(&self, sel: &Selector, i: usize) -> bool {
        let dir = &self.ws.packages[i].dir;
        match sel.dir.as_deref() {
            None => true,
            Some(".") => dir.is_empty(),
            Some(glob) => patterns::matches_dir(glob, dir),
        }
    }

    /// Keeps the entries whose name the selector's name (pattern) matches; a name
    /// without wildcards that no package has is an error, as in turbo.
    fn keep_named(&self, sel: &Selector, entry: &mut [bool]) -> Result<(), FilterError> {
        if sel.name.is_empty() {
            return Ok(());
        }
        let mut any = false;
        for (i, p) in self.ws.packages.iter().enumerate() {
            let hit = patterns::name_matches(&sel.name, &p.name);
            any |= hit;
            entry[i] &= hit;
        }
        if !any && !patterns::is_pattern(&sel.name) {
            return Err(FilterError::NoSuchPackage {
                selector: sel.raw.clone(),
                name: sel.name.clone(),
            });
        }
        Ok(())
    }

    /// The packages that changed since the selector's ref, by index: every package
    /// when one the root depends on did (it is every package's dependency).
    fn changed_since(&mut self, sel: &Selector) -> Result<Vec<bool>, FilterError> {
        let from = sel.from_ref.as_deref().unwrap_or_default();
        let dirs = (self.changed)(from, sel.to_ref.as_deref()).map_err(|message| {
            FilterError::Changed {
                selector: sel.raw.clone(),
                reference: from.to_owned(),
                message,
            }
        })?;
        let mut out = vec![false; self.n()];
        for d in dirs {
            for &i in self.by_dir.get(d.trim_matches('/')).into_iter().flatten() {
                out[i] = true;
            }
        }
        if (0..self.n()).any(|i| out[i] && self.walk.is_root_dependency(i)) {
            out.fill(true);
        }
        Ok(out)
    }
}

fn or(into: &mut [bool], from: &[bool]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a |= *b;
    }
}
