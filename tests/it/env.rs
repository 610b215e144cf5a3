//! `[env]` and `[settings] path` end to end with the real binary: every `vx env` form
//! evaluated by the real shell it is for (bash, zsh, fish) and the values printed
//! back, JSON parsed, the GitHub Actions files written; `vx exec` and `vx CMD` (fresh
//! and from the activation record); and the daemon's `get_environment` and `vx env`
//! through the daemon; `[settings] env_file` through each of them. The tool, `show`,
//! is a raw shell script served over loopback HTTP.

// Unix only: the shells, the tool script, the daemon's socket.
#![cfg(unix)]

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{DEADLINE, Work, output_of};
use vx_fixture::{Route, TestServer, sha256_hex};

/// Prints the project's variables back, NUL-separated, `<unset>` for an unset one.
const SHOW: &str = "#!/bin/sh\nprintf '%s\\0' \"$SPACES\" \"$QUOTES\" \"$DOLLAR\" \"$MULTI\" \"$CONTROL\" \"$TARGET\" \"$LOG\" \"${GONE-<unset>}\"\n";

/// The values `SHOW` prints, for a project in `dir`, `LOG` unset before.
fn expected(dir: &Path) -> String {
    [
        "a b  c",
        "it's \"q\"",
        "$HOME and \\ and `x`",
        "line one\nline two",
        "bell\u{7}esc\u{1b}[0m",
        &format!("{}/target", dir.display()),
        "info",
        "<unset>",
    ]
    .iter()
    .map(|v| format!("{v}\0"))
    .collect()
}

const ENV: &str = r#"
[env]
SPACES = "a b  c"
QUOTES = "it's \"q\""
DOLLAR = "$HOME and \\ and `x`"
MULTI = "line one\nline two"
CONTROL = "bell\u0007esc\u001b[0m"
TARGET = "{project}/target"
LOG = "${LOG:-info}"
GONE = false

[settings]
path = ["scripts"]
"#;

struct Project {
    work: Work,
    _server: TestServer,
}

impl Project {
    fn new() -> Project {
        Project::with(ENV)
    }

    /// The project with `env` (its `[env]`, `[settings]` and more) after its tool.
    fn with(env: &str) -> Project {
        let server = TestServer::start([("/show", Route::Ok(SHOW.as_bytes().to_vec()))]);
        let work = Work::new();
        work.write_manifest(&format!(
            "[tools.show]\nversion = \"1.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nformat = \"raw\"\n{env}",
            server.url("/show"),
            sha256_hex(SHOW.as_bytes()),
        ));
        let scripts = work.dir.path().join("scripts");
        std::fs::create_dir(&scripts).unwrap();
        let hello = scripts.join("hello");
        std::fs::write(&hello, "#!/bin/sh\necho hello from scripts\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hello, std::fs::Permissions::from_mode(0o755)).unwrap();
        let project = Project {
            work,
            _server: server,
        };
        project.vx().args(["sync", "--headless"]).assert().success();
        project
    }

    fn dir(&self) -> &Path {
        self.work.dir.path()
    }

    fn xdg(&self) -> PathBuf {
        self.dir().join("xdg")
    }

    fn tool_dir(&self) -> PathBuf {
        crate::common::tree_in(self.xdg().join("vx/store"), "show", "1.0")
    }

    /// `vx ARGS` in the project directory, with its store as the default, `GONE` set
    /// and `LOG` unset in its environment.
    /// `vx ARGS`, which must succeed: its stdout.
    fn stdout(&self, args: &[&str]) -> String {
        let out = self.vx().args(args).assert().success();
        text(&out.get_output().stdout)
    }

    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.env("XDG_DATA_HOME", self.xdg())
            .env("GONE", "was set")
            .env_remove("LOG")
            .timeout(DEADLINE);
        cmd
    }

    /// `SHELL ARGS` in the project directory, as [`Project::vx`] sets it up.
    fn shell(&self, shell: &str, args: &[&str]) -> std::process::Output {
        Command::new(shell)
            .args(args)
            .env("VX", assert_cmd::cargo::cargo_bin("vx"))
            .envs(self.work.vx_env())
            .env("XDG_DATA_HOME", self.xdg())
            .env("GONE", "was set")
            .env("PATH", "/usr/bin:/bin")
            .env_remove("LOG")
            .current_dir(self.dir())
            .output()
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a shell prints after evaluating `vx env` twice: the variables, then `PATH`
/// and what `hello` (from `[settings] path`) says.
fn check_shell(project: &Project, out: std::process::Output) {
    let stdout = text(&out.stdout);
    let (vars, rest) = stdout
        .split_once("--\n")
        .unwrap_or_else(|| panic!("{stdout}{}", text(&out.stderr)));
    assert_eq!(vars, expected(project.dir()), "{}", text(&out.stderr));
    let path = format!(
        "{}:{}:/usr/bin:/bin\nhello from scripts\n",
        project.tool_dir().display(),
        project.dir().join("scripts").display()
    );
    assert_eq!(rest, path, "evaluated twice, each directory once");
}

const POSIX: &str = r#"eval "$("$VX" env --shell SHELL)" && eval "$("$VX" env --shell SHELL)" && show && printf -- '--\n%s\n' "$PATH" && hello"#;

#[test]
fn bash_and_zsh_read_back_every_value() {
    let project = Project::new();
    for shell in ["bash", "zsh"] {
        let script = POSIX.replace("SHELL", shell);
        let args: &[&str] = if shell == "zsh" {
            &["-f", "-c", &script]
        } else {
            &["-c", &script]
        };
        check_shell(&project, project.shell(shell, args));
    }
    // The output itself shows no control character to a terminal.
    let printed = project.stdout(&["env", "--shell", "bash"]);
    assert!(
        !printed.chars().any(|c| c.is_control() && c != '\n'),
        "{printed:?}"
    );
    assert!(printed.contains("unset GONE\n"), "{printed}");
}

#[test]
fn fish_reads_back_every_value() {
    let project = Project::new();
    let script = r#"$VX env --shell fish | source; and $VX env --shell fish | source; and show; and printf '%s\n' -- (string join : $PATH); and hello"#;
    check_shell(
        &project,
        project.shell("fish", &["--no-config", "-c", script]),
    );
}

#[test]
fn json_and_powershell_hold_every_value() {
    let project = Project::new();
    let json: serde_json::Value =
        serde_json::from_str(&project.stdout(&["env", "--shell", "json"])).unwrap();
    let values: Vec<String> = expected(project.dir())
        .split('\0')
        .map(str::to_owned)
        .collect();
    let names = [
        "SPACES", "QUOTES", "DOLLAR", "MULTI", "CONTROL", "TARGET", "LOG",
    ];
    for (name, value) in names.iter().zip(&values) {
        assert_eq!(json[name], value.as_str(), "{name}");
    }
    assert_eq!(json["GONE"], serde_json::Value::Null);
    let path = json["PATH"].as_str().unwrap();
    let scripts = project.dir().join("scripts");
    assert!(
        path.starts_with(&format!(
            "{}:{}:",
            project.tool_dir().display(),
            scripts.display()
        )),
        "{path}"
    );

    let printed = project.stdout(&["env", "--shell", "powershell"]);
    assert!(
        printed.contains("$env:QUOTES = 'it''s \"q\"'\n"),
        "{printed}"
    );
    assert!(
        printed.contains("$env:CONTROL = '' + 'bell' + [char]0x07 + 'esc' + [char]0x1B + '[0m'\n"),
        "{printed}"
    );
    assert!(printed.contains("Remove-Item Env:GONE"), "{printed}");
}

#[test]
fn github_appends_to_the_files_actions_reads() {
    let project = Project::new();
    let (path_file, env_file) = (project.dir().join("gh-path"), project.dir().join("gh-env"));
    std::fs::write(&env_file, "EARLIER=1\n").unwrap();
    let out = project
        .vx()
        .args(["env", "--shell", "github"])
        .env("GITHUB_PATH", &path_file)
        .env("GITHUB_ENV", &env_file)
        .assert()
        .success();
    assert_eq!(text(&out.get_output().stdout), "", "all went to the files");
    assert!(text(&out.get_output().stderr).contains("cannot remove GONE"));
    // The runner prepends each line in turn: the tools end up first.
    assert_eq!(
        std::fs::read_to_string(&path_file).unwrap(),
        format!(
            "{}\n{}\n",
            project.dir().join("scripts").display(),
            project.tool_dir().display()
        )
    );
    let written = std::fs::read_to_string(&env_file).unwrap();
    let parsed = parse_github_env(&written);
    let values: Vec<String> = expected(project.dir())
        .split('\0')
        .map(str::to_owned)
        .collect();
    let mut want = vec![("EARLIER".to_owned(), "1".to_owned())];
    let names = [
        "SPACES", "QUOTES", "DOLLAR", "MULTI", "CONTROL", "TARGET", "LOG",
    ];
    want.extend(
        names
            .iter()
            .zip(&values)
            .map(|(n, v)| (n.to_string(), v.clone())),
    );
    want.push(("GONE".into(), String::new()));
    assert_eq!(parsed, want, "{written}");

    // Without the variables: what would be written, on stdout.
    let printed = project.stdout(&["env", "--shell", "github"]);
    assert!(printed.starts_with("# $GITHUB_PATH\n"), "{printed}");
    assert!(
        printed.contains("# $GITHUB_ENV\nSPACES=a b  c\n"),
        "{printed}"
    );
}

/// `$GITHUB_ENV` as the runner reads it: `NAME=value`, or `NAME<<DELIM` … `DELIM`.
fn parse_github_env(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for line in lines.by_ref() {
                if line == delimiter {
                    break;
                }
                value.push(line);
            }
            out.push((name.to_owned(), value.join("\n")));
        } else {
            let (name, value) = line.split_once('=').unwrap();
            out.push((name.to_owned(), value.to_owned()));
        }
    }
    out
}

#[test]
fn exec_and_a_tool_command_see_env_and_path() {
    let project = Project::new();
    // Twice each: the first resolves in full and records, the second uses the record.
    for _ in 0..2 {
        for args in [&["exec", "--", "show"][..], &["show"]] {
            assert_eq!(project.stdout(args), expected(project.dir()), "{args:?}");
        }
        assert_eq!(
            project.stdout(&["exec", "--", "hello"]),
            "hello from scripts\n"
        );
    }
    // A `${VAR}` template sees the caller's environment.
    let out = project
        .vx()
        .args(["exec", "--", "sh", "-c", "printf %s \"$LOG\""])
        .env("LOG", "debug")
        .assert()
        .success();
    assert_eq!(text(&out.get_output().stdout), "debug");
}

/// A daemon of the project's store on a socket of its own, stopped when dropped.
struct Daemon<'p> {
    project: &'p Project,
    socket: PathBuf,
}

impl<'p> Daemon<'p> {
    fn start(project: &'p Project) -> Daemon<'p> {
        let daemon = Daemon {
            project,
            socket: project.dir().join("run/daemon.sock"),
        };
        std::fs::create_dir(project.dir().join("run")).unwrap();
        daemon
            .vx()
            .args(["daemon", "start", "--store"])
            .arg(project.xdg().join("vx/store"))
            .assert()
            .success();
        daemon
    }

    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.project.vx();
        cmd.env("VX_DAEMON_SOCKET", &self.socket);
        cmd
    }

    fn ask(&self, request: serde_json::Value) -> serde_json::Value {
        let stream = UnixStream::connect(&self.socket).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut writer = stream.try_clone().unwrap();
        writer.write_all(format!("{request}\n").as_bytes()).unwrap();
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for Daemon<'_> {
    fn drop(&mut self) {
        let _ = self.vx().args(["daemon", "stop"]).output();
    }
}

#[test]
fn the_daemon_answers_with_the_project_environment() {
    let project = Project::new();
    let daemon = Daemon::start(&project);
    let ask = || {
        daemon.ask(serde_json::json!({
            "type": "get_environment",
            "runtime": "show",
            "cwd": project.dir().to_str().unwrap(),
        }))
    };
    // An editor applies what the daemon answers on its own, as the hook does: of a
    // project the user has not trusted, its tools alone, and `toolchain` says so.
    let untrusted = ask();
    assert_eq!(untrusted["type"], "environment", "{untrusted}");
    assert!(untrusted["env"]["SPACES"].is_null(), "{untrusted}");
    assert!(untrusted["env"]["PATH"].is_string(), "{untrusted}");
    let toolchain = daemon.ask(serde_json::json!({
        "type": "toolchain",
        "cwd": project.dir().to_str().unwrap(),
    }));
    assert_eq!(toolchain["trusted"], false, "{toolchain}");
    project.vx().arg("trust").assert().success();
    let answer = ask();
    assert_eq!(answer["type"], "environment", "{answer}");
    let env = &answer["env"];
    assert_eq!(env["SPACES"], "a b  c");
    assert_eq!(env["MULTI"], "line one\nline two");
    assert_eq!(
        env["TARGET"],
        format!("{}/target", project.dir().display()).as_str()
    );
    assert!(env.get("GONE").is_none());
    assert_eq!(answer["unset"], serde_json::json!(["GONE"]));
    let path = env["PATH"].as_str().unwrap();
    assert!(
        path.starts_with(&format!(
            "{}:{}:",
            project.tool_dir().display(),
            project.dir().join("scripts").display()
        )),
        "{path}"
    );

    // `vx env` through the daemon: the same values, expanded in the caller's
    // environment.
    let out = daemon
        .vx()
        .args(["env", "--shell", "json"])
        .env("LOG", "trace")
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["LOG"], "trace");
    assert_eq!(json["QUOTES"], "it's \"q\"");
    assert_eq!(json["GONE"], serde_json::Value::Null);
}

/// A project reading `.env` and, when it is there, `.env.local`, with `[env]` above.
const WITH_ENV_FILES: &str = r#"
[settings]
env_file = [".env", { path = ".env.local", optional = true }]

[env]
BOTH = "vx.toml's"
"#;

/// A `.env` in every form the dotenv tools read (docker compose, python-dotenv).
const DOTENV: &str = "# a comment\n\
PLAIN=plain value   # a comment after it\n\
export EXPORTED = exported\n\
BOTH=the file's\n\
DOUBLE=\"tab\\there \\\"q\\\" ${LOG:-info} {project}/x\"\n\
SINGLE='${LOG} \\n $(id) kept'\n\
RUN=$(touch ran) `touch ran` $HOME\n\
PEM=\"-----BEGIN-----\n\
abc\n\
-----END-----\"\n\
OVERRIDE=first\n";

/// The values [`DOTENV`] (and `.env.local`'s `OVERRIDE`) set, in a project at `dir`
/// with `LOG` unset.
fn dotenv_values(dir: &Path, over: &str) -> serde_json::Value {
    serde_json::json!({
        "PLAIN": "plain value",
        "EXPORTED": "exported",
        "BOTH": "vx.toml's",
        "DOUBLE": format!("tab\there \"q\" info {}/x", dir.display()),
        "SINGLE": "${LOG} \\n $(id) kept",
        "RUN": "$(touch ran) `touch ran` $HOME",
        "PEM": "-----BEGIN-----\nabc\n-----END-----",
        "OVERRIDE": over,
    })
}

/// The [`dotenv_values`] names out of a `vx env --shell json` answer.
fn picked(json: &serde_json::Value) -> serde_json::Value {
    let names = [
        "PLAIN", "EXPORTED", "BOTH", "DOUBLE", "SINGLE", "RUN", "PEM", "OVERRIDE",
    ];
    names
        .iter()
        .map(|n| ((*n).to_owned(), json[*n].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Prints [`dotenv_values`]' variables as `vx env --shell json` would.
const PRINT_JSON: &str = r#"python3 -c 'import json, os; print(json.dumps({k: os.environ.get(k) for k in ["PLAIN", "EXPORTED", "BOTH", "DOUBLE", "SINGLE", "RUN", "PEM", "OVERRIDE"]}))'"#;

#[test]
fn env_files_go_under_env_in_vx_env_exec_run_and_the_daemon() {
    let project = Project::with(&format!(
        "{WITH_ENV_FILES}\n[scripts]\nprint = {:?}\n",
        PRINT_JSON
    ));
    std::fs::write(project.dir().join(".env"), DOTENV).unwrap();
    let json = |out: &assert_cmd::assert::Assert| -> serde_json::Value {
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let out = project
        .vx()
        .args(["env", "--shell", "json"])
        .assert()
        .success();
    assert_eq!(picked(&json(&out)), dotenv_values(project.dir(), "first"));
    // vx exec and vx run, twice (nothing is recorded that would hide an edit).
    for _ in 0..2 {
        for args in [
            &["exec", "--", "sh", "-c", PRINT_JSON][..],
            &["run", "print"],
        ] {
            let out = project.vx().args(args).assert().success();
            assert_eq!(
                json(&out),
                dotenv_values(project.dir(), "first"),
                "{args:?}"
            );
        }
    }
    assert!(
        !project.dir().join("ran").exists(),
        "nothing in the file ran"
    );

    // The optional file appears: its values win over .env's, vx.toml's over both.
    std::fs::write(
        project.dir().join(".env.local"),
        "OVERRIDE=second\nBOTH=local\n",
    )
    .unwrap();
    let out = project
        .vx()
        .args(["exec", "--", "sh", "-c", PRINT_JSON])
        .assert()
        .success();
    assert_eq!(json(&out), dotenv_values(project.dir(), "second"));

    // The daemon reads them too (the project trusted, as an editor applies them on
    // its own), and sees an edit at once.
    project.vx().arg("trust").assert().success();
    let daemon = Daemon::start(&project);
    let answer = daemon.ask(serde_json::json!({
        "type": "get_environment",
        "runtime": "show",
        "cwd": project.dir().to_str().unwrap(),
    }));
    assert_eq!(answer["env"]["OVERRIDE"], "second", "{answer}");
    assert_eq!(answer["env"]["PEM"], "-----BEGIN-----\nabc\n-----END-----");
    let out = daemon
        .vx()
        .args(["env", "--shell", "json"])
        .assert()
        .success();
    assert_eq!(json(&out)["OVERRIDE"], "second");
    std::fs::write(project.dir().join(".env.local"), "OVERRIDE=third\n").unwrap();
    let out = daemon
        .vx()
        .args(["env", "--shell", "json"])
        .assert()
        .success();
    assert_eq!(
        json(&out)["OVERRIDE"],
        "third",
        "the edit, through the daemon"
    );
}

#[test]
fn a_missing_or_malformed_env_file_is_a_project_error_that_shows_no_value() {
    let project = Project::with(WITH_ENV_FILES);
    let dotenv = project.dir().join(".env");
    // Missing (a fresh clone, .env not committed): syncing still works; applying
    // the environment says what to do.
    project.vx().args(["sync", "--headless"]).assert().success();
    for args in [
        &["env", "--shell", "json"][..],
        &["exec", "--", "true"],
        &["show"],
    ] {
        let out = project.vx().args(args).assert().code(2);
        let stderr = text(&out.get_output().stderr);
        assert!(
            stderr.contains(&format!(
                "{}: no such file (vx.toml line 8, [settings] env_file); create it, or write {{ path = \"…\", optional = true }}",
                dotenv.display()
            )),
            "{args:?}: {stderr}"
        );
        assert!(out.get_output().stdout.is_empty(), "{args:?}");
    }
    // A line that is not NAME=VALUE: file and line, never the text.
    std::fs::write(&dotenv, "TOKEN=hunter2-secret\nhunter2-secret\n").unwrap();
    for args in [&["env"][..], &["exec", "--", "true"], &["show"]] {
        let out = project.vx().args(args).assert().code(2);
        let stderr = text(&out.get_output().stderr);
        assert_eq!(
            stderr,
            format!("vx: {}, line 2: expected NAME=VALUE\n", dotenv.display()),
            "{args:?}"
        );
        assert!(out.get_output().stdout.is_empty(), "{args:?}");
    }
    // An unclosed quote is said at the line it opens; a FIFO is refused unread.
    std::fs::write(&dotenv, "A=1\nKEY=\"hunter2-secret\nmore\n").unwrap();
    let out = project.vx().arg("env").assert().code(2);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains(".env, line 2: the quoted value is not closed"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    std::fs::remove_file(&dotenv).unwrap();
    common::mkfifo(&dotenv);
    let out = project.vx().arg("env").assert().code(2);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("cannot be read as an env file: a FIFO"),
        "{stderr}"
    );
}

/// The `${…}` forms of shells and dotenv tools: `-`/`:-` (a default when unset/also
/// when empty) and `+`/`:+` (an alternative when set/also when non-empty) are
/// expanded; `?`, `:?`, `=`, `:=` are refused naming the file, the line and the form,
/// never the value, in a `.env` and in `[env]` (issue 53, item 4).
#[test]
fn env_file_forms_expand_and_an_unsupported_one_never_shows_its_value() {
    let project = Project::with(WITH_ENV_FILES);
    let dotenv = project.dir().join(".env");
    std::fs::write(
        &dotenv,
        "A=${UNSET-dflt}\nB=${EMPTY-dflt}\nC=${EMPTY:-dflt}\nD=${SET+alt}\nE=${EMPTY+alt}\nF=${EMPTY:+alt}\nG=${UNSET:+alt}\nH=${SET:-x}/${SET-y}\n",
    )
    .unwrap();
    let out = project
        .vx()
        .args(["env", "--shell", "json"])
        .env("SET", "set")
        .env("EMPTY", "")
        .env_remove("UNSET")
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    for (name, want) in [
        ("A", "dflt"),
        ("B", ""),
        ("C", "dflt"),
        ("D", "alt"),
        ("E", "alt"),
        ("F", ""),
        ("G", ""),
        ("H", "set/set"),
    ] {
        assert_eq!(json[name], want, "{name}: {json}");
    }
    for form in [":+", "+", ":?", "?", ":=", "=", "#", "/"] {
        let supported = matches!(form, ":+" | "+");
        std::fs::write(
            &dotenv,
            format!("OK=1\nTOKEN=\"${{API{form}hunter2-secret}}\"\n"),
        )
        .unwrap();
        let out = project
            .vx()
            .args(["env", "--shell", "json"])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("hunter2"), "{form}: {stderr}");
        if supported {
            assert_eq!(out.status.code(), Some(0), "{form}: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{form}: {stderr}");
        assert!(
            stderr.contains(&format!("{}, line 2: `${{API{form}…}}`", dotenv.display())),
            "{form}: {stderr}"
        );
    }
    // The same in vx.toml's [env].
    std::fs::remove_file(&dotenv).unwrap();
    std::fs::write(
        project.dir().join("vx.toml"),
        "[env]\nTOKEN = \"${API:?hunter2-secret}\"\n",
    )
    .unwrap();
    let (_, stderr) = output_of(project.vx().args(["env", "--shell", "json"]), 2);
    assert!(stderr.contains("`${API:?…}`"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

/// vx's own variables (`__VX_STATE`, `__VX_HOOK`, any `__VX_…`) cannot be set by a
/// project, in `[env]` or an env file: `__VX_STATE` set so broke the hook, which then
/// restored nothing on leaving the project (issue 53, item 19).
#[test]
fn a_project_cannot_set_vxs_own_variables() {
    for name in ["__VX_STATE", "__VX_HOOK", "__vx_state", "__VX_ANYTHING"] {
        let project = Project::with("");
        let manifest = project.work.manifest();
        let before = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, format!("{before}[env]\n{name} = \"x\"\n")).unwrap();
        let (_, stderr) = output_of(project.vx().args(["env", "--shell", "json"]), 2);
        assert!(
            stderr.contains(name) && stderr.contains("vx's own"),
            "{stderr}"
        );

        let project = Project::with(WITH_ENV_FILES);
        std::fs::write(project.dir().join(".env"), format!("A=1\n{name}=x\n")).unwrap();
        let (_, stderr) = output_of(project.vx().args(["env", "--shell", "json"]), 2);
        assert!(
            stderr.contains(".env, line 2:") && stderr.contains("vx's own"),
            "{stderr}"
        );
    }
}

/// Issue 53, item 8: the hook of a project the user has not trusted never opens its
/// env files (SECURITY.md says they are not read): seen with strace, the real system
/// calls of the real binary.
#[test]
fn the_hook_of_an_untrusted_project_never_opens_its_env_files() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("skipped: needs strace");
        return;
    }
    let work = Work::new();
    work.write_manifest("[settings]\nenv_file = \".env\"\n\n[env]\nA = \"1\"\n\n[tools]\n");
    std::fs::write(work.dir.path().join(".env"), "SECRET=do-not-read\n").unwrap();
    let log = work.dir.path().join("trace");
    let (_, stderr) = output_of(
        Command::new("strace")
            .args(["-f", "-e", "trace=open,openat,openat2", "-o"])
            .arg(&log)
            .arg(assert_cmd::cargo::cargo_bin("vx"))
            .args(["hook-env", "--shell", "bash"])
            .current_dir(work.dir.path())
            .env("VX_BOARD_DIR", work.boards())
            .env("VX_DAEMON_SOCKET", work.dir.path().join("no-daemon.sock"))
            .env("XDG_CONFIG_HOME", work.dir.path().join("config"))
            .env("XDG_DATA_HOME", work.dir.path().join("data"))
            .env("XDG_STATE_HOME", work.dir.path().join("state"))
            .env("XDG_CACHE_HOME", work.dir.path().join("cache")),
        0,
    );
    assert!(stderr.contains("is not trusted"), "{stderr}");
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        trace.contains("vx.toml"),
        "the trace sees the opens: {trace}"
    );
    let env_file = work.dir.path().join(".env").display().to_string();
    let opened: Vec<&str> = trace.lines().filter(|l| l.contains(&env_file)).collect();
    assert!(opened.is_empty(), "{opened:#?}");
}
