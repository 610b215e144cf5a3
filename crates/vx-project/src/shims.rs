//! Shims: one entry per command of the installed tools in
//! `<data dir>/vx/shims` ([`dir`]), for what never runs a shell hook (IDEs, cron,
//! `ssh host cmd`). Each entry is a link to the vx binary itself (a symbolic link on
//! Unix; a hard link, else a copy, of `vx.exe` named `CMD.exe` on Windows); vx invoked
//! under another name than its own ([`command_of`]) runs that command as the current
//! directory's project (else the user's global toolset) pins it: the binary's
//! `commands/shim.rs`.
//!
//! The set is every command of every tool version the store holds (as mise does):
//! which version runs is decided when the shim runs, by the directory it runs in, so
//! the set only has to cover them all. [`refresh`] makes the directory match the store
//! (after a sync, `vx use`, an install, an uninstall or a prune); an entry left for a
//! command nothing provides any more says so when run.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use vx_base::platform::fs as pfs;

/// The shims' directory under vx's data directory.
pub(crate) const DIR: &str = "shims";

/// `<data dir>/vx/shims` (`$XDG_DATA_HOME/vx/shims`, `~/.local/share/vx/shims`,
/// `%LOCALAPPDATA%\vx\shims`); `None` when no data directory is known.
pub fn dir() -> Option<PathBuf> {
    pfs::data_dir().map(|data| data.join("vx").join(DIR))
}

/// The command a shim named `argv0` (a program's `argv[0]`: a name or a path) stands
/// for; `None` when it is vx itself: a name starting with `vx` (`vx`, `vx.exe`,
/// `vx-1.4`), so vx renamed or versioned still works and no shim can shadow it, or
/// how `vx sync` starts its children: `/proc/self/exe` on Linux, a `.vx-image-…` link
/// elsewhere ([`vx_base::platform::image`]).
pub fn command_of(argv0: &OsStr) -> Option<String> {
    // `vx sync` starts its children through the image it runs
    // ([`vx_base::platform::image`]): that is vx too.
    if Path::new(argv0) == Path::new("/proc/self/exe") {
        return None;
    }
    let file = Path::new(argv0).file_name()?.to_str()?;
    let command = pfs::command_name(file).unwrap_or(file);
    (!is_reserved(command)).then(|| command.to_owned())
}

/// Whether `command` is a name no shim may have: vx's own, or its running-image
/// link's (`.vx-image-…`).
fn is_reserved(command: &str) -> bool {
    let key = pfs::command_key(command);
    key.starts_with("vx") || key.starts_with(".vx") || command.is_empty()
}

/// What a [`refresh`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Entries made (new, or pointing elsewhere before).
    pub made: Vec<String>,
    /// Entries removed: no installed tool provides them any more.
    pub removed: Vec<String>,
}

/// Why the shims could not follow the store ([`follow`]).
#[derive(Debug, thiserror::Error)]
#[error("cannot refresh the shims in {}", dir.display())]
pub struct FollowError {
    /// The shims' directory.
    pub dir: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// Makes the shims match what `store` holds, after something was installed or
/// removed there ([`refresh`] of [`dir`], linking to the vx the user reaches,
/// [`vx_engine::self_update::own::invoked_exe`]). Only for the default store (a shim runs
/// what that one holds): any other store, no data directory or no readable own path
/// leaves the shims alone (`Ok(None)`). Best effort for the caller: a directory that
/// cannot be written is the error, and the command's own result stands.
pub fn follow(store: &Path) -> Result<Option<Refreshed>, FollowError> {
    if vx_engine::store::locate(None).ok().as_deref() != Some(store) {
        return Ok(None);
    }
    let (Some(dir), Ok(program)) = (dir(), vx_engine::self_update::own::invoked_exe()) else {
        return Ok(None);
    };
    let stamp = dir.with_file_name(STAMP);
    match refresh_unless_stamped(&dir, store, &program, &stamp) {
        Ok(done) => Ok(Some(done)),
        Err(source) => Err(FollowError { dir, source }),
    }
}

/// The file beside the shims' directory that says what they were last made from
/// ([`picture`]).
const STAMP: &str = "shims.stamp";

/// How long ago every time a [`picture`] rests on must be: a change in the same tick
/// of the clock as the picture (or, on a filesystem that keeps coarse times, the same
/// two seconds) would not move it.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// [`refresh`], skipped when `stamp` holds the [`picture`] the store and the shims
/// give now: a sync with nothing to install then reads no receipt, whatever the size
/// of the store (a store of 300 versions doubled a no-op sync's time). After a
/// refresh, the picture is written to `stamp` (or `stamp` removed, when it cannot be
/// taken yet), best effort: a stamp that is missing or torn only means a refresh.
fn refresh_unless_stamped(
    shims: &Path,
    store: &Path,
    program: &Path,
    stamp: &Path,
) -> io::Result<Refreshed> {
    let now = picture(store, shims, program);
    // Read as a regular file no longer than the picture: a stamp that is a link to a
    // device or a FIFO, or a huge file, is no match (and never read whole).
    if let Some(now) = &now
        && vx_base::bounded_read::read(stamp, now.len() as u64)
            .is_ok_and(|was| was == now.as_bytes())
    {
        return Ok(Refreshed::default());
    }
    let done = refresh(shims, store, program)?;
    let _ = match picture(store, shims, program) {
        Some(after) => vx_base::atomic::write_cache(stamp, after.as_bytes()),
        None => std::fs::remove_file(stamp),
    };
    Ok(done)
}

/// What a [`refresh`] of `shims` from `store` for `program` rests on, cheap to take
/// (no receipt read): the program, the shims directory's modification time, and each
/// tool directory's name and modification time. Installing, replacing or removing a
/// version moves its tool directory's time (each is a rename or removal of an entry
/// in it); adding or removing a tool changes the list; a shim added or removed by
/// hand moves the shims directory's time. The tools are those [`commands`] reads
/// ([`vx_engine::inventory::tool_names`]). `None` when the shims directory or a tool
/// directory cannot be read or changed less than [`SETTLED`] ago, so a change racing
/// the picture is never hidden by it.
fn picture(store: &Path, shims: &Path, program: &Path) -> Option<String> {
    use std::fmt::Write;
    let now = std::time::SystemTime::now();
    let settled = |path: &Path| -> Option<u128> {
        let modified = std::fs::symlink_metadata(path).ok()?.modified().ok()?;
        let age = now.duration_since(modified).ok()?;
        let since_epoch = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
        (age >= SETTLED).then_some(since_epoch.as_nanos())
    };
    let mut text = format!("{}\n{}\n", program.display(), settled(shims)?);
    // The tool directories [`commands`] reads the receipts of.
    for tool in vx_engine::inventory::tool_names(store) {
        let _ = writeln!(text, "{tool} {}", settled(&store.join(&tool))?);
    }
    Some(text)
}

/// Makes `shims` hold one entry linking to `program` (the vx binary) for each command
/// of the tools `store` holds, and nothing else. Entries already right are left as
/// they are, so a refresh with nothing new writes nothing.
pub(crate) fn refresh(shims: &Path, store: &Path, program: &Path) -> io::Result<Refreshed> {
    let wanted = commands(store);
    std::fs::create_dir_all(shims)?;
    let mut done = Refreshed::default();
    let mut present = BTreeSet::new();
    for entry in std::fs::read_dir(shims)?.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let command = pfs::command_name(&name).unwrap_or(&name).to_owned();
        // What vx did not make stays as it is, wanted or not.
        if !is_shim(&entry.path(), &name, program) || wanted.contains(&command) {
            present.insert(command);
        } else {
            std::fs::remove_file(entry.path())?;
            done.removed.push(command);
        }
    }
    for command in &wanted {
        let link = shims.join(pfs::program_file_name(command));
        if present.contains(command)
            && (pfs::links_to(&link, program) || !link_is_ours(&link, program))
        {
            continue;
        }
        // Made beside it and renamed over it: a shim running meanwhile never finds
        // its name missing.
        let tmp = shims.join(format!(".{}.new", pfs::program_file_name(command)));
        let _ = std::fs::remove_file(&tmp);
        pfs::link_program(program, &tmp)?;
        std::fs::rename(&tmp, &link)?;
        done.made.push(command.clone());
    }
    Ok(done)
}

/// Whether the entry `name` at `path` is one vx made: a link to `program`, a
/// symbolic link to any vx binary (one since moved or replaced), or on Windows a
/// program file (`CMD.exe`: vx's hard links and copies cannot be told apart).
fn is_shim(path: &Path, name: &str, program: &Path) -> bool {
    pfs::links_to(path, program)
        || std::fs::read_link(path).is_ok_and(|target| command_of(target.as_os_str()).is_none())
        || pfs::command_name(name).is_some()
}

/// [`is_shim`] for a wanted entry's path.
fn link_is_ours(link: &Path, program: &Path) -> bool {
    let name = link.file_name().and_then(OsStr::to_str).unwrap_or_default();
    is_shim(link, name, program)
}

/// The command names of every installed tool in `store`: its executables' file names
/// (`rg` for `rg.exe` on Windows), those a shim cannot have left out.
pub(crate) fn commands(store: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for receipt in vx_engine::inventory::receipts(store) {
        for bin in &receipt.bin {
            let file = bin.rsplit('/').next().unwrap_or(bin);
            let command = pfs::command_name(file).unwrap_or(file);
            if !is_reserved(command) && plain(command) {
                out.insert(command.to_owned());
            }
        }
    }
    out
}

/// Whether `command` can name a file of the shims' directory as it is: no separator,
/// no control character, not hidden (the directory's own temporary names are).
fn plain(command: &str) -> bool {
    !command.starts_with('.')
        && !command
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
}

/// `inherited` (a `PATH` value) without `shims`: what a shim searches for a command
/// no tool provides, so it never finds itself again.
pub fn path_without(shims: Option<&Path>, inherited: Option<&OsStr>) -> std::ffi::OsString {
    let dirs: Vec<PathBuf> = inherited
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let Some(shims) = shims else {
        return vx_base::platform::search::join(&dirs);
    };
    // As `vx activate --shims` wrote it, or as it resolves: one lookup, not one per
    // entry (a shim runs on every call of the tool).
    let real = shims.canonicalize().ok();
    let same = |dir: &Path| dir == shims || real.as_deref() == Some(dir);
    let kept: Vec<PathBuf> = dirs.into_iter().filter(|d| !same(d)).collect();
    vx_base::platform::search::join(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vx_under_its_own_names_is_no_shim() {
        for name in [
            "vx",
            "/usr/local/bin/vx",
            "vx-1.4",
            "./vx",
            "/proc/self/exe",
            "/Applications/bin/.vx-image-1000-17000",
            ".vx-image-1000-17000.exe",
        ] {
            assert_eq!(command_of(OsStr::new(name)), None, "{name}");
        }
        assert_eq!(
            command_of(OsStr::new("/home/u/.local/share/vx/shims/node")).as_deref(),
            Some("node")
        );
        assert_eq!(command_of(OsStr::new("rg")).as_deref(), Some("rg"));
    }

    /// A store holding tool `t` 1 whose receipt lists `bin/t` and `bin/t2`.
    #[cfg(unix)]
    fn store_with_tool(root: &Path) -> PathBuf {
        let store = root.join("store");
        let tree = store.join("t/1");
        std::fs::create_dir_all(tree.join("bin")).unwrap();
        let receipt = serde_json::json!({
            "tool": "t", "version": "1", "url": "file:///t", "sha256": "0", "format": null,
            "strip_components": 0, "post_install": null, "options": {}, "bytes": 0,
            "installed_at": 0, "bin": ["bin/t", "bin/t2"]
        });
        std::fs::write(
            tree.join(vx_engine::store::RECEIPT_FILE),
            receipt.to_string(),
        )
        .unwrap();
        store
    }

    #[cfg(unix)]
    #[test]
    fn a_refresh_links_every_command_removes_stale_shims_and_keeps_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_tool(dir.path());
        let program = dir.path().join("bin/vx");
        std::fs::create_dir_all(program.parent().unwrap()).unwrap();
        std::fs::write(&program, "vx").unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir_all(&shims).unwrap();
        std::os::unix::fs::symlink(&program, shims.join("gone")).unwrap();
        std::fs::write(shims.join("mine"), "a user's file").unwrap();

        let done = refresh(&shims, &store, &program).unwrap();
        assert_eq!(done.made, ["t", "t2"]);
        assert_eq!(done.removed, ["gone"]);
        assert_eq!(std::fs::read_link(shims.join("t")).unwrap(), program);
        assert_eq!(
            std::fs::read_to_string(shims.join("mine")).unwrap(),
            "a user's file"
        );
        // Nothing new: nothing written.
        assert_eq!(
            refresh(&shims, &store, &program).unwrap(),
            Refreshed::default()
        );
    }

    /// A stamp that is a link to a device (an endless one) is no match and is never
    /// read whole: the shims are refreshed, the link removed, and a real stamp
    /// written once they settle.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_stamp_linked_to_a_device_is_refreshed_over_not_read() {
        let at = Stamped::new();
        assert_eq!(at.follow().made, ["t", "t2"]);
        age(&at.shims);
        age(&at.store.join("t"));
        std::os::unix::fs::symlink("/dev/zero", &at.stamp).unwrap();
        std::fs::remove_file(at.shims.join("t")).unwrap();
        age(&at.shims);
        assert_eq!(at.follow().made, ["t"]);
        assert!(!at.stamp.is_symlink(), "the link is gone");
        age(&at.shims);
        assert_eq!(at.follow(), Refreshed::default());
        assert!(std::fs::symlink_metadata(&at.stamp).unwrap().is_file());
    }

    /// A store holding `t` 1 ([`store_with_tool`]), a vx binary, and where its shims
    /// and their stamp go, in a temporary directory.
    #[cfg(unix)]
    struct Stamped {
        dir: tempfile::TempDir,
        store: PathBuf,
        program: PathBuf,
        shims: PathBuf,
        stamp: PathBuf,
    }

    #[cfg(unix)]
    impl Stamped {
        fn new() -> Stamped {
            let dir = tempfile::tempdir().unwrap();
            let store = store_with_tool(dir.path());
            let program = dir.path().join("vx");
            std::fs::write(&program, "vx").unwrap();
            let shims = dir.path().join("shims");
            let stamp = dir.path().join(STAMP);
            Stamped {
                dir,
                store,
                program,
                shims,
                stamp,
            }
        }

        /// [`refresh_unless_stamped`] for this vx.
        fn follow(&self) -> Refreshed {
            refresh_unless_stamped(&self.shims, &self.store, &self.program, &self.stamp).unwrap()
        }
    }

    /// Sets the modification time of the directory `dir` to an hour ago: settled.
    #[cfg(unix)]
    fn age(dir: &Path) {
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::open(dir)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }

    /// Rewrites `t` 1's receipt in place, listing `bins`: a change no directory's time
    /// shows, so only a refresh that reads the receipts sees it.
    #[cfg(unix)]
    fn relist(store: &Path, bins: &[&str]) {
        let file = store.join("t/1").join(vx_engine::store::RECEIPT_FILE);
        let mut receipt: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        receipt["bin"] = serde_json::json!(bins);
        std::fs::write(&file, receipt.to_string()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_stamp_skips_the_refresh_only_while_nothing_it_rests_on_moved() {
        let at = Stamped::new();
        let Stamped {
            dir,
            store,
            shims,
            stamp,
            ..
        } = &at;
        let follow = || at.follow();

        // Just made: too recent to stamp, so every follow refreshes.
        assert_eq!(follow().made, ["t", "t2"]);
        assert!(!stamp.exists());
        relist(store, &["bin/t"]);
        assert_eq!(follow().removed, ["t2"]);
        assert!(!stamp.exists());

        // Settled: stamped, and then a follow reads no receipt (what it would have
        // found in the rewritten one stays unseen).
        age(shims);
        age(&store.join("t"));
        assert_eq!(follow(), Refreshed::default());
        assert!(stamp.exists());
        relist(store, &["bin/t", "bin/t3"]);
        assert_eq!(follow(), Refreshed::default());
        assert!(!shims.join("t3").exists());

        // A version added or removed moves its tool directory: refreshed again.
        std::fs::create_dir(store.join("t/2")).unwrap();
        assert_eq!(follow().made, ["t3"]);
        assert!(!stamp.exists(), "a picture of a moment ago is not stamped");

        // A shim removed by hand moves the shims directory: put back.
        age(shims);
        age(&store.join("t"));
        assert_eq!(follow(), Refreshed::default());
        assert!(stamp.exists());
        std::fs::remove_file(shims.join("t")).unwrap();
        assert_eq!(follow().made, ["t"]);

        // Another vx binary: every shim links to it.
        age(shims);
        assert_eq!(follow(), Refreshed::default());
        let other = dir.path().join("vx-2");
        std::fs::write(&other, "vx").unwrap();
        let done = refresh_unless_stamped(shims, store, &other, stamp).unwrap();
        assert_eq!(done.made, ["t", "t3"]);
        assert_eq!(std::fs::read_link(shims.join("t")).unwrap(), other);
    }

    #[test]
    fn the_shims_directory_is_left_out_of_the_path_searched() {
        let dir = tempfile::tempdir().unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        let path = vx_base::platform::search::join(&[
            PathBuf::from("/a"),
            shims.clone(),
            PathBuf::from("/b"),
        ]);
        let left = path_without(Some(&shims), Some(&path));
        assert_eq!(
            std::env::split_paths(&left).collect::<Vec<_>>(),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
    }
}
