//! [`install`]: one tool from its config to its tree in the store, step by step
//! (cached, the packing chosen, the tool's lock, downloaded and unpacked, made, its
//! receipt written, committed).

use std::path::{Path, PathBuf};

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::error::{NO_EXECUTABLE_SHOWN, store_err};
use super::installed::{Installed, installed, pins_bytes, signed_by, verify_installed};
use super::make::{Make, make_tree};
use super::probe::probe;
use super::save::save;
use super::tool_lock::lock_tool;
use super::unpack::{Unpacked, fetch_and_unpack};
use super::{
    ChecksumFrom, InstallError, InstallOptions, Outcome, ProgressSink, bins, environment, extract,
    packing, sources, wheel, written,
};
use crate::store;

/// Installs `cfg`'s tool into `cfg.store`, reporting non-terminal phases and progress
/// to `sink`. Returns the outcome or the error for the caller to publish; on every
/// error (including cancel) the temporary work directory is already removed and the
/// store is unchanged, but for the bytes of an interrupted download, kept for a later
/// run to continue ([`super::partial`]).
pub fn install(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    let mut cfg = cfg.clone();
    let build_runtime = cfg.spec.needs.runtime.take().map(|spec| *spec);
    let installer = cfg.spec.needs.installer.take().map(|spec| *spec);
    cfg.validate()?;
    sink.phase(Phase::Resolving, "");
    // The package's identity, taken before another packing may be chosen: the tree
    // goes under it whichever packing arrives.
    let key = store::key(&cfg.spec);
    let final_dir = store::install_dir(&cfg.store, &cfg.spec);
    if let Some(dir) = cfg.save_to.clone() {
        return save(&cfg, &dir, sink, opts);
    }
    if cfg.probe {
        return probe(&cfg, &final_dir, &key, sink, opts);
    }
    verify_installed(&cfg, sink, opts)?;
    if let Some(tree) = installed(&cfg) {
        return Ok(tree.take(&cfg, false));
    }
    if !pins_bytes(&cfg.spec) && !cfg.allow_unverified {
        return Err(InstallError::Unverified {
            asked: ChecksumFrom::of(&cfg),
            url: cfg.spec.url,
        });
    }
    choose_packing(&mut cfg, opts)?;
    if sink.cancel_requested() {
        return Err(InstallError::Cancelled);
    }
    // One install of TOOL@VERSION per store at a time: another vx holding the lock is
    // waited for, and what it installed is then taken as cached. (The receipt is read
    // again under the lock: another vx may have finished just before we took it.)
    let (_lock, waited) = lock_tool(&cfg, sink, opts)?;
    if let Some((path, receipt)) = store::find(&cfg.store, &cfg.spec) {
        let tree = Installed { receipt, path };
        return Ok(tree.take(&cfg, waited));
    }
    let made = Make {
        build_runtime,
        installer,
        key,
    };
    install_new(&cfg, final_dir, made, sink, opts)
}

/// The packing this link unpacks soonest, when the lock names several: taken as
/// `cfg`'s download. A packing whose bytes are on this machine (vx's cache, where
/// `vx bundle import` puts a bundle's, which holds the first packing only; a
/// `file://` mirror) is taken before any link is considered: no link is faster, and
/// offline it is the one there is.
fn choose_packing(cfg: &mut InstallConfig, opts: &InstallOptions) -> Result<(), InstallError> {
    let preference = packing::Preference::from_env().map_err(InstallError::Setting)?;
    if !cfg.spec.alternatives.is_empty() {
        let here = |url: &str, sha256: &str| {
            sources::available_offline(url, Some(sha256), &opts.net.mirrors)
        };
        if cfg
            .spec
            .sha256
            .as_deref()
            .is_some_and(|sha256| here(&cfg.spec.url, sha256))
        {
            return Ok(());
        }
        if let Some(index) = cfg
            .spec
            .alternatives
            .iter()
            .position(|a| here(&a.url, &a.sha256))
        {
            cfg.spec.take_alternative(index);
            return Ok(());
        }
        let fetched_from = opts.net.rewrites.apply(&cfg.spec.url);
        let links = packing::Links::read(&cfg.store);
        if let Some(index) = packing::choose(&cfg.spec, &fetched_from, preference, &links) {
            cfg.spec.take_alternative(index);
        }
    }
    Ok(())
}

/// Installs `cfg`'s tool, not in the store yet, into `final_dir` (the tool's lock
/// held): downloads and unpacks it in a work directory, makes it, writes its
/// receipt and moves the tree into the store.
fn install_new(
    cfg: &InstallConfig,
    final_dir: PathBuf,
    make: Make,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    // Checked before downloading too, so a refusal costs nothing.
    store::check_replaceable(&final_dir).map_err(store_err("refusing to replace", &final_dir))?;
    let work = store::work_dir_in(&cfg.store, opts.work_area.as_ref())
        .map_err(store_err("cannot create a work directory in", &cfg.store))?;
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).map_err(store_err("cannot create", &tree))?;
    let Unpacked {
        download,
        source,
        verified,
        stats,
        kept,
    } = fetch_and_unpack(cfg, work.path(), &tree, sink, opts)?;
    // A wheel is the project its name says (never for a planned environment, whose
    // installer checks it and whose archive is not unpacked here).
    if let Some(file) = wheel::file_of(&cfg.spec.url)
        && !environment::is_planned(cfg)
    {
        wheel::check(file, &tree)?;
    }
    let key = make.key.clone();
    make_tree(cfg, &tree, &final_dir, make, kept.as_deref(), sink, opts)?;
    if sink.cancel_requested() {
        return Err(InstallError::Cancelled);
    }

    let mut receipt = store::Receipt::new(cfg, &download.sha256, stats.format, download.bytes);
    receipt.key = Some(key);
    receipt.unverified = !pins_bytes(&cfg.spec);
    // A runtime tool's tree is its environment, which its package manager made: vx
    // unpacked nothing of it.
    receipt.unpacked = (!environment::is_planned(cfg)).then_some(stats.bytes);
    receipt.verified = verified;
    // Where the bytes match the sha256 the lock pinned (the download was checked
    // against it), what verified them then holds.
    let signed = signed_by(&receipt, cfg);
    receipt.bin = executables(cfg, &tree, work.path(), &stats)?;
    // Last, into the tree as it will be (after any unwrapping): a runtime's own
    // configuration, such as node's `etc/npmrc`.
    written::write(&tree, &cfg.spec.write)
        .map_err(store_err("cannot write the runtime's files in", &tree))?;
    receipt.write = cfg.spec.write.clone();
    receipt.path_after = cfg.spec.path_after.clone();
    store::write_receipt(&tree, &receipt)
        .map_err(store_err("cannot write the receipt in", &tree))?;
    store::commit(&tree, &final_dir, work.path())
        .map_err(store_err("cannot move the tool into", &final_dir))?;
    drop(work);
    // What this link did, for the next choice of packing: only of an install that
    // landed (a failed one leaves the store as it was).
    if source.is_none() {
        let fetched_from = opts.net.rewrites.apply(&cfg.spec.url);
        packing::Links::record(&cfg.store, &fetched_from, download.bytes, download.waited);
    }
    Ok(Outcome::Installed {
        path: final_dir,
        bytes: download.bytes,
        sha256: download.sha256,
        unverified: !pins_bytes(&cfg.spec),
        source,
        signed,
    })
}

/// The executables of the unpacked `tree`, as its receipt lists them: a bare
/// executable's file, else those `bin` lists or the tree holds (its lone top-level
/// folder unwrapped first, through `work`). A tree with none is refused where a
/// file's mode says what runs.
fn executables(
    cfg: &InstallConfig,
    tree: &Path,
    work: &Path,
    stats: &extract::ExtractStats,
) -> Result<Vec<String>, InstallError> {
    let listed = cfg.spec.bin.as_deref();
    Ok(match (&stats.executable, listed) {
        // A bare executable: its file is the tool's one executable.
        (Some(path), None | Some([_])) => vec![path.clone()],
        _ => {
            let (found, folder) = bins::resolve_unwrapping(tree, listed)?;
            if let Some(folder) = folder {
                bins::unwrap_folder(tree, &folder, &work.join("unwrapped"))
                    .map_err(store_err("cannot unwrap the top-level folder of", tree))?;
            }
            // Only where a file's mode says what runs: on Windows a tree without a
            // `.exe` or `.cmd` (a Unix-style archive's `bin/tool`) installs as before,
            // its commands then named by `bin`.
            if found.is_empty() && listed.is_none() && cfg!(unix) {
                let (entries, more) = bins::first_entries(tree, NO_EXECUTABLE_SHOWN);
                return Err(InstallError::NoExecutable { entries, more });
            }
            found
        }
    })
}
