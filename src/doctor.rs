//! `vx doctor`: every check of what makes vx work here, each finding saying what it
//! found, why that matters and how to fix it. The checks: vx itself (version, where
//! it came from), the host's platform and libc, the user config, the shell hook, the
//! order of `PATH` for the project's tools, the project's virtual environment, the store and the cache (writable, their
//! size), the daemon, the standard registry's ref and cache, GitHub (a token present,
//! never its value, and the rate limit left: one request, skipped offline), the proxies
//! and certificate authorities in force, and the project's lock (fresh or stale).
//!
//! The report is data ([`Report`], serialized as `vx doctor --json` prints it, the
//! object docs/EVERYDAY.md documents); healthy when no finding is a
//! [`Status::Problem`]. Nothing here writes anything but a probe file that is removed
//! at once. Text from outside (paths, a server's message) is sanitized before it is
//! put into a finding.

use std::path::{Path, PathBuf};

use serde::Serialize;

use vx_hook::script::HOOK_VAR;
use vx_hook::state::STATE_VAR;
use vx_model::lock::Lock;
use vx_model::manifest::Manifest;
use vx_model::manifest::platform::Platform;
use vx_model::user_config::UserConfig;
use vx_ops::session::{Opening, Session};
use vx_sources::github::GithubConfig;
use vx_sources::runtime::catalogue::Catalogue;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// As it should be.
    Ok,
    /// Worth knowing, nothing to fix.
    Info,
    /// Something to fix: the report is not healthy.
    Problem,
    /// Not checked (offline, or nothing to check).
    Skipped,
}

/// One finding: what was found, why it matters, the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// The check's stable name (`vx`, `platform`, `config`, `hook`, `path`, `venv`,
    /// `store`, `cache`, `daemon`, `registry`, `github`, `network`, `lock`, `pins`).
    pub check: &'static str,
    /// How it came out.
    pub status: Status,
    /// What was found.
    pub what: String,
    /// Why it matters (problems, and some infos).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// How to fix it (problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn new(check: &'static str, status: Status, what: impl Into<String>) -> Finding {
        Finding {
            check,
            status,
            what: clean(&what.into()),
            why: None,
            fix: None,
        }
    }

    fn why(mut self, why: impl Into<String>) -> Finding {
        self.why = Some(clean(&why.into()));
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(clean(&fix.into()));
        self
    }
}

/// Every finding, in check order.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Report {
    /// No finding is a problem.
    pub healthy: bool,
    /// vx's version.
    pub version: &'static str,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// What `vx doctor` examines.
pub(crate) struct Settings {
    /// Ask nothing of the network.
    pub offline: bool,
    /// The project's manifest path, if in a project.
    pub manifest: Option<PathBuf>,
    /// The store, or why none can be used (the store error's message).
    pub store: Result<PathBuf, vx_engine::store::StoreError>,
    /// The running executable, for the channel it came from.
    pub exe: Option<PathBuf>,
}

/// Runs every check.
pub(crate) fn examine(settings: &Settings) -> Report {
    let mut findings = vec![vx(settings), platform()];
    let user = user_config(&mut findings);
    let manifest = settings.manifest.as_deref().map(Manifest::load);
    // The project opened as the hook opens it (what is at hand, nothing fetched), with
    // the runtimes it carries, so its lock's entries of them are judged.
    let opening = Opening {
        offline: true,
        at_hand: true,
        ..Opening::default()
    };
    let session = match manifest {
        Some(Ok(m)) => match Session::with_manifest(m, &opening, &|_| {}) {
            Ok(session) => Some(session),
            Err(err) => {
                findings.push(
                    Finding::new("lock", Status::Problem, err.to_string())
                        .why("a runtime the project declares cannot be read, so its tools cannot be checked")
                        .fix("fix the declaration where the message says"),
                );
                None
            }
        },
        Some(Err(err)) => {
            findings.push(
                Finding::new("lock", Status::Problem, err.to_string())
                    .why("the project's vx.toml cannot be read, so nothing of it can be checked")
                    .fix("fix vx.toml where the message says"),
            );
            None
        }
        None => None,
    };
    let manifest = session.as_ref().and_then(Session::manifest);
    let hooked = hook(&mut findings);
    if let Some(manifest) = manifest {
        findings.push(trust(manifest));
    }
    if let (Some(session), Ok(store)) = (&session, &settings.store) {
        path_order(&mut findings, session, store, hooked);
        if let Some(finding) = venv(session, store) {
            findings.push(finding);
        }
        if let Some(finding) = requires_python(session, store) {
            findings.push(finding);
        }
    }
    match &settings.store {
        Ok(store) => findings.push(writable("store", store, "installed tools")),
        // The message says what is wrong and the way out.
        Err(why) => findings.push(Finding::new("store", Status::Problem, why.to_string())),
    }
    let cache = vx_base::platform::fs::cache_dir();
    match &cache {
        Some(dir) => findings.push(writable("cache", dir, "downloads, registries, API answers")),
        None => findings.push(
            Finding::new("cache", Status::Problem, "no cache directory is known")
                .fix("set VX_CACHE_DIR, XDG_CACHE_HOME or HOME"),
        ),
    }
    findings.push(daemon());
    findings.push(registry(manifest, user.as_ref(), cache.as_deref()));
    github(&mut findings, settings, manifest, user.as_ref());
    network(&mut findings, manifest, user.as_ref());
    if let Some(session) = &session
        && let Some(manifest) = session.manifest()
    {
        findings.push(lock(manifest, session.catalogue()));
        findings.extend(pins(manifest));
    }
    Report {
        healthy: findings.iter().all(|f| f.status != Status::Problem),
        version: vx_base::build_info::VERSION,
        findings,
    }
}

fn clean(text: &str) -> String {
    vx_text::sanitize(text).into_owned()
}

fn vx(settings: &Settings) -> Finding {
    let receipt = match vx_engine::self_update::receipt::Receipt::load() {
        Ok(receipt) => receipt,
        Err(err) => {
            let what = format!(
                "vx {} ({}, {}); the installer's receipt: {}",
                vx_base::build_info::VERSION,
                vx_base::build_info::COMMIT,
                vx_base::build_info::DATE,
                clean(&vx_base::exit::Error::environment(err).report())
            );
            return Finding::new("vx", Status::Problem, what)
                .why("vx self update and vx self info read it to know how vx was installed")
                .fix(
                    "remove the file, then reinstall vx with the install script to write it again",
                );
        }
    };
    let channel =
        settings.exe.as_deref().map(|exe| {
            match vx_engine::self_update::channel::detect(exe, receipt.as_ref()) {
                vx_engine::self_update::Channel::Manual => "hand (or built from source)",
                channel => channel.name(),
            }
        });
    let what = format!(
        "vx {} ({}, {}){}",
        vx_base::build_info::VERSION,
        vx_base::build_info::COMMIT,
        vx_base::build_info::DATE,
        channel
            .map(|c| format!(", installed by {c}"))
            .unwrap_or_default()
    );
    Finding::new("vx", Status::Ok, what)
}

fn platform() -> Finding {
    let current = Platform::current();
    let libc = match &current.libc {
        Some(libc) => format!(", {}", libc.name()),
        None => String::new(),
    };
    let what = format!("{current}{libc}");
    if current.is_known() {
        Finding::new("platform", Status::Ok, what)
    } else {
        Finding::new("platform", Status::Problem, what)
            .why("registries and runtimes name no downloads for this platform")
            .fix("give URL tools a [tools.NAME.platforms] entry for it")
    }
}

fn user_config(findings: &mut Vec<Finding>) -> Option<UserConfig> {
    let path = UserConfig::path();
    match UserConfig::load() {
        Ok(user) => {
            let what = match &path {
                Some(p) if p.is_file() => format!("{} read", p.display()),
                Some(p) => format!("{} (none: the defaults)", p.display()),
                None => "no configuration directory: the defaults".to_owned(),
            };
            // Read cleanly is not enough: its network settings are made as every
            // command makes them (what `vx config set` checks too).
            let problems = vx_sources::settings::network::problems(&user);
            if problems.is_empty() {
                findings.push(Finding::new("config", Status::Ok, what));
            }
            let file = path
                .as_deref()
                .map_or_else(String::new, |p| format!("{}: ", p.display()));
            for problem in problems {
                findings.push(
                    Finding::new("config", Status::Problem, clean(&format!("{file}{problem}")))
                        .why("every command that reads the network settings refuses to run")
                        .fix("fix the setting the message names, or remove it with `vx config unset KEY`"),
                );
            }
            Some(user)
        }
        Err(err) => {
            findings.push(
                Finding::new("config", Status::Problem, err.to_string())
                    .why("every command that reads the network settings refuses to run")
                    .fix("fix the file where the message says (vx config path names it)"),
            );
            None
        }
    }
}

/// The shell's name, for a fix's command line.
fn shell_name() -> String {
    std::env::var_os("SHELL")
        .map(PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| ["bash", "zsh", "fish"].contains(&n.as_str()))
        .unwrap_or_else(|| "bash".to_owned())
}

fn hook(findings: &mut Vec<Finding>) -> bool {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(shell) = var(HOOK_VAR) {
        findings.push(Finding::new(
            "hook",
            Status::Ok,
            format!(
                "the {} hook is installed in this shell",
                shell.to_string_lossy()
            ),
        ));
        return true;
    }
    if var(STATE_VAR).is_some() {
        findings.push(Finding::new(
            "hook",
            Status::Ok,
            "the hook is installed in this shell",
        ));
        return true;
    }
    // Without the hook, the shims serve (an IDE, cron, CI): nothing to fix then.
    if let Some(shims) = vx_project::shims::dir().filter(|d| on_path(d)) {
        findings.push(Finding::new(
            "hook",
            Status::Ok,
            format!(
                "no hook in this shell; the shims on PATH ({}) run the tools",
                shims.display()
            ),
        ));
        return false;
    }
    // A CI job runs no shell hook: it runs its tools through vx exec, vx CMD or vx
    // run, which need none.
    if var("CI").is_some_and(|v| v != "false" && v != "0") {
        findings.push(
            Finding::new("hook", Status::Info, "no hook in this shell (CI is set)")
                .why("in CI, tools run through vx exec, vx CMD, vx run or the shims"),
        );
        return false;
    }
    let shell = shell_name();
    let (line, rc) = match shell.as_str() {
        "fish" => ("vx activate fish | source", "~/.config/fish/config.fish"),
        "zsh" => ("eval \"$(vx activate zsh)\"", "~/.zshrc"),
        _ => ("eval \"$(vx activate bash)\"", "~/.bashrc"),
    };
    findings.push(
        Finding::new(
            "hook",
            Status::Problem,
            "the hook is not installed in this shell",
        )
        .why("a project's tools are on PATH only through vx exec, vx CMD or vx run")
        .fix(format!("add `{line}` to {rc} and open a new shell")),
    );
    false
}

/// Whether the user trusts the project, so that the hook, the shims and editors
/// apply its own environment (`vx trust`): worth knowing when it declares one.
fn trust(manifest: &Manifest) -> Finding {
    let trusted = vx_engine::trust::is_trusted(&manifest.path);
    let own = vx_model::project_env::Declared::declares_own(manifest);
    match (trusted, own) {
        (true, _) => Finding::new("trust", Status::Ok, "this project is trusted (`vx trust`)"),
        (false, false) => Finding::new(
            "trust",
            Status::Info,
            "this project is not trusted; it declares no environment of its own",
        ),
        (false, true) => Finding::new(
            "trust",
            Status::Info,
            "this project is not trusted: the hook, the shims and editors apply its tools, not its [env], env files, [settings] path or virtual environment",
        )
        .why("a cloned repository's environment could run code in your shell")
        .fix("vx trust, once you have read its vx.toml"),
    }
}

/// Whether `dir` is one of `PATH`'s directories.
fn on_path(dir: &Path) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|d| same(&d, dir)))
}

/// For each installed tool command of the project: is vx's the one `PATH` finds?
/// The project's virtual environment (`[settings] python_venv`): there and made with
/// the project's python, not made yet, or made with a python that is gone or another
/// (`vx exec -- python` would run the store's bare python, the venv's packages
/// missing). `None` when the project names none.
fn venv(session: &Session, store: &Path) -> Option<Finding> {
    use vx_model::project_env::venv;
    let manifest = session.manifest()?;
    let dir = manifest.environment.python_venv.as_ref()?;
    let path = vx_model::project_env::project_dir(&manifest.path).join(dir);
    let python = session
        .own_toolchain(store)
        .ok()
        .and_then(|chain| venv::find_python(&chain.bin_dirs()));
    let finding = match (venv::exists(&path), &python) {
        (false, _) => Finding::new("venv", Status::Info, format!("{dir} is not made yet"))
            .why("[settings] python_venv names it")
            .fix("vx sync makes it"),
        (true, None) => Finding::new(
            "venv",
            Status::Info,
            format!("{dir}: the project's python is not installed to judge it"),
        )
        .fix("vx sync"),
        (true, Some(python)) => match venv::stale(&path, python) {
            None => Finding::new(
                "venv",
                Status::Ok,
                format!("{dir} made with the project's python ({})", python.display()),
            ),
            Some(why) => Finding::new("venv", Status::Problem, format!("{dir}: {why}"))
                .why("its python and its packages are not the project's: `python` runs without them")
                .fix("vx sync makes it again with the project's python; then install its packages again (uv sync, pip install)"),
        },
    };
    Some(finding)
}

/// The project's python against pyproject.toml's `requires-python`, where both are
/// there: a python the project says it cannot run on is a problem (uv refuses it).
fn requires_python(session: &Session, store: &Path) -> Option<Finding> {
    use vx_model::project_env::requires_python::{Verdict, judge};
    let manifest = session.manifest()?;
    let chain = session.own_toolchain(store).ok()?;
    let python = chain.tools.iter().find(|t| t.name == "python")?;
    let project = vx_model::project_env::project_dir(&manifest.path);
    let version = vx_text::sanitize(&python.version);
    Some(match judge(&project, &python.version)? {
        Verdict::Met(range) => Finding::new(
            "python",
            Status::Ok,
            format!("python {version} meets pyproject.toml's requires-python {range}"),
        ),
        Verdict::Unmet(range) => Finding::new(
            "python",
            Status::Problem,
            format!("python {version} is outside pyproject.toml's requires-python {range}"),
        )
        .why("the project says it does not run on this python; uv refuses to make its environment")
        .fix(format!("vx use python@VERSION, a version {range} allows")),
        Verdict::Unreadable(why) => Finding::new("python", Status::Info, why)
            .why("pyproject.toml's requires-python cannot be judged"),
    })
}

fn path_order(findings: &mut Vec<Finding>, session: &Session, store: &Path, hooked: bool) {
    let Ok(chain) = session.own_toolchain(store) else {
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut shadowed = Vec::new();
    let mut absent = Vec::new();
    // Without the hook, the shims serve when they are on PATH: then each command must
    // find its shim, not another copy earlier on PATH.
    let shims =
        vx_project::shims::dir().filter(|shims| !hooked && dirs.iter().any(|d| same(d, shims)));
    let mut before_shims = Vec::new();
    for tool in chain.tools.iter().filter(|t| t.installed()) {
        for exe in tool.executables() {
            let (Some(name), Some(dir)) = (exe.file_name(), exe.parent()) else {
                continue;
            };
            let found = vx_base::platform::search::find(name, &path);
            let ours_on_path = dirs.iter().any(|d| same(d, dir));
            match found {
                Some(found) if same(&found, &exe) => {}
                Some(found) if ours_on_path => {
                    shadowed.push((name.to_owned(), found, dir.to_owned()))
                }
                Some(found) if !ours_on_path => match &shims {
                    Some(shims) if !found.parent().is_some_and(|p| same(p, shims)) => {
                        before_shims.push((name.to_owned(), found, shims.clone()))
                    }
                    _ => absent.push(name.to_owned()),
                },
                _ if !ours_on_path => absent.push(name.to_owned()),
                _ => {}
            }
        }
    }
    for (name, found, shims) in &before_shims {
        let name = name.to_string_lossy();
        let earlier = found.parent().unwrap_or(found).display();
        findings.push(
            Finding::new(
                "path",
                Status::Problem,
                format!("`{name}` runs {}, not vx's shim", found.display()),
            )
            .why(format!("{earlier} comes before the shims ({}) on PATH", shims.display()))
            .fix(format!(
                "put the line of `vx activate --shims SHELL` after what adds {earlier} in your shell's profile, or remove that {name}"
            )),
        );
    }
    for (name, found, ours) in &shadowed {
        let name = name.to_string_lossy();
        findings.push(
            Finding::new(
                "path",
                Status::Problem,
                format!("`{name}` runs {}, not the project's", found.display()),
            )
            .why(format!(
                "{} comes before vx's {} on PATH",
                found.parent().unwrap_or(found).display(),
                ours.display()
            ))
            .fix(format!(
                "put the vx hook's line last in your shell's rc file (after what adds {}), or remove that {name}",
                found.parent().unwrap_or(found).display()
            )),
        );
    }
    if !absent.is_empty() && hooked {
        let names: Vec<_> = absent.iter().map(|n| n.to_string_lossy()).collect();
        findings.push(
            Finding::new(
                "path",
                Status::Problem,
                format!("the project's {} not on PATH", names.join(", ") + if names.len() == 1 { " is" } else { " are" }),
            )
            .why("the hook has not applied this project to this shell")
            .fix("press Enter at a prompt in the project's directory (the hook runs before each prompt)"),
        );
    }
    let missing: Vec<String> = chain.missing().iter().map(|t| t.label()).collect();
    if !missing.is_empty() {
        findings.push(
            Finding::new(
                "path",
                Status::Problem,
                format!("not installed: {}", missing.join(", ")),
            )
            .why("the project's commands are missing until they are")
            .fix("vx sync"),
        );
    }
    if shadowed.is_empty()
        && before_shims.is_empty()
        && (absent.is_empty() || !hooked)
        && missing.is_empty()
    {
        let what = match hooked {
            true => "the project's tools come first on PATH",
            false => "the project's tools are installed (on PATH once the hook runs)",
        };
        findings.push(Finding::new("path", Status::Ok, what));
    }
}

/// Whether two paths name the same file (canonically, when both resolve).
fn same(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A directory vx writes: exists (or can be created: its nearest existing ancestor),
/// is a directory, takes a probe file; and its size.
fn writable(check: &'static str, dir: &Path, holds: &str) -> Finding {
    let fix_dir = |what: &str| match check {
        "store" => format!("{what}, or choose another store (--store DIR, XDG_DATA_HOME)"),
        _ => format!("{what}, or choose another cache (VX_CACHE_DIR)"),
    };
    if let Some(blocker) = dir
        .ancestors()
        .find(|p| p.symlink_metadata().is_ok())
        .filter(|p| !p.is_dir())
    {
        return Finding::new(
            check,
            Status::Problem,
            format!("{} is not a directory", blocker.display()),
        )
        .why(format!("vx keeps {holds} in {}", dir.display()))
        .fix(fix_dir(&format!("move {} away", blocker.display())));
    }
    let existing = dir.ancestors().find(|p| p.is_dir()).unwrap_or(dir);
    if let Err(err) = tempfile::tempfile_in(existing) {
        return Finding::new(
            check,
            Status::Problem,
            format!("{} cannot be written: {err}", existing.display()),
        )
        .why(format!("vx keeps {holds} there"))
        .fix(fix_dir(&format!("make {} writable", existing.display())));
    }
    if !dir.is_dir() {
        return Finding::new(
            check,
            Status::Ok,
            format!("{} (not created yet; writable)", dir.display()),
        );
    }
    let size = vx_engine::inventory::disk_usage(dir);
    Finding::new(
        check,
        Status::Ok,
        format!("{}, writable, {}", dir.display(), vx_text::bytes(size)),
    )
}

fn daemon() -> Finding {
    use vx_daemon::paths::{LockState, Paths};
    let paths = Paths::from_env();
    match paths.lock_state() {
        LockState::Held(pid) => Finding::new(
            "daemon",
            Status::Ok,
            format!(
                "running{}, socket {}",
                pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                paths.socket.display()
            ),
        ),
        LockState::Free => Finding::new(
            "daemon",
            Status::Info,
            format!("not running (socket {})", paths.socket.display()),
        )
        .why("editors start it when they need it; the CLI works without it"),
    }
}

fn registry(
    manifest: Option<&Manifest>,
    user: Option<&UserConfig>,
    cache: Option<&Path>,
) -> Finding {
    use vx_sources::registry::source::{STANDARD_NAME, STANDARD_REF, STANDARD_SHA256};
    let locked = manifest
        .and_then(|m| Lock::load(&m.lock_path()).ok().flatten())
        .and_then(|lock| lock.registries.get(STANDARD_NAME).cloned());
    let (git_ref, sha, whose) = match (locked, user) {
        (Some(pin), _) => (
            pin.git_ref.clone(),
            pin.sha256.clone(),
            "the project's lock",
        ),
        (None, Some(u)) if u.registry.standard_ref.is_some() => (
            u.registry.standard_ref.clone().unwrap_or_default(),
            u.registry.standard_sha256.clone().unwrap_or_default(),
            "the user config",
        ),
        _ => (
            STANDARD_REF.to_owned(),
            STANDARD_SHA256.to_owned(),
            "vx's default",
        ),
    };
    let sha = sha.trim_start_matches("sha256:").to_owned();
    let cached = cache.is_some_and(|c| {
        c.join("registries")
            .join("files")
            .join(format!("{sha}.yaml"))
            .is_file()
    });
    let what = format!("the standard registry at {git_ref} ({whose})");
    match cached {
        true => Finding::new("registry", Status::Ok, format!("{what}, cached")),
        false => Finding::new("registry", Status::Info, format!("{what}, not cached yet"))
            .why("it is fetched from GitHub the first time a tool is looked up by name"),
    }
}

fn github(
    findings: &mut Vec<Finding>,
    settings: &Settings,
    manifest: Option<&Manifest>,
    user: Option<&UserConfig>,
) {
    let default = UserConfig::default();
    let config = match GithubConfig::from_env(user.unwrap_or(&default)) {
        Ok(config) => config,
        Err(err) => {
            findings.push(
                Finding::new("github", Status::Problem, err.to_string())
                    .fix("fix the GitHub setting the message names"),
            );
            return;
        }
    };
    let token = match (&config.token, &config.token_source) {
        (Some(_), Some(source)) => format!("a token from {source}"),
        (Some(_), None) => "a token".to_owned(),
        _ => "no token".to_owned(),
    };
    let has_token = config.token.is_some();
    let api = config.hosts.api.clone();
    if settings.offline {
        findings.push(Finding::new(
            "github",
            Status::Skipped,
            format!("{api}, {token}; rate limit not asked (--offline)"),
        ));
        return;
    }
    // Online whatever the session doctor opened (it reads what is at hand): the
    // question is GitHub's answer.
    let options = vx_engine::resolution::Options::from_env(false, true).project(manifest);
    let network = match vx_engine::resolution::network::Network::from_env(options) {
        Ok(n) => n,
        Err(err) => {
            findings.push(
                Finding::new("github", Status::Problem, err.to_string())
                    .fix("fix the network setting the message names"),
            );
            return;
        }
    };
    let url = format!("{api}/rate_limit");
    // A mirror of GitHub's API (`url_replacements`) has no rate limit of GitHub's to tell.
    let mirrored = network.net.rewrites.apply(&url) != url.as_str();
    match network.github.fetch(&url, 64 * 1024) {
        Ok(body) => findings.push(rate_limit(&api, &token, has_token, &body)),
        // GitHub Enterprise Server with rate limiting turned off answers 404 here, and
        // so does a mirror: the server was reached and has no limit to tell.
        Err(vx_sources::github::GithubError::NotFound { .. })
            if !network.github.hosts().is_dot_com() || mirrored =>
        {
            let what = match mirrored {
                true => "a mirror (url_replacements) that answers 404 for /rate_limit",
                false => "the server answers 404 for /rate_limit: a GitHub Enterprise Server with rate limiting off",
            };
            findings.push(Finding::new(
                "github",
                Status::Ok,
                format!("{api}, {token}; no rate limit ({what})"),
            ));
        }
        Err(err) => findings.push(
            Finding::new("github", Status::Problem, format!("{token}; {err}"))
                .why("tools are looked up and resolved through GitHub's API")
                .fix(match has_token {
                    true => "check the token (or unset it), the proxy and CA settings; or work with --offline and mirrors",
                    false => "check the proxy and CA settings (vx config list); or work with --offline and mirrors",
                }),
        ),
    }
}

/// The `core` limit of a `/rate_limit` answer.
fn rate_limit(api: &str, token: &str, has_token: bool, body: &[u8]) -> Finding {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let core = &value["resources"]["core"];
    let (Some(remaining), Some(limit)) = (core["remaining"].as_u64(), core["limit"].as_u64())
    else {
        return Finding::new(
            "github",
            Status::Info,
            format!("{api}, {token}; no rate limit in its answer"),
        );
    };
    let reset = core["reset"]
        .as_u64()
        .map(|at| format!(", resets at {}", vx_sources::github::utc(at)))
        .unwrap_or_default();
    let what = format!("{api}, {token}; {remaining} of {limit} requests left{reset}");
    if remaining == 0 {
        let fix = match has_token {
            true => "wait for the reset, or work with --offline (what is cached and locked)",
            false => {
                "set GITHUB_TOKEN (or GH_TOKEN, or vx config set github.token …) for 5000 requests an hour"
            }
        };
        return Finding::new("github", Status::Problem, what)
            .why("a lookup that needs GitHub fails until the limit resets")
            .fix(fix);
    }
    Finding::new("github", Status::Ok, what)
}

fn network(findings: &mut Vec<Finding>, manifest: Option<&Manifest>, user: Option<&UserConfig>) {
    use vx_sources::settings::view::Layers;
    let (Some(user), Some(user_path)) = (user, UserConfig::path()) else {
        return;
    };
    let env = |name: &str| std::env::var(name).ok();
    let layers = Layers {
        user,
        user_path: &user_path,
        manifest,
        env: &env,
    };
    let entries = match layers.entries() {
        Ok(entries) => entries,
        Err(err) => {
            findings.push(
                Finding::new("network", Status::Problem, err.to_string())
                    .fix("fix the network setting the message names"),
            );
            return;
        }
    };
    let project = manifest.map(|m| m.network.clone()).unwrap_or_default();
    match vx_sources::settings::network::merged(&project, user) {
        // A header whose variable is unset fails only the requests to its host.
        Ok(net) => {
            for err in net.credentials.unresolved() {
                let key = match &err {
                    vx_net::credentials::CredentialsError::Header { host, name, .. } => {
                        vx_model::user_config::dotted_key(&["http", "headers", host, name])
                    }
                    _ => "KEY".to_owned(),
                };
                findings.push(
                    Finding::new("network", Status::Problem, clean(&err.to_string()))
                        .why("a request to that host fails until the variable is set; other hosts are not concerned")
                        .fix(clean(&format!("set the variable where vx runs (a shell, CI, cron), or remove the header: vx config unset '{key}'"))),
                );
            }
        }
        Err(err) => findings.push(
            Finding::new("network", Status::Problem, clean(&err.to_string()))
                .why("every command that reads the network settings refuses to run")
                .fix("fix the network setting the message names"),
        ),
    }
    let mut parts = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.key.starts_with("proxy.") || e.key == "http.ca_certificates")
    {
        parts.push(format!(
            "{} = {} ({})",
            e.key,
            e.plain().replace('\n', ", "),
            e.source_text()
        ));
    }
    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let path = PathBuf::from(&value);
            if !path.exists() {
                findings.push(
                    Finding::new(
                        "network",
                        Status::Problem,
                        format!("{var} names {}, which does not exist", path.display()),
                    )
                    .why("TLS connections fail when vx cannot load the certificates they trust")
                    .fix(format!("point {var} at the file or directory, or unset it")),
                );
            }
            parts.push(format!("{var} = {}", Path::new(&value).display()));
        }
    }
    for ca in &user.http.ca_certificates {
        if !ca.is_file() {
            findings.push(
                Finding::new(
                    "network",
                    Status::Problem,
                    format!(
                        "[http] ca_certificates names {}, which is not a file",
                        ca.display()
                    ),
                )
                .why("TLS connections fail when vx cannot load the certificates they trust")
                .fix("vx config set http.ca_certificates '[\"PATH\"]' with the right path"),
            );
        }
    }
    let what = match parts.is_empty() {
        true => "no proxy; the system's certificate authorities".to_owned(),
        false => parts.join("; "),
    };
    findings.push(Finding::new("network", Status::Ok, what));
}

fn lock(manifest: &Manifest, catalogue: &Catalogue) -> Finding {
    let path = manifest.lock_path();
    let lock = match Lock::load(&path) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            return Finding::new(
                "lock",
                Status::Problem,
                format!("{} is missing", path.display()),
            )
            .why("without it, each machine may resolve other versions")
            .fix("vx lock (vx sync writes it too)");
        }
        Err(err) => {
            return Finding::new("lock", Status::Problem, err.to_string())
                .why("vx sync refuses a lock it cannot read")
                .fix("vx lock rewrites it");
        }
    };
    let platforms = vec![Platform::current()];
    let stale = vx_project::plan::stale(manifest, Some(&lock), catalogue, &platforms);
    if stale.is_empty() {
        return Finding::new(
            "lock",
            Status::Ok,
            format!("{} is up to date", path.display()),
        );
    }
    Finding::new(
        "lock",
        Status::Problem,
        format!("{} is stale for {}", path.display(), stale.join(", ")),
    )
    .why("vx.toml asks for what the lock does not pin (or no longer lists what it pins); vx sync --locked refuses it")
    .fix("vx lock")
}

/// A pin of vx.toml that differs from a version file beside it (`python = "3.12.16"`
/// and `.python-version` saying 3.13): the file no longer decides the version, and
/// nothing else says so. A tool that names its `version_file` is the file's.
fn pins(manifest: &Manifest) -> Vec<Finding> {
    use vx_model::import::{self, Format, names::runtime_of};
    // A project read in place takes its versions from those files already.
    let Some(dir) = manifest
        .path
        .parent()
        .filter(|_| !vx_model::manifest::in_place::is_in_place(&manifest.path))
    else {
        return Vec::new();
    };
    let files: Vec<(PathBuf, import::Imported)> = import::found_in(dir)
        .into_iter()
        .filter(|(path, format)| *format != Format::Aqua && !import::is_personal(path))
        .filter_map(|(path, format)| Some((path.clone(), import::read(&path, format).ok()?)))
        .collect();
    let mut findings = Vec::new();
    for tool in manifest.tools.iter().filter(|t| t.version_file.is_none()) {
        let Some(request) = &tool.registry else {
            continue;
        };
        let runtime = runtime_of(&request.lookup).or_else(|| runtime_of(&tool.name));
        for (path, imported) in &files {
            let named = imported.tools.iter().find(|e| {
                e.name == request.lookup
                    || e.name == tool.name
                    || (runtime.is_some() && runtime_of(&e.name) == runtime)
            });
            let Some(Ok(version)) = named.map(|e| &e.version) else {
                continue;
            };
            if agrees(&request.constraint, version) {
                continue;
            }
            let file = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            findings.push(
                Finding::new(
                    "pins",
                    Status::Problem,
                    format!(
                        "{}: vx.toml pins {}, and {file} beside it says {version}",
                        tool.name, request.constraint
                    ),
                )
                .why(format!(
                    "vx uses vx.toml's pin: editing {file} changes nothing, while the tools that read {file} run another version"
                ))
                .fix(format!(
                    "keep one source of truth: {} = {{ version_file = \"{file}\" }} in vx.toml (or make the two agree)",
                    tool.name
                )),
            );
        }
    }
    findings
}

/// Whether a pin and a file's version name the same release: equal (a `v` aside), or
/// one a prefix of the other at a dot (`20` and `20.11.1`).
fn agrees(pin: &str, version: &str) -> bool {
    let pin = pin.trim().trim_start_matches('v');
    let version = version.trim().trim_start_matches('v');
    let within = |short: &str, long: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    within(pin, version) || within(version, pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_rate_limit_is_a_problem_whose_fix_depends_on_the_token() {
        let body = br#"{"resources":{"core":{"limit":60,"remaining":0,"reset":0}}}"#;
        let anonymous = rate_limit("https://api", "no token", false, body);
        assert_eq!(anonymous.status, Status::Problem);
        assert!(
            anonymous
                .what
                .contains("0 of 60 requests left, resets at 1970-01-01 00:00 UTC")
        );
        assert!(anonymous.fix.unwrap().contains("GITHUB_TOKEN"));
        let with_token = rate_limit("https://api", "a token from GH_TOKEN", true, body);
        assert!(with_token.fix.unwrap().contains("wait for the reset"));
        let fine = br#"{"resources":{"core":{"limit":5000,"remaining":4999}}}"#;
        assert_eq!(
            rate_limit("https://api", "t", true, fine).status,
            Status::Ok
        );
        let odd = rate_limit("https://api", "t", true, b"<html>");
        assert_eq!(odd.status, Status::Info);
    }
}
