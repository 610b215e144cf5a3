use std::cell::RefCell;

use super::*;
use crate::registry::names;
use vx_fixture::{Route, TestServer, sha256_hex};

/// The fixture registry (`tests/data/registry/names.yaml`).
pub(in crate::registry) const REGISTRY: &str =
    include_str!("../../../../../tests/data/registry/names.yaml");

/// A ref of the standard registry the tests serve.
pub(in crate::registry) const REF: &str = "v9.9.9";

/// Where the loopback GitHub serves the standard registry at `git_ref`.
pub(in crate::registry) fn standard_path(git_ref: &str) -> String {
    format!("/aquaproj/aqua-registry/raw/{git_ref}/registry.yaml")
}

/// A [`Fetch`] over plain HTTP (`ureq`), as vx's client is to the caller.
pub(in crate::registry) struct Http;

impl Fetch for Http {
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        let mut response = ureq::get(url).call()?;
        Ok(response
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()?)
    }
}

/// A cache and a project directory, and the progress lines shown.
#[derive(Default)]
pub(in crate::registry) struct Env {
    pub(in crate::registry) cache: Option<tempfile::TempDir>,
    pub(in crate::registry) project: Option<tempfile::TempDir>,
    pub(in crate::registry) lines: RefCell<Vec<String>>,
}

impl Env {
    pub(in crate::registry) fn new() -> Env {
        Env {
            cache: Some(tempfile::tempdir().unwrap()),
            project: Some(tempfile::tempdir().unwrap()),
            lines: RefCell::default(),
        }
    }

    pub(in crate::registry) fn cache(&self) -> &Path {
        self.cache.as_ref().unwrap().path()
    }

    pub(in crate::registry) fn project(&self) -> &Path {
        self.project.as_ref().unwrap().path()
    }

    /// The files under the registries' cache, relative to it.
    pub(in crate::registry) fn cached(&self) -> Vec<String> {
        let root = self.cache().join("registries");
        let mut out = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path.strip_prefix(&root).unwrap();
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }
}

/// The context of `env`, GitHub being `server`.
pub(in crate::registry) fn context<'a>(
    env: &'a Env,
    server: &TestServer,
    offline: bool,
    progress: &'a dyn Fn(&str),
) -> Context<'a> {
    Context {
        cache_dir: env.cache().to_path_buf(),
        project_dir: env.project().to_path_buf(),
        github: GithubHosts::new(&server.url(""), None),
        offline,
        fetcher: &Http,
        progress,
    }
}

fn standard(sha256: Option<&str>) -> Source {
    Source::Standard {
        git_ref: REF.to_owned(),
        sha256: sha256.map(str::to_owned),
    }
}

fn serving_standard() -> TestServer {
    TestServer::start([(standard_path(REF), Route::Ok(REGISTRY.into()))])
}

fn found(opened: &Opened, name: &str) -> String {
    let m = names::lookup(&opened.index, name).unwrap();
    opened.index.entry(m.entry).unwrap().full_name().to_owned()
}

#[test]
fn the_standard_registry_is_fetched_once_checked_and_cached() {
    let server = serving_standard();
    let env = Env::new();
    let digest = sha256_hex(REGISTRY.as_bytes());
    let progress = |line: &str| env.lines.borrow_mut().push(line.to_owned());
    let cx = context(&env, &server, false, &progress);
    let opened = open(&standard(Some(&digest)), &cx).unwrap();
    assert_eq!(
        opened.id,
        RegistryId {
            name: "standard".to_owned(),
            git_ref: Some(REF.to_owned()),
            digest: digest.clone(),
        }
    );
    assert_eq!(found(&opened, "rg"), "BurntSushi/ripgrep");
    assert_eq!(
        *env.lines.borrow(),
        [format!(
            "fetching the standard registry {REF} from {} …",
            server.url(&standard_path(REF))
        )]
    );
    assert_eq!(server.hits(), 1);
    // Opened again, online or not: from the cache.
    open(&standard(Some(&digest)), &cx).unwrap();
    let offline = context(&env, &server, true, &progress);
    assert_eq!(
        found(&open(&standard(Some(&digest)), &offline).unwrap(), "gh"),
        "someone/gh"
    );
    assert_eq!(server.hits(), 1);
    assert_eq!(env.lines.borrow().len(), 1);
}

#[test]
fn a_standard_registry_that_does_not_match_its_pin_is_refused_and_not_cached() {
    let server = serving_standard();
    let env = Env::new();
    let got = sha256_hex(REGISTRY.as_bytes());
    let pinned = "0".repeat(64);
    let cx = context(&env, &server, false, &|_| {});
    let err = open(&standard(Some(&pinned)), &cx).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, SourceError::Mismatch { expected, got: g, .. } if *expected == pinned && *g == got)
    );
    assert!(
        message.contains(&pinned) && message.contains(&got),
        "{message}"
    );
    assert!(message.contains("refused"), "{message}");
    assert_eq!(env.cached(), Vec::<String>::new());
    // Nothing to serve offline either.
    let offline = context(&env, &server, true, &|_| {});
    assert!(matches!(
        open(&standard(Some(&got)), &offline),
        Err(SourceError::Offline { .. })
    ));
}

#[test]
fn vx_s_own_ref_is_the_copy_shipped_in_vx_and_asks_no_server() {
    // The server serves another file at vx's ref: it is never asked.
    let server = TestServer::start([(standard_path(STANDARD_REF), Route::Ok(REGISTRY.into()))]);
    let env = Env::new();
    let cx = context(&env, &server, true, &|_| {});
    let opened = open(&Source::standard(), &cx).unwrap();
    assert_eq!(opened.id.digest, STANDARD_SHA256);
    assert_eq!(server.hits(), 0);
    // Pinned to another digest, vx's ref is fetched and held to that pin.
    let online = context(&env, &server, false, &|_| {});
    let other = sha256_hex(b"another");
    let pinned = Source::Standard {
        git_ref: STANDARD_REF.to_owned(),
        sha256: Some(other.clone()),
    };
    match open(&pinned, &online) {
        Err(SourceError::Mismatch { expected, .. }) => assert_eq!(expected, other),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn another_ref_without_a_digest_reports_the_digest_it_got() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let opened = open(&standard(None), &cx).unwrap();
    assert_eq!(opened.id.digest, sha256_hex(REGISTRY.as_bytes()));
    // Remembered for that ref: served offline.
    let offline = context(&env, &server, true, &|_| {});
    assert_eq!(open(&standard(None), &offline).unwrap().id, opened.id);
    assert_eq!(server.hits(), 1);
}

#[test]
fn offline_without_a_cache_says_what_to_fetch() {
    let server = serving_standard();
    let env = Env::new();
    let progress = |line: &str| env.lines.borrow_mut().push(line.to_owned());
    let cx = context(&env, &server, true, &progress);
    let message = open(&standard(None), &cx).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "the standard registry {REF} is not cached and vx is offline: run `vx registry update` \
             (or any vx command with the network) to fetch it"
        )
    );
    assert_eq!(server.hits(), 0);
    assert!(env.lines.borrow().is_empty());
}

#[test]
fn a_damaged_cached_index_is_rebuilt_from_the_cached_file() {
    let server = serving_standard();
    let env = Env::new();
    let digest = sha256_hex(REGISTRY.as_bytes());
    open(
        &standard(Some(&digest)),
        &context(&env, &server, false, &|_| {}),
    )
    .unwrap();
    let index_path = env.cache().join(format!("registries/index/{digest}.idx"));
    std::fs::write(&index_path, b"garbage").unwrap();
    let offline = context(&env, &server, true, &|_| {});
    let opened = open(&standard(Some(&digest)), &offline).unwrap();
    assert_eq!(found(&opened, "ripgrep"), "BurntSushi/ripgrep");
    assert!(Index::open(&index_path).is_ok());
    assert_eq!(server.hits(), 1);
}

#[test]
fn a_damaged_cached_registry_file_is_not_trusted() {
    let server = serving_standard();
    let env = Env::new();
    let digest = sha256_hex(REGISTRY.as_bytes());
    let cx = context(&env, &server, false, &|_| {});
    open(&standard(Some(&digest)), &cx).unwrap();
    let root = env.cache().join("registries");
    std::fs::remove_file(root.join(format!("index/{digest}.idx"))).unwrap();
    let file = root.join(format!("files/{digest}.yaml"));
    std::fs::write(&file, REGISTRY.replace("ripgrep", "ripgrap")).unwrap();
    // Offline it cannot be replaced: not cached.
    let offline = context(&env, &server, true, &|_| {});
    assert!(matches!(
        open(&standard(Some(&digest)), &offline),
        Err(SourceError::Offline { .. })
    ));
    // Online it is fetched again.
    let opened = open(&standard(Some(&digest)), &cx).unwrap();
    assert_eq!(found(&opened, "ripgrep"), "BurntSushi/ripgrep");
    assert_eq!(server.hits(), 2);
}

#[test]
fn a_url_registry_is_fetched_and_pinned_by_its_digest() {
    let other = REGISTRY.replace("ripgrep", "ripgrep2");
    let server = TestServer::start([
        ("/corp.yaml", Route::Ok(REGISTRY.into())),
        ("/changed.yaml", Route::Ok(other.clone().into())),
    ]);
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let corp = |url: &str, sha256: Option<&str>| Source::Url {
        name: "corp".to_owned(),
        url: server.url(url),
        sha256: sha256.map(str::to_owned),
    };
    let opened = open(&corp("/corp.yaml", None), &cx).unwrap();
    let digest = sha256_hex(REGISTRY.as_bytes());
    assert_eq!(
        opened.id,
        RegistryId {
            name: "corp".to_owned(),
            git_ref: None,
            digest: digest.clone(),
        }
    );
    // Pinned and cached: not fetched again.
    open(&corp("/corp.yaml", Some(&digest)), &cx).unwrap();
    assert_eq!(server.hits(), 1);
    // Pinned content is served from the cache whatever the URL serves now.
    open(&corp("/changed.yaml", Some(&digest)), &cx).unwrap();
    assert_eq!(server.hits(), 1);
    // On a machine without that content cached, a file that changed under its pin is
    // refused, and nothing is cached.
    let fresh = Env::new();
    let cx = context(&fresh, &server, false, &|_| {});
    match open(&corp("/changed.yaml", Some(&digest)), &cx) {
        Err(SourceError::Mismatch { expected, got, .. }) => {
            assert_eq!(expected, digest);
            assert_eq!(got, sha256_hex(other.as_bytes()));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert_eq!(fresh.cached(), Vec::<String>::new());
}

#[test]
fn credentials_in_a_registry_url_are_never_shown() {
    let server = serving_standard();
    let env = Env::new();
    let progress = |line: &str| env.lines.borrow_mut().push(line.to_owned());
    let cx = context(&env, &server, false, &progress);
    let url = server
        .url("/missing.yaml?token=q1w2e3")
        .replace("http://", "http://user:s3cr3t@");
    let source = Source::Url {
        name: "corp".to_owned(),
        url,
        sha256: None,
    };
    let message = open(&source, &cx).unwrap_err().to_string();
    let shown = format!("{message}\n{}", env.lines.borrow().join("\n"));
    assert!(shown.contains(&server.url("/missing.yaml")), "{shown}");
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("q1w2e3"),
        "{shown}"
    );
}

#[test]
fn a_pin_that_is_not_a_sha256_is_refused() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let message = open(&standard(Some("../../etc/passwd")), &cx)
        .unwrap_err()
        .to_string();
    assert!(message.contains("is not a sha256"), "{message}");
    assert_eq!(server.hits(), 0);
}

#[test]
fn a_path_registry_is_indexed_again_when_edited() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let file = env.project().join("tools/registry.yaml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let package = |name: &str| {
        format!(
            "packages:\n  - type: http\n    name: corp/{name}\n    url: https://corp.example/{name}\n"
        )
    };
    std::fs::write(&file, package("first")).unwrap();
    let source = Source::Path {
        name: "corp".to_owned(),
        path: PathBuf::from("tools/registry.yaml"),
    };
    let opened = open(&source, &cx).unwrap();
    assert_eq!(found(&opened, "first"), "corp/first");
    assert_eq!(opened.id.digest, sha256_hex(package("first").as_bytes()));
    let index_file = opened.index.path().to_path_buf();
    let indexed = vx_base::platform::fs::FileStamp::of(&std::fs::metadata(&index_file).unwrap());
    drop(opened);
    // Unchanged: the index is used as it is.
    open(&source, &cx).unwrap();
    let again = vx_base::platform::fs::FileStamp::of(&std::fs::metadata(&index_file).unwrap());
    assert_eq!(indexed, again);
    // Edited: indexed again.
    std::fs::write(&file, package("second-one")).unwrap();
    let opened = open(&source, &cx).unwrap();
    assert_eq!(found(&opened, "second-one"), "corp/second-one");
    assert!(names::lookup(&opened.index, "first").is_err());
    assert_eq!(
        opened.id.digest,
        sha256_hex(package("second-one").as_bytes())
    );
    assert_eq!(server.hits(), 0);
}

#[test]
fn a_path_registry_that_is_missing_or_invalid_says_which_file() {
    let server = serving_standard();
    let env = Env::new();
    let cx = context(&env, &server, false, &|_| {});
    let source = Source::Path {
        name: "corp".to_owned(),
        path: PathBuf::from("registry.yaml"),
    };
    let file = env.project().join("registry.yaml");
    let missing = open(&source, &cx).unwrap_err();
    assert!(matches!(&missing, SourceError::Io { path, .. } if *path == file));
    std::fs::write(&file, "packages:\n  - files: 3\n").unwrap();
    let invalid = open(&source, &cx).unwrap_err().to_string();
    assert!(
        invalid.starts_with(&format!("{}:2:", file.display())),
        "{invalid}"
    );
}

#[test]
fn shown_urls_lose_credentials_query_and_fragment() {
    assert_eq!(
        shown_url("https://u:p@host.example:8443/a/b.yaml?x=1#f"),
        "https://host.example:8443/a/b.yaml"
    );
    assert_eq!(shown_url("https://host/a@b"), "https://host/a@b");
    assert_eq!(shown_url("not a url"), "not a url");
}

#[test]
fn a_file_beside_a_registry_is_pinned_cached_by_digest_and_refreshed_only_when_asked() {
    let env = Env::new();
    let old = b"name = \"a\"\n".to_vec();
    let server = TestServer::start([("/a.toml", Route::Ok(old.clone()))]);
    let url = server.url("/a.toml");
    let quiet = |_: &str| {};
    let cx = context(&env, &server, false, &quiet);
    let digest = sha256_hex(&old);
    // Every fetch here accepts what it gets: what `accept` refuses is the
    // integration tests' (tests/it/runtime_registry.rs).
    let fetch = |cx: &Context<'_>, pin: Option<&str>, refresh: bool, max: u64| {
        fetch_file(cx, "declaration", &url, pin, refresh, max, &|_| Ok(()))
    };
    // Fetched once, then served from the cache, by its pin or its URL's record.
    let (bytes, got) = fetch(&cx, None, false, 1024).unwrap();
    assert_eq!((bytes, got.as_str()), (old.clone(), digest.as_str()));
    assert!(fetch(&cx, Some(&digest), false, 1024).is_ok());
    assert!(fetch(&cx, None, false, 1024).is_ok());
    assert_eq!(server.hits(), 1);
    // A damaged cached copy is not served: fetched again.
    let cached = env.cache().join(format!("registries/files/{digest}.toml"));
    std::fs::write(&cached, b"damaged").unwrap();
    fetch(&cx, Some(&digest), false, 1024).unwrap();
    assert_eq!(server.hits(), 2);
    // Another pin than what is served: refused with both digests, nothing recorded.
    let other = "b".repeat(64);
    std::fs::remove_file(&cached).unwrap();
    match fetch(&cx, Some(&other), false, 1024) {
        Err(SourceError::Mismatch { expected, got, .. }) => {
            assert_eq!((expected, got), (other.clone(), digest.clone()));
        }
        answer => panic!("{answer:?}"),
    }
    // Refreshed, it is fetched whatever is pinned, and taken.
    let (_, got) = fetch(&cx, Some(&other), true, 1024).unwrap();
    assert_eq!(got, digest);
    // Offline, only the cache answers; a bound is kept.
    let offline = context(&env, &server, true, &quiet);
    assert!(fetch(&offline, Some(&digest), false, 1024).is_ok());
    assert!(matches!(
        fetch(&offline, Some(&other), false, 1024),
        Err(SourceError::Offline { .. })
    ));
    assert!(fetch(&cx, None, true, 4).is_err());
}
