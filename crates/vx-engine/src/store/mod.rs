//! The store on disk: `<store>/<tool>/<version>-<key>` trees, their receipts, and
//! the temporary work area `<store>/.tmp`.
//!
//! A tree is kept under its package's identity, not under a bare name: `<key>` hashes
//! what was downloaded (the sha256 the lock pins, else the registry's integrity value,
//! else the URL) and everything that shapes the tree from it (see [`key`]). Two
//! packages that share a name and a version — aqua's `uv` and the uv vx installs
//! PyPI tools with, aqua's `ruff` and `pypi:ruff`, the same wheel made into venvs on
//! two pythons — get two directories, so neither replaces the other. A tree an older
//! vx left at `<store>/<tool>/<version>` (no key) is read in place ([`find`]) until it
//! is pruned or uninstalled; nothing moves it.
//!
//! An install works in `<store>/.tmp/install-<random>` (a [`WorkDir`]: every failure,
//! cancel or panic path removes it on drop, and one left by a killed process is found
//! by its free lock and removed by [`clean_stale_work`]), writes the receipt into the
//! finished tree, then renames the tree into place. Temporary files live on the
//! store's file system, so that rename is atomic: a reader sees no tree or the whole
//! tree with its receipt, never half of one.
//!
//! Beside `.tmp` and `.locks`, `<store>/.partial` keeps interrupted downloads for a
//! later run to continue (`crate::install::partial`).
//!
//! One job per module, each re-exported here: `location` (where the store is, prepared),
//! `receipt` (what a tree is), `layout` (a tree per package identity, and the trees a tool
//! version has), `locks` (one install of a tool version at a time), `work` (where an
//! install works, and its commit).

mod layout;
mod location;
mod locks;
mod receipt;
mod work;

#[cfg(test)]
mod tests;

pub(crate) use layout::tool_trees;
pub use layout::{
    KEY_LEN, find, install_dir, is_installed, key, names_its_place, newest_tree, receipt_for, trees,
};
pub use location::{StoreError, default_store, locate, prepare};
pub(crate) use locks::open_lock;
pub(crate) use locks::{LOCKS_DIR, lock_path};
pub(crate) use receipt::replace_receipt;
pub use receipt::{RECEIPT_FILE, Receipt, mark_pinned, mark_verified, read_receipt, write_receipt};
pub use work::{
    TMP_DIR, WORK_LOCK, WorkArea, WorkDir, check_replaceable, clean_stale_work, commit, work_dir,
    work_dir_in,
};
pub(crate) use work::{is_storage_failure, stale_work};
