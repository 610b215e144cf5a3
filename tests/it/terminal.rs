//! vx at the terminal: help wrapped to the terminal's width, and shell completion
//! that knows the project (its scripts and tools) and never offers internal commands.

use crate::common;

use common::{Work, missing, output_of, tool_toml};

/// `vx sync --help` as printed for a terminal of `columns` (clap reads `COLUMNS` when
/// its output is not a terminal).
fn help(columns: usize) -> String {
    let out = Work::new()
        .vx()
        .env("COLUMNS", columns.to_string())
        .args(["sync", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_is_wrapped_at_spaces_to_the_terminals_width_up_to_100_columns() {
    let narrow = help(60);
    let too_wide: Vec<&str> = narrow.lines().filter(|l| l.chars().count() > 60).collect();
    assert!(too_wide.is_empty(), "lines over 60 columns: {too_wide:#?}");
    let wide = help(200);
    let widest = wide.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(
        (61..=100).contains(&widest),
        "widest line {widest}:\n{wide}"
    );
    // The same words, none cut in two.
    let words =
        |text: &str| -> Vec<String> { text.split_whitespace().map(str::to_owned).collect() };
    assert_eq!(words(&narrow), words(&wide));
}

/// A project with two scripts and two tools.
fn project() -> Work {
    let work = Work::new();
    let sha = "0".repeat(64);
    work.write_manifest(&format!(
        "{}{}[scripts]\nlint = \"true\"\ntest = {{ run = \"true\", description = \"the unit tests\" }}\n",
        tool_toml("ripgrep", "14.1.1", "https://example.org/rg.tar.gz", &sha),
        tool_toml("jq", "1.7.1", "https://example.org/jq.tar.gz", &sha),
    ));
    work
}

/// What vx offers for the last of `words` as fish asks it (one candidate a line, a
/// tab before its description), flags left out.
fn complete(work: &Work, words: &[&str]) -> Vec<String> {
    let (stdout, _) = output_of(
        work.vx().env("VX_COMPLETE", "fish").arg("--").args(words),
        0,
    );
    // Flags are offered beside the values when nothing is typed: only the values here.
    stdout
        .lines()
        .filter(|line| !line.starts_with('-'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn completion_offers_the_projects_scripts_and_tools() {
    let work = project();
    assert_eq!(
        complete(&work, &["vx", "run", ""]),
        ["lint", "test\tthe unit tests"]
    );
    assert_eq!(
        complete(&work, &["vx", "run", "t"]),
        ["test\tthe unit tests"]
    );
    for words in [
        &["vx", "exec", ""][..],
        &["vx", "upgrade", ""],
        &["vx", "versions", ""],
    ] {
        let offered = complete(&work, words);
        assert!(
            offered.iter().any(|c| c == "ripgrep") && offered.iter().any(|c| c == "jq"),
            "{words:?}: {offered:?}"
        );
    }
    assert_eq!(complete(&work, &["vx", "versions", "r"]), ["ripgrep"]);
    // Outside a project there is nothing to offer, and no error.
    let elsewhere = Work::new();
    assert!(complete(&elsewhere, &["vx", "run", ""]).is_empty());
}

#[test]
fn completion_offers_subcommands_but_not_internal_ones() {
    let work = project();
    let offered = complete(&work, &["vx", ""]);
    let names: Vec<&str> = offered
        .iter()
        .map(|c| c.split('\t').next().unwrap())
        .collect();
    for visible in ["sync", "run", "exec", "activate", "completions"] {
        assert!(names.contains(&visible), "{visible}: {names:?}");
    }
    assert!(!names.contains(&"hook-env"), "{names:?}");
    // Not even when it is the only subcommand the typed word starts.
    let offered = complete(&work, &["vx", "hoo"]);
    assert!(
        !offered.iter().any(|c| c.contains("hook-env")),
        "{offered:?}"
    );
}

/// A pty nobody sized (`script`, some CI runners) reports 0 columns: taken for 80,
/// not for a terminal one column wide with a word on each line.
#[cfg(unix)]
#[test]
fn a_terminal_of_no_width_is_taken_for_80_columns() {
    if missing("script", "no `script` (util-linux) here") {
        return;
    }
    let work = Work::new();
    work.write_manifest("[tools]\n");
    let template = work.vx();
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let mut cmd = std::process::Command::new("script");
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd
        .args([
            "-qec",
            &format!("stty cols 0 rows 0; '{}' sync --headless", vx.display()),
        ])
        .arg("/dev/null")
        .current_dir(work.dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(out.status.success(), "{said}");
    assert!(
        said.lines()
            .any(|l| l.contains("0 tools") && l.contains("up to date")),
        "{said:?}"
    );
}

#[test]
fn the_bash_script_completes_a_script_name_in_bash() {
    let work = project();
    let script = work.vx().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let script = String::from_utf8(script.stdout).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("vx");
    assert!(
        script.contains(&exe.display().to_string()),
        "calls this vx by its path:\n{script}"
    );
    // Bash as it completes `vx run t<TAB>`: the function the script registers, with
    // the words and cursor bash would set.
    std::fs::write(work.dir.path().join("vx.bash"), &script).unwrap();
    let (stdout, _) = output_of(
        std::process::Command::new("bash")
            .current_dir(work.dir.path())
            .env_remove("VX_COMPLETE")
            .args([
                "--norc",
                "-c",
                r#"source ./vx.bash
               fn=$(complete -p vx | sed -E 's/.*-F ([^ ]+).*/\1/')
               COMP_WORDS=(vx run t); COMP_CWORD=2; COMP_LINE="vx run t"; COMP_POINT=8
               COMP_TYPE=9
               "$fn" vx t run
               printf '%s\n' "${COMPREPLY[@]}""#,
            ]),
        0,
    );
    assert_eq!(stdout.trim(), "test", "{stdout}");
}

#[test]
fn the_fish_script_completes_scripts_and_tools_in_fish() {
    if missing("fish", "no fish (.ci/run installs it)") {
        return;
    }
    let work = project();
    let exe = assert_cmd::cargo::cargo_bin("vx");
    // `complete -C` prints what fish would offer for a command line.
    let line = format!(
        "'{}' completions fish | source; complete -C 'vx run t'; complete -C 'vx versions j'",
        exe.display()
    );
    let (stdout, _) = output_of(
        std::process::Command::new("fish")
            .envs(work.vx_env())
            .current_dir(work.dir.path())
            .env_remove("VX_COMPLETE")
            .args(["--no-config", "-c", &line]),
        0,
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines, ["test\tthe unit tests", "jq"], "{stdout}");
}
