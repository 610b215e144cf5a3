//! The project's virtual environment (`[settings] python_venv = ".venv"`): made with
//! the project's own python — the toolchain's, from the lock, never one found on the
//! inherited `PATH` — when it is missing, by the commands that install what a project
//! lacks (`vx sync`, `vx exec`, `vx run`); activated, as its `activate` script does
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
    /// `python -m venv` could not run or failed.
    #[error("cannot make the virtual environment {}: {python} -m venv: {reason}", .venv.display(), python = .python.display())]
    Failed {
        /// The virtual environment's directory.
        venv: PathBuf,
        /// The python that was run.
        python: PathBuf,
        /// What it said, or why it did not run.
        reason: String,
    },
}

/// The directory of a virtual environment's executables: `Scripts` on Windows, else
/// `bin` (as CPython's `venv` module lays it out).
pub fn bin_dir(venv: &Path) -> PathBuf {
    venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
}

/// Whether `venv` is a virtual environment already (its `pyvenv.cfg` is there).
pub fn exists(venv: &Path) -> bool {
    venv.join(MARKER).is_file()
}

/// Makes the virtual environment `venv` with the first python of `bin_dirs` (the
/// toolchain's directories) when it is missing; `Ok(true)` when it was made. An
/// existing one is left as it is, whichever python made it.
pub fn ensure(venv: &Path, bin_dirs: &[PathBuf]) -> Result<bool, VenvError> {
    if exists(venv) {
        return Ok(false);
    }
    let python = find_python(bin_dirs).ok_or_else(|| VenvError::NoPython {
        venv: venv.to_owned(),
    })?;
    let failed = |reason: String| VenvError::Failed {
        venv: venv.to_owned(),
        python: python.clone(),
        reason,
    };
    let out = Command::new(&python)
        .arg("-m")
        .arg("venv")
        .arg(venv)
        // The project's own variables must not change what python does here.
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONPATH")
        .env_remove(VAR)
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
            crate::platform::process::describe_status(out.status),
            vx_text::sanitize(last.trim())
        )));
    }
    Ok(true)
}

/// The first `python3` (or `python`) in `bin_dirs`.
fn find_python(bin_dirs: &[PathBuf]) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["python.exe", "python3.exe"]
    } else {
        &["python3", "python"]
    };
    bin_dirs
        .iter()
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
        let err = ensure(&venv, &[dir.path().to_owned()]).unwrap_err();
        assert!(err.to_string().contains("python = \"3.12\""), "{err}");
        assert!(!venv.exists());
    }

    #[test]
    fn an_existing_venv_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MARKER), "home = /x\n").unwrap();
        assert!(!ensure(dir.path(), &[]).unwrap());
        assert_eq!(bin_dir(dir.path()).parent(), Some(dir.path()));
    }
}
