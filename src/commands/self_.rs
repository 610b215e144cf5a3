//! `vx self info [--json] | update [VERSION] [--check] [--allow-downgrade] [--force] |
//! uninstall [--yes]`: vx itself ([`vx::self_update`]). `update` refuses a vx that a
//! package manager owns (with that manager's command) or that no installer placed
//! (unless `--force`) before it fetches anything; the release is checked by the library
//! before anything is replaced; a running daemon keeps the old image and is named.

use std::io::{IsTerminal, Write};
use std::path::Path;

use serde_json::json;
use vx::build_info;
use vx::exit::{Error, INTERRUPTED, OK};
use vx::self_update::{Channel, Receipt, SelfUpdateError, Source, channel, uninstall, update};

use crate::cli::{SelfCommand, SelfUpdateArgs};

/// Runs a `vx self` subcommand.
pub fn run(command: SelfCommand) -> Result<i32, Error> {
    match command {
        SelfCommand::Info { json } => info(json),
        SelfCommand::Update(args) => self_update(&args),
        SelfCommand::Uninstall { yes } => self_uninstall(yes),
    }
}

/// A library error as the command's: settings, flags and channels are the user's
/// (exit 2), the network's and the release's are not (exit 1), an interrupt is 130.
fn error(err: SelfUpdateError) -> Error {
    if matches!(err, SelfUpdateError::Interrupted) {
        return Error::with_code(INTERRUPTED, err);
    }
    if err.is_usage() {
        Error::usage(err)
    } else {
        Error::environment(err)
    }
}

/// The running exe, the receipt and the channel they make.
fn whereabouts() -> Result<(std::path::PathBuf, Option<Receipt>, Channel), Error> {
    let exe = update::current_exe().map_err(error)?;
    let receipt = Receipt::load().map_err(error)?;
    let channel = channel::detect(&exe, receipt.as_ref());
    Ok((exe, receipt, channel))
}

fn out(text: &str) -> Result<(), Error> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(Error::environment)
}

fn info(json: bool) -> Result<i32, Error> {
    let (exe, receipt, channel) = whereabouts()?;
    let update = match channel.refusal() {
        None => "vx self update".to_owned(),
        Some(why) => why.to_owned(),
    };
    if json {
        let value = json!({
            "version": build_info::VERSION,
            "commit": build_info::COMMIT,
            "date": build_info::DATE,
            "target": build_info::TARGET,
            "release_target": build_info::RELEASE_TARGET,
            "path": exe,
            "channel": channel.name(),
            "receipt": receipt.as_ref().map(|r| json!({
                "path": Receipt::path(),
                "install_dir": r.install_dir,
                "version": r.version,
                "source": r.source,
                "channel": r.channel,
            })),
            "update": update,
        });
        return out(&format!("{value}\n")).map(|()| OK);
    }
    let mut text = format!(
        "vx {}\npath: {}\nchannel: {}\ntarget: {} (release archive: {})\n",
        build_info::VERSION_LINE,
        exe.display(),
        channel.name(),
        build_info::TARGET,
        build_info::RELEASE_TARGET.unwrap_or("none")
    );
    if let Some(r) = &receipt {
        text.push_str(&format!(
            "receipt: {} ({} {} from {})\n",
            Receipt::path().unwrap_or_default().display(),
            vx_tui::text::sanitize(&r.channel),
            vx_tui::text::sanitize(&r.version),
            vx_tui::text::sanitize(&r.source),
        ));
    }
    text.push_str(&format!("update: {update}\n"));
    out(&text).map(|()| OK)
}

fn self_update(args: &SelfUpdateArgs) -> Result<i32, Error> {
    let (exe, receipt, channel) = whereabouts()?;
    if !args.check
        && let Some(why) = channel.refusal()
        && !(args.force && channel.force_allowed())
    {
        return Err(error(SelfUpdateError::Channel(why.to_owned())));
    }
    let target = build_info::RELEASE_TARGET
        .ok_or(SelfUpdateError::UnsupportedPlatform(build_info::TARGET))
        .map_err(error)?;
    let source = Source::from_env().map_err(error)?;
    let found = source.find(args.version.as_deref()).map_err(error)?;
    let current = semver::Version::parse(build_info::VERSION)
        .unwrap_or_else(|_| semver::Version::new(0, 0, 0));
    let new = found.manifest.semver();
    let report = |status: &str, line: String| -> Result<i32, Error> {
        if args.json {
            let value = json!({
                "status": status,
                "current": build_info::VERSION,
                "release": found.manifest.version,
                "manifest": found.url,
                "path": exe,
            });
            out(&format!("{value}\n"))?;
        } else {
            out(&format!("{line}\n"))?;
        }
        Ok(OK)
    };
    if new == current && !args.force {
        return report(
            "up-to-date",
            format!("vx {current} is the newest release; nothing to do"),
        );
    }
    if new < current && !args.allow_downgrade {
        if args.check {
            return report(
                "newer-than-release",
                format!("vx {current} is newer than release {new}; nothing to do"),
            );
        }
        return Err(error(SelfUpdateError::Downgrade {
            current: current.to_string(),
            target: new.to_string(),
        }));
    }
    if args.check {
        return report(
            "available",
            format!("vx {new} is available (this is {current}): run `vx self update`"),
        );
    }
    vx::note!(
        "vx: installing vx {new} from {}",
        vx_tui::text::sanitize(&found.url)
    );
    source.install(&found, target, &exe).map_err(error)?;
    if channel == Channel::Installer
        && let (Some(mut receipt), Some(path)) = (receipt, Receipt::path())
    {
        receipt.version = new.to_string();
        if let Err(e) = receipt.save_to(&path) {
            vx::note!("vx: warning: vx was updated but its receipt was not: {e}");
        }
    }
    tell_daemon();
    report(
        "updated",
        format!("vx updated from {current} to {new} ({})", exe.display()),
    )
}

/// Says when a daemon runs: it keeps the old binary's image until restarted.
fn tell_daemon() {
    let paths = vx::daemon::Paths::from_env();
    if let vx::daemon::LockState::Held(pid) = paths.lock_state() {
        let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        vx::note!(
            "vx: the vx daemon{pid} still runs the old vx: restart it with `vx daemon stop && vx daemon start`"
        );
    }
}

fn self_uninstall(yes: bool) -> Result<i32, Error> {
    let (exe, receipt, channel) = whereabouts()?;
    let how = match channel {
        Channel::Installer => None,
        Channel::Pip => Some("uninstall it with `pip uninstall vx-toolchain`"),
        Channel::Npm => Some("uninstall it with `npm rm -g vx-toolchain`"),
        Channel::Homebrew => Some("uninstall it with `brew uninstall vx`"),
        Channel::Cargo => Some("uninstall it with `cargo uninstall vx`"),
        Channel::Manual => Some("delete the file to uninstall it"),
    };
    if let Some(how) = how {
        return Err(Error::usage(format!(
            "{} was not installed by the installer ({}): {how}",
            exe.display(),
            channel.name()
        )));
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::usage(
                "vx self uninstall removes vx: pass --yes to confirm without a terminal",
            ));
        }
        eprint!("Remove vx from {}? [y/N] ", exe.display());
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            vx::note!("vx: nothing removed");
            return Ok(OK);
        }
    }
    let mut removed = Vec::new();
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        for file in uninstall::clean_profiles(Path::new(&home)).map_err(error)? {
            removed.push(format!("the PATH line in {}", file.display()));
        }
    }
    if receipt.is_some()
        && let Some(path) = Receipt::path()
    {
        std::fs::remove_file(&path).map_err(|e| {
            Error::environment(vx::exit::Because::new(
                format!("cannot remove {}", path.display()),
                e,
            ))
        })?;
        removed.push(path.display().to_string());
    }
    uninstall::remove_running_exe().map_err(|e| {
        Error::environment(vx::exit::Because::new(
            format!("cannot remove {}", exe.display()),
            e,
        ))
    })?;
    removed.insert(0, exe.display().to_string());
    if let Some(dir) = exe.parent() {
        // The links `vx sync` starts its children from (one per vx image in use).
        vx::platform::image::sweep(dir, None);
    }
    let mut text = String::from("vx uninstalled; removed:\n");
    for what in removed {
        text.push_str(&format!("  {what}\n"));
    }
    if let Some(data) = vx::platform::fs::data_dir() {
        text.push_str(&format!(
            "kept the tools vx installed in {}: remove that directory to free its space\n",
            data.display()
        ));
    }
    out(&text).map(|()| OK)
}
