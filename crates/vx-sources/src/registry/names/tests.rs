use super::*;
use crate::registry::index::fixture_index;

fn found(index: &Index, name: &str) -> (String, MatchedBy) {
    let m = lookup(index, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    (index.entry(m.entry).unwrap().full_name().to_owned(), m.by)
}

fn ambiguous(index: &Index, name: &str) -> Vec<String> {
    match lookup(index, name) {
        Err(NameError::Ambiguous { candidates, .. }) => candidates,
        other => panic!("{name}: expected ambiguous, got {other:?}"),
    }
}

fn unknown(index: &Index, name: &str) -> Vec<String> {
    match lookup(index, name) {
        Err(NameError::Unknown { did_you_mean, .. }) => did_you_mean,
        other => panic!("{name}: expected unknown, got {other:?}"),
    }
}

#[test]
fn a_full_name_finds_its_package() {
    let (_dir, index) = fixture_index();
    assert_eq!(
        found(&index, "BurntSushi/ripgrep"),
        ("BurntSushi/ripgrep".to_owned(), MatchedBy::FullName)
    );
    assert_eq!(
        found(&index, "kubernetes/kubernetes/kubectl"),
        (
            "kubernetes/kubernetes/kubectl".to_owned(),
            MatchedBy::FullName
        )
    );
    // A package with a `name` is not found by owner/repo (its name says more), but
    // suggested.
    let mut suggested = unknown(&index, "kubernetes/kubernetes");
    suggested.sort();
    assert_eq!(
        suggested,
        [
            "kubernetes/kubernetes/kubeadm",
            "kubernetes/kubernetes/kubectl"
        ]
    );
}

#[test]
fn an_alias_finds_its_package_before_another_s_short_name() {
    let (_dir, index) = fixture_index();
    // `imitator/fd-find` has the short name `fd-find`; the alias wins.
    assert_eq!(
        found(&index, "fd-find"),
        ("sharkdp/fd".to_owned(), MatchedBy::Alias)
    );
}

#[test]
fn a_unique_short_name_or_repo_name_finds_its_package() {
    let (_dir, index) = fixture_index();
    assert_eq!(
        found(&index, "ripgrep"),
        ("BurntSushi/ripgrep".to_owned(), MatchedBy::ShortName)
    );
    assert_eq!(
        found(&index, "kubectl"),
        (
            "kubernetes/kubernetes/kubectl".to_owned(),
            MatchedBy::ShortName
        )
    );
    // `gh` is cli/cli's command but someone/gh's short name: the short name wins.
    assert_eq!(
        found(&index, "gh"),
        ("someone/gh".to_owned(), MatchedBy::ShortName)
    );
}

#[test]
fn a_unique_command_finds_its_package() {
    let (_dir, index) = fixture_index();
    assert_eq!(
        found(&index, "rg"),
        ("BurntSushi/ripgrep".to_owned(), MatchedBy::Command)
    );
    // A command of a version override's override counts.
    assert_eq!(
        found(&index, "b-linux"),
        ("umbrella/tool-b".to_owned(), MatchedBy::Command)
    );
}

#[test]
fn a_shared_name_is_ambiguous_and_lists_the_candidates() {
    let (_dir, index) = fixture_index();
    assert_eq!(
        ambiguous(&index, "kubernetes"),
        [
            "kubernetes/kubernetes/kubectl",
            "kubernetes/kubernetes/kubeadm"
        ]
    );
    assert_eq!(ambiguous(&index, "fd"), ["sharkdp/fd", "other/fd"]);
    assert_eq!(
        ambiguous(&index, "shared"),
        ["acme/tool-a", "umbrella/tool-b"]
    );
    let message = lookup(&index, "fd").unwrap_err().to_string();
    assert_eq!(
        message,
        "`fd` is ambiguous: it could be sharkdp/fd, other/fd"
    );
}

#[test]
fn an_unknown_name_suggests_close_ones() {
    let (_dir, index) = fixture_index();
    assert_eq!(unknown(&index, "ripgrap")[0], "BurntSushi/ripgrep");
    // The wrong case is closest of all.
    assert_eq!(unknown(&index, "RipGrep")[0], "BurntSushi/ripgrep");
    assert_eq!(
        unknown(&index, "kubctl")[0],
        "kubernetes/kubernetes/kubectl"
    );
    assert!(unknown(&index, "zzzqqqxxx").is_empty());
    let message = lookup(&index, "ripgrap").unwrap_err().to_string();
    assert!(
        message.starts_with("no package is named `ripgrap`; did you mean BurntSushi/ripgrep"),
        "{message}"
    );
    assert_eq!(
        lookup(&index, "zzzqqqxxx").unwrap_err().to_string(),
        "no package is named `zzzqqqxxx`"
    );
}

#[test]
fn an_unsupported_package_is_found_and_says_why() {
    let (_dir, index) = fixture_index();
    let m = lookup(&index, "gopls").unwrap();
    let entry = index.entry(m.entry).unwrap();
    assert_eq!(entry.full_name(), "golang/tools/gopls");
    assert!(entry.unsupported().unwrap().contains("go_install"));
}

#[test]
fn search_ranks_exact_then_prefix_then_name_then_description() {
    let (_dir, index) = fixture_index();
    let hits = search(&index, "GH");
    let names: Vec<(&str, Rank)> = hits
        .iter()
        .map(|h| (h.full_name.as_str(), h.rank))
        .collect();
    assert_eq!(
        names,
        [
            ("cli/cli", Rank::Exact),
            ("someone/gh", Rank::Exact),
            ("motemen/ghq", Rank::Prefix),
            ("foo/bargh", Rank::Name),
            ("BurntSushi/ripgrep", Rank::Description),
        ]
    );
    let ghq = &hits[2];
    assert_eq!(ghq.short_name, "ghq");
    assert_eq!(
        ghq.description.as_deref(),
        Some("Remote repository management made easy")
    );
    assert!(ghq.unsupported.is_some());
}

#[test]
fn search_finds_descriptions_and_segment_prefixes() {
    let (_dir, index) = fixture_index();
    let names = |term: &str| -> Vec<String> {
        search(&index, term)
            .into_iter()
            .map(|h| h.full_name)
            .collect()
    };
    assert_eq!(
        names("command line"),
        ["cli/cli", "kubernetes/kubernetes/kubectl"]
    );
    // `sushi` is inside a segment, `burnt` starts one.
    assert_eq!(search(&index, "burnt")[0].rank, Rank::Prefix);
    assert_eq!(search(&index, "sushi")[0].rank, Rank::Name);
    assert!(names("").is_empty());
    assert!(names("   ").is_empty());
    assert!(names("nothing-has-this").is_empty());
}

/// The index of `yaml` (a registry), kept in a temporary directory.
fn index_of(yaml: &str) -> (tempfile::TempDir, Index) {
    let registry =
        crate::registry::package::Registry::from_str(yaml, std::path::Path::new("r.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.idx");
    Index::write(&path, &registry, &crate::registry::index::Origin::default()).unwrap();
    let index = Index::open(&path).unwrap();
    (dir, index)
}

#[test]
fn a_command_shared_with_a_rebuild_finds_the_original() {
    // `rg` as aqua's standard registry has it: BurntSushi/ripgrep and
    // microsoft/ripgrep-prebuilt (pkgs/microsoft/ripgrep-prebuilt/registry.yaml at
    // 4d86e12d: "Builds ripgrep on Azure Pipelines", `files: - name: rg`).
    let (_dir, index) = index_of(
        "packages:\n  - type: github_release\n    repo_owner: BurntSushi\n    repo_name: ripgrep\n    asset: rg.tar.gz\n    files:\n      - name: rg\n  - type: github_release\n    repo_owner: microsoft\n    repo_name: ripgrep-prebuilt\n    asset: rg.tar.gz\n    files:\n      - name: rg\n  - type: github_release\n    repo_owner: sharkdp\n    repo_name: fd\n    asset: fd.tar.gz\n  - type: github_release\n    repo_owner: other\n    repo_name: fd-find\n    asset: fd.tar.gz\n    files:\n      - name: fd\n",
    );
    assert_eq!(
        found(&index, "rg"),
        ("BurntSushi/ripgrep".to_owned(), MatchedBy::Command)
    );
    // A short name is found by its own rule first; two unrelated names stay ambiguous.
    assert_eq!(
        found(&index, "fd"),
        ("sharkdp/fd".to_owned(), MatchedBy::ShortName)
    );
}
