//! The project's virtual environment (`[settings] python_venv = ".venv"`): made with
//! the project's own python — the toolchain's, from the lock, never one found on the
//! inherited `PATH` — when it is missing, and made again when the python it was made
//! with is gone or is not the project's (its `pyvenv.cfg`'s `home`, as `uv sync`
//! checks it), by the commands that install what a project lacks (`vx sync`, `vx
//! exec`, `vx run`), by the maker the caller gives (the engine's
//! `vx_engine::install::venv::make_project`: the project's `uv` when it has one,
//! else vx's own uv with pip from the python's own wheel, else `python -I -m venv`),
//! only where nothing is yet or into a plain directory ([`refuse_unsafe`]);
//! activated, as its `activate` script does
//! (`VIRTUAL_ENV`, its `bin` first on `PATH`), by everything that applies the project
//! environment ([`super::Declared`]): the shell hook, the shims, `vx exec`, `vx run`.

use std::path::{Path, PathBuf};

/// The variable naming the active virtual environment (`activate` sets it; tools
/// such as pip, poetry and uv read it).
pub const VAR: &str = "VIRTUAL_ENV";

/// The file that marks a directory as a virtual environment (PEP 405).
const MARKER: &str = "pyvenv.cfg";

/// Why the virtual environment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    /// The toolchain has no python to make it with.
    #[error(
        "[settings] python_venv = {shown:?}: the project has no python to make it with; add one to [tools] (python = \"3.12\")",
        shown = .venv.display()
    )]
    NoPython {
        /// The virtual environment's directory.
        venv: PathBuf,
    },
    /// `uv venv` or `python -m venv` could not run or failed.
    #[error("cannot make the virtual environment {}: {program}: {reason}", .venv.display())]
    Failed {
        /// The virtual environment's directory.
        venv: PathBuf,
        /// What was run (`…/uv venv`, `…/python3 -m venv`).
        program: String,
        /// What it said, or why it did not run.
        reason: String,
    },
    /// The place of the virtual environment is not one vx makes it into: a link, a
    /// FIFO or another special file where it would write (a clone's `.venv/pyvenv.cfg`
    /// linked out of the project, which python would create at the link's target).
    #[error(
        "cannot make the virtual environment {}: {what}; vx makes it only where nothing is yet, or into a plain directory without links or special files (remove it, and the next command makes it)",
        .venv.display()
    )]
    Refused {
        /// The virtual environment's directory.
        venv: PathBuf,
        /// What is in the way (`.venv/pyvenv.cfg is a symbolic link`).
        what: String,
    },
    /// The command making it was interrupted (and ended with what it started).
    #[error("the virtual environment {} was not made: interrupted", .venv.display())]
    Interrupted {
        /// The virtual environment's directory.
        venv: PathBuf,
    },
    /// A virtual environment that no longer fits the project could not be replaced.
    #[error("the virtual environment {} must be made again ({why}), but cannot be replaced: {reason}", .venv.display())]
    Replace {
        /// The virtual environment's directory.
        venv: PathBuf,
        /// Why it must be made again.
        why: Stale,
        /// Why it cannot be replaced.
        reason: String,
    },
}

/// The directory of a virtual environment's executables: `Scripts` on Windows, else
/// `bin` (as CPython's `venv` module lays it out).
pub fn bin_dir(venv: &Path) -> PathBuf {
    venv.join(vx_base::platform::fs::VENV_PROGRAMS)
}

/// Whether `venv` is a virtual environment already (its `pyvenv.cfg` is there).
pub fn exists(venv: &Path) -> bool {
    venv.join(MARKER).is_file()
}

/// What [`ensure`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ensured {
    /// It was there, made by the project's python (or the project has none).
    Present,
    /// It was missing and was made.
    Made,
    /// It was made by a python that is gone or is not the project's, and was made
    /// again with the project's (as `uv sync` does): what was installed in it is gone.
    Remade(Stale),
}

/// Why a virtual environment no longer fits the project.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stale {
    /// The python it was made with is gone (`vx prune`, `vx uninstall`, a moved store).
    #[error("the python it was made with ({}) is gone", home.display())]
    Gone {
        /// The python's directory its `pyvenv.cfg` names.
        home: PathBuf,
    },
    /// It was made with another python than the project's.
    #[error("it was made with {}, not the project's python ({})", home.display(), python.display())]
    Other {
        /// The python's directory its `pyvenv.cfg` names.
        home: PathBuf,
        /// The project's python.
        python: PathBuf,
    },
}

/// The directory of the python `venv` was made with: its `pyvenv.cfg`'s `home` (PEP
/// 405), read bounded; `None` without one.
pub fn home(venv: &Path) -> Option<PathBuf> {
    let text = vx_base::bounded_read::read(&venv.join(MARKER), 64 << 10).ok()?;
    let text = String::from_utf8_lossy(&text);
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "home")
            .then(|| PathBuf::from(value.trim()))
            .filter(|home| !home.as_os_str().is_empty())
    })
}

/// Why `venv` does not fit the project's `python` (an executable of the toolchain),
/// if it does not: the python its `pyvenv.cfg` names is gone, or is another. A venv
/// without a `home` is left alone (not one a python made).
pub fn stale(venv: &Path, python: &Path) -> Option<Stale> {
    let home = home(venv)?;
    let Some(found) = find_python(std::slice::from_ref(&home)) else {
        return Some(Stale::Gone { home });
    };
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let ours = python.parent().is_some_and(|dir| same(dir, &home))
        || found.canonicalize().ok() == python.canonicalize().ok();
    (!ours).then(|| Stale::Other {
        home,
        python: python.to_owned(),
    })
}

/// Makes the virtual environment `venv` of the project in `project` with the first
/// python of `bin_dirs` (the toolchain's directories) when it is missing, or again when
/// the python it was made with is gone or is not that one ([`stale`]).
///
/// Made by `make` (what to make it with: [`Making`]), only where [`refuse_unsafe`]
/// finds nothing in the way.
pub fn ensure(
    venv: &Path,
    project: &Path,
    bin_dirs: &[PathBuf],
    make: &dyn Fn(&Making<'_>) -> Result<(), VenvError>,
) -> Result<Ensured, VenvError> {
    let python = find_python(bin_dirs);
    let stale = match (&python, exists(venv)) {
        (_, false) => None,
        (None, true) => return Ok(Ensured::Present),
        (Some(python), true) => match stale(venv, python) {
            None => return Ok(Ensured::Present),
            Some(why) => Some(why),
        },
    };
    let python = python.ok_or_else(|| VenvError::NoPython {
        venv: venv.to_owned(),
    })?;
    let uv = find_in(bin_dirs, &[&vx_base::platform::fs::program_file("uv")]);
    let making = Making {
        venv,
        python: &python,
        project_uv: uv.as_deref(),
    };
    let Some(why) = stale else {
        refuse_unsafe(venv, project)?;
        make(&making)?;
        return Ok(Ensured::Made);
    };
    // Only a venv inside the project, never the project itself, is replaced; the old
    // one is moved aside first and put back when the new one cannot be made.
    let inside = match (venv.canonicalize(), project.canonicalize()) {
        (Ok(venv), Ok(project)) => venv.starts_with(&project) && venv != project,
        _ => false,
    };
    if !inside || venv.join(crate::manifest::MANIFEST_FILE).exists() {
        return Err(VenvError::Replace {
            venv: venv.to_owned(),
            why,
            reason: "it is not a directory inside the project".to_owned(),
        });
    }
    let aside = aside_path(venv);
    std::fs::rename(venv, &aside).map_err(|e| VenvError::Replace {
        venv: venv.to_owned(),
        why: why.clone(),
        reason: e.to_string(),
    })?;
    match refuse_unsafe(venv, project).and_then(|()| make(&making)) {
        Ok(()) => {
            let _ = std::fs::remove_dir_all(&aside);
            Ok(Ensured::Remade(why))
        }
        Err(err) => {
            let _ = std::fs::remove_dir_all(venv);
            let _ = std::fs::rename(&aside, venv);
            Err(err)
        }
    }
}

/// A sibling of `venv` to move it to while a new one is made.
fn aside_path(venv: &Path) -> PathBuf {
    let name = venv
        .file_name()
        .map_or_else(|| "venv".into(), |n| n.to_string_lossy().into_owned());
    venv.with_file_name(format!(".{name}.vx-old-{}", std::process::id()))
}

/// What a virtual environment is to be made with, for the maker [`ensure`] is given
/// (the engine's: `vx_engine::install::venv::make_project`).
#[derive(Clone, Copy, Debug)]
pub struct Making<'a> {
    /// Where (checked by [`refuse_unsafe`]: absent, or a plain directory).
    pub venv: &'a Path,
    /// The project's python (an executable of its toolchain).
    pub python: &'a Path,
    /// The project's own `uv`, when its toolchain has one.
    pub project_uv: Option<&'a Path>,
}

/// The most entries of an existing directory [`refuse_unsafe`] looks at.
const MAX_ENTRIES: usize = 10_000;

/// Refuses to make `venv` (of the project in `project`) anywhere but into nothing or a
/// plain directory: every part of its path below the project a real directory (not a
/// link), and, when it is there, nothing in it but directories and regular files. A
/// clone's `.venv/pyvenv.cfg` linked to a path outside the project (python would
/// create the link's target there), or a FIFO there (python would wait on it for ever),
/// is refused before anything runs.
pub(crate) fn refuse_unsafe(venv: &Path, project: &Path) -> Result<(), VenvError> {
    let refused = |what: String| VenvError::Refused {
        venv: venv.to_owned(),
        what,
    };
    let shown = |path: &Path| {
        let rel = path
            .strip_prefix(project)
            .unwrap_or(path)
            .display()
            .to_string();
        vx_text::sanitize(&rel).into_owned()
    };
    // Each part below the project, down to the venv itself.
    if let Ok(below) = venv.strip_prefix(project) {
        let mut at = project.to_owned();
        for part in below.components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Err(_) => return Ok(()),
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) => {
                    return Err(refused(format!("{} is {}", shown(&at), kind(&meta))));
                }
            }
        }
    } else {
        match std::fs::symlink_metadata(venv) {
            Err(_) => return Ok(()),
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => return Err(refused(format!("it is {}", kind(&meta)))),
        }
    }
    // What is in it already.
    let mut seen = 0usize;
    let mut dirs = vec![venv.to_owned()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| refused(format!("{} cannot be read: {e}", shown(&dir))))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| refused(format!("{} cannot be read: {e}", shown(&dir))))?;
            seen += 1;
            if seen > MAX_ENTRIES {
                return Err(refused(format!(
                    "it holds more than {MAX_ENTRIES} files already"
                )));
            }
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|e| refused(format!("{} cannot be read: {e}", shown(&path))))?;
            if meta.is_dir() {
                dirs.push(path);
            } else if !meta.is_file() {
                return Err(refused(format!("{} is {}", shown(&path), kind(&meta))));
            }
        }
    }
    Ok(())
}

/// What a file that is not a plain directory or file is, in words.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.file_type().is_symlink() {
        "a symbolic link"
    } else {
        vx_base::platform::fs::kind_of(meta.file_type())
    }
}

/// The first `python3` (or `python`) in `bin_dirs`.
pub fn find_python(bin_dirs: &[PathBuf]) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["python.exe", "python3.exe"]
    } else {
        &["python3", "python"]
    };
    find_in(bin_dirs, names)
}

/// The first of `names` in `dirs`, in order of the directories.
fn find_in(dirs: &[PathBuf], names: &[&str]) -> Option<PathBuf> {
    dirs.iter()
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A maker that must not be called.
    fn never(making: &Making<'_>) -> Result<(), VenvError> {
        panic!("made {}", making.venv.display())
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_fifo_where_the_venv_goes_is_refused_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(project.join(".venv")).unwrap();
        let python = python_in(&dir.path().join("py"));
        let bin = [python.parent().unwrap().to_owned()];
        let venv = project.join(".venv");
        std::os::unix::fs::symlink(&outside, venv.join(MARKER)).unwrap();
        let err = ensure(&venv, &project, &bin, &never).unwrap_err();
        assert!(
            err.to_string()
                .contains(".venv/pyvenv.cfg is a symbolic link"),
            "{err}"
        );
        assert!(!outside.exists());
        std::fs::remove_file(venv.join(MARKER)).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(venv.join(MARKER))
            .status()
            .unwrap();
        assert!(made.success());
        let err = ensure(&venv, &project, &bin, &never).unwrap_err();
        assert!(
            err.to_string().contains(".venv/pyvenv.cfg is a FIFO"),
            "{err}"
        );
        // The venv itself a link: refused too.
        std::fs::remove_dir_all(&venv).unwrap();
        std::os::unix::fs::symlink(&outside, &venv).unwrap();
        let err = ensure(&venv, &project, &bin, &never).unwrap_err();
        assert!(
            err.to_string().contains(".venv is a symbolic link"),
            "{err}"
        );
        // An empty plain directory, or none: made.
        std::fs::remove_file(&venv).unwrap();
        let made = std::cell::Cell::new(0);
        let count = |_: &Making<'_>| {
            made.set(made.get() + 1);
            Ok(())
        };
        assert_eq!(
            ensure(&venv, &project, &bin, &count).unwrap(),
            Ensured::Made
        );
        std::fs::create_dir(&venv).unwrap();
        assert_eq!(
            ensure(&venv, &project, &bin, &count).unwrap(),
            Ensured::Made
        );
        assert_eq!(made.get(), 2);
    }

    #[test]
    fn without_a_python_the_error_says_how_to_get_one() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        let err = ensure(&venv, dir.path(), &[dir.path().to_owned()], &never).unwrap_err();
        assert!(err.to_string().contains("python = \"3.12\""), "{err}");
        assert!(!venv.exists());
    }

    #[test]
    fn an_existing_venv_is_left_as_it_is_without_a_python_to_judge_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER), "home = /x\n").unwrap();
        assert_eq!(
            ensure(dir.path(), dir.path(), &[], &never).unwrap(),
            Ensured::Present
        );
        assert_eq!(bin_dir(dir.path()).parent(), Some(dir.path()));
    }

    /// A python of a store tree: `<dir>/bin/python3` (`python.exe` on Windows, the
    /// name [`find_python`] looks for there).
    fn python_in(dir: &Path) -> PathBuf {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let python = bin.join(if cfg!(windows) {
            "python.exe"
        } else {
            "python3"
        });
        std::fs::write(&python, "").unwrap();
        python
    }

    #[test]
    fn a_venv_is_stale_when_its_python_is_gone_or_another() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        let (old_python, new_python) = (python_in(&old), python_in(&new));
        let venv = dir.path().join(".venv");
        std::fs::create_dir(&venv).unwrap();
        let cfg = format!("home = {}\nversion = 3.12.9\n", old.join("bin").display());
        std::fs::write(venv.join(MARKER), cfg).unwrap();
        assert_eq!(home(&venv), Some(old.join("bin")));
        assert_eq!(stale(&venv, &old_python), None);
        assert!(matches!(
            stale(&venv, &new_python),
            Some(Stale::Other { .. })
        ));
        std::fs::remove_dir_all(&old).unwrap();
        assert_eq!(
            stale(&venv, &new_python),
            Some(Stale::Gone {
                home: old.join("bin")
            })
        );
        // No `home`: not one a python made, left alone.
        std::fs::write(venv.join(MARKER), "version = 3.12.9\n").unwrap();
        assert_eq!(stale(&venv, &new_python), None);
    }

    /// The project directory itself is never taken for a venv to replace.
    #[test]
    fn a_stale_venv_that_is_the_project_itself_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new");
        python_in(&new);
        let cfg = format!("home = {}\n", dir.path().join("gone/bin").display());
        std::fs::write(dir.path().join(MARKER), cfg).unwrap();
        let err = ensure(dir.path(), dir.path(), &[new.join("bin")], &never).unwrap_err();
        assert!(matches!(err, VenvError::Replace { .. }), "{err}");
        assert!(dir.path().join(MARKER).is_file(), "nothing removed");
    }
}
