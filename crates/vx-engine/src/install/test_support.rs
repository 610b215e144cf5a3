//! What other crates' tests need of an install: a store holding a tool's tree as an
//! install leaves it ([`fake_install`]), found again by its tool and version
//! ([`tree_of`]). Built for this crate's tests and, with the `test-support` feature,
//! for the tests of the crates above (their dev-dependencies turn it on); never in vx.

/// The tree of `tool` at `version` in `store` (the one installed last): where a test
/// finds what an install put there, whatever its key.
pub fn tree_of(store: &std::path::Path, tool: &str, version: &str) -> std::path::PathBuf {
    crate::store::newest_tree(store, tool, version)
        .unwrap_or_else(|| panic!("{tool} {version} is not installed in {}", store.display()))
        .0
}

/// Puts in `store` the tree an install of `tool` `version` from `url` (hashing to
/// `sha256`) leaves, under the key of that download ([`crate::store::key`]): each of
/// `bins` a small script, and a receipt listing them.
pub fn fake_install(
    store: &std::path::Path,
    tool: &str,
    version: &str,
    url: &str,
    sha256: &str,
    bins: &[&str],
) -> std::path::PathBuf {
    let spec = vx_model::spec::ToolSpec {
        sha256: Some(sha256.to_owned()),
        ..vx_model::spec::ToolSpec::new(tool, version, url)
    };
    let key = crate::store::key(&spec);
    let tree = crate::store::install_dir(store, &spec);
    std::fs::create_dir_all(&tree).unwrap();
    for bin in bins {
        let path = tree.join(bin);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
    }
    let receipt = crate::store::Receipt {
        tool: tool.into(),
        version: version.into(),
        url: url.into(),
        sha256: sha256.into(),
        format: None,
        strip_components: 0,
        post_install: None,
        options: Default::default(),
        bytes: 1,
        installed_at: 1_700_000_000,
        unverified: false,
        bin: bins.iter().map(|b| (*b).to_owned()).collect(),
        unpacked: None,
        verified: None,
        env: Default::default(),
        key: Some(key),
        write: Default::default(),
        path_after: Vec::new(),
        environment: None,
    };
    crate::store::write_receipt(&tree, &receipt).unwrap();
    tree
}
