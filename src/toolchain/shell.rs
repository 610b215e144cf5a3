//! `vx env`: what puts a toolchain on `PATH`, as each shell (or CI) reads it. Every
//! form sets the whole `PATH` (the tools' directories, then the inherited entries
//! without them), so evaluating it twice changes nothing. On Windows the POSIX shells
//! (Git Bash, MSYS2) get their own form of each entry (`/c/Users/…`, `:`-separated),
//! PowerShell and JSON the Windows one.

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
                .map(|entry| crate::platform::fs::posix_shell_path(&entry))
                .collect::<Vec<String>>()
        };
        let path = path.to_string_lossy();
        match self {
            Shell::Bash | Shell::Zsh => format!("export PATH={}\n", sh_quote(&posix().join(":"))),
            Shell::Fish => {
                let entries: Vec<String> = posix().iter().map(|p| fish_quote(p)).collect();
                format!("set -gx PATH {}\n", entries.join(" "))
            }
            Shell::Powershell => format!("$env:PATH = '{}'\n", path.replace('\'', "''")),
            Shell::Json => format!("{}\n", serde_json::json!({ "PATH": path })),
            // The runner prepends each line in turn: the last line ends up first.
            Shell::Github => dirs
                .iter()
                .rev()
                .map(|d| format!("{}\n", d.to_string_lossy()))
                .collect(),
        }
    }
}

/// `text` as one POSIX shell word.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` as one fish word.
fn fish_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(windows, ignore = "the expected PATH values are `:`-separated")]
    fn each_shell_sets_the_whole_path() {
        let dirs = [PathBuf::from("/s/it's/bin")];
        let path = Some(OsStr::new("/usr/bin:/bin"));
        assert_eq!(
            Shell::Bash.render(&dirs, path),
            "export PATH='/s/it'\\''s/bin:/usr/bin:/bin'\n"
        );
        assert_eq!(
            Shell::Fish.render(&dirs, path),
            "set -gx PATH '/s/it\\'s/bin' '/usr/bin' '/bin'\n"
        );
        assert_eq!(
            Shell::Powershell.render(&dirs, path),
            "$env:PATH = '/s/it''s/bin:/usr/bin:/bin'\n"
        );
        assert_eq!(
            Shell::Json.render(&dirs, path),
            "{\"PATH\":\"/s/it's/bin:/usr/bin:/bin\"}\n"
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
        assert_eq!(
            Shell::Bash.render(&dirs, path),
            "export PATH='/c/Users/me/vx/store/rg/14/bin:/c/Windows/system32://server/share/bin'\n"
        );
        assert_eq!(
            Shell::Fish.render(&dirs, path),
            "set -gx PATH '/c/Users/me/vx/store/rg/14/bin' '/c/Windows/system32' '//server/share/bin'\n"
        );
        assert_eq!(
            Shell::Powershell.render(&dirs, path),
            "$env:PATH = 'C:\\Users\\me\\vx\\store\\rg\\14\\bin;C:\\Windows\\system32;\\\\server\\share\\bin'\n"
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
