//! Language-registry tools (`"npm:esbuild" = "0.24"`, `vx_sources::backend`) resolved and
//! pinned: the name and constraint to the registry's version, each platform's
//! download with the registry's own hash (npm's `integrity`), recorded in the lock as
//! any registry tool's entry is (`package = "npm:esbuild"`, `tag` the version), and
//! back from the lock with the layout the registry's format fixes (an npm tarball's
//! `package/` folder), so a locked tool installs without its registry.
//!
//! Binary first: a package that ships its command as a per-platform package (npm's
//! `optionalDependencies` matched by their `os`/`cpu`) installs like any tool, with
//! no node. A package that needs its runtime (`npm:prettier`, `pypi:black`) is a
//! runtime tool ([`vx_sources::backend::environment`]): its own archive is locked as the
//! download (the registry's hash), and its whole dependency set is resolved at lock
//! time by the project's runtime (installed first by the same engine) with its own
//! package manager, and kept in the lock entry's `environment`.

use std::collections::BTreeMap;
use std::rc::Rc;

use vx_model::lock::{Asset, Lock, LockedTool};
use vx_model::manifest::{Override, Platform, ToolTable};
use vx_sources::backend::npmrc::{Npmrc, Registry};
use vx_sources::backend::{Kind, Name};
use vx_sources::runtime::{Context, Release, RuntimeError};

use super::ResolutionError;

mod cargo;
mod go;
mod npm;
mod own_runtime;
mod package;
mod pypi;
mod source;
pub mod uv;

/// Reads the language registries for one run: the runtimes' [`Context`] (vx's one
/// client, its cache and `url_replacements`), and npm's configuration.
pub struct Registries<'a> {
    cx: &'a Context<'a>,
    net: &'a super::Network,
    npmrc: Npmrc,
    /// The project's folder (Cargo's `.cargo/config.toml` is read there).
    project_dir: std::path::PathBuf,
    /// `[settings] min_release_age`: versions published more recently are not picked
    /// (npm says when each was; a PyPI page in PEP 503's HTML does not).
    min_release_age: Option<std::time::Duration>,
    /// The project's tools (the runtimes concrete once resolved): where a runtime tool
    /// finds its runtime.
    tools: Vec<ToolTable>,
    /// Runtimes the run is adding to the project (`vx import`).
    expected_runtimes: Vec<String>,
    /// Resolves vx's own runtime for a runtime tool of a project that names none
    /// ([`OwnRuntime`]); `None`: such a tool is refused, naming what to add.
    own_runtime: Option<&'a OwnRuntime<'a>>,
}

/// What [`Registries::check`] found: the version picked, and the runtime the tool
/// runs on when it gets vx's own (the project names none).
#[derive(Clone, Debug)]
pub struct Checked {
    /// The version picked.
    pub release: Release,
    /// `node` or `python` when the tool runs on vx's own ([`own_constraint`]).
    pub own_runtime: Option<&'static str>,
}

/// Resolves vx's own `runtime` (`node`, `python`) at a constraint ([`own_constraint`],
/// or the one a project declares but has not locked yet) for the platforms given,
/// keeping the version of the entry given (locked before): the concrete table and its
/// lock entry.
pub(crate) type OwnRuntime<'a> = dyn Fn(
        &str,
        &str,
        &[Platform],
        Option<&vx_model::lock::LockedTool>,
    ) -> Result<(ToolTable, vx_model::lock::LockedTool), ResolutionError>
    + 'a;

/// The version of vx's own runtime a runtime tool gets when the project names none:
/// node's newest LTS line, python's newest stable release.
pub fn own_constraint(runtime: &str) -> &'static str {
    match runtime {
        "node" => "lts",
        _ => "latest",
    }
}

impl<'a> Registries<'a> {
    /// The registries as `project` (its `.npmrc` read only when it is trusted) and
    /// the environment configure them.
    pub(crate) fn new(
        cx: &'a Context<'a>,
        net: &'a super::Network,
        project: vx_sources::backend::npmrc::Project<'_>,
        min_release_age: Option<std::time::Duration>,
    ) -> Registries<'a> {
        let env = |k: &str| std::env::var(k).ok();
        Registries {
            cx,
            net,
            npmrc: Npmrc::load(Some(project), &env),
            project_dir: project.dir.to_owned(),
            min_release_age,
            tools: Vec::new(),
            expected_runtimes: Vec::new(),
            own_runtime: None,
        }
    }

    /// With vx's own runtimes for a runtime tool of a project that names none.
    pub(crate) fn with_own_runtime(mut self, own: &'a OwnRuntime<'a>) -> Registries<'a> {
        self.own_runtime = Some(own);
        self
    }

    /// With runtimes the run is adding to the project (`node` from a mise file that
    /// also names `npm:prettier`).
    pub(crate) fn expecting(mut self, runtimes: Vec<String>) -> Registries<'a> {
        self.expected_runtimes = runtimes;
        self
    }

    /// With the project's tools as resolved so far (a runtime tool's runtime among
    /// them).
    pub(crate) fn with_tools(mut self, tools: Vec<ToolTable>) -> Registries<'a> {
        self.tools = tools;
        self
    }

    /// What may be picked now.
    fn age(&self) -> Age {
        Age {
            min: self.min_release_age,
            now: vx_base::utc::now(),
        }
    }

    /// The text at `url` from `registry`: through the run's cache when the registry
    /// needs no credentials; with its `Authorization` header (never shown) when it
    /// does, uncached.
    fn text(&self, registry: &Registry, url: &str) -> Result<Rc<str>, RuntimeError> {
        self.text_unshown(registry, url)
            .map_err(|e| shown_in(registry, e))
    }

    /// [`Registries::text`], its errors naming the URL as fetched.
    fn text_unshown(&self, registry: &Registry, url: &str) -> Result<Rc<str>, RuntimeError> {
        let Some(auth) = &registry.authorization else {
            return self.cx.text(url);
        };
        let fail = |reason: String| RuntimeError::Fetch {
            url: url.to_owned(),
            reason,
            without_network: false,
        };
        if self.net.options.offline {
            return Err(RuntimeError::Fetch {
                url: url.to_owned(),
                reason: "offline: a registry read with credentials is not cached".to_owned(),
                without_network: true,
            });
        }
        let client = vx_net::Client::new(self.net.net.clone(), vx_net::Timeouts::default());
        let request = vx_net::Request::get(url)
            .secret_header("Authorization", auth.clone())
            .header("Accept", "application/json");
        let answer = client.send(request).map_err(|e| fail(e.to_string()))?;
        if answer.status != 200 {
            return Err(fail(format!("the registry answered {}", answer.status)));
        }
        let body = answer
            .read_to_vec(vx_sources::runtime::MAX_INDEX_BYTES)
            .map_err(|e| fail(e.to_string()))?;
        String::from_utf8(body)
            .map(Rc::from)
            .map_err(|_| fail("the answer is not UTF-8 text".to_owned()))
    }
}

/// `error` naming `registry`'s URLs as they may be shown ([`Registry::shown`]): a
/// token in a registry URL's path reaches no message.
fn shown_in(registry: &Registry, error: RuntimeError) -> RuntimeError {
    if registry.shown == registry.url {
        return error;
    }
    let hide = |text: &str| text.replace(&registry.url, &registry.shown);
    match error {
        RuntimeError::Fetch {
            url,
            reason,
            without_network,
        } => RuntimeError::Fetch {
            url: hide(&url),
            reason: hide(&reason),
            without_network,
        },
        RuntimeError::Format { url, what, reason } => RuntimeError::Format {
            url: hide(&url),
            what,
            reason: hide(&reason),
        },
        other => other,
    }
}

/// One language registry as the resolver asks it: npm, PyPI, crates.io and Go modules,
/// one file each ([`npm`], [`pypi`], [`cargo`], [`go`]), over the one of the two
/// drivers its packages need ([`Driver`]). Chosen once, by the package's kind
/// ([`of`]).
trait Backend {
    /// The driver that resolves its packages.
    fn driver(&self) -> Driver<'_>;

    /// The version `constraint` picks of `name`: the newest it allows, under
    /// `[settings] min_release_age`.
    fn pick(
        &self,
        r: &Registries<'_>,
        name: &Name,
        constraint: &str,
    ) -> Result<Release, ResolutionError> {
        pick_among(name, &versions(self, r, name)?, constraint, r.age())
    }
}

/// How a registry's packages are resolved and installed.
enum Driver<'a> {
    /// Per-platform programs, or the package's own archive and an environment its
    /// package manager builds on the runtime ([`package`]).
    Package(&'a dyn package::Package),
    /// Its source, built with the project's runtime ([`source`]).
    Source(&'a dyn source::FromSource),
}

/// Every version `backend` has of `name`, newest first.
fn versions(
    backend: &(impl Backend + ?Sized),
    r: &Registries<'_>,
    name: &Name,
) -> Result<Vec<Release>, ResolutionError> {
    match backend.driver() {
        Driver::Package(package) => package.versions(r, name),
        Driver::Source(built) => source::versions(built, r, name),
    }
}

/// The backend of a package of `kind`: the one place a registry's kind chooses
/// behaviour.
fn of(kind: Kind) -> &'static dyn Backend {
    match kind {
        Kind::Npm => &npm::Npm,
        Kind::Pypi => &pypi::Pypi,
        Kind::Cargo => &cargo::Cargo,
        Kind::Go => &go::Go,
    }
}

impl Registries<'_> {
    /// Every version of `name`, newest first.
    pub(crate) fn versions(&self, name: &Name) -> Result<Vec<Release>, ResolutionError> {
        versions(of(name.kind), self, name)
    }

    /// The version `constraint` picks of `name`.
    pub(crate) fn pick(&self, name: &Name, constraint: &str) -> Result<Release, ResolutionError> {
        of(name.kind).pick(self, name, constraint)
    }

    /// The version `constraint` picks of `name`, when this vx can install it on
    /// `platform` (a binary for it, or its runtime: the project's, or vx's own): what
    /// `vx import` checks before it writes an entry a lock would refuse.
    pub fn check(
        &self,
        name: &Name,
        constraint: &str,
        platform: &Platform,
    ) -> Result<Checked, ResolutionError> {
        let backend = of(name.kind);
        match backend.driver() {
            Driver::Package(package) => package::check(package, self, name, constraint, platform),
            // Built from source on any platform (with the project's runtime).
            Driver::Source(_) => backend.pick(self, name, constraint).map(|release| Checked {
                release,
                own_runtime: None,
            }),
        }
    }
}

/// The layout a registry's archive has on `platform`, set on `over` (known from the
/// format alone, so a locked tool installs without its registry): npm's tarballs hold
/// the package in `package/`; a crate's or a Go module's source is built.
pub(crate) fn layout(name: &Name, platform: &Platform, over: &mut Override) {
    match of(name.kind).driver() {
        Driver::Package(package) => package.layout(name, platform, over),
        Driver::Source(built) => source::layout(built, name, platform, over),
    }
}

/// Resolves `tool` (the language-registry package `name` at `constraint`) for
/// `platforms` plus those its lock entry held, keeping the locked version while the
/// name and constraint are those it was locked from; its driver records it in `lock`
/// and returns the concrete table.
pub(crate) fn resolve_tool(
    registries: &Registries<'_>,
    name: &Name,
    tool: &ToolTable,
    constraint: &str,
    platforms: &[Platform],
    lock: &mut Lock,
) -> Result<ToolTable, ResolutionError> {
    let picked = picked(registries, name, tool, constraint, platforms, lock)?;
    match of(name.kind).driver() {
        Driver::Package(package) => package::resolve(package, registries, &picked, lock),
        Driver::Source(built) => source::resolve(built, registries, &picked, lock),
    }
}

/// What is settled of a package before its driver resolves it ([`picked`]).
struct Picked<'a> {
    /// The package.
    name: &'a Name,
    /// The tool of the manifest it is.
    tool: &'a ToolTable,
    /// The manifest's constraint.
    constraint: &'a str,
    /// The version locked.
    version: String,
    /// The platforms to lock it for.
    wanted: Vec<Platform>,
}

/// `[settings] min_release_age` at this moment.
#[derive(Clone, Copy, Debug)]
struct Age {
    /// The age a release must have.
    min: Option<std::time::Duration>,
    /// Now, in seconds since the epoch.
    now: u64,
}

impl Age {
    /// Whether `release` was published less than the minimum age ago (never, when its
    /// registry does not say when it was).
    fn too_young(&self, release: &Release) -> bool {
        self.min.is_some_and(|age| {
            release
                .published_at
                .as_deref()
                .and_then(vx_base::utc::parse_rfc3339)
                .is_some_and(|t| self.now.saturating_sub(t) < age.as_secs())
        })
    }
}

/// The newest of `releases` that `constraint` allows (pre-releases only when named).
fn pick_among(
    name: &Name,
    releases: &[Release],
    constraint: &str,
    age: Age,
) -> Result<Release, ResolutionError> {
    let parsed = vx_base::version::Constraint::parse(constraint)
        .map_err(|e| ResolutionError::Usage(e.to_string()))?;
    let young = releases.iter().filter(|r| age.too_young(r)).count();
    let releases: Vec<&Release> = releases.iter().filter(|r| !age.too_young(r)).collect();
    let tags: Vec<vx_base::version::Tag> = releases
        .iter()
        .map(|r| vx_base::version::Tag::parse(&r.version, ""))
        .collect();
    let picked = vx_base::version::pick(&parsed, &tags).ok_or_else(|| {
        let newest: Vec<&str> = releases
            .iter()
            .filter(|r| !r.prerelease)
            .take(5)
            .map(|r| r.version.as_str())
            .collect();
        let young = match young {
            0 => String::new(),
            n => format!(" ({n} newer skipped by min_release_age)"),
        };
        ResolutionError::Usage(format!(
            "{name} has no version matching {constraint:?}; the newest: {}{young}",
            newest.join(", ")
        ))
    })?;
    let release = releases
        .iter()
        .find(|r| r.version == picked.as_str())
        .map(|r| (*r).clone())
        .expect("picked among them");
    Ok(release)
}

/// Records the `picked` package in `lock`: its tool's concrete table with `overrides`
/// (returned), each platform's asset of `assets`, and the entry's constraint, package
/// and tag; with the entry, for what else a driver records in it.
fn record<'l>(
    lock: &'l mut Lock,
    picked: &Picked<'_>,
    overrides: BTreeMap<Platform, Override>,
    assets: Vec<(Platform, Asset)>,
) -> (ToolTable, Option<&'l mut LockedTool>) {
    let Picked {
        name,
        tool,
        constraint,
        ref version,
        ..
    } = *picked;
    let table = super::concrete::concrete(tool, version, overrides);
    lock.renew(&table);
    for (platform, asset) in assets {
        lock.record(&table, &platform, asset);
    }
    let mut entry = lock.tools.get_mut(&tool.name);
    if let Some(entry) = entry.as_deref_mut() {
        entry.constraint = Some(constraint.to_owned());
        entry.package = Some(name.to_string());
        entry.tag = Some(version.to_owned());
    }
    (table, entry)
}

/// What is wrong with a registry's download `asset` from `url`, if anything: a URL vx
/// cannot fetch (a registry's download must be http(s), never a local file), else the
/// asset's own problem ([`Asset::problem`]).
fn download_problem(url: &str, asset: &Asset) -> Option<String> {
    match vx_base::validate::url(url) {
        Err(e) => Some(e.to_string()),
        Ok(vx_base::validate::Scheme::File) => {
            Some("a registry's download must be an http(s) URL".to_owned())
        }
        Ok(_) => asset.problem(),
    }
}

/// The version a registry tool locks (the lock's, while its inputs and constraint hold,
/// else the registry's pick for `constraint`), checked as a name vx can use, and the
/// platforms to lock it for: those asked, and those the lock holds it for already.
fn picked<'a>(
    registries: &Registries<'_>,
    name: &'a Name,
    tool: &'a ToolTable,
    constraint: &'a str,
    platforms: &[Platform],
    lock: &Lock,
) -> Result<Picked<'a>, ResolutionError> {
    let kept = lock
        .tools
        .get(&tool.name)
        .filter(|e| e.inputs == tool.download_inputs() && e.constraint.is_some())
        .map(|e| e.version.clone());
    let version = match kept {
        Some(version) => version,
        None => registries.pick(name, constraint)?.version,
    };
    vx_base::validate::version(&version).map_err(|e| {
        ResolutionError::Usage(format!(
            "{name} {version} is not a version vx can name: {e}"
        ))
    })?;
    let mut wanted: Vec<Platform> = tool.platforms_of(platforms).into_iter().cloned().collect();
    for held in lock.platforms_of(&tool.name) {
        if tool.is_for(&held) && !wanted.contains(&held) {
            wanted.push(held);
        }
    }
    Ok(Picked {
        name,
        tool,
        constraint,
        version,
        wanted,
    })
}
