//! README.md's quick start, walked as written (issue 43: a newcomer follows the README
//! to an activated shell without reading source). The "## Quick start" block is read
//! from README.md when the test runs, so the test fails when the README drifts from
//! what works, and typed line by line into a real interactive bash in tmux: in a new
//! empty directory, as a new user with a home of their own and the built `vx` in
//! `~/.local/bin` (where the installers put it) first on `PATH`.
//!
//! What stands in for the internet comes only through the user config
//! (`~/.config/vx/config.toml`), as a company's mirrors would: nodejs.org (its
//! `index.json` and `SHASUMS256.txt`, with the real Node.js 22.12.0 from npm's
//! packages) through `url_replacements`, and GitHub (BurntSushi/ripgrep's release, its
//! assets named as ripgrep names them, found through aqua's standard registry that vx
//! ships) through `[github] url`.
//!
//! Each command's exit status is read from a file the prompt writes, what it printed
//! from the screen (the window and its scroll-back, once the next prompt is drawn), and
//! what it promises (vx.toml, vx.lock, the store, the downloads) from the files and
//! the servers' logs.
#![cfg(unix)]

use crate::common;

use std::path::{Path, PathBuf};

use common::publishers::node;
use common::tmux::Terminal;
use common::wait_for;
use vx_base::format::ArchiveFormat;
use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Item, TestServer, archive_bytes, sha256_hex};

/// The prompt the walk's bash shows (`PS1`): how the screen is cut into commands.
const PROMPT: &str = "walk$ ";

/// The ripgrep release the fake GitHub serves as the latest.
const RIPGREP: &str = "14.1.1";

/// README.md's "## Quick start" `sh` block, line by line, as written.
fn quick_start() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = readme
        .split_once("\n## Quick start\n")
        .expect("README.md has a \"## Quick start\" section")
        .1;
    let block = section
        .split_once("\n```sh\n")
        .expect("the quick start has a ```sh block")
        .1;
    let block = block.split_once("\n```").expect("the block is closed").0;
    block.lines().map(str::to_owned).collect()
}

/// The word ending the here-document `line` opens (`cat >> f <<'EOF'`: `EOF`).
fn heredoc_end(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("<<")?;
    let word: String = rest
        .trim_start_matches('-')
        .trim_start()
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// The block's commands as the shell reads them: one line, or a line opening a
/// here-document with its body and end, or lines continued by a trailing `\`.
fn commands(lines: &[String]) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut lines = lines.iter();
    while let Some(first) = lines.next() {
        let mut command = vec![first.clone()];
        if let Some(end) = heredoc_end(first) {
            for line in lines.by_ref() {
                command.push(line.clone());
                if *line == end {
                    break;
                }
            }
        } else {
            while command.last().is_some_and(|l| l.ends_with('\\')) {
                match lines.next() {
                    Some(line) => command.push(line.clone()),
                    None => break,
                }
            }
        }
        commands.push(command);
    }
    commands
}

/// What a release of ripgrep holds, as its release workflow packs it: a directory
/// named as the archive with `rg` (`rg.exe`), the docs, the man page and completions.
/// `rg --version` answers as ripgrep's does.
fn ripgrep_archive(stem: &'static str, windows: bool) -> Vec<u8> {
    let at = |name: &str| -> &'static str { format!("{stem}/{name}").leak() };
    let rg = format!(
        "#!/bin/sh\nprintf 'ripgrep {RIPGREP}\\n\\nfeatures:+pcre2\\nsimd(compile):+SSE2,-SSSE3,-AVX2\\n'\n"
    );
    let mut items = vec![
        Item::Dir(at("")),
        Item::File(
            at(if windows { "rg.exe" } else { "rg" }),
            rg.into_bytes(),
            0o755,
        ),
        Item::File(at("README.md"), b"# ripgrep (rg)\n".to_vec(), 0o644),
        Item::File(at("COPYING"), b"Dual-licensed.\n".to_vec(), 0o644),
        Item::Dir(at("doc/")),
        Item::File(at("doc/rg.1"), b".TH RG 1\n".to_vec(), 0o644),
        Item::Dir(at("complete/")),
        Item::File(
            at("complete/rg.bash"),
            b"complete -F _rg rg\n".to_vec(),
            0o644,
        ),
    ];
    if windows {
        items.retain(|item| !matches!(item, Item::File(name, ..) if name.ends_with(".1")));
    }
    let format = if windows {
        ArchiveFormat::Zip
    } else {
        ArchiveFormat::TarGz
    };
    archive_bytes(format, &items)
}

/// BurntSushi/ripgrep's release `RIPGREP`: each target's archive and its `.sha256`
/// (`HEX  NAME`, as `shasum -a 256` writes it).
fn ripgrep_release() -> FixtureRelease {
    let mut release = FixtureRelease::new(RIPGREP).published("2024-09-08T18:59:17Z");
    for (target, windows) in [
        ("aarch64-apple-darwin", false),
        ("aarch64-unknown-linux-gnu", false),
        ("x86_64-apple-darwin", false),
        ("x86_64-pc-windows-msvc", true),
        ("x86_64-unknown-linux-musl", false),
    ] {
        let stem: &'static str = format!("ripgrep-{RIPGREP}-{target}").leak();
        let name = format!("{stem}.{}", if windows { "zip" } else { "tar.gz" });
        let bytes = ripgrep_archive(stem, windows);
        let sum = format!("{}  {name}\n", sha256_hex(&bytes));
        release = release
            .asset(&name, bytes)
            .asset(&format!("{name}.sha256"), sum.into_bytes());
    }
    release
}

/// The stand-ins for the internet, and the user config that names them.
struct Internet {
    nodejs: TestServer,
    github: GithubFixture,
}

impl Internet {
    fn start() -> Internet {
        let nodejs = node::serve(&[
            node::Release::listed("23.4.0", None),
            node::Release::real(&node::REAL_22, Some("Jod")),
            node::Release::listed("22.11.0", Some("Jod")),
            node::Release::listed(node::REAL, Some("Iron")),
        ]);
        let github = GithubFixture::builder()
            .release("BurntSushi", "ripgrep", ripgrep_release())
            .release(
                "BurntSushi",
                "ripgrep",
                FixtureRelease::new("14.1.0").published("2024-01-06T16:46:11Z"),
            )
            .start()
            .unwrap();
        Internet { nodejs, github }
    }

    /// The user config: GitHub at the fake's address, nodejs.org rewritten to its.
    fn config(&self) -> String {
        format!(
            "[github]\nurl = \"{}\"\n\n{}",
            self.github.web_url(),
            node::config(&self.nodejs)
        )
    }

    /// Every path asked of either so far.
    fn asked(&self) -> Vec<String> {
        let mut paths = self.nodejs.paths();
        paths.extend(self.github.requests().into_iter().map(|r| r.path));
        paths
    }
}

/// An interactive bash in a terminal, started in `dir` with `env` only, whose prompt
/// writes the last command's exit status to `status`, a line per prompt.
struct Shell {
    terminal: Terminal,
    status: PathBuf,
}

impl Shell {
    fn open(root: &Path, dir: &Path, env: &[(&str, String)]) -> Shell {
        let status = root.join("status");
        let rc = root.join("bashrc");
        std::fs::write(
            &rc,
            format!(
                "PS1='{PROMPT}'\n__walk_status() {{ echo \"$?\" >> {}; }}\nPROMPT_COMMAND=__walk_status\n",
                quote(&status)
            ),
        )
        .unwrap();
        let vars: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}={}", vx_project::toolchain::shell::sh_quote(v)))
            .collect();
        let command = format!(
            "exec env -i {} bash --noprofile --rcfile {} -i",
            vars.join(" "),
            quote(&rc)
        );
        let shell = Shell {
            terminal: Terminal::start("readme-walk", (200, 50), Some(dir), &command),
            status,
        };
        shell.wait_prompts(1);
        shell
    }

    /// The exit statuses so far, the first prompt's included.
    fn statuses(&self) -> Vec<i32> {
        std::fs::read_to_string(&self.status)
            .unwrap_or_default()
            .lines()
            .map(|l| l.parse().unwrap())
            .collect()
    }

    /// The screen and its scroll-back once `n` prompts are drawn.
    fn wait_prompts(&self, n: usize) -> String {
        wait_for(&format!("prompt {n}"), || {
            let seen = self.statuses().len();
            let history = self.terminal.history(None);
            let drawn = history
                .lines()
                .filter(|l| l.starts_with(PROMPT.trim_end()))
                .count();
            (seen >= n && drawn >= n).then_some(history)
        })
    }

    /// Types the `n`th command (`lines`) and waits for the prompt after it: its exit
    /// status and what the screen shows between the two prompts (the typed lines
    /// included).
    fn run(&self, n: usize, lines: &[String]) -> (i32, String) {
        for line in lines {
            self.terminal.line(line);
        }
        let history = format!("\n{}", self.wait_prompts(n + 1));
        let prompt = format!("\n{}", PROMPT.trim_end());
        let said = history.split(&prompt).nth(n).unwrap_or_default().to_owned();
        (self.statuses()[n], said)
    }
}

fn quote(path: &Path) -> String {
    vx_project::toolchain::shell::sh_quote(&path.display().to_string())
}

/// The project's `[tools]` table.
fn tools(project: &Path) -> toml::Table {
    let text = std::fs::read_to_string(project.join("vx.toml")).unwrap();
    let manifest: toml::Table = text.parse().expect("vx.toml stays TOML");
    manifest["tools"].as_table().cloned().unwrap_or_default()
}

/// The version vx.lock locks `tool` at.
fn locked_version(project: &Path, tool: &str) -> Option<String> {
    let text = std::fs::read_to_string(project.join("vx.lock")).ok()?;
    let lock: toml::Table = text.parse().unwrap();
    Some(lock["tools"].get(tool)?["version"].as_str()?.to_owned())
}

#[test]
fn the_quick_start_works_as_written() {
    if !Terminal::available() {
        return;
    }
    let internet = Internet::start();
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let project = root.path().join("new-project");
    let bin = home.join(".local/bin");
    for dir in [&project, &bin] {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("vx"), bin.join("vx")).unwrap();
    common::write_user_config(&home, &internet.config());
    let shell = open_shell(root.path(), &home, &project, &bin);
    let store = home.join(".local/share/vx/store");

    let mut checked = Vec::new();
    for (i, command) in commands(&quick_start()).iter().enumerate() {
        let typed = command.join("\n");
        let asked_before = internet.asked().len();
        let (status, said) = shell.run(i + 1, command);
        assert_eq!(status, 0, "`{typed}` exits 0; the screen:\n{said}");
        let asked: Vec<String> = internet.asked()[asked_before..].to_vec();
        if let Some(promise) = promise_kept(command, &said, &asked, &project, &store) {
            checked.push(promise);
        }
    }
    assert_eq!(
        checked,
        [
            "init",
            "use node",
            "use ripgrep",
            "scripts",
            "run",
            "sync",
            "activate",
            "rg"
        ],
        "every promise of the quick start walked, in order"
    );

    // The activated shell finds both tools in vx's store, not elsewhere on PATH.
    let found = root.path().join("found");
    let n = shell.statuses().len();
    let (status, said) = shell.run(n, &[format!("command -v rg node > {}", quote(&found))]);
    assert_eq!(status, 0, "{said}");
    let found = std::fs::read_to_string(&found).unwrap();
    let found: Vec<&str> = found.lines().collect();
    assert_eq!(found.len(), 2, "{found:?}");
    for (path, tool) in found.iter().zip(["ripgrep", "node"]) {
        assert!(
            Path::new(path).starts_with(store.join(tool)),
            "{path} is in {}",
            store.join(tool).display()
        );
    }
}

/// The shell the quick start is typed into: in `project`, with `home`'s vx (in `bin`)
/// first on `PATH`, boards and the daemon's socket under `root`.
fn open_shell(root: &Path, home: &Path, project: &Path, bin: &Path) -> Shell {
    Shell::open(
        root,
        project,
        &[
            ("HOME", home.display().to_string()),
            (
                "PATH",
                format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
            ),
            ("TERM", "xterm-256color".into()),
            ("VX_BOARD_DIR", root.join("boards").display().to_string()),
            // No daemon of the machine's answers for this user.
            (
                "VX_DAEMON_SOCKET",
                root.join("no-daemon.sock").display().to_string(),
            ),
        ],
    )
}

/// Which promise of the quick start `command` (typed, then answered with `said`, the
/// internet asked `asked`) is, checked: what it must have done to `project` and
/// `store`; `None` for a line that need only work.
fn promise_kept(
    command: &[String],
    said: &str,
    asked: &[String],
    project: &Path,
    store: &Path,
) -> Option<&'static str> {
    let node_version = node::REAL_22.node;
    let first = command[0].as_str();
    let words: Vec<&str> = first
        .split('#')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    match words.as_slice() {
        ["vx", "init"] => {
            let text = std::fs::read_to_string(project.join("vx.toml")).unwrap();
            assert!(
                text.lines().filter(|l| l.starts_with("# ")).count() >= 5,
                "a commented vx.toml:\n{text}"
            );
            assert!(tools(project).is_empty(), "no tools yet:\n{text}");
            return Some("init");
        }
        ["vx", "use", "node@22"] => {
            assert_eq!(tools(project)["node"].as_str(), Some("22"), "node = \"22\"");
            assert_eq!(
                locked_version(project, "node").as_deref(),
                Some(node_version)
            );
            // Either packing nodejs.org lists: the install takes one for its link.
            let archive = format!("/dist/v{node_version}/node-v{node_version}-linux-x64.tar.");
            assert_eq!(
                asked.iter().filter(|p| p.starts_with(&archive)).count(),
                1,
                "node's archive downloaded once: {asked:?}"
            );
            assert!(
                crate::common::tree_in(store, "node", node_version)
                    .join("bin/node")
                    .is_file(),
                "node installed in the store"
            );
            return Some("use node");
        }
        ["vx", "use", "ripgrep"] => {
            assert!(tools(project).contains_key("ripgrep"), "ripgrep added");
            assert_eq!(locked_version(project, "ripgrep").as_deref(), Some(RIPGREP));
            assert!(
                crate::common::has_tree(store, "ripgrep", RIPGREP),
                "ripgrep installed in the store"
            );
            assert_eq!(
                locked_version(project, "node").as_deref(),
                Some(node_version)
            );
            return Some("use ripgrep");
        }
        ["cat", ">>", "vx.toml", ..] => {
            let text = std::fs::read_to_string(project.join("vx.toml")).unwrap();
            let body = command[1..command.len() - 1].join("\n");
            assert!(text.ends_with(&format!("{body}\n")), "appended:\n{text}");
            return Some("scripts");
        }
        ["vx", "run", "hello"] => {
            assert!(
                said.lines().any(|l| l.trim() == format!("v{node_version}")),
                "node's version:\n{said}"
            );
            return Some("run");
        }
        ["vx", "sync"] => {
            assert!(
                !asked
                    .iter()
                    .any(|p| (p.contains("/dist/v") && p.ends_with(".tar.xz"))
                        || p.contains("/releases/download/")),
                "nothing downloaded again: {asked:?}"
            );
            return Some("sync");
        }
        ["eval", ..] if first.contains("vx activate bash") => return Some("activate"),
        ["rg", "--version"] => {
            assert!(
                said.lines().any(|l| l == format!("ripgrep {RIPGREP}")),
                "the project's ripgrep answers:\n{said}"
            );
            return Some("rg");
        }
        // Any other line of the README: it must work (exit 0), as checked above.
        _ => {}
    }
    None
}
