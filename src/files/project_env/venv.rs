//! The project's virtual environment (`[settings] python_venv = ".venv"`): made with
//! the project's own python — the toolchain's, from the lock, never one found on the
//! inherited `PATH` — when it is missing, and made again when the python it was made
//! with is gone or is not the project's (its `pyvenv.cfg`'s `home`, as `uv sync`
//! checks it), by the commands that install what a project lacks (`vx sync`, `vx
//! exec`, `vx run`); with the project's `uv` when it has one (`uv venv`, no pip),
//! else `python -m venv`; activated, as its `activate` script does
//! (`VIRTUAL_ENV`, its `bin` first on `PATH`), by everything that applies the project
//! environment ([`super::Declared`]): the shell hook, the shims, `vx exec`, `vx run`.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    venv.join(crate::foundation::platform::fs::VENV_PROGRAMS)
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
    let text = crate::foundation::bounded_read::read(&venv.join(MARKER), 64 << 10).ok()?;
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
/// Made as the project's tools would make it: with the project's own `uv` when the
/// toolchain has one (`uv venv`: no pip, as a uv team expects, in tens of
/// milliseconds), else with `python -m venv` (pip included, as python's own makes it).
pub fn ensure(venv: &Path, project: &Path, bin_dirs: &[PathBuf]) -> Result<Ensured, VenvError> {
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
    let uv = find_in(
        bin_dirs,
        &[&crate::foundation::platform::fs::program_file("uv")],
    );
    let Some(why) = stale else {
        make(venv, &python, uv.as_deref())?;
        return Ok(Ensured::Made);
    };
    // Only a venv inside the project, never the project itself, is replaced; the old
    // one is moved aside first and put back when the new one cannot be made.
    let inside = match (venv.canonicalize(), project.canonicalize()) {
        (Ok(venv), Ok(project)) => venv.starts_with(&project) && venv != project,
        _ => false,
    };
    if !inside || venv.join(crate::files::manifest::MANIFEST_FILE).exists() {
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
    match make(venv, &python, uv.as_deref()) {
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

/// Makes `venv` with `python`: `uv venv` when `uv` is given, else `python -m venv`.
fn make(venv: &Path, python: &Path, uv: Option<&Path>) -> Result<(), VenvError> {
    let (program, mut command) = match uv {
        Some(uv) => {
            let mut command = Command::new(uv);
            // `--no-project`: the venv asked for, whatever a pyproject.toml around it
            // says; the python is named, so none is downloaded.
            command
                .args(["venv", "--quiet", "--no-project", "--python"])
                .arg(python)
                .arg(venv);
            (format!("{} venv", uv.display()), command)
        }
        None => {
            let mut command = Command::new(python);
            command.arg("-m").arg("venv").arg(venv);
            (format!("{} -m venv", python.display()), command)
        }
    };
    let failed = |reason: String| VenvError::Failed {
        venv: venv.to_owned(),
        program: program.clone(),
        reason,
    };
    // The project's own variables must not change what python or uv does here.
    let out = command
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .env_remove(VAR)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(failed(format!(
            "{}: {}",
            crate::foundation::platform::process::describe_status(out.status),
            vx_text::sanitize(last.trim())
        )));
    }
    Ok(())
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

    #[test]
    fn without_a_python_the_error_says_how_to_get_one() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        let err = ensure(&venv, dir.path(), &[dir.path().to_owned()]).unwrap_err();
        assert!(err.to_string().contains("python = \"3.12\""), "{err}");
        assert!(!venv.exists());
    }

    #[test]
    fn an_existing_venv_is_left_as_it_is_without_a_python_to_judge_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER), "home = /x\n").unwrap();
        assert_eq!(
            ensure(dir.path(), dir.path(), &[]).unwrap(),
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
        let err = ensure(dir.path(), dir.path(), &[new.join("bin")]).unwrap_err();
        assert!(matches!(err, VenvError::Replace { .. }), "{err}");
        assert!(dir.path().join(MARKER).is_file(), "nothing removed");
    }
}
