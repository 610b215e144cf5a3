//! Runtime declarations a company publishes beside its registry: a `[settings]
//! registries` entry's `runtimes` (`{ name = "corp", url = "https://corp.example/vx/
//! registry.yaml", runtimes = ["runtimes/corp-jdk.toml"] }`), each a path or an http(s)
//! URL relative to the registry's own location (a path registry's directory, a URL
//! registry's URL, as RFC 3986 resolves a reference) unless absolute. Each is read as
//! strictly as `.vx/runtimes/NAME.toml` ([`super::user::read`], the one check), its
//! file's name being its runtime's, and remembers the registry and its own sha256
//! ([`Origin`]), which the lock pins in the runtime's entry (`package =
//! "corp:runtime:corp-jdk"`, `registry = { ref = "corp", sha256 = … }`).
//!
//! A URL's file comes through the caller's [`Fetch`] (vx's HTTP client: rewrites,
//! CAs, proxies, credentials) and is kept in the registries' cache by its sha256, so
//! a locked project reads the very declaration its lock pins, fetched only on a
//! machine that lacks it ([`crate::registry::source::fetch_file`]). Fetched with
//! another digest than the lock's, it is refused until `vx lock` takes it
//! ([`How::refresh`]); a path's file is read each time and judged the same way.
//! [`How::fetcher`] `None` (the shell hook, the daemon, `vx doctor`) never reaches the
//! network: a declaration not cached yet is left out until a command fetches it.

use std::path::{Path, PathBuf};

use super::{Declared, format};
use crate::registry::source::{self, Fetch, SourceError};
use crate::runtime::RuntimeError;
use vx_model::lock::Lock;
use vx_model::manifest::{Manifest, RegistrySource, RegistryWhere};

/// Where a registry's declaration came from, as the lock pins it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The registry's name among the project's (`corp`).
    pub registry: String,
    /// The declaration file's sha256, lowercase hex.
    pub digest: String,
}

/// How a project's registry declarations are read.
pub struct How<'a> {
    /// vx's cache directory (declarations fetched are kept under `registries/`).
    pub cache_dir: Option<PathBuf>,
    /// Fetches a URL; `None`: never fetch, and a declaration not cached is left out.
    pub fetcher: Option<&'a dyn Fetch>,
    /// Fetch nothing: a declaration not cached is an error.
    pub offline: bool,
    /// Fetch every URL again and take what it serves, whatever the lock pins (`vx
    /// lock`, which then pins it).
    pub refresh: bool,
    /// Shows a progress line before a fetch.
    pub progress: &'a dyn Fn(&str),
}

impl How<'_> {
    /// Reads what is at hand only: the files of path registries, URL declarations
    /// from the cache (the shell hook, the daemon, `vx doctor`).
    pub fn at_hand() -> How<'static> {
        How {
            cache_dir: vx_base::platform::fs::cache_dir(),
            fetcher: None,
            offline: true,
            refresh: false,
            progress: &|_| {},
        }
    }
}

/// One declaration read: the runtime and where it was named (`` `runtimes/corp-jdk.toml`
/// of registry `corp` (https://…)``), for messages.
pub(crate) struct Read {
    /// The runtime.
    pub runtime: Declared,
    /// The registry entry and the file, as messages name them.
    pub shown: String,
}

/// Where one `runtimes` item is.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    File(PathBuf),
    Url(String),
}

/// Every declaration `manifest`'s registries name, in their order; `taken`: the names
/// and aliases of vx's own runtimes, which none may take (one name declared twice is
/// the caller's to judge, naming both files). An error names the registry entry and
/// the file.
pub(crate) fn load(
    manifest: &Manifest,
    lock: Option<&Lock>,
    how: &How<'_>,
    taken: &[&str],
) -> Result<Vec<Read>, RuntimeError> {
    let bad = RuntimeError::Declaration;
    let dir = manifest.path.parent().unwrap_or_else(|| Path::new(""));
    let mut out = Vec::new();
    for registry in &manifest.registries {
        for item in &registry.runtimes {
            let label = format!("`{item}` of registry `{}`", registry.name);
            let place = place(registry, item, dir).map_err(|e| bad(format!("{label}: {e}")))?;
            // Checked when vx.toml was read: every item names a `NAME.toml`.
            let stem = RegistrySource::runtime_name(item).unwrap_or_default();
            let pin = lock.and_then(|l| pinned(l, &registry.name, stem));
            let (text, digest, shown) = match &place {
                Place::File(path) => {
                    let shown = format!("{label} ({})", path.display());
                    let bytes = vx_base::bounded_read::read(path, format::MAX_DECLARATION_BYTES)
                        .map_err(|e| bad(format!("{shown}: {e}")))?;
                    let digest = source::sha256_hex(&bytes);
                    if let Some(pin) = pin.filter(|p| *p != digest && !how.refresh) {
                        return Err(bad(changed(&shown, pin, &digest)));
                    }
                    (bytes, digest, shown)
                }
                Place::Url(url) => {
                    let shown = format!("{label} ({})", vx_net::url::display_url(url));
                    match fetched(how, &label, &shown, url, pin) {
                        Ok(Some((bytes, digest))) => (bytes, digest, shown),
                        Ok(None) => continue,
                        Err(e) => return Err(e),
                    }
                }
            };
            let text = String::from_utf8(text).map_err(|_| bad(format!("{shown}: not UTF-8")))?;
            let mut builtin: Vec<String> = taken.iter().map(|t| (*t).to_owned()).collect();
            let mut runtime = super::user::read(&text, &shown, stem, &mut builtin)?;
            runtime.origin = Some(Origin {
                registry: registry.name.clone(),
                digest,
            });
            out.push(Read { runtime, shown });
        }
    }
    Ok(out)
}

/// The declaration at `url` and its digest: `None` when `how` cannot fetch and the
/// cache lacks it. What the network or the server failed at is a
/// [`RuntimeError::Fetch`]; anything else the project's ([`RuntimeError::Declaration`]).
fn fetched(
    how: &How<'_>,
    label: &str,
    shown: &str,
    url: &str,
    pin: Option<&str>,
) -> Result<Option<(Vec<u8>, String)>, RuntimeError> {
    let bad = RuntimeError::Declaration;
    struct Never;
    impl Fetch for Never {
        fn fetch(&self, url: &str, _: u64) -> Result<Vec<u8>, source::FetchError> {
            Err(format!("{url}: not fetched here").into())
        }
    }
    let Some(cache_dir) = how.cache_dir.clone() else {
        return Err(bad(format!(
            "{shown}: no cache directory to keep it in: set VX_CACHE_DIR, XDG_CACHE_HOME or HOME"
        )));
    };
    let cx = source::Context {
        cache_dir,
        project_dir: PathBuf::new(),
        github: crate::github::hosts::GithubHosts::default(),
        offline: how.offline || how.fetcher.is_none(),
        fetcher: how.fetcher.unwrap_or(&Never),
        progress: how.progress,
    };
    let what = "runtime declaration";
    match source::fetch_file(
        &cx,
        what,
        url,
        pin,
        how.refresh,
        format::MAX_DECLARATION_BYTES,
        // Only a declaration is kept: a server's error page in its place is said, and
        // fetched again next time rather than failing every run from the cache.
        &|bytes| {
            let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8")?;
            Ok(format::parse(text).map(drop)?)
        },
    ) {
        Ok(got) => Ok(Some(got)),
        Err(SourceError::Offline { .. }) if how.fetcher.is_none() => Ok(None),
        Err(SourceError::Offline { .. }) => Err(bad(format!(
            "{shown}: not cached and vx is offline: run a vx command with the network to fetch it"
        ))),
        Err(SourceError::Mismatch { expected, got, .. }) => {
            Err(bad(changed(shown, &expected, &got)))
        }
        Err(e @ SourceError::Fetch { .. }) => Err(RuntimeError::Fetch {
            url: format!("runtime declaration {label}"),
            reason: e.to_string(),
            without_network: false,
        }),
        Err(e) => Err(bad(format!("{shown}: {e}"))),
    }
}

/// The error of a declaration that is not the one the lock pins.
fn changed(shown: &str, pinned: &str, got: &str) -> String {
    format!(
        "{shown}: has sha256 {got}, but vx.lock pins {pinned}: the declaration changed; nothing was used (run `vx lock` to take the new one)"
    )
}

/// Where `item` of `registry` is: an http(s) URL as written, else resolved against
/// the registry's URL, else a path against the directory of the registry's file
/// (itself relative to `dir`, the manifest's).
fn place(registry: &RegistrySource, item: &str, dir: &Path) -> Result<Place, NotWeb> {
    let place = if item.contains("://") {
        Place::Url(item.to_owned())
    } else {
        match &registry.place {
            RegistryWhere::Url(base) => Place::Url(vx_net::url::resolve(base, item)),
            RegistryWhere::Path(file) => {
                let file = dir.join(file);
                let base = file.parent().unwrap_or(dir);
                Place::File(base.join(item))
            }
        }
    };
    if let Place::Url(url) = &place
        && !vx_net::url::is_web(url)
    {
        return Err(NotWeb {
            url: vx_net::url::display_url(url),
        });
    }
    Ok(place)
}

/// A registry's declaration at a URL that is neither http:// nor https://.
#[derive(Debug, thiserror::Error)]
#[error(
    "{url} is not an http:// or https:// URL: a registry's declarations are read from the web or by path"
)]
pub(crate) struct NotWeb {
    /// The URL, as shown.
    pub url: String,
}

/// The digest `lock` pins for runtime `name` of registry `registry`: that of its
/// tool's entry (`package = "corp:runtime:NAME"`).
fn pinned<'l>(lock: &'l Lock, registry: &str, name: &str) -> Option<&'l str> {
    let package = crate::runtime::package(Some(registry), name);
    lock.tools
        .values()
        .filter(|t| t.package.as_deref() == Some(package.as_str()))
        .find_map(|t| t.registry.as_ref())
        .map(|pin| pin.sha256.trim_start_matches("sha256:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(place: RegistryWhere) -> RegistrySource {
        RegistrySource {
            name: "corp".into(),
            place,
            runtimes: Vec::new(),
        }
    }

    #[test]
    fn items_are_relative_to_the_registry_s_own_location() {
        let url = registry(RegistryWhere::Url(
            "https://corp.example/vx/registry.yaml".into(),
        ));
        let dir = Path::new("/p");
        assert_eq!(
            place(&url, "runtimes/corp-jdk.toml", dir).unwrap(),
            Place::Url("https://corp.example/vx/runtimes/corp-jdk.toml".into())
        );
        assert_eq!(
            place(&url, "../shared/x.toml", dir).unwrap(),
            Place::Url("https://corp.example/shared/x.toml".into())
        );
        assert_eq!(
            place(&url, "/y.toml", dir).unwrap(),
            Place::Url("https://corp.example/y.toml".into())
        );
        assert_eq!(
            place(&url, "https://other.example/z.toml", dir).unwrap(),
            Place::Url("https://other.example/z.toml".into())
        );
        let path = registry(RegistryWhere::Path("tools/registry.yaml".into()));
        assert_eq!(
            place(&path, "runtimes/a.toml", dir).unwrap(),
            Place::File("/p/tools/runtimes/a.toml".into())
        );
        assert_eq!(
            place(&path, "/abs/a.toml", dir).unwrap(),
            Place::File("/abs/a.toml".into())
        );
        // A file:// registry's relative items are not fetched from this machine.
        let local = registry(RegistryWhere::Url("file:///srv/registry.yaml".into()));
        let e = place(&local, "a.toml", dir).unwrap_err().to_string();
        assert!(e.contains("not an http:// or https:// URL"), "{e}");
        let name = RegistrySource::runtime_name;
        assert_eq!(name("runtimes/corp-jdk.toml"), Some("corp-jdk"));
        assert_eq!(name("https://x.org/a/b.toml?x=1"), Some("b"));
        assert_eq!(name("runtimes/.toml"), None);
        assert_eq!(name("runtimes/x.yaml"), None);
    }
}
