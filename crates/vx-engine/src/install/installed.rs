//! A tool the store already holds, taken as it is when its receipt answers for the
//! config ([`cached`]): pinned once a lock names its bytes, its signatures checked
//! again when the config asks for ones the receipt does not record.

use std::path::{Path, PathBuf};

use vx_model::config_frame::InstallConfig;

use super::error::store_err;
use super::save::download_whole;
use super::signatures::verify;
use super::{InstallError, InstallOptions, Outcome, ProgressSink, sources};
use crate::store;

/// The outcome for `cfg` when its tool is already in the store with a matching
/// receipt: nothing to download. A cached tree counts as verified when the config now
/// names a sha256: the receipt's hash (computed from the bytes installed) matched it.
/// A question only: the store is left as it is ([`super::install`] pins what it takes).
pub fn cached(cfg: &InstallConfig) -> Option<Outcome> {
    installed(cfg).map(|tree| tree.outcome(cfg, false))
}

/// A tree of `cfg`'s tool in the store, and the receipt that answers for it.
pub(super) struct Installed {
    pub(super) receipt: store::Receipt,
    pub(super) path: PathBuf,
}

/// `cfg`'s tool as the store holds it, when it can be taken as it is: not for a
/// download to save (never "installed"), nor while its signatures are still to be
/// checked ([`verify_installed`]).
pub(super) fn installed(cfg: &InstallConfig) -> Option<Installed> {
    if cfg.save_to.is_some() {
        return None;
    }
    let (path, receipt) = store::find(&cfg.store, &cfg.spec)?;
    if !signatures_recorded(cfg, &receipt) {
        return None;
    }
    Some(Installed { receipt, path })
}

impl Installed {
    /// Taken as installed for `cfg` (`waited`: after another vx's install of it): a tree
    /// installed on trust whose bytes `cfg` now names is pinned first ([`pin_receipt`]).
    pub(super) fn take(self, cfg: &InstallConfig, waited: bool) -> Outcome {
        pin_receipt(&self.receipt, &self.path, cfg);
        self.outcome(cfg, waited)
    }

    fn outcome(&self, cfg: &InstallConfig, waited: bool) -> Outcome {
        Outcome::Cached {
            path: self.path.clone(),
            unverified: self.receipt.unverified && !pins_bytes(&cfg.spec),
            waited,
            signed: signed_by(&self.receipt, cfg),
        }
    }
}

/// What verified the signatures of the tree `receipt` describes: its receipt's record,
/// else the lock's (`cfg.spec.verified`) when the lock pins the very bytes installed.
pub(super) fn signed_by(receipt: &store::Receipt, cfg: &InstallConfig) -> Option<String> {
    receipt
        .verified
        .clone()
        .filter(|v| !v.is_empty())
        .or_else(|| {
            cfg.spec
                .verified
                .clone()
                .filter(|_| cfg.spec.sha256.as_deref() == Some(receipt.sha256.as_str()))
        })
}

/// A tree installed on trust whose bytes `cfg` now names (a lock pinned them) loses its
/// UNVERIFIED mark for good, so `vx list` stops showing it.
fn pin_receipt(receipt: &store::Receipt, path: &Path, cfg: &InstallConfig) {
    if let Some(sha256) = cfg.spec.sha256.as_deref().filter(|_| receipt.unverified) {
        store::mark_pinned(path, sha256);
    }
}

/// Whether `spec` names the bytes it downloads: a sha256, or a registry's SRI
/// `integrity` ([`vx_net::verify::integrity`]).
pub(super) fn pins_bytes(spec: &vx_model::spec::ToolSpec) -> bool {
    spec.sha256.is_some() || spec.integrity.is_some()
}

/// Whether `receipt` records every signature `cfg` asks to check, with the same keys
/// (true when it asks for none).
fn signatures_recorded(cfg: &InstallConfig, receipt: &store::Receipt) -> bool {
    let Some(checks) = cfg.spec.verify.as_ref().filter(|c| !c.is_empty()) else {
        return true;
    };
    checks
        .records()
        .is_ok_and(|records| receipt.verified.as_deref() == Some(records.as_str()))
}

/// A tree already installed for `cfg` whose receipt does not record the signatures
/// `cfg` asks for (installed before the tool's `verify` table was written, or with
/// other keys): its bytes are fetched again (from a mirror, the cache or the origin,
/// checked against the receipt's sha256) and verified, and the receipt then records
/// it, so that the lock never records a signature no one checked. Nothing to do for
/// a tree not installed, or already verified with these keys.
pub(super) fn verify_installed(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    let Some((tree, mut receipt)) = store::find(&cfg.store, &cfg.spec) else {
        return Ok(());
    };
    if signatures_recorded(cfg, &receipt) {
        return Ok(());
    }
    let sha256 = receipt.sha256.clone();
    let (_work, sources::Fetched { download, .. }) = download_whole(cfg, &sha256, sink, opts)?;
    receipt.verified = verify(cfg, &download, sink, opts)?;
    store::replace_receipt(&tree, &receipt).map_err(store_err("cannot write the receipt in", &tree))
}
