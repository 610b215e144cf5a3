//! The command-line reference (`docs/reference/cli.md`) and the man pages
//! (`docs/man/*.1`), generated from the clap definitions of [`crate::cli`] so they
//! cannot drift from the command line: the test here regenerates them and fails when
//! the committed files differ; `VX_BLESS=1 cargo test --bin vx reference` rewrites
//! them.
//!
//! The man pages are `clap_mangen`'s, one per visible command (`vx-sync.1`,
//! `vx-board-dump.1`). The Markdown is this small walk over `clap::Command` rather than
//! the `clap-markdown` crate: one page whose headings are the commands (so the guide
//! links to `cli.md#vx-sync`), hidden commands and arguments left out as in `--help`,
//! and text from outside the help strings kept out of it, in a form mdBook and GitHub
//! both render. Test-only: the binary carries none of it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command, CommandFactory};

use crate::cli::Cli;

/// Where the Markdown reference lives, relative to the repository.
const MARKDOWN: &str = "docs/reference/cli.md";
/// The directory of the man pages, relative to the repository.
const MAN_DIR: &str = "docs/man";

/// vx's command as the documents describe it: the package's version (not the
/// commit and date of `--version`, which would change the pages at every commit).
fn command() -> Command {
    let mut cmd = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every generated file: its path relative to the repository and its bytes.
fn generate() -> Vec<(PathBuf, Vec<u8>)> {
    let cmd = command();
    let mut files = vec![(PathBuf::from(MARKDOWN), markdown(&cmd).into_bytes())];
    man_pages(&cmd, &mut files);
    files
}

/// `cmd`'s man page and its visible subcommands', recursively.
fn man_pages(cmd: &Command, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    let man =
        clap_mangen::Man::new(cmd.clone()).source(format!("vx {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    man.render(&mut page).expect("rendering into memory");
    files.push((Path::new(MAN_DIR).join(man.get_filename()), page));
    for sub in visible_subcommands(cmd) {
        man_pages(sub, files);
    }
}

/// The subcommands `--help` lists.
fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|sub| !sub.is_hide_set())
}

/// The whole Markdown reference.
fn markdown(cmd: &Command) -> String {
    let mut out = String::from(
        "# Command-line reference\n\n\
         <!-- Generated from the clap definitions (src/cli.rs) by src/reference.rs: do not\n     \
         edit. `VX_BLESS=1 cargo test --bin vx reference` rewrites it. -->\n\n\
         Every command and flag of `vx`, as `vx help COMMAND` says it; the same as man\n\
         pages in `docs/man/`. Any other first word runs a project tool's executable:\n\
         `vx rg -n foo` is `vx exec -- rg -n foo`.\n",
    );
    section(&mut out, cmd, "vx");
    out
}

/// One command's section, then its subcommands'.
fn section(out: &mut String, cmd: &Command, path: &str) {
    let _ = write!(out, "\n## `{path}`\n\n");
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        let _ = writeln!(out, "{}\n", escape(&about.to_string()));
    }
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let _ = writeln!(out, "```text\n{usage}\n```");
    let subs: Vec<&Command> = visible_subcommands(cmd).collect();
    if !subs.is_empty() {
        out.push_str("\nCommands:\n\n");
        for sub in &subs {
            let name = format!("{path} {}", sub.get_name());
            let about = sub
                .get_about()
                .map(|a| escape(&a.to_string()))
                .unwrap_or_default();
            let _ = writeln!(out, "- [`{name}`](#{}): {about}", anchor(&name));
        }
    }
    let args: Vec<&Arg> = cmd.get_arguments().filter(|a| !a.is_hide_set()).collect();
    let (positionals, options): (Vec<&Arg>, Vec<&Arg>) =
        args.into_iter().partition(|a| a.is_positional());
    for (title, list) in [("Arguments", positionals), ("Options", options)] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "\n{title}:\n\n");
        for arg in list {
            argument(out, arg);
        }
    }
    for sub in subs {
        section(out, sub, &format!("{path} {}", sub.get_name()));
    }
}

/// One argument as a list item: its spelling, then its help, default, values and
/// environment variable.
fn argument(out: &mut String, arg: &Arg) {
    let _ = write!(out, "- `{}`", spelling(arg));
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string());
    let mut text = escape(help.as_deref().unwrap_or("").trim());
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| format!("`{}`", v.get_name()))
        .collect();
    if !values.is_empty() && takes_value(arg) {
        let _ = write!(text, "\n\nOne of {}.", values.join(", "));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| format!("`{}`", v.to_string_lossy()))
        .collect();
    if !defaults.is_empty() && takes_value(arg) {
        let _ = write!(text, "\n\nDefault: {}.", defaults.join(", "));
    }
    if let Some(env) = arg.get_env() {
        let _ = write!(text, "\n\nEnvironment: `{}`.", env.to_string_lossy());
    }
    if !text.is_empty() {
        // The first paragraph follows the spelling; the others are indented into the item.
        let text = text.replace("\n\n", "\n\n  ").replace("\n\n  \n", "\n\n\n");
        let _ = write!(out, ": {text}");
    }
    out.push('\n');
}

/// Whether `arg` takes a value on the command line (not a flag).
fn takes_value(arg: &Arg) -> bool {
    !matches!(
        arg.get_action(),
        ArgAction::SetTrue
            | ArgAction::SetFalse
            | ArgAction::Count
            | ArgAction::Help
            | ArgAction::HelpShort
            | ArgAction::HelpLong
            | ArgAction::Version
    )
}

/// How `arg` is written: `-j, --jobs <N>`, `<TOOL>...`.
fn spelling(arg: &Arg) -> String {
    let names: Vec<String> = arg
        .get_value_names()
        .map(|names| names.iter().map(|n| format!("<{n}>")).collect())
        .unwrap_or_else(|| vec![format!("<{}>", arg.get_id().as_str().to_uppercase())]);
    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let value = format!("{}{}", names.join(" "), if many { "..." } else { "" });
    if arg.is_positional() {
        return value;
    }
    let mut flags = Vec::new();
    if let Some(short) = arg.get_short() {
        flags.push(format!("-{short}"));
    }
    if let Some(long) = arg.get_long() {
        flags.push(format!("--{long}"));
    }
    let flags = flags.join(", ");
    if takes_value(arg) {
        format!("{flags} {value}")
    } else {
        flags
    }
}

/// The heading anchor mdBook and GitHub both give `` `vx board dump` ``.
fn anchor(path: &str) -> String {
    path.replace(' ', "-")
}

/// Help text as Markdown: `<` and `>` outside code spans as entities, so a
/// `<store>/.partial` stays text instead of becoming an HTML tag.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's root.
    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn reference_and_man_pages_match_the_command_line() {
        let files = generate();
        let man_dir = root().join(MAN_DIR);
        let stale: Vec<PathBuf> = std::fs::read_dir(&man_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| Path::new(MAN_DIR).join(entry.file_name()))
            .filter(|path| !files.iter().any(|(p, _)| p == path))
            .collect();
        if std::env::var_os("VX_BLESS").is_some_and(|v| v != "0") {
            std::fs::create_dir_all(&man_dir).unwrap();
            for path in &stale {
                std::fs::remove_file(root().join(path)).unwrap();
            }
            for (path, bytes) in &files {
                std::fs::write(root().join(path), bytes).unwrap();
            }
            return;
        }
        let differ: Vec<String> = files
            .iter()
            .filter(|(path, bytes)| std::fs::read(root().join(path)).ok().as_ref() != Some(bytes))
            .map(|(path, _)| path.display().to_string())
            .chain(
                stale
                    .iter()
                    .map(|p| format!("{} (no such command)", p.display())),
            )
            .collect();
        assert!(
            differ.is_empty(),
            "out of date with src/cli.rs: {}; run `VX_BLESS=1 cargo test --bin vx reference` \
             and commit the result",
            differ.join(", ")
        );
    }

    #[test]
    fn the_reference_has_every_visible_command_and_no_hidden_one() {
        let text = markdown(&command());
        assert!(text.contains("\n## `vx sync`\n"), "{text}");
        assert!(text.contains("\n## `vx board dump`\n"), "{text}");
        assert!(text.contains("- [`vx sync`](#vx-sync): "), "{text}");
        assert!(text.contains("- `-j, --jobs <N>`"), "{text}");
        assert!(
            !text.contains("hook-env"),
            "an internal command is hidden:\n{text}"
        );
        assert!(
            !text.contains("from-parent"),
            "a hidden flag is hidden:\n{text}"
        );
        let pages: Vec<String> = generate()
            .into_iter()
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(
            pages.contains(&"docs/man/vx-sync.1".to_owned()),
            "{pages:?}"
        );
        assert!(
            pages.contains(&"docs/man/vx-board-dump.1".to_owned()),
            "{pages:?}"
        );
        assert!(!pages.iter().any(|p| p.contains("hook-env")), "{pages:?}");
    }

    #[test]
    fn markup_outside_code_spans_is_escaped() {
        assert_eq!(
            escape("under <store>/.partial, `vx <TOOL>`"),
            "under &lt;store&gt;/.partial, `vx <TOOL>`"
        );
    }
}
