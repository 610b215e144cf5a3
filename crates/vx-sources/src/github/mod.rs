//! The GitHub REST API client: a repository's releases (every page), one release by
//! tag, the latest release, the tags (for repositories without releases), and small
//! files (a `registry.yaml`, a `checksums.txt`); and [`hosts`], where GitHub is.
//!
//! Its own room, not a part of aqua's registry format: version resolution, the
//! registries' sources, install's attestation checks, the runtimes, `vx self update`,
//! the settings view and the demo all use it (aqua keeps `pkg/github` apart the same
//! way).
//!
//! - **Where, and with which token** ([`GithubConfig`]): `VX_GITHUB_URL` /
//!   `VX_GITHUB_API_URL`, then the user config's `[github]`; the token from
//!   `GITHUB_TOKEN`, `GH_TOKEN`, then the user config. The token is sent as
//!   `Authorization: Bearer …` only to GitHub's hosts ([`GithubHosts::is_github`]), and
//!   never across a redirect to another host: redirects are followed here, hop by hop
//!   (`http` submodule).
//! - **Cache** (`cache` submodule): each API answer is kept under `<cache>/github/`
//!   with its `ETag` and `Last-Modified`; within [`GithubConfig::fresh_for`] (5
//!   minutes, `VX_INDEX_MAX_AGE`) it serves without a request, after that the next
//!   request revalidates it (`If-None-Match`, `If-Modified-Since`), and a `304`,
//!   which costs no rate limit, serves the file. Offline, the cache answers without a
//!   request, and a missing answer is an error saying so.
//! - **Bounds**: each answer is read up to [`Limits::max_page_bytes`], and a list up
//!   to [`Limits::max_pages`] pages (the newest items: GitHub lists releases newest
//!   first); a hostile or broken server gets a clear [`GithubError`], never a panic or a
//!   hang (the install engine's connect and read timeouts apply).
//! - **Errors** say what to do: a rate limit when it resets and how to set a token, a
//!   refused token without showing it, a 404 what was missing; URLs are shown without
//!   queries or credentials, and the server's words sanitized.

mod cache;
mod config;
mod error;
pub mod hosts;
mod http;
mod model;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

use self::cache::{Cache, Entry, Lookup};
pub use self::config::{
    API_URL_VARIABLE, FRESH_FOR, FRESH_FOR_VARIABLE, GithubConfig, TOKEN_VARIABLES, Token,
    TokenSource, URL_VARIABLE,
};
pub use self::error::{GithubError, Reset, utc};
pub use self::http::encode_segment;
use self::http::{Answer, Get, display_url, next_link, origin};
pub use self::model::{Release, ReleaseAsset};
use crate::github::hosts::GithubHosts;
use vx_base::validate;
use vx_net::Client;

/// How much of an answer, and how many pages of a list, vx reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The largest API answer (one page) accepted.
    pub max_page_bytes: u64,
    /// The most pages of a list read; the rest (the oldest items) are left out.
    pub max_pages: usize,
}

impl Default for Limits {
    /// 32 MiB a page (a page of 100 releases with dozens of assets each is a few MiB)
    /// and 20 pages (2 000 releases or tags).
    fn default() -> Limits {
        Limits {
            max_page_bytes: 32 << 20,
            max_pages: 20,
        }
    }
}

/// Items asked for a page: GitHub's largest.
const PER_PAGE: u32 = 100;

/// A GitHub API client.
pub struct Github {
    config: GithubConfig,
    cache: Option<Cache>,
    offline: bool,
    client: Client,
    limits: Limits,
}

impl Github {
    /// A client for `config` over the network's `client`, caching API answers under
    /// `cache_dir/github` (vx's cache directory, [`vx_base::platform::fs::cache_dir`];
    /// `None`: no cache). `offline` (`--offline`, `VX_OFFLINE=1`) answers from the cache
    /// alone.
    pub fn new(
        config: GithubConfig,
        client: Client,
        cache_dir: Option<PathBuf>,
        offline: bool,
    ) -> Github {
        Github {
            config,
            cache: cache_dir.as_deref().map(Cache::new),
            offline,
            client,
            limits: Limits::default(),
        }
    }

    /// The same client with other limits.
    #[cfg(test)]
    pub(crate) fn with_limits(mut self, limits: Limits) -> Github {
        self.limits = limits;
        self
    }

    /// Where GitHub is.
    pub fn hosts(&self) -> &GithubHosts {
        &self.config.hosts
    }

    /// Every release of `owner/repo`, newest first as GitHub lists them, drafts and
    /// pre-releases included (with their flags). At most [`Limits::max_pages`] pages of
    /// 100.
    pub fn releases(&self, owner: &str, repo: &str) -> Result<Vec<Release>, GithubError> {
        let base = self.repo_url(owner, repo)?;
        let what = format!("the releases of {}", slug(owner, repo));
        self.pages(format!("{base}/releases?per_page={PER_PAGE}"), &what)
    }

    /// The release tagged `tag` of `owner/repo` (never a draft: drafts have no tag).
    pub fn release(&self, owner: &str, repo: &str, tag: &str) -> Result<Release, GithubError> {
        let base = self.repo_url(owner, repo)?;
        if tag.is_empty() || tag.len() > 255 || tag.chars().any(char::is_control) {
            return Err(GithubError::BadName {
                what: "tag",
                value: shown(tag),
            });
        }
        let what = format!("release {} of {}", shown(tag), slug(owner, repo));
        let url = format!("{base}/releases/tags/{}", encode_segment(tag));
        self.api(&url, &what, None).map(|(release, _)| release)
    }

    /// The latest release of `owner/repo`: GitHub's pick, the most recent that is
    /// neither a draft nor a pre-release.
    pub fn latest_release(&self, owner: &str, repo: &str) -> Result<Release, GithubError> {
        let base = self.repo_url(owner, repo)?;
        let what = format!("the latest release of {}", slug(owner, repo));
        self.api(&format!("{base}/releases/latest"), &what, None)
            .map(|(release, _)| release)
    }

    /// The tag names of `owner/repo`, as GitHub lists them: the versions of a
    /// repository that publishes no releases. At most [`Limits::max_pages`] pages.
    pub fn tags(&self, owner: &str, repo: &str) -> Result<Vec<String>, GithubError> {
        let base = self.repo_url(owner, repo)?;
        let what = format!("the tags of {}", slug(owner, repo));
        let tags: Vec<model::Tag> =
            self.pages(format!("{base}/tags?per_page={PER_PAGE}"), &what)?;
        Ok(tags.into_iter().map(|t| t.name).collect())
    }

    /// A small file at `url` (a registry file, a checksum list), at most `max_bytes`.
    /// Redirects are followed; the token goes only to a GitHub host and only while the
    /// request stays on the host first asked. Not cached; offline it is an error.
    pub fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, GithubError> {
        self.get_uncached(url, false, max_bytes, || display_url(url))
    }

    /// The body of a `200` for `url` (GitHub's API when `api`), at most `max_bytes`,
    /// neither cached nor revalidated; offline an error, and another status an error
    /// naming `what` was asked for.
    fn get_uncached(
        &self,
        url: &str,
        api: bool,
        max_bytes: u64,
        what: impl FnOnce() -> String,
    ) -> Result<Vec<u8>, GithubError> {
        if self.offline {
            return Err(GithubError::Offline {
                url: display_url(url),
            });
        }
        let answer = self.get(url, api, None, max_bytes, None)?;
        match answer.status {
            200 => Ok(answer.body),
            _ => Err(self.status_error(&what(), &answer)),
        }
    }

    /// The text at `url` (a publisher's version index or checksum list, at most
    /// `max_bytes`), kept in the cache with its `ETag`: online it is revalidated (a
    /// `304` serves the kept copy), offline the kept copy answers, and without one
    /// offline is an error saying what to fetch.
    pub fn fetch_text_cached(&self, url: &str, max_bytes: u64) -> Result<String, GithubError> {
        let what = display_url(url);
        let cached = match self.cache.as_ref().map(|c| c.get(url)) {
            Some(Lookup::Hit(entry)) => Some(entry),
            Some(Lookup::Unreadable(path, problem)) if self.offline => {
                return Err(GithubError::BadCache {
                    path,
                    what,
                    problem,
                });
            }
            _ => None,
        };
        if self.offline {
            return match cached {
                Some(entry) => Ok(entry.body),
                None => Err(GithubError::NotCached {
                    what,
                    cache: self.cache.as_ref().map(|c| c.dir().to_owned()),
                }),
            };
        }
        let now = SystemTime::now();
        if let Some(entry) = cached
            .as_ref()
            .filter(|e| e.is_fresh(self.config.fresh_for, now))
        {
            return Ok(entry.body.clone());
        }
        let answer = self.get(url, false, cached.as_ref(), max_bytes, None)?;
        match (answer.status, cached) {
            (304, Some(entry)) => Ok(self.revalidated(entry, now).body),
            (200, _) => {
                let body = String::from_utf8(answer.body.clone())
                    .map_err(|_| GithubError::NotText { url: what.clone() })?;
                self.keep(url, &answer, now, None, body.clone());
                Ok(body)
            }
            _ => Err(self.status_error(&what, &answer)),
        }
    }

    /// GitHub's answer (its JSON, at most `max_bytes`) listing the artifact attestations
    /// of `owner/repo` for the artifact whose SHA-256 is `sha256` (hex):
    /// `API/repos/OWNER/REPO/attestations/sha256:HEX`. Not cached; offline an error.
    pub fn attestations(
        &self,
        owner: &str,
        repo: &str,
        sha256: &str,
        max_bytes: u64,
    ) -> Result<Vec<u8>, GithubError> {
        // GitHub's largest page: an artifact attested more than 100 times is rare, and
        // the first attestation that verifies is enough.
        let url = format!(
            "{}/attestations/sha256:{sha256}?per_page=100",
            self.repo_url(owner, repo)?
        );
        self.get_uncached(&url, true, max_bytes, || {
            format!("attestations of {owner}/{repo} for sha256:{sha256}")
        })
    }

    /// `API/repos/OWNER/REPO`, once both names are ones GitHub could have.
    fn repo_url(&self, owner: &str, repo: &str) -> Result<String, GithubError> {
        for (what, value) in [("owner", owner), ("repository", repo)] {
            let fits = !value.is_empty()
                && value.len() <= 100
                && value != "."
                && value != ".."
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !fits {
                return Err(GithubError::BadName {
                    what,
                    value: shown(value),
                });
            }
        }
        Ok(format!("{}/repos/{owner}/{repo}", self.config.hosts.api))
    }

    /// Every page of a list from `first` on, following `rel="next"` links, which must
    /// stay on the API's origin (a token may go with them).
    fn pages<T: DeserializeOwned>(&self, first: String, what: &str) -> Result<Vec<T>, GithubError> {
        let api_origin = origin(&self.config.hosts.api);
        let mut items = Vec::new();
        let mut url = first;
        // One deadline for the whole listing, not one a page: a server that hands out
        // slow pages cannot hold vx for `max_pages` deadlines.
        let by = std::time::Instant::now() + self.client.answer_timeout();
        for _ in 0..self.limits.max_pages {
            let (page, next): (Vec<T>, _) = self.api(&url, what, Some(by))?;
            items.extend(page);
            let Some(next) = next else {
                return Ok(items);
            };
            if origin(&next) != api_origin {
                return Err(GithubError::BadRedirect {
                    url: display_url(&url),
                    to: display_url(&next),
                    reason: "a next page off the API's host",
                });
            }
            url = next;
        }
        Ok(items)
    }

    /// One API answer for `url`, parsed, with its `next` link: from the cache when
    /// offline or when the server says it has not changed, else from the server (and
    /// then cached), whole by `by` when it is one page of several.
    fn api<T: DeserializeOwned>(
        &self,
        url: &str,
        what: &str,
        by: Option<std::time::Instant>,
    ) -> Result<(T, Option<String>), GithubError> {
        let cached = match &self.cache {
            Some(cache) => match cache.get(url) {
                Lookup::Hit(entry) => Some(entry),
                Lookup::Miss => None,
                Lookup::Unreadable(path, problem) if self.offline => {
                    return Err(GithubError::BadCache {
                        path,
                        what: what.to_owned(),
                        problem,
                    });
                }
                // Online, an unreadable file is replaced by the answer.
                Lookup::Unreadable(..) => None,
            },
            None => None,
        };
        if self.offline {
            return match cached {
                Some(entry) => self.cached(entry, what),
                None => Err(GithubError::NotCached {
                    what: what.to_owned(),
                    cache: self.cache.as_ref().map(|c| c.dir().to_owned()),
                }),
            };
        }
        let now = SystemTime::now();
        let cached = match cached {
            Some(entry) if entry.is_fresh(self.config.fresh_for, now) => {
                return self.cached(entry, what);
            }
            cached => cached,
        };
        let answer = self.get(url, true, cached.as_ref(), self.limits.max_page_bytes, by)?;
        match (answer.status, cached) {
            (304, Some(entry)) => {
                let entry = self.revalidated(entry, now);
                self.cached(entry, what)
            }
            (200, _) => {
                let malformed = |problem: String| GithubError::Malformed {
                    url: display_url(url),
                    problem: shown(&problem),
                };
                let body = String::from_utf8(answer.body.clone())
                    .map_err(|_| malformed("it is not UTF-8".to_owned()))?;
                let value = serde_json::from_str(&body).map_err(|e| malformed(e.to_string()))?;
                let next = answer.header("link").and_then(next_link);
                self.keep(url, &answer, now, next.clone(), body);
                Ok((value, next))
            }
            _ => Err(self.status_error(what, &answer)),
        }
    }

    /// GET `url` (of the API: `api`), at most `max_bytes`, before `by` if given;
    /// conditional on the validators of `cached` (the copy the cache holds), if any.
    fn get(
        &self,
        url: &str,
        api: bool,
        cached: Option<&Entry>,
        max_bytes: u64,
        by: Option<std::time::Instant>,
    ) -> Result<http::Answer, GithubError> {
        http::get(
            &self.client,
            &self.config,
            &Get {
                url,
                api,
                etag: cached.and_then(|e| e.etag.as_deref()),
                last_modified: cached.and_then(|e| e.last_modified.as_deref()),
                max_bytes,
                by,
            },
        )
    }

    /// Keeps `body`, `answer`'s to `url` at `now` (with its validators and the `next`
    /// page's link), in the cache, if there is one.
    fn keep(
        &self,
        url: &str,
        answer: &http::Answer,
        now: SystemTime,
        next: Option<String>,
        body: String,
    ) {
        if let Some(cache) = &self.cache {
            cache.put(&Entry {
                url: url.to_owned(),
                etag: answer.header("etag").map(str::to_owned),
                last_modified: answer.header("last-modified").map(str::to_owned),
                fetched: cache::epoch_secs(now),
                next,
                body,
            });
        }
    }

    /// `entry`, which the server just confirmed (`304`), kept with `now` as its fetch
    /// time so its freshness window starts again.
    fn revalidated(&self, mut entry: Entry, now: SystemTime) -> Entry {
        entry.fetched = cache::epoch_secs(now);
        if let Some(cache) = &self.cache {
            cache.put(&entry);
        }
        entry
    }

    /// A cached answer, parsed.
    fn cached<T: DeserializeOwned>(
        &self,
        entry: Entry,
        what: &str,
    ) -> Result<(T, Option<String>), GithubError> {
        match serde_json::from_str(&entry.body) {
            Ok(value) => Ok((value, entry.next)),
            Err(e) => Err(GithubError::BadCache {
                path: self
                    .cache
                    .as_ref()
                    .map(|c| c.path(&entry.url))
                    .unwrap_or_default(),
                what: what.to_owned(),
                problem: shown(&e.to_string()),
            }),
        }
    }

    /// The error for an answer other than 200 (or a 304 with nothing cached), naming
    /// the URL that answered: a company's mirror of the API (`url_replacements`) is
    /// not GitHub, and a token, never sent there, would not help it.
    fn status_error(&self, what: &str, answer: &Answer) -> GithubError {
        let url = display_url(&answer.url);
        let status = answer.status;
        let message = server_message(&answer.body);
        let remaining = answer.header("x-ratelimit-remaining").map(str::trim);
        let retry_after = answer
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let limited =
            matches!(status, 403 | 429) && (remaining == Some("0") || retry_after.is_some());
        if limited {
            let now = vx_base::utc::now();
            let reset = answer
                .header("x-ratelimit-reset")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|at| Reset {
                    at,
                    in_secs: at.saturating_sub(now),
                });
            return GithubError::RateLimited {
                reset,
                retry_after,
                token: self.config.token_source,
            };
        }
        // GitHub's answers carry its request id and rate-limit headers; a 401
        // without them that a proxy forwarded is the proxy's own.
        let from_github = answer.header("x-github-request-id").is_some()
            || answer.header("x-ratelimit-limit").is_some();
        match status {
            401 if !from_github && answer.forwarded_by.is_some() => {
                GithubError::ProxyUnauthorized {
                    url,
                    proxy: answer.forwarded_by.clone().unwrap_or_default(),
                }
            }
            401 if !self.config.hosts.is_github(&answer.url) => {
                GithubError::ElsewhereUnauthorized { url }
            }
            401 => GithubError::Unauthorized {
                url,
                token: self.config.token_source,
                message,
            },
            404 => GithubError::NotFound {
                what: what.to_owned(),
                token_hint: self.config.token.is_none() && self.config.hosts.is_github(&answer.url),
                url,
            },
            _ => GithubError::Status {
                url,
                status,
                message,
            },
        }
    }
}

/// `owner/repo` for a message.
fn slug(owner: &str, repo: &str) -> String {
    format!("{}/{}", shown(owner), shown(repo))
}

/// Outside text fit for a message: shortened and sanitized.
fn shown(text: &str) -> String {
    vx_text::sanitize(&validate::shorten(text)).into_owned()
}

/// The `message` of GitHub's error JSON, shown; `None` when the body is not that.
fn server_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        message: String,
    }
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    Some(shown(&parsed.message)).filter(|m| !m.is_empty())
}
