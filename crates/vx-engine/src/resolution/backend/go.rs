//! Go modules (`go:MODULE/PATH`): versions from the module proxy `GOPROXY` names
//! ([`go::proxies`]), the module found as `go install` finds it (the longest prefix of
//! the path the proxy knows), its `.zip` downloaded once at lock time and locked by its
//! sha256 and by Go's `h1:` hash of it ([`gosum`]); built by `go install PATH@VERSION`
//! with the project's `go` from a module cache holding that checked `.zip`
//! ([`go::build_command`]). The driver is [`super::source`]'s.

use vx_base::format::ArchiveFormat;
use vx_model::manifest::{Override, Platform};
use vx_net::verify::gosum;
use vx_sources::backend::{Name, go};
use vx_sources::runtime::{Release, RuntimeError};

use super::super::ResolutionError;
use super::source::{FromSource, Source, sha256_hex};
use super::{Backend, Driver, Registries, pick_among};

/// The Go module proxies `GOPROXY` names.
pub(super) struct Go;

impl Backend for Go {
    fn driver(&self) -> Driver<'_> {
        Driver::Source(self)
    }

    /// A pseudo-version or a commit is asked of the proxy; an untagged module's one
    /// version is its `@latest` pseudo-version, which `latest` names as `go install
    /// MODULE@latest` does, though semver calls it a pre-release.
    fn pick(
        &self,
        r: &Registries<'_>,
        name: &Name,
        constraint: &str,
    ) -> Result<Release, ResolutionError> {
        if let Some(query) = go::query(constraint) {
            return r.go_query(name, &query);
        }
        let releases = super::versions(self, r, name)?;
        let age = r.age();
        let fresh: Vec<&Release> = releases.iter().filter(|r| !age.too_young(r)).collect();
        if constraint == "latest"
            && let [only] = fresh.as_slice()
            && go::is_pseudo(&only.version)
        {
            return Ok((*only).clone());
        }
        pick_among(name, &releases, constraint, age)
    }
}

impl FromSource for Go {
    fn listed(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<String>, ResolutionError> {
        Ok(r.go_module(name)?.2)
    }

    fn is_pseudo(&self, version: &str) -> bool {
        go::is_pseudo(version)
    }

    fn source(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Source, ResolutionError> {
        let (proxy, module, _) = r.go_module(name)?;
        let url = go::url(&proxy, &module, &format!("{}.zip", go::escape(version)));
        let bytes = r.bytes(&url, gosum::MAX_ZIP_BYTES)?;
        let h1 = gosum::hash_zip(&bytes).map_err(|reason| {
            ResolutionError::Environment(format!(
                "{url}: not a Go module zip: {reason}; nothing was locked"
            ))
        })?;
        Ok(Source {
            url,
            sha256: sha256_hex(&bytes),
            h1: Some(h1),
            checksum: format!("proxy:{proxy}"),
            what: format!("{module}@{version}"),
        })
    }

    fn source_layout(&self, name: &Name, platform: &Platform, over: &mut Override) {
        let windows = platform.os == "windows";
        over.format = Some(ArchiveFormat::Zip);
        over.strip_components = Some(0);
        let built = over.url.as_deref().and_then(|url| {
            let (module, version) = go::of_zip_url(url, &name.package)?;
            let h1 = over.h1.as_deref()?;
            go::build_command(module, &name.package, &version, h1, windows)
        });
        // A lock entry without what the build needs fails its install, saying so.
        over.post_install = Some(built.unwrap_or_else(|| {
            "echo 'vx.lock holds no module hash (h1) for this go: tool; run `vx lock`' >&2; exit 1"
                .to_owned()
        }));
    }
}

/// Why `name`, in `module` with no tagged release, cannot be locked at its `latest`:
/// a version vx cannot hold (over [`vx_base::validate::MAX_VERSION`] bytes, or with
/// characters a store directory does not take).
fn untagged(name: &Name, module: &str, latest: &str) -> String {
    let what = if go::is_pseudo(latest) {
        "the pseudo-version of an untagged commit"
    } else {
        "a version"
    };
    format!(
        "{name}: {module} has no tagged release; its latest is {what}, {latest} ({} bytes), and a version in vx is at most {} bytes of A-Z a-z 0-9 . _ + - (it names a directory in the store), so vx cannot lock it: ask for a tagged release, or install it with `go install` yourself",
        latest.len(),
        vx_base::validate::MAX_VERSION
    )
}

impl Registries<'_> {
    /// The proxy's module of the Go package `name` and its versions (at least one).
    fn go_module(&self, name: &Name) -> Result<(String, String, Vec<String>), ResolutionError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(why) = go::fetched_directly(&name.package, &env) {
            return Err(ResolutionError::Usage(format!("{name}: {why}")));
        }
        let goproxy = std::env::var("GOPROXY").ok();
        let proxies =
            go::proxies(goproxy.as_deref()).map_err(|e| ResolutionError::Usage(e.to_string()))?;
        for proxy in &proxies {
            for module in go::candidates(&name.package) {
                let url = go::url(proxy, module, "list");
                // Not found, as a proxy says it (404 or 410): the next shorter path.
                let Some(text) = self.proxy_file(&url)? else {
                    continue;
                };
                let versions = go::versions(&text);
                if !versions.is_empty() {
                    return Ok((proxy.clone(), module.to_owned(), versions));
                }
                // No tagged release: the proxy's `@latest` names the default branch's
                // pseudo-version, when this path is a module at all.
                if let Some(latest) = self.go_latest(proxy, module)? {
                    if vx_base::validate::version(&latest).is_ok() {
                        return Ok((proxy.clone(), module.to_owned(), vec![latest]));
                    }
                    return Err(ResolutionError::Usage(untagged(name, module, &latest)));
                }
            }
        }
        Err(ResolutionError::Usage(format!(
            "{name}: no module with a tagged version holds this package at {}",
            proxies.join(", ")
        )))
    }

    /// The version the proxy's `@latest` of `module` names; `None` when the proxy has
    /// no such module (404, 410) or names none.
    fn go_latest(&self, proxy: &str, module: &str) -> Result<Option<String>, ResolutionError> {
        let url = go::latest_url(proxy, module);
        Ok(self
            .proxy_file(&url)?
            .and_then(|text| go::info_version(&text)))
    }

    /// A Go proxy's file at `url`; `None` when the proxy says it is not there (404 or
    /// 410, as the GOPROXY protocol has it).
    fn proxy_file(&self, url: &str) -> Result<Option<String>, ResolutionError> {
        match self
            .cx
            .github()
            .fetch_text_cached(url, vx_sources::runtime::MAX_INDEX_BYTES)
        {
            Ok(text) => Ok(Some(text)),
            Err(vx_sources::github::GithubError::NotFound { .. })
            | Err(vx_sources::github::GithubError::Status { status: 410, .. }) => Ok(None),
            Err(e) => Err(super::super::runtime::error(RuntimeError::from_github(
                url.to_owned(),
                &e,
            ))),
        }
    }

    /// The version a pseudo-version or a commit `query` of the Go package `name` names,
    /// as the proxy's `@v/QUERY.info` says (`go help goproxy`; what `go install
    /// MODULE@QUERY` asks): an older pseudo-version is in no `@v/list` and is not the
    /// `@latest`. A commit the proxy cannot resolve (one of static files has no
    /// version control to ask) is refused, naming what to write instead.
    fn go_query(&self, name: &Name, query: &go::Query) -> Result<Release, ResolutionError> {
        let (proxy, module, listed) = self.go_module(name)?;
        let (asked, pseudo) = match query {
            go::Query::Pseudo(v) => (v.as_str(), true),
            go::Query::Commit(c) => (c.as_str(), false),
        };
        let release = |version: String| Release::named(version.clone(), version, false);
        if pseudo && listed.iter().any(|v| v == asked) {
            return Ok(release(asked.to_owned()));
        }
        let url = go::url(&proxy, &module, &format!("{}.info", go::escape(asked)));
        let Some(text) = self.proxy_file(&url)? else {
            return Err(ResolutionError::Usage(if pseudo {
                format!(
                    "{name}: the proxy {proxy} knows no version {asked} of {module} ({url} is not there); check the pseudo-version (`go list -m {module}@{asked}`)"
                )
            } else {
                format!(
                    "{name}: the proxy {proxy} cannot resolve the commit {asked} of {module} (a proxy of static files has no version control to ask); write its pseudo-version instead, which `go list -m {module}@{asked}` prints (such as v0.0.0-20231010123456-0123456789ab: the commit's time and its first 12 hex digits)"
                )
            }));
        };
        let version = go::info_version(&text).ok_or_else(|| {
            ResolutionError::Environment(format!(
                "{url}: not a proxy's .info answer (a JSON object with its Version); nothing was locked"
            ))
        })?;
        // A pseudo-version is its own canonical form; a proxy that names another
        // answers a question that was not asked.
        if pseudo && version != asked {
            return Err(ResolutionError::Environment(format!(
                "{url}: names the version {version}, not {asked}; nothing was locked"
            )));
        }
        if let Err(e) = vx_base::validate::version(&version) {
            return Err(ResolutionError::Usage(format!(
                "{name}: {asked} is {version} at {proxy}, not a version vx can name: {e}"
            )));
        }
        Ok(release(version))
    }
}
