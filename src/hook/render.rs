//! The changes of [`super::diff::plan`] as each shell evaluates them, every value
//! quoted as one literal word (quotes, `$`, backslashes and newlines survive).
//!
//! The smallest renderer the hook needs: set, export and unset any variable. (`vx
//! env`'s renderer, [`crate::toolchain::shell`], writes `PATH` alone; the two can
//! become one.)

use super::diff::Op;
use crate::toolchain::shell::{Shell, sh_quote};

/// The shells the hook supports, by name on the command line.
pub const SHELLS: [(&str, Shell); 4] = [
    ("bash", Shell::Bash),
    ("zsh", Shell::Zsh),
    ("fish", Shell::Fish),
    ("powershell", Shell::Powershell),
];

/// `ops` as `shell`'s commands, one a line. (`Json` and `Github` are not shells: they
/// get the POSIX form.)
pub fn render(shell: Shell, ops: &[Op]) -> String {
    let mut out = String::new();
    for op in ops {
        let line = match (shell, op) {
            (Shell::Fish, Op::Set(name, value)) if name == "PATH" => {
                // fish holds PATH as a list; an empty PATH is an empty list.
                let entries: Vec<String> = std::env::split_paths(value)
                    .map(|p| fish_quote(&p.to_string_lossy()))
                    .collect();
                format!("set -gx PATH {}", entries.join(" "))
            }
            (Shell::Fish, Op::Set(name, value)) => format!("set -gx {name} {}", fish_quote(value)),
            (Shell::Fish, Op::Unset(name)) => format!("set -e {name}"),
            (Shell::Powershell, Op::Set(name, value)) => {
                format!("$env:{name} = {}", powershell_quote(value))
            }
            (Shell::Powershell, Op::Unset(name)) => {
                format!("Remove-Item -LiteralPath Env:{name} -ErrorAction SilentlyContinue")
            }
            (_, Op::Set(name, value)) => format!("export {name}={}", sh_quote(value)),
            (_, Op::Unset(name)) => format!("unset {name}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `text` as one fish word: in single quotes only `\` and `'` are special.
pub fn fish_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'"))
}

/// `text` as one PowerShell word: a verbatim string, whose only escape is `''`. The
/// typographic quotes PowerShell also takes as quotes are doubled too.
pub fn powershell_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of a PowerShell verbatim string starting at `text`'s first
    /// character, and what follows it: PowerShell's own rule (a quote, any of the
    /// four, ends it unless doubled).
    fn powershell_word(text: &str) -> (String, &str) {
        let quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
        let mut chars = text.char_indices().peekable();
        assert!(matches!(chars.next(), Some((_, c)) if quote(c)));
        let mut value = String::new();
        while let Some((i, c)) = chars.next() {
            if quote(c) {
                match chars.peek() {
                    Some(&(_, next)) if quote(next) => {
                        chars.next();
                        value.push(c);
                    }
                    _ => return (value, &text[i + c.len_utf8()..]),
                }
            } else {
                value.push(c);
            }
        }
        panic!("unterminated string in {text:?}");
    }

    const HOSTILE: &str = "it's \"q\" $HOME `x` \\ ‘curly’ $(rm -rf ~)\nline two; exit";

    #[test]
    fn powershell_reads_back_every_value_as_written() {
        let ops = [
            Op::Set("A".into(), HOSTILE.into()),
            Op::Set("B".into(), String::new()),
            Op::Unset("C".into()),
        ];
        let text = render(Shell::Powershell, &ops);
        let mut rest = text.as_str();
        for (name, expected) in [("A", HOSTILE), ("B", "")] {
            let prefix = format!("$env:{name} = ");
            rest = rest
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{rest:?}"));
            let (value, after) = powershell_word(rest);
            assert_eq!(value, expected);
            rest = after.strip_prefix('\n').unwrap();
        }
        assert_eq!(
            rest,
            "Remove-Item -LiteralPath Env:C -ErrorAction SilentlyContinue\n"
        );
    }

    /// Real shells evaluate the output and print the value back (Unix: the shells
    /// are there; fish only when installed).
    #[test]
    #[cfg(unix)]
    fn posix_shells_and_fish_read_back_every_value_as_written() {
        let ops = [
            Op::Set("VX_T".into(), HOSTILE.into()),
            Op::Set("PATH".into(), "/usr/bin:/b'in:/bin".into()),
            Op::Unset("VX_GONE".into()),
        ];
        for (shell, program, print) in [
            (
                Shell::Bash,
                "bash",
                "printf '%s|%s|%s' \"$VX_T\" \"$PATH\" \"${VX_GONE-unset}\"",
            ),
            (
                Shell::Zsh,
                "zsh",
                "printf '%s|%s|%s' \"$VX_T\" \"$PATH\" \"${VX_GONE-unset}\"",
            ),
            (
                Shell::Fish,
                "fish",
                "printf '%s|%s|' \"$VX_T\" (string join : $PATH); set -q VX_GONE; or printf unset",
            ),
        ] {
            let script = format!("{}{print}", render(shell, &ops));
            let out = std::process::Command::new(program)
                .args(["-c", &script])
                .env("VX_GONE", "here")
                .output();
            let Ok(out) = out else {
                eprintln!("skipped: no {program}");
                continue;
            };
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{HOSTILE}|/usr/bin:/b'in:/bin|unset"),
                "{program}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
