//! The runtimes one project can name, as a value: vx's own, the project's declarations
//! (`.vx/runtimes/`, its registries' `runtimes`: [`declared::project`]) and the user's
//! (`runtimes/` in vx's configuration directory: [`declared::user`]) that none of the
//! project's shadows. It is read once when a project is opened and handed to whoever
//! looks a runtime up (resolution, the toolchain, `vx search`); nothing of it is
//! global, so two projects served by one daemon each see their own declaration of
//! the same name, and a catalogue dropped after an edit frees what it read.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::declared::user::DeclarationError;
use super::declared::{self, project::Sources, registry::How};
use super::{Runtime, RuntimeError};
use vx_model::manifest::Manifest;

/// A project's runtimes (or, outside a project, vx's own and the user's).
pub struct Catalogue {
    /// The project's own declarations, its registries' first.
    project: Vec<Arc<dyn Runtime>>,
    /// The user's declarations that the project's do not shadow, or why the user's
    /// directory cannot be read (said when a name is looked up past vx's own).
    user: Result<Vec<Arc<dyn Runtime>>, Arc<DeclarationError>>,
    /// What the project's declarations were read from (none outside a project).
    sources: Option<Sources>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names =
            |r: &[Arc<dyn Runtime>]| r.iter().map(|r| r.name().to_owned()).collect::<Vec<_>>();
        f.debug_struct("Catalogue")
            .field("project", &names(&self.project))
            .field("user", &self.user.as_deref().map(names))
            .finish_non_exhaustive()
    }
}

/// vx's own runtimes, in the order `vx search` lists them: immutable data compiled
/// into the binary, made once.
pub(crate) fn builtin() -> &'static [Arc<dyn Runtime>] {
    static BUILTIN: OnceLock<Vec<Arc<dyn Runtime>>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        vec![
            Arc::new(declared::node()),
            Arc::new(super::python::Python),
            Arc::new(super::go::Go),
            Arc::new(super::java::Java),
            Arc::new(super::ruby::Ruby),
            Arc::new(super::rust::Rust),
            Arc::new(super::erlang::Erlang),
            Arc::new(super::elixir::Elixir),
        ]
    })
}

/// The names and aliases of vx's own runtimes, which no declaration may take.
pub(crate) fn builtin_names() -> Vec<&'static str> {
    builtin()
        .iter()
        .flat_map(|r| std::iter::once(r.name()).chain(r.aliases()))
        .collect()
}

impl Catalogue {
    /// vx's own runtimes and the user's declarations: the catalogue outside a project
    /// (and of the user's global toolset). A user's declaration that cannot be read
    /// is an error when a name other than vx's own is looked up.
    pub fn user() -> Catalogue {
        Catalogue {
            project: Vec::new(),
            user: users(&builtin_names()).map_err(Arc::new),
            sources: None,
        }
    }

    /// vx's own runtimes alone: for what must not read the user's configuration (unit
    /// tests, the demo's names).
    pub fn builtin_only() -> Catalogue {
        Catalogue {
            project: Vec::new(),
            user: Ok(Vec::new()),
            sources: None,
        }
    }

    /// The catalogue of the project of `manifest`: its declarations (its registries'
    /// fetched as `how` allows) and the user's; an error (the user's: exit 2) names a
    /// broken file, the user's own declarations' too, or a registry's declaration that
    /// cannot be fetched.
    pub fn open(manifest: &Manifest, how: &How<'_>) -> Result<Catalogue, RuntimeError> {
        // Taken before anything is read: a change while reading shows next time.
        let sources = declared::project::sources(&manifest.path);
        let taken = builtin_names();
        let user = users(&taken)?;
        let project: Vec<Arc<dyn Runtime>> = declared::project::load(manifest, how, &taken)?
            .into_iter()
            .map(|d| Arc::new(d) as Arc<dyn Runtime>)
            .collect();
        let shadowed = |r: &Arc<dyn Runtime>| project.iter().any(|p| p.is_named(r.name()));
        let user = user.into_iter().filter(|r| !shadowed(r)).collect();
        Ok(Catalogue {
            project,
            user: Ok(user),
            sources: Some(sources),
        })
    }

    /// Whether the project's declarations (and the user's) are as they were when this
    /// was read, for the project of `manifest` (a few `stat`s): what a long-lived
    /// daemon asks before answering from it. A catalogue outside a project is never
    /// current for one.
    pub fn is_current(&self, manifest: &Path) -> bool {
        self.sources
            .as_ref()
            .is_some_and(|s| *s == declared::project::sources(manifest))
    }

    /// The runtime `name` designates: its name or an alias, as written (`node`,
    /// `nodejs`); `None` for any other name (a registry's to look up). vx's own are
    /// found without reading the user's declarations; the project's come before the
    /// user's.
    pub fn find(&self, name: &str) -> Result<Option<Arc<dyn Runtime>>, RuntimeError> {
        let found = builtin()
            .iter()
            .chain(&self.project)
            .find(|r| r.is_named(name));
        if let Some(found) = found {
            return Ok(Some(Arc::clone(found)));
        }
        Ok(self.users()?.iter().find(|r| r.is_named(name)).cloned())
    }

    /// Every runtime: vx's own, the project's, then the user's; an error when a user's
    /// declaration cannot be read.
    pub fn all(&self) -> Result<Vec<Arc<dyn Runtime>>, RuntimeError> {
        let users = self.users()?;
        Ok(builtin()
            .iter()
            .chain(&self.project)
            .chain(users)
            .cloned()
            .collect())
    }

    /// The user's declarations, or why they cannot be read.
    fn users(&self) -> Result<&[Arc<dyn Runtime>], RuntimeError> {
        self.user
            .as_deref()
            .map_err(|e| RuntimeError::DeclarationFile(Arc::clone(e)))
    }
}

/// The user's declarations (`runtimes/NAME.toml` in vx's configuration directory),
/// checked against `taken`.
fn users(taken: &[&str]) -> Result<Vec<Arc<dyn Runtime>>, DeclarationError> {
    match declared::user::dir() {
        Some(dir) => Ok(declared::user::load(&dir, taken)?
            .into_iter()
            .map(|d| Arc::new(d) as Arc<dyn Runtime>)
            .collect()),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project in `dir` whose `.vx/runtimes/acme-jdk.toml` says `summary`.
    fn project(dir: &Path, summary: &str) -> Manifest {
        let declarations = dir.join(declared::project::DIR);
        std::fs::create_dir_all(&declarations).unwrap();
        let declaration = format!(
            r#"name = "acme-jdk"
aliases = ["acmejdk"]
summary = "{summary}"
[versions]
kind = "lines"
url = "https://dl.acme.invalid/jdk/versions.txt"
[download]
url = "https://dl.acme.invalid/jdk/{{version}}/jdk-{{os}}-{{arch}}.{{ext}}"
checksums = "https://dl.acme.invalid/jdk/{{version}}/SHA256SUMS"
os = {{ linux = "linux" }}
arch = {{ x86_64 = "x64" }}
ext = {{ linux = "tar.gz" }}
[layout]
bin = ["bin/java"]
"#
        );
        std::fs::write(declarations.join("acme-jdk.toml"), declaration).unwrap();
        std::fs::write(dir.join("vx.toml"), "[tools]\nacme-jdk = \"17\"\n").unwrap();
        Manifest::load(&dir.join("vx.toml")).unwrap()
    }

    fn summary(catalogue: &Catalogue, name: &str) -> Option<String> {
        let found = catalogue.find(name).unwrap();
        found.map(|r| r.summary().to_owned())
    }

    #[test]
    fn each_project_names_its_own_declaration_beside_vx_s_runtimes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let how = How::at_hand();
        let first = Catalogue::open(&project(a.path(), "the first's"), &how).unwrap();
        let second = Catalogue::open(&project(b.path(), "the second's"), &how).unwrap();
        // By name or alias, each its own, whichever was read first.
        assert_eq!(summary(&first, "acme-jdk").as_deref(), Some("the first's"));
        assert_eq!(summary(&second, "acmejdk").as_deref(), Some("the second's"));
        assert_eq!(summary(&first, "acmejdk").as_deref(), Some("the first's"));
        // vx's own are there too, and nothing of a project outside it.
        let node = first.find("nodejs").unwrap().unwrap();
        assert_eq!(node.name(), "node");
        assert!(
            Catalogue::builtin_only()
                .find("acme-jdk")
                .unwrap()
                .is_none()
        );
        assert!(first.find("no-such-runtime").unwrap().is_none());
        let names: Vec<String> = first
            .all()
            .unwrap()
            .iter()
            .map(|r| r.name().to_owned())
            .collect();
        assert_eq!(names.iter().filter(|n| *n == "acme-jdk").count(), 1);
        assert_eq!(names.first().map(String::as_str), Some("node"));
    }

    #[test]
    fn a_catalogue_is_current_until_its_declarations_change() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = project(dir.path(), "as it was");
        let catalogue = Catalogue::open(&manifest, &How::at_hand()).unwrap();
        assert!(catalogue.is_current(&manifest.path));
        assert!(!Catalogue::user().is_current(&manifest.path));
        project(dir.path(), "as it is now, a longer summary");
        assert!(!catalogue.is_current(&manifest.path));
    }
}
