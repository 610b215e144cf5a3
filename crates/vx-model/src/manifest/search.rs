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
pub fn search(start: &Path) -> Found {
    walk(start, false)
}

/// [`search`], and without a project file the nearest monorepo's root
/// ([`Found::monorepo`]): `vx run`'s walk. The others' (the hook's at each prompt
/// among them) reads no package.json on its way.
pub fn search_tasks(start: &Path) -> Found {
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
    Found {
        manifest: in_place_found,
        stopped: None,
        monorepo: root_found,
    }
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
