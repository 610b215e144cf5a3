use std::fs;

use super::*;
use vx_engine::install::test_support::{fake_install, tree_of};

const MANIFEST: &str = r#"
[tools.node]
version = "20.1.0"
url = "https://x.org/node-{version}.tar.gz"

[tools.ripgrep]
version = "14.1.1"
url = "https://x.org/rg-{version}.tar.gz"
sha256 = "abababababababababababababababababababababababababababababababab"
bin = ["bin/rg"]
"#;

/// The toolchain of `manifest` and `requests` with vx's own runtimes only, no resolver.
fn assemble(
    manifest: Option<&Manifest>,
    requests: &[Request],
    store: &Path,
) -> Result<Toolchain, ToolchainError> {
    Toolchain::assemble(manifest, &Catalogue::builtin_only(), requests, store, None)
}

fn manifest(dir: &Path) -> Manifest {
    let path = dir.join("vx.toml");
    fs::write(&path, MANIFEST).unwrap();
    Manifest::load(&path).unwrap()
}

/// The manifest's ripgrep 14.1.1 (its `rg`) installed in `store` from its URL, whose
/// archive's sha256 was `sha`.
fn installed_ripgrep(store: &Path, sha: &str) {
    fake_install(
        store,
        "ripgrep",
        "14.1.1",
        "https://x.org/rg-14.1.1.tar.gz",
        sha,
        &["bin/rg"],
    );
}

/// Node 20.1.0 with `bins` installed in `store` from its URL, whose archive's sha256
/// was `sha`.
fn installed_node(store: &Path, sha: &str, bins: &[&str]) {
    fake_install(
        store,
        "node",
        "20.1.0",
        "https://x.org/node-20.1.0.tar.gz",
        sha,
        bins,
    );
}

fn names(chain: &Toolchain) -> Vec<String> {
    chain.tools.iter().map(Tool::label).collect()
}

#[test]
fn the_manifest_tools_and_what_they_provide_before_and_after_install() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let manifest = manifest(tmp.path());
    let chain = assemble(Some(&manifest), &[], &store).unwrap();
    assert_eq!(names(&chain), ["node 20.1.0", "ripgrep 14.1.1"]);
    assert_eq!(chain.missing().len(), 2);
    assert_eq!(chain.provider("node").unwrap().name, "node");
    assert_eq!(chain.provider("rg").unwrap().name, "ripgrep");
    assert!(chain.provider("ripgrep").is_none(), "its bin list says rg");
    assert!(chain.bin_dirs().is_empty());

    let sha = "ab".repeat(32);
    installed_ripgrep(&store, &sha);
    installed_node(&store, &sha, &["bin/node", "bin/npx", "tools/corepack"]);
    let mut chain = chain;
    chain.refresh(&store);
    assert!(chain.missing().is_empty());
    assert_eq!(chain.provider("npx").unwrap().name, "node");
    assert_eq!(
        chain.bin_dirs(),
        [
            tree_of(&store, "node", "20.1.0").join("bin"),
            tree_of(&store, "node", "20.1.0").join("tools"),
            tree_of(&store, "ripgrep", "14.1.1").join("bin"),
        ]
    );
    assert_eq!(
        chain.find(OsStr::new("rg")).is_some(),
        crate::toolchain::search::is_executable(
            &tree_of(&store, "ripgrep", "14.1.1").join("bin/rg")
        )
    );
}

#[test]
fn a_tree_from_another_url_is_not_the_manifests_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let manifest = manifest(tmp.path());
    fake_install(
        &store,
        "node",
        "20.1.0",
        "https://elsewhere/node.tar.gz",
        "cd",
        &["bin/node"],
    );
    let chain = assemble(Some(&manifest), &[], &store).unwrap();
    assert_eq!(chain.missing()[0].name, "node");
}

#[test]
fn named_tools_come_first_from_the_manifest_the_store_or_an_override() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let manifest = manifest(tmp.path());
    fake_install(&store, "jq", "1.6", "https://x/jq", "ab", &["jq"]);
    fake_install(&store, "jq", "1.10", "https://x/jq", "ab", &["jq"]);
    let requests: Vec<Request> = ["ripgrep", "jq", "node@18.0.0"]
        .iter()
        .map(|r| r.parse().unwrap())
        .collect();
    let chain = assemble(Some(&manifest), &requests, &store).unwrap();
    assert_eq!(names(&chain), ["ripgrep 14.1.1", "jq 1.10", "node 18.0.0"]);
    assert_eq!(chain.tools[0].origin, Origin::Manifest);
    assert_eq!(chain.tools[1].origin, Origin::Store);
    assert!(chain.tools[1].installed());
    let node = &chain.tools[2];
    assert_eq!(node.origin, Origin::Override);
    let spec = node.spec.as_ref().unwrap();
    assert_eq!(spec.url, "https://x.org/node-18.0.0.tar.gz");
    assert_eq!(spec.sha256, None);

    // An override of a tool with a checksum drops it: it belongs to another version.
    let rg13 = ["ripgrep@13.0.0".parse().unwrap()];
    let chain = assemble(Some(&manifest), &rg13, &store).unwrap();
    assert_eq!(chain.tools[0].spec.as_ref().unwrap().sha256, None);

    let unknown = ["fd".parse().unwrap()];
    let err = assemble(Some(&manifest), &unknown, &store).unwrap_err();
    assert_eq!(
        err.to_string(),
        "fd is not in vx.toml and no version of it is installed"
    );
    let absent = ["jq@2".parse().unwrap()];
    let err = assemble(None, &absent, &store).unwrap_err();
    assert!(
        err.to_string().starts_with("jq 2 is not installed"),
        "{err}"
    );
    assert!("a b".parse::<Request>().is_err());
    assert!("rg@".parse::<Request>().is_err());
}

#[test]
fn a_runtime_s_variables_are_absolute_and_the_first_tool_wins_a_name() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let manifest = manifest(tmp.path());
    let sha = "ab".repeat(32);
    installed_ripgrep(&store, &sha);
    installed_node(&store, &sha, &["bin/node"]);
    let mut chain = assemble(Some(&manifest), &[], &store).unwrap();
    assert!(chain.env().is_empty(), "plain tools set nothing");
    let set = |tool: &mut Tool, name: &str, path: &str| {
        let receipt = tool.receipt.as_mut().unwrap();
        receipt.env.insert(name.to_owned(), path.to_owned());
    };
    set(&mut chain.tools[0], "NODE_HOME", "");
    set(&mut chain.tools[0], "SHARED_ROOT", "lib");
    set(&mut chain.tools[1], "SHARED_ROOT", "Contents/Home");
    assert_eq!(
        chain.env(),
        [
            ("NODE_HOME".to_owned(), tree_of(&store, "node", "20.1.0")),
            (
                "SHARED_ROOT".to_owned(),
                tree_of(&store, "node", "20.1.0").join("lib")
            ),
        ]
    );
}
