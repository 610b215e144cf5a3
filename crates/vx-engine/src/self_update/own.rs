//! This vx: where it runs from and which channel placed it ([`Whereabouts`]);
//! updating it to a release, or saying why not ([`update`](fn@update)); and removing
//! what the installer put in place ([`uninstall`](fn@uninstall)); the path the user
//! reaches it by, for what outlives this run ([`invoked_exe`]). Nothing here prints:
//! what there is to say as it goes goes to the caller's `note`, and what happened
//! comes back for the caller to show.

use std::path::{Path, PathBuf};

use super::{Channel, Found, Receipt, SelfUpdateError, Source, channel, uninstall, update};
use vx_base::build_info;

/// Where this vx runs from: the running exe, the installer's receipt (if any) and the
/// channel they make.
pub struct Whereabouts {
    /// The running executable.
    pub exe: PathBuf,
    /// The installer's receipt.
    pub receipt: Option<Receipt>,
    /// What placed this vx.
    pub channel: Channel,
}

impl Whereabouts {
    /// The running exe, the receipt and the channel they make.
    pub fn find() -> Result<Whereabouts, SelfUpdateError> {
        let exe = update::current_exe()?;
        let receipt = Receipt::load()?;
        let channel = channel::detect(&exe, receipt.as_ref());
        Ok(Whereabouts {
            exe,
            receipt,
            channel,
        })
    }

    /// How this vx is updated: `vx self update`, or its channel's own command.
    pub fn how_to_update(&self) -> &'static str {
        self.channel.refusal().unwrap_or("vx self update")
    }
}

/// What `vx self update` is asked.
pub struct Request<'a> {
    /// The version asked for (`None`: the newest).
    pub version: Option<&'a str>,
    /// `--check`: say what would happen, change nothing.
    pub check: bool,
    /// `--force`: install over a vx placed by hand, or the same version again.
    pub force: bool,
    /// `--allow-downgrade`.
    pub allow_downgrade: bool,
}

/// What an update found or did.
pub struct Outcome {
    /// `up-to-date`, `newer-than-release`, `available` or `updated`.
    pub status: &'static str,
    /// The same in words.
    pub line: String,
    /// The release found.
    pub found: Found,
}

/// Updates this vx (at `here`) as `request` asks: a channel that owns it refuses (but
/// a vx placed by hand with `--force`), the release is found and verified, nothing
/// older is installed without `--allow-downgrade`, and the installer's receipt follows
/// the new version. `note` hears what happens as it goes.
pub fn update(
    here: Whereabouts,
    request: &Request<'_>,
    note: &dyn Fn(&str),
) -> Result<Outcome, SelfUpdateError> {
    let Whereabouts {
        exe,
        receipt,
        channel,
    } = here;
    if !request.check
        && let Some(why) = channel.refusal()
        && !(request.force && channel.force_allowed())
    {
        return Err(SelfUpdateError::Channel(why.to_owned()));
    }
    let target = build_info::RELEASE_TARGET
        .ok_or(SelfUpdateError::UnsupportedPlatform(build_info::TARGET))?;
    let source = Source::from_env()?;
    let found = source.find(request.version)?;
    let current = semver::Version::parse(build_info::VERSION)
        .unwrap_or_else(|_| semver::Version::new(0, 0, 0));
    let new = found.manifest.semver();
    let outcome = |status, line| {
        Ok(Outcome {
            status,
            line,
            found: found.clone(),
        })
    };
    if new == current && !request.force {
        return outcome(
            "up-to-date",
            format!("vx {current} is the newest release; nothing to do"),
        );
    }
    if new < current && !request.allow_downgrade {
        if request.check {
            return outcome(
                "newer-than-release",
                format!("vx {current} is newer than release {new}; nothing to do"),
            );
        }
        return Err(SelfUpdateError::Downgrade {
            current: current.to_string(),
            target: new.to_string(),
        });
    }
    if request.check {
        return outcome(
            "available",
            format!("vx {new} is available (this is {current}): run `vx self update`"),
        );
    }
    note(&format!(
        "vx: installing vx {new} from {}",
        vx_text::sanitize(&found.url)
    ));
    source.install(&found, target, &exe)?;
    if channel == Channel::Installer
        && let (Some(mut receipt), Some(path)) = (receipt, Receipt::path())
    {
        receipt.version = new.to_string();
        if let Err(e) = receipt.save_to(&path) {
            note(&format!(
                "vx: warning: vx was updated but its receipt was not: {e}"
            ));
        }
    }
    outcome(
        "updated",
        format!("vx updated from {current} to {new} ({})", exe.display()),
    )
}

/// Why `vx self uninstall` refuses a vx its channel owns (or that was placed by
/// hand), with that channel's way to remove it; `None` for the installer's.
pub fn uninstall_refusal(here: &Whereabouts) -> Option<SelfUpdateError> {
    let how = match here.channel {
        Channel::Installer => return None,
        Channel::Pip => "uninstall it with `pip uninstall vx-toolchain`",
        Channel::Npm => "uninstall it with `npm rm -g vx-toolchain`",
        Channel::Homebrew => "uninstall it with `brew uninstall vx`",
        Channel::Cargo => "uninstall it with `cargo uninstall vx`",
        Channel::Manual => "delete the file to uninstall it",
    };
    Some(SelfUpdateError::Channel(format!(
        "{} was not installed by the installer ({}): {how}",
        here.exe.display(),
        here.channel.name()
    )))
}

/// What an uninstall removed, and what it kept.
pub struct Uninstalled {
    /// What was removed, in words (the executable first).
    pub removed: Vec<String>,
    /// The directory of installed tools, kept.
    pub kept: Option<PathBuf>,
}

/// Removes this vx as the installer placed it (at `here`): the `PATH` lines it added
/// to the shell profiles, its receipt, the running executable and the links `vx sync`
/// starts its children from. The tools vx installed are kept.
pub fn uninstall(here: &Whereabouts) -> Result<Uninstalled, SelfUpdateError> {
    let cannot_remove = |path: &std::path::Path| {
        let what = format!("cannot remove {}", path.display());
        move |source| SelfUpdateError::Io { what, source }
    };
    let mut removed = Vec::new();
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        for file in uninstall::clean_profiles(std::path::Path::new(&home))? {
            removed.push(format!("the PATH line in {}", file.display()));
        }
    }
    if here.receipt.is_some()
        && let Some(path) = Receipt::path()
    {
        std::fs::remove_file(&path).map_err(cannot_remove(&path))?;
        removed.push(path.display().to_string());
    }
    uninstall::remove_running_exe().map_err(cannot_remove(&here.exe))?;
    removed.insert(0, here.exe.display().to_string());
    if let Some(dir) = here.exe.parent() {
        // The links `vx sync` starts its children from (one per vx image in use).
        vx_base::platform::image::sweep(dir, None);
    }
    Ok(Uninstalled {
        removed,
        kept: vx_base::platform::fs::data_dir(),
    })
}

/// This vx's path as the user reaches it, for what outlives this run (the shims, the
/// hook's script, completion scripts): the path it was started by (`argv[0]`, looked
/// up on `PATH` when it is a bare name), links kept, when that is this very binary —
/// a package manager's stable link (Homebrew's `bin/vx`) survives an upgrade that
/// removes the versioned file it pointed at, which the resolved path would not —
/// else the resolved path of the running binary.
pub fn invoked_exe() -> std::io::Result<PathBuf> {
    let resolved = std::env::current_exe()?;
    let invoked = std::env::args_os().next().and_then(|arg0| {
        let arg0 = PathBuf::from(arg0);
        if arg0.components().count() > 1 {
            std::path::absolute(&arg0).ok()
        } else {
            vx_base::platform::search::find(arg0.as_os_str(), &std::env::var_os("PATH")?)
        }
    });
    let same = |path: &Path| matches!((path.canonicalize(), resolved.canonicalize()), (Ok(a), Ok(b)) if a == b);
    Ok(invoked.filter(|path| same(path)).unwrap_or(resolved))
}
