//! Builds a runtime tool's environment (`vx_sources::backend::environment`) in the tree
//! being installed, before it is moved into the store: the runtime (node, python) is
//! installed first by this same engine when the store lacks it, then the package
//! manager installs the pinned set (`npm ci --ignore-scripts`; a venv and `pip install
//! --require-hashes --no-deps`), each file checked against the lockfile's hash by the
//! manager; a mismatch fails the install and nothing of it reaches the store. The
//! tool's commands are put in the tree's `bin/`, and only those (not the venv's
//! `python` or `pip`): a wrapper that runs the package's script with the runtime
//! (npm), or the venv's console script (pip).
//!
//! The same runners serve the lock ([`npm_lockfile`], [`pip_resolve`]): the resolver
//! makes the lockfile with vx's own runtime.
//!
//! On Unix a command is an `sh` wrapper. On Windows it is a program with leading
//! arguments ([`vx_base::launch`]: `NAME.cmd` and its launch record), which `vx exec`
//! and the shims start directly: npm's command is `node.exe <script>` (node's zip
//! holds `node.exe` and `node_modules\npm` at its top, npm run as `node.exe
//! npm-cli.js`, never through `npm.cmd`), a venv's is its `Scripts\NAME.exe`, the
//! launcher uv writes (the venv made `--relocatable`, so the launcher finds its
//! python beside it wherever the store's entry is moved to). pip's launchers name the
//! venv's python by the path it was made at, so on Windows only uv builds a venv.

use std::path::{Path, PathBuf};
use std::process::Command;

use vx_model::config_frame::InstallConfig;
use vx_model::spec::needs::{Manager, Plan};
use vx_sources::backend::environment as env;
use vx_sources::backend::npmrc::ForNpm as NpmConfig;

use super::build_with::Prepared;
pub(crate) use super::program::EnvironmentError;
use super::{InstallError, InstallOptions, ProgressSink};

/// What a runtime tool's environment is made with, as the sync plan gave it.
pub(crate) struct Made<'a> {
    /// The runtime, installed first by [`super::build_with`]; `None`: the runtime's
    /// version already in the store.
    pub runtime: Option<&'a Prepared>,
    /// A PyPI tool's installer (vx's uv), installed by [`super::build_with::prepare`]
    /// when the environment is built; `None`: python's own pip.
    pub installer: Option<vx_model::spec::ToolSpec>,
    /// The package's own file (an npm tarball, a PyPI wheel or sdist), downloaded and
    /// checked by vx ([`kept_archive`]): its manager installs it from this file
    /// instead of fetching it again.
    pub archive: Option<&'a Path>,
}

/// The file name a PyPI file's `url` ends with, when it is one pip and uv install
/// from (a wheel's PEP 427 name, or an sdist's `.tar.gz`) and a plain name: one path
/// component, no escapes (a hostile lock's URL never names a path).
fn pypi_file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'));
    let installable =
        vx_sources::backend::pypi::Wheel::parse(name).is_some() || name.ends_with(".tar.gz");
    (plain && installable).then(|| name.to_owned())
}

/// Whether `cfg`'s tool is a runtime tool, its tree an environment its package
/// manager builds (so vx does not unpack its archive).
pub(crate) fn is_planned(cfg: &InstallConfig) -> bool {
    cfg.spec.needs.environment.is_some()
}

/// A runtime tool's archive, once downloaded to `download` and checked, kept in `work`
/// for [`build_if_planned`] to give its package manager, which installs the package
/// from that file instead of fetching it again: an npm tarball (pinned by its
/// `integrity`) under the name npm finds it by ([`env::npm_carried_name`], a `.tgz`,
/// which npm reads as a tarball); a PyPI wheel or sdist under its own file name, which
/// pip and uv read its tags and version from (`pypi_file_name`). Any other is
/// removed.
pub(crate) fn kept_archive(
    cfg: &InstallConfig,
    work: &Path,
    download: &Path,
) -> std::io::Result<Option<PathBuf>> {
    let pip = cfg
        .spec
        .needs
        .environment
        .as_ref()
        .is_some_and(|plan| plan.manager == Manager::Pip);
    let name = match pip {
        true => cfg
            .spec
            .sha256
            .as_ref()
            .and_then(|_| pypi_file_name(&cfg.spec.url)),
        false => cfg
            .spec
            .integrity
            .as_deref()
            .and_then(env::npm_carried_name),
    };
    match name {
        Some(name) => {
            let kept = work.join(name);
            std::fs::rename(download, &kept)?;
            Ok(Some(kept))
        }
        None => {
            std::fs::remove_file(download)?;
            Ok(None)
        }
    }
}

/// Builds the environment `cfg`'s options plan, when they plan one, with what `made`
/// names.
pub(crate) fn build_if_planned(
    cfg: &InstallConfig,
    tree: &Path,
    final_dir: &Path,
    made: Made<'_>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    let runtime = made.runtime;
    let Some(plan) = cfg.spec.needs.environment.clone() else {
        return Ok(());
    };
    let runtime = match runtime {
        Some(prepared) => prepared.dir.clone(),
        None => installed_runtime(cfg, &plan)?,
    };
    // uv, when the lock names one for this platform: installed (or taken from the
    // store) by the same engine as the runtime. Where it cannot be had (a mirror
    // without it, a download refused), pip builds the environment, and that is said.
    let mut why_not_uv = String::new();
    let uv = match made.installer.filter(|_| plan.manager == Manager::Pip) {
        None => None,
        Some(spec) => {
            let what = format!("uv {}", spec.version);
            match super::build_with::prepare(spec, cfg, sink, opts) {
                Ok(prepared) => Some(prepared.dir),
                Err(InstallError::Cancelled) => return Err(InstallError::Cancelled),
                Err(e) => {
                    why_not_uv = format!(" instead: {what} cannot be had ({e})");
                    // Said beyond the board, whose message the next phase replaces:
                    // in every output mode and in the summary.
                    sink.notice(&format!(
                        "its environment is installed with python's pip{why_not_uv}"
                    ));
                    None
                }
            }
        }
    };
    let with = match (&uv, plan.manager) {
        (Some(_), _) => "uv",
        (None, Manager::Npm) => "npm",
        (None, Manager::Pip) => "python's pip",
    };
    // The board keeps this message while the manager runs: a fall back to pip is
    // said there too, for as long as pip takes.
    sink.phase(
        vx_shm::Phase::PostInstall,
        &format!(
            "installing {}'s environment with {} and {with}{why_not_uv}",
            plan.package, plan.runtime
        ),
    );
    // The registry's archive of the package itself was checked by its hash above and
    // not unpacked; the manager installs it with the rest, by the lockfile's hashes
    // (npm from the file vx checked). Whatever the tree holds goes.
    clear(tree).map_err(|e| fail(cfg, &format!("cannot empty {}: {e}", tree.display())))?;
    // A PyPI index the lock records by its variable (`${PIP_INDEX_URL}`) is this
    // machine's value of it.
    let registry = match plan.manager {
        Manager::Pip => {
            vx_sources::backend::pipconf::fetched(&plan.registry, &|k| std::env::var(k).ok())
        }
        Manager::Npm => plan.registry.clone(),
    };
    let registry = opts.net.rewrites.apply(&registry).into_owned();
    // A PyPI package's own file, checked by vx: installed from it.
    let own_file = made.archive.zip(cfg.spec.sha256.as_deref());
    let built = match (plan.manager, uv) {
        (Manager::Npm, _) => {
            let given = npm_config(cfg, &plan, opts);
            let archive = made.archive.zip(cfg.spec.integrity.as_deref());
            npm_ci(
                &plan,
                &runtime,
                tree,
                final_dir,
                &given,
                archive,
                cfg.offline,
            )
        }
        (Manager::Pip, Some(uv)) => {
            let uv = super::uv::Uv::new(&uv, &opts.net, cfg.offline);
            let venv = tree.join("venv");
            // Made by vx where the runtime's layout is CPython's, else by `uv venv`.
            super::venv::make(&runtime, &plan.runtime_version, &venv)
                .map_err(EnvironmentError::from)
                .and_then(|made| match made {
                    true => Ok(()),
                    false => uv.venv(&python_of(&runtime), &venv, tree),
                })
                .and_then(|()| {
                    let requirements = write_requirements(&plan, tree, own_file)?;
                    uv.install(&tree.join("venv"), &registry, &requirements, tree)
                })
                .and_then(|()| venv_commands(&plan, tree, final_dir))
        }
        (Manager::Pip, None) if cfg!(windows) => Err(EnvironmentError::PipOnWindows),
        (Manager::Pip, None) => pip_install(&plan, &runtime, tree, final_dir, &registry, own_file),
    };
    built.map_err(|e| fail(cfg, &e.to_string()))
}

/// What npm is given to install the tool's dependencies: the registries and tokens of
/// the user's `.npmrc` and the project's (the folder the plan names), read here so no
/// secret travels to this process; the lock's registry for the package where neither
/// names one.
fn npm_config(cfg: &InstallConfig, plan: &Plan, opts: &InstallOptions) -> NpmConfig {
    // Named by the plan for a project the user trusts only.
    let project = cfg
        .spec
        .needs
        .npmrc_dir
        .as_deref()
        .map(|dir| vx_sources::backend::npmrc::Project { dir, trusted: true });
    vx_sources::backend::npmrc::Npmrc::load(project, &|k| std::env::var(k).ok())
        .or_registry_of(&plan.package, &plan.registry)
        .for_npm(&|url| opts.net.rewrites.apply(url).into_owned())
}

fn fail(cfg: &InstallConfig, why: &str) -> InstallError {
    InstallError::Environment(format!("{} {}: {why}", cfg.spec.name, cfg.spec.version))
}

/// The runtime's directory in the store, when no spec of it came with the tool: it
/// must be installed already.
fn installed_runtime(cfg: &InstallConfig, plan: &Plan) -> Result<PathBuf, InstallError> {
    let Some((dir, _)) =
        crate::store::newest_tree(&cfg.store, &plan.runtime, &plan.runtime_version)
    else {
        return Err(fail(
            cfg,
            &format!(
                "it runs on {} {}, which is not installed (`vx sync` installs it with the project's tools)",
                plan.runtime, plan.runtime_version
            ),
        ));
    };
    Ok(dir)
}

/// Removes everything in `dir`.
fn clear(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// `program args…` in `dir` with `path_first` before `PATH`; its stdout, or why not.
fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    path_first: &Path,
) -> Result<String, EnvironmentError> {
    run_with(program, args, dir, path_first, &[])
}

/// [`run`] with `secrets` in the program's environment (an npm `.npmrc`'s tokens,
/// named there as `${VAR}`): in its environment only, never in an argument or a file.
fn run_with(
    program: &Path,
    args: &[&str],
    dir: &Path,
    path_first: &Path,
    secrets: &[(String, vx_base::secret::Secret)],
) -> Result<String, EnvironmentError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![path_first.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(paths)?;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env("PATH", joined)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .envs(secrets.iter().map(|(k, v)| (k, v.expose())));
    super::program::output_of(command, program, args.first().copied().unwrap_or_default())
}

/// node, npm's script and node's command folder in node's tree: `bin/node` and
/// `lib/node_modules/npm` on Unix, `node.exe` and `node_modules\npm` at the top of
/// the tree on Windows (nodejs.org's `node-vV-win-x64.zip`).
fn node_and_npm(node_dir: &Path) -> (PathBuf, String, PathBuf) {
    let (node, npm, bin) = if cfg!(windows) {
        (
            node_dir.join("node.exe"),
            node_dir.join(r"node_modules\npm\bin\npm-cli.js"),
            node_dir.to_path_buf(),
        )
    } else {
        (
            node_dir.join("bin/node"),
            node_dir.join("lib/node_modules/npm/bin/npm-cli.js"),
            node_dir.join("bin"),
        )
    };
    (node, npm.to_string_lossy().into_owned(), bin)
}

/// npm's lockfile for `package@version` alone, made by node's own npm in `scratch`
/// (`npm install --package-lock-only --ignore-scripts`, no package installed) against
/// the registries `given` names (where the requests go: after `url_replacements`),
/// with its tokens.
pub(crate) fn npm_lockfile(
    node_dir: &Path,
    package: &str,
    version: &str,
    given: &NpmConfig,
    scratch: &Path,
) -> Result<String, EnvironmentError> {
    std::fs::write(
        scratch.join("package.json"),
        env::npm_package_json(package, version),
    )?;
    std::fs::write(scratch.join(".npmrc"), &given.text)?;
    let (node, npm, bin) = node_and_npm(node_dir);
    run_with(
        &node,
        &[
            &npm,
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ],
        scratch,
        &bin,
        &given.env,
    )?;
    std::fs::read_to_string(scratch.join("package-lock.json")).map_err(|source| {
        EnvironmentError::NotWritten {
            manager: "npm",
            what: "package-lock.json",
            source,
        }
    })
}

fn npm_ci(
    plan: &Plan,
    node_dir: &Path,
    tree: &Path,
    final_dir: &Path,
    given: &NpmConfig,
    archive: Option<(&Path, &str)>,
    offline: bool,
) -> Result<(), EnvironmentError> {
    let write = |name: &str, text: &str| {
        std::fs::write(tree.join(name), text).map_err(EnvironmentError::write(name))
    };
    write(
        "package.json",
        &env::npm_package_json(&plan.package, &plan.version),
    )?;
    // The packages imported bundles carried, found by their integrity, and the
    // package's own tarball vx downloaded and checked: installed from those files (npm
    // checks each against its integrity), offline on a fresh machine, and no tarball
    // fetched twice.
    let own = archive.and_then(|(path, integrity)| Some((env::npm_carried_name(integrity)?, path)));
    let (lockfile, _) = env::npm_with_carried(&plan.lockfile, &|name| match &own {
        Some((own, path)) if own == name => Some(path.to_path_buf()),
        _ => super::sources::carried_named(name),
    });
    write("package-lock.json", &lockfile)?;
    // The registries and tokens, by name (`${VX_NPM_AUTH_N}`): removed once npm is done.
    write(".npmrc", &given.text)?;
    let (node, npm, bin) = node_and_npm(node_dir);
    let mut args = vec![
        npm.as_str(),
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
    ];
    // Offline, npm takes the tarballs from its cache, each checked all the same.
    if offline {
        args.push("--offline");
    }
    run_with(&node, &args, tree, &bin, &given.env)?;
    if !plan.allow_builds.is_empty() {
        let mut args: Vec<&str> = vec![&npm, "rebuild"];
        args.extend(plan.allow_builds.iter().map(String::as_str));
        run_with(&node, &args, tree, &bin, &given.env)?;
    }
    std::fs::remove_file(tree.join(".npmrc")).map_err(|source| EnvironmentError::Remove {
        name: ".npmrc",
        source,
    })?;
    // The package's commands, run by this node whatever the PATH.
    let package_dir = tree.join("node_modules").join(&plan.package);
    let manifest: serde_json::Value = std::fs::read_to_string(package_dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| EnvironmentError::NotInstalled(plan.package.clone()))?;
    let commands: Vec<(String, String)> = match manifest.get("bin") {
        Some(serde_json::Value::String(script)) => vec![(
            vx_sources::backend::npm::unscoped(&plan.package).to_owned(),
            script.clone(),
        )],
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect(),
        _ => Vec::new(),
    };
    if commands.is_empty() {
        return Err(EnvironmentError::NoBin(plan.package.clone()));
    }
    let bin_dir = tree.join("bin");
    std::fs::create_dir_all(&bin_dir)?;
    let installed = final_dir.join("node_modules").join(&plan.package);
    for (command, script) in commands {
        vx_base::validate::tool_name(&command).map_err(|source| EnvironmentError::Command {
            package: plan.package.clone(),
            command: command.clone(),
            source,
        })?;
        if !stays_in(&package_dir, &script) {
            return Err(EnvironmentError::BinOutside {
                package: plan.package.clone(),
                command,
                script: vx_text::sanitize(&script).into_owned(),
            });
        }
        let script = in_package(&installed, &script);
        if cfg!(windows) {
            let launch = vx_base::launch::Launch {
                program: node.clone(),
                args: vec![script.to_string_lossy().into_owned()],
            };
            launch.write(&bin_dir, &command)?;
            continue;
        }
        let text = format!(
            "#!/bin/sh\nexec {} {} \"$@\"\n",
            quoted(&node),
            quoted(&script)
        );
        write_executable(&bin_dir.join(&command), &text)?;
    }
    Ok(())
}

/// The file a package's `bin` names (`./bin/prettier.cjs`, `/`-separated as
/// package.json writes it) inside the installed package `dir`, one component at a
/// time (so Windows gets its own separators).
fn in_package(dir: &Path, script: &str) -> PathBuf {
    script
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .fold(dir.to_path_buf(), |path, part| path.join(part))
}

/// Whether `script`, a `bin` of package.json, names a file inside the package at
/// `dir` (as npm installed it): relative, with no `..` and no root or drive, and a
/// file inside the package once links are followed. A package's `bin`
/// is the archive's text, so it is held to the archive rules' bound: `"../../x"`, an
/// absolute path or a link out of the package would have `vx exec` run a file the
/// package does not hold.
fn stays_in(dir: &Path, script: &str) -> bool {
    let lexical = !script.is_empty()
        && !script.starts_with(['/', '\\'])
        && script
            .split(['/', '\\'])
            .all(|part| part != ".." && !part.contains(':'));
    if !lexical {
        return false;
    }
    // Built by then (npm's install and any allowed build have run): a file that is
    // not there, or a link that points nowhere yet, is refused too.
    match (in_package(dir, script).canonicalize(), dir.canonicalize()) {
        (Ok(file), Ok(dir)) => file.starts_with(&dir) && file.is_file(),
        _ => false,
    }
}

/// `path` quoted for `sh`.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "'\\''"))
}

fn write_executable(path: &Path, text: &str) -> Result<(), EnvironmentError> {
    std::fs::write(path, text).map_err(EnvironmentError::write(path))?;
    vx_base::platform::fs::mark_executable(path)?;
    Ok(())
}

/// python in python's tree (`python.exe` at its top on Windows).
pub(super) fn python_of(python_dir: &Path) -> PathBuf {
    if cfg!(windows) {
        return python_dir.join("python.exe");
    }
    let three = python_dir.join("bin/python3");
    if three.exists() {
        three
    } else {
        python_dir.join("bin/python")
    }
}

/// The folder of python's tree that holds its commands: `bin/` on Unix, the top on
/// Windows.
fn python_commands(python_dir: &Path) -> PathBuf {
    if cfg!(windows) {
        python_dir.to_path_buf()
    } else {
        python_dir.join("bin")
    }
}

/// pip's installation report (`pip install --dry-run --report`) of `requirement`
/// resolved by python's own pip in `scratch` against the index `index`.
pub(crate) fn pip_resolve(
    python_dir: &Path,
    requirement: &str,
    index: &str,
    scratch: &Path,
) -> Result<String, EnvironmentError> {
    let report = scratch.join("report.json");
    let report_arg = report.to_string_lossy().into_owned();
    let python = python_of(python_dir);
    run(
        &python,
        &[
            "-I",
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--ignore-installed",
            "--prefer-binary",
            "--index-url",
            index,
            "--report",
            &report_arg,
            requirement,
        ],
        scratch,
        &python_commands(python_dir),
    )?;
    std::fs::read_to_string(&report).map_err(|source| EnvironmentError::NotWritten {
        manager: "pip",
        what: "report",
        source,
    })
}

fn pip_install(
    plan: &Plan,
    python_dir: &Path,
    tree: &Path,
    final_dir: &Path,
    index: &str,
    own_file: Option<(&Path, &str)>,
) -> Result<(), EnvironmentError> {
    let venv = tree.join("venv");
    let python = python_of(python_dir);
    let bin = python_dir.join("bin");
    let venv_arg = venv.to_string_lossy().into_owned();
    run(&python, &["-I", "-m", "venv", &venv_arg], tree, &bin)?;
    let requirements = write_requirements(plan, tree, own_file)?;
    let requirements_arg = requirements.to_string_lossy().into_owned();
    run(
        &venv.join("bin/python"),
        &[
            "-I",
            "-m",
            "pip",
            "install",
            "--require-hashes",
            "--no-deps",
            "--index-url",
            index,
            "-r",
            &requirements_arg,
        ],
        tree,
        &venv.join("bin"),
    )?;
    venv_commands(plan, tree, final_dir)
}

/// The pinned list written into the tree, for the installer to read: the package
/// itself from `own_file` (vx's checked copy of it and its sha256) when there is one.
fn write_requirements(
    plan: &Plan,
    tree: &Path,
    own_file: Option<(&Path, &str)>,
) -> Result<PathBuf, EnvironmentError> {
    let requirements = tree.join("requirements.txt");
    let text = own_file
        .and_then(|(file, sha256)| {
            let url = vx_sources::mirror::source::file_url(file);
            env::requirements_from_file(&plan.lockfile, &plan.package, &plan.version, &url, sha256)
        })
        .unwrap_or_else(|| plan.lockfile.clone());
    std::fs::write(&requirements, text).map_err(EnvironmentError::write("requirements.txt"))?;
    Ok(requirements)
}

/// Once the venv in `tree` holds the set (pip or uv installed it): its scripts made to
/// name the store's path, and the package's console scripts put in the tree's `bin/`
/// as the tool's commands.
fn venv_commands(plan: &Plan, tree: &Path, final_dir: &Path) -> Result<(), EnvironmentError> {
    let venv = tree.join("venv");
    if cfg!(windows) {
        return venv_launchers(plan, tree, final_dir);
    }
    // The venv's scripts name its python by the tree's path: the store's, once moved.
    // A long path is not on the `#!` line itself: pip and uv then write `#!/bin/sh`
    // and an `exec` of the python on the next lines, so the whole head is rewritten.
    let from = venv.join("bin").display().to_string();
    let to = final_dir.join("venv/bin").display().to_string();
    for entry in std::fs::read_dir(venv.join("bin"))? {
        let path = entry?.path();
        if path.is_symlink() || !path.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        if let Some(fixed) = rewritten_head(&text, &from, &to) {
            std::fs::write(&path, fixed)?;
        }
    }
    // The package's console scripts are the tool's commands.
    let commands = package_scripts(plan, &venv)?;
    let bin_dir = tree.join("bin");
    std::fs::create_dir_all(&bin_dir)?;
    for command in commands {
        let script = final_dir.join("venv/bin").join(&command);
        let text = format!("#!/bin/sh\nexec {} \"$@\"\n", quoted(&script));
        write_executable(&bin_dir.join(&command), &text)?;
    }
    Ok(())
}

/// [`venv_commands`] on Windows: the venv's launchers (`Scripts\NAME.exe`, written
/// by uv in a `--relocatable` venv, so they find its python beside them after the
/// move) are the tool's commands, each a [`vx_base::launch::Launch`] of the store's
/// path; nothing in the venv is rewritten.
fn venv_launchers(plan: &Plan, tree: &Path, final_dir: &Path) -> Result<(), EnvironmentError> {
    let commands = package_scripts(plan, &tree.join("venv"))?;
    let bin_dir = tree.join("bin");
    std::fs::create_dir_all(&bin_dir)?;
    for command in commands {
        let launcher = final_dir
            .join("venv")
            .join("Scripts")
            .join(format!("{command}.exe"));
        let launch = vx_base::launch::Launch {
            program: launcher,
            args: Vec::new(),
        };
        launch.write(&bin_dir, &command)?;
    }
    Ok(())
}

/// The console scripts the package's `entry_points.txt` names in `venv`, each checked
/// as a command name.
fn package_scripts(plan: &Plan, venv: &Path) -> Result<Vec<String>, EnvironmentError> {
    let project = vx_model::package_name::normalize(plan.package.split('[').next().unwrap_or(""));
    let entry_points = dist_info(venv, &project)
        .and_then(|d| std::fs::read_to_string(d.join("entry_points.txt")).ok())
        .unwrap_or_default();
    let commands = env::console_scripts(&entry_points);
    if commands.is_empty() {
        return Err(EnvironmentError::NoConsoleScript(plan.package.clone()));
    }
    for command in &commands {
        vx_base::validate::tool_name(command).map_err(|source| EnvironmentError::Command {
            package: plan.package.clone(),
            command: command.clone(),
            source,
        })?;
    }
    Ok(commands)
}

/// The site-packages folders of `venv`: `lib/pythonX.Y/site-packages` on Unix,
/// `Lib\site-packages` on Windows.
fn site_packages(venv: &Path) -> Vec<PathBuf> {
    let mut found = vec![venv.join("Lib").join("site-packages")];
    if let Ok(libs) = std::fs::read_dir(venv.join("lib")) {
        found.extend(libs.flatten().map(|lib| lib.path().join("site-packages")));
    }
    found
}

/// The `.dist-info` directory of `project` (normalized) in `venv`'s site-packages.
fn dist_info(venv: &Path, project: &str) -> Option<PathBuf> {
    for site in site_packages(venv) {
        let Ok(entries) = std::fs::read_dir(&site) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".dist-info") else {
                continue;
            };
            let dist = stem.rsplit_once('-').map_or(stem, |(d, _)| d);
            if vx_model::package_name::normalize(dist) == project {
                return Some(entry.path());
            }
        }
    }
    None
}

/// A script's text with `from` made `to` in its first lines (its `#!` line, or the
/// `exec` lines pip and uv write under `#!/bin/sh` when the path is too long for
/// one); `None` when it is no script or names no `from`.
fn rewritten_head(text: &[u8], from: &str, to: &str) -> Option<Vec<u8>> {
    if !text.starts_with(b"#!") {
        return None;
    }
    let head_len = text
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(3)
        .map_or(text.len(), |(i, _)| i + 1);
    let head = std::str::from_utf8(&text[..head_len]).ok()?;
    if !head.contains(from) {
        return None;
    }
    let mut fixed = head.replace(from, to).into_bytes();
    fixed.extend_from_slice(&text[head_len..]);
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::{in_package, pypi_file_name, rewritten_head, venv_launchers};
    use std::path::Path;
    use vx_model::spec::needs::{Manager, Plan};

    #[test]
    fn a_pypi_file_is_kept_under_its_own_plain_name_only() {
        let base = "https://files.pythonhosted.org/packages/ab/cd/";
        let wheel = "black-24.10.0-py3-none-any.whl";
        assert_eq!(
            pypi_file_name(&format!("{base}{wheel}#sha256=00")).as_deref(),
            Some(wheel)
        );
        assert_eq!(
            pypi_file_name(&format!("{base}black-24.10.0.tar.gz")).as_deref(),
            Some("black-24.10.0.tar.gz")
        );
        for hostile in [
            format!("{base}..%2F..%2Fetc-1-py3-none-any.whl"),
            format!("{base}.hidden-1.0-py3-none-any.whl"),
            format!("{base}black.zip"),
            base.to_owned(),
            "black-1-py3-none-any.whl\\..\\x".to_owned(),
        ] {
            assert_eq!(pypi_file_name(&hostile), None, "{hostile}");
        }
    }

    #[test]
    fn a_packages_bin_is_found_one_component_at_a_time() {
        let dir = Path::new("store").join("node_modules").join("prettier");
        assert_eq!(
            in_package(&dir, "./bin/prettier.cjs"),
            dir.join("bin").join("prettier.cjs")
        );
        assert_eq!(in_package(&dir, "cli.js"), dir.join("cli.js"));
    }

    /// Issue 66, item 6: a package's `bin` that leaves the package (absolute, `..`,
    /// a link out of it) or names nothing there is refused; one inside it is not.
    #[cfg(unix)]
    #[test]
    fn a_bin_that_leaves_the_package_is_refused() {
        use super::stays_in;
        let root = tempfile::tempdir().unwrap();
        let package = root.path().join("node_modules/evil");
        std::fs::create_dir_all(package.join("bin")).unwrap();
        std::fs::write(package.join("bin/cli.js"), "").unwrap();
        std::fs::write(root.path().join("outside.js"), "").unwrap();
        std::os::unix::fs::symlink(root.path(), package.join("out")).unwrap();
        assert!(stays_in(&package, "./bin/cli.js"));
        assert!(stays_in(&package, "bin/cli.js"));
        for script in [
            "../../outside.js",
            "bin/../../../outside.js",
            "/etc/passwd",
            "out/outside.js",
            "bin/missing.js",
            "bin",
            "",
            "C:/x.js",
        ] {
            assert!(!stays_in(&package, script), "{script}");
        }
    }

    /// Windows' venv (`Lib\site-packages`, `Scripts\NAME.exe` from uv): each console
    /// script of the package is a launch of the store's launcher, as `NAME.cmd` and
    /// its record.
    #[test]
    fn a_windows_venvs_console_scripts_are_launches_of_the_stores_launchers() {
        let tree = tempfile::tempdir().unwrap();
        let dist = tree
            .path()
            .join("venv/Lib/site-packages/black-24.10.0.dist-info");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("entry_points.txt"),
            "[console_scripts]\nblack = black:patched_main\nblackd = blackd:patched_main [d]\n",
        )
        .unwrap();
        let plan = Plan {
            manager: Manager::Pip,
            package: "black".to_owned(),
            version: "24.10.0".to_owned(),
            runtime: "python".to_owned(),
            runtime_version: "3.12.8".to_owned(),
            registry: "https://pypi.org/simple".to_owned(),
            lockfile: String::new(),
            allow_builds: Vec::new(),
        };
        let final_dir = Path::new("store").join("black").join("24.10.0");
        venv_launchers(&plan, tree.path(), &final_dir).unwrap();
        for command in ["black", "blackd"] {
            let cmd = tree.path().join("bin").join(format!("{command}.cmd"));
            let launch = vx_base::launch::of(&cmd).expect("a launch beside the .cmd");
            assert_eq!(
                launch.program,
                final_dir
                    .join("venv")
                    .join("Scripts")
                    .join(format!("{command}.exe"))
            );
            assert!(launch.args.is_empty());
            assert_eq!(std::fs::read_to_string(&cmd).unwrap(), launch.batch());
        }
        // A package that names no console script installs no command.
        std::fs::write(dist.join("entry_points.txt"), "").unwrap();
        let err = venv_launchers(&plan, tree.path(), &final_dir).unwrap_err();
        assert_eq!(err.to_string(), "black names no console script");
    }

    #[test]
    fn a_scripts_head_is_made_to_name_the_store() {
        let short = b"#!/t/venv/bin/python\nimport sys\n/t/venv/bin/x\n";
        assert_eq!(
            rewritten_head(short, "/t/venv/bin", "/s/venv/bin").unwrap(),
            b"#!/s/venv/bin/python\nimport sys\n/s/venv/bin/x\n"
        );
        let long = b"#!/bin/sh\n'''exec' '/t/venv/bin/python' \"$0\" \"$@\"\n' '''\nimport re\nx = '/t/venv/bin'\n";
        let fixed =
            String::from_utf8(rewritten_head(long, "/t/venv/bin", "/s/venv/bin").unwrap()).unwrap();
        assert!(fixed.contains("'''exec' '/s/venv/bin/python'"), "{fixed}");
        assert!(
            fixed.ends_with("x = '/t/venv/bin'\n"),
            "past the head, untouched: {fixed}"
        );
        assert!(rewritten_head(b"\x7fELF", "/t", "/s").is_none());
    }
}
