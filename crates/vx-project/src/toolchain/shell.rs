//! `vx env`: what puts a toolchain on `PATH` and sets the project's `[env]`, as each
//! shell (or CI) reads it. Every form sets the whole `PATH` (the tools' directories,
//! then `[settings] path`, then the inherited entries without them), so evaluating it
//! twice changes nothing. On Windows the POSIX shells (Git Bash, MSYS2) get their own
//! form of each entry (`/c/Users/…`, `:`-separated), PowerShell and JSON the Windows
//! one.
//!
//! Values pass through unchanged, but one holding control characters (a newline, an
//! escape) is written with the shell's escapes rather than raw (`$'…\x1b…'` in bash
//! and zsh, `\x1b` between quotes in fish, `[char]0x1B` in PowerShell, `\u001b` in
//! JSON), so printing it to a terminal cannot drive the terminal, and the shell still
//! reads the exact value.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::search;

/// An output form of `vx env`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// `export PATH='…'`
    Bash,
    /// As bash.
    Zsh,
    /// `set -gx PATH '…' '…'`
    Fish,
    /// `$env:PATH = '…'`
    Powershell,
    /// `{"PATH":"…"}`
    Json,
    /// One directory per line, for `>> "$GITHUB_PATH"`.
    Github,
}

impl Shell {
    /// Every form, by its name on the command line.
    pub const ALL: [(&'static str, Shell); 6] = [
        ("bash", Shell::Bash),
        ("zsh", Shell::Zsh),
        ("fish", Shell::Fish),
        ("powershell", Shell::Powershell),
        ("json", Shell::Json),
        ("github", Shell::Github),
    ];

    /// The shell named by `$SHELL` (its file name), else bash.
    pub fn from_login(shell: Option<&OsStr>) -> Shell {
        let name = shell
            .map(std::path::Path::new)
            .and_then(|p| p.file_name())
            .and_then(OsStr::to_str)
            .unwrap_or("");
        match name {
            "zsh" => Shell::Zsh,
            "fish" => Shell::Fish,
            "pwsh" | "powershell" => Shell::Powershell,
            _ => Shell::Bash,
        }
    }

    /// The text that puts `dirs` first on `PATH` (whose value is `inherited`). Ends
    /// with a newline; empty for [`Shell::Github`] without directories.
    pub fn render(self, dirs: &[PathBuf], inherited: Option<&OsStr>) -> String {
        let path = search::prepend(dirs, inherited);
        // The entries as a POSIX shell names them (the same text on Unix).
        let posix = || {
            std::env::split_paths(&path)
                .map(|entry| vx_base::platform::fs::posix_shell_path(&entry))
                .collect::<Vec<String>>()
        };
        let path = path.to_string_lossy();
        match self {
            Shell::Bash | Shell::Zsh => format!("export PATH={}\n", sh_word(&posix().join(":"))),
            Shell::Fish => {
                let entries: Vec<String> = posix().iter().map(|p| fish_quote(p)).collect();
                format!("set -gx PATH {}\n", entries.join(" "))
            }
            Shell::Powershell => format!("$env:PATH = {}\n", powershell_quote(&path)),
            Shell::Json => format!("{}\n", json_text(&serde_json::json!({ "PATH": path }))),
            // The runner prepends each line in turn: the last line ends up first.
            Shell::Github => dirs
                .iter()
                .rev()
                .map(|d| format!("{}\n", d.to_string_lossy()))
                .collect(),
        }
    }
}

impl Shell {
    /// The whole environment a project sets: `PATH` with `front` (the tools'
    /// directories, then `[settings] path`) before `inherited`, then each of `vars`
    /// set (`Some`) or removed (`None`), one line each. [`Shell::Json`] gives one
    /// object (an unset variable as `null`); [`Shell::Github`] gives only the
    /// `$GITHUB_PATH` lines: its variables are [`github_env`]'s, for another file.
    pub fn render_env(
        self,
        front: &[PathBuf],
        inherited: Option<&OsStr>,
        vars: &[(&str, Option<&str>)],
    ) -> String {
        match self {
            Shell::Json => {
                let path = search::prepend(front, inherited);
                let mut object = serde_json::Map::new();
                object.insert("PATH".into(), path.to_string_lossy().into());
                for (name, value) in vars {
                    object.insert((*name).to_owned(), (*value).into());
                }
                format!("{}\n", json_text(&serde_json::Value::Object(object)))
            }
            Shell::Github => self.render(front, inherited),
            _ => {
                let mut text = self.render(front, inherited);
                for (name, value) in vars {
                    text.push_str(&self.render_var(name, *value));
                }
                text
            }
        }
    }

    /// The line that sets variable `name` to `value` (`None`: removes it) in this
    /// shell: `export NAME='…'`/`unset NAME`, `set -gx NAME '…'`/`set -e NAME; or true`,
    /// `$env:NAME = '…'`/`Remove-Item Env:NAME`. `name` is a valid variable name
    /// ([`vx_model::manifest::environment::valid_var_name`]). [`Shell::Json`] gives a
    /// one-entry object, [`Shell::Github`] the `$GITHUB_ENV` entry ([`github_env`]).
    pub fn render_var(self, name: &str, value: Option<&str>) -> String {
        match (self, value) {
            (Shell::Bash | Shell::Zsh, Some(value)) => {
                format!("export {name}={}\n", sh_word(value))
            }
            (Shell::Bash | Shell::Zsh, None) => format!("unset {name}\n"),
            (Shell::Fish, Some(value)) => format!("set -gx {name} {}\n", fish_quote(value)),
            // `set -e` of a variable that is not set fails: a sourced script would too.
            (Shell::Fish, None) => format!("set -e {name}; or true\n"),
            (Shell::Powershell, Some(value)) => {
                format!("$env:{name} = {}\n", powershell_quote(value))
            }
            (Shell::Powershell, None) => {
                format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n")
            }
            (Shell::Json, value) => format!("{}\n", json_text(&serde_json::json!({ name: value }))),
            (Shell::Github, value) => github_env(&[(name, value)]),
        }
    }
}

/// The `$GITHUB_ENV` entries for `vars`, as GitHub Actions reads that file:
/// `NAME=value`, or for a value with a line break `NAME<<DELIM`, the value, `DELIM`,
/// with a random delimiter that the value does not contain. The file cannot remove a
/// variable: an unset one (`None`) is set empty.
pub fn github_env(vars: &[(&str, Option<&str>)]) -> String {
    let mut text = String::new();
    for (name, value) in vars {
        let value = value.unwrap_or("");
        if value.contains(['\n', '\r']) {
            let delimiter = loop {
                let candidate = format!("ghadelimiter_{}", random_hex());
                if !value.contains(&candidate) {
                    break candidate;
                }
            };
            text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            text.push_str(&format!("{name}={value}\n"));
        }
    }
    text
}

/// 128 random bits, hex: std's hasher keys are drawn from the operating system's
/// random source, so two fresh hashers give unpredictable values without a crate.
fn random_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let word = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.finish()
    };
    format!("{:016x}{:016x}", word(), word())
}

/// `text` as one POSIX shell word, in single quotes: any byte passes through
/// unchanged (for `sh -c` command lines, which no terminal shows).
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` as one bash or zsh word for output a terminal may show: single quotes, or
/// when it holds control characters `$'…'` with every byte of those characters as
/// `\xHH` (locale-independent), so the shell reads `text` exactly and the terminal
/// sees no control character.
pub fn sh_word(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return sh_quote(text);
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if c.is_control() => push_hex_bytes(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Appends each UTF-8 byte of `c` as `\xHH`.
fn push_hex_bytes(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for byte in c.encode_utf8(&mut buf).bytes() {
        out.push_str(&format!("\\x{byte:02x}"));
    }
}

/// `text` as one fish word: single quotes, with control characters as fish escapes
/// between the quoted runs (`'a'\n'b'` is one word in fish).
pub fn fish_quote(text: &str) -> String {
    let quoted = |run: &str| format!("'{}'", run.replace('\\', r"\\").replace('\'', r"\'"));
    if !text.chars().any(char::is_control) {
        return quoted(text);
    }
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_control() {
            if !run.is_empty() {
                out.push_str(&quoted(&std::mem::take(&mut run)));
            }
            if (c as u32) < 0x80 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push_str(&quoted(&run));
    }
    out
}

/// `text` as one PowerShell expression: a single-quoted string, or with control
/// characters the quoted runs joined by `+ [char]0xHH +` (starting from a string, so
/// the sum is a string). PowerShell also takes the typographic single quotes as quotes:
/// each is doubled like `'`.
pub fn powershell_quote(text: &str) -> String {
    let quoted = |run: &str| {
        let mut out = String::with_capacity(run.len() + 2);
        out.push('\'');
        for c in run.chars() {
            if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                out.push(c);
            }
            out.push(c);
        }
        out.push('\'');
        out
    };
    if !text.chars().any(char::is_control) {
        return quoted(text);
    }
    let mut parts: Vec<String> = vec![String::from("''")];
    let mut run = String::new();
    for c in text.chars() {
        if c.is_control() {
            if !run.is_empty() {
                parts.push(quoted(&std::mem::take(&mut run)));
            }
            parts.push(format!("[char]0x{:02X}", c as u32));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        parts.push(quoted(&run));
    }
    parts.join(" + ")
}

/// `value` as one line of JSON, with every control character escaped: serde_json
/// escapes those below U+0020; DEL and the C1 controls are escaped here too.
fn json_text(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.chars().any(char::is_control) {
        return text;
    }
    // Outside strings JSON has no control characters: each one is in a string.
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that each shell of `expected` renders its line for `dirs` put before
    /// `path`.
    fn assert_renders(dirs: &[PathBuf], path: Option<&OsStr>, expected: &[(Shell, &str)]) {
        for (shell, line) in expected {
            assert_eq!(shell.render(dirs, path), *line, "{shell:?}");
        }
    }

    #[test]
    #[cfg_attr(windows, ignore = "the expected PATH values are `:`-separated")]
    fn each_shell_sets_the_whole_path() {
        let dirs = [PathBuf::from("/s/it's/bin")];
        let path = Some(OsStr::new("/usr/bin:/bin"));
        assert_renders(
            &dirs,
            path,
            &[
                (Shell::Bash, "export PATH='/s/it'\\''s/bin:/usr/bin:/bin'\n"),
                (
                    Shell::Fish,
                    "set -gx PATH '/s/it\\'s/bin' '/usr/bin' '/bin'\n",
                ),
                (
                    Shell::Powershell,
                    "$env:PATH = '/s/it''s/bin:/usr/bin:/bin'\n",
                ),
                (Shell::Json, "{\"PATH\":\"/s/it's/bin:/usr/bin:/bin\"}\n"),
            ],
        );
        let two = [PathBuf::from("/a"), PathBuf::from("/b")];
        assert_eq!(Shell::Github.render(&two, path), "/b\n/a\n");
        assert_eq!(Shell::Github.render(&[], path), "");
    }

    #[test]
    #[cfg(windows)]
    fn posix_shells_on_windows_get_their_own_paths() {
        let dirs = [PathBuf::from(r"C:\Users\me\vx\store\rg\14\bin")];
        let path = Some(OsStr::new(r"C:\Windows\system32;\\server\share\bin"));
        assert_renders(
            &dirs,
            path,
            &[
                (
                    Shell::Bash,
                    "export PATH='/c/Users/me/vx/store/rg/14/bin:/c/Windows/system32://server/share/bin'\n",
                ),
                (
                    Shell::Fish,
                    "set -gx PATH '/c/Users/me/vx/store/rg/14/bin' '/c/Windows/system32' '//server/share/bin'\n",
                ),
                (
                    Shell::Powershell,
                    "$env:PATH = 'C:\\Users\\me\\vx\\store\\rg\\14\\bin;C:\\Windows\\system32;\\\\server\\share\\bin'\n",
                ),
            ],
        );
    }

    #[test]
    fn variables_are_set_and_removed_in_each_shell() {
        let v = Some("it's $HOME");
        assert_eq!(
            Shell::Bash.render_var("A", v),
            "export A='it'\\''s $HOME'\n"
        );
        assert_eq!(Shell::Zsh.render_var("A", None), "unset A\n");
        assert_eq!(Shell::Fish.render_var("A", v), "set -gx A 'it\\'s $HOME'\n");
        assert_eq!(Shell::Fish.render_var("A", None), "set -e A; or true\n");
        assert_eq!(
            Shell::Powershell.render_var("A", v),
            "$env:A = 'it''s $HOME'\n"
        );
        assert!(
            Shell::Powershell
                .render_var("A", None)
                .starts_with("Remove-Item Env:A")
        );
        assert_eq!(Shell::Json.render_var("A", None), "{\"A\":null}\n");
    }

    #[test]
    fn control_characters_are_escaped_not_printed() {
        let value = "a\nb\u{1b}[2J\u{85}'";
        for shell in [Shell::Bash, Shell::Fish, Shell::Powershell, Shell::Json] {
            let line = shell.render_var("A", Some(value));
            assert!(
                !line.trim_end_matches('\n').chars().any(char::is_control),
                "{shell:?}: {line:?}"
            );
        }
        assert_eq!(
            Shell::Bash.render_var("A", Some(value)),
            "export A=$'a\\x0ab\\x1b[2J\\xc2\\x85\\''\n"
        );
        assert_eq!(
            Shell::Fish.render_var("A", Some(value)),
            "set -gx A 'a'\\x0a'b'\\x1b'[2J'\\u0085'\\''\n"
        );
        assert_eq!(
            Shell::Powershell.render_var("A", Some("\u{1b}x")),
            "$env:A = '' + [char]0x1B + 'x'\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&Shell::Json.render_var("A", Some(value))).unwrap();
        assert_eq!(json["A"], value);
    }

    #[test]
    fn github_env_uses_a_delimiter_for_line_breaks() {
        assert_eq!(github_env(&[("A", Some("1")), ("B", None)]), "A=1\nB=\n");
        let text = github_env(&[("M", Some("x\ny"))]);
        let (head, rest) = text.split_once('\n').unwrap();
        let delimiter = head.strip_prefix("M<<").unwrap();
        assert_eq!(rest, format!("x\ny\n{delimiter}\n"));
        assert_ne!(
            github_env(&[("M", Some("x\ny"))]),
            text,
            "a fresh delimiter"
        );
    }

    #[test]
    fn the_login_shell_picks_the_default() {
        assert_eq!(
            Shell::from_login(Some(OsStr::new("/usr/bin/fish"))),
            Shell::Fish
        );
        assert_eq!(Shell::from_login(Some(OsStr::new("/bin/zsh"))), Shell::Zsh);
        assert_eq!(Shell::from_login(None), Shell::Bash);
    }
}
