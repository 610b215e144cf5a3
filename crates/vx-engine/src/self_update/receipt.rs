//! The installer's receipt, `receipt.json` in vx's configuration directory
//! (`$XDG_CONFIG_HOME/vx/receipt.json`, `%APPDATA%\vx\receipt.json`): where
//! `install.sh` / `install.ps1` put vx, which version, from where, and that the
//! installer did it (`"channel": "installer"`). `vx self update` trusts a vx to be
//! the installer's only when the running executable is in the receipt's directory,
//! and rewrites the version after an update; `vx self uninstall` removes it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SelfUpdateError;

/// The receipt's file name in the configuration directory.
pub(crate) const RECEIPT_FILE: &str = "receipt.json";
/// The largest receipt read.
const MAX_RECEIPT_BYTES: u64 = 64 * 1024;

/// What the installer recorded. Fields beyond these are kept out of the way (ignored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The directory holding the `vx` executable.
    pub install_dir: PathBuf,
    /// The version installed.
    pub version: String,
    /// Where it was downloaded from (the release set's directory URL).
    pub source: String,
    /// Who installed it: `installer`.
    pub channel: String,
}

impl Receipt {
    /// The receipt's path; `None` when no configuration directory is known.
    pub fn path() -> Option<PathBuf> {
        vx_base::platform::fs::config_dir().map(|dir| dir.join(RECEIPT_FILE))
    }

    /// The receipt at [`Receipt::path`]; `None` when there is none.
    pub fn load() -> Result<Option<Receipt>, SelfUpdateError> {
        match Receipt::path() {
            Some(path) => Receipt::load_from(&path),
            None => Ok(None),
        }
    }

    /// The receipt at `path`; `None` when the file does not exist.
    pub(crate) fn load_from(path: &Path) -> Result<Option<Receipt>, SelfUpdateError> {
        // Through the bounded reader: a FIFO or a device in its place is refused by
        // name, unread, rather than hang `vx self info` and `vx doctor`.
        let bytes = match vx_base::bounded_read::read(path, MAX_RECEIPT_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
                return Err(SelfUpdateError::BadReceipt {
                    path: path.to_owned(),
                    problem: format!("over {MAX_RECEIPT_BYTES} bytes"),
                });
            }
            Err(e) => {
                return Err(SelfUpdateError::Io {
                    what: format!("cannot read {}", path.display()),
                    source: e.into(),
                });
            }
        };
        let bad = |problem: String| SelfUpdateError::BadReceipt {
            path: path.to_owned(),
            problem,
        };
        let receipt: Receipt = serde_json::from_slice(&bytes)
            .map_err(|e| bad(vx_text::sanitize(&e.to_string()).into_owned()))?;
        Ok(Some(receipt))
    }

    /// Writes the receipt to `path` whole (a temporary file renamed over it).
    pub(crate) fn save_to(&self, path: &Path) -> Result<(), SelfUpdateError> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(SelfUpdateError::io(format!(
                "cannot create {}",
                dir.display()
            )))?;
        }
        vx_base::atomic::write(path, text.as_bytes()).map_err(SelfUpdateError::io(format!(
            "cannot write {}",
            path.display()
        )))
    }

    /// Whether `exe` (the running executable, canonical) is the one this receipt
    /// installed: it sits in `install_dir`.
    pub(crate) fn covers(&self, exe: &Path) -> bool {
        let dir = std::fs::canonicalize(&self.install_dir).unwrap_or(self.install_dir.clone());
        exe.parent().is_some_and(|parent| parent == dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_round_trips_and_extra_fields_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vx/receipt.json");
        assert_eq!(Receipt::load_from(&path).unwrap(), None);
        let receipt = Receipt {
            install_dir: dir.path().to_owned(),
            version: "0.1.0".to_owned(),
            source: "https://h/r".to_owned(),
            channel: "installer".to_owned(),
        };
        receipt.save_to(&path).unwrap();
        assert_eq!(Receipt::load_from(&path).unwrap(), Some(receipt.clone()));
        assert!(receipt.covers(&dir.path().canonicalize().unwrap().join("vx")));
        std::fs::write(
            &path,
            r#"{"install_dir":"/x","version":"1","source":"s","channel":"installer","more":1}"#,
        )
        .unwrap();
        assert!(Receipt::load_from(&path).unwrap().is_some());
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(
            Receipt::load_from(&path),
            Err(SelfUpdateError::BadReceipt { .. })
        ));
    }
}
