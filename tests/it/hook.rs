//! The shell hook, driven the way a person uses it: bash, zsh and fish run in tmux
//! with the hook `vx activate` printed in their rc file, and keys typed into them:
//! `cd` into a project, into a sub-directory, into another project, out, an edit of
//! vx.toml while inside, a tool that is not installed. Each step is read from a file
//! the shell writes (`env -0`, the tools' output, its stderr), never from the screen.
//! Plus `vx hook-env` alone on a malformed vx.toml.

// Unix only: tmux drives real shells.
#![cfg(unix)]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::tmux::Terminal;
use common::{Work, output_of, wait_for};
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// A tool whose one executable `NAME` (`alpha` or `beta`) prints `NAME ran`.
fn tool_archive(name: &str) -> Vec<u8> {
    let script = format!("#!/bin/sh\necho '{name} ran'\n");
    let path = if name == "alpha" {
        "pkg/bin/alpha"
    } else {
        "pkg/bin/beta"
    };
    tar_gz(&[
        Item::Dir("pkg/"),
        Item::File(path, script.into_bytes(), 0o755),
    ])
}

fn tool_table(server: &TestServer, name: &str, version: &str, sha256: &str) -> String {
    format!(
        "[tools.{name}]\nversion = \"{version}\"\nurl = \"{}\"\nsha256 = \"{sha256}\"\nstrip_components = 1\n\n",
        server.url(&format!("/{name}.tar.gz"))
    )
}

/// A value no shell takes literally without quoting.
const TRICKY: &str = "it's \"quoted\" $HOME `x` \\ ; exit\nsecond line";

/// The value the user had before entering: the project overrides it.
const USERS: &str = "the user's own";

/// Two projects, `a` (tool `alpha`, `[env]`, `[settings] path`) and `b` (tool
/// `beta`), both installed in a store under `XDG_DATA_HOME`, and a home directory
/// outside both.
struct Projects {
    work: Work,
    server: TestServer,
}

impl Projects {
    fn new() -> Projects {
        let (alpha, beta) = (tool_archive("alpha"), tool_archive("beta"));
        let server = TestServer::start([
            ("/alpha.tar.gz", Route::Ok(alpha.clone())),
            ("/beta.tar.gz", Route::Ok(beta.clone())),
        ]);
        let work = Work::new();
        let projects = Projects { work, server };
        for dir in ["home/work", "a/sub", "a/scripts", "b", "snaps"] {
            std::fs::create_dir_all(projects.path(dir)).unwrap();
        }
        projects.write_a("first");
        let b = format!(
            "{}[env]\nOVERRIDDEN = \"b's\"\nONLY_B = \"{{project}}/b-target\"\n",
            tool_table(&projects.server, "beta", "2.0", &sha256_hex(&beta))
        );
        std::fs::write(projects.path("b/vx.toml"), b).unwrap();
        for dir in ["a", "b"] {
            projects
                .work
                .vx()
                .args(["sync", "--headless"])
                .current_dir(projects.path(dir))
                .env("XDG_DATA_HOME", projects.path("xdg"))
                .assert()
                .success();
            projects.trust(dir, true);
        }
        projects
    }

    /// `vx trust` (`--revoke` when not `trusted`) in `dir`: the hook applies the
    /// project's own [env], env files and [settings] path only once it is trusted.
    fn trust(&self, dir: &str, trusted: bool) {
        let mut cmd = self.work.vx();
        cmd.arg("trust")
            .current_dir(self.path(dir))
            .env("XDG_DATA_HOME", self.path("xdg"));
        if !trusted {
            cmd.arg("--revoke");
        }
        cmd.assert().success();
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.dir.path().join(rel)
    }

    /// A project directory `dir` whose vx.toml is `manifest` (not trusted yet).
    fn write_project(&self, dir: &str, manifest: &str) {
        std::fs::create_dir_all(self.path(dir)).unwrap();
        std::fs::write(self.path(&format!("{dir}/vx.toml")), manifest).unwrap();
    }

    /// Project a's vx.toml, `GREETING_2` set to `second`; any other value than
    /// `first` (an edit) adds a tool that is not installed, `gamma`.
    fn write_a(&self, second: &str) {
        let alpha = sha256_hex(&tool_archive("alpha"));
        let mut text = tool_table(&self.server, "alpha", "1.0", &alpha);
        if second != "first" {
            let sha = "0".repeat(64);
            text.push_str(&tool_table(&self.server, "gamma", "3.0", &sha));
        }
        let tricky = toml::Value::String(TRICKY.to_owned()).to_string();
        text.push_str(&format!(
            "[env]\nGREETING = {tricky}\nGREETING_2 = \"{second}\"\nOVERRIDDEN = \"a's\"\n\
             LEGACY = false\nTARGET = \"{{project}}/target\"\n\n[settings]\npath = [\"scripts\"]\n"
        ));
        replace(&self.path("a/vx.toml"), &text);
    }

    fn bin(&self, tool: &str, version: &str) -> String {
        crate::common::tree_in(self.path("xdg/vx/store"), tool, version)
            .join("bin")
            .display()
            .to_string()
    }
}

/// A POSIX shell word.
fn quote(text: &str) -> String {
    vx_project::toolchain::shell::sh_quote(text)
}

/// One of the shells under test.
#[derive(Clone, Copy, Debug)]
enum Sh {
    Bash,
    Zsh,
    Fish,
}

impl Sh {
    fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// Writes the rc file under `rc_dir` (the hook as `vx activate` prints it, and
    /// `snap NAME`: `env -0` into `$SNAPS/NAME`, complete when it appears) and
    /// returns the variables and command line that start the shell with it.
    fn setup(self, rc_dir: &Path) -> (Vec<(String, String)>, String) {
        let vx = quote(&assert_cmd::cargo::cargo_bin("vx").display().to_string());
        let dir = rc_dir.display().to_string();
        match self {
            Sh::Bash | Sh::Zsh => {
                let rc = format!(
                    "snap() {{ env -0 > \"$SNAPS/$1.tmp\" && mv \"$SNAPS/$1.tmp\" \"$SNAPS/$1\"; }}\n\
                     eval \"$({vx} activate {})\"\n",
                    self.name()
                );
                if let Sh::Bash = self {
                    std::fs::write(rc_dir.join("bashrc"), rc).unwrap();
                    let line = format!("bash --noprofile --rcfile {}/bashrc -i", quote(&dir));
                    (Vec::new(), line)
                } else {
                    std::fs::write(rc_dir.join(".zshrc"), rc).unwrap();
                    (vec![("ZDOTDIR".into(), dir)], "zsh -i".into())
                }
            }
            Sh::Fish => {
                let rc = format!(
                    "function snap\n  env -0 > $SNAPS/$argv[1].tmp; and mv $SNAPS/$argv[1].tmp $SNAPS/$argv[1]\nend\n\
                     {vx} activate fish | source\n"
                );
                std::fs::create_dir_all(rc_dir.join("fish")).unwrap();
                std::fs::write(rc_dir.join("fish/config.fish"), rc).unwrap();
                (vec![("XDG_CONFIG_HOME".into(), dir)], "fish -i".into())
            }
        }
    }

    /// Whether the shell is installed (`.ci/run` installs bash, zsh and fish): asked
    /// for its version, which starts no session (fish's makes its directories in the
    /// user's home).
    fn available(self) -> bool {
        let found = Command::new(self.name())
            .arg("--version")
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            eprintln!("skipped: no {}", self.name());
        }
        found
    }
}

/// The shell of one test and where it writes.
struct Session {
    terminal: Terminal,
    snaps: PathBuf,
}

impl Session {
    /// Types `line` then `snap NAME`, and returns that snapshot: the exported
    /// variables, without those that only say where the shell is.
    fn step(&self, line: &str, name: &str) -> BTreeMap<String, String> {
        if !line.is_empty() {
            self.terminal.line(line);
        }
        self.terminal.line(&format!("snap {name}"));
        let path = self.snaps.join(name);
        let bytes = wait_for(&format!("snapshot {name}"), || std::fs::read(&path).ok());
        let mut vars: BTreeMap<String, String> = bytes
            .split(|b| *b == 0)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                let (k, v) = entry.split_once('=').unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect();
        for place in ["PWD", "OLDPWD", "_"] {
            vars.remove(place);
        }
        vars
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.snaps.join(name)).unwrap_or_default()
    }

    /// `shell` started in a terminal in `p`'s `home/work`, with the hook in its rc
    /// file, a clean environment (a user's value of `OVERRIDDEN` and `LEGACY`) and
    /// its stderr appended to `errors`; `tag` names its tmux server.
    fn open(p: &Projects, shell: Sh, tag: &str, errors: &Path) -> Session {
        let snaps = p.path("snaps");
        let rc_dir = p.path("rc");
        std::fs::create_dir_all(&rc_dir).unwrap();
        let (extra, shell_line) = shell.setup(&rc_dir);
        let mut vars: Vec<(String, String)> = vec![
            ("HOME".into(), p.path("home").display().to_string()),
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            ("TERM".into(), "xterm-256color".into()),
            ("XDG_DATA_HOME".into(), p.path("xdg").display().to_string()),
            ("VX_BOARD_DIR".into(), p.work.boards().display().to_string()),
            ("SNAPS".into(), snaps.display().to_string()),
            ("OVERRIDDEN".into(), USERS.into()),
            ("LEGACY".into(), "legacy value".into()),
        ];
        vars.extend(extra);
        let assignments: Vec<String> = vars
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        let command = format!(
            "exec env -i {} {shell_line} 2>>{}",
            assignments.join(" "),
            quote(&errors.display().to_string())
        );
        Session {
            terminal: Terminal::start(
                &format!("hook-{tag}"),
                (200, 50),
                Some(&p.path("home/work")),
                &command,
            ),
            snaps,
        }
    }
}

fn first_entries(vars: &BTreeMap<String, String>, n: usize) -> Vec<String> {
    vars["PATH"].split(':').take(n).map(str::to_owned).collect()
}

/// The whole walk in `shell`.
fn walk(shell: Sh) {
    if !shell.available() || Command::new("tmux").arg("-V").output().is_err() {
        return;
    }
    let p = Projects::new();
    let errors = p.path("stderr.log");
    let session = Session::open(&p, shell, shell.name(), &errors);
    let quoted = |rel: &str| quote(&p.path(rel).display().to_string());

    let start = session.step("", "start");
    assert_eq!(
        start["OVERRIDDEN"], USERS,
        "{shell:?}: the user's environment"
    );
    assert!(
        !start.contains_key("__VX_STATE"),
        "{shell:?}: no project, no state"
    );

    // Into project a: its tool by its bare name, [settings] path after it, [env] set.
    // (bash applies at the prompt after `cd`, zsh and fish at `cd` already.)
    session.terminal.line(&format!("cd {}", quoted("a")));
    let a = session.step("alpha > \"$SNAPS/alpha.out\"", "a");
    assert_eq!(session.read("alpha.out"), "alpha ran\n", "{shell:?}");
    assert_eq!(
        first_entries(&a, 2),
        [
            p.bin("alpha", "1.0"),
            p.path("a/scripts").display().to_string()
        ],
        "{shell:?}"
    );
    assert!(
        a["PATH"].ends_with(&start["PATH"]),
        "{shell:?}: {}",
        a["PATH"]
    );
    assert_eq!(a["GREETING"], TRICKY, "{shell:?}: byte for byte");
    assert_eq!(a["OVERRIDDEN"], "a's", "{shell:?}");
    assert_eq!(a.get("LEGACY"), None, "{shell:?}: unset by the project");
    assert_eq!(a["TARGET"], format!("{}/target", p.path("a").display()));

    // A sub-directory: the same project, nothing changes.
    let sub = session.step("cd sub", "a-sub");
    assert_eq!(sub, a, "{shell:?}: a sub-directory changes nothing");

    // Into project b: switched, a's variables gone or back to the user's.
    session.terminal.line(&format!("cd {}", quoted("b")));
    let b = session.step("beta > \"$SNAPS/beta.out\"", "b");
    assert_eq!(session.read("beta.out"), "beta ran\n", "{shell:?}");
    assert_eq!(first_entries(&b, 1), [p.bin("beta", "2.0")], "{shell:?}");
    assert!(!b["PATH"].contains(&p.bin("alpha", "1.0")), "{shell:?}");
    assert!(!b["PATH"].contains("a/scripts"), "{shell:?}");
    assert_eq!(b["OVERRIDDEN"], "b's", "{shell:?}");
    assert_eq!(b["ONLY_B"], format!("{}/b-target", p.path("b").display()));
    assert_eq!(
        b.get("LEGACY").map(String::as_str),
        Some("legacy value"),
        "{shell:?}: back after a"
    );
    for gone in ["GREETING", "GREETING_2", "TARGET"] {
        assert_eq!(b.get(gone), None, "{shell:?}: {gone} of a left behind");
    }

    // Out: everything as the user had it, byte for byte.
    let out = session.step(&format!("cd {}", quoted("home/work")), "out");
    assert_eq!(out, start, "{shell:?}: leaving restores the shell");

    // vx.toml edited inside: the next prompt applies it, and the tool it adds, not
    // installed, is said once.
    let before = session.step(&format!("cd {}", quoted("a")), "a2");
    assert_eq!(before["GREETING_2"], "first");
    p.write_a("second");
    session.terminal.line("true");
    let edited = session.step("", "a3");
    assert_eq!(
        edited["GREETING_2"], "second",
        "{shell:?}: the edit applied"
    );
    assert_eq!(
        first_entries(&edited, 1),
        [p.bin("alpha", "1.0")],
        "{shell:?}"
    );
    session.terminal.line("true");
    session.terminal.line("cd sub");
    let later = session.step("true", "a4");
    assert_eq!(later, edited, "{shell:?}");
    let out = session.step(&format!("cd {}", quoted("home/work")), "out2");
    assert_eq!(out, start, "{shell:?}: leaving after the edit");
    let stderr = std::fs::read_to_string(&errors).unwrap_or_default();
    let said = "vx: gamma 3.0 is not installed; run `vx sync`";
    assert_eq!(
        stderr.matches(said).count(),
        1,
        "{shell:?}: said once:\n{stderr}"
    );
    // Nothing else from vx (bash's prompt and the typed lines go to stderr too).
    assert_eq!(stderr.matches("vx: ").count(), 1, "{shell:?}: {stderr}");
}

#[test]
fn bash_follows_cd_and_restores_the_shell() {
    walk(Sh::Bash);
}

#[test]
fn zsh_follows_cd_and_restores_the_shell() {
    walk(Sh::Zsh);
}

#[test]
fn fish_follows_cd_and_restores_the_shell() {
    walk(Sh::Fish);
}

/// `vx hook-env` in `dir` with the shell state `state` and the variables `vars`:
/// stdout and stderr.
/// Project `e` of `p`: no tools, `[env]`, and the env file `.env` beside it.
fn env_file_project(p: &Projects, dotenv: &str) {
    p.write_project(
        "e",
        "[settings]\nenv_file = \".env\"\n\n[env]\nOVERRIDDEN = \"e's\"\n",
    );
    std::fs::write(p.path("e/.env"), dotenv).unwrap();
    p.trust("e", true);
}

/// Writes `text` to `path` as an editor saves: a new file renamed over the old. The
/// hook of the prompt drawn after a step's snapshot may still be running when a test
/// edits a file; a write in place could show it an empty or half-written file (whose
/// values it would apply), a rename shows it the old file or the new one.
fn replace(path: &Path, text: &str) {
    let new = path.with_extension("vx-test-new");
    std::fs::write(&new, text).unwrap();
    std::fs::rename(&new, path).unwrap();
}

#[test]
fn an_edit_of_the_env_file_applies_at_the_next_prompt() {
    let shell = Sh::Bash;
    if !shell.available() || Command::new("tmux").arg("-V").output().is_err() {
        return;
    }
    let p = Projects::new();
    env_file_project(&p, "TOKEN='s3cret-one'\nOVERRIDDEN=from-dotenv\n");
    let errors = p.path("stderr.log");
    let session = Session::open(&p, shell, "env-file", &errors);
    let quoted = |rel: &str| quote(&p.path(rel).display().to_string());
    let start = session.step("", "start");

    session.terminal.line(&format!("cd {}", quoted("e")));
    let e = session.step("true", "e");
    assert_eq!(e["TOKEN"], "s3cret-one");
    assert_eq!(e["OVERRIDDEN"], "e's", "vx.toml's [env] wins over the file");

    // The file edited (a longer value, in place): the next prompt applies it.
    replace(&p.path("e/.env"), "TOKEN=\"s3cret-two\\tlonger\"\n");
    session.terminal.line("true");
    let edited = session.step("", "e2");
    assert_eq!(edited["TOKEN"], "s3cret-two\tlonger");

    // A line that is not dotenv: said once, by file and line, no value shown, and
    // the shell keeps what it has.
    replace(&p.path("e/.env"), "TOKEN=s3cret-three\ns3cret-four\n");
    session.terminal.line("true");
    session.terminal.line("true");
    let mut broken = session.step("", "e3");
    let mut edited = edited;
    // The state differs: it remembers the failure, so it is said once.
    for vars in [&mut broken, &mut edited] {
        vars.remove("__VX_STATE");
    }
    assert_eq!(broken, edited, "the shell is left as it was");

    let out = session.step(&format!("cd {}", quoted("home/work")), "out");
    assert_eq!(out, start, "leaving restores the shell");
    let stderr = std::fs::read_to_string(&errors).unwrap_or_default();
    let said = format!(
        "vx: {}, line 2: expected NAME=VALUE; the shell is left as it was",
        p.path("e/.env").display()
    );
    assert_eq!(stderr.matches(&said).count(), 1, "said once:\n{stderr}");
    assert!(
        !stderr.contains("s3cret"),
        "no value on the terminal:\n{stderr}"
    );
}

fn hook_env(
    p: &Projects,
    dir: &str,
    state: Option<&str>,
    vars: &[(&str, &str)],
) -> (String, String) {
    let mut cmd = p.work.vx();
    cmd.args(["hook-env", "--shell", "bash"])
        .current_dir(p.path(dir))
        .env("XDG_DATA_HOME", p.path("xdg"))
        .env_remove("OVERRIDDEN")
        .env_remove("ONLY_B")
        .env_remove("__VX_STATE");
    if let Some(state) = state {
        cmd.env("__VX_STATE", state);
    }
    cmd.envs(vars.iter().copied());
    let out = cmd.assert().code(0).get_output().clone();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The value of `export __VX_STATE='…'` in hook-env's output.
fn state_of(stdout: &str) -> String {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("export __VX_STATE="))
        .expect("a state");
    line.trim_matches('\'').to_owned()
}

#[test]
fn a_malformed_manifest_is_said_once_and_leaves_the_shell_as_it_was() {
    let p = Projects::new();
    let (entered, _) = hook_env(&p, "b", None, &[]);
    assert!(entered.contains("export OVERRIDDEN='b'\\''s'"), "{entered}");
    let state = state_of(&entered);
    std::fs::write(p.path("b/vx.toml"), "[tools.beta\nversion = 1\n").unwrap();
    let (stdout, stderr) = hook_env(&p, "b", Some(&state), &[]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("vx.toml") && stderr.contains("left as it was"),
        "{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the state changes: {stdout}");
    let kept = state_of(&stdout);
    // Said once: the next prompt is quiet.
    assert_eq!(
        hook_env(&p, "b", Some(&kept), &[]),
        (String::new(), String::new())
    );
    // Leaving still restores what b applied.
    let b_applied = [("OVERRIDDEN", "b's"), ("ONLY_B", "x")];
    let (left, _) = hook_env(&p, "home/work", Some(&kept), &b_applied);
    for line in ["unset ONLY_B", "unset OVERRIDDEN", "unset __VX_STATE"] {
        assert!(left.lines().any(|l| l == line), "{line}: {left}");
    }
}

#[test]
fn a_corrupt_state_is_nothing_applied() {
    let p = Projects::new();
    let (stdout, stderr) = hook_env(&p, "home/work", Some("vx1.not-a-state"), &[]);
    assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""));
    let (stdout, stderr) = hook_env(&p, "b", Some("vx1.AAAA"), &[]);
    assert!(stdout.contains("export OVERRIDDEN="), "{stdout}");
    assert_eq!(stderr, "");
}

/// A project the user has not trusted (a repository just cloned) lends the shell its
/// tools, never its own [env] or [settings] path (a `PS1` with `$(…)` or a
/// `PROMPT_COMMAND` there would run in the shell): one line says so and how to trust
/// it; `vx trust` applies them at the next prompt, `vx trust --revoke` takes them back.
#[test]
fn an_untrusted_project_lends_the_shell_its_tools_and_nothing_of_its_own() {
    let p = Projects::new();
    p.trust("b", false);
    let (entered, said) = hook_env(&p, "b", None, &[]);
    assert!(entered.contains(&p.bin("beta", "2.0")), "{entered}");
    assert!(!entered.contains("OVERRIDDEN"), "{entered}");
    assert!(!entered.contains("ONLY_B"), "{entered}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains("is not trusted") && said.contains("`vx trust`"),
        "{said}"
    );
    // Said once: the next prompt is quiet.
    let state = state_of(&entered);
    assert_eq!(
        hook_env(&p, "b", Some(&state), &[]),
        (String::new(), String::new())
    );
    // Trusted, the next prompt applies [env]; revoked, the one after takes it back.
    p.trust("b", true);
    let (trusted, said) = hook_env(&p, "b", Some(&state), &[]);
    assert!(trusted.contains("export OVERRIDDEN='b'\\''s'"), "{trusted}");
    assert_eq!(said, "");
    let state = state_of(&trusted);
    p.trust("b", false);
    let applied = [("OVERRIDDEN", "b's"), ("ONLY_B", "x")];
    let (revoked, _) = hook_env(&p, "b", Some(&state), &applied);
    for line in ["unset ONLY_B", "unset OVERRIDDEN"] {
        assert!(revoked.lines().any(|l| l == line), "{line}: {revoked}");
    }
}

/// A tool that keeps its version in a file (`version_file = ".nvmrc"`) changes with
/// that file: an edit of it is seen at the next prompt, as an edit of vx.toml is.
#[test]
fn an_edit_of_a_version_file_is_seen_at_the_next_prompt() {
    let p = Projects::new();
    p.write_project("n", "[tools]\nnode = { version_file = \".nvmrc\" }\n");
    std::fs::write(p.path("n/.nvmrc"), "20.11.1\n").unwrap();
    let (entered, said) = hook_env(&p, "n", None, &[]);
    assert!(
        said.contains("node \"20.11.1\" is not locked for"),
        "{said}"
    );
    let state = state_of(&entered);
    replace(&p.path("n/.nvmrc"), "22.12.0\n");
    let (_, said) = hook_env(&p, "n", Some(&state), &[]);
    assert!(
        said.contains("node \"22.12.0\" is not locked for"),
        "{said}"
    );
}

/// A project whose environment would be too large for the shell to start programs
/// with (Linux refuses a variable over 128 KiB: every command, the hook's own
/// included, would fail with "Argument list too long") is not applied: one line says
/// why, and the shell is left as it was.
#[test]
fn an_environment_too_large_to_run_commands_with_is_not_applied() {
    let p = Projects::new();
    let mut text = String::from("[env]\n");
    for n in 0..4000 {
        text.push_str(&format!("V{n:04}{} = \"x\"\n", "X".repeat(120)));
    }
    p.write_project("big", &text);
    p.trust("big", true);
    let (stdout, stderr) = hook_env(&p, "big", None, &[]);
    assert!(
        !stdout.contains("export V0000"),
        "{}",
        &stdout[..stdout.len().min(500)]
    );
    assert!(stdout.len() < 4096, "{} bytes printed", stdout.len());
    assert!(
        stderr.contains("not applied") && stderr.contains("no command could start"),
        "{stderr}"
    );
}

/// A cloned repository whose vx.toml is a link to a project the user trusts (or to
/// the global toolset's vx.toml) is another project: its `{project}`, env files and
/// `[settings] path` would be the repository's, so it is not trusted by the link.
#[cfg(unix)]
#[test]
fn a_vx_toml_linking_to_a_trusted_one_is_not_trusted() {
    let p = Projects::new();
    let global = p.path("user-config/vx/vx.toml");
    std::fs::create_dir_all(global.parent().unwrap()).unwrap();
    std::fs::write(&global, "[env]\nFROM_GLOBAL = \"{project}/x\"\n").unwrap();
    for (dir, target) in [("evil", p.path("b/vx.toml")), ("evil2", global.clone())] {
        std::fs::create_dir_all(p.path(dir)).unwrap();
        std::os::unix::fs::symlink(&target, p.path(&format!("{dir}/vx.toml"))).unwrap();
        let (entered, said) = hook_env(&p, dir, None, &[]);
        assert!(!entered.contains("OVERRIDDEN"), "{dir}: {entered}");
        assert!(!entered.contains("FROM_GLOBAL"), "{dir}: {entered}");
        assert!(said.contains("is not trusted"), "{dir}: {said}");
    }
    // Trusting the link's project trusts that one only; b stays as it was.
    p.trust("evil", true);
    let (entered, _) = hook_env(&p, "evil", None, &[]);
    assert!(entered.contains("export OVERRIDDEN="), "{entered}");
    p.trust("evil", false);
    let (entered, _) = hook_env(&p, "b", None, &[]);
    assert!(entered.contains("export OVERRIDDEN="), "{entered}");
}

/// `vx trust` outside a project names its own way out (not `--manifest`, which it
/// does not take), and a file of trusted projects it cannot read is an error naming
/// the file, left as it was (writing over it lost every project it held).
#[test]
fn vx_trust_says_what_to_do_and_never_writes_over_a_file_it_cannot_read() {
    let p = Projects::new();
    let mut cmd = p.work.vx();
    let (_, err) = output_of(
        cmd.arg("trust")
            .current_dir(p.path("home/work"))
            .env("XDG_DATA_HOME", p.path("xdg")),
        2,
    );
    assert!(
        err.contains("`vx trust PATH`") && !err.contains("--manifest"),
        "{err}"
    );

    let file = p.path("xdg/vx/trusted.json");
    let foreign = "{\"version\": 2, \"manifests\": []}\n";
    std::fs::write(&file, foreign).unwrap();
    let (_, err) = output_of(
        p.work
            .vx()
            .arg("trust")
            .current_dir(p.path("b"))
            .env("XDG_DATA_HOME", p.path("xdg")),
        1,
    );
    assert!(err.contains("trusted.json"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), foreign);
}

/// A trusted project's `[env] PROMPT_COMMAND` is not applied by the hook: bash runs
/// the hook from that variable, which the project's value would replace, so leaving
/// would restore nothing and no other project would be applied again.
#[test]
fn the_hook_never_sets_prompt_command() {
    let p = Projects::new();
    p.write_project(
        "pc",
        "[env]\nPROMPT_COMMAND = \"history -a\"\nMARK = \"pc\"\n",
    );
    p.trust("pc", true);
    let (entered, said) = hook_env(&p, "pc", None, &[]);
    assert!(entered.contains("export MARK="), "{entered}");
    assert!(!entered.contains("PROMPT_COMMAND"), "{entered}");
    assert!(
        said.contains("PROMPT_COMMAND is not applied by the hook"),
        "{said}"
    );
}

/// `cd DIR && CMD` on one command line, as people type it: the command runs with
/// DIR's tools and [env], not with those of the directory the line started in, and
/// `pushd`/`popd` switch the same way. bash has no `chpwd`: its hook wraps `cd`,
/// `pushd` and `popd` (issue 49, item 5); zsh and fish follow `cd` already.
fn one_line(shell: Sh) {
    if !shell.available() || !Terminal::available() {
        return;
    }
    let p = Projects::new();
    let errors = p.path("stderr.log");
    let session = Session::open(&p, shell, &format!("{}-line", shell.name()), &errors);
    let quoted = |rel: &str| quote(&p.path(rel).display().to_string());
    session.step("", "start");

    // Into a project and its tool at once.
    session.terminal.line(&format!(
        "cd {} && alpha > \"$SNAPS/alpha.out\" && printenv OVERRIDDEN > \"$SNAPS/a.env\"",
        quoted("a")
    ));
    session.step("", "in-a");
    assert_eq!(session.read("alpha.out"), "alpha ran\n", "{shell:?}");
    assert_eq!(session.read("a.env"), "a's\n", "{shell:?}");

    // Out of it at once: the project's [env] is gone for the command.
    session.terminal.line(&format!(
        "cd {} && printenv OVERRIDDEN > \"$SNAPS/out.env\"",
        quoted("home/work")
    ));
    session.step("", "out");
    assert_eq!(session.read("out.env"), format!("{USERS}\n"), "{shell:?}");

    // pushd into b, popd back into a, on one line.
    session.terminal.line(&format!("cd {}", quoted("a")));
    session.terminal.line(&format!(
        "pushd {} > /dev/null && beta > \"$SNAPS/beta.out\" && printenv OVERRIDDEN > \"$SNAPS/b.env\" && popd > /dev/null && printenv OVERRIDDEN > \"$SNAPS/back.env\"",
        quoted("b")
    ));
    let back = session.step("", "back");
    assert_eq!(session.read("beta.out"), "beta ran\n", "{shell:?}");
    assert_eq!(session.read("b.env"), "b's\n", "{shell:?}");
    assert_eq!(session.read("back.env"), "a's\n", "{shell:?}");
    assert_eq!(
        first_entries(&back, 1),
        [p.bin("alpha", "1.0")],
        "{shell:?}"
    );

    // A failed cd leaves everything where it was, and its status reaches the line.
    session.terminal.line(&format!(
        "cd {} || printenv OVERRIDDEN > \"$SNAPS/failed.env\"",
        quoted("nowhere")
    ));
    session.step("", "failed");
    assert_eq!(session.read("failed.env"), "a's\n", "{shell:?}");
    let stderr = std::fs::read_to_string(&errors).unwrap_or_default();
    assert_eq!(stderr.matches("vx: ").count(), 0, "{shell:?}: {stderr}");
}

#[test]
fn bash_follows_cd_within_one_command_line() {
    one_line(Sh::Bash);
}

#[test]
fn zsh_follows_cd_within_one_command_line() {
    one_line(Sh::Zsh);
}

#[test]
fn fish_follows_cd_within_one_command_line() {
    one_line(Sh::Fish);
}
