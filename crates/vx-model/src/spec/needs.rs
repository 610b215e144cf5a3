//! What a tool needs besides its download to be made: the runtime it is built with
//! (a `cargo:` crate's rust, a `go:` module's go, an `npm:` package's node), the
//! installer of its environment (vx's uv for a `pypi:` package), the environment's
//! [`Plan`] pinned at lock time, and the project folder whose `.npmrc` npm reads.
//!
//! vx's planner alone fills it (`vx_engine::resolution::needs`), from the lock; vx.toml
//! cannot: a tool's `options` are the user's keys, passed through unchanged, and no
//! key of theirs steers the installer. It travels to the installing child inside the
//! [`super::ToolSpec`] (the config frame), typed and defaulted.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ToolSpec;

/// What a tool needs installed or known before its tree can be made; empty for a
/// tool whose download is the whole tree.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    /// The runtime it is built with, installed first by the same engine into the
    /// same store; its commands go first on the build's `PATH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Box<ToolSpec>>,
    /// The installer of its environment (vx's uv for a PyPI tool), installed first the
    /// same way; without one, python's pip builds the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installer: Option<Box<ToolSpec>>,
    /// The environment its package manager builds, as the lock pins it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Plan>,
    /// The project folder whose `.npmrc` (with the user's) gives npm its registries
    /// and tokens at install: a path, never a secret (the installer reads the tokens
    /// itself); set only for a project the user trusts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npmrc_dir: Option<PathBuf>,
}

impl Needs {
    /// Whether the tool needs nothing besides its download.
    pub fn is_empty(&self) -> bool {
        *self == Needs::default()
    }
}

/// Which package manager builds a runtime tool's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    /// node's npm: `npm ci`.
    Npm,
    /// python's pip (or vx's uv) in a venv.
    Pip,
}

/// What the installer needs to build a runtime tool's environment: part of the tree's
/// identity (the store's key and the receipt record it), since it says what the tree
/// holds besides the package itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The package manager.
    pub manager: Manager,
    /// The package (`prettier`, `black`), as its registry names it.
    pub package: String,
    /// Its version.
    pub version: String,
    /// The project's runtime tool (`node`, `python`).
    pub runtime: String,
    /// The runtime's version locked.
    pub runtime_version: String,
    /// The registry or index URL (as configured, before `url_replacements`).
    pub registry: String,
    /// The manager's lockfile text.
    pub lockfile: String,
    /// Packages whose install scripts run.
    #[serde(default)]
    pub allow_builds: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec without needs is written as before (no `needs` key), and one with them
    /// reads back whole: the frame a child reads is the spec the parent planned.
    #[test]
    fn needs_travel_with_the_spec_and_are_absent_when_empty() {
        let plain = ToolSpec::new("rg", "14.1.1", "https://example.org/rg.tgz");
        let text = serde_json::to_string(&plain).unwrap();
        assert!(!text.contains("needs"), "{text}");
        let mut tool = ToolSpec::new("black", "24.1.0", "https://example.org/b.whl");
        tool.needs.runtime = Some(Box::new(ToolSpec::new(
            "python",
            "3.12.9",
            "https://example.org/python.tgz",
        )));
        tool.needs.npmrc_dir = Some(PathBuf::from("/project"));
        let back: ToolSpec = serde_json::from_str(&serde_json::to_string(&tool).unwrap()).unwrap();
        assert_eq!(back, tool);
        assert!(!back.needs.is_empty());
    }

    /// Issue 65: a user's option of the old internal names is the user's, passed
    /// through, and plans nothing.
    #[test]
    fn a_users_option_never_becomes_a_need() {
        let mut tool = ToolSpec::new("t", "1.0.0", "https://example.org/t.tgz");
        let runtime = serde_json::to_value(ToolSpec::new("evil", "1", "https://e/x")).unwrap();
        for key in [
            "vx_build_with",
            "vx_installer",
            "environment",
            "vx_npmrc_dir",
        ] {
            tool.options.insert(key.to_owned(), runtime.clone());
        }
        let back: ToolSpec = serde_json::from_str(&serde_json::to_string(&tool).unwrap()).unwrap();
        assert!(back.needs.is_empty());
        assert_eq!(back.options.len(), 4);
    }
}
