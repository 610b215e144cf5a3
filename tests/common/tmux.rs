//! A real terminal for the tests that type into an interactive shell as a person does:
//! a tmux server of its own (its own socket, so tests never see each other's) running
//! one command in a detached window, `send-keys` to type, `capture-pane` to read the
//! screen. Killed when dropped.

use std::path::Path;
use std::process::Command;

/// A tmux server of its own running one command, killed when dropped.
pub struct Terminal {
    socket: String,
}

/// The one session's name (`-t` of tmux's commands).
pub const SESSION: &str = "vx";

impl Terminal {
    /// Whether tmux runs here (it is part of the machine image; `.ci/run` installs
    /// it); says so when not, for the caller to skip its test.
    pub fn available() -> bool {
        let found = Command::new("tmux").arg("-V").output().is_ok();
        if !found {
            eprintln!("skipped: no tmux");
        }
        found
    }

    /// Starts `command` (a `sh -c` line) in a `width`×`height` window, in `dir` when
    /// given; `tag` names its server.
    pub fn start(
        tag: &str,
        (width, height): (u16, u16),
        dir: Option<&Path>,
        command: &str,
    ) -> Terminal {
        let terminal = Terminal {
            socket: format!("vx-test-{tag}-{}", std::process::id()),
        };
        let mut new = terminal.tmux();
        new.args(["new-session", "-d", "-s", SESSION]).args([
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
        if let Some(dir) = dir {
            new.arg("-c").arg(dir);
        }
        let status = new.arg(command).status();
        assert!(status.unwrap().success(), "tmux new-session failed");
        terminal
    }

    /// `tmux` on this terminal's server.
    pub fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    /// Presses `keys` (tmux key names: `Enter`, `End`, `q`).
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", SESSION])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success(), "tmux send-keys {keys:?}");
    }

    /// Types `line` as it is written, then Enter.
    pub fn line(&self, line: &str) {
        if !line.is_empty() {
            self.keys(&["-l", line]);
        }
        self.keys(&["Enter"]);
    }

    /// What the window shows now.
    pub fn screen(&self) -> String {
        self.capture(&[])
    }

    /// The window and its scroll-back: the last `lines` lines above the window, or
    /// all of them (`None`), lines the terminal wrapped joined again.
    pub fn history(&self, lines: Option<u32>) -> String {
        let start = lines.map_or_else(|| "-".to_owned(), |n| format!("-{n}"));
        self.capture(&["-J", "-S", &start])
    }

    fn capture(&self, extra: &[&str]) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", SESSION])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}
