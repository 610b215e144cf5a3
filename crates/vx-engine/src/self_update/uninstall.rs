//! Undoing what the installer did: the `PATH` lines it added to shell profiles (each
//! ends with [`PROFILE_MARKER`]), the fish snippet it wrote, and the receipt. The
//! executable itself is removed by the command (`self-replace`'s `self_delete`, as a
//! running exe cannot simply be deleted on Windows).

use std::path::{Path, PathBuf};

use super::SelfUpdateError;

/// The comment `install.sh` ends each line it adds to a profile with.
pub(crate) const PROFILE_MARKER: &str = "# added by the vx installer";
/// The profiles `install.sh` may edit, relative to the home directory.
pub(crate) const PROFILES: &[&str] = &[".profile", ".bashrc", ".bash_profile", ".zshrc", ".zshenv"];
/// fish's snippet `install.sh` writes whole, relative to the home directory.
pub(crate) const FISH_SNIPPET: &str = ".config/fish/conf.d/vx.fish";

/// Removes the installer's lines from each profile under `home` and its fish snippet;
/// returns the files changed. A profile without such lines is left untouched.
pub(crate) fn clean_profiles(home: &Path) -> Result<Vec<PathBuf>, SelfUpdateError> {
    let mut changed = Vec::new();
    for name in PROFILES {
        let path = home.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains(PROFILE_MARKER) {
            continue;
        }
        let kept: String = text
            .split_inclusive('\n')
            .filter(|line| !line.trim_end().ends_with(PROFILE_MARKER))
            .collect();
        vx_base::atomic::write(&path, kept.as_bytes()).map_err(SelfUpdateError::io(format!(
            "cannot write {}",
            path.display()
        )))?;
        changed.push(path);
    }
    let fish = home.join(FISH_SNIPPET);
    if std::fs::read_to_string(&fish).is_ok_and(|t| t.contains(PROFILE_MARKER)) {
        std::fs::remove_file(&fish).map_err(SelfUpdateError::io(format!(
            "cannot remove {}",
            fish.display()
        )))?;
        changed.push(fish);
    }
    Ok(changed)
}

/// Removes the running executable (on Windows, once this process has exited).
pub(crate) fn remove_running_exe() -> std::io::Result<()> {
    self_replace::self_delete()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_installers_lines_are_removed() {
        let home = tempfile::tempdir().unwrap();
        let profile = home.path().join(".profile");
        std::fs::write(
            &profile,
            format!(
                "export A=1\nexport PATH=\"$HOME/.local/bin:$PATH\" {PROFILE_MARKER}\nexport B=2"
            ),
        )
        .unwrap();
        std::fs::write(home.path().join(".bashrc"), "alias x=y\n").unwrap();
        let changed = clean_profiles(home.path()).unwrap();
        assert_eq!(changed, vec![profile.clone()]);
        assert_eq!(
            std::fs::read_to_string(&profile).unwrap(),
            "export A=1\nexport B=2"
        );
        assert_eq!(
            std::fs::read_to_string(home.path().join(".bashrc")).unwrap(),
            "alias x=y\n"
        );
    }
}
