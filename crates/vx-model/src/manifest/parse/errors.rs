//! Why a file a manifest names cannot be used: a tool's `version_file`, a cosign key
//! file. Said inside the manifest's own error at the key's place
//! ([`super::super::Problem::VersionFile`], [`super::super::Problem::Verify`]).

use std::path::PathBuf;

use vx_base::validate;

/// Why a tool's `version_file` gives no constraint.
#[derive(Debug, thiserror::Error)]
pub(crate) enum VersionFileError {
    /// Absolute, empty or with a `..` step.
    #[error("must be a path inside the project, relative to vx.toml (no `..`)")]
    Outside,
    /// A link out of the project.
    #[error(
        "`{}` leads outside the project (a link to {}); a version file must be the project's own",
        validate::shorten(file),
        real.display()
    )]
    Link {
        /// The file as written.
        file: String,
        /// Where it leads.
        real: PathBuf,
    },
    /// Another user's file (or a directory on the way to it).
    #[error(
        "`{}` is another user's (uid {uid}): vx reads no project file of another user's",
        validate::shorten(file)
    )]
    Foreign {
        /// The file as written.
        file: String,
        /// Its owner.
        uid: u32,
    },
    /// A file whose format vx cannot tell.
    #[error(
        "`{}`: vx reads {} files (name the file as they are named)",
        validate::shorten(file),
        crate::import::FORMAT_NAMES
    )]
    Format {
        /// The file as written.
        file: String,
    },
    /// The file cannot be read, or does not follow its format.
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    /// The file lists other tools only.
    #[error(
        "`{}` names no version of {}",
        validate::shorten(file),
        validate::shorten(lookup)
    )]
    NoVersion {
        /// The file as written.
        file: String,
        /// The tool looked for.
        lookup: String,
    },
    /// The version the file gives is none vx can pin.
    #[error("`{}`: {source}", validate::shorten(file))]
    Version {
        /// The file as written.
        file: String,
        /// Why.
        source: crate::import::VersionError,
    },
}

/// A cosign key file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the cosign key file {}: {source}", vx_text::sanitize(&path.display().to_string()))]
pub(crate) struct KeyFileError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: vx_base::bounded_read::ReadError,
}
