//! The client against the loopback GitHub ([`vx_fixture::github`]) and, for answers
//! no GitHub gives, against a plain loopback server.

use std::time::{SystemTime, UNIX_EPOCH};

use super::*;
use vx_fixture::github::{FixtureRelease, GithubFixture, GithubFixtureBuilder};
use vx_fixture::{Route, TestServer, sha256_hex};

fn net() -> Client {
    Client::new(std::sync::Arc::default(), vx_net::Timeouts::default())
}

fn config(hosts: GithubHosts, token: Option<&str>) -> GithubConfig {
    GithubConfig {
        hosts,
        token: token.and_then(Token::new),
        token_source: token.map(|_| TokenSource::Env("GITHUB_TOKEN")),
        fresh_for: std::time::Duration::ZERO,
    }
}

fn client(fixture: &GithubFixture, token: Option<&str>) -> Github {
    Github::new(
        config(GithubHosts::new(&fixture.web_url(), None), token),
        net(),
        None,
        false,
    )
}

fn five_releases() -> GithubFixtureBuilder {
    GithubFixture::builder()
        .release("o", "r", FixtureRelease::new("v5.0.0").draft())
        .release("o", "r", FixtureRelease::new("v4.0.0-rc.1").prerelease())
        .release(
            "o",
            "r",
            FixtureRelease::new("v3.0.0")
                .published("2024-03-01T00:00:00Z")
                .asset("tool-linux.tar.gz", b"linux bytes".to_vec())
                .asset_without_digest("tool-macos.zip", b"macos".to_vec()),
        )
        .release("o", "r", FixtureRelease::new("v2.0.0"))
        .release("o", "r", FixtureRelease::new("v1.0.0"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn every_page_of_releases_is_read_with_drafts_and_prereleases_flagged() {
    let fixture = five_releases().page_size(2).start().unwrap();
    let releases = client(&fixture, None).releases("o", "r").unwrap();
    let tags: Vec<&str> = releases.iter().map(|r| r.tag.as_str()).collect();
    assert_eq!(
        tags,
        ["v5.0.0", "v4.0.0-rc.1", "v3.0.0", "v2.0.0", "v1.0.0"]
    );
    assert!(releases[0].draft && releases[0].published_at.is_none());
    assert!(releases[1].prerelease && !releases[1].draft);
    assert!(!releases[2].draft && !releases[2].prerelease);
    assert_eq!(
        releases[2].published_at.as_deref(),
        Some("2024-03-01T00:00:00Z")
    );
    let paths: Vec<String> = fixture.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v3/repos/o/r/releases?per_page=100",
            "/api/v3/repos/o/r/releases?per_page=2&page=2",
            "/api/v3/repos/o/r/releases?per_page=2&page=3",
        ]
    );
}

#[test]
fn assets_carry_their_url_size_and_digest_and_download() {
    let fixture = five_releases().start().unwrap();
    let github = client(&fixture, None);
    let release = github.release("o", "r", "v3.0.0").unwrap();
    let [linux, macos] = release.assets.as_slice() else {
        panic!("{release:?}")
    };
    assert_eq!(linux.name, "tool-linux.tar.gz");
    assert_eq!(linux.size, 11);
    assert_eq!(
        linux.url,
        fixture.url("/o/r/releases/download/v3.0.0/tool-linux.tar.gz")
    );
    assert_eq!(linux.sha256(), Some(sha256_hex(b"linux bytes")));
    assert_eq!(
        linux.digest,
        Some(format!("sha256:{}", sha256_hex(b"linux bytes")))
    );
    assert_eq!(macos.digest, None);
    assert_eq!(github.fetch(&linux.url, 1024).unwrap(), b"linux bytes");
    let requests = fixture.requests();
    assert_eq!(requests.iter().filter(|r| r.is_download()).count(), 1);
}

#[test]
fn latest_skips_drafts_and_prereleases_and_tags_are_listed() {
    let fixture = five_releases()
        .tag("o", "r", "v0.9.0")
        .page_size(3)
        .start()
        .unwrap();
    let github = client(&fixture, None);
    assert_eq!(github.latest_release("o", "r").unwrap().tag, "v3.0.0");
    assert_eq!(
        github.tags("o", "r").unwrap(),
        ["v0.9.0", "v4.0.0-rc.1", "v3.0.0", "v2.0.0", "v1.0.0"]
    );
}

#[test]
fn a_tag_with_a_slash_is_one_path_segment() {
    let fixture = GithubFixture::builder()
        .release("o", "r", FixtureRelease::new("cli/v1.2+3"))
        .start()
        .unwrap();
    let release = client(&fixture, None)
        .release("o", "r", "cli/v1.2+3")
        .unwrap();
    assert_eq!(release.tag, "cli/v1.2+3");
    assert_eq!(
        fixture.requests()[0].path,
        "/api/v3/repos/o/r/releases/tags/cli%2Fv1.2%2B3"
    );
}

#[test]
fn a_second_request_revalidates_with_the_etag_and_a_304_serves_the_cache() {
    let fixture = five_releases().page_size(2).start().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let github = Github::new(
        config(GithubHosts::new(&fixture.web_url(), None), None),
        net(),
        Some(cache.path().to_owned()),
        false,
    );
    let first = github.releases("o", "r").unwrap();
    assert!(fixture.requests().iter().all(|r| !r.if_none_match));
    fixture.clear_requests();
    let second = github.releases("o", "r").unwrap();
    assert_eq!(first, second);
    let requests = fixture.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.if_none_match && r.status == 304),
        "{requests:?}"
    );
}

/// Within the freshness window a cached answer serves without a request, a page list
/// and a publisher's file alike; a window of zero revalidates every time.
#[test]
fn within_the_freshness_window_nothing_is_asked_again() {
    let fixture = five_releases()
        .page_size(2)
        .file("/index.json", b"[1]".to_vec())
        .start()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let with = |fresh_for: std::time::Duration| {
        Github::new(
            GithubConfig {
                fresh_for,
                ..config(GithubHosts::new(&fixture.web_url(), None), None)
            },
            net(),
            Some(cache.path().to_owned()),
            false,
        )
    };
    let fresh = with(crate::github::FRESH_FOR);
    let file = format!("{}/index.json", fixture.web_url());
    let first = fresh.releases("o", "r").unwrap();
    assert_eq!(fresh.fetch_text_cached(&file, 1 << 20).unwrap(), "[1]");
    fixture.clear_requests();
    assert_eq!(fresh.releases("o", "r").unwrap(), first);
    assert_eq!(fresh.fetch_text_cached(&file, 1 << 20).unwrap(), "[1]");
    assert!(fixture.requests().is_empty(), "{:?}", fixture.requests());
    assert_eq!(
        with(std::time::Duration::ZERO).releases("o", "r").unwrap(),
        first
    );
    assert_eq!(fixture.requests().len(), 3, "{:?}", fixture.requests());
}

/// A server that gives `Last-Modified` and no `ETag` is revalidated with
/// `If-Modified-Since`, and its `304` serves the cached file (and starts its window
/// again).
#[test]
fn a_last_modified_date_is_sent_back_and_a_304_serves_the_cache() {
    use vx_fixture::{Route, TestServer, Validators};
    let date = "Tue, 15 Oct 2024 10:00:00 GMT";
    let server = TestServer::start([(
        "/list",
        Route::Validated(
            b"[\"go1.23.2\"]".to_vec(),
            Validators {
                last_modified: Some(date),
                ..Validators::default()
            },
        ),
    )]);
    let cache = tempfile::tempdir().unwrap();
    let github = |fresh_for| {
        Github::new(
            GithubConfig {
                fresh_for,
                ..config(GithubHosts::default(), None)
            },
            net(),
            Some(cache.path().to_owned()),
            false,
        )
    };
    let url = server.url("/list");
    let revalidating = github(std::time::Duration::ZERO);
    assert_eq!(
        revalidating.fetch_text_cached(&url, 1024).unwrap(),
        "[\"go1.23.2\"]"
    );
    assert!(server.conditional().is_empty());
    assert_eq!(
        revalidating.fetch_text_cached(&url, 1024).unwrap(),
        "[\"go1.23.2\"]"
    );
    assert_eq!(server.conditional(), ["/list"]);
    assert_eq!(server.hits(), 2);
    // The 304 restarted the window: a client with one asks nothing.
    assert_eq!(
        github(crate::github::FRESH_FOR)
            .fetch_text_cached(&url, 1024)
            .unwrap(),
        "[\"go1.23.2\"]"
    );
    assert_eq!(server.hits(), 2);
}

#[test]
fn offline_the_cache_answers_without_a_request_and_a_miss_says_what_is_missing() {
    let fixture = five_releases().page_size(2).start().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let online = Github::new(
        config(GithubHosts::new(&fixture.web_url(), None), None),
        net(),
        Some(cache.path().to_owned()),
        false,
    );
    let releases = online.releases("o", "r").unwrap();
    fixture.clear_requests();

    let offline = Github::new(
        config(GithubHosts::new(&fixture.web_url(), None), None),
        net(),
        Some(cache.path().to_owned()),
        true,
    );
    assert_eq!(offline.releases("o", "r").unwrap(), releases);
    let err = offline.tags("o", "r").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GithubError::NotCached { .. }), "{msg}");
    assert!(
        msg.contains("the tags of o/r is not in the cache") && msg.contains("with the network"),
        "{msg}"
    );
    let err = Github::new(
        config(GithubHosts::new(&fixture.web_url(), None), None),
        net(),
        None,
        true,
    )
    .release("o", "r", "v1.0.0")
    .unwrap_err();
    assert!(err.to_string().ends_with("(set VX_CACHE_DIR)"), "{err}");
    assert!(fixture.requests().is_empty(), "{:?}", fixture.requests());
}

#[test]
fn a_rate_limit_says_when_it_resets_and_how_to_set_a_token() {
    let fixture = five_releases().start().unwrap();
    fixture.set_rate_limited(Some(now() + 1800));
    let err = client(&fixture, None).releases("o", "r").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GithubError::RateLimited { .. }), "{msg}");
    assert!(
        msg.contains(" UTC (in 30 min)") && msg.contains("set GITHUB_TOKEN"),
        "{msg}"
    );

    let err = client(&fixture, Some("t0ken"))
        .releases("o", "r")
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("the rate limit of the token from GITHUB_TOKEN is used up"),
        "{msg}"
    );
    assert!(!msg.contains("t0ken"), "{msg}");

    fixture.set_rate_limited(None);
    assert_eq!(client(&fixture, None).releases("o", "r").unwrap().len(), 5);
}

#[test]
fn the_token_goes_to_the_api_and_nowhere_else() {
    let other = GithubFixture::builder()
        .file("/elsewhere.txt", b"other host".to_vec())
        .start()
        .unwrap();
    let fixture = five_releases()
        .raw(
            "o",
            "r",
            "main",
            "registry.yaml",
            b"packages: []\n".to_vec(),
        )
        .redirect("/same-host", "/o/r/raw/main/registry.yaml")
        .redirect("/other-host", &other.url("/elsewhere.txt"))
        .token("t0ken")
        .start()
        .unwrap();
    let github = client(&fixture, Some("t0ken"));

    github.releases("o", "r").unwrap();
    let sent: Vec<bool> = fixture.requests().iter().map(|r| r.authorization).collect();
    assert_eq!(sent, [true]);

    // Another host: no token, asked directly or through a redirect.
    assert_eq!(
        github.fetch(&other.url("/elsewhere.txt"), 100).unwrap(),
        b"other host"
    );
    fixture.clear_requests();
    assert_eq!(
        github.fetch(&fixture.url("/other-host"), 100).unwrap(),
        b"other host"
    );
    assert!(
        fixture.requests()[0].authorization,
        "the first hop is GitHub"
    );
    let there = other.requests();
    assert_eq!(there.len(), 2, "{there:?}");
    assert!(there.iter().all(|r| !r.authorization), "{there:?}");

    // The same host keeps it.
    fixture.clear_requests();
    assert_eq!(
        github.fetch(&fixture.url("/same-host"), 100).unwrap(),
        b"packages: []\n"
    );
    let hops: Vec<(String, bool)> = fixture
        .requests()
        .into_iter()
        .map(|r| (r.path, r.authorization))
        .collect();
    assert_eq!(
        hops,
        [
            ("/same-host".to_owned(), true),
            ("/o/r/raw/main/registry.yaml".to_owned(), true)
        ]
    );
}

#[test]
fn a_refused_token_is_named_by_its_source_and_never_shown() {
    let fixture = five_releases().token("right").start().unwrap();
    let err = client(&fixture, Some("wr0ng"))
        .releases("o", "r")
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GithubError::Unauthorized { .. }), "{msg}");
    assert!(
        msg.contains("refused the token from GITHUB_TOKEN") && msg.contains("Bad credentials"),
        "{msg}"
    );
    assert!(!msg.contains("wr0ng") && !format!("{err:?}").contains("wr0ng"));
    assert_eq!(
        client(&fixture, Some("right"))
            .releases("o", "r")
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn a_404_names_the_release_or_the_repository() {
    let fixture = five_releases().start().unwrap();
    let github = client(&fixture, None);
    let err = github.release("o", "r", "v9.9.9").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, GithubError::NotFound { .. }), "{msg}");
    assert!(
        msg.starts_with("release v9.9.9 of o/r: not found (HTTP 404 from http://127.0.0.1:"),
        "{msg}"
    );
    assert!(msg.contains("set GITHUB_TOKEN"), "{msg}");
    let msg = github.releases("o", "nope").unwrap_err().to_string();
    assert!(
        msg.starts_with("the releases of o/nope: not found"),
        "{msg}"
    );
    // A file elsewhere: no token would help.
    let elsewhere = TestServer::start([("/x", Route::Status(500))]);
    let msg = github
        .fetch(&elsewhere.url("/missing"), 10)
        .unwrap_err()
        .to_string();
    assert!(msg.ends_with("/missing)"), "{msg}");
    // A draft has no tag to be found by.
    assert!(matches!(
        github.release("o", "r", "v5.0.0"),
        Err(GithubError::NotFound { .. })
    ));
}

#[test]
fn names_that_cannot_be_on_github_are_refused_before_a_request() {
    let fixture = five_releases().start().unwrap();
    let github = client(&fixture, None);
    for (owner, repo) in [("o/x", "r"), ("o", ".."), ("", "r"), ("o", "r?x=1")] {
        let err = github.releases(owner, repo).unwrap_err();
        assert!(matches!(err, GithubError::BadName { .. }), "{err}");
    }
    let err = github.release("o", "r", "v1\x1b[2J").unwrap_err();
    assert!(err.to_string().contains("\\x1b"), "{err}");
    assert!(fixture.requests().is_empty());
}

/// A plain server answering `body` to the first page of `o/r`'s releases.
fn hostile(body: Vec<u8>) -> (TestServer, Github) {
    let server = TestServer::start([("/api/v3/repos/o/r/releases?per_page=100", Route::Ok(body))]);
    let github = Github::new(
        config(GithubHosts::new(&server.url(""), None), None),
        net(),
        None,
        false,
    );
    (server, github)
}

#[test]
fn an_oversized_answer_is_refused() {
    let (_server, github) = hostile(vec![b' '; 5000]);
    let github = github.with_limits(Limits {
        max_page_bytes: 4096,
        ..Limits::default()
    });
    let err = github.releases("o", "r").unwrap_err();
    assert!(
        matches!(err, GithubError::TooLarge { limit: 4096, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("larger than 4096 bytes"), "{err}");
}

#[test]
fn malformed_answers_are_clear_errors() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for body in [
        b"<html>rate limited?</html>".to_vec(),
        br#"[{"tag_name": 5}]"#.to_vec(),
        br#"{"message": "an object, not a list"}"#.to_vec(),
        deep.into_bytes(),
        b"[\xff]".to_vec(),
    ] {
        let (_server, github) = hostile(body);
        let err = github.releases("o", "r").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, GithubError::Malformed { .. }), "{msg}");
        assert!(msg.contains("the answer is not GitHub's JSON"), "{msg}");
        assert!(msg.len() < 400, "{msg}");
    }
}

#[test]
fn server_text_in_a_message_is_sanitized() {
    let server = TestServer::start([(
        "/api/v3/repos/o/r/releases?per_page=100",
        Route::Ok(b"\x1b]0;owned\x07 not json".to_vec()),
    )]);
    let github = Github::new(
        config(GithubHosts::new(&server.url(""), None), None),
        net(),
        None,
        false,
    );
    let msg = github.releases("o", "r").unwrap_err().to_string();
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
}

#[test]
fn a_next_page_on_another_host_is_not_followed() {
    let fixture = five_releases().page_size(2).start().unwrap();
    // A second client whose API base is the fixture under another name: the fixture's
    // `next` links name 127.0.0.1, which is then another host.
    let hosts = GithubHosts::new(&fixture.web_url().replace("127.0.0.1", "localhost"), None);
    let err = Github::new(config(hosts, Some("t0ken")), net(), None, false)
        .releases("o", "r")
        .unwrap_err();
    assert!(matches!(err, GithubError::BadRedirect { .. }), "{err}");
    assert_eq!(fixture.requests().len(), 1);
}

#[test]
fn a_redirect_to_another_github_host_drops_the_token() {
    // Web and API on two servers, as github.com and api.github.com: both GitHub, but a
    // redirect from one to the other is a redirect to another host.
    let api = GithubFixture::builder()
        .file("/landed.txt", b"landed".to_vec())
        .start()
        .unwrap();
    let web = GithubFixture::builder()
        .redirect("/hop", &api.url("/landed.txt"))
        .start()
        .unwrap();
    let hosts = GithubHosts::new(&web.web_url(), Some(&api.api_url()));
    assert!(hosts.is_github(&api.url("/landed.txt")));
    let github = Github::new(config(hosts, Some("t0ken")), net(), None, false);
    assert_eq!(github.fetch(&web.url("/hop"), 100).unwrap(), b"landed");
    assert!(web.requests()[0].authorization);
    assert!(!api.requests()[0].authorization, "{:?}", api.requests());
}

/// `url_replacements` sending the API to a company's mirror: an error names the mirror
/// that answered, and never suggests a GitHub token (it is not sent there, and would
/// not help); a 401 there asks for the mirror's own credentials.
#[test]
fn a_mirror_of_the_api_is_named_and_no_github_token_is_suggested_for_it() {
    let fixture = five_releases().start().unwrap();
    let mirror = TestServer::start([(
        "/api/repos/o/locked/releases?per_page=100",
        Route::Status(401),
    )]);
    let rewrites = vx_net::rewrite::UrlRewrites::new([(
        format!("{}/", fixture.api_url()).as_str(),
        mirror.url("/api/").as_str(),
    )])
    .unwrap();
    let net = Client::new(
        std::sync::Arc::new(vx_net::NetConfig {
            rewrites,
            ..Default::default()
        }),
        vx_net::Timeouts::default(),
    );
    let hosts = GithubHosts::new(&fixture.web_url(), None);
    let github = Github::new(config(hosts, None), net, None, false);

    let msg = github.release("o", "r", "v9.9.9").unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!(
            "release v9.9.9 of o/r: not found (HTTP 404 from {}",
            mirror.url("/api/repos/o/r/")
        )),
        "{msg}"
    );
    assert!(!msg.contains("GITHUB_TOKEN"), "{msg}");

    let err = github.releases("o", "locked").unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, GithubError::ElsewhereUnauthorized { .. }),
        "{msg}"
    );
    assert!(msg.contains("is not GitHub"), "{msg}");
    assert!(!msg.contains("GITHUB_TOKEN"), "{msg}");
}
