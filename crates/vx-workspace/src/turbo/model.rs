//! turbo's task model, typed and independent of vx: task ids, `dependsOn` entries,
//! input and output globs, and a task's definition as one turbo.json writes it
//! ([`TaskDef`], every field optional so files can be layered) and as it resolves for
//! one package ([`Task`]).

use std::fmt;

/// A task of a package: `web#build`; the root package's is `//#build`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    /// The package's name (`//` for the root).
    pub package: String,
    /// The task's name (the script's).
    pub task: String,
}

impl TaskId {
    /// `package#task`.
    pub fn new(package: &str, task: &str) -> TaskId {
        TaskId {
            package: package.into(),
            task: task.into(),
        }
    }

    /// A task id as turbo writes one (`web#build`, `//#build`, `@acme/ui#test`); `None`
    /// without a `#` after the first character.
    pub(crate) fn parse(text: &str) -> Option<TaskId> {
        let (package, task) = text.rsplit_once('#')?;
        (!package.is_empty() && !task.is_empty()).then(|| TaskId::new(package, task))
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.package, self.task)
    }
}

/// One `dependsOn` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dep {
    /// `^build`: the task in each package this package depends on.
    Topological(String),
    /// `build`: the task in the same package.
    Same(String),
    /// `web#build`: one package's task.
    Task(TaskId),
}

impl fmt::Display for Dep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dep::Topological(t) => write!(f, "^{t}"),
            Dep::Same(t) => f.write_str(t),
            Dep::Task(id) => id.fmt(f),
        }
    }
}

/// An `inputs`, `outputs` or `globalDependencies` glob.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Glob {
    /// The glob, without its `!` and `$TURBO_ROOT$/` prefixes.
    pub pattern: String,
    /// Written with a leading `!`: it takes away what the others match.
    pub negated: bool,
    /// Written `$TURBO_ROOT$/…`: relative to the workspace root, not the package.
    pub from_root: bool,
}

impl Glob {
    /// The glob relative to the package directory `dir` (`apps/web`), as turbo resolves
    /// it: a root-relative one climbs to the root first (`../../jest.preset.js`).
    pub fn relative_to(&self, dir: &str) -> String {
        let bang = if self.negated { "!" } else { "" };
        if !self.from_root {
            return format!("{bang}{}", self.pattern);
        }
        let up = dir.split('/').filter(|s| !s.is_empty()).count();
        let mut out = String::from(bang);
        for _ in 0..up {
            out.push_str("../");
        }
        out.push_str(&self.pattern);
        out
    }
}

/// A list field as one file writes it, and whether `$TURBO_EXTENDS$` asks to append it
/// to the inherited list rather than replace it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer<T> {
    /// The entries, `$TURBO_EXTENDS$` taken out.
    pub items: Vec<T>,
    /// Whether `$TURBO_EXTENDS$` was among them.
    pub extends: bool,
}

impl<T> Default for Layer<T> {
    fn default() -> Self {
        Layer {
            items: Vec::new(),
            extends: false,
        }
    }
}

/// A task's `inputs` as one file writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputsLayer {
    /// The globs (`$TURBO_DEFAULT$` and `$TURBO_EXTENDS$` taken out).
    pub globs: Layer<Glob>,
    /// Whether `$TURBO_DEFAULT$` was among them.
    pub default: bool,
}

/// A task's definition as one turbo.json writes it: `None` where the file says nothing,
/// so the next file in the chain keeps the value before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskDef {
    /// `dependsOn`.
    pub depends_on: Option<Layer<Dep>>,
    /// `inputs`.
    pub inputs: Option<InputsLayer>,
    /// `outputs`.
    pub outputs: Option<Layer<Glob>>,
    /// `env` (and, in a v1 `pipeline`, the `$VAR` entries of `dependsOn`).
    pub env: Option<Layer<String>>,
    /// `passThroughEnv`.
    pub pass_through_env: Option<Layer<String>>,
    /// `cache`.
    pub cache: Option<bool>,
    /// `persistent`.
    pub persistent: Option<bool>,
    /// `interactive`.
    pub interactive: Option<bool>,
    /// The task-level `extends` of a package turbo.json: `false` drops what the files
    /// before it define for this task.
    pub extends: Option<bool>,
}

impl TaskDef {
    /// Whether it says anything besides `extends`.
    pub(crate) fn has_config(&self) -> bool {
        let bare = TaskDef {
            extends: self.extends,
            ..TaskDef::default()
        };
        *self != bare
    }
}

/// A task's definition resolved for one package: the chain of turbo.json files merged
/// field by field, defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// `dependsOn`, sorted.
    pub depends_on: Vec<Dep>,
    /// `inputs` globs (negations among them), relative to the package unless
    /// `from_root`; empty with `default_inputs` means every file of the package.
    pub inputs: Vec<Glob>,
    /// Whether the inputs include turbo's default (`$TURBO_DEFAULT$`, or no `inputs`
    /// at all): every file of the package that git does not ignore.
    pub default_inputs: bool,
    /// `outputs` globs (negations among them), sorted.
    pub outputs: Vec<Glob>,
    /// `env`: variables (wildcards such as `NEXT_PUBLIC_*`, `!` exclusions) whose
    /// values are part of the task's key, sorted.
    pub env: Vec<String>,
    /// `passThroughEnv`: variables the task may see without being keyed by them;
    /// `None` when no file sets it.
    pub pass_through_env: Option<Vec<String>>,
    /// `cache` (default true).
    pub cache: bool,
    /// `persistent` (default false): a long-running task nothing may depend on.
    pub persistent: bool,
    /// `interactive` (default false): the task reads the terminal.
    pub interactive: bool,
}
