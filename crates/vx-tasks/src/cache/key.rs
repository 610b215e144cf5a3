//! A task's key: the SHA-256 of a canonical JSON document of everything that can change
//! its result, and nothing of this machine's (no absolute path, no `PATH`, `HOME` or
//! `PWD`, no value of an env file).
//!
//! The document (`vx run TASK --explain-key` prints it) holds:
//!
//! - `format`: `vx.task-key.v1`, so a change of these rules never meets an old key;
//! - `task`, `platform` (`linux-x86_64`), `salt` (`[settings] task_cache_salt`);
//! - `commands`: the `run` lines after templating (arguments filled in), or a file
//!   task's path and arguments (its file is hashed among `sources`); `dir`; `shell`:
//!   the program and words they start under, when the task names one (left out
//!   otherwise, so other tasks' keys are as before);
//! - `env`: the project's `[env]` and the task's `env`, and its named arguments, each
//!   as written (`{project}` stays `{project}`); a value that takes from an environment
//!   (`${VAR}`) is recorded as its template and the SHA-256 of the value the task sees
//!   (an entry above it, an env file or the inherited environment giving `VAR`), so a
//!   secret passed that way changes the key without being written into it; for a task
//!   with no `dir` (it runs where `vx run` started) or whose commands read `VX_CWD`
//!   (mise's `{{cwd}}`), where `vx run` started, as a path from the project;
//! - `tools`: each tool on the task's `PATH` as its lock entry for this platform (URL
//!   and sha256, not the version string);
//! - `sources`: each file the `sources` globs match, by its project-relative path
//!   (`/`-separated), with `sha256:…` of its content ([`crate::runner::fresh::source_id`]);
//! - `hashed_env`: for a monorepo's package task, each variable turbo's `env` and
//!   `globalEnv` name, by name: `sha256:…` of its value, or `unset` (an empty value
//!   and an unset one differ); left out when there are none;
//! - `locked`: for a monorepo's package task, the entries its package manager's
//!   lockfile resolves for its package (left out of the document when there are none,
//!   so other tasks' keys are as before);
//! - `outputs`: the globs (what a result holds);
//! - `depends`: the keys of the tasks it depends on, by name.
//!
//! Canonical means: one JSON text for one set of inputs. Every object's keys are
//! sorted (the document's fields are declared in alphabetical order, the maps are
//! `BTreeMap`s), no whitespace (serde_json's compact form), UTF-8; the key is the
//! SHA-256 of that text, in lower-case hex. A tool in another language recomputes a
//! key from `--explain-key`'s document by serializing it so.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::runner::fresh::Sources;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `format` of a key document of this version.
pub(crate) const FORMAT: &str = "vx.task-key.v1";

/// A tool on the task's `PATH` as the key names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolPin {
    /// The lock entry's URL for this platform (or `store:VERSION` for a tool the store
    /// holds without a lock entry).
    pub url: String,
    /// Its checksum (`sha256:HEX`, or the registry's own hash), when the lock has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha256: Option<String>,
}

/// What a task's key is made of before the run: everything but its sources' content
/// and its dependencies' keys, which are read when it is about to start (a dependency
/// may write its sources).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipe {
    /// The task's name.
    pub task: String,
    /// The project directory (never written into the document).
    pub project: PathBuf,
    /// The platform (`linux-x86_64`).
    pub platform: String,
    /// `[settings] task_cache_salt`.
    pub salt: Option<String>,
    /// Its commands after templating.
    pub commands: Vec<String>,
    /// The program and words its commands start under (its `shell`; empty: the
    /// platform's).
    pub shell: Vec<String>,
    /// Its `dir`, as written.
    pub dir: Option<String>,
    /// Its environment as the key records it (see the module).
    pub env: BTreeMap<String, Option<String>>,
    /// The tools on its `PATH`, by name.
    pub tools: BTreeMap<String, ToolPin>,
    /// Its `sources` globs (and a file task's file).
    pub sources: Vec<String>,
    /// Those of `sources` whose files count only where git does not ignore them
    /// (`Task::tracked_sources`).
    pub tracked_sources: Vec<String>,
    /// Its `outputs` globs.
    pub outputs: Vec<String>,
    /// Its package's lockfile entries (a monorepo's package task).
    pub locked: Vec<String>,
    /// The variables of vx's environment its key holds by value hash (see the module).
    pub hashed_env: BTreeMap<String, String>,
}

/// The key document (see the module for its fields). Its fields are declared in
/// alphabetical order, so the canonical text (fields in declaration order) and any
/// JSON printer that sorts keys agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The commands after templating.
    pub commands: Vec<String>,
    /// The dependencies' keys, by name.
    pub depends: BTreeMap<String, String>,
    /// The working directory, relative to the project.
    pub dir: Option<String>,
    /// The environment the task sees of the project's.
    pub env: BTreeMap<String, Option<String>>,
    /// [`FORMAT`].
    pub format: String,
    /// Variables of vx's environment by the hash of their value (none: not in the
    /// document).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub hashed_env: BTreeMap<String, String>,
    /// Its package's lockfile entries, sorted (none: not in the document).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub locked: Vec<String>,
    /// The outputs' globs.
    pub outputs: Vec<String>,
    /// The platform.
    pub platform: String,
    /// The team's salt.
    pub salt: Option<String>,
    /// The program and words the commands start under (none: the platform's shell,
    /// and not in the document, so the keys of tasks without one are as before).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub shell: Vec<String>,
    /// Each source file's content hash by its project-relative path.
    pub sources: BTreeMap<String, String>,
    /// The task's name.
    pub task: String,
    /// The tools on its `PATH`.
    pub tools: BTreeMap<String, ToolPin>,
}

impl Recipe {
    /// Whether its `sources` name files and `document` (its key's) holds none: a glob
    /// that names nothing (a typo, a directory not made yet) keys nothing of the task's
    /// own, so such a task is neither up to date, restored nor kept: it runs each
    /// time, as mise runs it, and says why ([`Recipe::no_source_note`]).
    pub(crate) fn matches_no_source(&self, document: &Document) -> bool {
        self.sources.iter().any(|g| !g.starts_with('!')) && document.sources.is_empty()
    }

    /// What a run of a task whose sources matched no file says.
    pub(crate) fn no_source_note(&self) -> String {
        format!(
            "not kept: its sources ({}) matched no file, so it runs each time",
            self.sources.join(", ")
        )
    }

    /// The variables of `vars` (vx's environment) that `patterns` name (names, `*`
    /// wildcards, `!` exclusions), each as the key records it: `sha256:` of its value;
    /// a name written plainly and not set is `unset`.
    pub(crate) fn hashed_env(
        patterns: &[String],
        vars: impl Iterator<Item = (String, String)>,
    ) -> BTreeMap<String, String> {
        use vx_base::glob::pattern_matches;
        let (except, named): (Vec<&String>, Vec<&String>) =
            patterns.iter().partition(|p| p.starts_with('!'));
        let excluded = |name: &str| except.iter().any(|p| pattern_matches(&p[1..], name));
        let mut out: BTreeMap<String, String> = named
            .iter()
            .filter(|p| !vx_base::glob::is_glob(p) && !excluded(p))
            .map(|p| (p.to_string(), "unset".to_owned()))
            .collect();
        for (name, value) in vars {
            if named.iter().any(|p| pattern_matches(p, &name)) && !excluded(&name) {
                let hash = format!("sha256:{}", hex::encode(Sha256::digest(value.as_bytes())));
                out.insert(name, hash);
            }
        }
        out
    }

    /// How the key records a variable whose template is `template` (`None`: removed)
    /// and whose value, as the task sees it, is `seen`: the template alone when it takes
    /// nothing from an environment, else the template and the SHA-256 of `seen` (so a
    /// value an env file or an entry above gives it counts, and is never written).
    pub(crate) fn env_value(
        template: Option<&str>,
        literal: bool,
        seen: Option<&str>,
    ) -> Option<String> {
        let template = template?;
        if literal || !template.contains('$') {
            return Some(template.to_owned());
        }
        let value = seen.unwrap_or_default();
        Some(format!(
            "{template} (value sha256:{})",
            hex::encode(Sha256::digest(value.as_bytes()))
        ))
    }

    /// The document of this recipe now: its sources hashed as they are, with
    /// `depends` (each dependency's name and key).
    pub fn document(&self, depends: BTreeMap<String, String>) -> Document {
        self.document_of(depends, &self.read_sources())
    }

    /// Its sources as they are now (each file read and hashed once: the same reading
    /// serves the task's up-to-date stamp when their globs are the same).
    pub(crate) fn read_sources(&self) -> Sources {
        Sources::read(&self.project, &self.sources, &self.tracked_sources)
    }

    /// The document of this recipe with its `sources` read already (by
    /// [`Recipe::read_sources`]; others are read again) and `depends`.
    pub(crate) fn document_of(
        &self,
        depends: BTreeMap<String, String>,
        sources: &Sources,
    ) -> Document {
        let read;
        let sources = if sources.are(&self.project, &self.sources, &self.tracked_sources) {
            sources
        } else {
            read = self.read_sources();
            &read
        };
        let sources = sources.ids().map(|(rel, id)| (slashed(rel), id)).collect();
        Document {
            format: FORMAT.to_owned(),
            task: self.task.clone(),
            platform: self.platform.clone(),
            salt: self.salt.clone(),
            commands: self.commands.clone(),
            shell: self.shell.clone(),
            dir: self.dir.clone(),
            env: self.env.clone(),
            tools: self.tools.clone(),
            sources,
            outputs: self.outputs.clone(),
            locked: self.locked.clone(),
            hashed_env: self.hashed_env.clone(),
            depends,
        }
    }
}

impl Document {
    /// The canonical text: compact JSON of the fields in their order, maps sorted.
    pub(crate) fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a document of strings serializes")
    }

    /// The key: the SHA-256 of [`Document::canonical`], lower-case hex.
    pub fn key(&self) -> String {
        hex::encode(Sha256::digest(self.canonical()))
    }

    /// The first input in which `self` differs from `other` (a previous key's
    /// document), in words: `source src/a.c`, `command 1`, `env CC`, … `None` when
    /// they are the same.
    pub(crate) fn first_difference(&self, other: &Document) -> Option<String> {
        if self.format != other.format {
            return Some("the key format".to_owned());
        }
        if self.platform != other.platform {
            return Some("the platform".to_owned());
        }
        if self.salt != other.salt {
            return Some("the salt".to_owned());
        }
        if self.commands != other.commands {
            let at = self
                .commands
                .iter()
                .zip(&other.commands)
                .position(|(a, b)| a != b)
                .unwrap_or(self.commands.len().min(other.commands.len()));
            return Some(format!("command {}", at + 1));
        }
        if self.dir != other.dir {
            return Some("dir".to_owned());
        }
        if self.locked != other.locked {
            let entry = self
                .locked
                .iter()
                .chain(&other.locked)
                .find(|e| !self.locked.contains(e) || !other.locked.contains(e));
            return Some(format!(
                "lockfile entry {}",
                entry.map_or("", |e| e.as_str())
            ));
        }
        let maps: [(&str, Vec<String>); 5] = [
            ("env", differing(&self.env, &other.env)),
            ("env value", differing(&self.hashed_env, &other.hashed_env)),
            ("tool", differing(&self.tools, &other.tools)),
            ("source", differing(&self.sources, &other.sources)),
            ("dependency", differing(&self.depends, &other.depends)),
        ];
        for (what, names) in maps {
            if let Some(name) = names.first() {
                return Some(format!("{what} {name}"));
            }
        }
        (self.outputs != other.outputs).then(|| "outputs".to_owned())
    }
}

/// The names whose values differ between two maps (present in one only included).
fn differing<V: PartialEq>(a: &BTreeMap<String, V>, b: &BTreeMap<String, V>) -> Vec<String> {
    let mut names: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
        .collect();
    names.sort();
    names
}

/// A relative path with `/` between its parts, whatever the platform.
pub(crate) fn slashed(rel: &Path) -> String {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(project: &Path) -> Recipe {
        Recipe {
            task: "build".into(),
            project: project.to_owned(),
            platform: "linux-x86_64".into(),
            salt: None,
            commands: vec!["cc -o out/a a.c".into()],
            shell: Vec::new(),
            dir: None,
            env: BTreeMap::new(),
            tools: BTreeMap::new(),
            sources: vec!["*.c".into()],
            outputs: vec!["out".into()],
            locked: Vec::new(),
            hashed_env: BTreeMap::new(),
            tracked_sources: Vec::new(),
        }
    }

    #[test]
    fn turbos_env_is_keyed_by_value_hash_unset_and_empty_apart_and_never_written() {
        let patterns: Vec<String> = ["API_URL", "NEXT_PUBLIC_*", "!NEXT_PUBLIC_SKIP", "UNSET"]
            .map(String::from)
            .to_vec();
        let vars = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
                .into_iter()
        };
        let env = Recipe::hashed_env(
            &patterns,
            vars(&[
                ("API_URL", "https://secret.example"),
                ("NEXT_PUBLIC_A", "a"),
                ("NEXT_PUBLIC_SKIP", "x"),
                ("HOME", "/root"),
            ]),
        );
        let names: Vec<&str> = env.keys().map(String::as_str).collect();
        assert_eq!(names, ["API_URL", "NEXT_PUBLIC_A", "UNSET"]);
        assert_eq!(env["UNSET"], "unset");
        assert!(env["API_URL"].starts_with("sha256:") && !env["API_URL"].contains("secret"));
        let empty = Recipe::hashed_env(&patterns, vars(&[("UNSET", "")]));
        assert_ne!(
            empty["UNSET"], "unset",
            "an empty value is not an unset one"
        );
        // A recipe without them keeps the document (and key) it had before.
        let dir = tempfile::tempdir().unwrap();
        let plain = recipe(dir.path()).document(BTreeMap::new());
        let text = String::from_utf8(plain.canonical()).unwrap();
        assert!(
            !text.contains("hashed_env") && !text.contains("locked") && !text.contains("shell"),
            "{text}"
        );
        let keyed = Recipe {
            hashed_env: env,
            ..recipe(dir.path())
        };
        assert_ne!(keyed.document(BTreeMap::new()).key(), plain.key());
        let shelled = Recipe {
            shell: vec!["bash".into(), "-c".into()],
            ..recipe(dir.path())
        };
        assert_ne!(shelled.document(BTreeMap::new()).key(), plain.key());
    }

    #[test]
    fn the_key_follows_the_sources_content_and_not_the_projects_place() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [&one, &two] {
            std::fs::write(dir.path().join("a.c"), "int main(){}").unwrap();
        }
        let a = recipe(one.path()).document(BTreeMap::new());
        let b = recipe(two.path()).document(BTreeMap::new());
        assert_eq!(a.key(), b.key(), "two clones, one key");
        let text = String::from_utf8(a.canonical()).unwrap();
        assert!(!text.contains(&one.path().display().to_string()), "{text}");
        std::fs::write(two.path().join("a.c"), "int main(){return 1;}").unwrap();
        let c = recipe(two.path()).document(BTreeMap::new());
        assert_ne!(a.key(), c.key());
        assert_eq!(a.first_difference(&c).as_deref(), Some("source a.c"));
    }

    #[test]
    fn an_inherited_value_is_recorded_by_its_hash_only() {
        let recorded = Recipe::env_value(Some("${TOKEN}"), false, Some("s3cret")).unwrap();
        assert!(!recorded.contains("s3cret"), "{recorded}");
        assert!(
            recorded.starts_with("${TOKEN} (value sha256:"),
            "{recorded}"
        );
        let other = Recipe::env_value(Some("${TOKEN}"), false, Some("other")).unwrap();
        assert_ne!(recorded, other, "another value, another record");
        assert_eq!(
            Recipe::env_value(Some("{project}/x"), false, Some("/p/x")),
            Some("{project}/x".into())
        );
    }
}
