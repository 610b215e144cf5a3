//! `vx.exe self update` on Windows (issue 40), under Wine in CI (`.ci/windows`), while
//! another `vx.exe` of the same file runs: the daemon. A loopback GitHub serves a
//! release signed at test time (minisign's format, by the pure-Rust `minisign`: Debian's
//! tool does not run inside Wine) whose zip holds a "new vx" (`.ci/wine/stand_in.c`,
//! told what to say to `--version` by `VX_STAND_IN_SAYS`). Windows will not let a
//! running executable be overwritten: the update must put the new file in place
//! anyway, say that the daemon keeps the old one, and leave the daemon answering.
#![cfg(windows)]

use crate::common;

use std::path::{Path, PathBuf};

use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Item, sha256_hex, zip_bytes};

const TARGET: &str = "x86_64-pc-windows-gnu";
/// Newer than the vx under test, whatever its version.
const NEWER: &str = "99.0.0";

/// The stand-in "new vx" (see the module doc).
fn stand_in() -> Vec<u8> {
    let path = std::env::var_os("VX_WINE_STAND_IN")
        .map(PathBuf::from)
        .expect("VX_WINE_STAND_IN names .ci/wine/stand_in.c built (.ci/windows does it)");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A machine of the test's own: a home, the vx under test installed into `home\bin`
/// (with the DLLs beside the build, which Wine 8 needs), a receipt naming it, and a user
/// config trusting the test's minisign key.
struct Machine {
    dir: tempfile::TempDir,
    key: minisign::KeyPair,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::Builder::new()
            .prefix("self-update")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let key = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let machine = Machine { dir, key };
        std::fs::create_dir_all(machine.bin()).unwrap();
        let built = Path::new(env!("CARGO_BIN_EXE_vx"));
        std::fs::copy(built, machine.exe()).unwrap();
        for entry in std::fs::read_dir(built.parent().unwrap())
            .unwrap()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "dll") {
                std::fs::copy(entry.path(), machine.bin().join(entry.file_name())).unwrap();
            }
        }
        let receipt = machine.home().join(".config/vx/receipt.json");
        std::fs::create_dir_all(receipt.parent().unwrap()).unwrap();
        std::fs::write(
            &receipt,
            serde_json::json!({
                "install_dir": machine.bin(),
                "version": vx_base::build_info::VERSION,
                "source": "https://example.invalid/release",
                "channel": "installer",
            })
            .to_string(),
        )
        .unwrap();
        let public = machine.key.pk.to_box().unwrap().to_string();
        let key_line = public.lines().nth(1).unwrap().to_owned();
        common::write_user_config(
            machine.home(),
            &format!("[self_update]\nkeys = [\"{key_line}\"]\n"),
        );
        machine
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn bin(&self) -> PathBuf {
        self.home().join("bin")
    }

    fn exe(&self) -> PathBuf {
        self.bin().join("vx.exe")
    }

    /// `EXE ARGS` with this machine's home, its daemon's pipe and the loopback GitHub.
    fn run(&self, exe: &Path, github: &GithubFixture, args: &[&str]) -> (i32, String) {
        common::code_and_output(self.command(exe, github).args(args))
    }

    /// `EXE` with this machine's home, its daemon's pipe and the loopback GitHub.
    fn command(&self, exe: &Path, github: &GithubFixture) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(exe);
        common::isolated(&mut cmd, self.home());
        cmd.env("VX_DAEMON_SOCKET", self.home().join("daemon.sock"))
            .env("VX_GITHUB_URL", github.web_url())
            .timeout(common::DEADLINE);
        cmd
    }

    /// `vx.exe self update` from the loopback GitHub; the new binary (the stand-in)
    /// answers `--version` as release [`NEWER`] would. Its exit code and output.
    fn self_update(&self, github: &GithubFixture) -> (i32, String) {
        common::code_and_output(
            self.command(&self.exe(), github)
                .env("VX_STAND_IN_SAYS", format!("vx {NEWER} (test 2026-01-01)"))
                .args(["self", "update"]),
        )
    }

    /// A release of `version` whose `vx.exe` is the stand-in, signed by this machine's
    /// key over its manifest with the tag as trusted comment.
    fn release(&self, version: &str) -> FixtureRelease {
        let asset = format!("vx-{version}-{TARGET}.zip");
        let archive = zip_bytes(&[Item::File(
            Box::leak(format!("vx-{version}-{TARGET}/vx.exe").into_boxed_str()),
            stand_in(),
            0o755,
        )]);
        let manifest = serde_json::json!({
            "version": version,
            "tag": format!("v{version}"),
            "targets": {TARGET: {
                "asset": asset, "size": archive.len(), "sha256": sha256_hex(&archive),
            }},
        })
        .to_string()
        .into_bytes();
        let signature = minisign::sign(
            Some(&self.key.pk),
            &self.key.sk,
            std::io::Cursor::new(&manifest),
            Some(&format!("tag:v{version}")),
            None,
        )
        .unwrap()
        .to_string();
        FixtureRelease::new(&format!("v{version}"))
            .asset(&asset, archive)
            .asset("vx-release.json", manifest)
            .asset("vx-release.json.minisig", signature.into_bytes())
    }
}

/// Stops the daemon with the vx that was built when dropped (the installed file is the
/// stand-in by then), so a failing test leaves no daemon running.
struct DaemonGuard<'m> {
    machine: &'m Machine,
    github: &'m GithubFixture,
}

impl Drop for DaemonGuard<'_> {
    fn drop(&mut self) {
        let built = PathBuf::from(env!("CARGO_BIN_EXE_vx"));
        let _ = self.machine.run(&built, self.github, &["daemon", "stop"]);
    }
}

#[test]
fn self_update_replaces_the_exe_a_running_daemon_holds_and_the_daemon_keeps_answering() {
    let machine = Machine::new();
    let github = GithubFixture::builder()
        .release("vx-toolchain", "vx", machine.release(NEWER))
        .start()
        .unwrap();
    let store = machine.home().join("store");
    let (code, text) = machine.run(
        &machine.exe(),
        &github,
        &["daemon", "start", "--store", store.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{text}");
    let daemon = DaemonGuard {
        machine: &machine,
        github: &github,
    };

    let (code, text) = machine.self_update(&github);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("still runs the old vx"), "{text}");

    // The file is the new vx, although the daemon runs the old one's image.
    let ran = std::process::Command::new(machine.exe())
        .arg("--version")
        .env_remove("VX_STAND_IN_SAYS")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ran.stdout).starts_with("stand-in vx.exe --version"),
        "{ran:?}"
    );
    let receipt = std::fs::read_to_string(machine.home().join(".config/vx/receipt.json")).unwrap();
    assert!(receipt.contains(NEWER), "{receipt}");

    // The daemon still answers, and stops when asked (by the vx that was built).
    let built = PathBuf::from(env!("CARGO_BIN_EXE_vx"));
    let (code, text) = machine.run(&built, &github, &["daemon", "status", "--json"]);
    assert_eq!(code, 0, "{text}");
    let status: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(status["answering"], true, "{text}");
    let (code, text) = machine.run(&built, &github, &["daemon", "stop"]);
    assert_eq!(code, 0, "{text}");
    drop(daemon);
}

#[test]
fn a_sync_in_progress_keeps_starting_the_vx_it_began_with_across_a_self_update() {
    let machine = Machine::new();
    let github = GithubFixture::builder()
        .release("vx-toolchain", "vx", machine.release(NEWER))
        .start()
        .unwrap();
    let work = common::Work::new();
    let (a, b) = common::two_slow_tools(&work);
    std::thread::scope(|scope| {
        let sync = scope.spawn(|| {
            common::code_and_output(
                machine
                    .command(&machine.exe(), &github)
                    .env("VX_BOARD_DIR", work.boards())
                    .args(["sync", "--headless", "-j", "1", "--manifest"])
                    .arg(work.manifest())
                    .arg("--store")
                    .arg(work.store()),
            )
        });
        // Once the first child downloads, `vx self update` puts the stand-in (a "new
        // vx" that installs nothing) at the path the sync was started from.
        common::wait_for("the first download", || {
            (a.hits() + b.hits() > 0).then_some(())
        });
        let (code, text) = machine.self_update(&github);
        assert_eq!(code, 0, "{text}");

        // The sync's second child is still the vx that began it.
        let (code, text) = sync.join().unwrap();
        assert_eq!(code, 0, "{text}");
        assert_eq!(a.hits() + b.hits(), 2, "{text}");
        assert!(
            crate::common::has_tree(work.store(), "a", "1")
                && crate::common::has_tree(work.store(), "b", "1"),
            "{text}"
        );
    });
    // What the sync started its children from is the old vx, kept beside the new one
    // until a later sync (of the new vx) finds no process holding it.
    let kept: Vec<String> = std::fs::read_dir(machine.bin())
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(".vx-image-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
}
