//! A PyPI runtime tool's virtual environment, made by vx itself before uv installs
//! the pinned set into it ([`super::environment`]): the PEP 405 layout `uv venv`
//! writes on Unix (astral-sh/uv's `crates/uv-virtualenv/src/virtualenv.rs`), less
//! what only a person at a shell uses (the `activate` scripts): `pyvenv.cfg` naming
//! the runtime's `bin` as `home`, `bin/python` a link to the runtime's python and
//! `python3`, `python3.X` links to it, an empty `lib/python3.X/site-packages` (and
//! `lib64` a link to `lib`). Made here, it costs no process: `uv venv` starts uv and
//! has it run the python once to learn what vx knows already (its version, its
//! layout), which on an empty uv cache was an eighth of a PyPI tool's install
//! (docs/BENCHMARKS.md §21). The tool's environment is its own all the same: its own
//! site-packages, the system's not included.
//!
//! Only a runtime laid out as CPython's installs it on Unix (`bin/python3.X` and
//! `lib/python3.X/` for the version locked) is taken; any other is left to `uv venv`.

use std::path::{Path, PathBuf};

/// The python of `runtime` (its store directory) for the locked `version`
/// (`3.12.1`) and its `3.X` name, when the runtime is laid out as CPython's installs
/// it: `bin/python3.X` and `lib/python3.X/os.py`.
fn cpython_layout(runtime: &Path, version: &str) -> Option<(PathBuf, String)> {
    let mut parts = version.split('.');
    let major = parts.next().filter(|m| *m == "3")?;
    let minor = parts
        .next()
        .filter(|m| m.bytes().all(|b| b.is_ascii_digit()))?;
    let short = format!("{major}.{minor}");
    let python = runtime.join("bin").join(format!("python{short}"));
    let lib = runtime.join("lib").join(format!("python{short}"));
    (python.is_file() && lib.join("os.py").is_file()).then_some((python, short))
}

/// Makes the virtual environment `venv` (not there yet) with the python of `runtime`
/// locked at `version`; `Ok(false)`, and nothing made, when the runtime is not laid
/// out as CPython's installs (the caller then runs `uv venv`).
pub(crate) fn make(runtime: &Path, version: &str, venv: &Path) -> std::io::Result<bool> {
    if !cfg!(unix) {
        return Ok(false);
    }
    let Some((python, short)) = cpython_layout(runtime, version) else {
        return Ok(false);
    };
    let home = runtime.join("bin");
    let site = venv
        .join("lib")
        .join(format!("python{short}"))
        .join("site-packages");
    std::fs::create_dir_all(&site)?;
    let bin = venv.join("bin");
    std::fs::create_dir_all(&bin)?;
    link(&python, &bin.join("python"))?;
    link(Path::new("python"), &bin.join("python3"))?;
    link(Path::new("python"), &bin.join(format!("python{short}")))?;
    link(Path::new("lib"), &venv.join("lib64"))?;
    let cfg = format!(
        "home = {}\nimplementation = CPython\nversion_info = {version}\ninclude-system-site-packages = false\n",
        home.display()
    );
    std::fs::write(venv.join("pyvenv.cfg"), cfg)?;
    Ok(true)
}

/// How long the making of a project's virtual environment may take before it is
/// stopped (a python that hangs on what it reads must not hang `vx sync`).
pub(crate) const PROJECT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// What makes a project's virtual environment, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Maker {
    /// The project's own uv (`uv venv`: no pip, as a uv team expects).
    ProjectUv(PathBuf),
    /// vx's own uv (its store directory): `uv venv`, then pip put in from the
    /// python's own bundled wheel, offline, as `python -m venv` would have it.
    VxUv(PathBuf),
    /// `python -I -m venv` (pip bootstrapped by ensurepip: seconds).
    Python,
}

/// Makes the project's virtual environment `making.venv` (checked by the caller:
/// absent or a plain directory) with `maker`, each command isolated from the project
/// (python with `-I`, run from the python's own directory, so nothing of the project
/// is imported) and bounded ([`PROJECT_DEADLINE`]; ended, with what it started, when
/// `stop` is set, and when this vx dies, even by SIGKILL: [`vx_base::tie`]).
/// With vx's uv and a python without a bundled pip wheel, pip is left out and that
/// is said (`Ok(Some(note))`).
pub fn make_project(
    making: &vx_model::project_env::venv::Making<'_>,
    maker: &Maker,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Option<String>, vx_model::project_env::venv::VenvError> {
    use vx_model::project_env::venv::VenvError;
    let python = making.python;
    let venv = making.venv;
    // Where each command runs: the python's own directory, never the project.
    let here = python
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let run = |mut command: std::process::Command, shown: String| {
        let failed = |reason: String| VenvError::Failed {
            venv: venv.to_owned(),
            program: shown.clone(),
            reason,
        };
        command
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .env_remove(vx_model::project_env::venv::VAR);
        // Ended with this vx even when it is SIGKILLed: run under the tie an install
        // child runs under (`vx tied`).
        let mut command = vx_base::tie::through(command);
        let out = match vx_base::platform::process::output_bounded(
            &mut command,
            PROJECT_DEADLINE,
            stop,
        ) {
            Ok(out) => out,
            Err(vx_base::platform::process::Bounded::Interrupted) => {
                return Err(VenvError::Interrupted {
                    venv: venv.to_owned(),
                });
            }
            Err(err) => return Err(failed(err.to_string())),
        };
        if out.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Err(failed(format!(
            "{}: {}",
            vx_base::platform::process::describe_status(out.status),
            vx_text::sanitize(last.trim())
        )))
    };
    let venv_arg = venv.to_string_lossy().into_owned();
    let python_arg = python.to_string_lossy().into_owned();
    match maker {
        Maker::ProjectUv(uv) => {
            let mut command = std::process::Command::new(uv);
            // `--no-project`: the venv asked for, whatever a pyproject.toml around it
            // says; the python is named, so none is downloaded.
            command
                .args(["venv", "--quiet", "--no-project", "--python"])
                .arg(python)
                .arg(venv)
                .current_dir(&here);
            run(command, format!("{} venv", uv.display()))?;
            Ok(None)
        }
        Maker::VxUv(dir) => {
            let uv = dir.join(vx_base::platform::fs::program_file("uv"));
            let shown = format!("{} venv", uv.display());
            let args = [
                "venv",
                "--no-project",
                "--no-python-downloads",
                "--python",
                &python_arg,
                &venv_arg,
            ];
            run(super::uv::command(&uv, &args, &here), shown)?;
            let Some(wheel) = bundled_pip(python) else {
                return Ok(Some(format!(
                    "vx: {} has no pip of its own (ensurepip's wheel): the virtual environment has no pip",
                    python.display()
                )));
            };
            let venv_python = super::uv::venv_python(venv).to_string_lossy().into_owned();
            let wheel_arg = wheel.to_string_lossy().into_owned();
            let args = [
                "pip",
                "install",
                "--offline",
                "--no-index",
                "--no-deps",
                "--python",
                &venv_python,
                &wheel_arg,
            ];
            run(
                super::uv::command(&uv, &args, &here),
                format!("{} pip install {}", uv.display(), wheel.display()),
            )?;
            Ok(None)
        }
        Maker::Python => {
            let mut command = std::process::Command::new(python);
            command
                .args(["-I", "-m", "venv"])
                .arg(venv)
                .current_dir(&here);
            run(command, format!("{} -I -m venv", python.display()))?;
            Ok(None)
        }
    }
}

/// The pip wheel `python`'s own standard library bundles for ensurepip
/// (`lib/python3.X/ensurepip/_bundled/pip-*.whl`, `Lib\ensurepip\_bundled` on
/// Windows), the newest when there are several.
pub(crate) fn bundled_pip(python: &Path) -> Option<PathBuf> {
    let prefix = python.parent()?.parent()?;
    let mut libs = vec![prefix.join("Lib"), python.parent()?.join("Lib")];
    if let Ok(entries) = std::fs::read_dir(prefix.join("lib")) {
        let mut versions: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .map(|e| e.path())
            .collect();
        versions.sort();
        libs.extend(versions);
    }
    libs.iter()
        .map(|lib| lib.join("ensurepip").join("_bundled"))
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pip-") && n.ends_with(".whl"))
        })
        .max()
}

fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    vx_base::platform::fs::symlink(target, at)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A runtime tree laid out as CPython's installs it (the files, not a python).
    fn runtime(dir: &Path) -> PathBuf {
        let runtime = dir.join("python");
        std::fs::create_dir_all(runtime.join("bin")).unwrap();
        std::fs::create_dir_all(runtime.join("lib/python3.12")).unwrap();
        std::fs::write(runtime.join("bin/python3.12"), "").unwrap();
        std::fs::write(runtime.join("lib/python3.12/os.py"), "").unwrap();
        runtime
    }

    #[test]
    fn the_venv_names_the_runtime_as_home_and_links_its_python() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = runtime(dir.path());
        let venv = dir.path().join("venv");
        assert!(make(&runtime, "3.12.1", &venv).unwrap());
        let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
        assert!(
            cfg.starts_with(&format!("home = {}\n", runtime.join("bin").display())),
            "{cfg}"
        );
        assert!(
            cfg.contains("include-system-site-packages = false\n"),
            "{cfg}"
        );
        assert!(cfg.contains("version_info = 3.12.1\n"), "{cfg}");
        assert_eq!(
            std::fs::read_link(venv.join("bin/python")).unwrap(),
            runtime.join("bin/python3.12")
        );
        for name in ["python3", "python3.12"] {
            assert_eq!(
                std::fs::read_link(venv.join("bin").join(name)).unwrap(),
                Path::new("python")
            );
        }
        assert!(venv.join("lib/python3.12/site-packages").is_dir());
        assert!(venv.join("lib64/python3.12/site-packages").is_dir());
    }

    #[test]
    fn a_runtime_of_another_layout_or_version_is_left_to_uv() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = runtime(dir.path());
        let venv = dir.path().join("venv");
        for version in ["3.13.0", "2.7.18", "pypy3.10", "3"] {
            assert!(!make(&runtime, version, &venv).unwrap(), "{version}");
            assert!(!venv.exists(), "{version}");
        }
    }
}
