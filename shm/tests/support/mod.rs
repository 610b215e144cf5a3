//! Helpers shared by the integration tests: boards in private temporary directories and
//! helper processes (this same test binary, re-run to play one role).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use vx_shm::Board;

/// A board for `count` tools in `dir`.
pub fn board_with(dir: &Path, count: usize) -> Board {
    vx_shm::testing::board_with(dir, count, "test/vx.toml")
}

/// The bytes of the live board at `path`, read through a read-only mapping as a reader
/// in another language would: on Windows the creator's lock is mandatory and refuses
/// `ReadFile` from other handles, even in the same process, but not mapped views.
pub fn live_bytes(path: &Path) -> Vec<u8> {
    let file = std::fs::File::open(path).expect("open board");
    // SAFETY: the board is private to this test's user and no one truncates it while
    // the bytes are copied out of the mapping.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("map board");
    map.to_vec()
}

/// Environment variable that tells a re-run test binary which role to play.
pub const ROLE: &str = "VX_SHM_TEST_ROLE";

/// A helper process: this test binary re-run to play one role. Killed and reaped when
/// dropped, so a failing test leaves no process behind.
pub struct Helper {
    /// The process.
    pub child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Helper {
    /// Runs this test binary's test `entry` as a helper process playing `role`.
    pub fn spawn(entry: &str, role: &str) -> Helper {
        let mut child = Command::new(std::env::current_exe().expect("test binary path"))
            .args([
                entry,
                "--exact",
                "--nocapture",
                "--include-ignored",
                "--test-threads=1",
            ])
            .env(ROLE, role)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn helper process");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Helper { child, lines }
    }

    /// What follows `marker` in the next line the helper printed that holds it. The test
    /// harness prints text of its own, even on the same line ("test x ... ready"), so the
    /// marker is looked for anywhere. Panics if the helper ends first.
    pub fn expect_line(&mut self, marker: &str) -> String {
        for line in &mut self.lines {
            let line = line.expect("read helper output");
            if let Some(at) = line.find(marker) {
                return line[at + marker.len()..].to_owned();
            }
        }
        panic!("helper ended without printing {marker:?}");
    }

    /// Kills the helper (SIGKILL on Unix, TerminateProcess on Windows) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// The role this process was started to play, if it is a helper.
pub fn role() -> Option<String> {
    std::env::var(ROLE).ok()
}
