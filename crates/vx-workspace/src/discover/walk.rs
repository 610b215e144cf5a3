//! The bounded walk that finds the directories a workspace's member patterns name.
//!
//! One walk from the root, entering only directories some pattern may reach, never
//! `.git` or `node_modules` (nor what the tool itself skips, such as pnpm's `test`
//! directories), never a linked directory; at most [`MAX_DIRS`] directories and
//! [`MAX_DEPTH`] levels. Linear in the directories entered.

use std::path::Path;

use crate::error::{Error, Result};
use crate::patterns;

/// The most directories one walk enters.
pub(crate) const MAX_DIRS: usize = 200_000;
/// The deepest a walk goes below the root.
pub(crate) const MAX_DEPTH: usize = 48;

/// What a workspace file lists: member patterns and what they leave out.
#[derive(Clone, Debug, Default)]
pub(crate) struct Members {
    /// Globs naming member directories (`packages/*`), relative to the root.
    pub include: Vec<String>,
    /// Globs naming directories that are not members (pnpm's `!pattern`, uv's
    /// `exclude`).
    pub exclude_globs: Vec<String>,
    /// Directories that are not members, nor anything below them (Cargo's `exclude`).
    pub exclude_dirs: Vec<String>,
}

impl Members {
    /// Whether `dir` is left out.
    pub(crate) fn excluded(&self, dir: &str) -> bool {
        self.exclude_globs
            .iter()
            .any(|g| patterns::matches_dir(g, dir))
            || self
                .exclude_dirs
                .iter()
                .any(|e| Path::new(dir).starts_with(Path::new(e)))
    }
}

/// A pattern as written, normalised: no leading `./`, no trailing `/`.
pub(crate) fn normalise(pattern: &str) -> String {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let p = p.trim_end_matches('/');
    if p.is_empty() { ".".into() } else { p.into() }
}

/// The member directories under `root` (relative, `/`-separated, sorted), each holding
/// `manifest`, named by an include pattern and not excluded; the root itself is never
/// one (it is the root package). `skip` names directories never entered.
pub(crate) fn member_dirs(
    root: &Path,
    members: &Members,
    manifest: &str,
    skip: &[&str],
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    if members.include.is_empty() {
        return Ok(found);
    }
    let mut stack: Vec<(String, usize)> = vec![(String::new(), 0)];
    let mut entered = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        entered += 1;
        if entered > MAX_DIRS {
            return Err(Error::TooMany {
                what: "directories",
                limit: MAX_DIRS,
                root: root.to_owned(),
            });
        }
        let abs = root.join(&dir);
        if !dir.is_empty()
            && members
                .include
                .iter()
                .any(|p| patterns::matches_dir(p, &dir))
            && !members.excluded(&dir)
            && abs.join(manifest).is_file()
        {
            found.push(dir.clone());
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&abs) else {
            continue;
        };
        for entry in entries.flatten() {
            // `file_type` does not follow links: a linked directory is not entered.
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name == ".git" || name == "node_modules" || skip.contains(&name) {
                continue;
            }
            let child = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if members
                .include
                .iter()
                .any(|p| patterns::may_hold(p, Path::new(&child)))
            {
                stack.push((child, depth + 1));
            }
        }
    }
    found.sort();
    Ok(found)
}
