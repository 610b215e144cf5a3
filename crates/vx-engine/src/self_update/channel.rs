//! How this vx was installed, from the installer's receipt and where the executable
//! is: each channel is updated its own way, and only the installer's (and, with
//! `--force`, a vx placed by hand) by `vx self update`.

use std::path::Path;

use super::Receipt;

/// Who put this vx where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// `install.sh` / `install.ps1`: a receipt whose directory holds this executable.
    Installer,
    /// A PyPI wheel (`pip install vx-toolchain`): a `vx_toolchain-*.dist-info` in the
    /// environment's `site-packages`.
    Pip,
    /// The npm package's platform binary (`…/node_modules/@vx-toolchain/cli-*/…`).
    Npm,
    /// Homebrew (`…/Cellar/vx/…`).
    Homebrew,
    /// `cargo install` / `cargo binstall` (`$CARGO_HOME/bin`, `~/.cargo/bin`).
    Cargo,
    /// None of these: copied by hand, or built from source.
    Manual,
}

impl Channel {
    /// Its name in `vx self info --json`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Installer => "installer",
            Channel::Pip => "pip",
            Channel::Npm => "npm",
            Channel::Homebrew => "homebrew",
            Channel::Cargo => "cargo",
            Channel::Manual => "manual",
        }
    }

    /// Why `vx self update` does not update a vx of this channel, with the command
    /// that does; `None` for the installer's.
    pub(crate) fn refusal(self) -> Option<&'static str> {
        match self {
            Channel::Installer => None,
            Channel::Pip => {
                Some("this vx was installed by pip: update it with `pip install -U vx-toolchain`")
            }
            Channel::Npm => {
                Some("this vx was installed by npm: update it with `npm i -g vx-toolchain`")
            }
            Channel::Homebrew => {
                Some("this vx was installed by Homebrew: update it with `brew upgrade vx`")
            }
            Channel::Cargo => Some(
                "this vx was installed by cargo: update it with `cargo binstall --git https://github.com/vx-toolchain/vx vx` (or `cargo install`)",
            ),
            Channel::Manual => Some(
                "this vx was not installed by the installer (no receipt names its directory): reinstall it with the install script, or pass --force to replace it anyway",
            ),
        }
    }

    /// Whether `--force` lets `vx self update` replace a vx of this channel: only one
    /// placed by hand (a package manager's files would no longer match its records).
    pub(crate) fn force_allowed(self) -> bool {
        matches!(self, Channel::Installer | Channel::Manual)
    }
}

/// The channel of the executable at `exe` (canonical), given the installer's receipt.
pub fn detect(exe: &Path, receipt: Option<&Receipt>) -> Channel {
    if receipt.is_some_and(|r| r.channel == "installer" && r.covers(exe)) {
        return Channel::Installer;
    }
    let parts: Vec<String> = exe
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let has_pair =
        |a: &str, b: &dyn Fn(&str) -> bool| parts.windows(2).any(|w| w[0] == a && b(&w[1]));
    if has_pair("node_modules", &|next| next == "@vx-toolchain") {
        return Channel::Npm;
    }
    if has_pair("Cellar", &|next| next == "vx") {
        return Channel::Homebrew;
    }
    if let Some(dir) = exe.parent()
        && is_pip_scripts_dir(dir)
    {
        return Channel::Pip;
    }
    if let Some(dir) = exe.parent() {
        let cargo_home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from);
        let is_cargo = match cargo_home {
            Some(home) => dir == home.join("bin"),
            None => dir.ends_with(".cargo/bin"),
        };
        if is_cargo {
            return Channel::Cargo;
        }
    }
    Channel::Manual
}

/// Whether `dir` is an environment's scripts directory (`bin`, `Scripts`) whose
/// `site-packages` holds the wheel's metadata, `vx_toolchain-*.dist-info` (a venv's
/// `lib/pythonX.Y/site-packages`, Windows' `Lib\site-packages`, or a `--user`
/// install's `~/.local/lib/pythonX.Y/site-packages` beside `~/.local/bin`).
fn is_pip_scripts_dir(dir: &Path) -> bool {
    let Some(env) = dir.parent() else {
        return false;
    };
    let mut site_dirs = vec![env.join("Lib").join("site-packages")];
    for lib in ["lib", "lib64"] {
        if let Ok(entries) = std::fs::read_dir(env.join(lib)) {
            site_dirs.extend(
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
                    .map(|e| e.path().join("site-packages")),
            );
        }
    }
    site_dirs.iter().any(|site| {
        std::fs::read_dir(site).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                name.starts_with("vx_toolchain-") && name.ends_with(".dist-info")
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_managers_are_known_by_their_paths() {
        let npm = Path::new("/usr/lib/node_modules/@vx-toolchain/cli-linux-x64/bin/vx");
        assert_eq!(detect(npm, None), Channel::Npm);
        let brew = Path::new("/opt/homebrew/Cellar/vx/0.2.0/bin/vx");
        assert_eq!(detect(brew, None), Channel::Homebrew);
        assert_eq!(
            detect(Path::new("/usr/local/bin/vx"), None),
            Channel::Manual
        );
    }

    #[test]
    fn a_venv_with_the_wheel_is_pip() {
        let env = tempfile::tempdir().unwrap();
        let site = env.path().join("lib/python3.12/site-packages");
        std::fs::create_dir_all(site.join("vx_toolchain-0.2.0.dist-info")).unwrap();
        assert_eq!(detect(&env.path().join("bin/vx"), None), Channel::Pip);
        std::fs::remove_dir(site.join("vx_toolchain-0.2.0.dist-info")).unwrap();
        assert_eq!(detect(&env.path().join("bin/vx"), None), Channel::Manual);
    }

    #[test]
    fn only_a_receipt_naming_this_directory_makes_it_the_installers() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().canonicalize().unwrap();
        let receipt = Receipt {
            install_dir: dir.clone(),
            version: "0.1.0".to_owned(),
            source: String::new(),
            channel: "installer".to_owned(),
        };
        assert_eq!(detect(&dir.join("vx"), Some(&receipt)), Channel::Installer);
        assert_eq!(
            detect(Path::new("/elsewhere/vx"), Some(&receipt)),
            Channel::Manual
        );
    }
}
