//! uv as the installer of a PyPI runtime tool's environment ([`super::environment`]):
//! `uv venv` with the project's python (where vx cannot make the venv itself,
//! [`super::venv`]), then `uv pip install --require-hashes
//! --no-deps` of the pinned list, which checks every file against the list's sha256 as
//! pip does (a mismatch: `Hash mismatch`, and the install fails). uv is vx's own
//! (astral-sh/uv's release, pinned in the lock: `crate::resolution::backend::uv`) and
//! runs apart from the user's uv: no `uv.toml` (`--no-config`), none of the user's
//! `UV_*` variables, its cache in vx's cache directory, no python downloaded.
//!
//! The network is vx's: the index after `url_replacements` (the caller's), the
//! proxies of the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`,
//! which uv reads as vx does), the operating system's certificates
//! (`UV_NATIVE_TLS`), and vx's `SSL_CERT_FILE` or `[http] ca_certificates` as the
//! bundle uv reads. Credentials stay uv's own (netrc): vx hands it no secret. The
//! files imported bundles carried are offered too (`--find-links`, the cache's
//! `environment-files`), so a bundle installs the set offline on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use vx_net::NetConfig;

use super::program::EnvironmentError;

/// Whether the environment is byte-compiled at install: only where the tool's runs
/// cannot write their bytecode themselves (`PYTHONDONTWRITEBYTECODE` set to a
/// non-empty value, as many CI images and containers do), so that every run would
/// compile its modules again. Elsewhere python writes the bytecode of the modules a run
/// imports at the tool's first run, as under `uv tool install` (and mise's pipx
/// tools): compiling every module of the environment at install took 1.2 s of
/// pre-commit's 2.3 s (virtualenv's many modules, most never imported;
/// docs/BENCHMARKS.md §24).
pub(crate) fn bytecode_at_install() -> bool {
    std::env::var_os("PYTHONDONTWRITEBYTECODE").is_some_and(|value| !value.is_empty())
}

/// vx's uv, ready to run.
pub(crate) struct Uv<'a> {
    /// The `uv` program.
    program: PathBuf,
    net: &'a NetConfig,
    offline: bool,
}

impl<'a> Uv<'a> {
    /// The uv installed in `dir` (its store directory), run with `net`'s settings;
    /// `offline`: from its cache alone.
    pub(crate) fn new(dir: &Path, net: &'a NetConfig, offline: bool) -> Uv<'a> {
        Uv {
            program: dir.join(vx_base::platform::fs::program_file("uv")),
            net,
            offline,
        }
    }

    /// `uv venv` at `venv` with `python`; on Windows `--relocatable`, so the
    /// launchers uv writes (`Scripts\NAME.exe`) find the venv's python beside them
    /// once the store's entry is moved into place (on Unix the scripts' heads are
    /// rewritten instead: `super::environment`).
    pub(crate) fn venv(
        &self,
        python: &Path,
        venv: &Path,
        dir: &Path,
    ) -> Result<(), EnvironmentError> {
        let python = python.to_string_lossy();
        let venv = venv.to_string_lossy();
        let mut args = vec![
            "venv",
            "--no-project",
            "--python",
            &python,
            "--no-python-downloads",
        ];
        if cfg!(windows) {
            args.push("--relocatable");
        }
        args.push(&venv);
        self.run(&args, dir)
    }

    /// `uv pip install --require-hashes --no-deps` of `requirements` into `venv`, from
    /// `index` (where requests go: after `url_replacements`), byte-compiled where the
    /// tool's runs could not write their own bytecode ([`bytecode_at_install`]).
    pub(crate) fn install(
        &self,
        venv: &Path,
        index: &str,
        requirements: &Path,
        dir: &Path,
    ) -> Result<(), EnvironmentError> {
        let python = venv_python(venv).to_string_lossy().into_owned();
        let requirements = requirements.to_string_lossy().into_owned();
        let mut args = vec![
            "pip",
            "install",
            "--python",
            &python,
            "--require-hashes",
            "--no-deps",
            "--index-url",
            index,
            "-r",
            &requirements,
        ];
        if bytecode_at_install() {
            args.push("--compile-bytecode");
        }
        if self.offline {
            args.push("--offline");
        }
        // The files imported bundles carried, by name (`vx bundle import`): where uv
        // finds the set without the index, each still checked by its sha256.
        let carried = vx_base::platform::fs::cache_dir()
            .map(|cache| cache.join(vx_sources::mirror::artifacts::ENVIRONMENT_FILES))
            .filter(|dir| dir.is_dir())
            .map(|dir| dir.to_string_lossy().into_owned());
        if let Some(carried) = &carried {
            args.extend(["--find-links", carried]);
        }
        self.run(&args, dir)
    }

    fn run(&self, args: &[&str], dir: &Path) -> Result<(), EnvironmentError> {
        let mut command = command(&self.program, args, dir);
        command.env("UV_NATIVE_TLS", "1");
        // Held until uv has run: the bundle of vx's extra CAs it reads.
        let bundle = ca_bundle(self.net)?;
        if let Some(file) = bundle.as_ref().map(tempfile::NamedTempFile::path).or(self
            .net
            .trust
            .cert_file
            .as_deref())
        {
            command.env("SSL_CERT_FILE", file);
        }
        super::program::output_of(command, &self.program, args.first().copied().unwrap_or(""))
            .map(drop)
    }
}

/// vx's uv at `program` running `args` in `dir`, apart from the user's uv: no
/// `uv.toml` (`--no-config`), none of the user's `UV_*` variables nor python's
/// (`PYTHONPATH`, `PYTHONHOME`, `VIRTUAL_ENV`), its cache in vx's cache directory, no
/// python downloaded, no progress drawn.
pub(crate) fn command(program: &Path, args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("UV_") {
            command.env_remove(key);
        }
    }
    command
        .arg("--no-config")
        .arg("--quiet")
        .args(args)
        .current_dir(dir)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env_remove("VIRTUAL_ENV")
        .env("UV_NO_PROGRESS", "1")
        .env("UV_PYTHON_DOWNLOADS", "never");
    match vx_base::platform::fs::cache_dir() {
        Some(cache) => command.env("UV_CACHE_DIR", cache.join("uv")),
        None => command.env("UV_NO_CACHE", "1"),
    };
    command
}

/// The python of `venv`: `bin/python` on Unix, `Scripts\python.exe` on Windows.
pub(crate) fn venv_python(venv: &Path) -> PathBuf {
    vx_model::project_env::venv::bin_dir(venv).join(vx_base::platform::fs::program_file("python"))
}

/// Where the system's bundle of certificates is on common Unix systems (uv with
/// `SSL_CERT_FILE` set reads that file alone, so vx's extra CAs go in a copy of it).
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    "/etc/ssl/ca-bundle.pem",
];

/// With `[http] ca_certificates`: a temporary file holding the bundle vx trusts
/// (`SSL_CERT_FILE`'s, else the system's) and those CAs; `None` without them.
fn ca_bundle(net: &NetConfig) -> Result<Option<tempfile::NamedTempFile>, EnvironmentError> {
    let trust = &net.trust;
    if trust.ca_certificates.is_empty() {
        return Ok(None);
    }
    let base = trust.cert_file.clone().or_else(|| {
        SYSTEM_BUNDLES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    });
    let mut pem = Vec::new();
    for file in base.iter().chain(&trust.ca_certificates) {
        let text = std::fs::read(file).map_err(|source| EnvironmentError::CaFile {
            path: file.clone(),
            source,
        })?;
        pem.extend_from_slice(&text);
        pem.push(b'\n');
    }
    // Public certificates only: the system's temporary directory does, removed on drop.
    let mut file = tempfile::Builder::new()
        .prefix("vx-uv-ca")
        .suffix(".pem")
        .tempfile()
        .map_err(EnvironmentError::CaBundle)?;
    std::io::Write::write_all(&mut file, &pem).map_err(EnvironmentError::write(file.path()))?;
    Ok(Some(file))
}
