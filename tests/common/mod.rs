//! Shared by the integration tests: a temp workspace (board dir, store, manifest) and
//! helpers to run the real `vx` binary and wait on observable conditions.
#![allow(dead_code)]

pub mod net;
pub mod project;
pub mod publishers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod raw_registry;
pub mod registry_server;
pub mod signing;
pub mod sigstore;
pub mod stream;
// A terminal of its own to type into: tmux, which drives Unix shells.
#[cfg(unix)]
pub mod tmux;
pub mod trickle;

// Each test crate takes what it uses of these.
#[allow(unused_imports)]
pub use project::{Project, locked};

use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, archive_bytes, sha256_hex};
use vx_shm::{Access, BoardReader, SlotSnapshot, registry};

/// The tree of `tool` at `version` in `store` (the one installed last, whatever the
/// key of its package: `<store>/<tool>/<version>-<key>`); panics when none is there.
pub fn tree_in(store: impl AsRef<Path>, tool: &str, version: &str) -> PathBuf {
    let store = store.as_ref();
    vx_engine::store::newest_tree(store, tool, version)
        .unwrap_or_else(|| panic!("{tool} {version} is not installed in {}", store.display()))
        .0
}

/// `text` (paths, a `PATH`, a command's output) with every store tree's key taken out
/// (`…/go/1.23.8-0123456789ab/bin` reads `…/go/1.23.8/bin`): for a test that checks
/// which tool and version a path is in, whatever package key the store gave it.
pub fn unkeyed(text: &str) -> String {
    let key_len = vx_engine::store::KEY_LEN;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let end = i + 1 + key_len;
        let is_key = bytes[i] == b'-'
            && end <= bytes.len()
            && bytes[i + 1..end]
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && (end == bytes.len()
                || matches!(bytes[end], b'/' | b'\\' | b':' | b';' | b'"' | b'\n' | b' '));
        if is_key {
            i = end;
            continue;
        }
        let ch = text[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Whether `store` holds a directory of `tool` at `version` (`<version>` or
/// `<version>-<key>`), receipted or not: what a failed install must not leave.
pub fn has_tree(store: impl AsRef<Path>, tool: &str, version: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(store.as_ref().join(tool)) else {
        return false;
    };
    let prefix = format!("{version}-");
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name == version || name.starts_with(&prefix)
    })
}

/// How long any wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// A temp dir with its own board dir, store and manifest.
pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Work {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("boards")).unwrap();
        Work { dir }
    }

    pub fn boards(&self) -> PathBuf {
        self.dir.path().join("boards")
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn manifest(&self) -> PathBuf {
        self.dir.path().join("vx.toml")
    }

    pub fn write_manifest(&self, text: &str) {
        std::fs::write(self.manifest(), text).unwrap();
    }

    /// Gives the manifest's tool `tool` a `post_install` command (`command` as a TOML
    /// string literal, quotes included).
    pub fn set_post_install(&self, tool: &str, command: &str) {
        let table = format!("[tools.{tool}]\n");
        let toml = std::fs::read_to_string(self.manifest()).unwrap();
        assert!(toml.contains(&table), "no {table:?} in the manifest");
        self.write_manifest(&toml.replace(&table, &format!("{table}post_install = {command}\n")));
    }

    /// The environment every vx a test starts in this workspace runs with: its board
    /// dir; no daemon of the user's answers for a test (tests/it/daemon.rs starts its
    /// own); and none of the user's own directories is read or written: not the
    /// user's settings or global toolset (`user-config/`: a test that wants a user
    /// config writes its own), nor the default store, the shims and the tracked
    /// projects (`xdg/`), nor vx's caches (`cache/`) or state (`state/`). On Windows
    /// the same through `%APPDATA%` and `%LOCALAPPDATA%`.
    pub fn vx_env(&self) -> Vec<(&'static str, PathBuf)> {
        let dir = self.dir.path();
        let mut env = vec![
            ("VX_BOARD_DIR", self.boards()),
            ("VX_DAEMON_SOCKET", dir.join("no-daemon.sock")),
            ("XDG_CONFIG_HOME", dir.join("user-config")),
            ("XDG_DATA_HOME", dir.join("xdg")),
            ("XDG_CACHE_HOME", dir.join("cache")),
            ("XDG_STATE_HOME", dir.join("state")),
        ];
        if cfg!(windows) {
            env.push(("APPDATA", dir.join("user-config")));
            env.push(("LOCALAPPDATA", dir.join("local")));
        }
        env
    }

    /// [`Work::vx_env`] as `VAR='value'` words for a shell line (a test in tmux).
    pub fn vx_env_words(&self) -> String {
        self.vx_env()
            .iter()
            .map(|(var, value)| format!("{var}='{}'", value.display()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `cd DIR && VX_BOARD_DIR=… vx ARGS; echo EXIT=$?` (in this workspace's
    /// environment, [`Work::vx_env`]), then `then` (shell commands, each ending in `;`)
    /// and a shell that stays, so the screen after exit can be read (a test in tmux).
    pub fn shell_line_then(&self, args: &str, then: &str) -> String {
        format!(
            "cd {} && {} {} {args}; echo EXIT=$?; {then}exec sleep 300",
            self.dir.path().display(),
            self.vx_env_words(),
            assert_cmd::cargo::cargo_bin("vx").display()
        )
    }

    /// [`Work::shell_line_then`] with nothing between vx and the shell that stays.
    pub fn shell_line(&self, args: &str) -> String {
        self.shell_line_then(args, "")
    }

    /// `vx ARGS` with this workspace's board dir (assert_cmd).
    pub fn vx(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.vx_std())
    }

    /// [`Work::vx`] as a plain `std::process::Command`, for a test that spawns vx and
    /// holds it running (signals it, watches what it started).
    pub fn vx_std(&self) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vx"));
        // Lines are not wrapped unless a test asks (`COLUMNS`), and on a GitHub Actions
        // runner `vx env --shell github` must not write to the runner's own files.
        cmd.envs(self.vx_env())
            .env_remove("COLUMNS")
            .env_remove("GITHUB_PATH")
            .env_remove("GITHUB_ENV")
            .current_dir(self.dir.path());
        cmd
    }

    /// `vx ARGS` spawned in this workspace as [`Work::outcome`] runs it (its data under
    /// the workspace's `xdg/`), stdin closed: for a test that holds vx running.
    pub fn vx_process(&self, args: &[&str]) -> Command {
        let mut cmd = self.vx_std();
        cmd.env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// `vx ARGS` run to its end in this workspace, its data (the default store) under
    /// the workspace's `xdg/`, within [`DEADLINE`]: exit code (-1 for a signal),
    /// stdout, stderr.
    pub fn outcome(&self, args: &[&str]) -> (i32, String, String) {
        self.outcome_with(args, |_| {})
    }

    /// [`Work::outcome`] with `configure` setting more of the command (its
    /// environment) first.
    pub fn outcome_with(
        &self,
        args: &[&str],
        configure: impl FnOnce(&mut assert_cmd::Command),
    ) -> (i32, String, String) {
        let mut cmd = self.vx();
        cmd.env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .timeout(DEADLINE)
            .args(args);
        configure(&mut cmd);
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `vx sync` on this workspace's manifest and store, with `extra` flags.
    pub fn sync(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.vx();
        cmd.arg("sync")
            .arg("--manifest")
            .arg(self.manifest())
            .arg("--store")
            .arg(self.store())
            .args(extra);
        cmd
    }

    /// Appends the `vx` binary and `sync --manifest M --store S EXTRA` (this
    /// workspace's) to `cmd`, with its board dir: `cmd` may be `vx` run under another
    /// program (`unshare`, `sh`).
    pub fn sync_args<'c>(&self, cmd: &'c mut Command, extra: &[&str]) -> &'c mut Command {
        cmd.envs(self.vx_env())
            .env_remove("COLUMNS")
            .arg(assert_cmd::cargo::cargo_bin("vx"))
            .arg("sync")
            .arg("--manifest")
            .arg(self.manifest())
            .arg("--store")
            .arg(self.store())
            .args(extra)
    }

    /// `vx sync` as a plain child process (for signals), stdout piped.
    pub fn spawn_sync(&self, extra: &[&str]) -> Child {
        let mut launcher = if cfg!(unix) {
            // `exec` replaces the shell, so the child's pid is vx's (signals reach it).
            let mut sh = Command::new("sh");
            sh.args(["-c", "exec \"$@\"", "sh"]);
            sh
        } else {
            // No `sh` on Windows: `cmd /C` runs vx and exits with its code (the child is
            // `cmd`; the tests that signal vx by its pid are Unix-only).
            let mut cmd = Command::new("cmd");
            cmd.args(["/D", "/C"]);
            cmd
        };
        self.sync_args(&mut launcher, extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The one board in this workspace's board dir, once it exists.
    pub fn wait_board(&self) -> BoardReader {
        wait_for("a board to appear", || {
            let listing = registry::list(&self.boards()).ok()?.into_iter().next()?;
            BoardReader::open(&listing.path, Access::ReadOnly).ok()
        })
    }

    /// `vx sync --json EXTRA`, expecting exit `code`: the final summary's tools, by name.
    pub fn sync_summary(&self, extra: &[&str], code: i32) -> BTreeMap<String, serde_json::Value> {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        let out = stdout_of(&mut self.sync(&args), code);
        summary(&json_lines(&out))
    }

    /// `vx board dump PATH --json`, parsed.
    pub fn dump_json(&self, dump: &Path) -> serde_json::Value {
        let out = stdout_of(self.vx().args(["board", "dump", "--json"]).arg(dump), 0);
        serde_json::from_slice(&out).unwrap()
    }

    /// `vx board dump PATH --json`: the tools of a dump file, by name.
    pub fn dump_tools(&self, dump: &Path) -> BTreeMap<String, serde_json::Value> {
        tools_by_name(&self.dump_json(dump))
    }

    /// Serves `body` as tool `name` (version 1) and writes a manifest of that one tool.
    pub fn serve_one(&self, name: &str, body: Vec<u8>) -> TestServer {
        let path = format!("/{name}.archive");
        let sha = sha256_hex(&body);
        let server = TestServer::start([(path.as_str(), Route::Ok(body))]);
        self.write_manifest(&tool_toml(name, "1", &server.url(&path), &sha));
        server
    }

    /// A workspace whose vx.toml holds `tasks` (vx.toml text: a `[tasks]` table) and no
    /// tools.
    pub fn with_tasks(tasks: &str) -> Work {
        let work = Work::new();
        work.write_manifest(&format!("[tools]\n\n{tasks}"));
        work
    }

    /// `vx run ARGS` run to its end as [`Work::outcome`] runs it: exit code, stdout,
    /// stderr.
    pub fn run_tasks(&self, args: &[&str]) -> (i32, String, String) {
        self.outcome(&[&["run"], args].concat())
    }

    /// Asks the running sync, through its board (the first in the board dir), to cancel
    /// `tool`, as the dashboard's cancel key does.
    pub fn cancel_tool(&self, tool: &str) {
        let listing = registry::list(&self.boards()).unwrap().remove(0);
        let board = BoardReader::open(&listing.path, Access::ReadWrite).unwrap();
        board
            .canceller()
            .unwrap()
            .request_cancel(board.find(tool).unwrap())
            .unwrap();
    }

    /// Entries of the board dir (segments and staging files).
    pub fn board_files(&self) -> Vec<String> {
        names(&self.boards())
    }

    /// Asserts that vx left no board file and no partial install in the store.
    pub fn assert_left_nothing_behind(&self) {
        assert!(self.board_files().is_empty(), "{:?}", self.board_files());
        assert!(self.store_tmp().is_empty(), "{:?}", self.store_tmp());
    }

    /// Entries of `<store>/.tmp` (work dirs of installs in progress or left behind).
    pub fn store_tmp(&self) -> Vec<String> {
        names(&self.store().join(".tmp"))
    }

    /// The installed tree of `tool@version`, receipt left out.
    pub fn installed(&self, tool: &str, version: &str) -> BTreeMap<String, String> {
        let mut tree = vx_fixture::tree(&tree_in(self.store(), tool, version));
        tree.remove(vx_engine::store::RECEIPT_FILE);
        tree
    }
}

fn names(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Go's names of a vx platform (`linux-x86_64` → `linux`, `amd64`): how assets built
/// by Go's toolchain name their system and architecture (GOOS, GOARCH).
pub fn go_names(platform: &str) -> (&'static str, &'static str) {
    let (os, arch) = platform.split_once('-').unwrap();
    let os = match os {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "windows",
        other => panic!("{other}"),
    };
    let arch = if arch.starts_with("x86_64") {
        "amd64"
    } else {
        "arm64"
    };
    (os, arch)
}

/// `github` with the standard registry, `aquaproj/aqua-registry` at `v9.9.9`, whose
/// `registry.yaml` is `registry`.
pub fn standard_registry(
    github: vx_fixture::github::GithubFixtureBuilder,
    registry: Vec<u8>,
) -> vx_fixture::github::GithubFixtureBuilder {
    github.raw(
        "aquaproj",
        "aqua-registry",
        "v9.9.9",
        "registry.yaml",
        registry,
    )
}

/// `vx ARGS` in `work` against the loopback GitHub at `github` (its web URL), with the
/// workspace's own cache, config and data directories, and no token, `--offline` or
/// manifest of the environment's.
pub fn vx_against(work: &Work, github: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = work.vx();
    cmd.args(args)
        .env("VX_GITHUB_URL", github)
        .env("VX_CACHE_DIR", work.dir.path().join("cache"))
        .env("XDG_CONFIG_HOME", work.dir.path().join("config"))
        .env("XDG_DATA_HOME", work.dir.path().join("data"))
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("VX_OFFLINE")
        .env_remove("VX_MANIFEST");
    cmd
}

/// Whether `program` cannot be started here (`program --version`): then the test says
/// it is `skipped` and why, and returns.
pub fn missing(program: &str, skipped: &str) -> bool {
    let lacking = Command::new(program).arg("--version").output().is_err();
    if lacking {
        eprintln!("skipped: {skipped}");
    }
    lacking
}

/// An output's stdout then stderr, for messages.
pub fn both(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `cmd` to its end, asserts its exit code, and returns its stdout and stderr.
/// (`cmd`: an `assert_cmd` or a `std` command, by `&mut`.)
pub fn output_of(cmd: impl assert_cmd::assert::OutputAssertExt, code: i32) -> (String, String) {
    let out = cmd.assert().code(code).get_output().clone();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `cmd` to its end and asserts it succeeded: its output.
/// (`cmd`: an `assert_cmd` or a `std` command, by `&mut`.)
pub fn succeeded(cmd: impl assert_cmd::assert::OutputAssertExt) -> std::process::Output {
    cmd.assert().success().get_output().clone()
}

/// The versions a `vx versions` listing (`stdout`) names that start with `prefix`, in
/// its order: each line's first word.
pub fn versions_listed<'s>(stdout: &'s str, prefix: &str) -> Vec<&'s str> {
    stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|v| v.starts_with(prefix))
        .collect()
}

/// Makes a FIFO at `path` (`mkfifo`), for a test of a file vx must not wait on.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

/// The `single` tool of the lock and mirror tests' projects, as vx.toml's table:
/// version 3, one archive for every platform at `{base}/single.tar.gz`.
pub fn single_tool(base: &str) -> String {
    format!(
        "[tools.single]\nversion = \"3\"\nurl = \"{base}/single.tar.gz\"\nstrip_components = 1\n"
    )
}

/// Runs `cmd` to its end and asserts it exits `code` with `part` in its stderr.
pub fn assert_says(cmd: impl assert_cmd::assert::OutputAssertExt, code: i32, part: &str) {
    let (_, stderr) = output_of(cmd, code);
    assert!(stderr.contains(part), "{stderr}");
}

/// Runs `cmd` to its end, asserts its exit code, and returns its stdout.
pub fn stdout_of(cmd: &mut assert_cmd::Command, code: i32) -> Vec<u8> {
    cmd.assert().code(code).get_output().stdout.clone()
}

/// A server for `body` at `path`, throttled so one download takes about 1.5 s (at most
/// 64 KiB per ~0.3 s, never a second's silence): long enough for runs to overlap or be
/// interrupted mid-download.
pub fn slow_server(path: &str, body: Vec<u8>) -> TestServer {
    let rate = body.len() as u64 * 2 / 3;
    TestServer::start([(path, Route::Throttled(std::sync::Arc::new(body), rate))])
}

/// `work`'s manifest made of two tools, `a` and `b` 1, each served by a
/// [`slow_server`] of its own (about 1.5 s a download): with `-j 1`, a sync whose
/// second child starts well after its first. The two servers.
pub fn two_slow_tools(work: &Work) -> (TestServer, TestServer) {
    let first = archive(ArchiveFormat::TarGz, vec![1u8; 100_000]);
    let second = archive(ArchiveFormat::TarGz, vec![2u8; 100_000]);
    let (a, b) = (
        slow_server("/a.tar.gz", first.clone()),
        slow_server("/b.tar.gz", second.clone()),
    );
    work.write_manifest(
        &[
            tool_toml("a", "1", &a.url("/a.tar.gz"), &sha256_hex(&first)),
            tool_toml("b", "1", &b.url("/b.tar.gz"), &sha256_hex(&second)),
        ]
        .concat(),
    );
    (a, b)
}

/// Runs `cmd` to its end: its exit code (-1 for a signal) and its stdout then stderr.
pub fn code_and_output(cmd: &mut assert_cmd::Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Polls `probe` until it gives a value, failing the test after [`DEADLINE`].
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The consistent snapshots of every slot (unreadable slots left out).
pub fn slots(board: &BoardReader) -> Vec<SlotSnapshot> {
    board
        .snapshot()
        .into_iter()
        .filter_map(Result::ok)
        .collect()
}

/// The process ids that wrote the board's slots: one per child that installed.
pub fn slot_writers(board: &BoardReader) -> std::collections::BTreeSet<u32> {
    slots(board)
        .iter()
        .filter_map(|s| s.record.writer())
        .map(|w| w.pid)
        .collect()
}

/// Waits for a process to exit, failing after [`DEADLINE`].
pub fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    wait_for("vx to exit", || child.try_wait().unwrap())
}

/// Whether a process with this pid exists (zombies included).
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A small archive: `pkg/bin/TOOL` (a script), `pkg/doc/README`, `pkg/lib/data.bin`
/// (`payload` bytes), and a link `pkg/TOOL -> bin/TOOL` (tar only; zip keeps it too).
pub fn archive(format: ArchiveFormat, payload: Vec<u8>) -> Vec<u8> {
    archive_bytes(format, &items(payload))
}

fn items(payload: Vec<u8>) -> Vec<Item> {
    let mut items = vec![
        Item::Dir("pkg/"),
        Item::File("pkg/bin/tool", b"#!/bin/sh\necho hi\n".to_vec(), 0o755),
        Item::File("pkg/doc/README", b"read me\n".to_vec(), 0o644),
        Item::File("pkg/lib/data.bin", payload, 0o644),
    ];
    // Not on Windows, where these tests run under Wine, which creates no symbolic
    // links (links on Windows are the unit tests' and tests/it/windows.rs's subject).
    if cfg!(unix) {
        items.push(Item::Symlink("pkg/tool", "bin/tool"));
    }
    items
}

/// The bytes of the files [`archive`] unpacks (what an install reports as unpacked).
pub fn unpacked_bytes(payload: &[u8]) -> u64 {
    items(payload.to_vec())
        .iter()
        .map(|item| match item {
            Item::File(_, data, _) => data.len() as u64,
            _ => 0,
        })
        .sum()
}

/// The `file://` URL of `path` (absolute): `file:///home/…`, or on Windows
/// `file:///C:/Users/…`.
pub fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.starts_with('/') {
        format!("file://{text}")
    } else {
        format!("file:///{text}")
    }
}

/// A file of mode `mode` holding `data`, as `vx_fixture::tree` shows it (no
/// mode on Windows).
pub fn file_entry(mode: &str, data: &str) -> String {
    if cfg!(unix) {
        format!("file({mode}):{data}")
    } else {
        format!("file(-):{data}")
    }
}

/// What [`archive`] unpacks to with `strip_components = 1`.
pub fn expected_tree(payload: &[u8]) -> BTreeMap<String, String> {
    let mut tree: BTreeMap<String, String> = [
        ("bin", "dir".to_owned()),
        ("bin/tool", file_entry("755", "#!/bin/sh\necho hi\n")),
        ("doc", "dir".to_owned()),
        ("doc/README", file_entry("644", "read me\n")),
        ("lib", "dir".to_owned()),
        (
            "lib/data.bin",
            file_entry("644", &String::from_utf8_lossy(payload)),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if cfg!(unix) {
        tree.insert("tool".to_owned(), "link:bin/tool".to_owned());
    }
    tree
}

/// A tool of [`numbered_tools`]: its name, its payload, and the sha256 of its archive.
pub struct Numbered {
    /// `t00`, `t01`, ….
    pub name: String,
    /// What `lib/data.bin` holds once installed ([`expected_tree`]).
    pub payload: Vec<u8>,
    /// The sha256 of its archive, as the manifest names it.
    pub sha256: String,
}

/// `count` small tools `t00`, `t01`, … (an [`archive`] each, distinct payloads), all in
/// the manifest with their sha256, served by one server: `route(name, body)` says how
/// a tool's archive is served (`None`: at once, `Route::Ok`). Enough of them
/// (`vx_sync::BATCH_FROM`) make `vx sync` give its children batches.
pub fn numbered_tools(
    work: &Work,
    count: usize,
    route: impl Fn(&str, Vec<u8>) -> Option<Route>,
) -> (TestServer, Vec<Numbered>) {
    let mut tools = Vec::new();
    let mut routes = Vec::new();
    for i in 0..count {
        let name = format!("t{i:02}");
        let payload = vx_fixture::noise_seeded(2_000, 700 + i as u64);
        let body = archive(ArchiveFormat::TarGz, payload.clone());
        let sha256 = sha256_hex(&body);
        let served = route(&name, body.clone()).unwrap_or(Route::Ok(body));
        routes.push((format!("/{name}.tar.gz"), served));
        tools.push(Numbered {
            name,
            payload,
            sha256,
        });
    }
    let server = TestServer::start(routes);
    let manifest: String = tools
        .iter()
        .map(|tool| {
            let url = server.url(&format!("/{}.tar.gz", tool.name));
            tool_toml(&tool.name, "1", &url, &tool.sha256)
        })
        .collect();
    work.write_manifest(&manifest);
    (server, tools)
}

/// A `[tools.NAME]` table.
pub fn tool_toml(name: &str, version: &str, url: &str, sha256: &str) -> String {
    format!(
        "[tools.{name}]\nversion = \"{version}\"\nurl = \"{url}\"\nsha256 = \"{sha256}\"\nstrip_components = 1\n\n"
    )
}

/// The lines of `--json` output, parsed.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The `tools` of the final `summary` event, by tool name.
pub fn summary(events: &[serde_json::Value]) -> BTreeMap<String, serde_json::Value> {
    let last = events.last().expect("some events");
    assert_eq!(last["event"], "summary", "the summary comes last");
    tools_by_name(last)
}

/// The `tools` array of a summary or a `vx board dump --json` object, by tool name.
pub fn tools_by_name(value: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    value["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tool"].as_str().unwrap().to_owned(), t.clone()))
        .collect()
}

/// A command that mounts a fresh tmpfs of `size` (e.g. `"512k"`) at `dir` in its own
/// mount namespace (`unshare -Urm`, so no privilege is needed where user namespaces
/// are allowed) and then runs the program and arguments added to it. `None`, with a
/// note, on a machine that cannot: the caller skips its test.
pub fn in_small_tmpfs(dir: &Path, size: &str) -> Option<Command> {
    let script = r#"mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 97; shift 2; exec "$@""#;
    let command = || {
        let mut cmd = Command::new("unshare");
        cmd.args(["-Urm", "sh", "-c", script, "sh", size]).arg(dir);
        cmd
    };
    let probe = command().arg("true").status();
    if !probe.as_ref().is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot mount a tmpfs in a user namespace here ({probe:?})");
        return None;
    }
    Some(command())
}

/// The platforms the lock tests' projects are locked for: three of the common ones,
/// and this machine's.
pub fn locked_platforms() -> Vec<String> {
    let mut all: Vec<String> = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]
        .map(str::to_owned)
        .to_vec();
    let here = vx_model::manifest::Platform::current().to_string();
    if !all.contains(&here) {
        all.push(here);
    }
    all
}

/// The environment variables that change what vx asks of the network, or through
/// what: proxies, trust, credentials, mirrors. A test's vx takes none of them from the
/// machine running the tests.
pub const NETWORK_VARS: [&str; 14] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUEST_METHOD",
    "NETRC",
    "VX_MIRRORS",
    "VX_OFFLINE",
];

/// Makes `cmd` see a machine of its own under `home`: `HOME`, the XDG configuration,
/// cache, state and data directories there (on Windows `APPDATA` and `LOCALAPPDATA`),
/// and none of the network settings of the machine running the tests (tokens, netrc, proxies, mirrors, GitHub).
pub fn isolated<'c>(cmd: &'c mut assert_cmd::Command, home: &Path) -> &'c mut assert_cmd::Command {
    let (set, removed) = isolation(home);
    for (var, dir) in set {
        cmd.env(var, dir);
    }
    for var in removed {
        cmd.env_remove(var);
    }
    cmd
}

/// What [`isolated`] does to a command's environment, for a plain
/// `std::process::Command` too: the variables set, and those removed.
pub fn isolation(home: &Path) -> (Vec<(&'static str, PathBuf)>, Vec<&'static str>) {
    let mut set: Vec<(&'static str, PathBuf)> = [
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
    ]
    .into_iter()
    .map(|(var, dir)| (var, home.join(dir)))
    .collect();
    // Windows keeps the configuration in %APPDATA%\vx and the cache and data in
    // %LOCALAPPDATA%\vx: the same directories of `home` as on Unix.
    if cfg!(windows) {
        set.push(("APPDATA", home.join(".config")));
        set.push(("LOCALAPPDATA", home.join(".local/share")));
    }
    let removed = NETWORK_VARS
        .iter()
        .chain(&[
            "VX_CACHE_DIR",
            "VX_GITHUB_URL",
            "VX_GITHUB_API_URL",
            "GITHUB_TOKEN",
            "GH_TOKEN",
            // `vx doctor` says less of a missing hook in CI.
            "CI",
        ])
        .copied()
        .collect();
    (set, removed)
}

/// Writes `$config_home/vx/config.toml` pinning the standard registry to the fixture
/// GitHub's `v9.9.9`, whose `registry.yaml` has SHA-256 `sha` (the tests that serve
/// their own standard registry point `XDG_CONFIG_HOME` at `config_home`).
pub fn pin_standard_registry(config_home: &Path, sha: &str) {
    let config = config_home.join("vx");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("[registry]\nstandard_ref = \"v9.9.9\"\nstandard_sha256 = \"{sha}\"\n"),
    )
    .unwrap();
}

/// Writes the user config (`$XDG_CONFIG_HOME/vx/config.toml` of [`isolated`]'s `home`)
/// and returns its path.
pub fn write_user_config(home: &Path, text: &str) -> PathBuf {
    let path = home.join(".config/vx/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}
