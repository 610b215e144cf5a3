//! The changes of [`super::diff::plan`] as each shell evaluates them, every value
//! quoted as one literal word (quotes, `$`, backslashes and newlines survive).
//!
//! One renderer serves `vx env` and the hook: [`vx_project::toolchain::shell`].

use super::diff::Op;
use vx_project::toolchain::shell::{Shell, fish_quote};

/// The shells the hook supports, by name on the command line.
pub const SHELLS: [(&str, Shell); 4] = [
    ("bash", Shell::Bash),
    ("zsh", Shell::Zsh),
    ("fish", Shell::Fish),
    ("powershell", Shell::Powershell),
];

/// `ops` as `shell`'s commands, one a line, through `vx env`'s renderer
/// ([`Shell::render_var`]); fish gets `PATH` as the list it holds. (`Json` and
/// `Github` are not shells: they get the POSIX form.)
pub fn render(shell: Shell, ops: &[Op]) -> String {
    let shell = match shell {
        Shell::Json | Shell::Github => Shell::Bash,
        other => other,
    };
    let mut out = String::new();
    for op in ops {
        match (shell, op) {
            (Shell::Fish, Op::Set(name, value)) if name == "PATH" => {
                // fish holds PATH as a list; an empty PATH is an empty list.
                let entries: Vec<String> = std::env::split_paths(value)
                    .map(|p| fish_quote(&p.to_string_lossy()))
                    .collect();
                out.push_str(&format!("set -gx PATH {}\n", entries.join(" ")));
            }
            (_, Op::Set(name, value)) => out.push_str(&shell.render_var(name, Some(value))),
            (_, Op::Unset(name)) => out.push_str(&shell.render_var(name, None)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of a PowerShell string expression starting at `text`'s first
    /// character — verbatim strings (a quote, any of the four, ends one unless
    /// doubled) and `[char]0xHH` joined by ` + ` — and what follows it: PowerShell's
    /// own rules.
    fn powershell_word(text: &str) -> (String, &str) {
        let quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
        let mut value = String::new();
        let mut rest = text;
        loop {
            if let Some(after) = rest.strip_prefix("[char]0x") {
                let (hex, tail) = after.split_at(2);
                value.push(char::from(u8::from_str_radix(hex, 16).unwrap()));
                rest = tail;
            } else {
                let mut chars = rest.char_indices().peekable();
                assert!(matches!(chars.next(), Some((_, c)) if quote(c)), "{rest:?}");
                let end = loop {
                    let Some((i, c)) = chars.next() else {
                        panic!("unterminated string in {text:?}");
                    };
                    if quote(c) {
                        match chars.peek() {
                            Some(&(_, next)) if quote(next) => {
                                chars.next();
                                value.push(c);
                            }
                            _ => break i + c.len_utf8(),
                        }
                    } else {
                        value.push(c);
                    }
                };
                rest = &rest[end..];
            }
            match rest.strip_prefix(" + ") {
                Some(next) => rest = next,
                None => return (value, rest),
            }
        }
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
        assert_eq!(rest, "Remove-Item Env:C -ErrorAction SilentlyContinue\n");
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
