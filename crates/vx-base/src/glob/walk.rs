//! The files of a project that a set of globs matches, found by walking from each
//! glob's literal directory (`src/**/*.rs` walks `src/` alone; `{src,lib}/*.rs` walks
//! `src/` and `lib/`), each directory walked once however many globs start there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Glob;
use super::segment::Segments;

/// The files (relative paths, sorted, each once) under `project` that one of
/// `globs` matches and none of `except`: see [`super::GlobSet::expand`].
pub(crate) fn expand(
    project: &Path,
    globs: &[Arc<Glob>],
    except: &[Arc<Glob>],
    limit: usize,
) -> Vec<PathBuf> {
    let alternatives: Vec<(&Segments, PathBuf, bool)> = globs
        .iter()
        .flat_map(|glob| &glob.alternatives)
        .map(|alt| {
            let (base, whole) = alt.literal_prefix();
            (alt, base, whole)
        })
        .collect();
    let wanted = |rel: &Path| {
        let parts = super::path_parts(rel);
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        alternatives.iter().any(|(alt, base, whole)| {
            (*whole && rel.starts_with(base)) || alt.matches_exactly(&parts)
        })
    };
    let mut bases: Vec<(&PathBuf, bool)> = alternatives.iter().map(|(_, b, w)| (b, *w)).collect();
    bases.sort();
    bases.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 |= later.1;
        }
        later.0.starts_with(earlier.0)
    });
    let mut out = Vec::new();
    for (base, whole) in bases {
        let start = project.join(base);
        if !inside(project, &start) {
            // Out of the project through a link (or `..`), or not there: never
            // walked. A link named whole still counts (by its target's text).
            if whole && std::fs::symlink_metadata(&start).is_ok() {
                out.push(base.clone());
            }
        } else if start.is_file() {
            if wanted(base) {
                out.push(base.clone());
            }
        } else if start.is_dir() {
            walk(
                project,
                base,
                except,
                &mut |rel| {
                    if wanted(rel) {
                        out.push(rel.to_owned());
                    }
                },
                limit,
            );
        }
    }
    out.retain(|rel| !except.iter().any(|not| not.matches(rel)));
    out.sort();
    out.dedup();
    out
}

/// Whether `path` (under `project`) is inside the project once its links are resolved.
fn inside(project: &Path, path: &Path) -> bool {
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_owned());
    path.canonicalize().is_ok_and(|real| real.starts_with(root))
}

/// Calls `found` with every file under `project/dir` (relative to `project`): every
/// entry that is not a directory, links included, at most `limit`; a link to a
/// directory is not entered, nor `.git`, nor a directory one of `except` matches.
fn walk(
    project: &Path,
    dir: &Path,
    except: &[Arc<Glob>],
    found: &mut dyn FnMut(&Path),
    limit: usize,
) {
    let mut todo = vec![dir.to_owned()];
    let mut seen = 0usize;
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(project.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            let rel = dir.join(&name);
            match entry.file_type() {
                Ok(t) if t.is_dir() => {
                    if !except.iter().any(|not| not.matches(&rel)) {
                        todo.push(rel);
                    }
                }
                Ok(_) => {
                    seen += 1;
                    if seen > limit {
                        return;
                    }
                    found(&rel);
                }
                Err(_) => {}
            }
        }
    }
}
