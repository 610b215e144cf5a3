//! The requests a user waits on (issue 54, item 3): `vx lock` and `vx sync` of a
//! project of python, node, go and java, counted at the publishers' loopback
//! stand-ins (tests/common/publishers/) in their real formats, on a cold cache and on
//! a warm one.
//!
//! - A cold lock asks each publisher's file once: nodejs.org's `index.json` and the
//!   version's `SHASUMS256.txt`; go.dev's list; Adoptium's releases, versions and the
//!   feature's assets; python-build-standalone's tag list (GitHub's API) and the
//!   newest release's `SHA256SUMS` (a release download), never the release's API
//!   answer, which lists a thousand assets and only repeats what the list says.
//! - The sync of the locked project asks for the archives alone, each once; a second
//!   sync and a second lock ask for nothing.
//! - Locked again from scratch on the warm cache within the freshness window
//!   (`VX_INDEX_MAX_AGE`, 5 minutes), nothing is asked at all.
//! - With the window at zero, each file is asked for once more, revalidated with the
//!   validators the publisher gave (`ETag`: nodejs.org's static files, Adoptium's API,
//!   GitHub's API; `Last-Modified` where there is no `ETag`): answered `304`, nothing
//!   downloaded again; go.dev's list comes with no validator and is read whole.
#![cfg(unix)]

use crate::common;

use common::publishers::{self, go, java, node, python};
use common::*;
use vx_fixture::TestServer;
use vx_fixture::github::GithubFixture;

/// The python-build-standalone release serving the real CPython.
const PBS_TAG: &str = "20241206";

/// The four publishers, each serving this machine's real archive of its version.
struct Publishers {
    node: TestServer,
    go: TestServer,
    java: TestServer,
    github: GithubFixture,
    go_version: String,
    python_version: String,
}

impl Publishers {
    fn start() -> Publishers {
        let node = node::serve(&[
            node::Release::listed("22.12.0", Some("Jod")),
            node::Release::real(&node::REAL_20, Some("Iron")),
        ]);
        let (go_version, go_path) = go::real_archive();
        let (go, _) = go::serve_linux(&go_version, &go_path);
        let mut java_release = java::Release::listed("21.0.5+11");
        let jdk = java::package_name(&java_release, "linux", "x64", "jdk", "tar.gz");
        java_release.served = vec![(jdk, std::fs::read(java::real_archive()).unwrap())];
        let java = java::serve(&[java_release]);
        let python::LinuxServed {
            github,
            version: python_version,
            ..
        } = python::serve_linux(PBS_TAG);
        Publishers {
            node,
            go,
            java,
            github,
            go_version,
            python_version,
        }
    }

    /// The user config sending every publisher to its stand-in.
    fn config(&self) -> String {
        let lines = |config: String| publishers::replacement_lines(&config);
        format!(
            "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}{}{}",
            self.github.web_url(),
            lines(node::config(&self.node)),
            lines(go::config(&self.go)),
            lines(java::config(&self.java)),
        )
    }

    /// How many requests each stand-in answered so far (node, go, java, GitHub).
    fn counts(&self) -> [usize; 4] {
        [
            self.node.hits(),
            self.go.hits(),
            self.java.hits(),
            self.github.requests().len(),
        ]
    }

    /// The paths asked since `before` (an earlier [`Publishers::counts`]), by
    /// stand-in.
    fn asked_since(&self, before: [usize; 4]) -> [Vec<String>; 4] {
        let github: Vec<String> = self.github.requests().into_iter().map(|r| r.path).collect();
        let all = [
            self.node.paths(),
            self.go.paths(),
            self.java.paths(),
            github,
        ];
        let mut n = 0;
        all.map(|paths| {
            let since = paths[before[n]..].to_vec();
            n += 1;
            since
        })
    }
}

/// `vx ARGS` in `project`, which must succeed.
fn vx_ok(project: &Project, args: &[&str]) {
    output_of(project.vx().args(args), 0);
}

#[test]
fn four_runtimes_lock_with_each_file_once_sync_only_their_archives_and_revalidate_when_warm() {
    let p = Publishers::start();
    let manifest = format!(
        "[tools]\nnode = \"20\"\npython = \"{}\"\ngo = \"{}\"\njava = \"21\"\n",
        p.python_version, p.go_version
    );
    let project = Project::new(&p.config(), &manifest);
    let tags = "/api/v3/repos/astral-sh/python-build-standalone/tags?per_page=100";
    let sums = format!("/astral-sh/python-build-standalone/releases/download/{PBS_TAG}/SHA256SUMS");

    // Cold: each publisher's file once, python's in two requests.
    let before = p.counts();
    vx_ok(&project, &["lock"]);
    let [node_asked, go_asked, java_asked, github_asked] = p.asked_since(before);
    assert_eq!(
        node_asked,
        ["/dist/index.json", "/dist/v20.11.1/SHASUMS256.txt"]
    );
    assert_eq!(go_asked, [go::LIST_PATH]);
    assert_eq!(java_asked.len(), 3, "{java_asked:?}");
    assert_eq!(github_asked, [tags, sums.as_str()]);
    let lock = project.lock();
    let python = locked(
        &lock,
        "python",
        &vx_model::manifest::Platform::current().to_string(),
    );
    assert_eq!(
        python["checksum"].as_str(),
        Some(format!("checksum-file:{}{sums}", p.github.web_url()).as_str()),
        "{python}"
    );

    // The sync of the locked project: its four archives, nothing else.
    let before = p.counts();
    vx_ok(&project, &["sync", "--headless"]);
    let asked = p.asked_since(before);
    let archives: Vec<&String> = asked.iter().flatten().collect();
    assert_eq!(archives.len(), 4, "{asked:?}");
    for (n, suffix) in [
        ".tar.gz",
        ".tar.gz",
        ".tar.gz",
        "install_only_stripped.tar.gz",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            asked[n].len() == 1 && asked[n][0].ends_with(suffix),
            "{asked:?}"
        );
    }

    // Nothing changed: nothing asked.
    let before = p.counts();
    vx_ok(&project, &["sync", "--headless"]);
    vx_ok(&project, &["lock"]);
    assert_eq!(p.counts(), before, "{:?}", p.asked_since(before));

    // Locked again from scratch at once: within the freshness window (5 minutes,
    // `VX_INDEX_MAX_AGE`) every file is read from the cache and nothing is asked.
    let lock_path = project.work.dir.path().join("vx.lock");
    let kept = project.lock();
    std::fs::remove_file(&lock_path).unwrap();
    let before = p.counts();
    vx_ok(&project, &["lock"]);
    assert_eq!(p.counts(), before, "{:?}", p.asked_since(before));
    assert_eq!(project.lock(), kept);

    // Locked again with the window at zero: the same files, each revalidated with the
    // validators its publisher gave and answered 304 (nodejs.org's static files and
    // Adoptium's API by `ETag`, with Adoptium's `Last-Modified` beside it; GitHub's
    // API), except go.dev's list, which comes with none and is read whole again.
    std::fs::remove_file(&lock_path).unwrap();
    let conditional = |server: &TestServer| server.conditional().len();
    let (node_conditional, go_conditional, java_conditional) = (
        conditional(&p.node),
        conditional(&p.go),
        conditional(&p.java),
    );
    let github_before = p.github.requests().len();
    let before = p.counts();
    output_of(project.vx().env("VX_INDEX_MAX_AGE", "0").args(["lock"]), 0);
    let [node_asked, go_asked, java_asked, github_asked] = p.asked_since(before);
    assert_eq!(
        node_asked,
        ["/dist/index.json", "/dist/v20.11.1/SHASUMS256.txt"]
    );
    assert_eq!(p.node.conditional()[node_conditional..], node_asked[..]);
    assert_eq!(go_asked, [go::LIST_PATH]);
    assert_eq!(p.go.conditional().len(), go_conditional);
    assert_eq!(java_asked.len(), 3, "{java_asked:?}");
    assert_eq!(p.java.conditional()[java_conditional..], java_asked[..]);
    assert_eq!(github_asked, [tags, sums.as_str()]);
    let api = &p.github.requests()[github_before];
    assert!(api.if_none_match && api.status == 304, "{api:?}");
    assert_eq!(project.lock(), kept);
}
