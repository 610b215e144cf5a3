//! The user's global toolset and the shims, end to end with the real `vx` binary on a
//! machine of its own (HOME and the XDG directories in a temp dir): `vx use -g`
//! writes `$XDG_CONFIG_HOME/vx/vx.toml`, locks and installs; outside a project the
//! global tools are the toolchain of `vx exec`, `vx which`, `vx env` and the hook;
//! inside one the project's version wins and global-only tools are added; the shims
//! in `$XDG_DATA_HOME/vx/shims` run what the directory they run in pins. The tools are
//! small shell scripts in archives served over loopback HTTP.

// Unix only: the tools are shell scripts and the shims symbolic links.
#![cfg(unix)]

use crate::common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::isolated;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// `greet` at `version`: prints its version and arguments, a line of stdin, then exits
/// with `$GREET_EXIT` (default 7).
fn greet(version: &str) -> Vec<u8> {
    let script = format!(
        "#!/bin/sh\necho \"greet {version} args:$*\"\nIFS= read -r line && echo \"stdin:$line\"\nexit \"${{GREET_EXIT:-7}}\"\n"
    );
    tar_gz(&[Item::File("bin/greet", script.into_bytes(), 0o755)])
}

/// `hello`: a tool only the global toolset has.
fn hello() -> Vec<u8> {
    tar_gz(&[Item::File(
        "bin/hello",
        b"#!/bin/sh\necho hello from global\n".to_vec(),
        0o755,
    )])
}

/// A machine: a HOME of its own, a project directory (`proj/`) that pins greet 1.0, a
/// directory in no project (`elsewhere/`), and a loopback server with greet 1.0, 1.1,
/// 2.0 and hello 1.0.
struct Machine {
    root: tempfile::TempDir,
    server: TestServer,
}

impl Machine {
    fn new() -> Machine {
        let root = tempfile::tempdir().unwrap();
        let server = TestServer::start([
            ("/greet-1.0.tar.gz", Route::Ok(greet("1.0"))),
            ("/greet-1.1.tar.gz", Route::Ok(greet("1.1"))),
            ("/greet-2.0.tar.gz", Route::Ok(greet("2.0"))),
            ("/hello-1.0.tar.gz", Route::Ok(hello())),
        ]);
        for dir in ["home", "proj", "elsewhere"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        let machine = Machine { root, server };
        machine.pin_project("1.0");
        machine
    }

    /// The project's vx.toml pinning greet at `version` (its sha256 given).
    fn pin_project(&self, version: &str) {
        let manifest = format!(
            "[tools.greet]\nversion = \"{version}\"\nurl = \"{}\"\nsha256 = \"{}\"\n",
            self.server.url("/greet-{version}.tar.gz"),
            sha256_hex(&greet(version)),
        );
        std::fs::write(self.dir("proj").join("vx.toml"), manifest).unwrap();
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn home(&self) -> PathBuf {
        self.dir("home")
    }

    fn shims(&self) -> PathBuf {
        self.home().join(".local/share/vx/shims")
    }

    fn store(&self) -> PathBuf {
        self.home().join(".local/share/vx/store")
    }

    /// `vx ARGS` in `dir`, on this machine.
    fn vx(&self, dir: &str) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("vx").unwrap();
        isolated(&mut cmd, &self.home());
        cmd.env("VX_BOARD_DIR", self.root.path())
            .env("VX_DAEMON_SOCKET", self.root.path().join("no-daemon.sock"))
            .env("PATH", "/usr/bin:/bin")
            .env_remove("GREET_EXIT")
            .current_dir(self.dir(dir));
        cmd
    }

    /// `vx ARGS` in `dir` run to its end with exit code `code`; its stdout.
    fn run(&self, dir: &str, args: &[&str], code: i32) -> String {
        let out = self.vx(dir).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "vx {args:?} in {dir}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// `vx use -g TOOL@VERSION --url …` of the loopback server.
    fn use_global(&self, tool: &str, version: &str) {
        let url = self.server.url(&format!("/{tool}-{{version}}.tar.gz"));
        self.run(
            "elsewhere",
            &[
                "use",
                "-g",
                &format!("{tool}@{version}"),
                "--url",
                &url,
                "--headless",
            ],
            0,
        );
    }

    /// A plain process of the shim for `command`, in `dir`, on this machine (a
    /// `PATH` that holds the shims, as `vx activate --shims` puts them).
    fn shim(&self, command: &str, dir: &str) -> Command {
        let mut cmd = Command::new(self.shims().join(command));
        for (var, sub) in [
            ("HOME", ""),
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_CACHE_HOME", ".cache"),
            ("XDG_DATA_HOME", ".local/share"),
        ] {
            cmd.env(var, self.home().join(sub));
        }
        let path = format!("{}:/usr/bin:/bin", self.shims().display());
        cmd.env("PATH", path)
            .env("VX_DAEMON_SOCKET", self.root.path().join("no-daemon.sock"))
            .env_remove("GREET_EXIT")
            .current_dir(self.dir(dir));
        cmd
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `cmd` with `stdin` as its input; its exit code, stdout and stderr.
fn run_with_input(mut cmd: Command, stdin: &str) -> (Option<i32>, String, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn first_path_entry(env: &str) -> Option<&str> {
    let line = env.lines().find(|l| l.starts_with("export PATH="))?;
    let value = line.trim_start_matches("export PATH=").trim_matches('\'');
    value.split(':').next()
}

#[test]
fn global_tools_run_outside_a_project_and_the_projects_version_wins_inside() {
    let m = Machine::new();
    // Nothing global yet: outside a project there is no toolchain.
    m.run("elsewhere", &["exec", "--", "greet"], 2);

    m.use_global("greet", "2.0");
    m.use_global("hello", "1.0");
    let global = std::fs::read_to_string(m.home().join(".config/vx/vx.toml")).unwrap();
    assert!(
        global.contains("[tools.greet]") && global.contains("[tools.hello]"),
        "{global}"
    );
    assert!(m.home().join(".config/vx/vx.lock").is_file());
    assert!(
        crate::common::tree_in(m.store(), "greet", "2.0")
            .join("bin/greet")
            .is_file()
    );

    let out = m.run("elsewhere", &["exec", "--", "greet", "a"], 7);
    assert!(out.starts_with("greet 2.0 args:a\n"), "{out}");
    let which = m.run("elsewhere", &["which", "greet"], 0);
    assert_eq!(
        which.trim(),
        crate::common::tree_in(m.store(), "greet", "2.0")
            .join("bin/greet")
            .to_str()
            .unwrap()
    );

    // In the project its own greet wins; hello, only global, is there too.
    m.run("proj", &["sync", "--headless"], 0);
    let out = m.run("proj", &["exec", "--", "greet"], 7);
    assert!(out.starts_with("greet 1.0 args:\n"), "{out}");
    assert_eq!(
        m.run("proj", &["exec", "--", "hello"], 0),
        "hello from global\n"
    );
    let which = m.run("proj", &["which", "greet"], 0);
    assert_eq!(
        which.trim(),
        crate::common::tree_in(m.store(), "greet", "1.0")
            .join("bin/greet")
            .to_str()
            .unwrap()
    );

    // A global tool removed from the store is installed again by `vx exec`.
    m.run("elsewhere", &["uninstall", "hello@1.0"], 0);
    assert_eq!(
        m.run("proj", &["exec", "--", "hello"], 0),
        "hello from global\n"
    );
}

#[test]
fn use_without_global_outside_a_project_says_what_to_do_and_writes_nothing() {
    let m = Machine::new();
    let out = m
        .vx("elsewhere")
        .args(["use", "greet@2.0", "--url", "http://127.0.0.1:9/g.tar.gz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`vx use -g greet@2.0`") && err.contains("`vx init`"),
        "{err}"
    );
    assert!(!m.dir("elsewhere").join("vx.toml").exists());
    assert!(!m.home().join(".config/vx/vx.toml").exists());
}

#[test]
fn remove_g_takes_a_tool_out_of_the_global_toolset_from_anywhere() {
    let m = Machine::new();
    // No global toolset yet: said, nothing written.
    let out = m
        .vx("elsewhere")
        .args(["remove", "-g", "greet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`vx use -g NAME` starts one"),
        "{}",
        text(&out.stderr)
    );
    assert!(!m.home().join(".config/vx/vx.toml").exists());

    m.use_global("greet", "2.0");
    m.use_global("hello", "1.0");
    // From inside a project too: the global toolset is edited, the project is not.
    let project = std::fs::read_to_string(m.dir("proj").join("vx.toml")).unwrap();
    m.run("proj", &["remove", "-g", "hello"], 0);
    assert_eq!(
        std::fs::read_to_string(m.dir("proj").join("vx.toml")).unwrap(),
        project
    );
    let global = std::fs::read_to_string(m.home().join(".config/vx/vx.toml")).unwrap();
    assert!(
        !global.contains("hello") && global.contains("[tools.greet]"),
        "{global}"
    );
    let lock = std::fs::read_to_string(m.home().join(".config/vx/vx.lock")).unwrap();
    assert!(!lock.contains("hello") && lock.contains("greet"), "{lock}");
    // Outside a project hello is gone, greet still runs.
    m.run("elsewhere", &["exec", "--", "hello"], 127);
    let out = m.run("elsewhere", &["exec", "--", "greet"], 7);
    assert!(out.starts_with("greet 2.0 args:\n"), "{out}");
    // -g and --manifest name two files: refused.
    let out = m
        .vx("elsewhere")
        .args(["remove", "-g", "greet", "--manifest", "vx.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn use_in_a_project_adds_locks_and_installs_in_one_step() {
    let m = Machine::new();
    let url = m.server.url("/hello-{version}.tar.gz");
    m.run(
        "proj",
        &["use", "hello@1.0", "--url", &url, "--headless"],
        0,
    );
    let manifest = std::fs::read_to_string(m.dir("proj").join("vx.toml")).unwrap();
    assert!(manifest.contains("[tools.hello]"), "{manifest}");
    let lock = std::fs::read_to_string(m.dir("proj").join("vx.lock")).unwrap();
    assert!(lock.contains("[tools.hello]"), "{lock}");
    // Installed: it runs offline, and has its shim.
    assert_eq!(
        m.run("proj", &["exec", "--offline", "--", "hello"], 0),
        "hello from global\n"
    );
    assert!(m.shims().join("hello").is_symlink());
}

#[test]
fn the_shim_runs_the_global_tool_with_no_project_passing_args_stdin_and_exit_code() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    let shim = m.shims().join("greet");
    assert!(shim.is_symlink(), "vx use made no shim");
    assert_eq!(
        std::fs::read_link(&shim).unwrap(),
        assert_cmd::cargo::cargo_bin("vx").canonicalize().unwrap()
    );
    let (code, out, err) = run_with_input(m.shim("greet", "elsewhere"), "typed\n");
    assert_eq!(code, Some(7), "{out}{err}");
    assert_eq!(out, "greet 2.0 args:\nstdin:typed\n");

    let mut cmd = m.shim("greet", "elsewhere");
    cmd.args(["one", "two words"]).env("GREET_EXIT", "42");
    let (code, out, _) = run_with_input(cmd, "");
    assert_eq!(code, Some(42));
    assert_eq!(out, "greet 2.0 args:one two words\n");

    // Run twice: the second answers from the recorded toolchain, the same way.
    let (code, out, _) = run_with_input(m.shim("greet", "elsewhere"), "");
    assert_eq!((code, out.as_str()), (Some(7), "greet 2.0 args:\n"));
}

#[test]
fn a_shim_in_a_project_runs_the_projects_version_and_never_installs() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    m.run("proj", &["sync", "--headless"], 0);
    let (code, out, _) = run_with_input(m.shim("greet", "proj"), "");
    assert_eq!((code, out.as_str()), (Some(7), "greet 1.0 args:\n"));
    // From a subdirectory of the project too.
    std::fs::create_dir(m.dir("proj").join("src")).unwrap();
    let (code, out, _) = run_with_input(m.shim("greet", "proj/src"), "");
    assert_eq!((code, out.as_str()), (Some(7), "greet 1.0 args:\n"));

    // vx.toml moved on to a version not installed: said, not installed behind the
    // user's back.
    m.pin_project("1.1");
    let (code, out, err) = run_with_input(m.shim("greet", "proj"), "");
    assert_eq!(code, Some(127), "{out}{err}");
    assert!(
        err.contains("greet 1.1 is not installed") && err.contains("vx sync"),
        "{err}"
    );
    assert!(!crate::common::has_tree(m.store(), "greet", "1.1"));
}

#[test]
fn a_shim_for_a_command_nothing_provides_exits_127_and_removed_tools_lose_theirs() {
    let m = Machine::new();
    m.use_global("hello", "1.0");
    assert!(m.shims().join("hello").is_symlink());
    // A name nothing provides (a link to vx, as a shim left behind would be).
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("vx"),
        m.shims().join("nosuchtool"),
    )
    .unwrap();
    let (code, out, err) = run_with_input(m.shim("nosuchtool", "elsewhere"), "");
    assert_eq!(code, Some(127), "{out}{err}");
    assert!(
        err.contains(
            "nosuchtool: no tool of this directory's project or of the global toolset provides it"
        ),
        "{err}"
    );
    // A command of the system's is found outside the shims: `true` is no vx tool.
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("vx"), m.shims().join("true")).unwrap();
    let (code, _, err) = run_with_input(m.shim("true", "elsewhere"), "");
    assert_eq!(code, Some(0), "{err}");

    // Uninstalling refreshes the shims: hello's and the strays are gone.
    m.run("elsewhere", &["uninstall", "hello@1.0"], 0);
    assert!(!m.shims().join("hello").exists());
    assert!(!m.shims().join("nosuchtool").exists());
}

#[test]
fn the_hook_and_env_outside_a_project_export_the_global_tools() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    let bin = crate::common::tree_in(m.store(), "greet", "2.0").join("bin");
    let env = m.run("elsewhere", &["env", "--shell", "bash"], 0);
    assert_eq!(first_path_entry(&env), bin.to_str(), "{env}");
    let hook = m.run("elsewhere", &["hook-env", "--shell", "bash"], 0);
    assert!(hook.contains(bin.to_str().unwrap()), "{hook}");

    // The hook for real: bash, the hook of `vx activate`, a prompt in a directory
    // with no project, then one in the project.
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let script = format!(
        "eval \"$('{vx}' activate bash)\"\ncd '{elsewhere}' && __vx_hook\ngreet x </dev/null\ncd '{proj}' && '{vx}' sync --headless -q >/dev/null && __vx_hook\ngreet y </dev/null\n",
        vx = vx.display(),
        elsewhere = m.dir("elsewhere").display(),
        proj = m.dir("proj").display(),
    );
    let out = bash(&m, &script);
    assert_eq!(out, "greet 2.0 args:x\ngreet 1.0 args:y\n");
}

#[test]
fn activate_shims_puts_the_shims_on_path_for_a_shell_that_runs_no_hook() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    let line = m.run("elsewhere", &["activate", "--shims", "bash"], 0);
    assert_eq!(
        line,
        format!("export PATH='{}'\":$PATH\"\n", m.shims().display())
    );
    let fish = m.run("elsewhere", &["activate", "--shims", "fish"], 0);
    assert!(
        fish.starts_with("set -gx PATH ") && fish.ends_with(" $PATH\n"),
        "{fish}"
    );
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let script = format!(
        "eval \"$('{}' activate --shims bash)\"\ncd '{}' && greet z </dev/null\n",
        vx.display(),
        m.dir("elsewhere").display()
    );
    assert_eq!(bash(&m, &script), "greet 2.0 args:z\n");
}

/// `bash -c SCRIPT` on the machine (ignoring the script's last status).
fn bash(m: &Machine, script: &str) -> String {
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", &format!("{script}\ntrue")]);
    for (var, sub) in [
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_DATA_HOME", ".local/share"),
    ] {
        cmd.env(var, m.home().join(sub));
    }
    cmd.env("PATH", "/usr/bin:/bin")
        .env("VX_BOARD_DIR", m.root.path())
        .env("VX_DAEMON_SOCKET", m.root.path().join("no-daemon.sock"))
        .current_dir(m.dir("elsewhere"));
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A daemon of the machine's, stopped when dropped.
struct RunningDaemon<'m> {
    machine: &'m Machine,
}

impl RunningDaemon<'_> {
    fn socket(m: &Machine) -> PathBuf {
        m.root.path().join("d/daemon.sock")
    }

    fn start(machine: &Machine) -> RunningDaemon<'_> {
        let mut cmd = machine.vx("elsewhere");
        cmd.env("VX_DAEMON_SOCKET", Self::socket(machine))
            .args(["daemon", "start", "--store"])
            .arg(machine.store())
            .assert()
            .success();
        RunningDaemon { machine }
    }

    /// The daemon's `toolchain` answer for `dir`.
    fn toolchain(&self, dir: &str) -> serde_json::Value {
        use std::io::{BufRead, BufReader};
        let stream = std::os::unix::net::UnixStream::connect(Self::socket(self.machine)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let request = serde_json::json!({"type": "toolchain", "cwd": self.machine.dir(dir)});
        writeln!(writer, "{request}").unwrap();
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for RunningDaemon<'_> {
    fn drop(&mut self) {
        let _ = self
            .machine
            .vx("elsewhere")
            .env("VX_DAEMON_SOCKET", Self::socket(self.machine))
            .args(["daemon", "stop"])
            .output();
    }
}

#[test]
fn the_daemon_answers_with_the_global_toolset_outside_and_under_a_project() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    m.use_global("hello", "1.0");
    m.run("proj", &["sync", "--headless"], 0);
    let daemon = RunningDaemon::start(&m);
    let bin =
        |tool: &str, version: &str| crate::common::tree_in(m.store(), tool, version).join("bin");

    let outside = daemon.toolchain("elsewhere");
    assert_eq!(
        outside["manifest"],
        m.home().join(".config/vx/vx.toml").to_str().unwrap(),
        "{outside}"
    );
    assert_eq!(
        outside["bin_dirs"],
        serde_json::json!([bin("greet", "2.0"), bin("hello", "1.0")]),
        "{outside}"
    );
    let inside = daemon.toolchain("proj");
    assert_eq!(
        inside["bin_dirs"],
        serde_json::json!([bin("greet", "1.0"), bin("hello", "1.0")]),
        "{inside}"
    );
    // The global toolset changed: the next answer follows at once.
    let global = m.home().join(".config/vx/vx.toml");
    m.run(
        "elsewhere",
        &["remove", "hello", "--manifest", global.to_str().unwrap()],
        0,
    );
    let inside = daemon.toolchain("proj");
    assert_eq!(
        inside["bin_dirs"],
        serde_json::json!([bin("greet", "1.0")]),
        "{inside}"
    );
}

/// A shim applies a project's own [env] only once the user trusts the project (`vx
/// trust`): before, the command gets the project's tools and nothing else of it, the
/// first time (resolved in full) and the next (from the recorded activation) alike.
#[test]
fn a_shim_applies_a_projects_env_only_once_it_is_trusted() {
    let m = Machine::new();
    m.use_global("hello", "1.0");
    let manifest = m.dir("proj").join("vx.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n[env]\nGREET_EXIT = \"3\"\n")).unwrap();
    m.run("proj", &["sync", "--headless"], 0);
    for _ in 0..2 {
        let (code, out, _) = run_with_input(m.shim("greet", "proj"), "");
        assert_eq!((code, out.as_str()), (Some(7), "greet 1.0 args:\n"));
    }
    m.run("proj", &["trust"], 0);
    for _ in 0..2 {
        let (code, out, _) = run_with_input(m.shim("greet", "proj"), "");
        assert_eq!((code, out.as_str()), (Some(3), "greet 1.0 args:\n"));
    }
    m.run("proj", &["trust", "--revoke"], 0);
    let (code, _, _) = run_with_input(m.shim("greet", "proj"), "");
    assert_eq!(code, Some(7));
}

/// A tool of the global toolset that is not installed says how to install it where
/// the hint is given: `vx sync -g` (a project's sync would not), and `vx sync` outside
/// any project syncs the global toolset rather than asking for a vx.toml.
#[test]
fn a_missing_global_tool_points_at_vx_sync_g_which_installs_it() {
    let m = Machine::new();
    m.use_global("hello", "1.0");
    m.run("elsewhere", &["uninstall", "hello@1.0"], 0);
    // Outside a project.
    let out = m.vx("elsewhere").args(["which", "hello"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("run `vx sync -g`"),
        "{}",
        text(&out.stderr)
    );
    let out = m
        .vx("elsewhere")
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("syncing the global toolset"),
        "{}",
        text(&out.stderr)
    );
    m.run("elsewhere", &["which", "hello"], 0);
    // In a project the global toolset is layered under: its own sync does not install
    // hello, `vx sync -g` does.
    m.run("proj", &["sync", "--headless"], 0);
    m.run("proj", &["uninstall", "hello@1.0"], 0);
    let out = m.vx("proj").arg("env").output().unwrap();
    assert!(
        text(&out.stderr).contains("hello 1.0 is not installed; run `vx sync -g`"),
        "{}",
        text(&out.stderr)
    );
    m.run("proj", &["sync", "-g", "--headless"], 0);
    m.run("proj", &["which", "hello"], 0);
}

/// The shims and the hook call vx by the path the user reaches it through (a package
/// manager's stable link, `bin/vx -> ../Cellar/vx/0.1.0/bin/vx`), not the file that
/// link resolves to: an upgrade that replaces the versioned file keeps them working.
#[test]
fn shims_and_the_hook_call_vx_by_its_link_not_the_file_it_resolves_to() {
    let m = Machine::new();
    let cellar = m.dir("cellar/vx/0.1.0/bin");
    std::fs::create_dir_all(&cellar).unwrap();
    // A hard link, not a copy: a file just written can be held open by another test
    // thread's child between its fork and exec, and then cannot run ("Text file busy").
    let built = assert_cmd::cargo::cargo_bin("vx");
    std::fs::hard_link(&built, cellar.join("vx"))
        .or_else(|_| std::fs::copy(&built, cellar.join("vx")).map(drop))
        .unwrap();
    let bin = m.dir("brew/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(cellar.join("vx"), bin.join("vx")).unwrap();
    let brewed = |args: &[&str]| {
        let mut cmd = m.vx("elsewhere");
        cmd.env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
        let mut plain = Command::new("vx");
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => plain.env(k, v),
                None => plain.env_remove(k),
            };
        }
        plain
            .current_dir(m.dir("elsewhere"))
            .args(args)
            .output()
            .unwrap()
    };
    let url = m.server.url("/hello-{version}.tar.gz");
    let out = brewed(&["use", "-g", "hello@1.0", "--url", &url, "--headless"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_link(m.shims().join("hello")).unwrap(),
        bin.join("vx")
    );
    let hook = text(&brewed(&["activate", "bash"]).stdout);
    assert!(
        hook.contains(&bin.join("vx").display().to_string()),
        "{hook}"
    );
    assert!(!hook.contains("cellar"), "{hook}");
    // "brew upgrade": the versioned file goes, the link moves to the new one.
    let newer = m.dir("cellar/vx/0.2.0/bin");
    std::fs::create_dir_all(&newer).unwrap();
    std::fs::rename(cellar.join("vx"), newer.join("vx")).unwrap();
    std::fs::remove_file(bin.join("vx")).unwrap();
    std::os::unix::fs::symlink(newer.join("vx"), bin.join("vx")).unwrap();
    let (code, out, err) = run_with_input(m.shim("hello", "elsewhere"), "");
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "hello from global\n"),
        "{err}"
    );
}

/// `vx prune` refreshes the shims as `vx uninstall` does: a version it removed leaves
/// no shim behind whose hint cannot be followed.
#[test]
fn prune_takes_the_shims_of_what_it_removed() {
    let m = Machine::new();
    m.run("proj", &["sync", "--headless"], 0);
    assert!(m.shims().join("greet").is_symlink());
    std::fs::write(m.dir("proj").join("vx.toml"), "[tools]\n").unwrap();
    m.run("proj", &["prune"], 0);
    assert!(!crate::common::has_tree(m.store(), "greet", "1.0"));
    assert!(!m.shims().join("greet").exists());
}

/// A sync with nothing to install reads no receipt once the store and the shims have
/// settled (`shims.stamp` beside the shims says what they were made from); the shims
/// still follow every change: a shim deleted by hand comes back at the next no-op
/// sync, a version installed or removed gets or loses its shims.
#[test]
fn settled_shims_are_stamped_and_still_follow_the_store_and_the_users_hand() {
    let m = Machine::new();
    m.run("proj", &["sync", "--headless"], 0);
    let stamp = m.shims().with_file_name("shims.stamp");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let settle = || {
        for dir in [m.shims(), m.store().join("greet")] {
            std::fs::File::open(dir)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
    };
    settle();
    m.run("proj", &["sync", "--headless"], 0);
    assert!(stamp.exists());

    std::fs::remove_file(m.shims().join("greet")).unwrap();
    m.run("proj", &["sync", "--headless"], 0);
    assert!(m.shims().join("greet").is_symlink());

    settle();
    m.run("proj", &["sync", "--headless"], 0);
    m.use_global("hello", "1.0");
    assert!(m.shims().join("hello").is_symlink());
    settle();
    m.run("proj", &["sync", "--headless"], 0);
    m.run("elsewhere", &["uninstall", "hello@1.0"], 0);
    assert!(!m.shims().join("hello").exists());
}

/// `vx prune --all` keeps what this project uses, and nothing of the global toolset
/// (the docs say so; the global toolset's tools counted as the project's, layered
/// under it); a plain prune keeps them as the global toolset's.
#[test]
fn prune_all_ignores_the_global_toolset() {
    let m = Machine::new();
    m.use_global("hello", "1.0");
    m.run("proj", &["sync", "--headless"], 0);
    let dry = m.run("proj", &["prune", "--dry-run"], 0);
    assert!(
        dry.lines()
            .any(|l| l.starts_with("would keep hello 1.0, used by the global toolset")),
        "{dry}"
    );
    let all = m.run("proj", &["prune", "--all", "--dry-run"], 0);
    assert!(all.contains("would remove hello 1.0"), "{all}");
    assert!(
        all.contains("would keep greet 1.0, used by this project"),
        "{all}"
    );
}

/// Two vx binaries installed as each other's `node` (this one's shim, and another vx,
/// a hard link, named `node` in a directory later on `PATH`, then this vx again as
/// `node` further on): the shim refuses once the chain comes back to a vx it passed
/// through (exit 126, naming both), where they ran each other until killed (issue 66,
/// item 16).
#[test]
fn vx_binaries_installed_as_each_others_command_refuse_instead_of_running_each_other() {
    let m = Machine::new();
    let vx = assert_cmd::cargo::cargo_bin("vx");
    std::fs::create_dir_all(m.shims()).unwrap();
    std::os::unix::fs::symlink(&vx, m.shims().join("node")).unwrap();
    let other = m.root.path().join("other");
    let again = m.root.path().join("again");
    std::fs::create_dir(&other).unwrap();
    std::fs::create_dir(&again).unwrap();
    if std::fs::hard_link(&vx, other.join("node")).is_err() {
        std::fs::copy(&vx, other.join("node")).unwrap();
    }
    std::os::unix::fs::symlink(&vx, again.join("node")).unwrap();
    let mut cmd = m.shim("node", "elsewhere");
    cmd.env(
        "PATH",
        format!(
            "{}:{}:{}:/usr/bin:/bin",
            m.shims().display(),
            other.display(),
            again.display()
        ),
    )
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Before the fix the process ran vx after vx for good: given a minute, then killed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    let status = status.expect("the vx binaries ran each other until killed");
    assert_eq!(status.code(), Some(126), "{err}");
    assert!(
        err.contains("installed as each other's `node`")
            && err.contains(&other.join("node").display().to_string()),
        "{err}"
    );
}

/// The shims directory on `PATH` through a symbolic link: a shim for a command no tool
/// provides finds itself there, skips it and runs the real command later on `PATH`
/// (it exited 127); and a shim run from a directory since deleted runs the global
/// tool as it would outside any project (it exited 1) (issue 53, item 17).
#[test]
fn a_shim_through_a_linked_shims_dir_or_from_a_deleted_directory_still_runs() {
    let m = Machine::new();
    m.use_global("greet", "2.0");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("vx"), m.shims().join("true")).unwrap();
    let linked = m.root.path().join("linked-shims");
    std::os::unix::fs::symlink(m.shims(), &linked).unwrap();
    let mut cmd = m.shim("true", "elsewhere");
    cmd.env("PATH", format!("{}:/usr/bin:/bin", linked.display()));
    let (code, out, err) = run_with_input(cmd, "");
    assert_eq!(code, Some(0), "{out}{err}");

    // From a deleted directory: the shell's `cd` there, the directory removed.
    let gone = m.root.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let cmd = m.shim("greet", "elsewhere");
    let script = format!(
        "cd {gone} && rmdir {gone} && exec {shim}",
        gone = gone.display(),
        shim = m.shims().join("greet").display()
    );
    let mut sh = Command::new("/bin/sh");
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.args(["-c", &script]).current_dir(m.dir("elsewhere"));
    let (code, out, err) = run_with_input(sh, "");
    assert_eq!(code, Some(7), "{out}{err}");
    assert_eq!(out, "greet 2.0 args:\n");
}
