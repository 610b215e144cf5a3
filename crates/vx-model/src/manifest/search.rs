//! Where a project is: the one walk up from a directory that every way in takes (the
//! commands through the session, the fast way of `vx exec`, the shell hook, the
//! daemon), so that all of them agree on which files are the user's project.
//!
//! The nearest `vx.toml` from the directory up wins; without one, the nearest mise
//! project read in place ([`super::in_place`]). Without either, the nearest monorepo's
//! root ([`super::workspace`]) is handed back apart ([`Found::monorepo`]): `vx run` in
//! `apps/web` runs the workspace's tasks, while `vx sync` there still finds no project. The walk stops at a project file
//! another user owns (root aside, [`vx_base::ownership`]): nothing of it, and
//! nothing above it, is the user's project, as git refuses a repository another user
//! owns. The stop is handed back ([`Found::stopped`]) for the caller to say once
//! ([`unsaid`]).
//!
//! `vx run`'s walk ([`search_tasks`]) goes on past a package's own vx.toml or mise
//! file when a monorepo's root above has that package (`enclosing`): inside a
//! package, `vx run build` is the monorepo's run of that package's `build` (with the
//! `^build` it waits for), while `vx sync` there still finds the package's project.

use std::path::{Path, PathBuf};

use super::MANIFEST_FILE;
use super::{in_place, workspace};
use vx_base::ownership::{self, NotOwn};

/// What the walk up found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The project's file: a `vx.toml`, or a mise project's file read in place.
    pub manifest: Option<PathBuf>,
    /// Another user's project file the walk stopped at, unread.
    pub stopped: Option<NotOwn>,
    /// Without a project file: the nearest monorepo root's file ([`workspace::FILES`]),
    /// looked for by [`search_tasks`] only.
    pub monorepo: Option<PathBuf>,
}

/// The project of `start`: the nearest `vx.toml` in it or a parent directory (any
/// entry of that name: a FIFO, a device, a dangling link is found too, and refused by
/// name when read, rather than passed over for a parent's project), else the nearest
/// mise project ([`in_place::project_file`]; the home directory passed over), the walk
/// stopping at a file of another user's.
pub(crate) fn search(start: &Path) -> Found {
    walk(start, false)
}

/// [`search`], and without a project file the nearest monorepo's root
/// ([`Found::monorepo`]): `vx run`'s walk. The others' (the hook's at each prompt
/// among them) reads no package.json on its way.
pub(crate) fn search_tasks(start: &Path) -> Found {
    walk(start, true)
}

fn walk(start: &Path, monorepo: bool) -> Found {
    let home = vx_base::platform::fs::home_dir();
    let mut in_place_found: Option<PathBuf> = None;
    let mut root_found: Option<PathBuf> = None;
    for dir in start.ancestors() {
        let vx_toml = dir.join(MANIFEST_FILE);
        if vx_toml.symlink_metadata().is_ok() {
            return match ownership::foreign(&vx_toml) {
                Some(stopped) => Found {
                    manifest: in_place_found,
                    stopped: Some(stopped),
                    monorepo: root_found,
                },
                None if monorepo => enclosing(dir, home.as_deref()).unwrap_or(Found {
                    manifest: Some(vx_toml),
                    stopped: None,
                    monorepo: None,
                }),
                None => Found {
                    manifest: Some(vx_toml),
                    stopped: None,
                    monorepo: None,
                },
            };
        }
        if in_place_found.is_some() || root_found.is_some() || home.as_deref() == Some(dir) {
            continue;
        }
        if let Some((file, judged)) = in_place::project_file(dir) {
            if let Err(stopped) = ownership::check(dir, &judged)
                && matches!(stopped, NotOwn::Foreign { .. })
            {
                return Found {
                    manifest: None,
                    stopped: Some(stopped),
                    monorepo: None,
                };
            }
            in_place_found = Some(file);
        } else if monorepo && let Some(file) = workspace::root_file(dir) {
            if let Some(stopped) = ownership::foreign(&file) {
                return Found {
                    manifest: None,
                    stopped: Some(stopped),
                    monorepo: None,
                };
            }
            root_found = Some(file);
        }
    }
    let enclosed = match (&in_place_found, monorepo) {
        (Some(file), true) => file
            .parent()
            .and_then(|dir| enclosing(dir, home.as_deref())),
        _ => None,
    };
    enclosed.unwrap_or(Found {
        manifest: in_place_found,
        stopped: None,
        monorepo: root_found,
    })
}

/// The monorepo whose root is above `member` (a directory with a project file of its
/// own) and has it as a package: its vx.toml or mise file, else its Node root's file
/// ([`Found::monorepo`]). The nearest vx.toml above that is no such root ends the
/// search (a project of its own holds `member`), as do the home directory and a
/// file of another user's.
fn enclosing(member: &Path, home: Option<&Path>) -> Option<Found> {
    for dir in member.ancestors().skip(1) {
        if home == Some(dir) {
            return None;
        }
        let vx_toml = dir.join(MANIFEST_FILE);
        let own = vx_toml.symlink_metadata().is_ok();
        let project = match own {
            true => Some(vx_toml),
            false => in_place::project_file(dir).map(|(file, _)| file),
        };
        let Some(file) = project.clone().or_else(|| workspace::root_file(dir)) else {
            continue;
        };
        if ownership::foreign(&file).is_some() {
            return None;
        }
        let rel = member.strip_prefix(dir).ok()?;
        if workspace::has_member(dir, &rel.to_string_lossy().replace('\\', "/")) {
            return Some(Found {
                monorepo: project.is_none().then(|| file.clone()),
                manifest: project,
                stopped: None,
            });
        }
        if own {
            return None;
        }
    }
    None
}

/// Whether the project in `dir` is a monorepo's: its root ([`workspace::is_root`]),
/// or a package of a monorepo whose root is above it, as `vx run`'s walk finds one
/// ([`enclosing`]).
pub(crate) fn in_monorepo(dir: &Path) -> bool {
    let home = vx_base::platform::fs::home_dir();
    workspace::is_root(dir) || enclosing(dir, home.as_deref()).is_some()
}

/// Whether the stop at `stopped` is yet to be said: recorded as said (in vx's data
/// directory's `said/`, by the file and its owner) the first time, so each command and
/// the hook at each prompt say it once, and again when another user's file takes its
/// place. Without a data directory it is always new.
pub fn unsaid(stopped: &NotOwn) -> bool {
    use sha2::Digest;
    let key = hex::encode(sha2::Sha256::digest(format!("stopped at {stopped:?}")));
    in_place::first_time(in_place::said_dir().as_deref(), &key)
}
