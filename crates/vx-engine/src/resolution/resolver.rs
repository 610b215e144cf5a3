//! Names and constraints to concrete downloads: the project's registries (its own
//! first, then the standard one at the ref the lock pins), GitHub's releases for the
//! versions, aqua's rules for each platform's URL, and checksums read from published
//! checksum files or GitHub's asset digests — no archive downloaded.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use vx_base::version::{self, Constraint, Tag};
use vx_model::lock::{Asset, Lock, LockedTool, RegistryPin};
use vx_model::manifest::{Manifest, Override, Platform, RegistrySource, RegistryWhere, ToolTable};
use vx_net::verify::provenance::ProvenanceLoss;
use vx_sources::github::Release;
use vx_sources::registry::checksum;
use vx_sources::registry::package::Package;
use vx_sources::registry::resolve::{self as aqua, Download, Resolution};
use vx_sources::registry::set::{Found, LookupError, RegistrySet, SetHit};
use vx_sources::registry::source::{self, Context, Source};
use vx_sources::runtime::catalogue::Catalogue;

use super::network::Network;
use super::{ResolutionError, Resolve, provenance, signatures};

/// Largest checksum file read.
const MAX_CHECKSUM_FILE: u64 = 4 << 20;

/// One version of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The tag as released (`v2.63.0`, `jq-1.7.1`).
    pub tag: String,
    /// The version it names: the tag without the package's prefix and `v`; what the
    /// store and the board show.
    pub version: String,
    /// When it was published (RFC 3339), when GitHub says.
    pub published_at: Option<String>,
    /// Whether GitHub marks it a pre-release.
    pub prerelease: bool,
}

/// How a platform's download was resolved.
#[derive(Clone, Debug)]
pub(crate) enum PlatformDownload {
    /// A download, with its sha256 and where that came from when known without
    /// downloading it.
    Download {
        /// The registry's rendering.
        download: Box<Download>,
        /// Its sha256 and the source of it (`checksum-file:URL`, `github-digest`).
        sha256: Option<(String, String)>,
        /// What verified that sha256 (the checksum file's signatures), as the lock
        /// records it; `None`: nothing did.
        verified: Option<String>,
    },
    /// No download there: why.
    Unsupported(String),
}

/// The registries and GitHub of a project (or of `vx x` without one).
pub struct Resolver<'n> {
    net: &'n Network,
    set: RefCell<RegistrySet<'n>>,
    min_release_age: Option<Duration>,
    /// `[settings] verify`: under `require`, a version nothing verified is refused.
    policy: vx_net::verify::Policy,
    /// Releases listed in this run, by `owner/repo`.
    releases: RefCell<BTreeMap<String, Vec<Release>>>,
    /// Checksum files fetched in this run, by URL (`None`: not available).
    checksum_files: RefCell<BTreeMap<String, Result<String, TextError>>>,
    /// The Sigstore trusted root, read at the first bundle this run checks.
    trusted_root: std::sync::OnceLock<
        Result<vx_net::verify::trusted_root::Root, signatures::SharedRootError>,
    >,
    /// What runtimes fetch through (each publisher's file once per run).
    runtimes: vx_sources::runtime::Context<'n>,
    /// Runtimes' version lists read in this run, by runtime.
    runtime_releases: RefCell<BTreeMap<String, Vec<vx_sources::runtime::Release>>>,
    /// The runtimes the project can name.
    catalogue: &'n Catalogue,
    /// The project's lock when it was made: what a tool named at the version the
    /// project pins installs ([`super::pinned::spec_at`]).
    pub(super) lock: Option<Lock>,
    /// The project's directory (its `.npmrc` names npm registries).
    project_dir: std::path::PathBuf,
    /// Whether the user trusts the project (`vx trust`): only then is its `.npmrc`
    /// read.
    project_trusted: bool,
    /// The project's tools as resolved so far in this run: where a runtime tool
    /// (`npm:prettier`) finds the project's runtime (`node`).
    project_tools: RefCell<Vec<ToolTable>>,
    /// Runtimes a run is about to add to the project (`vx import` of a file naming
    /// node beside `npm:prettier`): a runtime tool needing one of them is accepted.
    expected_runtimes: RefCell<Vec<String>>,
}

impl<'n> Resolver<'n> {
    /// The resolver of `manifest`'s registries (none: the standard one only), with the
    /// standard registry at the ref `lock` pins (else vx's own pin).
    pub fn new(
        net: &'n Network,
        manifest: Option<&Manifest>,
        lock: Option<&Lock>,
        catalogue: &'n Catalogue,
    ) -> Result<Resolver<'n>, ResolutionError> {
        let project_dir = manifest
            .and_then(|m| m.path.parent())
            .map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
        let extras: Vec<Source> = manifest
            .map(|m| m.registries.iter().map(|r| extra(r, lock)).collect())
            .unwrap_or_default();
        let standard = match lock.and_then(|l| l.registries.get(source::STANDARD_NAME)) {
            Some(pin) => Source::Standard {
                git_ref: pin.git_ref.clone(),
                sha256: Some(pin.sha256.trim_start_matches("sha256:").to_owned()),
            },
            None => match &net.standard {
                Some((git_ref, sha256)) => Source::Standard {
                    git_ref: git_ref.clone(),
                    sha256: Some(sha256.clone()),
                },
                None => Source::standard(),
            },
        };
        let cx = Context {
            cache_dir: net.cache_dir.clone(),
            project_dir: project_dir.clone(),
            github: net.hosts().clone(),
            offline: net.options.offline,
            fetcher: net,
            progress: &*net.say,
        };
        let set = RegistrySet::new(cx, extras, standard)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?;
        Ok(Resolver {
            net,
            set: RefCell::new(set),
            min_release_age: manifest.and_then(|m| m.min_release_age),
            policy: manifest.map(|m| m.verify).unwrap_or_default(),
            releases: RefCell::new(BTreeMap::new()),
            checksum_files: RefCell::new(BTreeMap::new()),
            trusted_root: std::sync::OnceLock::new(),
            runtimes: vx_sources::runtime::Context::new(&net.github),
            runtime_releases: RefCell::new(BTreeMap::new()),
            catalogue,
            lock: lock.cloned(),
            project_dir,
            project_trusted: manifest.is_some_and(|m| crate::trust::is_trusted(&m.path)),
            // As the lock pins them: a runtime tool named on the command line (`vx x
            // npm:prettier`) finds the project's node concrete.
            project_tools: RefCell::new(
                manifest
                    .map(|m| super::pinned::pin(m, lock, catalogue).0.tools)
                    .unwrap_or_default(),
            ),
            expected_runtimes: RefCell::new(Vec::new()),
        })
    }

    /// The runtimes the project can name.
    pub fn catalogue(&self) -> &'n Catalogue {
        self.catalogue
    }

    /// The language registries (npm, PyPI, …) as this project configures them.
    pub fn language_registries(&self) -> super::backend::Registries<'_> {
        super::backend::Registries::new(
            &self.runtimes,
            self.net,
            vx_sources::backend::npmrc::Project {
                dir: &self.project_dir,
                trusted: self.project_trusted,
            },
            self.min_release_age,
        )
        .with_tools(self.project_tools.borrow().clone())
        .expecting(self.expected_runtimes.borrow().clone())
    }

    /// Runtimes (`node`, `python`) this run adds to the project, whatever its vx.toml
    /// says yet: what [`super::backend::Registries::check`] accepts a runtime tool
    /// beside.
    pub fn expect_runtimes(&self, names: Vec<String>) {
        *self.expected_runtimes.borrow_mut() = names;
    }

    /// `runtime`'s versions, newest first, listed once per run.
    pub(crate) fn runtime_releases(
        &self,
        runtime: &dyn vx_sources::runtime::Runtime,
    ) -> Result<Vec<vx_sources::runtime::Release>, vx_sources::runtime::RuntimeError> {
        if let Some(listed) = self.runtime_releases.borrow().get(runtime.name()) {
            return Ok(listed.clone());
        }
        let listed = runtime.versions(&self.runtimes)?;
        self.runtime_releases
            .borrow_mut()
            .insert(runtime.name().to_owned(), listed.clone());
        Ok(listed)
    }

    /// The release `constraint` picks for `runtime` as the lock picks it
    /// ([`vx_sources::runtime::Runtime::pick_with`]): among the listed versions, and where a
    /// publisher's listing holds only its newest release (python-build-standalone),
    /// in older releases too, so `vx add` and `vx import` find the `3.12.8` a lock
    /// finds.
    pub fn pick_runtime(
        &self,
        runtime: &dyn vx_sources::runtime::Runtime,
        constraint: &str,
    ) -> Result<vx_sources::runtime::Release, vx_sources::runtime::RuntimeError> {
        let releases = self.runtime_releases(runtime)?;
        runtime.pick_with(
            &self.runtimes,
            &releases,
            constraint,
            &self.runtimes.siblings(),
        )
    }

    /// Resolves the runtime tool `tool` (see [`super::runtime::resolve_tool`]).
    pub(super) fn resolve_runtime(
        &self,
        runtime: &dyn vx_sources::runtime::Runtime,
        tool: &ToolTable,
        constraint: &str,
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<ToolTable, ResolutionError> {
        let (table, resolution) = super::runtime::resolve_tool(
            runtime,
            &self.runtimes,
            &|| self.runtime_releases(runtime),
            tool,
            constraint,
            platforms,
            lock,
        )?;
        self.check_verification(
            tool,
            &Candidate {
                tag: resolution.release.id.clone(),
                version: resolution.release.version.clone(),
                published_at: None,
                prerelease: false,
            },
            &[],
        )?;
        for (platform, resolved) in &resolution.downloads {
            match resolved {
                vx_sources::runtime::Resolved::Unsupported(reason) => self
                    .net
                    .progress(&format!("{}: {platform}: {reason}", tool.name)),
                vx_sources::runtime::Resolved::Download(download) => {
                    if let Some(note) = runtime.note(download) {
                        self.net
                            .progress(&format!("{}: {platform}: {note}", tool.name));
                    }
                    if download.sha256.is_empty() {
                        self.net.progress(&format!(
                            "warning: {}: {platform}: {} gives no sha256 for {}; it is downloaded to be hashed (checksum = \"download\")",
                            tool.name,
                            download.checksum.trim_start_matches("index:"),
                            download.url
                        ));
                    }
                }
            }
        }
        self.net.progress(&format!(
            "resolved {} {constraint} to {} ({} {})",
            tool.name,
            resolution.release.version,
            runtime.name(),
            resolution.release.id
        ));
        Ok(table)
    }

    /// The package `name` designates (`ripgrep`, `cli/cli`, `standard:cli/cli`, an
    /// alias or a command).
    pub fn lookup(&self, name: &str) -> Result<Found, ResolutionError> {
        self.set.borrow_mut().lookup(name).map_err(lookup_error)
    }

    /// Packages matching `term`, best first, and what kept a registry from being
    /// searched (see [`RegistrySet::search`]).
    pub fn search(&self, term: &str) -> (Vec<SetHit>, Vec<String>) {
        let (hits, problems) = self.set.borrow_mut().search(term);
        (hits, problems.iter().map(ToString::to_string).collect())
    }

    /// The package's versions, newest first: its GitHub releases (drafts left out;
    /// pre-releases marked), else its tags; only tags the package's
    /// `version_prefix`/`version_filter` accept.
    pub(crate) fn versions(&self, found: &Found) -> Result<Vec<Candidate>, ResolutionError> {
        self.versions_and_dropped(found).map(|(allowed, _)| allowed)
    }

    /// [`Resolver::versions`] and the tags the registry's `version_prefix` and
    /// `version_filter` left out, in GitHub's order (what an error says when nothing
    /// is left).
    fn versions_and_dropped(
        &self,
        found: &Found,
    ) -> Result<(Vec<Candidate>, Vec<String>), ResolutionError> {
        let pkg = &found.package;
        let (owner, repo) = repo_of(found)?;
        let from_tags = matches!(
            pkg.fields.version_source,
            Some(vx_sources::registry::package::VersionSource::GithubTag)
        );
        let releases = if from_tags {
            Vec::new()
        } else {
            self.releases_of(&owner, &repo)?
        };
        let mut listed: Vec<Candidate> = if releases.is_empty() {
            self.net
                .github
                .tags(&owner, &repo)
                .map_err(github_error)?
                .into_iter()
                .map(|tag| Candidate {
                    version: version_label(pkg, &tag),
                    tag,
                    published_at: None,
                    prerelease: false,
                })
                .collect()
        } else {
            releases
                .iter()
                .filter(|r| !r.draft)
                .map(|r| Candidate {
                    version: version_label(pkg, &r.tag),
                    tag: r.tag.clone(),
                    published_at: r.published_at.clone(),
                    prerelease: r.prerelease,
                })
                .collect()
        };
        let mut allowed = Vec::with_capacity(listed.len());
        let mut dropped = Vec::new();
        for candidate in listed.drain(..) {
            if aqua::version_allowed(pkg, &candidate.tag).map_err(usage)? {
                allowed.push(candidate);
            } else {
                dropped.push(candidate.tag);
            }
        }
        // Each tag read once, not at every comparison.
        allowed.sort_by_cached_key(|c| {
            let tag = Tag::parse(&c.tag, aqua::version_prefix_of(pkg, &c.tag));
            std::cmp::Reverse((tag.version().cloned(), c.tag.clone()))
        });
        Ok((allowed, dropped))
    }

    /// The newest version `constraint` allows: pre-releases only when named exactly,
    /// releases younger than `min_release_age` skipped.
    pub fn pick(&self, found: &Found, constraint: &str) -> Result<Candidate, ResolutionError> {
        self.pick_with_skipped(found, constraint).map(|(c, _)| c)
    }

    /// [`Resolver::pick`], saying on the progress lines which newer releases the
    /// constraint allows were skipped for being younger than `min_release_age` (what
    /// `vx lock`, `vx add` and `vx upgrade` show when they pick a version).
    pub(crate) fn pick_noting(
        &self,
        found: &Found,
        constraint: &str,
    ) -> Result<Candidate, ResolutionError> {
        let (candidate, skipped) = self.pick_with_skipped(found, constraint)?;
        if let (Some(age), false) = (self.min_release_age, skipped.is_empty()) {
            self.net.progress(&format!(
                "{}: {} skipped (published less than {} ago: min_release_age); {} picked",
                found.full_name,
                skipped.join(", "),
                vx_base::utc::span(age),
                candidate.tag
            ));
        }
        Ok(candidate)
    }

    /// The pick and the tags of the newer releases `constraint` allows that
    /// `min_release_age` left out, newest first.
    fn pick_with_skipped(
        &self,
        found: &Found,
        constraint: &str,
    ) -> Result<(Candidate, Vec<String>), ResolutionError> {
        let parsed = Constraint::parse(constraint).map_err(|e| usage(e.to_string()))?;
        if parsed.is_exact() && repo_of(found).is_err() {
            // No repository to list (aqua's `http` packages may name none): an exact
            // version is taken as written, as aqua takes it.
            let tag = parsed.as_str().to_owned();
            let candidate = Candidate {
                version: version_label(&found.package, &tag),
                tag,
                published_at: None,
                prerelease: false,
            };
            return Ok((candidate, Vec::new()));
        }
        let (candidates, dropped) = self.versions_and_dropped(found)?;
        let now = vx_base::utc::now();
        let mut young: Vec<(&Candidate, Tag)> = Vec::new();
        let eligible: Vec<(&Candidate, Tag)> = candidates
            .iter()
            .filter(|c| !c.prerelease || names_exactly(constraint, c))
            .filter_map(|c| {
                let tag = Tag::parse(&c.tag, aqua::version_prefix_of(&found.package, &c.tag));
                let too_young = self.min_release_age.is_some_and(|age| {
                    c.published_at
                        .as_deref()
                        .and_then(vx_base::utc::parse_rfc3339)
                        .is_some_and(|t| now.saturating_sub(t) < age.as_secs())
                });
                if too_young {
                    young.push((c, tag));
                    None
                } else {
                    Some((c, tag))
                }
            })
            .collect();
        let too_young = young.len();
        let picked = version::pick(&parsed, eligible.iter().map(|(_, t)| t));
        match picked.and_then(|t| eligible.iter().find(|(_, e)| e == t)) {
            Some((c, tag)) => {
                let skipped = young
                    .iter()
                    .filter(|(_, y)| {
                        parsed.matches(y)
                            && matches!((y.version(), tag.version()), (Some(a), Some(b)) if a > b)
                    })
                    .map(|(c, _)| c.tag.clone())
                    .collect();
                Ok(((*c).clone(), skipped))
            }
            None => {
                // Only tags vx reads as versions are offered as the newest.
                let newest: Vec<&str> = candidates
                    .iter()
                    .filter(|c| {
                        Tag::parse(&c.tag, aqua::version_prefix_of(&found.package, &c.tag))
                            .version()
                            .is_some()
                    })
                    .take(5)
                    .map(|c| c.tag.as_str())
                    .collect();
                let young = if too_young > 0 {
                    format!(
                        " ({too_young} newer release{} skipped by min_release_age)",
                        if too_young == 1 { " was" } else { "s were" }
                    )
                } else {
                    String::new()
                };
                let why = if !newest.is_empty() {
                    format!("the newest are {}", newest.join(", "))
                } else if !candidates.is_empty() {
                    format!(
                        "none of its {} tag{} ({}) names a version vx can read",
                        candidates.len(),
                        if candidates.len() == 1 { "" } else { "s" },
                        shown(candidates.iter().map(|c| c.tag.as_str()))
                    )
                } else if !dropped.is_empty() {
                    format!(
                        "the registry's {} leaves out all {} of its tags ({})",
                        filters_of(&found.package),
                        dropped.len(),
                        shown(dropped.iter().map(String::as_str))
                    )
                } else {
                    "it has no releases or tags".to_owned()
                };
                Err(usage(format!(
                    "no version of {} matches `{constraint}`{young}; {why}",
                    found.full_name,
                )))
            }
        }
    }

    /// Each platform's download of `found` at `candidate`, with the checksums known
    /// without downloading an archive.
    pub(crate) fn downloads(
        &self,
        found: &Found,
        candidate: &Candidate,
        platforms: &[Platform],
        tool: &ToolTable,
    ) -> Result<Vec<(Platform, PlatformDownload)>, ResolutionError> {
        let checking = Checking {
            tool: &tool.name,
            policy: self.policy_of(tool),
        };
        if checking.policy == vx_net::verify::Policy::Off {
            self.net.progress(&format!(
                "{}: verify = \"off\": the signatures, attestations and provenance {} declares are not checked",
                tool.name,
                found.qualified_name()
            ));
        }
        let mut out = Vec::new();
        for platform in platforms {
            let resolved =
                aqua::resolve(&found.package, &candidate.tag, platform, self.net.hosts())
                    .map_err(usage)?;
            let one = match resolved {
                Resolution::Unsupported(reason) => PlatformDownload::Unsupported(reason),
                // A registry names downloads on the web: a `file://` (or any other)
                // URL from one would read this machine's files.
                Resolution::Download(download) if !vx_net::url::is_web(&download.url) => {
                    return Err(usage(format!(
                        "{}: the registry's URL for {platform} is not http(s): {}",
                        found.qualified_name(),
                        download.url
                    )));
                }
                Resolution::Download(download) => {
                    let (sha256, verified) =
                        match self.checksum(found, candidate, &download, &checking)? {
                            Some((hex, source, verified)) => (Some((hex, source)), verified),
                            None => (None, None),
                        };
                    PlatformDownload::Download {
                        download,
                        sha256,
                        verified,
                    }
                }
            };
            out.push((platform.clone(), one));
        }
        Ok(out)
    }

    /// The sha256 of `download` from the registry's checksum file, else GitHub's digest
    /// of the release asset, with what verified it (the checksum file's signatures,
    /// then the asset's attestations and provenance, checked from that sha256); `None`
    /// when neither says. A declared check that does not verify refuses the version.
    fn checksum(
        &self,
        found: &Found,
        candidate: &Candidate,
        download: &Download,
        checking: &Checking<'_>,
    ) -> Result<Option<(String, String, Option<String>)>, ResolutionError> {
        let Some((hex, source, mut records)) =
            self.published_sha256(found, candidate, download, checking)?
        else {
            // A checksum vx cannot check (sha512, sha1, md5) is said, not silently
            // replaced by trusting the first download.
            if let Some(source) = download
                .checksum
                .as_ref()
                .filter(|s| !s.algorithm.eq_ignore_ascii_case("sha256"))
            {
                self.net.progress(&format!(
                    "warning: {}: the registry's checksum is {}, which vx does not check; the archive's sha256 is recorded when it is first downloaded (checksum = \"download\")",
                    found.qualified_name(),
                    vx_text::sanitize(&source.algorithm)
                ));
            }
            if checking.checks()
                && (!download.provenance.is_empty() || !download.signatures.is_empty())
            {
                self.net.progress(&format!(
                    "{}: signatures, attestations and provenance of {} not checked: no sha256 is published for it",
                    found.qualified_name(),
                    download.asset
                ));
            }
            return Ok(None);
        };
        if checking.checks() {
            records.extend(self.attested(
                found,
                candidate,
                &download.asset,
                &hex,
                &download.provenance,
                checking,
            )?);
            // The registry's signatures over the asset itself, checked against its
            // sha256.
            records.extend(self.accept(
                found,
                candidate,
                signatures::check(
                    &self.net.github,
                    &self.trusted_root,
                    signatures::Signed::Asset {
                        name: &download.asset,
                        sha256: &hex,
                    },
                    &download.signatures,
                ),
            )?);
        }
        let verified = (!records.is_empty()).then(|| records.join(","));
        Ok(Some((hex, source, verified)))
    }

    /// The records of `sources` (attestations, provenance) checked for the file `name`
    /// whose SHA-256 is `sha256`: an asset, or its checksum file.
    fn attested(
        &self,
        found: &Found,
        candidate: &Candidate,
        name: &str,
        sha256: &str,
        sources: &[aqua::ProvenanceSource],
        checking: &Checking<'_>,
    ) -> Result<Vec<String>, ResolutionError> {
        let subject = provenance::Checked { name, sha256 };
        self.accept(
            found,
            candidate,
            provenance::check(
                &self.net.github,
                &self.trusted_root,
                subject,
                sources,
                &checking.unreachable_hint(),
                checking.unavailable(self.net.attestations_unavailable),
            ),
        )
    }

    /// What a check of `candidate`'s signatures, attestations or provenance gave: its
    /// records, after naming (with `-v`) what it could not check; a failure refuses
    /// the version.
    fn accept(
        &self,
        found: &Found,
        candidate: &Candidate,
        checked: Result<signatures::Verdict, signatures::CheckError>,
    ) -> Result<Vec<String>, ResolutionError> {
        let verdict = checked.map_err(|why| refused(found, candidate, &why.to_string()))?;
        for note in &verdict.unchecked {
            self.net
                .progress(&format!("{}: {note}", found.qualified_name()));
        }
        Ok(verdict.records)
    }

    /// The sha256 of `download` as published (the checksum file's, whose signatures
    /// are checked, else GitHub's digest), its source, and what verified it.
    fn published_sha256(
        &self,
        found: &Found,
        candidate: &Candidate,
        download: &Download,
        checking: &Checking<'_>,
    ) -> Result<Option<(String, String, Vec<String>)>, ResolutionError> {
        if let Some(source) = download
            .checksum
            .as_ref()
            .filter(|s| s.algorithm.eq_ignore_ascii_case("sha256"))
        {
            // A declared checksum file that cannot be used is an error, as in aqua:
            // never a silent fall back to trusting the first download.
            let unusable = |why: String| {
                usage(format!(
                    "{} {}: the checksum file {} cannot be used: {why}",
                    found.qualified_name(),
                    candidate.tag,
                    vx_text::sanitize(&vx_net::url::display_url(&source.url))
                ))
            };
            let text = self
                .checksum_file(&source.url)
                .map_err(|e| unusable(e.to_string()))?;
            let hex = match checksum::find_sha256(&text, &download.asset, &source.format) {
                Ok(Some(hex)) => hex,
                Ok(None) => {
                    let how = match &source.format {
                        checksum::ChecksumFormat::Raw => "no line names",
                        checksum::ChecksumFormat::Regexp { .. } => {
                            "the registry's pattern matches no checksum for"
                        }
                    };
                    return Err(unusable(format!(
                        "{how} {}",
                        vx_text::sanitize(&download.asset)
                    )));
                }
                Err(e) => return Err(unusable(e.to_string())),
            };
            if !checking.checks() {
                return Ok(Some((
                    hex,
                    format!("checksum-file:{}", source.url),
                    Vec::new(),
                )));
            }
            let records = self.accept(
                found,
                candidate,
                signatures::check(
                    &self.net.github,
                    &self.trusted_root,
                    signatures::Signed::ChecksumFile {
                        url: &source.url,
                        bytes: text.as_bytes(),
                    },
                    &source.signatures,
                ),
            )?;
            // GitHub's attestations of the checksum file, over its own sha256.
            let mut records = records;
            if !source.provenance.is_empty() {
                let file_sha256 = hex::encode(Sha256::digest(text.as_bytes()));
                let name = source.url.rsplit('/').next().unwrap_or(&source.url);
                records.extend(self.attested(
                    found,
                    candidate,
                    name,
                    &file_sha256,
                    &source.provenance,
                    checking,
                )?);
            }
            return Ok(Some((
                hex,
                format!("checksum-file:{}", source.url),
                records,
            )));
        }
        let is_release = matches!(
            found.package.fields.kind,
            Some(vx_sources::registry::package::PackageType::GithubRelease)
        );
        if is_release && let Ok((owner, repo)) = repo_of(found) {
            let release = self.release(&owner, &repo, &candidate.tag);
            let digest = release
                .iter()
                .flat_map(|r| &r.assets)
                .find(|a| a.name == download.asset)
                .and_then(|a| a.sha256());
            if let Some(hex) = digest {
                return Ok(Some((hex, "github-digest".to_owned(), Vec::new())));
            }
        }
        Ok(None)
    }

    /// A checksum file's text, fetched once per run, or why it cannot be had.
    fn checksum_file(&self, url: &str) -> Result<String, TextError> {
        if let Some(known) = self.checksum_files.borrow().get(url) {
            return known.clone();
        }
        self.net.note_rewrite(url);
        let text = fetch_text(&self.net.github, url);
        self.checksum_files
            .borrow_mut()
            .insert(url.to_owned(), text.clone());
        text
    }

    /// The release at `tag`: from this run's listing, else asked for.
    fn release(&self, owner: &str, repo: &str, tag: &str) -> Option<Release> {
        let key = format!("{owner}/{repo}");
        if let Some(listed) = self.releases.borrow().get(&key) {
            return listed.iter().find(|r| r.tag == tag).cloned();
        }
        self.net.github.release(owner, repo, tag).ok()
    }

    fn releases_of(&self, owner: &str, repo: &str) -> Result<Vec<Release>, ResolutionError> {
        let key = format!("{owner}/{repo}");
        if let Some(listed) = self.releases.borrow().get(&key) {
            return Ok(listed.clone());
        }
        let listed = self
            .net
            .github
            .releases(owner, repo)
            .map_err(github_error)?;
        self.releases.borrow_mut().insert(key, listed.clone());
        Ok(listed)
    }

    /// Resolves one registry tool of the manifest at `manifest` (`None`: a tool the
    /// command line named) for `platforms` and records it in `lock`; returns the
    /// concrete table. The version the lock holds is kept while the entry was locked
    /// from the same name and constraint (a platform added to it is resolved at that
    /// version); otherwise the constraint is resolved afresh.
    pub(crate) fn resolve_tool(
        &self,
        tool: &ToolTable,
        manifest: Option<&std::path::Path>,
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<ToolTable, ResolutionError> {
        let request = tool
            .registry
            .as_ref()
            .ok_or_else(|| usage(format!("{} is not a registry tool", tool.name)))?;
        let origin = Origin {
            tool,
            request,
            manifest,
        };
        let at = |e| origin.at(e);
        if let Some(name) = vx_sources::backend::Name::parse(&request.lookup)
            .map_err(|e| usage(e.to_string()))
            .map_err(at)?
        {
            let own = |runtime: &str,
                       constraint: &str,
                       platforms: &[Platform],
                       kept: Option<&LockedTool>| {
                self.own_runtime(runtime, constraint, platforms, kept)
            };
            return super::backend::resolve_tool(
                &self.language_registries().with_own_runtime(&own),
                &name,
                tool,
                &request.constraint,
                platforms,
                lock,
            )
            .map_err(at);
        }
        if let Some(runtime) = self
            .catalogue
            .find(&request.lookup)
            .map_err(super::runtime::error)
            .map_err(at)?
        {
            return self
                .resolve_runtime(&*runtime, tool, &request.constraint, platforms, lock)
                .map_err(at);
        }
        let resolved = self.resolve_package(&origin, platforms, lock);
        match (&request.fallback, resolved) {
            // A mise entry swapped for a release binary that cannot be had keeps its
            // own backend (`npm:@biomejs/biome`): resolved as that package, recorded
            // under the same tool (its inputs are the entry's, so the lock pins it).
            (Some(own), Err(swapped)) => {
                let Some(name) = vx_sources::backend::Name::parse(own)
                    .map_err(|e| usage(e.to_string()))
                    .map_err(at)?
                else {
                    return Err(swapped);
                };
                self.net.progress(&format!(
                    "{}: the release binary {} is not to be had ({swapped}); resolving {own}",
                    tool.name, request.lookup
                ));
                let own_runtime = |runtime: &str,
                                   constraint: &str,
                                   platforms: &[Platform],
                                   kept: Option<&LockedTool>| {
                    self.own_runtime(runtime, constraint, platforms, kept)
                };
                super::backend::resolve_tool(
                    &self.language_registries().with_own_runtime(&own_runtime),
                    &name,
                    tool,
                    &request.constraint,
                    platforms,
                    lock,
                )
                .map_err(at)
            }
            (_, resolved) => resolved,
        }
    }

    /// Resolves the registry package `origin` asks for (neither a language
    /// backend's name nor a runtime vx knows): picks its version, resolves its
    /// download on every platform wanted, checks each as a later read of the lock
    /// would, and records the entry in `lock`.
    fn resolve_package(
        &self,
        origin: &Origin<'_>,
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<ToolTable, ResolutionError> {
        let at = |e| origin.at(e);
        let (tool, request) = (origin.tool, origin.request);
        let found = self
            .lookup(&request.lookup)
            .map_err(|e| at(near_runtime(&request.lookup, e)))?;
        if let Some(reason) = &found.unsupported {
            return Err(at(usage(format!(
                "{} cannot be installed by vx: {reason}",
                found.qualified_name()
            ))));
        }
        let candidate = self
            .candidate(&found, tool, &request.constraint, lock)
            .map_err(at)?;
        let wanted = wanted_platforms(tool, platforms, lock);
        let downloads = self
            .downloads(&found, &candidate, &wanted, tool)
            .map_err(at)?;
        if let Some(why) = nowhere(&downloads) {
            return Err(at(usage(format!(
                "{} {} cannot be installed by vx on any platform locked ({}): {why}",
                found.qualified_name(),
                candidate.version,
                wanted
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        }
        let overrides: BTreeMap<Platform, Override> = downloads
            .iter()
            .map(|(p, d)| (p.clone(), over(d)))
            .collect();
        vx_base::validate::version(&candidate.version).map_err(|e| {
            at(usage(format!(
                "release {} of {} has no version vx can name: {e}",
                candidate.tag, found.full_name
            )))
        })?;
        self.check_verification(tool, &candidate, &downloads)
            .map_err(at)?;
        let loss = self
            .provenance_loss(tool, &candidate, &downloads, lock)
            .map_err(at)?;
        check_urls_and_bins(&found, &candidate, &downloads, &overrides).map_err(at)?;
        let concrete = super::concrete::concrete(tool, &candidate.version, overrides);
        let assets = assets_of(&found, &candidate, &concrete, &downloads).map_err(at)?;
        lock.renew(&concrete);
        for (platform, asset) in assets {
            lock.record(&concrete, platform, asset);
        }
        note_package(lock, origin, &found, &candidate, &downloads, loss.as_ref());
        self.net.progress(&format!(
            "resolved {} {} to {} ({})",
            tool.name,
            request.constraint,
            candidate.version,
            found.qualified_name()
        ));
        Ok(concrete)
    }

    /// The release of `found` to lock for `tool`: the one `lock` holds while its
    /// entry was locked from the same inputs and a constraint, else the newest
    /// `constraint` allows.
    fn candidate(
        &self,
        found: &Found,
        tool: &ToolTable,
        constraint: &str,
        lock: &Lock,
    ) -> Result<Candidate, ResolutionError> {
        let kept = lock
            .tools
            .get(&tool.name)
            .filter(|e| e.inputs == tool.download_inputs() && e.constraint.is_some())
            .and_then(|e| e.tag.clone().map(|tag| (tag, e.version.clone())));
        match kept {
            Some((tag, version)) => Ok(Candidate {
                tag,
                version,
                published_at: None,
                prerelease: false,
            }),
            None => self.pick_noting(found, constraint),
        }
    }
}

/// Where a registry request came from, so that its usage errors say so: the
/// manifest's line (the project's vx.toml, the global toolset's, `--manifest`'s
/// file), or the command line's `NAME@VERSION` (which has no line in a manifest).
struct Origin<'a> {
    /// The tool asked for.
    tool: &'a ToolTable,
    /// Its registry request (`tool.registry`).
    request: &'a vx_model::manifest::RegistryRequest,
    /// The manifest naming it; `None` for the command line.
    manifest: Option<&'a std::path::Path>,
}

impl Origin<'_> {
    /// `e`, a usage error prefixed by where the request came from; any other
    /// error as it is.
    fn at(&self, e: ResolutionError) -> ResolutionError {
        match e {
            ResolutionError::Usage(message) => {
                ResolutionError::Usage(match (self.manifest, self.request.at) {
                    (Some(path), Some(at)) => format!(
                        "{}:{}:{}: {}: {message}",
                        path.display(),
                        at.line,
                        at.column,
                        self.tool.name
                    ),
                    _ => format!("{}@{}: {message}", self.tool.name, self.request.constraint),
                })
            }
            other => other,
        }
    }
}

/// Every platform asked for, and every platform the entry held: a new version is
/// resolved wherever the old one was locked.
fn wanted_platforms(tool: &ToolTable, platforms: &[Platform], lock: &Lock) -> Vec<Platform> {
    let mut wanted: Vec<Platform> = tool.platforms_of(platforms).into_iter().cloned().collect();
    for held in lock.platforms_of(&tool.name) {
        if tool.is_for(&held) && !wanted.contains(&held) {
            wanted.push(held);
        }
    }
    wanted
}

/// Refuses a download URL carrying credentials and a `bin` vx would not run. A
/// download locked by downloading it (no published sha256) records the same URL
/// and `bin`: checked here for every platform, whichever way it is locked.
fn check_urls_and_bins(
    found: &Found,
    candidate: &Candidate,
    downloads: &[(Platform, PlatformDownload)],
    overrides: &BTreeMap<Platform, Override>,
) -> Result<(), ResolutionError> {
    for (platform, download) in downloads {
        if let PlatformDownload::Download { download, .. } = download
            && let Some(problem) = vx_model::lock::credentials_in(&download.url)
        {
            return Err(usage(format!(
                "registry package {} {} on {platform}: {problem}",
                found.qualified_name(),
                candidate.tag
            )));
        }
    }
    for (platform, over) in overrides {
        if let Some(bin) = &over.bin
            && let Err(e) = vx_base::validate::bin(bin)
        {
            return Err(usage(format!(
                "registry package {} {} on {platform}: {e}",
                found.qualified_name(),
                candidate.tag
            )));
        }
    }
    Ok(())
}

/// The lock's asset for each of `downloads` with a published sha256. Every entry
/// is checked as a later read of the lock would check it, before any is recorded:
/// a package whose `files` escape the install is refused here, by its name, rather
/// than written into a lock that no command then reads.
fn assets_of<'d>(
    found: &Found,
    candidate: &Candidate,
    concrete: &ToolTable,
    downloads: &'d [(Platform, PlatformDownload)],
) -> Result<Vec<(&'d Platform, Asset)>, ResolutionError> {
    let mut assets = Vec::new();
    for (platform, download) in downloads {
        if let PlatformDownload::Download {
            download,
            sha256: Some((hex, source)),
            verified,
        } = download
        {
            let mut asset = Asset::new(download.url.clone(), hex.clone(), None);
            let over = &concrete.platforms[platform];
            asset.format = over.format.map(|f| f.name().to_owned());
            asset.bin = over.bin.clone().or_else(|| Some(bins(download)));
            asset.checksum = Some(source.clone());
            asset.verified = verified.clone();
            asset.variant = download.variant.clone();
            if let Some(problem) = asset.problem() {
                return Err(usage(format!(
                    "registry package {} {} on {platform}: {problem}",
                    found.qualified_name(),
                    candidate.tag
                )));
            }
            assets.push((platform, asset));
        }
    }
    Ok(assets)
}

/// Records in the lock entry of `origin`'s tool what it was resolved from: its
/// constraint, package, tag, registry pin and provenance loss, and which platforms
/// the package does not support. The standard registry's pin is also recorded in
/// the lock's `registries`.
fn note_package(
    lock: &mut Lock,
    origin: &Origin<'_>,
    found: &Found,
    candidate: &Candidate,
    downloads: &[(Platform, PlatformDownload)],
    loss: Option<&ProvenanceLoss>,
) {
    let Some(entry) = lock.tools.get_mut(&origin.tool.name) else {
        return;
    };
    if let Some(loss) = loss {
        entry.provenance_loss = Some(loss.record());
    }
    entry.constraint = Some(origin.request.constraint.clone());
    entry.package = Some(found.qualified_name());
    entry.tag = Some(candidate.tag.clone());
    let pin = RegistryPin {
        git_ref: found
            .registry
            .git_ref
            .clone()
            .unwrap_or_else(|| found.registry.name.clone()),
        sha256: format!("sha256:{}", found.registry.digest),
    };
    entry.registry = Some(pin.clone());
    for (platform, download) in downloads {
        let key = platform.to_string();
        if let PlatformDownload::Unsupported(reason) = download {
            entry.platforms.remove(&key);
            entry.unsupported.insert(key, reason.clone());
        } else {
            entry.unsupported.remove(&key);
        }
    }
    if found.registry.name == source::STANDARD_NAME {
        lock.registries
            .insert(source::STANDARD_NAME.to_owned(), pin);
    }
}

impl Resolver<'_> {
    /// The verification policy of `tool`: off when its own `verify = "off"` says so,
    /// else `[settings] verify`'s.
    fn policy_of(&self, tool: &ToolTable) -> vx_net::verify::Policy {
        if tool.verify_off {
            vx_net::verify::Policy::Off
        } else {
            self.policy
        }
    }

    /// Under `[settings] verify = "require"`, refuses `candidate` when a platform's
    /// sha256 was not verified by a signature.
    fn check_verification(
        &self,
        tool: &ToolTable,
        candidate: &Candidate,
        downloads: &[(Platform, PlatformDownload)],
    ) -> Result<(), ResolutionError> {
        if self.policy != vx_net::verify::Policy::Require {
            return Ok(());
        }
        let bare: Vec<String> = downloads
            .iter()
            .filter(|(_, d)| matches!(d, PlatformDownload::Download { verified: None, .. }))
            .map(|(p, _)| p.to_string())
            .collect();
        if bare.is_empty() {
            return Ok(());
        }
        if tool.verify_off {
            return Err(usage(format!(
                "[settings] verify = \"require\" refuses {} {} unverified, and its verify = \"off\" skips its checks: remove one of the two",
                tool.name, candidate.version
            )));
        }
        Err(usage(format!(
            "[settings] verify = \"require\" but {} {} has no signature vx verifies on {}; set verify = \"warn\" to lock it unverified",
            tool.name,
            candidate.version,
            bare.join(", ")
        )))
    }

    /// The provenance `tool` would lose by being locked at `candidate`: its locked
    /// version was verified and the new one is not verified by every one of the same
    /// signers. Refused unless `--allow-provenance-loss`; then returned, for the lock.
    fn provenance_loss(
        &self,
        tool: &ToolTable,
        candidate: &Candidate,
        downloads: &[(Platform, PlatformDownload)],
        lock: &Lock,
    ) -> Result<Option<ProvenanceLoss>, ResolutionError> {
        let Some(entry) = lock.tools.get(&tool.name) else {
            return Ok(None);
        };
        if entry.version == candidate.version {
            return Ok(None);
        }
        let locked = entry.verified_records();
        if locked.is_empty() {
            return Ok(None);
        }
        let mut offered: Vec<&str> = downloads
            .iter()
            .filter_map(|(_, d)| match d {
                PlatformDownload::Download {
                    verified: Some(v), ..
                } => Some(v.as_str()),
                _ => None,
            })
            .flat_map(|records| records.split(','))
            .collect();
        offered.sort_unstable();
        offered.dedup();
        let new_by = (!offered.is_empty()).then(|| offered.join(","));
        if vx_net::verify::provenance::keeps(&locked, new_by.as_deref()) {
            return Ok(None);
        }
        let loss = ProvenanceLoss {
            tool: tool.name.clone(),
            locked_version: entry.version.clone(),
            locked_by: locked.join(","),
            new_version: candidate.version.clone(),
            new_by,
        };
        if self.net.options.allow_provenance_loss {
            self.net.progress(&format!(
                "provenance loss allowed (--allow-provenance-loss): {loss}"
            ));
            Ok(Some(loss))
        } else if self.policy_of(tool) == vx_net::verify::Policy::Off {
            self.net
                .progress(&format!("provenance loss (verify = \"off\"): {loss}"));
            Ok(Some(loss))
        } else {
            Err(usage(format!(
                "provenance loss: {loss}; vx.lock is unchanged (pass --allow-provenance-loss to lock it anyway)"
            )))
        }
    }
}

/// How one tool's downloads are checked: its name and policy, for the hint of a
/// check whose service cannot answer.
struct Checking<'t> {
    tool: &'t str,
    policy: vx_net::verify::Policy,
}

impl Checking<'_> {
    /// Whether the registry's signatures, attestations and provenance are checked:
    /// all but under `verify = "off"`.
    fn checks(&self) -> bool {
        self.policy != vx_net::verify::Policy::Off
    }

    /// What to do when GitHub's attestations API (or a provenance file) cannot be
    /// had: the settings that skip the check, or, under `require`, that it refuses.
    fn unreachable_hint(&self) -> String {
        let why = "a mirror, a GitHub Enterprise Server or an anonymous client over its rate limit may not serve it";
        match self.policy {
            vx_net::verify::Policy::Require => {
                format!("{why}; [settings] verify = \"require\" refuses a version it cannot check")
            }
            _ => format!(
                "{why}: to lock without this check on this machine, `vx config set verify.attestations_unavailable warn` (or {}=warn); for this project, verify = \"off\" in [tools.{}] (this tool) or [settings] verify = \"off\" (every tool)",
                vx_net::verify::Unavailable::ENV,
                self.tool
            ),
        }
    }

    /// The user's `attestations_unavailable` as it applies here: under the
    /// project's `verify = "require"`, a check that cannot be had still refuses.
    fn unavailable(&self, user: vx_net::verify::Unavailable) -> vx_net::verify::Unavailable {
        match self.policy {
            vx_net::verify::Policy::Require => vx_net::verify::Unavailable::Refuse,
            _ => user,
        }
    }
}

/// Most GitHub requests a resolution has in flight at once.
const PARALLEL_FETCHES: usize = 8;

impl Resolver<'_> {
    /// Fetches, several at a time, what resolving `tools` will read from GitHub: each
    /// package's release list, then the checksum files of the versions their
    /// constraints pick (for `platforms`). Resolving is then local; a failure here is
    /// left for the resolution itself to report, in order.
    fn prefetch(&self, tools: &[&ToolTable], platforms: &[Platform]) {
        let found: Vec<(&ToolTable, Found)> = tools
            .iter()
            .filter_map(|t| {
                let lookup = &t.registry.as_ref()?.lookup;
                // A runtime's index is read when it is resolved, not from a registry;
                // so is a language registry's package.
                if vx_sources::backend::Name::has_prefix(lookup)
                    || !matches!(self.catalogue.find(lookup), Ok(None))
                {
                    return None;
                }
                Some((*t, self.lookup(lookup).ok()?))
            })
            .collect();
        let repos: Vec<(String, String)> = found
            .iter()
            .filter(|(_, f)| {
                !matches!(
                    f.package.fields.version_source,
                    Some(vx_sources::registry::package::VersionSource::GithubTag)
                )
            })
            .filter_map(|(_, f)| repo_of(f).ok())
            .filter(|(o, r)| !self.releases.borrow().contains_key(&format!("{o}/{r}")))
            .collect();
        let github = &self.net.github;
        for (key, releases) in in_parallel(&repos, |(o, r)| github.releases(o, r).ok()) {
            if let Some(releases) = releases {
                self.releases
                    .borrow_mut()
                    .insert(format!("{}/{}", key.0, key.1), releases);
            }
        }
        let mut urls: Vec<String> = Vec::new();
        for (tool, f) in &found {
            let Some(request) = &tool.registry else {
                continue;
            };
            let Ok(candidate) = self.pick(f, &request.constraint) else {
                continue;
            };
            for platform in tool.platforms_of(platforms) {
                if let Ok(Resolution::Download(d)) =
                    aqua::resolve(&f.package, &candidate.tag, platform, self.net.hosts())
                    && let Some(source) = d.checksum
                    && !urls.contains(&source.url)
                    && !self.checksum_files.borrow().contains_key(&source.url)
                {
                    urls.push(source.url);
                }
            }
        }
        for url in &urls {
            self.net.note_rewrite(url);
        }
        let fetched = in_parallel(&urls, |url| fetch_text(github, url));
        let mut files = self.checksum_files.borrow_mut();
        for (url, text) in fetched {
            files.insert(url.clone(), text);
        }
    }
}

/// A checksum file's text, or why it cannot be had (too large, not there, not text).
fn fetch_text(github: &vx_sources::github::Github, url: &str) -> Result<String, TextError> {
    let bytes = github
        .fetch(url, MAX_CHECKSUM_FILE)
        .map_err(|e| TextError::Fetch(std::sync::Arc::new(e)))?;
    String::from_utf8(bytes).map_err(|_| TextError::NotUtf8)
}

/// Why a checksum file cannot be had as text; kept for the run (each file is fetched
/// once).
#[derive(Clone, Debug, thiserror::Error)]
enum TextError {
    /// GitHub's client could not fetch it.
    #[error("{0}")]
    Fetch(std::sync::Arc<vx_sources::github::GithubError>),
    /// Not UTF-8.
    #[error("it is not UTF-8 text")]
    NotUtf8,
}

/// `work` applied to each of `items` on up to [`PARALLEL_FETCHES`] threads, with its
/// item, in `items`' order.
fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<(&T, R)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<R>>> =
        std::sync::Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_FETCHES.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(result);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    items
        .iter()
        .zip(results)
        .filter_map(|(item, r)| Some((item, r?)))
        .collect()
}

impl Resolve for Resolver<'_> {
    fn resolve(
        &self,
        manifest: &mut Manifest,
        names: &[String],
        platforms: &[Platform],
        lock: &mut Lock,
    ) -> Result<(), ResolutionError> {
        if names.len() > 1 {
            let tools: Vec<&ToolTable> = manifest
                .tools
                .iter()
                .filter(|t| names.contains(&t.name))
                .collect();
            self.prefetch(&tools, platforms);
        }
        let runtime_of = |t: &ToolTable| self.catalogue.find(&t.registry.as_ref()?.lookup).ok()?;
        // A runtime others need (erlang, for elixir) is resolved before them.
        let needed: Vec<String> = manifest
            .tools
            .iter()
            .filter_map(|t| Some(runtime_of(t)?.needs()?.to_owned()))
            .collect();
        let mut order: Vec<&String> = names.iter().collect();
        // Language-registry tools last: one that runs on a runtime (`npm:prettier`)
        // makes its environment with the project's runtime, resolved first.
        order.sort_by_key(|name| {
            let tool = manifest.tools.iter().find(|t| t.name == **name);
            let runtime = tool.and_then(runtime_of);
            let language = tool.and_then(|t| t.registry.as_ref()).is_some_and(|r| {
                vx_sources::backend::Name::has_prefix(&r.lookup) || r.fallback.is_some()
            });
            (
                language,
                !runtime.is_some_and(|r| needed.iter().any(|n| n == r.name())),
            )
        });
        for tool in &manifest.tools {
            let Some(runtime) = runtime_of(tool) else {
                continue;
            };
            if let Some(need) = runtime.needs()
                && names.contains(&tool.name)
                && !manifest
                    .tools
                    .iter()
                    .any(|t| runtime_of(t).is_some_and(|r| r.name() == need))
            {
                self.net.progress(&format!(
                    "note: {}: {} needs {need}, which this project does not name (vx use {need})",
                    tool.name,
                    runtime.name()
                ));
            }
            if !names.contains(&tool.name) {
                self.runtimes.set_sibling(runtime.name(), &tool.version);
            }
        }
        for name in order {
            let Some(at) = manifest.tools.iter().position(|t| t.name == *name) else {
                continue;
            };
            *self.project_tools.borrow_mut() = manifest.tools.clone();
            let concrete =
                self.resolve_tool(&manifest.tools[at], Some(&manifest.path), platforms, lock)?;
            if let Some(runtime) = runtime_of(&concrete) {
                self.runtimes.set_sibling(runtime.name(), &concrete.version);
            }
            manifest.tools[at] = concrete;
        }
        Ok(())
    }

    fn allows_provenance_loss(&self) -> bool {
        self.net.options.allow_provenance_loss
    }
}

/// A registry of `[settings] registries` as a source, pinned by the lock when it
/// records one of that name.
fn extra(registry: &RegistrySource, lock: Option<&Lock>) -> Source {
    match &registry.place {
        RegistryWhere::Path(path) => Source::Path {
            name: registry.name.clone(),
            path: path.clone(),
        },
        RegistryWhere::Url(url) => Source::Url {
            name: registry.name.clone(),
            url: url.clone(),
            sha256: lock
                .and_then(|l| l.registries.get(&registry.name))
                .map(|p| p.sha256.trim_start_matches("sha256:").to_owned()),
        },
    }
}

/// The platform override that installs a resolved download.
fn over(download: &PlatformDownload) -> Override {
    match download {
        PlatformDownload::Unsupported(reason) => Override {
            unsupported: Some(reason.clone()),
            ..Override::default()
        },
        PlatformDownload::Download {
            download, sha256, ..
        } => Override {
            url: Some(download.url.clone()),
            sha256: sha256.as_ref().map(|(hex, _)| hex.clone()),
            format: download.format,
            bin: Some(bins(download)),
            ..Override::default()
        },
    }
}

/// A download's commands as `bin` entries: a bare executable is stored under its
/// command's name; an archive's file is `NAME=PATH` when its name differs
/// (`NAME==PATH` when the registry asks for a hard link).
pub fn bins(download: &Download) -> Vec<String> {
    if download.format.is_some_and(|f| f.is_one_file()) {
        return download
            .bins
            .iter()
            .take(1)
            .map(|b| b.name.clone())
            .collect();
    }
    download
        .bins
        .iter()
        .map(|b| {
            let file = b.src.rsplit('/').next().unwrap_or(&b.src);
            let stem = vx_base::platform::fs::command_name(file).unwrap_or(file);
            if file == b.name || stem == b.name || file.strip_suffix(".exe") == Some(&b.name) {
                b.src.clone()
            } else {
                vx_base::bin_entry::renamed(&b.name, &b.src, b.hard)
            }
        })
        .collect()
}

/// The package's GitHub repository.
fn repo_of(found: &Found) -> Result<(String, String), ResolutionError> {
    match (
        &found.package.fields.repo_owner,
        &found.package.fields.repo_name,
    ) {
        (Some(owner), Some(repo)) => Ok((owner.clone(), repo.clone())),
        _ => Err(usage(format!(
            "{} names no GitHub repository to list versions from; name an exact version ({}@1.2.3)",
            found.full_name, found.full_name
        ))),
    }
}

/// The version a tag names, as the store and the board show it: without the
/// package's `version_prefix` and a leading `v`.
fn version_label(pkg: &Package, tag: &str) -> String {
    Tag::parse(tag, aqua::version_prefix_of(pkg, tag))
        .label()
        .to_owned()
}

/// The reason shared by every platform of `downloads`, when each is unsupported for
/// one: a version vx cannot install anywhere is refused, not locked as nothing (its
/// first platform's reason, the others alike or said to differ).
fn nowhere(downloads: &[(Platform, PlatformDownload)]) -> Option<String> {
    super::concrete::nowhere_of(downloads.iter().map(|(_, d)| match d {
        PlatformDownload::Unsupported(reason) => Some(reason.as_str()),
        PlatformDownload::Download { .. } => None,
    }))
}

/// At most five of `tags`, and how many more.
fn shown<'a>(tags: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = tags.len();
    let first: Vec<&str> = tags.take(5).collect();
    if total > first.len() {
        format!("{}, and {} more", first.join(", "), total - first.len())
    } else {
        first.join(", ")
    }
}

/// The fields of `pkg` that choose which tags are versions, as a user reads them
/// (`` version_filter `Version startsWith "go"` ``).
fn filters_of(pkg: &Package) -> String {
    let mut said = Vec::new();
    if let Some(prefix) = pkg
        .fields
        .version_prefix
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        said.push(format!("version_prefix `{prefix}`"));
    }
    if let Some(filter) = pkg
        .fields
        .version_filter
        .as_deref()
        .filter(|f| !f.is_empty())
    {
        said.push(format!("version_filter `{filter}`"));
    }
    if let Some(c) = pkg.version_constraint.as_deref().filter(|c| !c.is_empty()) {
        said.push(format!("version_constraint `{c}`"));
    }
    if said.is_empty() {
        "version_overrides".to_owned()
    } else {
        said.join(" and ")
    }
}

/// Whether `constraint` names `candidate` exactly (a pre-release is picked only so).
fn names_exactly(constraint: &str, candidate: &Candidate) -> bool {
    let c = constraint.trim().trim_start_matches('=').trim();
    c == candidate.tag || c == candidate.version || c.strip_prefix('v') == Some(&candidate.version)
}

/// A version refused because what it declares does not verify (`why`).
fn refused(found: &Found, candidate: &Candidate, why: &str) -> ResolutionError {
    ResolutionError::Verify(format!(
        "{} {}: {why}; nothing was locked",
        found.qualified_name(),
        candidate.version
    ))
}

fn usage(e: impl std::fmt::Display) -> ResolutionError {
    ResolutionError::Usage(e.to_string())
}

fn github_error(e: vx_sources::github::GithubError) -> ResolutionError {
    if e.unreachable() {
        ResolutionError::Unreachable(e.to_string())
    } else {
        ResolutionError::Environment(e.to_string())
    }
}

/// A name that no registry has and that is a near miss of a runtime's: said first
/// (`vx add pythn`, `pythn = "3.12"` in vx.toml), since the registries' closest names
/// (`nodejs/node` for `nodee`) are not what was meant.
pub(super) fn near_runtime(name: &str, error: ResolutionError) -> ResolutionError {
    match error {
        ResolutionError::Usage(why) => {
            ResolutionError::Usage(match vx_sources::runtime::similar(name) {
                Some(runtime) => format!(
                    "no runtime or package is named `{name}`; did you mean the runtime `{runtime}`? ({why})"
                ),
                None => why,
            })
        }
        other => other,
    }
}

fn lookup_error(e: LookupError) -> ResolutionError {
    match e {
        LookupError::Name { .. } | LookupError::UnknownRegistry { .. } => usage(e),
        LookupError::Source(e) if e.unreachable() => ResolutionError::Unreachable(e.to_string()),
        other => ResolutionError::Environment(other.to_string()),
    }
}
