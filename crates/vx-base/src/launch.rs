//! A command that is a program started with leading arguments: on Windows an npm
//! runtime tool's `prettier` is `node.exe <store>\node_modules\prettier\bin\prettier.cjs`,
//! a PyPI one's `black` the venv's `Scripts\black.exe` launcher. Windows has no `#!`
//! line, and a `.cmd` batch file runs only through `cmd.exe` (which re-reads the
//! arguments by its own rules), so the installer writes two files per command in the
//! tool's `bin\`: `NAME.cmd`, which `PATH`, `PATHEXT` and the receipt find as for any
//! tool (and which runs the command from a shell the user activated), and
//! `NAME.vx-launch` beside it, the program and its leading arguments ([`Launch`]).
//! `vx exec`, `vx CMD`, `vx run` and the shims (`vx_ops::exec::replace_process`)
//! start the program named there directly, with no `cmd.exe` in between ([`of`]).

use std::path::{Path, PathBuf};

use super::atomic::WriteError;

use serde::{Deserialize, Serialize};

/// The extension of a launch record, beside the command's `.cmd`.
pub(crate) const EXTENSION: &str = "vx-launch";

/// A command's program and the arguments that come before the user's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    /// The program started (an absolute path: `node.exe`, the venv's `black.exe`).
    pub program: PathBuf,
    /// The arguments before the user's (the package's script).
    #[serde(default)]
    pub args: Vec<String>,
}

impl Launch {
    /// The batch file that runs this from `cmd.exe` (a shell the user activated):
    /// each path quoted, `%` doubled (the batch file's own expansion), then the user's
    /// arguments (`%*`).
    pub fn batch(&self) -> String {
        let quoted = |s: &str| format!("\"{}\"", s.replace('%', "%%"));
        let mut line = format!("@{}", quoted(&self.program.to_string_lossy()));
        for arg in &self.args {
            line.push(' ');
            line.push_str(&quoted(arg));
        }
        format!("{line} %*\r\n")
    }

    /// Writes `NAME.cmd` and `NAME.vx-launch` into `bin_dir`.
    pub fn write(&self, bin_dir: &Path, name: &str) -> Result<(), WriteError> {
        let write = |path: PathBuf, text: &[u8]| {
            std::fs::write(&path, text).map_err(|source| WriteError { path, source })
        };
        write(bin_dir.join(format!("{name}.cmd")), self.batch().as_bytes())?;
        let record = serde_json::to_vec_pretty(self).unwrap_or_default();
        write(bin_dir.join(format!("{name}.{EXTENSION}")), &record)
    }
}

/// The launch recorded beside `exe` (a command found on `PATH`), when it is a `.cmd`
/// with a `NAME.vx-launch` beside it that reads as one; `None` otherwise (the `.cmd`
/// of any other tool, run as it is).
pub fn of(exe: &Path) -> Option<Launch> {
    let is_cmd = exe
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("cmd"));
    if !is_cmd {
        return None;
    }
    let text = std::fs::read(exe.with_extension(EXTENSION)).ok()?;
    serde_json::from_slice(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launch_is_written_as_a_batch_file_and_read_back_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let launch = Launch {
            program: PathBuf::from(r"C:\store\node\20.11.1\node.exe"),
            args: vec![r"C:\store\prettier\3.10.1\node_modules\prettier\bin\100%.cjs".to_owned()],
        };
        launch.write(dir.path(), "prettier").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("prettier.cmd")).unwrap(),
            "@\"C:\\store\\node\\20.11.1\\node.exe\" \"C:\\store\\prettier\\3.10.1\\node_modules\\prettier\\bin\\100%%.cjs\" %*\r\n"
        );
        assert_eq!(of(&dir.path().join("prettier.cmd")), Some(launch.clone()));
        // Only a `.cmd` is read for one; another `.cmd` runs as it is.
        assert_eq!(of(&dir.path().join("prettier.exe")), None);
        std::fs::write(dir.path().join("other.cmd"), "@echo hi\r\n").unwrap();
        assert_eq!(of(&dir.path().join("other.cmd")), None);
        std::fs::write(dir.path().join("bad.vx-launch"), "not json").unwrap();
        assert_eq!(of(&dir.path().join("bad.cmd")), None);
    }
}
