//! [`InstallConfig::probe`]: a download hashed and its listing checked, only a receipt
//! left, for `vx lock`.

use std::path::Path;

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::error::store_err;
use super::signatures::verify;
use super::{InstallError, InstallOptions, Outcome, ProgressSink, components, fetch, listing};
use crate::store;

/// [`InstallConfig::probe`]: downloads and hashes the archive (verifying it when a
/// sha256 is given), reads its listing without unpacking it and checks `bin` and
/// `strip_components` against it ([`listing`]), and leaves only a receipt at
/// `final_dir`, from which `vx lock` records the checksum.
pub(super) fn probe(
    cfg: &InstallConfig,
    final_dir: &Path,
    key: &str,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    let work = store::work_dir_in(&cfg.store, opts.work_area.as_ref())
        .map_err(store_err("cannot create a work directory in", &cfg.store))?;
    sink.phase(Phase::Downloading, &cfg.spec.url);
    let download_path = work.path().join("download");
    let download = fetch::fetch(
        &cfg.spec.url,
        cfg.spec.sha256.as_deref(),
        &download_path,
        sink,
        opts,
    )?;
    let verified = verify(cfg, &download, sink, opts)?;
    sink.phase(Phase::Extracting, "checking the archive's listing");
    // Executables an install step makes (OTP's `Install`, merged components) are not
    // in the archive's listing: they are checked when the tree is installed.
    let made = cfg.spec.post_install.is_some()
        || cfg.spec.options.contains_key(components::OPTION)
        || cfg.spec.needs.environment.is_some();
    let checked = listing::check(
        &download.path,
        cfg.spec.format,
        cfg.spec.strip_components,
        cfg.spec.bin.as_deref().filter(|_| !made),
        &cfg.spec.name,
        opts.extract,
    )?;
    let mut receipt = store::Receipt::new(cfg, &download.sha256, checked.format, download.bytes);
    receipt.bin = if made {
        cfg.spec.bin.clone().unwrap_or_default()
    } else {
        checked.bin
    };
    receipt.verified = verified;
    receipt.key = Some(key.to_owned());
    std::fs::create_dir_all(final_dir).map_err(store_err("cannot create", final_dir))?;
    store::write_receipt(final_dir, &receipt)
        .map_err(store_err("cannot write the receipt in", final_dir))?;
    Ok(Outcome::Probed {
        path: final_dir.to_owned(),
        bytes: download.bytes,
        sha256: download.sha256,
    })
}
