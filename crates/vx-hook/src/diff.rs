//! From the shell's environment, the previous [`State`] and the project the working
//! directory wants, what to change: undo what was applied, then apply the project.
//!
//! Undoing puts every variable the project set or unset back to its value before (or
//! unsets it), and `PATH` back to its value before when it is still what vx left;
//! when the user changed `PATH` meanwhile, only the entries vx put in front are taken
//! out, and the user's own changes stay. Applying expands `[env]` against the
//! environment as it is after undoing (a `${RUST_LOG:-info}` sees the user's value,
//! never the previous project's), then puts the tools' bin directories and `[settings]
//! path` in front of `PATH`. Only the variables whose value ends up different from the
//! shell's are changed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::state::{Applied, STATE_VAR, State, Watched};
use vx_model::project_env::{Changes, joined_path};
use vx_model::task::EnvVar;

/// The project the working directory wants applied.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// Its manifest.
    pub manifest: PathBuf,
    /// What the answer came from (see [`State::watched`]).
    pub watched: Vec<Watched>,
    /// The directories in front of `PATH`: the tools' bins, then `[settings] path`.
    pub path: Vec<PathBuf>,
    /// `[env]`, as templates.
    pub vars: Vec<EnvVar>,
    /// The project directory (`{project}`), as [`vx_model::project_env::Declared`] has it.
    pub project: PathBuf,
}

/// One change to the shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Set and export the variable.
    Set(String, String),
    /// Remove the variable.
    Unset(String),
}

/// The changes that take a shell whose variables `env` gives, holding `old`, to
/// `target` (`None`: no project), and the state to leave for the next prompt.
pub(crate) fn plan(
    env: &dyn Fn(&str) -> Option<String>,
    old: &State,
    target: Option<&Target>,
) -> (Vec<Op>, State) {
    let mut view = View {
        env,
        over: BTreeMap::new(),
    };
    undo(&mut view, &old.applied);
    let mut applied = Applied::default();
    if let Some(target) = target {
        let lookup = |name: &str| view.get(name);
        let changes = Changes::of(&target.vars, &target.project, &lookup);
        let resolved: Vec<(String, Option<String>)> = changes
            .resolved()
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)))
            .collect();
        for (name, value) in resolved {
            applied.vars.push((name.clone(), view.get(&name)));
            view.over.insert(name, value);
        }
        if !target.path.is_empty() {
            let before = view.get("PATH");
            let path = joined_path(&target.path, before.as_deref().map(std::ffi::OsStr::new));
            view.over
                .insert("PATH".to_owned(), Some(path.to_string_lossy().into_owned()));
            applied.path_added = target.path.clone();
            applied.path_before = before;
        }
    }
    let state = State {
        manifest: target.map(|t| t.manifest.clone()),
        watched: target.map(|t| t.watched.clone()).unwrap_or_default(),
        applied,
    };
    let mut ops: Vec<Op> = view
        .over
        .iter()
        .filter(|(name, value)| env(name) != **value)
        .map(|(name, value)| match value {
            Some(value) => Op::Set(name.clone(), value.clone()),
            None => Op::Unset(name.clone()),
        })
        .collect();
    ops.extend(state_op(env, &state));
    (ops, state)
}

/// The change that leaves `state` in the shell, `None` when there is nothing to
/// remember and nothing to forget.
pub(crate) fn state_op(env: &dyn Fn(&str) -> Option<String>, state: &State) -> Option<Op> {
    match (state.is_empty(), env(STATE_VAR)) {
        (true, None) => None,
        (true, Some(_)) => Some(Op::Unset(STATE_VAR.to_owned())),
        (false, _) => Some(Op::Set(STATE_VAR.to_owned(), state.encode())),
    }
}

/// The shell's environment with the changes decided so far laid over it.
struct View<'e> {
    env: &'e dyn Fn(&str) -> Option<String>,
    over: BTreeMap<String, Option<String>>,
}

impl View<'_> {
    fn get(&self, name: &str) -> Option<String> {
        match self.over.get(name) {
            Some(value) => value.clone(),
            None => (self.env)(name),
        }
    }
}

/// Takes back what `applied` did (see the module docs).
fn undo(view: &mut View<'_>, applied: &Applied) {
    for (name, before) in &applied.vars {
        view.over.insert(name.clone(), before.clone());
    }
    if applied.path_added.is_empty() {
        return;
    }
    let now = view.get("PATH");
    let left = joined_path(
        &applied.path_added,
        applied.path_before.as_deref().map(std::ffi::OsStr::new),
    );
    let restored = if now.as_deref().map(std::ffi::OsStr::new) == Some(left.as_os_str()) {
        applied.path_before.clone()
    } else {
        // The user changed PATH inside the project: keep that, take out what vx added.
        let mut entries: Vec<PathBuf> = now
            .as_deref()
            .map(|p| std::env::split_paths(p).collect())
            .unwrap_or_default();
        for dir in &applied.path_added {
            if let Some(at) = entries.iter().position(|e| e == dir) {
                entries.remove(at);
            }
        }
        std::env::join_paths(entries)
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    };
    view.over.insert("PATH".to_owned(), restored);
}

#[cfg(all(test, unix))]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A shell's environment, changed by ops as the shell would.
    #[derive(Clone, Default)]
    struct Shell(HashMap<String, String>);

    impl Shell {
        fn of(pairs: &[(&str, &str)]) -> Shell {
            Shell(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
            )
        }
        fn get(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        /// One prompt: plans against `target` and applies the ops.
        fn prompt(&mut self, target: Option<&Target>) -> Vec<Op> {
            let old = self
                .get(STATE_VAR)
                .and_then(|s| State::decode(&s))
                .unwrap_or_default();
            let (ops, _) = plan(&|n| self.get(n), &old, target);
            for op in &ops {
                match op {
                    Op::Set(n, v) => self.0.insert(n.clone(), v.clone()),
                    Op::Unset(n) => self.0.remove(n),
                };
            }
            ops
        }
        fn without_state(&self) -> HashMap<String, String> {
            let mut vars = self.0.clone();
            vars.remove(STATE_VAR);
            vars
        }
    }

    fn var(name: &str, value: Option<&str>) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: value.map(Into::into),
            line: 1,
            literal: false,
        }
    }

    fn project(dir: &str, bins: &[&str], vars: Vec<EnvVar>) -> Target {
        Target {
            manifest: PathBuf::from(dir).join("vx.toml"),
            watched: Vec::new(),
            path: bins.iter().map(PathBuf::from).collect(),
            vars,
            project: PathBuf::from(dir),
        }
    }

    fn user() -> Shell {
        Shell::of(&[
            ("PATH", "/usr/bin:/bin"),
            ("OVERRIDDEN", "user's"),
            ("LEGACY", "old"),
            ("RUST_LOG", "debug"),
        ])
    }

    #[test]
    fn entering_sets_and_leaving_restores_every_variable() {
        let a = project(
            "/p/a",
            &["/s/rg/bin", "/p/a/scripts"],
            vec![
                var("OVERRIDDEN", Some("project's")),
                var("LEGACY", None),
                var("NEW", Some("{project}/target")),
                var("LOG", Some("${RUST_LOG:-info}")),
            ],
        );
        let mut shell = user();
        let before = shell.without_state();
        shell.prompt(Some(&a));
        assert_eq!(
            shell.get("PATH").unwrap(),
            "/s/rg/bin:/p/a/scripts:/usr/bin:/bin"
        );
        assert_eq!(shell.get("OVERRIDDEN").unwrap(), "project's");
        assert_eq!(shell.get("LEGACY"), None);
        assert_eq!(shell.get("NEW").unwrap(), "/p/a/target");
        assert_eq!(shell.get("LOG").unwrap(), "debug");
        assert!(shell.get(STATE_VAR).is_some());
        // Same project again: nothing but the (same) state.
        let again = shell.prompt(Some(&a));
        assert!(
            again
                .iter()
                .all(|op| matches!(op, Op::Set(n, _) if n == STATE_VAR)),
            "{again:?}"
        );
        shell.prompt(None);
        assert_eq!(shell.without_state(), before);
        assert_eq!(shell.get(STATE_VAR), None);
    }

    #[test]
    fn moving_to_another_project_switches_against_the_users_values() {
        let a = project(
            "/p/a",
            &["/s/a/bin"],
            vec![
                var("OVERRIDDEN", Some("a")),
                var("ONLY_A", Some("1")),
                var("LEGACY", None),
            ],
        );
        let b = project(
            "/p/b",
            &["/s/b/bin"],
            vec![
                var("OVERRIDDEN", Some("b:${OVERRIDDEN}")),
                var("LOG", Some("${RUST_LOG:-info}")),
            ],
        );
        let mut shell = user();
        let before = shell.without_state();
        shell.prompt(Some(&a));
        shell.prompt(Some(&b));
        assert_eq!(shell.get("PATH").unwrap(), "/s/b/bin:/usr/bin:/bin");
        assert_eq!(
            shell.get("OVERRIDDEN").unwrap(),
            "b:user's",
            "expanded against the user's value"
        );
        assert_eq!(shell.get("ONLY_A"), None);
        assert_eq!(shell.get("LEGACY").unwrap(), "old");
        shell.prompt(None);
        assert_eq!(shell.without_state(), before);
    }

    #[test]
    fn a_path_the_user_changed_inside_keeps_the_users_change() {
        let a = project("/p/a", &["/s/a/bin"], Vec::new());
        let mut shell = user();
        shell.prompt(Some(&a));
        let path = shell.get("PATH").unwrap();
        shell.0.insert("PATH".into(), format!("/home/u/bin:{path}"));
        shell.prompt(None);
        assert_eq!(shell.get("PATH").unwrap(), "/home/u/bin:/usr/bin:/bin");
    }

    #[test]
    fn a_path_entry_the_user_had_comes_back_in_its_place() {
        // The user's PATH already holds the project's directory, later on: vx moves it
        // to the front, and leaving puts PATH back byte for byte.
        let a = project("/p/a", &["/s/a/bin"], Vec::new());
        let mut shell = Shell::of(&[("PATH", "/usr/bin:/s/a/bin:/bin")]);
        shell.prompt(Some(&a));
        assert_eq!(shell.get("PATH").unwrap(), "/s/a/bin:/usr/bin:/bin");
        shell.prompt(None);
        assert_eq!(shell.get("PATH").unwrap(), "/usr/bin:/s/a/bin:/bin");
    }

    #[test]
    fn a_corrupt_state_is_nothing_applied() {
        let a = project("/p/a", &["/s/a/bin"], vec![var("X", Some("1"))]);
        let mut shell = user();
        shell.0.insert(STATE_VAR.into(), "vx1.garbage!".into());
        shell.prompt(Some(&a));
        assert_eq!(shell.get("X").unwrap(), "1");
        assert_eq!(shell.get("PATH").unwrap(), "/s/a/bin:/usr/bin:/bin");
        shell.prompt(None);
        assert_eq!(shell.without_state(), user().0);
    }
}
