//! The store's layout, a tree per package, `<store>/<tool>/<version>-<key>`: a package's
//! identity ([`key`]), where its tree goes, and the trees a tool version has, found by their
//! receipts (an older vx's `<store>/<tool>/<version>` among them, read in place).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use vx_model::config_frame::InstallConfig;
use vx_model::spec::ToolSpec;

use super::receipt::{Receipt, read_receipt};

/// Hex digits of a tree's [`key`]: 48 bits, so two identities of one tool version
/// practically never meet; the receipt is compared all the same.
pub const KEY_LEN: usize = 12;

/// The identity of the tree `spec` makes, as [`KEY_LEN`] hex digits: the SHA-256 of a
/// canonical JSON document of what was downloaded (`sha256:HEX` the lock pins, else
/// `integrity:SRI` the registry publishes, else `url:URL`) and of what shapes the tree
/// from it (`strip_components`, `post_install`, the user's options, the environment a
/// package manager builds in it, the files written): exactly what
/// [`Receipt::matches_spec`] compares besides the name and version. What the tree is
/// built with (`vx_model::spec::Needs`' runtime and installer) and the project folder
/// whose `.npmrc` is read are not the tree's identity: one store serves every project. Computed before any other packing is taken
/// (`ToolSpec::take_alternative`), so the lock's spec and the installing child agree.
pub fn key(spec: &ToolSpec) -> String {
    use sha2::{Digest, Sha256};
    #[derive(Serialize)]
    struct Identity<'a> {
        bytes: String,
        strip_components: u32,
        post_install: Option<&'a str>,
        options: &'a BTreeMap<String, serde_json::Value>,
        write: &'a BTreeMap<String, String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        environment: Option<&'a vx_model::spec::needs::Plan>,
    }
    let bytes = match (&spec.sha256, &spec.integrity) {
        (Some(sha256), _) => format!("sha256:{}", sha256.to_ascii_lowercase()),
        (None, Some(integrity)) => format!("integrity:{integrity}"),
        (None, None) => format!("url:{}", spec.url),
    };
    let identity = Identity {
        bytes,
        strip_components: spec.strip_components,
        post_install: spec.post_install.as_deref(),
        options: &spec.options,
        write: &spec.write,
        environment: spec.needs.environment.as_ref(),
    };
    // serde_json's maps are sorted (no `preserve_order`): the document is canonical.
    let document = serde_json::to_vec(&identity).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(b"vx-store-1\0");
    hasher.update(&document);
    hex::encode(&hasher.finalize()[..KEY_LEN / 2])
}

/// Where `spec`'s tree goes in `store`: `<store>/<tool>/<version>-<key>`.
pub fn install_dir(store: &Path, spec: &ToolSpec) -> PathBuf {
    keyed_dir(store, &spec.name, &spec.version, &key(spec))
}

/// `<store>/<tool>/<version>-<key>`.
fn keyed_dir(store: &Path, tool: &str, version: &str, key: &str) -> PathBuf {
    store.join(tool).join(format!("{version}-{key}"))
}

/// Whether `receipt` names the tree at `tree` (its directory `<version>-<key>`, or
/// `<version>` for a tree an older vx left without a key) under `tool`: a tree copied
/// or renamed by hand is not ours to account for.
pub fn names_its_place(receipt: &Receipt, tool: &str, tree: &Path) -> bool {
    let Some(dir) = tree.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let expected = match &receipt.key {
        Some(key) => format!("{}-{key}", receipt.version),
        None => receipt.version.clone(),
    };
    receipt.tool == tool && dir == expected
}

/// Every tree of `tool` at `version` in `store` with a receipt naming it (see
/// [`names_its_place`]), sorted by path: the keyed ones and an older vx's
/// `<store>/<tool>/<version>`. Reads only the tool's own directory.
pub fn trees(store: &Path, tool: &str, version: &str) -> Vec<(PathBuf, Receipt)> {
    if vx_base::validate::tool_name(tool).is_err() || vx_base::validate::version(version).is_err() {
        return Vec::new();
    }
    let prefix = format!("{version}-");
    let mut found = tool_trees(store, tool, |dir| {
        dir == version || dir.starts_with(&prefix)
    });
    found.retain(|(_, r)| r.version == version);
    found
}

/// The trees under `<store>/<tool>` (directories, not links) whose name `dir` accepts
/// and whose receipt names that very place ([`names_its_place`]), sorted by path.
pub(crate) fn tool_trees(
    store: &Path,
    tool: &str,
    dir: impl Fn(&str) -> bool,
) -> Vec<(PathBuf, Receipt)> {
    let Ok(entries) = fs::read_dir(store.join(tool)) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, Receipt)> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(&dir))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let tree = e.path();
            let receipt = read_receipt(&tree).filter(|r| names_its_place(r, tool, &tree))?;
            Some((tree, receipt))
        })
        .collect();
    found.sort_by(|(a, _), (b, _)| a.cmp(b));
    found
}

/// The tree of `tool` at `version` a caller that has no spec of it takes (`vx exec
/// TOOL@VERSION` of a store version, a runtime a tool was made with): the one
/// installed last when several packages share the name and version.
pub fn newest_tree(store: &Path, tool: &str, version: &str) -> Option<(PathBuf, Receipt)> {
    trees(store, tool, version)
        .into_iter()
        .max_by_key(|(_, r)| r.installed_at)
}

/// True when `cfg`'s tool is already in the store with a matching receipt, so the
/// install can be skipped without downloading.
pub fn is_installed(cfg: &InstallConfig) -> bool {
    find(&cfg.store, &cfg.spec).is_some()
}

/// The tree of `spec`'s tool in `store` and its receipt, when one is installed as
/// `spec` asks: its own directory ([`install_dir`]) first; else any tree of the same
/// tool version whose receipt matches (an older vx's `<store>/<tool>/<version>`, read
/// in place; a tree installed before the lock pinned its bytes, keyed by its URL).
pub fn find(store: &Path, spec: &ToolSpec) -> Option<(PathBuf, Receipt)> {
    let own = install_dir(store, spec);
    if let Some(receipt) = read_receipt(&own).filter(|r| r.matches_spec(spec)) {
        return Some((own, receipt));
    }
    trees(store, &spec.name, &spec.version)
        .into_iter()
        .find(|(tree, r)| *tree != own && r.matches_spec(spec))
}

/// The receipt of `spec`'s tool in `store` when it is installed and matches `spec`
/// ([`find`]).
pub fn receipt_for(store: &Path, spec: &ToolSpec) -> Option<Receipt> {
    find(store, spec).map(|(_, receipt)| receipt)
}
