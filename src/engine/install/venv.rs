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
pub fn make(runtime: &Path, version: &str, venv: &Path) -> std::io::Result<bool> {
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

fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    crate::foundation::platform::fs::symlink(target, at)
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
