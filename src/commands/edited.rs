//! vx.toml edited in memory for `vx add` and `vx use`: tools added (a registry tool's
//! name checked against the registries, a `--url` tool's flags checked), the result
//! checked by the strict parser, locked for every configured platform as `vx lock`
//! would, then vx.toml and vx.lock written together or neither. A helper of those
//! commands, not a command: both use it, neither calls the other.

use vx::exit::{Because, Error, FAILED, OK};
use vx::lock::Lock;
use vx::manifest::Manifest;
use vx::manifest::edit::{self, NewTool};
use vx::session::Opening;

use crate::cli::UrlToolArgs;

/// vx.toml edited in memory: its path, its new text and the tools added to it, written
/// only by [`Edited::lock_and_write`] once they could be locked (what `vx add` and
/// `vx use` share).
pub struct Edited {
    path: std::path::PathBuf,
    text: String,
    /// Each tool added: its vx.toml key, what the note says of it, and whether it is
    /// new (not only a changed constraint).
    added: Vec<(String, String, bool)>,
}

impl Edited {
    /// The manifest at `path` as it is (empty when there is none yet).
    pub fn read(path: &std::path::Path) -> Result<Edited, Error> {
        let text = match vx::bounded_read::read_to_string(path, vx::manifest::MAX_MANIFEST_BYTES) {
            Ok(text) => text,
            Err(e) if e.is_not_found() => String::new(),
            Err(e) => {
                return Err(Error::usage(Because::new(
                    format!("cannot read {}", path.display()),
                    e,
                )));
            }
        };
        Ok(Edited {
            path: path.to_owned(),
            text,
            added: Vec::new(),
        })
    }

    /// Adds `tool` (`NAME[@CONSTRAINT]`, or `NAME@VERSION` with `--url`), once the
    /// result parses.
    pub fn add(&mut self, tool: &str, source: &UrlToolArgs) -> Result<(), Error> {
        let (url, sha256, bins) = (source.url.as_ref(), source.sha256.as_ref(), &source.bins);
        let path = &self.path;
        let text = &self.text;
        // A tool listed with a URL of its own keeps it when only its version changes
        // (`vx add greet@1.1.0`): its URL template names the version, not a registry.
        let own_url = tool
            .split_once('@')
            .and_then(|(name, _)| edit::url_of(text, name))
            .filter(|_| url.is_none() && sha256.is_none() && bins.is_empty());
        let (edited, label, name) = match url.or(own_url.as_ref()) {
            Some(url) => {
                let (name, version) = super::parse_tool_at_version(tool)?;
                let tool = NewTool {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    url: url.clone(),
                    sha256: sha256.cloned(),
                    bin: bins.to_vec(),
                };
                // A bad flag is said of the flag, before vx.toml is touched (a URL
                // already in vx.toml is the parse's below, at its line).
                if source.url.is_some() {
                    tool.check(path).map_err(Error::usage)?;
                }
                (
                    edit::add(text, &tool),
                    format!("{name} {version}"),
                    name.to_owned(),
                )
            }
            None => {
                if sha256.is_some() || !bins.is_empty() {
                    return Err(Error::usage(
                        "--sha256 and --bin go with --url; a registry tool brings its own",
                    ));
                }
                if edit::url_of(text, tool).is_some() {
                    return Err(Error::usage(format!(
                        "{tool} is listed with a URL of its own, not from a registry: name the version, `vx add {tool}@VERSION`"
                    )));
                }
                let (key, constraint) = registry_entry(tool, path, text)?;
                let label = format!("{key} {constraint}");
                (edit::set_constraint(text, &key, &constraint), label, key)
            }
        };
        let (new_text, added) =
            edited.map_err(|e| Error::usage(Because::new(path.display().to_string(), e)))?;
        // Nothing is kept unless the result is a valid manifest.
        Manifest::parse(path, &new_text).map_err(Error::usage)?;
        self.text = new_text;
        self.added.push((name, label, added));
        Ok(())
    }

    /// The edited manifest.
    pub fn manifest(&self) -> Result<Manifest, Error> {
        Manifest::parse(&self.path, &self.text).map_err(Error::usage)
    }

    /// Locks the edited manifest for every configured platform, as `vx lock` would, in
    /// memory; then writes vx.toml and vx.lock together, or neither when a tool added
    /// could not be locked for a platform.
    pub fn lock_and_write(&self, run: &crate::cli::RunArgs) -> Result<i32, Error> {
        let manifest = self.manifest()?;
        let path = &self.path;
        let lock_path = manifest.lock_path();
        let mut lock = Lock::load(&lock_path)
            .map_err(Error::usage)?
            .unwrap_or_default();
        let platforms = vx::ops::lock::platforms(&[], &manifest);
        let session = super::open_manifest(manifest.clone(), &Opening::default())?;
        let options = super::lock_options(run, false, false);
        let report = vx::ops::lock::relock(
            &manifest,
            session.catalogue(),
            &mut lock,
            &platforms,
            &options,
        )
        .map_err(super::lock_error)?;
        let failed: Vec<String> = report
            .failed
            .iter()
            .filter(|(tool, _)| {
                self.added
                    .iter()
                    .any(|(name, _, _)| name.rsplit('/').next().unwrap_or(name) == tool)
            })
            .map(|(tool, platform)| format!("{tool} for {platform}"))
            .collect();
        if !failed.is_empty() {
            vx::note!(
                "vx: {} could not be locked (the failures above say why); {} and {} are left as they were",
                failed.join(", "),
                path.display(),
                lock_path.display()
            );
            return Ok(if report.code == OK {
                FAILED
            } else {
                report.code
            });
        }
        vx::atomic::write(path, self.text.as_bytes()).map_err(|e| {
            Error::environment(Because::new(format!("cannot write {}", path.display()), e))
        })?;
        for (_, label, added) in &self.added {
            let what = if *added { "added" } else { "updated" };
            vx::note!("vx: {what} {label} in {}", path.display());
        }
        lock.write(&lock_path).map_err(super::lock_write_error)?;
        super::say::locked(&report, &lock_path, &platforms);
        Ok(report.code)
    }
}

/// The vx.toml key and constraint for `NAME[@CONSTRAINT]`: the name checked against
/// the registries now (an unknown or ambiguous one is refused before vx.toml changes),
/// written short when the short name finds the same package; without a constraint,
/// the newest version's major (`14`, or `0.10` before 1.0).
fn registry_entry(
    spec: &str,
    path: &std::path::Path,
    text: &str,
) -> Result<(String, String), Error> {
    let (name, constraint) = vx::package_name::split_version(spec);
    if name.is_empty() || constraint == Some("") {
        return Err(Error::usage(format!(
            "`{spec}`: name a tool, optionally with a constraint: NAME or NAME@CONSTRAINT"
        )));
    }
    // The project's own registries count: read them from vx.toml as it would be with
    // this tool in it (a vx.toml without tools yet parses then too).
    let project = edit::set_constraint(text, name, "latest")
        .ok()
        .and_then(|(probe, _)| Manifest::parse(path, &probe).ok());
    // The runtimes the project declares are names too (`vx add acme-jdk@17`).
    let session = match project {
        Some(project) => super::open_manifest(project, &Opening::default())?,
        None => vx::session::Session::outside(&Opening::default()),
    };
    let project = session.manifest();
    let net = session.network(false).map_err(super::resolution_error)?;
    let resolver = session.resolver(&net).map_err(super::resolution_error)?;
    let found = resolver.named(name).map_err(super::resolution_error)?;
    if let Some(reason) = found.unsupported() {
        return Err(Error::usage(format!(
            "{} cannot be installed by vx: {reason}",
            found.qualified_name()
        )));
    }
    if let vx::resolution::Named::Runtime(runtime) = &found
        && let Some(needed) = runtime.needs()
        && !project.is_some_and(|m| {
            m.tools.iter().any(|t| {
                t.registry
                    .as_ref()
                    .and_then(|r| session.catalogue().find(&r.lookup).ok().flatten())
                    .is_some_and(|r| r.name() == needed)
            })
        })
    {
        vx::note!(
            "vx: {} needs {needed}, which vx.toml does not list: add it too (vx add {needed})",
            runtime.name()
        );
    }
    let key = resolver.manifest_key(&found);
    let constraint = match constraint {
        Some(c) => {
            vx::version::Constraint::parse(c).map_err(Error::usage)?;
            resolver
                .pick_named(&found, c)
                .map_err(super::resolution_error)?;
            c.to_owned()
        }
        None => {
            let newest = resolver
                .pick_named(&found, "latest")
                .map_err(super::resolution_error)?;
            vx::version::major_of(&newest.version)
        }
    };
    Ok((key, constraint))
}
