//! Why an OCI image layout could not be written or read: shared by the layout itself
//! (`layout`) and the naming of its files (`named`), which the layout's import calls.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why a layout could not be written or read.
#[derive(Debug, Error)]
pub enum LayoutError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The path is not an OCI image layout.
    #[error("{}: not an OCI image layout ({why})", path.display())]
    NotALayout {
        /// The path.
        path: PathBuf,
        /// What is missing.
        why: String,
    },
    /// A blob's bytes do not hash to its name.
    #[error("{}: the blob {name} holds bytes of sha256 {actual}: refused", path.display())]
    Corrupt {
        /// The layout.
        path: PathBuf,
        /// The blob's name.
        name: String,
        /// Their actual sha256.
        actual: String,
    },
}
