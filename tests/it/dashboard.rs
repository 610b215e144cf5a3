//! The dashboard in a real terminal: tmux runs the real `vx` binary, `send-keys` types
//! and `capture-pane` reads the screen. Covers `vx sync --demo --tui` (rows appear, `q`
//! leaves, the terminal is restored and the summary stays in the scroll-back) and
//! `vx board watch` attached to a headless sync running in another process.

// Unix only: tmux drives a real terminal.
#![cfg(unix)]

use crate::common;

use std::path::Path;

use common::tmux::{SESSION, Terminal};
use common::{Work, archive, tool_toml, wait_exit, wait_for};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise, sha256_hex};

/// The terminal the dashboard runs in, and what these tests wait for on it.
struct Tmux(Terminal);

impl std::ops::Deref for Tmux {
    type Target = Terminal;

    fn deref(&self) -> &Terminal {
        &self.0
    }
}

impl Tmux {
    /// Waits for the shell line's `EXIT=` and returns the pane's history.
    fn wait_exit(&self) -> String {
        wait_for("vx to exit", || {
            let history = self.history(Some(200));
            history.contains("EXIT=").then_some(history)
        })
    }

    fn available() -> bool {
        Terminal::available()
    }

    /// Starts `command` in a detached `width`×`height` terminal.
    fn start(tag: &str, width: u16, height: u16, command: &str) -> Tmux {
        Tmux(Terminal::start(
            &format!("dashboard-{tag}"),
            (width, height),
            None,
            command,
        ))
    }

    /// Whether the program is on the alternate screen (a full-screen UI is up).
    fn alternate_screen(&self) -> bool {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", SESSION, "#{alternate_on}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Waits until the screen shows every one of `texts`; returns it.
    fn wait_screen(&self, texts: &[&str]) -> String {
        wait_for(&format!("the screen to show {texts:?}"), || {
            let screen = self.screen();
            texts.iter().all(|t| screen.contains(t)).then_some(screen)
        })
    }
}

/// Serves one tar.gz of `size` bytes of noise at `rate` bytes a second and writes a
/// manifest of `tools` (each at version 1.0) downloading it: a sync slow enough to be
/// seen, typed at and interrupted mid-download.
fn slowly_served(work: &Work, tools: &[&str], size: usize, rate: u64) -> TestServer {
    let bytes = archive(ArchiveFormat::TarGz, noise(size));
    let sha = sha256_hex(&bytes);
    let server = TestServer::start([("/slow.tar.gz", Route::Throttled(bytes.into(), rate))]);
    let url = server.url("/slow.tar.gz");
    let manifest: String = tools
        .iter()
        .map(|tool| tool_toml(tool, "1.0", &url, &sha))
        .collect();
    work.write_manifest(&manifest);
    server
}

#[test]
fn sync_demo_tui_shows_every_tool_and_q_restores_the_terminal() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let line = work.shell_line("sync --demo --tui");
    let tmux = Tmux::start("demo", 200, 60, &line);
    let screen = tmux.wait_screen(&["vx sync", "ripgrep", "broken-checksum", "tool", "phase"]);
    assert!(
        tmux.alternate_screen(),
        "the dashboard owns the screen:\n{screen}"
    );
    // The demo ends with the deliberate checksum failure visible on the board, and
    // in the events pane.
    let screen = tmux.wait_screen(&["finished in", "q to leave"]);
    assert!(screen.contains("7 installed"), "{screen}");
    assert!(screen.contains("1 failed"), "{screen}");
    assert!(screen.contains("checksum mismatch"), "{screen}");
    assert!(
        screen.contains("download rate") && screen.contains("events"),
        "{screen}"
    );
    assert!(screen.contains("✗ broken-checksum"), "{screen}");

    // Down to 60×15 and back: every frame fits, the panes that do not fit go, and
    // they come back.
    for (width, height, shows) in [
        (60u16, 15u16, &["vx sync", "tool", "q to leave"][..]),
        (
            200,
            60,
            &["version", "download rate", "events", "message"][..],
        ),
        (80, 24, &["vx sync", "download rate", "q to leave"][..]),
    ] {
        let status = tmux
            .tmux()
            .args(["resize-window", "-t", SESSION])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let screen = wait_for(&format!("a {width}x{height} frame"), || {
            let screen = tmux.screen();
            let fits = screen.lines().count() <= usize::from(height)
                && screen
                    .lines()
                    .all(|l| l.chars().count() <= usize::from(width));
            let full = screen
                .lines()
                .any(|l| l.chars().count() == usize::from(width));
            (fits && full && shows.iter().all(|t| screen.contains(t))).then_some(screen)
        });
        if width == 60 {
            assert!(
                !screen.contains("download rate"),
                "no room for the chart:\n{screen}"
            );
        }
    }
    // Long names are cut in the middle so their endings stay apart.
    let small = tmux.wait_screen(&["vx sync", "broken…hecksum", "checksum mism", "q to leave"]);
    assert!(
        small.lines().all(|line| line.chars().count() <= 80),
        "{small}"
    );
    assert!(
        !small.contains("version"),
        "the version column gives way at 80 columns"
    );

    // Select the failed tool and open its details: the captured stderr is there.
    tmux.keys(&["End", "Enter"]);
    tmux.wait_screen(&["broken-checksum 1.0.0 ─", "stderr:", "exit 11"]);
    // Esc closes the details and keeps the dashboard.
    tmux.keys(&["Escape"]);
    let screen = wait_for("the detail pane to close", || {
        let screen = tmux.screen();
        (!screen.contains("stderr:") && screen.contains("download rate")).then_some(screen)
    });
    assert!(tmux.alternate_screen(), "still on the dashboard:\n{screen}");

    tmux.keys(&["q"]);
    let after = tmux.wait_exit();
    assert!(!tmux.alternate_screen(), "terminal restored:\n{after}");
    // The contract: the deliberate failure alone does not fail the demo.
    assert!(
        after.contains("EXIT=0"),
        "the demo's deliberate failure is expected: {after}"
    );
    assert!(
        after.contains("TOOL") && after.contains("FAILED"),
        "summary kept: {after}"
    );
    assert!(
        work.board_files().is_empty(),
        "segment removed: {:?}",
        work.board_files()
    );
}

#[test]
fn board_watch_attaches_to_a_headless_sync_in_another_process() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let payload = noise(2 << 20);
    let bytes = archive(ArchiveFormat::TarGz, payload);
    let sha = sha256_hex(&bytes);
    // Slow enough that the watcher attaches while it runs.
    let server = TestServer::start([
        (
            "/slow.tar.gz",
            Route::Throttled(bytes.clone().into(), 1 << 20),
        ),
        ("/fast.tar.gz", Route::Ok(bytes)),
    ]);
    work.write_manifest(&format!(
        "{}{}",
        tool_toml("slowpoke", "1.0", &server.url("/slow.tar.gz"), &sha),
        tool_toml("quick", "2.0", &server.url("/fast.tar.gz"), &sha)
    ));
    let mut sync = work.spawn_sync(&["--headless"]);
    let board = work.wait_board();
    let id = board.info().id.clone();

    let line = work.shell_line(&format!("board watch {}", &id[..8]));
    let tmux = Tmux::start("watch", 100, 20, &line);
    let screen = tmux.wait_screen(&["slowpoke", "quick", "downloading"]);
    assert!(screen.contains("1.0"), "{screen}");
    assert!(tmux.alternate_screen());

    assert!(wait_exit(&mut sync).success(), "the watched sync succeeds");
    // The sync finished (and removed its board); the watcher keeps the final state.
    tmux.wait_screen(&["finished in", "2 installed"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_exit();
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(
        after.contains("finished") && after.contains("slowpoke"),
        "{after}"
    );
    assert!(!tmux.alternate_screen());
    assert!(!Path::new(board.path()).exists());
}

#[test]
fn board_watch_without_a_terminal_or_a_board_explains_itself() {
    let work = Work::new();
    let out = work.vx().args(["board", "watch"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("terminal") || stderr.contains("no live board"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_in_the_sync_dashboard_cancels_everything_and_restores_the_terminal() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let _server = slowly_served(&work, &["alpha", "beta"], 4 << 20, 256 << 10);
    let args = format!(
        "sync --tui --manifest {} --store {}",
        work.manifest().display(),
        work.store().display()
    );
    let tmux = Tmux::start("ctrlc", 100, 20, &work.shell_line(&args));
    tmux.wait_screen(&["alpha", "beta", "downloading"]);
    tmux.keys(&["C-c"]);
    let after = tmux.wait_exit();
    assert!(after.contains("EXIT=130"), "{after}");
    assert!(
        after.contains("cancelled"),
        "summary shows the cancels: {after}"
    );
    assert!(!tmux.alternate_screen());
    work.assert_left_nothing_behind();
    assert!(!work.store().join("alpha").exists());
}

/// The terminal closed under the dashboard (an SSH connection dropped, a terminal
/// window closed): the sync is cancelled like at Ctrl-C and leaves nothing behind. It
/// was killed by SIGABRT instead, leaving its board: restoring the terminal printed to
/// the dead one with `eprintln!`, which panics, and a panic while restoring aborts.
#[test]
fn closing_the_terminal_under_the_dashboard_cancels_the_sync_cleanly() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let _server = slowly_served(&work, &["alpha"], 4 << 20, 256 << 10);
    let status = work.dir.path().join("status");
    // vx with SIGHUP as a shell leaves it (its default action), under a parent that
    // outlives the terminal to write down how vx ended.
    let wrapper = "import signal, subprocess, sys\n\
        signal.signal(signal.SIGHUP, signal.SIG_IGN)\n\
        child = subprocess.Popen(sys.argv[2:], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))\n\
        open(sys.argv[1] + '.tmp', 'w').write(str(child.wait()))\n\
        __import__('os').replace(sys.argv[1] + '.tmp', sys.argv[1])\n";
    let script = work.dir.path().join("outlive.py");
    std::fs::write(&script, wrapper).unwrap();
    let command = format!(
        "cd {} && {} python3 {} {} {} sync --tui --manifest {} --store {}; exec sleep 300",
        work.dir.path().display(),
        work.vx_env_words(),
        script.display(),
        status.display(),
        assert_cmd::cargo::cargo_bin("vx").display(),
        work.manifest().display(),
        work.store().display()
    );
    let tmux = Tmux::start("hangup", 100, 20, &command);
    tmux.wait_screen(&["alpha", "downloading"]);
    drop(tmux);
    let code = wait_for("vx to end after its terminal closed", || {
        std::fs::read_to_string(&status).ok()
    });
    assert_eq!(
        code, "130",
        "vx's exit status (negative: killed by that signal)"
    );
    work.assert_left_nothing_behind();
    assert!(!work.store().join("alpha").exists());
}

#[test]
fn board_watch_exit_on_done_leaves_non_zero_when_the_owner_dies() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    // Slow: the sync is still downloading when it is killed.
    let _server = slowly_served(&work, &["orphan"], 2 << 20, 256 << 10);
    let mut sync = work.spawn_sync(&["--headless"]);
    let board = work.wait_board();
    let id = board.info().id.clone();
    let line = work.shell_line(&format!("board watch --exit-on-done {}", &id[..8]));
    let tmux = Tmux::start("orphan", 100, 20, &line);
    tmux.wait_screen(&["orphan", "downloading"]);
    sync.kill().unwrap();
    sync.wait().unwrap();
    // No key is sent: the watcher must leave by itself.
    let after = tmux.wait_exit();
    assert!(after.contains("EXIT=1"), "{after}");
    assert!(after.contains("exited before finishing"), "{after}");
}

#[test]
fn board_watch_of_a_dump_offers_no_cancel_and_leaves_the_file_unchanged() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let board = vx_shm::Board::create(
        &work.boards(),
        "vx.toml",
        &[vx_shm::ToolEntry {
            name: "slowpoke",
            version: "1.0",
        }],
    )
    .unwrap();
    board
        .writer(0)
        .unwrap()
        .update(|r| r.set_phase(vx_shm::Phase::Downloading));
    let dump = work.dir.path().join("frozen.dump");
    board.reader().dump_to(&dump).unwrap();
    drop(board);
    let before = std::fs::read(&dump).unwrap();

    let line = work.shell_line("board watch frozen.dump");
    let tmux = Tmux::start("dump", 100, 16, &line);
    let screen = tmux.wait_screen(&["slowpoke", "downloading"]);
    assert!(screen.contains("(read-only)"), "{screen}");
    assert!(!screen.contains("c cancel tool"), "{screen}");
    tmux.keys(&["c"]);
    tmux.wait_screen(&["nothing to cancel"]);
    tmux.keys(&["y"]);
    tmux.keys(&["q"]);
    let after = tmux.wait_exit();
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(
        std::fs::read(&dump).unwrap() == before,
        "the dump was written"
    );
}

#[test]
fn inline_by_default_leaves_a_line_per_tool_then_one_line_when_nothing_is_to_do() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let bytes = archive(ArchiveFormat::TarGz, noise(1 << 20));
    let sha = sha256_hex(&bytes);
    let server = TestServer::start([("/t.tar.gz", Route::Throttled(bytes.into(), 2 << 20))]);
    let url = server.url("/t.tar.gz");
    let good = format!(
        "{}{}",
        tool_toml("alpha", "1.0", &url, &sha),
        tool_toml("beta", "2.0", &url, &sha)
    );
    let wrong = sha256_hex(b"not it");
    work.write_manifest(&format!(
        "{good}{}",
        tool_toml("gamma", "3.0", &url, &wrong)
    ));
    let cached = work.dir.path().join("cached.toml");
    std::fs::write(&cached, &good).unwrap();
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let store = work.store();
    let line = format!(
        "cd {dir} && export {env}; {vx} sync --store {store}; echo EXIT=$?; \
         {vx} sync --store {store} --manifest {cached}; echo SECOND=$?; exec sleep 300",
        dir = work.dir.path().display(),
        env = work.vx_env_words(),
        vx = vx.display(),
        store = store.display(),
        cached = cached.display(),
    );
    let tmux = Tmux::start("inline", 120, 30, &line);
    let history = wait_for("both syncs to end", || {
        let history = tmux.history(Some(200));
        history.contains("SECOND=").then_some(history)
    });
    assert!(!tmux.alternate_screen());
    let lines: Vec<&str> = history.lines().map(str::trim_end).collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("✓ alpha 1.0  1.0 MiB  "), 1, "{history}");
    assert_eq!(count("✓ beta 2.0  1.0 MiB  "), 1, "{history}");
    assert_eq!(
        count("✗ gamma 3.0  checksum mismatch: got sha256 "),
        1,
        "{history}"
    );
    let summary = lines
        .iter()
        .position(|l| l.starts_with("vx: 3 tools in "))
        .expect(&history);
    assert!(
        lines[summary].ends_with(": 2 installed, 1 failed"),
        "{history}"
    );
    assert_eq!(lines[summary + 1], "EXIT=1", "{history}");
    // Nothing of the live region is left, and no table.
    assert!(
        !history.contains("tools  ") && !history.contains("TOOL "),
        "{history}"
    );
    // Fully installed: one line, and the shell gets its prompt back by itself.
    assert!(
        lines[summary + 2].starts_with("vx: 2 tools up to date in "),
        "{history}"
    );
    assert_eq!(lines[summary + 3], "SECOND=0", "{history}");
}

/// [`Work::shell_line`] for vx ARGS, after which the shell reads a line and echoes it
/// as `GOT=…`: what was typed while vx ran, if vx left it to the shell.
fn reading_shell_line(work: &Work, args: &str) -> String {
    work.shell_line_then(args, "read -r typed; echo GOT=$typed; ")
}

/// Types `hello` and Enter into `tmux` (a [`reading_shell_line`]) while vx runs: vx
/// exits 0 and the shell after it reads the line whole.
fn typed_hello_reaches_the_shell(tmux: &Tmux) {
    tmux.keys(&["hello", "Enter"]);
    let history = wait_for("the shell to read the line", || {
        let history = tmux.history(Some(200));
        history.contains("GOT=").then_some(history)
    });
    assert!(history.contains("EXIT=0"), "{history}");
    assert!(history.contains("GOT=hello"), "{history}");
}

#[test]
fn leaving_the_dashboard_mid_sync_leaves_the_shells_keystrokes_alone() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let _server = slowly_served(&work, &["slow"], 2 << 20, 384 << 10);
    let line = reading_shell_line(
        &work,
        &format!("sync --tui --store {}", work.store().display()),
    );
    let tmux = Tmux::start("keys", 100, 20, &line);
    tmux.wait_screen(&["slow", "downloading"]);
    tmux.keys(&["q"]);
    wait_for("the dashboard to go", || {
        (!tmux.alternate_screen()).then_some(())
    });
    // Typed while the sync still runs: for the shell, after vx.
    typed_hello_reaches_the_shell(&tmux);
}

#[test]
fn vx_install_on_a_terminal_draws_one_line_and_leaves_one() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let bytes = archive(ArchiveFormat::TarGz, noise(2 << 20));
    let sha = sha256_hex(&bytes);
    let server = TestServer::start([("/t.tar.gz", Route::Throttled(bytes.into(), 1 << 20))]);
    let args = format!(
        "install t@2.0 --url {} --sha256 {sha} --store {}",
        server.url("/t.tar.gz"),
        work.store().display()
    );
    let tmux = Tmux::start("install", 100, 20, &work.shell_line(&args));
    // Mid-download: one line, redrawn in place.
    let live = tmux.wait_screen(&["t 2.0", "downloading", "%"]);
    assert_eq!(live.matches("t 2.0").count(), 1, "{live}");
    let history = tmux.wait_exit();
    let lines: Vec<&str> = history
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    let exit = lines.iter().position(|l| *l == "EXIT=0").expect(&history);
    assert!(
        lines[exit - 1].starts_with("✓ t 2.0  2.0 MiB  "),
        "{history}"
    );
    assert!(
        !history.contains("vx: t 2.0:"),
        "no log lines on a terminal: {history}"
    );
}

#[test]
fn what_is_typed_while_the_inline_view_runs_reaches_the_shell_after_vx() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let _server = slowly_served(&work, &["slow"], 2 << 20, 512 << 10);
    let line = reading_shell_line(&work, &format!("sync --store {}", work.store().display()));
    let tmux = Tmux::start("typeahead", 100, 20, &line);
    tmux.wait_screen(&["slow 1.0", "tools"]);
    // Typed while the inline view is up: for the shell, after vx.
    typed_hello_reaches_the_shell(&tmux);
}

#[test]
fn no_color_and_clicolor_turn_the_inline_views_colours_off_but_not_its_redraws() {
    if !Tmux::available() {
        return;
    }
    let work = Work::new();
    let _server = slowly_served(&work, &["alpha"], 256 << 10, 1 << 20);
    let vx = assert_cmd::cargo::cargo_bin("vx");
    // One sync per setting, each into a store of its own so each installs.
    let settings = [
        ("plain", ""),
        ("no_color", "NO_COLOR=1 CLICOLOR_FORCE=1"),
        ("clicolor", "CLICOLOR=0"),
        ("forced", "CLICOLOR=0 CLICOLOR_FORCE=1"),
    ];
    let runs: Vec<String> = settings
        .iter()
        .map(|(name, env)| {
            format!(
                "echo RUN={name}; env -u NO_COLOR -u CLICOLOR -u CLICOLOR_FORCE {env} {workspace} {vx} sync --store {store}/{name}",
                workspace = work.vx_env_words(),
                vx = vx.display(),
                store = work.store().display(),
            )
        })
        .collect();
    let line = format!(
        "cd {}; {}; echo EXIT=$?; exec sleep 300",
        work.dir.path().display(),
        runs.join("; ")
    );
    let tmux = Tmux::start("colour", 100, 40, &line);
    tmux.wait_exit();
    let out = tmux
        .tmux()
        .args(["capture-pane", "-p", "-e", "-S", "-200", "-t", SESSION])
        .output()
        .unwrap();
    let history = String::from_utf8_lossy(&out.stdout).into_owned();
    // The line each run leaves for its tool, with its escapes.
    let finished = |name: &str| -> String {
        let start = history.find(&format!("RUN={name}")).expect(&history);
        history[start..]
            .lines()
            .find(|l| l.contains("alpha 1.0"))
            .unwrap_or_else(|| panic!("no line for alpha after RUN={name}:\n{history}"))
            .to_owned()
    };
    assert!(finished("plain").contains('\x1b'), "{history:?}");
    assert!(!finished("no_color").contains('\x1b'), "{history:?}");
    assert!(!finished("clicolor").contains('\x1b'), "{history:?}");
    assert!(finished("forced").contains('\x1b'), "{history:?}");
    // Without colour the region still went away: only the summary is left.
    let plain = strip_escapes(&history);
    assert_eq!(plain.matches("vx: 1 tool in ").count(), 4, "{plain}");
    assert!(!plain.contains("/1 tools"), "{plain}");
}

/// `text` without its CSI escape sequences.
fn strip_escapes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for e in chars.by_ref() {
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
