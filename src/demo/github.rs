//! A loopback GitHub: a `tiny_http` server on 127.0.0.1 that answers in the real REST
//! API's shapes, so the demo resolves tools by name and the tests exercise the GitHub
//! client ([`crate::registry::github`]) and everything above it without a network.
//!
//! Its web base ([`GithubFixture::web_url`], for `VX_GITHUB_URL`) is a GitHub
//! Enterprise Server's as [`GithubHosts::new`] sees it, so the API is under `/api/v3`:
//!
//! | path | answer |
//! |---|---|
//! | `/api/v3/repos/O/R/releases?per_page=N&page=P` | a page of releases, newest first, with a `Link` header (`next`, `last`, `first`, `prev`) |
//! | `/api/v3/repos/O/R/releases/tags/T` | the release tagged `T` (drafts have no tag: 404) |
//! | `/api/v3/repos/O/R/releases/latest` | the first release that is neither a draft nor a pre-release |
//! | `/api/v3/repos/O/R/tags?per_page=N&page=P` | a page of tags, paginated the same way |
//! | `/api/v3/repos/O/R/attestations/sha256:HEX` | the artifact attestations of that digest ([`GithubFixtureBuilder::attestation`]), `{"attestations": [{"bundle", "repository_id"}]}`; none: 404 |
//! | `/O/R/releases/download/T/ASSET` | an asset's bytes (throttled when asked) |
//! | `/O/R/releases/latest/download/ASSET` | a 302 to the asset of the latest release (neither draft nor pre-release), as github.com answers; none: 404 |
//! | `/O/R/raw/REF/PATH` | a raw file ([`GithubHosts::raw`] off github.com) |
//! | any path given to [`GithubFixtureBuilder::file`] or [`GithubFixtureBuilder::redirect`] | its bytes, or a 302 |
//!
//! API answers carry a strong `ETag` and answer `304 Not Modified` to a matching
//! `If-None-Match`; an unknown repository, release or path is GitHub's 404 JSON.
//! [`GithubFixture::set_rate_limited`] makes every API request a 403 rate-limit
//! answer, and [`GithubFixture::set_downloads_rate_limited`] every download;
//! [`GithubFixtureBuilder::token`] makes it refuse any other token with 401.
//! Every request is logged ([`GithubFixture::requests`]) so tests can assert which
//! requests were made (none to `/releases/download/`, say).
//!
//! Like [`super::fixture`], this is for demos and tests: [`GithubFixtureBuilder::start`]
//! returns an error only when no loopback port can be bound.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use serde_json::{Value, json};

use super::fixture::{Throttled, sha256_hex};
use crate::registry::github::encode_segment;
use crate::registry::hosts::GithubHosts;

/// The page size GitHub uses when a request names none.
const DEFAULT_PER_PAGE: usize = 30;
/// The largest page GitHub serves.
const MAX_PER_PAGE: usize = 100;
/// When a release was created, for releases given no `published_at`.
const CREATED_AT: &str = "2024-01-01T00:00:00Z";

/// One release asset: its name, its bytes, and whether the API gives its digest.
#[derive(Clone, Debug)]
pub struct FixtureAsset {
    /// The file name (`ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz`).
    pub name: String,
    /// What a download of it serves.
    pub bytes: Arc<Vec<u8>>,
    /// Whether the API's `digest` is `"sha256:<hex>"` (`true`) or `null`, as for
    /// assets uploaded before GitHub computed digests.
    pub digest: bool,
}

/// One release of a fixture repository.
#[derive(Clone, Debug)]
pub struct FixtureRelease {
    /// Its tag (`v1.2.3`).
    pub tag: String,
    /// `published_at` (RFC 3339); `None` is `null`, as for a draft.
    pub published_at: Option<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// Whether it is a pre-release.
    pub prerelease: bool,
    /// Its assets, in order.
    pub assets: Vec<FixtureAsset>,
}

impl FixtureRelease {
    /// A published release tagged `tag` with no assets, published at 2024-01-01.
    pub fn new(tag: &str) -> FixtureRelease {
        FixtureRelease {
            tag: tag.to_owned(),
            published_at: Some(CREATED_AT.to_owned()),
            draft: false,
            prerelease: false,
            assets: Vec::new(),
        }
    }

    /// Sets `published_at` (RFC 3339).
    pub fn published(mut self, at: &str) -> FixtureRelease {
        self.published_at = Some(at.to_owned());
        self
    }

    /// Makes it a draft (`published_at: null`, no tag to find it by).
    pub fn draft(mut self) -> FixtureRelease {
        self.draft = true;
        self.published_at = None;
        self
    }

    /// Makes it a pre-release.
    pub fn prerelease(mut self) -> FixtureRelease {
        self.prerelease = true;
        self
    }

    /// Adds an asset whose digest the API gives.
    pub fn asset(self, name: &str, bytes: impl Into<Arc<Vec<u8>>>) -> FixtureRelease {
        self.asset_with(name, bytes, true)
    }

    /// Adds an asset whose `digest` is `null`.
    pub fn asset_without_digest(
        self,
        name: &str,
        bytes: impl Into<Arc<Vec<u8>>>,
    ) -> FixtureRelease {
        self.asset_with(name, bytes, false)
    }

    fn asset_with(
        mut self,
        name: &str,
        bytes: impl Into<Arc<Vec<u8>>>,
        digest: bool,
    ) -> FixtureRelease {
        self.assets.push(FixtureAsset {
            name: name.to_owned(),
            bytes: bytes.into(),
            digest,
        });
        self
    }
}

/// A fixture repository's releases (newest first, as GitHub lists them) and tags.
#[derive(Clone, Debug, Default)]
struct Repo {
    releases: Vec<FixtureRelease>,
    tags: Vec<String>,
    /// Sigstore bundles attesting a digest (hex), in order.
    attestations: HashMap<String, Vec<Value>>,
}

/// What a [`GithubFixture`] serves; [`GithubFixture::builder`] makes one.
#[derive(Clone, Debug, Default)]
pub struct GithubFixtureBuilder {
    repos: HashMap<String, Repo>,
    files: HashMap<String, Arc<Vec<u8>>>,
    redirects: HashMap<String, String>,
    page_size: Option<usize>,
    rate: Option<u64>,
    token: Option<String>,
    host: Option<String>,
}

impl GithubFixtureBuilder {
    /// Names the server `host` in its URLs (web base, API, download links) instead of
    /// `127.0.0.1`: a name that reaches this machine but is not loopback to vx, for a
    /// test that goes through a proxy (loopback is never proxied). It still listens on
    /// 127.0.0.1.
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_owned());
        self
    }

    /// Adds a release to `owner/repo`. Releases are listed in the order they were
    /// added: add the newest first, as GitHub lists them.
    pub fn release(mut self, owner: &str, repo: &str, release: FixtureRelease) -> Self {
        self.repo(owner, repo).releases.push(release);
        self
    }

    /// Adds a tag to `owner/repo` (for a repository without releases). The tags
    /// endpoint lists these, in order, then each non-draft release's tag.
    pub fn tag(mut self, owner: &str, repo: &str, tag: &str) -> Self {
        self.repo(owner, repo).tags.push(tag.to_owned());
        self
    }

    /// Adds an artifact attestation (a Sigstore bundle) of the artifact whose SHA-256
    /// is `sha256` (hex) to `owner/repo`, as GitHub's attestations API lists it.
    pub fn attestation(mut self, owner: &str, repo: &str, sha256: &str, bundle: Value) -> Self {
        self.repo(owner, repo)
            .attestations
            .entry(sha256.to_ascii_lowercase())
            .or_default()
            .push(bundle);
        self
    }

    /// Serves `bytes` as `path` of `owner/repo` at `git_ref` (`/O/R/raw/REF/PATH`).
    pub fn raw(self, owner: &str, repo: &str, git_ref: &str, path: &str, bytes: Vec<u8>) -> Self {
        let path = format!(
            "/{owner}/{repo}/raw/{git_ref}/{}",
            path.trim_start_matches('/')
        );
        self.file(&path, bytes)
    }

    /// Serves `bytes` at `path` (a source archive, a checksum file, a hostile answer).
    pub fn file(mut self, path: &str, bytes: Vec<u8>) -> Self {
        self.files.insert(percent_decode(path), Arc::new(bytes));
        self
    }

    /// Answers `path` with a 302 to `location` (another host, say).
    pub fn redirect(mut self, path: &str, location: &str) -> Self {
        self.redirects
            .insert(percent_decode(path), location.to_owned());
        self
    }

    /// Serves at most `n` items a page, whatever `per_page` asks (GitHub's own cap is
    /// 100), so tests can force several pages.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// Serves every file (downloads, raw files, [`GithubFixtureBuilder::file`]s) at
    /// about `bytes_per_sec`, for the demo's progress; API answers are not slowed.
    pub fn throttle(mut self, bytes_per_sec: u64) -> Self {
        self.rate = Some(bytes_per_sec);
        self
    }

    /// Accepts only `Authorization: Bearer TOKEN` on the API: any other
    /// `Authorization` gets GitHub's 401 "Bad credentials" (no header: served, as a
    /// public repository is).
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    fn repo(&mut self, owner: &str, repo: &str) -> &mut Repo {
        self.repos.entry(format!("{owner}/{repo}")).or_default()
    }

    /// Starts serving on 127.0.0.1 and a free port.
    pub fn start(self) -> std::io::Result<GithubFixture> {
        let (server, port) = super::fixture::bind_loopback()?;
        let host = self.host.as_deref().unwrap_or("127.0.0.1");
        let web = format!("http://{host}:{port}");
        let mut files = self.files;
        for (name, repo) in &self.repos {
            for release in &repo.releases {
                for asset in &release.assets {
                    let path = format!("/{name}/releases/download/{}/{}", release.tag, asset.name);
                    files.insert(path, Arc::clone(&asset.bytes));
                }
            }
        }
        let state = Arc::new(State {
            hosts: GithubHosts::new(&web, None),
            repos: self.repos,
            files,
            redirects: self.redirects,
            page_size: self.page_size.unwrap_or(MAX_PER_PAGE),
            rate: self.rate,
            token: self.token,
            log: Mutex::default(),
            rate_limit_reset: Mutex::default(),
            downloads_limited: Mutex::default(),
        });
        let (srv, shared) = (Arc::clone(&server), Arc::clone(&state));
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let shared = Arc::clone(&shared);
                // Each answer on its own thread: a throttled download must not hold
                // up the API requests made meanwhile.
                std::thread::spawn(move || shared.answer(request));
            }
        });
        Ok(GithubFixture {
            web,
            state,
            server,
            thread: Some(thread),
        })
    }
}

/// One request the fixture answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixtureRequest {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The path with its query, as sent (`/api/v3/repos/o/r/releases?per_page=100`).
    pub path: String,
    /// Whether an `Authorization` header was sent.
    pub authorization: bool,
    /// Whether an `If-None-Match` header was sent.
    pub if_none_match: bool,
    /// The status answered.
    pub status: u16,
}

impl FixtureRequest {
    /// Whether this was a release asset download (`/O/R/releases/download/…`).
    pub fn is_download(&self) -> bool {
        self.path.contains("/releases/download/")
    }

    /// Whether this was an API request (under `/api/v3/`).
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/v3/")
    }
}

/// A running loopback GitHub, stopped and joined on drop.
pub struct GithubFixture {
    web: String,
    state: Arc<State>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl GithubFixture {
    /// What to serve.
    pub fn builder() -> GithubFixtureBuilder {
        GithubFixtureBuilder::default()
    }

    /// The web base, `http://127.0.0.1:PORT`: the value of `VX_GITHUB_URL`.
    pub fn web_url(&self) -> String {
        self.web.clone()
    }

    /// The API base, `http://127.0.0.1:PORT/api/v3` (what `VX_GITHUB_URL` implies).
    pub fn api_url(&self) -> String {
        self.state.hosts.api.clone()
    }

    /// The hosts a client configured with [`GithubFixture::web_url`] uses.
    pub fn hosts(&self) -> GithubHosts {
        self.state.hosts.clone()
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.web)
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<FixtureRequest> {
        lock(&self.state.log).clone()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }

    /// With `Some(reset)` (seconds since the epoch), every API request is answered
    /// with GitHub's 403 rate-limit answer (`X-RateLimit-Remaining: 0`,
    /// `X-RateLimit-Reset: reset`); with `None`, normally again.
    pub fn set_rate_limited(&self, reset: Option<u64>) {
        *lock(&self.state.rate_limit_reset) = reset;
    }

    /// The same for every download and file outside the API (release assets, the
    /// `latest/download` redirect): GitHub's 403 with `X-RateLimit-Remaining: 0`, as
    /// a proxy or a GitHub Enterprise Server in front of the downloads can answer.
    pub fn set_downloads_rate_limited(&self, reset: Option<u64>) {
        *lock(&self.state.downloads_limited) = reset;
    }
}

impl Drop for GithubFixture {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the server thread shares with each answer.
struct State {
    hosts: GithubHosts,
    repos: HashMap<String, Repo>,
    /// Downloads, raw files and extra files by percent-decoded path.
    files: HashMap<String, Arc<Vec<u8>>>,
    redirects: HashMap<String, String>,
    page_size: usize,
    rate: Option<u64>,
    token: Option<String>,
    log: Mutex<Vec<FixtureRequest>>,
    rate_limit_reset: Mutex<Option<u64>>,
    downloads_limited: Mutex<Option<u64>>,
}

/// A response body.
enum Body {
    Json(Value),
    Bytes(Arc<Vec<u8>>),
    Empty,
}

/// A response before it is sent.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Reply {
    fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Json(value),
        }
    }

    /// GitHub's error shape: `{"message", "documentation_url", "status"}`.
    fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": status.to_string(),
            }),
        )
    }

    fn not_found() -> Reply {
        Reply::error(404, "Not Found")
    }

    fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// A request's header, by case-insensitive name.
fn request_header<'r>(request: &'r tiny_http::Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

impl State {
    fn answer(&self, request: tiny_http::Request) {
        let url = request.url().to_owned();
        let authorization = request_header(&request, "authorization").map(str::to_owned);
        let if_none_match = request_header(&request, "if-none-match").map(str::to_owned);
        let reply = self.route(&url, authorization.as_deref(), if_none_match.as_deref());
        lock(&self.log).push(FixtureRequest {
            method: request.method().as_str().to_owned(),
            path: url,
            authorization: authorization.is_some(),
            if_none_match: if_none_match.is_some(),
            status: reply.status,
        });
        let (reader, len): (Box<dyn Read + Send>, usize) = match reply.body {
            Body::Json(value) => {
                let bytes = value.to_string().into_bytes();
                let len = bytes.len();
                (Box::new(Cursor::new(bytes)), len)
            }
            Body::Bytes(bytes) => {
                let len = bytes.len();
                match self.rate {
                    Some(rate) => (Box::new(Throttled::new(bytes, rate)), len),
                    None => (Box::new(Cursor::new(SharedBytes(bytes))), len),
                }
            }
            Body::Empty => (Box::new(std::io::empty()), 0),
        };
        let mut response =
            tiny_http::Response::new(reply.status.into(), Vec::new(), reader, Some(len), None)
                .with_chunked_threshold(usize::MAX);
        for (name, value) in reply.headers {
            if let Ok(header) = tiny_http::Header::from_bytes(name, value.as_bytes()) {
                response.add_header(header);
            }
        }
        let _ = request.respond(response);
    }

    /// `/O/R/releases/latest/download/ASSET`: a 302 to that asset of the latest
    /// release; a 404 when the repository has no latest release; `None` for another
    /// path.
    fn latest_download(&self, path: &str) -> Option<Reply> {
        let rest = path.strip_prefix('/')?;
        let mut parts = rest.splitn(3, '/');
        let (owner, repo, tail) = (parts.next()?, parts.next()?, parts.next()?);
        let asset = tail.strip_prefix("releases/latest/download/")?;
        let latest = self
            .repos
            .get(&format!("{owner}/{repo}"))?
            .releases
            .iter()
            .find(|r| !r.draft && !r.prerelease);
        Some(match latest {
            Some(release) => Reply {
                status: 302,
                headers: vec![(
                    "Location",
                    format!(
                        "{}/{owner}/{repo}/releases/download/{}/{asset}",
                        self.hosts.web,
                        encode_segment(&release.tag)
                    ),
                )],
                body: Body::Empty,
            },
            None => Reply::not_found(),
        })
    }

    fn route(&self, url: &str, authorization: Option<&str>, if_none_match: Option<&str>) -> Reply {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let path = percent_decode(path);
        if let Some(location) = self.redirects.get(&path) {
            return Reply {
                status: 302,
                headers: vec![("Location", location.clone())],
                body: Body::Empty,
            };
        }
        let Some(api_path) = path.strip_prefix("/api/v3/") else {
            if let Some(reset) = *lock(&self.downloads_limited) {
                return rate_limited(reset);
            }
            if let Some(location) = self.latest_download(&path) {
                return location;
            }
            return match self.files.get(&path) {
                Some(bytes) => Reply {
                    status: 200,
                    headers: vec![("Content-Type", "application/octet-stream".to_owned())],
                    body: Body::Bytes(Arc::clone(bytes)),
                },
                None => Reply::not_found(),
            };
        };
        if let Some(reset) = *lock(&self.rate_limit_reset) {
            return rate_limited(reset);
        }
        if let Some(token) = &self.token
            && let Some(sent) = authorization
            && sent != format!("Bearer {token}")
        {
            return Reply::error(401, "Bad credentials");
        }
        let reply = self.api(api_path, query);
        if reply.status != 200 {
            return reply;
        }
        let Body::Json(value) = &reply.body else {
            return reply;
        };
        let etag = format!("\"{}\"", &sha256_hex(value.to_string().as_bytes())[..32]);
        let matched = if_none_match.is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
        });
        let reply = reply
            .header("ETag", etag)
            .header("Content-Type", "application/json; charset=utf-8".to_owned());
        if matched {
            Reply {
                status: 304,
                headers: reply.headers,
                body: Body::Empty,
            }
        } else {
            reply
        }
    }

    /// An API path (after `/api/v3/`, percent-decoded) and its query.
    fn api(&self, path: &str, query: &str) -> Reply {
        let Some(rest) = path.strip_prefix("repos/") else {
            return Reply::not_found();
        };
        let mut parts = rest.splitn(3, '/');
        let (Some(owner), Some(name)) = (parts.next(), parts.next()) else {
            return Reply::not_found();
        };
        let what = parts.next().unwrap_or("");
        let full = format!("{owner}/{name}");
        let Some(repo) = self.repos.get(&full) else {
            return Reply::not_found();
        };
        match what {
            "releases" => {
                let items: Vec<Value> = repo
                    .releases
                    .iter()
                    .enumerate()
                    .map(|(i, r)| self.release_json(&full, i, r))
                    .collect();
                self.page(&format!("repos/{full}/releases"), query, items)
            }
            "releases/latest" => repo
                .releases
                .iter()
                .enumerate()
                .find(|(_, r)| !r.draft && !r.prerelease)
                .map_or_else(Reply::not_found, |(i, r)| {
                    Reply::json(200, self.release_json(&full, i, r))
                }),
            "tags" => {
                let mut names = repo.tags.clone();
                for release in repo.releases.iter().filter(|r| !r.draft) {
                    if !names.contains(&release.tag) {
                        names.push(release.tag.clone());
                    }
                }
                let items = names.iter().map(|t| self.tag_json(&full, t)).collect();
                self.page(&format!("repos/{full}/tags"), query, items)
            }
            other if other.starts_with("attestations/sha256:") => {
                let hex = &other["attestations/sha256:".len()..];
                match repo.attestations.get(&hex.to_ascii_lowercase()) {
                    Some(bundles) => Reply::json(
                        200,
                        json!({
                            "attestations": bundles
                                .iter()
                                .map(|b| json!({"bundle": b, "repository_id": 1}))
                                .collect::<Vec<_>>()
                        }),
                    ),
                    None => Reply::not_found(),
                }
            }
            other => match other.strip_prefix("releases/tags/") {
                Some(tag) => repo
                    .releases
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !r.draft && r.tag == tag)
                    .map_or_else(Reply::not_found, |(i, r)| {
                        Reply::json(200, self.release_json(&full, i, r))
                    }),
                None => Reply::not_found(),
            },
        }
    }

    /// One page of `items` as `per_page` and `page` in `query` ask (capped by the
    /// fixture's page size), with GitHub's `Link` header.
    fn page(&self, path: &str, query: &str, items: Vec<Value>) -> Reply {
        let param = |name: &str| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let per_page = param("per_page")
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
            .min(self.page_size);
        let page = param("page").unwrap_or(1).max(1);
        let last = items.len().div_ceil(per_page).max(1);
        let start = (page - 1).saturating_mul(per_page).min(items.len());
        let end = start.saturating_add(per_page).min(items.len());
        let link = |p: usize, rel: &str| {
            format!(
                "<{}/{path}?per_page={per_page}&page={p}>; rel=\"{rel}\"",
                self.hosts.api
            )
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(link(page - 1, "prev"));
        }
        if page < last {
            links.push(link(page + 1, "next"));
            links.push(link(last, "last"));
        }
        if page > 1 {
            links.push(link(1, "first"));
        }
        let reply = Reply::json(200, Value::Array(items[start..end].to_vec()));
        if links.is_empty() {
            reply
        } else {
            reply.header("Link", links.join(", "))
        }
    }

    /// A release as the API gives it (the fields vx reads, and the usual others).
    fn release_json(&self, repo: &str, index: usize, release: &FixtureRelease) -> Value {
        let api = &self.hosts.api;
        let web = &self.hosts.web;
        let id = 1000 + index;
        let tag = encode_segment(&release.tag);
        let assets: Vec<Value> = release
            .assets
            .iter()
            .enumerate()
            .map(|(n, asset)| {
                let asset_id = id * 100 + n;
                json!({
                    "url": format!("{api}/repos/{repo}/releases/assets/{asset_id}"),
                    "id": asset_id,
                    "node_id": format!("RA_{asset_id}"),
                    "name": asset.name,
                    "label": null,
                    "uploader": user(),
                    "content_type": "application/octet-stream",
                    "state": "uploaded",
                    "size": asset.bytes.len(),
                    "digest": asset.digest.then(|| format!("sha256:{}", sha256_hex(&asset.bytes))),
                    "download_count": 0,
                    "created_at": CREATED_AT,
                    "updated_at": CREATED_AT,
                    "browser_download_url": format!(
                        "{web}/{repo}/releases/download/{tag}/{}",
                        encode_segment(&asset.name)
                    ),
                })
            })
            .collect();
        json!({
            "url": format!("{api}/repos/{repo}/releases/{id}"),
            "assets_url": format!("{api}/repos/{repo}/releases/{id}/assets"),
            "upload_url": format!("{api}/repos/{repo}/releases/{id}/assets{{?name,label}}"),
            "html_url": format!("{web}/{repo}/releases/tag/{tag}"),
            "id": id,
            "author": user(),
            "node_id": format!("RE_{id}"),
            "tag_name": release.tag,
            "target_commitish": "main",
            "name": release.tag,
            "draft": release.draft,
            "immutable": false,
            "prerelease": release.prerelease,
            "created_at": release.published_at.as_deref().unwrap_or(CREATED_AT),
            "updated_at": release.published_at.as_deref().unwrap_or(CREATED_AT),
            "published_at": release.published_at,
            "assets": assets,
            "tarball_url": format!("{api}/repos/{repo}/tarball/{tag}"),
            "zipball_url": format!("{api}/repos/{repo}/zipball/{tag}"),
            "body": format!("Release {}.", release.tag),
        })
    }

    /// A tag as the API's tag list gives it.
    fn tag_json(&self, repo: &str, tag: &str) -> Value {
        let api = &self.hosts.api;
        let sha = sha256_hex(format!("{repo}@{tag}").as_bytes())[..40].to_owned();
        let encoded = encode_segment(tag);
        json!({
            "name": tag,
            "zipball_url": format!("{api}/repos/{repo}/zipball/refs/tags/{encoded}"),
            "tarball_url": format!("{api}/repos/{repo}/tarball/refs/tags/{encoded}"),
            "commit": { "sha": sha, "url": format!("{api}/repos/{repo}/commits/{sha}") },
            "node_id": format!("REF_{sha}"),
        })
    }
}

/// GitHub's primary rate-limit answer for an unauthenticated client.
fn rate_limited(reset: u64) -> Reply {
    let message = "API rate limit exceeded for 127.0.0.1. (But here's the good news: \
                   Authenticated requests get a higher rate limit. Check out the \
                   documentation for more details.)";
    Reply::json(
        403,
        json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }),
    )
    .header("X-RateLimit-Limit", "60".to_owned())
    .header("X-RateLimit-Remaining", "0".to_owned())
    .header("X-RateLimit-Reset", reset.to_string())
    .header("X-RateLimit-Used", "60".to_owned())
    .header("X-RateLimit-Resource", "core".to_owned())
}

/// The `author`/`uploader` object.
fn user() -> Value {
    json!({
        "login": "vx-fixture",
        "id": 1,
        "node_id": "U_1",
        "type": "User",
        "site_admin": false,
    })
}

/// Shared bytes as a `Cursor`'s buffer, without copying them per request.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// `%XX` escapes decoded (invalid ones kept as written; bytes that are not UTF-8
/// replaced).
fn percent_decode(path: &str) -> String {
    String::from_utf8_lossy(&crate::validate::percent_decoded(path)).into_owned()
}
