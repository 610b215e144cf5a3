//! Where the store is: the default in the user's data directory, a `--store` made
//! absolute and checked for what its tools' `PATH` entries need, and prepared (created,
//! its work area and lock directory writable) before anything is installed into it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::locks::LOCKS_DIR;
use super::work::TMP_DIR;

/// Why a store cannot be used: the user's to fix (`--store`, `XDG_DATA_HOME`, `HOME`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store was given and no default can be derived.
    #[error("{}; pass --store DIR", vx_base::platform::fs::DATA_DIR_UNSET)]
    NoDefault,
    /// A path on the way to the store exists and is not a directory.
    #[error("cannot use the store {store}: {blocker} exists and is not a directory")]
    NotADirectory {
        /// The store.
        store: PathBuf,
        /// The first ancestor (or the store itself) that is not a directory.
        blocker: PathBuf,
    },
    /// The store, its work area or lock directory cannot be written.
    #[error("cannot use the store {store}: cannot write {path}")]
    NotWritable {
        /// The store.
        store: PathBuf,
        /// What could not be created or written.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The store's path is not UTF-8: it could not travel to the installers (the config
    /// frame is JSON) nor be written into receipts.
    #[error("cannot use the store {}: its path is not valid UTF-8", store.display())]
    NotUtf8 {
        /// The store.
        store: PathBuf,
    },
    /// The store's path holds what a `PATH` entry cannot (`:`; `"` on Windows): its tools'
    /// directories could never be put on `PATH`, so everything would install and then
    /// not be found.
    #[error(
        "cannot use the store {}: its path holds `{}`, which a PATH entry cannot, so its tools could never be found on PATH; pass --store DIR or set {} to a directory without it",
        store.display(),
        vx_base::platform::search::NOT_IN_PATH,
        vx_base::platform::fs::DATA_DIR_VARIABLE
    )]
    NotForPath {
        /// The store.
        store: PathBuf,
    },
    /// The store's absolute path cannot be worked out.
    #[error("cannot resolve the store path {store}")]
    Unresolvable {
        /// The store.
        store: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The default store: `vx/store` in the user's data directory
/// ([`vx_base::platform::fs::data_dir`]: `$XDG_DATA_HOME`, else `~/.local/share`; on
/// Windows `%LOCALAPPDATA%`).
pub fn default_store() -> Result<PathBuf, StoreError> {
    let data = vx_base::platform::fs::data_dir().ok_or(StoreError::NoDefault)?;
    Ok(data.join("vx").join("store"))
}

/// The store `store` names (else [`default_store`]) as an absolute path, without
/// creating or checking anything: for the commands that only read it (`vx exec`,
/// `vx which`, `vx env`, `vx list`).
pub fn locate(store: Option<PathBuf>) -> Result<PathBuf, StoreError> {
    let store = match store {
        Some(store) => store,
        None => default_store()?,
    };
    fit_for_path(&store)?;
    std::path::absolute(&store).map_err(|source| StoreError::Unresolvable { store, source })
}

/// Refuses a store whose path `PATH` cannot hold ([`StoreError::NotForPath`]).
fn fit_for_path(store: &Path) -> Result<(), StoreError> {
    if vx_base::platform::search::fits_in_path(store) {
        Ok(())
    } else {
        Err(StoreError::NotForPath {
            store: store.to_path_buf(),
        })
    }
}

/// Makes the store directory exist (`store`, else [`default_store`]), checks that it
/// can be written (its work area [`TMP_DIR`] and lock directory [`LOCKS_DIR`] are
/// created, and a probe file written and removed there), and returns its absolute path
/// (children run with their own working directory, so the frame carries absolute
/// paths). A store that cannot be prepared is an error naming the path, before anything
/// else is written.
pub fn prepare(store: Option<PathBuf>) -> Result<PathBuf, StoreError> {
    let store = match store {
        Some(store) => store,
        None => default_store()?,
    };
    if store.to_str().is_none() {
        return Err(StoreError::NotUtf8 { store });
    }
    fit_for_path(&store)?;
    if let Some(blocker) = store
        .ancestors()
        .find(|p| p.symlink_metadata().is_ok())
        .filter(|p| !p.is_dir())
    {
        return Err(StoreError::NotADirectory {
            blocker: blocker.to_path_buf(),
            store,
        });
    }
    let not_writable = |path: &Path| {
        let (store, path) = (store.clone(), path.to_path_buf());
        move |source| StoreError::NotWritable {
            store,
            path,
            source,
        }
    };
    fs::create_dir_all(&store).map_err(not_writable(&store))?;
    for dir in [TMP_DIR, LOCKS_DIR] {
        let dir = store.join(dir);
        fs::create_dir_all(&dir).map_err(not_writable(&dir))?;
    }
    let tmp = store.join(TMP_DIR);
    tempfile::tempfile_in(&tmp).map_err(not_writable(&tmp))?;
    std::path::absolute(&store).map_err(|source| StoreError::Unresolvable { store, source })
}
