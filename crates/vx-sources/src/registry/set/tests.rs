use super::*;
use crate::registry::source::tests::{Env, REF, REGISTRY, context, standard_path};
use vx_fixture::{Route, TestServer, sha256_hex};

/// A project registry `corp` (by path) holding `packages` (YAML list items).
fn corp(env: &Env, packages: &str) -> Source {
    std::fs::write(
        env.project().join("corp.yaml"),
        format!("packages:\n{packages}"),
    )
    .unwrap();
    Source::Path {
        name: "corp".to_owned(),
        path: "corp.yaml".into(),
    }
}

const CORP: &str = "  - type: http\n    name: corp/ripgrep\n    url: https://corp.example/rg\n  \
                    - type: http\n    name: corp/dup\n    url: https://corp.example/d\n  \
                    - type: http\n    name: other/dup\n    url: https://corp.example/d2\n";

fn standard() -> Source {
    Source::Standard {
        git_ref: REF.to_owned(),
        sha256: Some(sha256_hex(REGISTRY.as_bytes())),
    }
}

fn serving_standard() -> TestServer {
    TestServer::start([(standard_path(REF), Route::Ok(REGISTRY.into()))])
}

#[test]
fn extra_registries_come_first_and_standard_is_fetched_only_when_needed() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    let found = set.lookup("ripgrep").unwrap();
    assert_eq!(found.qualified_name(), "corp:corp/ripgrep");
    assert_eq!(found.registry.git_ref, None);
    assert_eq!(server.hits(), 0, "the standard registry was fetched");
    // Not in corp: the standard registry is fetched and answers.
    let found = set.lookup("rg").unwrap();
    assert_eq!(found.qualified_name(), "standard:BurntSushi/ripgrep");
    assert_eq!(found.short_name, "ripgrep");
    assert_eq!(found.by, MatchedBy::Command);
    assert_eq!(
        found.registry,
        RegistryId {
            name: "standard".to_owned(),
            git_ref: Some(REF.to_owned()),
            digest: sha256_hex(REGISTRY.as_bytes()),
        }
    );
    assert_eq!(
        found.package.fields.repo_name.as_deref(),
        Some("ripgrep"),
        "the definition is read back"
    );
    assert_eq!(found.unsupported, None);
    assert_eq!(server.hits(), 1);
    set.lookup("gh").unwrap();
    assert_eq!(server.hits(), 1, "fetched once per set");
}

#[test]
fn a_qualified_name_looks_in_its_registry_only() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    let found = set.lookup("standard:ripgrep").unwrap();
    assert_eq!(found.qualified_name(), "standard:BurntSushi/ripgrep");
    let found = set.lookup("standard:BurntSushi/ripgrep").unwrap();
    assert_eq!(found.by, MatchedBy::FullName);
    match set.lookup("corp:rg") {
        Err(LookupError::Name {
            registry: Some(r),
            error: NameError::Unknown { .. },
        }) => assert_eq!(r, "corp"),
        other => panic!("expected unknown in corp, got {other:?}"),
    }
    let message = set.lookup("nope:rg").unwrap_err().to_string();
    assert_eq!(
        message,
        "no registry is named `nope`; the project's are corp, standard"
    );
}

#[test]
fn a_name_ambiguous_in_an_earlier_registry_is_reported_there() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    let err = set.lookup("dup").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`dup` is ambiguous: it could be corp/dup, other/dup (registry `corp`)"
    );
    assert_eq!(server.hits(), 0);
}

#[test]
fn an_unknown_name_gets_suggestions_from_every_registry() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    match set.lookup("ripgre") {
        Err(LookupError::Name {
            registry: None,
            error: NameError::Unknown { did_you_mean, .. },
        }) => {
            assert!(
                did_you_mean.contains(&"corp/ripgrep".to_owned()),
                "{did_you_mean:?}"
            );
            assert!(
                did_you_mean.contains(&"BurntSushi/ripgrep".to_owned()),
                "{did_you_mean:?}"
            );
        }
        other => panic!("expected unknown, got {other:?}"),
    }
}

#[test]
fn offline_a_name_not_in_the_extra_registries_needs_the_cached_standard() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, true, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    assert_eq!(set.lookup("ripgrep").unwrap().registry.name, "corp");
    assert!(matches!(
        set.lookup("rg"),
        Err(LookupError::Source(SourceError::Offline { .. }))
    ));
    assert_eq!(server.hits(), 0);
}

#[test]
fn a_corrupt_definition_in_a_cached_index_is_indexed_again() {
    let server = serving_standard();
    let env = Env::new();
    let digest = sha256_hex(REGISTRY.as_bytes());
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![], standard()).unwrap();
    set.lookup("rg").unwrap();
    // Closed first: on Windows an index another set still has open cannot be replaced.
    drop(set);
    // Damage the last byte: the end of the last definition, behind a sound name table.
    let path = env.cache().join(format!("registries/index/{digest}.idx"));
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let offline = context(&env, &server, true, &|_| {});
    let mut set = RegistrySet::new(offline, vec![], standard()).unwrap();
    assert_eq!(set.lookup("bargh").unwrap().full_name, "foo/bargh");
    assert_eq!(server.hits(), 1);
}

#[test]
fn search_spans_the_registries_best_first() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let mut set = RegistrySet::new(cx, vec![corp(&env, CORP)], standard()).unwrap();
    let hits: Vec<(String, String)> = set
        .search("ripgrep")
        .0
        .into_iter()
        .map(|h| (h.registry, h.hit.full_name))
        .collect();
    assert_eq!(
        hits,
        [
            ("corp".to_owned(), "corp/ripgrep".to_owned()),
            ("standard".to_owned(), "BurntSushi/ripgrep".to_owned()),
        ]
    );
}

#[test]
fn two_registries_with_one_name_are_refused() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let twice = vec![corp(&env, CORP), corp(&env, CORP)];
    let err = RegistrySet::new(cx, twice, standard()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "two registries are named `corp`; each needs its own name"
    );
}
