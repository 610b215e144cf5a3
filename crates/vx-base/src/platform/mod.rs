//! The platform layer of `vx`: what the commands need from the operating system beyond
//! what `std` offers alike everywhere, one API chosen at compile time (`unix.rs` for
//! Linux, macOS and the other Unixes; `windows.rs`). The rest of the crate calls these
//! modules and names no platform, so a port is one file here. The board's own platform
//! needs (its directory, owners, process liveness) live in `vx_shm`'s layer, and so
//! does telling whether a live process holds a lock (`vx_shm::liveness`), which the
//! daemon, partial downloads, store work directories and running images use too.
//!
//! | concern | Unix | Windows |
//! |---|---|---|
//! | [`process`]: a child's process tree | its own process group; killed with SIGKILL to the group | its own Job Object (kill-on-close); killed with `TerminateJobObject`; a parent that dies takes the tree with it |
//! | [`process`]: how a process ended | exit code or signal (`128 + N`) | exit code (an `NTSTATUS` shown in hex) |
//! | [`process`]: a shell command (`post_install`) | `sh -c COMMAND` | `cmd /D /S /C "COMMAND"` |
//! | [`process`]: a start refused for a moment, tried again (three pauses, 0.3 s in all) | `EAGAIN`, `ENOMEM` | out of memory or resources; `ERROR_INTERNAL_ERROR` (Wine: the new process died while starting) |
//! | [`interrupt`]: what stops `vx` | SIGINT, SIGTERM, SIGHUP (signal-hook) | console control events: Ctrl-C, Ctrl-Break, close, logoff, shutdown |
//! | [`exec`]: `vx exec` | `execvp`: the command replaces `vx` | the command runs as a child; `vx` ignores Ctrl-C meanwhile (the child, on the same console, gets it) and exits with its code |
//! | [`fs`]: archive names | any bytes but NUL | UTF-8; no `:` (alternate streams, drives), no device names (`CON`, `NUL`, …), no trailing dot or space |
//! | [`fs`]: permissions | the archive's mode bits (`rwx` only) | none (Windows files have no mode bits) |
//! | [`fs`]: a rewritten `vx.toml`/`vx.lock` | keeps the file's mode bits and group; a new one is 0666 less the umask | the directory's ACL |
//! | [`fs`]: symbolic links | created | created as file or directory links; refused with a clear error where Windows does not allow the user to create them |
//! | [`fs`]: executables | a regular file with an execute bit | a regular file whose extension is in `PATHEXT` (default `.COM;.EXE;.BAT;.CMD`); `rg` finds `rg.exe` |
//! | [`fs`]: command names | compared as written | compared ignoring ASCII case (`RG` is `rg`) |
//! | [`fs`]: `PATH` for a POSIX shell (`vx env`) | as it is | Git Bash / MSYS2 form: `/c/Users/…`, `:`-separated |
//! | [`fs`]: the data directory (default store) | `$XDG_DATA_HOME` when absolute (a relative one is ignored, as the XDG spec says; so for the config and cache directories), else `~/.local/share` | `%LOCALAPPDATA%` |
//! | [`ipc`]: the daemon's transport | a Unix socket in a 0700 directory; the peer's uid checked | a named pipe whose DACL grants the user alone; both ends check the other's user |
//! | [`process`]: a background process (the daemon) | it calls `setsid` itself; SIGTERM stops it | detached, in a new process group; stopped by its `shutdown` request |
//! | [`fs`]: file stamps (activation record) | device, inode, size, mtime, ctime; `statat` under an open directory | size, modified and created times, by path |
//! | [`image`]: what `vx sync` starts its children from | `/proc/self/exe` on Linux; elsewhere a held hard link beside the executable | a held hard link beside the executable |
//! | [`search`]: a command on `PATH`, `PATH` values built | `execvp`'s lookup: the first executable regular file | the same, with each `PATHEXT` extension |

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub mod image;
pub mod ipc;
pub mod libc;
pub mod search;
mod transient;

/// Whether vx runs on Windows: where a task's `run_windows` runs instead of its
/// `run`, a choice made where the project is read.
pub const WINDOWS: bool = cfg!(windows);

pub mod process {
    //! Process trees, exit statuses and shell commands.
    //!
    //! `vx sync` starts each `vx install` child as the root of a tree of its own (a
    //! process group on Unix, a Job Object on Windows), so that a cancel, a stuck child
    //! or a parent that gives up can end the child and everything it started (its
    //! `post_install` command and what that forked) at once.

    use std::io;
    use std::process::{Child, Command, ExitStatus};

    use super::imp;

    /// Raises this process's soft limit of open files to its hard limit, as file
    /// watchers do at start (macOS shells start at 256, and kqueue holds a descriptor
    /// for each watched file); the soft limit after, `None` where there is none.
    pub fn raise_open_files_limit() -> Option<u64> {
        imp::raise_open_files_limit()
    }

    /// A child's process tree: the handle that ends it. On Windows dropping it ends the
    /// tree too (the job is killed when its last handle closes); on Unix dropping it does
    /// nothing.
    #[derive(Debug)]
    pub struct Tree(imp::Tree);

    impl Tree {
        /// Spawns `command` as the root of a new tree. On Windows the child is assigned
        /// to its job right after it starts, before it could start anything itself when
        /// it first waits for input (as a `vx install` child waits for its config
        /// frame); on Unix the child leads its own process group from its first
        /// instruction.
        ///
        /// A start the system refuses for a moment is tried again, as [`spawn`] does.
        pub fn spawn(command: &mut Command) -> io::Result<(Child, Tree)> {
            retry_spawn(|| imp::spawn_tree(command)).map(|(child, tree)| (child, Tree(tree)))
        }

        /// Kills every process of the tree, at once and without appeal (SIGKILL;
        /// `TerminateJobObject`). Harmless when they are gone already.
        pub fn kill(&self) {
            self.0.kill();
        }

        /// Asks the tree's root to stop: on Unix SIGINT or SIGTERM to the root process
        /// alone, which ends what it started its own way (a shell, a dev server); Windows
        /// has no such request to a process without a console of ours, so there the
        /// whole tree is killed. Harmless when the root is gone already.
        pub fn stop(&self, how: Polite) {
            self.0.stop(how);
        }
    }

    /// Which polite request [`Tree::stop`] makes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Polite {
        /// SIGINT: the user interrupted.
        Interrupt,
        /// SIGTERM: the caller ends the work for a reason of its own.
        Terminate,
    }

    /// Starts `command`, trying again after a short pause when the system refuses for
    /// a moment (no process slot or memory; on Windows also a new process that died
    /// while it started, which Wine reports as an internal error).
    pub fn spawn(command: &mut Command) -> io::Result<Child> {
        retry_spawn(|| command.spawn())
    }

    fn retry_spawn<T>(start: impl FnMut() -> io::Result<T>) -> io::Result<T> {
        super::transient::retry(
            start,
            imp::is_transient_spawn_error,
            &super::transient::SPAWN_PAUSES,
        )
    }

    /// The exit code a tree's processes get when [`Tree::kill`] ends them on Windows:
    /// 137, as a shell reports a SIGKILLed process on Unix, so reports read alike.
    #[cfg(windows)]
    pub(crate) const KILLED_CODE: u32 = 137;

    /// Whether this process is the root of a tree of its own that [`term_own_tree`]
    /// reaches: on Unix, the leader of its process group (a `vx sync` child); never on
    /// Windows, where the parent's job ends what a cancelled child leaves.
    pub(crate) fn leads_own_tree() -> bool {
        imp::leads_own_tree()
    }

    /// Asks every process of this process's own tree to stop (SIGTERM to the process
    /// group, which this process also gets and takes as the cancel it is already
    /// doing). Only for a process that [`leads_own_tree`]; a no-op on Windows.
    pub fn term_own_tree() {
        imp::term_own_tree();
    }

    /// Ends every process of this process's own tree, this one included (SIGKILL to
    /// the process group): the last act of a process that [`leads_own_tree`] and whose
    /// parent, which would otherwise end the tree, is gone. A no-op on Windows (the
    /// parent's job has already ended it all).
    pub(crate) fn kill_own_tree() {
        imp::kill_own_tree();
    }

    /// Arranges for this process to get a cancel request when its parent dies (Linux:
    /// `PR_SET_PDEATHSIG` with SIGTERM). Returns whether it could; on Windows the
    /// parent's Job Object kills the children of a dead parent instead, and other Unixes
    /// have no such request.
    pub(crate) fn cancel_on_parent_death() -> bool {
        imp::cancel_on_parent_death()
    }

    /// Whether [`cancel_on_parent_death`] can tie a process to its parent here (Linux),
    /// without asking it for this process.
    pub(crate) fn has_parent_death_signal() -> bool {
        imp::has_parent_death_signal()
    }

    /// The parent's process id, where the platform tells it cheaply (Unix; 0 for a
    /// parent outside our pid namespace).
    pub fn parent_id() -> Option<u32> {
        imp::parent_id()
    }

    /// Describes how a process ended: `exit status 3`, `killed by signal 9 (SIGKILL)`,
    /// or on Windows `exit status 0xc000013a (STATUS_CONTROL_C_EXIT)`.
    pub fn describe_status(status: ExitStatus) -> String {
        imp::describe_status(status)
    }

    /// The shell-style code of an exit status: the code, or 128 + the signal.
    pub fn status_code(status: ExitStatus) -> i32 {
        imp::status_code(status)
    }

    /// An exit status with code `code`, for a child whose real status is unknown.
    pub fn exit_status(code: u8) -> ExitStatus {
        imp::exit_status(code)
    }

    /// A command that runs `command` with the platform's shell: `sh -c COMMAND`, or
    /// `cmd /D /S /C "COMMAND"` on Windows (no AutoRun, the command line passed as
    /// written).
    pub fn shell(command: &str) -> Command {
        imp::shell(command)
    }

    /// A `Stdio` that writes where this process's stderr goes (for a child's stdout that
    /// must join our stderr); `null` when it cannot be duplicated.
    pub fn stderr_stdio() -> std::process::Stdio {
        imp::stderr_stdio()
    }

    /// Makes `command` start a background process (the daemon) outside this console's
    /// reach: on Windows a detached process in a group of its own, so no Ctrl-C of
    /// the starting console reaches it, and which inherits none of this process's
    /// standard handles (call it last before spawning). On Unix the process itself calls
    /// [`leave_session`] (a new session is not made from the parent without unsafe
    /// code).
    pub fn detached(command: &mut Command) -> &mut Command {
        imp::detached(command)
    }

    /// Leaves the terminal's session (`setsid`), so its hangup and Ctrl-C no longer
    /// reach this process: the daemon's first step on Unix. Nothing on Windows.
    pub fn leave_session() {
        imp::leave_session();
    }

    /// Asks process `pid` to end (SIGTERM on Unix, handled like Ctrl-C). Windows has no
    /// such request for a process without a console: [`io::ErrorKind::Unsupported`].
    pub fn terminate(pid: u32) -> io::Result<()> {
        imp::terminate(pid)
    }

    /// Makes this process the adopter of its descendants' orphans while the
    /// [`Adopting`] lives: a process one of its children started and that outlived its
    /// parent (a daemon that left its group with `setsid`) is re-parented here, not to
    /// init (Linux: `PR_SET_CHILD_SUBREAPER`), so that it can be ended. `None` where the
    /// system offers no such thing (macOS, the other Unixes, Windows, where a Job
    /// Object ends a tree).
    pub fn adopt_orphans() -> Option<Adopting> {
        imp::adopt_orphans().then_some(Adopting(()))
    }

    /// The adoption [`adopt_orphans`] began; dropped, it ends.
    #[derive(Debug)]
    pub struct Adopting(());

    impl Adopting {
        /// SIGKILLs every child this process has left (the orphans adopted; call it
        /// once the children it started itself were waited for) and what descends from
        /// them, and reaps its children.
        pub fn end_orphans(&self) {
            imp::end_adopted();
        }
    }

    impl Drop for Adopting {
        /// Adopts no more.
        fn drop(&mut self) {
            imp::stop_adopting();
        }
    }

    /// Why [`output_bounded`] ended a command before it finished.
    #[derive(Debug, thiserror::Error)]
    pub enum Bounded {
        /// It could not be started or waited for.
        #[error("{0}")]
        Io(#[from] io::Error),
        /// It ran past its deadline, and its whole tree was killed.
        #[error("it did not finish within {} s and was stopped", .0.as_secs())]
        TimedOut(std::time::Duration),
        /// This process was asked to stop (`stop` was set), and the tree was killed.
        #[error("interrupted")]
        Interrupted,
    }

    /// Runs `command` to its end as the root of a tree of its own (as [`Tree::spawn`]
    /// starts `vx install` children: a process group on Unix, a Job Object on
    /// Windows), its stdin empty and its output collected; its whole tree is killed
    /// when it runs past `deadline` or when `stop` is set (this process's interrupt
    /// flag), so nothing of it outlives the caller's wait. A child started this way
    /// does not get the terminal's Ctrl-C itself: the caller, who polls `stop`, ends it.
    pub fn output_bounded(
        command: &mut Command,
        deadline: std::time::Duration,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<std::process::Output, Bounded> {
        use std::io::Read;
        use std::process::Stdio;
        use std::sync::atomic::Ordering;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let (mut child, tree) = Tree::spawn(command)?;
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    // Bounded like every text read from a child: 1 MiB is kept.
                    let _ = pipe.by_ref().take(1 << 20).read_to_end(&mut bytes);
                    let _ = std::io::copy(&mut pipe, &mut std::io::sink());
                }
                bytes
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(1);
        let ended = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(err) => break Err(Bounded::Io(err)),
            }
            if stop.load(Ordering::Relaxed) {
                break Err(Bounded::Interrupted);
            }
            if started.elapsed() >= deadline {
                break Err(Bounded::TimedOut(deadline));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(std::time::Duration::from_millis(20));
        };
        // What the root left running (a grandchild) ends with it, whatever happened.
        tree.kill();
        if ended.is_err() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let status = ended?;
        Ok(std::process::Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }

    /// Ends, at once and without appeal, the process group `leader` leads and the
    /// processes `others` (SIGKILL), processes of ours that no other process answers
    /// for any more (the tasks of a task guard that was killed). Harmless for those gone
    /// already. Windows has neither groups nor such orphans (a Job Object ends a tree):
    /// [`io::ErrorKind::Unsupported`].
    pub fn kill_orphans(leaders: &[u32], others: &[u32]) -> io::Result<()> {
        imp::kill_orphans(leaders, others)
    }
}

pub(crate) mod interrupt {
    //! What asks `vx` to stop: signals on Unix, console control events on Windows.
    //! Handlers only set a flag and wake a channel; the code that must wind down polls
    //! the flag or waits on the channel.

    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use crossbeam_channel::Sender;

    use super::imp;

    /// Who is asking, which decides what stops it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Stopping {
        /// `vx sync`, the parent, and the other runs that wind down on a signal (`vx
        /// mirror push`, `vx bundle export`, `vx self update` while its new binary is
        /// staged): SIGINT, SIGTERM and SIGHUP (a closed terminal must not kill it
        /// before it cleans up); every console event on Windows.
        Sync,
        /// `vx install`, a child or standalone: SIGTERM, SIGINT and SIGHUP (a
        /// standalone install's terminal closed); on Windows every console event (a
        /// `vx sync` child ignores Ctrl-C: it gets Ctrl-Break).
        Install,
        /// A viewer (`vx board watch`): SIGTERM, SIGHUP and SIGINT; every console event.
        Viewer,
        /// `vx run` waiting for a script it started in the terminal's foreground,
        /// which gets Ctrl-C itself: SIGINT only (a SIGTERM sent to vx still ends it);
        /// every console event on Windows.
        Waiting,
        /// `vx run` waiting for its lone task's command, which it passes SIGTERM and
        /// SIGHUP on to as SIGTERM (the command runs as its child, not in its place): those two
        /// only (SIGINT is [`Stopping::Waiting`]'s); every console event on Windows.
        Passing,
    }

    /// Sets `flag` (and sends on `wake`, when given, without blocking) each time one of
    /// `who`'s stops arrives, for as long as the returned [`Registration`] lives. Once
    /// no registration covers a stop any more, it has its default action again (it
    /// ends the process): a phase that polls no flag must not swallow Ctrl-C.
    pub(crate) fn on_stop(
        who: Stopping,
        flag: Arc<AtomicBool>,
        wake: Option<Sender<()>>,
    ) -> std::io::Result<Registration> {
        imp::on_stop(who, flag, wake).map(|handlers| Registration {
            _handlers: handlers,
        })
    }

    /// A registration of [`on_stop`]: dropping it removes its handlers.
    #[derive(Debug)]
    pub struct Registration {
        /// Removes them on drop.
        _handlers: imp::Registration,
    }

    impl Registration {
        /// Keeps the handlers for the life of the process (a process that polls its
        /// flag until it exits).
        pub(crate) fn keep(self) {
            std::mem::forget(self);
        }
    }
}

pub mod exec {
    //! `vx exec`: hand the process over to a command.

    use std::ffi::OsStr;
    use std::process::Command;

    use super::imp;

    /// Runs `command` (with `arg0` as its name) in place of `vx`: on Unix `exec`, which
    /// returns only on failure; on Windows the command runs as a child with the same
    /// console and stdio, `vx` ignores Ctrl-C and Ctrl-Break while it waits (the child
    /// gets them itself), then exits with the child's code. Returns only the error that
    /// kept the command from starting.
    pub fn replace_process(command: Command, arg0: &OsStr) -> std::io::Error {
        imp::replace_process(command, arg0)
    }
}

pub mod fs {
    //! Files as archives and the toolchain see them.

    use std::ffi::{OsStr, OsString};
    use std::fs::{File, Metadata, OpenOptions};
    use std::io;
    use std::path::{Path, PathBuf};

    use super::imp;

    /// `name` as this OS names a program's file: `uv.exe` on Windows, `uv` elsewhere.
    pub fn program_file(name: &str) -> String {
        format!("{name}{}", std::env::consts::EXE_SUFFIX)
    }

    /// The folder of a Python virtual environment that holds its programs: `Scripts`
    /// on Windows, `bin` elsewhere (as CPython's `venv` module lays it out).
    pub const VENV_PROGRAMS: &str = if cfg!(windows) { "Scripts" } else { "bin" };

    /// An archive entry's name (or a link target, or a decoded `file://` path) as a
    /// path: any bytes on Unix; UTF-8 on Windows (`None` otherwise).
    pub fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
        imp::path_from_bytes(bytes)
    }

    /// Why one component of an archive path cannot name a file here, if it cannot:
    /// on Windows `:` (an alternate data stream or a drive), the device names (`CON`,
    /// `NUL`, `COM1`, … with any extension) and a trailing dot or space (which Windows
    /// drops, so two entries could land on one file). Nothing on Unix.
    pub fn refused_component(part: &OsStr) -> Option<&'static str> {
        imp::refused_component(part)
    }

    /// Opens `path` for reading without blocking on what is not a regular file: on Unix
    /// with `O_NONBLOCK` (a FIFO with no writer would block `open` forever) and
    /// `O_NOCTTY` (a terminal never becomes the controlling one); on Windows as is.
    /// The caller checks what it opened through the handle's metadata
    /// ([`crate::bounded_read`] does).
    pub fn open_for_reading(path: &Path) -> io::Result<File> {
        imp::open_for_reading(path)
    }

    /// What a file that is not a regular file is, in words (`a FIFO`, `a character
    /// device`, `a directory`, …), for a refusal.
    pub fn kind_of(file_type: std::fs::FileType) -> &'static str {
        imp::kind_of(file_type)
    }

    /// Options that create a new file readable and writable by its owner only, as a file
    /// is unpacked (mode 0600 on Unix until its own mode is set; Windows: the directory's
    /// ACL).
    pub fn new_private_file() -> OpenOptions {
        imp::new_private_file()
    }

    /// The permissions a new project file (`vx.toml`, `vx.lock`: files meant to be
    /// committed and shared) is created with, to pass to the temporary file that
    /// becomes it: 0666 less the umask on Unix, as an editor would create it (0644
    /// under umask 022). `None` on Windows, where a new file takes its directory's ACL.
    pub(crate) fn new_shared_file_permissions() -> Option<std::fs::Permissions> {
        imp::new_shared_file_permissions()
    }

    /// Gives `file`, about to replace the file whose metadata is `replaced`, that
    /// file's access: on Unix its permission bits and, where this user may set it,
    /// its group (a group this user is not in is left as the new file's, silently).
    /// Nothing on Windows, where the ACL comes from the directory.
    pub(crate) fn keep_access(file: &File, replaced: &Metadata) -> io::Result<()> {
        imp::keep_access(file, replaced)
    }

    /// Gives an unpacked file its archive's permission bits: `rwx` only (no setuid,
    /// setgid or sticky), always readable by the owner, 0644 when the archive has none.
    /// Nothing on Windows.
    pub fn set_unpacked_mode(file: &File, mode: Option<u32>) -> io::Result<()> {
        imp::set_unpacked_mode(file, mode)
    }

    /// Creates a symbolic link at `link` to the relative `target` (already checked to
    /// stay inside the tree). On Windows a directory link when `target` names an
    /// existing directory, else a file link; a refusal for want of the privilege
    /// (Developer Mode off, not an administrator) says so, and so does a link reported
    /// made that is not there (Wine).
    pub fn symlink(target: &Path, link: &Path) -> io::Result<()> {
        imp::symlink(target, link)
    }

    /// Makes the regular file at `path` executable by whoever may read it (a listed
    /// executable an archive left without its execute bit: `vx CMD` would otherwise
    /// pass over it for another program of that name on `PATH`). Nothing on Windows,
    /// where an extension makes a file a program.
    pub fn mark_executable(path: &Path) -> io::Result<()> {
        imp::mark_executable(path)
    }

    /// Whether the regular file at `path`, with metadata `meta`, is meant to be run:
    /// an execute bit on Unix, an extension of `PATHEXT` on Windows.
    pub fn looks_executable(path: &Path, meta: &Metadata) -> bool {
        imp::looks_executable(path, meta)
    }

    /// Whether `path` is a regular file (links followed) this user may execute.
    pub fn is_executable(path: &Path) -> bool {
        imp::is_executable(path)
    }

    /// The file names `command` may have in a `PATH` directory: itself on Unix; on
    /// Windows itself when it has an extension of `PATHEXT`, else itself with each one.
    pub fn executable_names(command: &OsStr) -> Vec<OsString> {
        imp::executable_names(command)
    }

    /// Makes `link` (a new path in the same directory as `file`) name `file` too: a
    /// relative symbolic link on Unix (a program that finds its files from its own
    /// path still finds them), a hard link on Windows (else a copy).
    pub fn link_beside(file: &Path, link: &Path) -> std::io::Result<()> {
        imp::link_beside(file, link)
    }

    /// Makes `link` (a new path) the same file as `file`: a hard link, else (another
    /// file system, one without hard links) a copy with the same permissions. A
    /// program that finds its name from its own resolved path sees `link`'s.
    pub fn hard_link_or_copy(file: &Path, link: &Path) -> std::io::Result<()> {
        std::fs::hard_link(file, link).or_else(|_| std::fs::copy(file, link).map(|_| ()))
    }

    /// Makes `link` run `program` (the vx binary, for a shim): a symbolic link to it
    /// on Unix; on Windows a hard link, else a copy (no privilege needed for either).
    pub fn link_program(program: &Path, link: &Path) -> std::io::Result<()> {
        imp::link_program(program, link)
    }

    /// Whether `link` is already what [`link_program`] makes of `program` (on Windows,
    /// where a hard link or copy cannot tell, a file of the same size).
    pub fn links_to(link: &Path, program: &Path) -> bool {
        imp::links_to(link, program)
    }

    /// The file name of a program run as `command`: itself on Unix, `command.exe` on
    /// Windows.
    pub fn program_file_name(command: &str) -> String {
        imp::program_file_name(command)
    }

    /// The command name of an executable's file name when it differs (`rg` for
    /// `rg.exe` on Windows); `None` on Unix.
    pub fn command_name(file_name: &str) -> Option<&str> {
        imp::command_name(file_name)
    }

    /// A command name as the platform compares it: itself on Unix; lower-cased (ASCII)
    /// on Windows, whose file names ignore case (`vx RG` runs `rg.exe`).
    pub fn command_key(name: &str) -> std::borrow::Cow<'_, str> {
        imp::command_key(name)
    }

    /// `path` as a POSIX shell on this system names it: itself on Unix; on Windows the
    /// form of Git Bash and MSYS2, `C:\Users\me` as `/c/Users/me` and `\\server\share`
    /// as `//server/share` (`vx env --shell bash` there).
    pub fn posix_shell_path(path: &Path) -> String {
        imp::posix_shell_path(path)
    }

    /// Whether a failed rename onto an existing file may succeed when tried again: on
    /// Windows, a sharing violation or access denied while another process replaces
    /// or holds the target for a moment; never on Unix, where a rename is atomic.
    pub(crate) fn is_transient_rename_error(error: &io::Error) -> bool {
        imp::is_transient_rename_error(error)
    }

    /// Whether two command names name the same command ([`command_key`]).
    pub fn same_command(a: &str, b: &str) -> bool {
        command_key(a) == command_key(b)
    }

    /// The user's directory for application data, where the default store goes:
    /// `$XDG_DATA_HOME`, else `$HOME/.local/share`; on Windows `%LOCALAPPDATA%`.
    /// `None` when the variables are unset or empty.
    pub fn data_dir() -> Option<PathBuf> {
        imp::data_dir()
    }

    /// Why [`data_dir`] found none, as a sentence's clause: "neither XDG_DATA_HOME nor
    /// HOME is set" (Windows: "LOCALAPPDATA is not set").
    pub const DATA_DIR_UNSET: &str = imp::DATA_DIR_UNSET;

    /// The variable that moves [`data_dir`], for an error's way out.
    pub const DATA_DIR_VARIABLE: &str = imp::DATA_DIR_VARIABLE;

    /// vx's cache directory (registry indexes, GitHub answers: anything that can be
    /// fetched again): `$VX_CACHE_DIR`, else `$XDG_CACHE_HOME/vx`, else
    /// `$HOME/.cache/vx`; on Windows `%LOCALAPPDATA%\vx\cache`. `None` when the
    /// variables are unset or empty.
    pub fn cache_dir() -> Option<PathBuf> {
        match std::env::var_os("VX_CACHE_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => Some(PathBuf::from(dir)),
            None => imp::cache_dir(),
        }
    }

    /// vx's directory of user configuration (`config.toml`): `$XDG_CONFIG_HOME/vx`,
    /// else `$HOME/.config/vx`; on Windows `%APPDATA%\vx`. `None` when the variables
    /// are unset or empty.
    pub fn config_dir() -> Option<PathBuf> {
        imp::config_dir()
    }

    /// The user's home directory: `$HOME`; on Windows `%USERPROFILE%`. `None` when
    /// the variable is unset or empty.
    pub fn home_dir() -> Option<PathBuf> {
        imp::home_dir()
    }

    /// The user's netrc file where curl looks for it: `$HOME/.netrc`; on Windows
    /// `%USERPROFILE%\_netrc`. `None` when the variable is unset or empty.
    pub fn netrc_file() -> Option<PathBuf> {
        imp::netrc_file()
    }

    /// What identifies one version of a file or directory: replacing, editing or
    /// removing it changes the stamp. Unix: device, inode, size, modification and
    /// change times; Windows: size, modification and creation times (no inode).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct FileStamp {
        /// The device (0 on Windows).
        pub device: u64,
        /// The inode (0 on Windows).
        pub inode: u64,
        /// The size in bytes.
        pub size: u64,
        /// The modification time, in nanoseconds since the epoch.
        pub modified_ns: i64,
        /// The status-change time (Windows: the creation time), in nanoseconds.
        pub changed_ns: i64,
    }

    impl FileStamp {
        /// The stamp of a file whose metadata is `meta`.
        pub fn of(meta: &Metadata) -> FileStamp {
            imp::file_stamp(meta)
        }
    }

    /// A directory paths are stamped under, opened once: on Unix a descriptor each
    /// lookup starts from (`statat`), so only the relative part is walked; elsewhere
    /// the path, joined.
    pub struct StampDir(imp::StampDir);

    impl StampDir {
        /// Opens `root` (a directory that cannot be opened is looked up by path).
        pub fn open(root: &Path) -> StampDir {
            StampDir(imp::StampDir::open(root))
        }

        /// The stamp of `rel` under the directory (links followed), `None` when it is
        /// gone.
        pub fn stamp(&self, rel: &Path) -> Option<FileStamp> {
            self.0.stamp(rel)
        }
    }

    /// The space a file takes on disk: its blocks on Unix, its length on Windows.
    pub fn allocated(meta: &Metadata) -> u64 {
        imp::allocated(meta)
    }

    /// The file's identity (device, inode) when other names link to it (a hard link),
    /// so that space counted by name counts it once, as `du` does; `None` for a file
    /// of one name, and on Windows (whose file index std does not give).
    pub fn shared_id(meta: &Metadata) -> Option<(u64, u64)> {
        imp::shared_id(meta)
    }

    /// Creates the one directory `path` (its parent must exist) reachable by this user
    /// only: mode 0700 on Unix; on Windows it takes its parent's ACL.
    pub fn create_private_dir(path: &Path) -> io::Result<()> {
        imp::create_private_dir(path)
    }

    /// A new temporary directory whose name starts with `prefix`, reachable by this
    /// user only (as [`create_private_dir`]), removed when dropped.
    pub fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
        imp::private_temp_dir(prefix)
    }

    /// Whether `path` is a directory (not a link to one) of this user's that no one
    /// else may reach (Unix: owned by the effective uid, no group or other bits). On
    /// Windows: whether it is a directory.
    pub fn is_private_dir(path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir() && imp::private_to_me(&meta))
    }

    /// A file's permission bits for display and tests (`None` on Windows).
    pub fn mode_bits(meta: &Metadata) -> Option<u32> {
        imp::mode_bits(meta)
    }

    /// The owner of the file whose metadata is `meta` when it is another user than the
    /// one vx runs as (its effective uid) and not root: the uid, for a refusal. `None`
    /// for this user's files and root's (root can change anything of ours anyway, and
    /// system files are root's), and always on Windows, where files carry an owner SID
    /// that no project file check reads yet.
    pub(crate) fn owned_by_another(meta: &Metadata) -> Option<u32> {
        imp::owned_by_another(meta)
    }

    /// The local path of a `file://` URL's percent-decoded path part: as is on Unix;
    /// on Windows `/C:/dir` is `C:/dir`.
    pub fn file_url_path(decoded: &[u8]) -> Option<PathBuf> {
        imp::file_url_path(decoded)
    }
}
