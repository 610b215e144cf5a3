//! A download checked against what the lock pins besides its sha256: a registry's
//! SRI `integrity` (npm's sha512) and a Go module's `h1:` hash.

use vx_model::config_frame::InstallConfig;

use super::{InstallError, fetch};

/// Checks the download against the spec's SRI `integrity` (npm's sha512), when it
/// names one: a mismatch is refused before anything of it enters the store.
pub(super) fn check_integrity(
    cfg: &InstallConfig,
    download: &fetch::Download,
) -> Result<(), InstallError> {
    check_module_hash(cfg, download)?;
    let Some(expected) = &cfg.spec.integrity else {
        return Ok(());
    };
    match vx_net::verify::integrity::verify_file(&download.path, expected) {
        Ok(None) => Ok(()),
        Ok(Some(actual)) => Err(InstallError::Integrity {
            expected: expected.clone(),
            actual,
            url: cfg.spec.url.clone(),
        }),
        Err(source) => Err(InstallError::Store {
            what: "cannot read the download to check its integrity",
            path: download.path.clone(),
            source,
        }),
    }
}

/// A Go module's download checked against the `h1:` hash the lock records (issue 66,
/// item 11: an edited `h1` was handed to Go's build as the module's hash, unchecked).
fn check_module_hash(cfg: &InstallConfig, download: &fetch::Download) -> Result<(), InstallError> {
    let Some(expected) = &cfg.spec.h1 else {
        return Ok(());
    };
    let bytes = vx_base::bounded_read::read(&download.path, vx_net::verify::gosum::MAX_ZIP_BYTES)
        .map_err(|e| InstallError::Store {
        what: "cannot read the download to check its module hash",
        path: download.path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let actual = vx_net::verify::gosum::hash_zip(&bytes).map_err(|e| InstallError::ModuleHash {
        expected: expected.clone(),
        actual: format!("no Go module zip ({e})"),
        url: cfg.spec.url.clone(),
    })?;
    if actual != *expected {
        return Err(InstallError::ModuleHash {
            expected: expected.clone(),
            actual,
            url: cfg.spec.url.clone(),
        });
    }
    Ok(())
}
