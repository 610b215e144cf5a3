//! `vx run --watch`: which file changes start a run again.
//!
//! A [`Watch`] follows the project directory (recursively, through `notify`) and
//! reports a change to a file that one of the run's `sources` globs matches; changes
//! that come in a burst (an editor's save, a `git checkout`) count once: the watch
//! waits until [`QUIET`] has passed without another. What the run writes itself never
//! counts ([`Unwatched`]): the tasks' `outputs` (a task of `sources = ["**/*"]` and
//! `outputs = ["dist/**"]` would start itself again by writing `dist/`), and vx's own
//! directories when they lie in the project (its state, its results cache and their
//! scratch directories).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use notify::{RecursiveMode, Watcher};
use vx_base::glob::Reach;

/// How long the files must stay unchanged before a burst of changes counts.
pub(crate) const QUIET: Duration = Duration::from_millis(200);

/// Directories never watched unless a glob names them: what no `sources` glob of a
/// project means (a pnpm monorepo's `node_modules` alone holds more files than a macOS
/// shell's open-files limit, one descriptor each under kqueue).
const NEVER: &[&str] = &[".git", "node_modules"];

/// What a run writes itself, and so never starts it again.
#[derive(Clone, Debug, Default)]
pub struct Unwatched {
    /// The planned tasks' `outputs` globs (relative to the project).
    pub outputs: Vec<String>,
    /// vx's own directories (absolute): what a change below them does not count.
    pub dirs: Vec<PathBuf>,
}

impl Unwatched {
    /// Whether `rel` (relative to the project) is a task's output, or below one.
    fn output(&self, rel: &Path) -> bool {
        self.outputs
            .iter()
            .filter(|g| !g.starts_with('!'))
            .any(|glob| vx_base::glob::matches(glob, rel))
    }

    /// Whether `path` (absolute) is one of vx's directories, or below one.
    fn own(&self, path: &Path) -> bool {
        self.dirs.iter().any(|dir| path.starts_with(dir))
    }

    /// Whether a change to `path` (absolute) is vx's own: [`Unwatched::own`], or the
    /// directory on the way to one of vx's (`cache/`, made for `cache/vx/`).
    fn own_change(&self, path: &Path) -> bool {
        self.own(path) || self.dirs.iter().any(|dir| dir.starts_with(path))
    }

    /// The same for `project` (as given, and as the system spells it): each directory
    /// also as the system spells it (a link resolved), so that an event naming either
    /// matches, and none that holds the project (the temporary directory a project in
    /// `/tmp` lies in is not all of it).
    fn resolved(mut self, project: &Path, canonical: &Path) -> Unwatched {
        let real: Vec<PathBuf> = self
            .dirs
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .filter(|real| !self.dirs.contains(real))
            .collect();
        self.dirs.extend(real);
        self.dirs
            .retain(|dir| !project.starts_with(dir) && !canonical.starts_with(dir));
        self
    }
}

/// What to watch of `project` for `globs`: the project directory itself (its own
/// files), and each directory in it a glob can reach, with all below it; never
/// [`NEVER`]'s unless a glob starts with its name, nor a directory no glob's first
/// part can match (`src/**/*.rs` watches `src/` alone), nor one that is wholly a
/// task's output or one of vx's own ([`Unwatched`]).
fn roots(project: &Path, globs: &[String], unwatched: &Unwatched) -> Vec<(PathBuf, RecursiveMode)> {
    let mut roots = vec![(project.to_owned(), RecursiveMode::NonRecursive)];
    let Ok(entries) = std::fs::read_dir(project) else {
        return vec![(project.to_owned(), RecursiveMode::Recursive)];
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if unwatched.output(Path::new(name)) || unwatched.own(&dir) {
            continue;
        }
        let reached = globs.iter().filter(|g| !g.starts_with('!')).any(|glob| {
            // Each alternative of a glob's braces (`{cli/,}src/**`) by its first part.
            let Ok(glob) = vx_base::glob::Glob::new(glob) else {
                return false;
            };
            match glob.reaches(name) {
                Reach::Named => true,
                Reach::Wildcard => !NEVER.contains(&name),
                Reach::No => false,
            }
        });
        if reached {
            roots.push((dir, RecursiveMode::Recursive));
        }
    }
    roots
}

/// The project's files, watched.
pub struct Watch {
    /// The project directory as given and as the system spells it (events may
    /// carry either).
    project: PathBuf,
    canonical: PathBuf,
    globs: Vec<String>,
    unwatched: Unwatched,
    events: Receiver<notify::Result<notify::Event>>,
    _watcher: notify::RecommendedWatcher,
}

impl Watch {
    /// Starts watching `project` for changes to files matching `globs` (relative to it),
    /// but those in `unwatched`.
    pub fn new(project: &Path, globs: Vec<String>, unwatched: Unwatched) -> notify::Result<Watch> {
        let canonical = project
            .canonicalize()
            .unwrap_or_else(|_| project.to_owned());
        let unwatched = unwatched.resolved(project, &canonical);
        // The soft open-files limit raised to the hard one first, as watchers do.
        let _ = vx_base::platform::process::raise_open_files_limit();
        let (tx, events) = crossbeam_channel::unbounded();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        for (dir, mode) in roots(project, &globs, &unwatched) {
            watcher.watch(&dir, mode)?;
        }
        Ok(Watch {
            project: project.to_owned(),
            canonical,
            globs,
            unwatched,
            events,
            _watcher: watcher,
        })
    }

    /// The changed source in `event`, if any.
    fn relevant(&self, event: &notify::Event) -> Option<PathBuf> {
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return None;
        }
        event.paths.iter().find_map(|path| {
            if self.unwatched.own_change(path) {
                return None;
            }
            let rel = path
                .strip_prefix(&self.project)
                .ok()
                .or_else(|| path.strip_prefix(&self.canonical).ok())?;
            (vx_base::glob::matches_all(&self.globs, rel) && !self.unwatched.output(rel))
                .then(|| rel.to_owned())
        })
    }

    /// Waits for a change to a source, or for `stop` (or `done`) to receive: returns
    /// the changed file (after the burst settled), or `None` when stopped.
    pub fn next(&self, stop: &Receiver<()>, done: Option<&Receiver<()>>) -> Change {
        let never = crossbeam_channel::never();
        let done = done.unwrap_or(&never);
        let changed = loop {
            select! {
                recv(self.events) -> event => match event {
                    Ok(Ok(event)) => {
                        if let Some(path) = self.relevant(&event) {
                            break path;
                        }
                    }
                    Ok(Err(_)) => {}
                    Err(_) => return Change::Stopped,
                },
                recv(stop) -> _ => return Change::Stopped,
                recv(done) -> _ => return Change::Done,
            }
        };
        // Let the burst settle.
        let mut last = Instant::now();
        while last.elapsed() < QUIET {
            select! {
                recv(self.events) -> event => {
                    if let Ok(Ok(event)) = event && self.relevant(&event).is_some() {
                        last = Instant::now();
                    }
                }
                recv(stop) -> _ => return Change::Stopped,
                default(QUIET.saturating_sub(last.elapsed())) => {}
            }
        }
        Change::File(changed)
    }
}

/// What ended a wait.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// A source changed (this one, among others maybe).
    File(PathBuf),
    /// The user stopped the watch.
    Stopped,
    /// The run in progress ended by itself.
    Done,
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use notify::event::{AccessKind, DataChange, ModifyKind};

    fn modified(path: PathBuf) -> notify::Event {
        notify::Event::new(notify::EventKind::Modify(ModifyKind::Data(DataChange::Any)))
            .add_path(path)
    }

    /// macOS's `/tmp` is a link to `/private/tmp`, and its file events name the real
    /// path: a project opened through a link must still see its files change, under
    /// either spelling (here a link made in a temporary directory stands for `/tmp`).
    /// Issue 79, item 7: `node_modules`, `.git` and what no glob can reach are never
    /// watched (a watch held a descriptor for every file of them under kqueue).
    #[test]
    fn only_what_a_glob_can_reach_is_watched() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["src/a", "node_modules/x", ".git/objects", "dist", "docs"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let watched = |globs: &[&str]| -> Vec<String> {
            let globs: Vec<String> = globs.iter().map(|g| (*g).to_owned()).collect();
            roots(dir.path(), &globs, &Unwatched::default())
                .into_iter()
                .map(|(path, mode)| {
                    let rel = path.strip_prefix(dir.path()).unwrap().display().to_string();
                    format!("{rel} {}", matches!(mode, RecursiveMode::Recursive))
                })
                .collect()
        };
        assert_eq!(
            watched(&["src/**/*.rs", "Cargo.toml"]),
            [" false", "src true"]
        );
        assert_eq!(
            watched(&["**/*.ts"]),
            [" false", "dist true", "docs true", "src true"]
        );
        assert_eq!(
            watched(&["node_modules/x/package.json"]),
            [" false", "node_modules true"]
        );
        // Each alternative of braces by its first part; a class matches a directory.
        assert_eq!(
            watched(&["{cli/,}src/**/*.rs", "d[o]*/*.md"]),
            [" false", "docs true", "src true"]
        );
        // A task's output directory, and vx's own, are not watched (issue 79, item 7).
        let unwatched = Unwatched {
            outputs: vec!["dist/**".to_owned()],
            dirs: vec![dir.path().join("docs")],
        };
        let roots: Vec<PathBuf> = roots(dir.path(), &["**/*".to_owned()], &unwatched)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(roots, [dir.path().to_owned(), dir.path().join("src")]);
    }

    /// A change to a task's output, or under one of vx's directories, does not count,
    /// even where a `sources` glob matches it.
    #[test]
    fn outputs_and_vxs_own_directories_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().canonicalize().unwrap();
        let unwatched = Unwatched {
            outputs: vec!["dist/**".to_owned(), "pkg/out".to_owned()],
            // The temporary directory that holds the project is not all of it.
            dirs: vec![project.join("xdg/vx"), dir.path().to_owned()],
        };
        let watch = Watch::new(&project, vec!["**/*".to_owned()], unwatched).unwrap();
        for quiet in [
            "dist/a.js",
            "dist/x/y.js",
            "pkg/out/b",
            "xdg/vx/state/tasks/t",
            "xdg",
        ] {
            assert_eq!(
                watch.relevant(&modified(project.join(quiet))),
                None,
                "{quiet}"
            );
        }
        assert_eq!(
            watch.relevant(&modified(project.join("src/a.rs"))),
            Some(PathBuf::from("src/a.rs"))
        );
        assert_eq!(
            watch.relevant(&modified(project.join("pkg/outer.txt"))),
            Some(PathBuf::from("pkg/outer.txt"))
        );
    }

    #[test]
    fn a_change_is_seen_under_the_projects_link_and_its_real_path() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("private-tmp/project");
        std::fs::create_dir_all(&real).unwrap();
        let link = dir.path().join("tmp");
        std::os::unix::fs::symlink(dir.path().join("private-tmp"), &link).unwrap();
        let project = link.join("project");
        let watch =
            Watch::new(&project, vec!["src/*.rs".to_owned()], Unwatched::default()).unwrap();
        let real = real.canonicalize().unwrap();
        assert_eq!(
            watch.relevant(&modified(real.join("src/main.rs"))),
            Some(PathBuf::from("src/main.rs"))
        );
        assert_eq!(
            watch.relevant(&modified(project.join("src/main.rs"))),
            Some(PathBuf::from("src/main.rs"))
        );
        assert_eq!(watch.relevant(&modified(real.join("README.md"))), None);
        assert_eq!(
            watch.relevant(&modified(dir.path().join("elsewhere/src/main.rs"))),
            None
        );
        let read = notify::Event::new(notify::EventKind::Access(AccessKind::Any))
            .add_path(real.join("src/main.rs"));
        assert_eq!(watch.relevant(&read), None);
    }
}
