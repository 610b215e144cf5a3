//! One turbo.json (or turbo.jsonc) read into [`TurboFile`]: v2 `tasks` or v1
//! `pipeline`, every field typed, and each key vx cannot map set aside with why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::model::{Dep, Glob, InputsLayer, Layer, TaskDef, TaskId};
use crate::error::{Error, Result};

const TURBO_DEFAULT: &str = "$TURBO_DEFAULT$";
const TURBO_ROOT: &str = "$TURBO_ROOT$";
const TURBO_EXTENDS: &str = "$TURBO_EXTENDS$";

/// A key of a turbo.json that vx reads but cannot map onto its task model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    /// The key (`ui`, `outputLogs`, …).
    pub key: String,
    /// Where: the file, and the task for a task's key (`turbo.json: tasks.lint`).
    pub place: String,
    /// Why it does not map.
    pub why: &'static str,
}

/// One turbo.json as written.
#[derive(Clone, Debug, Default)]
pub struct TurboFile {
    /// The file.
    pub file: PathBuf,
    /// Whether it is a v1 file (`pipeline` rather than `tasks`).
    pub v1: bool,
    /// `extends`: the packages (`//` for the root) whose turbo.json this one builds on.
    pub extends: Vec<String>,
    /// `globalDependencies`: files (relative to the root) every task depends on.
    pub global_dependencies: Vec<Glob>,
    /// `globalEnv` (and a v1 file's `$VAR` global dependencies).
    pub global_env: Vec<String>,
    /// `globalPassThroughEnv`.
    pub global_pass_through_env: Option<Vec<String>>,
    /// The task definitions by key as written (`build`, `web#build`, `//#lint`).
    pub tasks: BTreeMap<String, TaskDef>,
    /// The keys vx cannot map, in the order met.
    pub unmapped: Vec<Unmapped>,
}

struct Ctx<'a> {
    file: &'a Path,
    v1: bool,
}

impl Ctx<'_> {
    fn invalid(&self, message: String) -> Error {
        Error::Invalid {
            file: self.file.to_owned(),
            message,
        }
    }

    fn strings(&self, key: &str, v: &Value) -> Result<Vec<String>> {
        let Value::Array(items) = v else {
            return Err(self.invalid(format!("`{key}` is not a list")));
        };
        items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    self.invalid(format!("`{key}` has an entry that is not a string"))
                })
            })
            .collect()
    }

    fn bool(&self, key: &str, v: &Value) -> Result<bool> {
        v.as_bool()
            .ok_or_else(|| self.invalid(format!("`{key}` is not true or false")))
    }

    /// A glob of `inputs`, `outputs` or `globalDependencies`.
    fn glob(&self, key: &str, raw: &str) -> Result<Glob> {
        let (negated, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, raw),
        };
        let (from_root, pattern) = match rest.strip_prefix(TURBO_ROOT) {
            Some(r) => match r.strip_prefix('/') {
                Some(p) => (true, p),
                None => {
                    return Err(self.invalid(format!(
                        "`{key}`: {TURBO_ROOT} must be followed by a `/` in {raw:?}"
                    )));
                }
            },
            None if rest.contains(TURBO_ROOT) => {
                return Err(self.invalid(format!(
                    "`{key}`: {TURBO_ROOT} must start the glob in {raw:?}"
                )));
            }
            None => (false, rest),
        };
        if pattern.starts_with('/') || Path::new(pattern).is_absolute() {
            return Err(self.invalid(format!(
                "`{key}`: {raw:?} is an absolute path; turbo takes relative globs"
            )));
        }
        if let Err(e) = vx_base::glob::check(pattern) {
            return Err(self.invalid(format!("`{key}`: {e}")));
        }
        Ok(Glob {
            pattern: pattern.to_owned(),
            negated,
            from_root,
        })
    }

    /// An `env`-like list: `$TURBO_EXTENDS$` taken out; a `$` prefix is an error (it was
    /// v1's way to name variables in `dependsOn`).
    fn env(&self, key: &str, v: &Value) -> Result<Layer<String>> {
        let mut layer = Layer::default();
        for s in self.strings(key, v)? {
            if s == TURBO_EXTENDS {
                layer.extends = true;
            } else if s.starts_with('$') {
                return Err(self.invalid(format!("`{key}`: write {:?} without its `$`", s)));
            } else {
                layer.items.push(s);
            }
        }
        layer.items.sort();
        layer.items.dedup();
        Ok(layer)
    }
}

/// Root keys vx does not map, with why.
fn root_key_why(key: &str) -> Option<&'static str> {
    Some(match key {
        "ui" => "vx has its own live views",
        "remoteCache" | "experimentalSpaces" => {
            "vx shares results through its own signed registry cache"
        }
        "daemon" | "noUpdateNotifier" | "dangerouslyDisablePackageManagerCheck" => {
            "a setting of turbo's own process"
        }
        "envMode" => "vx passes the environment as its task model says",
        "cacheDir" => "vx keeps results in its own store",
        "concurrency" => "vx's -j sets how many tasks run at once",
        "futureFlags" => "a switch of turbo's own features",
        "boundaries" | "tags" => "turbo's package boundary checks",
        "baseBranch" => "vx's --affected finds its own base",
        _ => return None,
    })
}

/// Task keys vx does not map, with why.
fn task_key_why(key: &str) -> Option<&'static str> {
    Some(match key {
        "outputLogs" | "outputMode" => "vx shows task output its own way",
        "interruptible" => "turbo's watch mode restarts",
        "with" => "turbo's sibling tasks",
        "envMode" => "vx passes the environment as its task model says",
        "description" => "a note for turbo's listings",
        _ => return None,
    })
}

/// Reads one turbo.json's text; `place` is its path relative to the workspace root (for
/// [`Unmapped::place`]); `is_root` for the workspace root's.
pub(crate) fn parse(file: &Path, place: &str, text: &str, is_root: bool) -> Result<TurboFile> {
    let value: Value = crate::read::jsonc(file, text)?;
    let Value::Object(top) = value else {
        return Err(Error::Invalid {
            file: file.to_owned(),
            message: "not a JSON object".into(),
        });
    };
    let v1 = top.contains_key("pipeline") && !top.contains_key("tasks");
    let ctx = Ctx { file, v1 };
    let name = place.to_owned();
    let mut out = TurboFile {
        file: file.to_owned(),
        v1,
        ..TurboFile::default()
    };
    for (key, v) in &top {
        match key.as_str() {
            "$schema" | "//" => {}
            "tasks" | "pipeline" => {
                if key == "pipeline" && !v1 {
                    return Err(ctx.invalid(
                        "both `tasks` and `pipeline`: `pipeline` is turbo 1's name for `tasks`"
                            .into(),
                    ));
                }
                let Value::Object(tasks) = v else {
                    return Err(ctx.invalid(format!("`{key}` is not an object")));
                };
                for (task, def) in tasks {
                    if !is_root && TaskId::parse(task).is_some() {
                        return Err(ctx.invalid(format!(
                            "`{task}`: a package's turbo.json names its tasks without `package#`"
                        )));
                    }
                    let Value::Object(def) = def else {
                        return Err(ctx.invalid(format!("`{key}.{task}` is not an object")));
                    };
                    let place = format!("{name}: {key}.{task}");
                    out.tasks.insert(
                        task.clone(),
                        task_def(&ctx, def, &place, &mut out.unmapped)?,
                    );
                }
            }
            "extends" if is_root => {
                return Err(ctx.invalid("the root turbo.json cannot `extends`".into()));
            }
            "extends" => out.extends = ctx.strings(key, v)?,
            "globalDependencies" => {
                for g in ctx.strings(key, v)? {
                    match g.strip_prefix('$') {
                        Some(var) if v1 => out.global_env.push(var.to_owned()),
                        _ => out.global_dependencies.push(ctx.glob(key, &g)?),
                    }
                }
            }
            "globalEnv" => out.global_env.extend(ctx.env(key, v)?.items),
            "globalPassThroughEnv" => out.global_pass_through_env = Some(ctx.env(key, v)?.items),
            "futureFlags" if v.as_object().is_some_and(Map::is_empty) => {}
            other => out.unmapped.push(Unmapped {
                key: other.to_owned(),
                place: name.clone(),
                why: root_key_why(other).unwrap_or("not a turbo.json key"),
            }),
        }
    }
    if !is_root && out.extends.is_empty() {
        return Err(ctx.invalid("a package's turbo.json needs `\"extends\": [\"//\"]`".into()));
    }
    out.global_env.sort();
    out.global_env.dedup();
    Ok(out)
}

fn task_def(
    ctx: &Ctx,
    def: &Map<String, Value>,
    place: &str,
    unmapped: &mut Vec<Unmapped>,
) -> Result<TaskDef> {
    let mut t = TaskDef::default();
    for (key, v) in def {
        match key.as_str() {
            "dependsOn" => {
                let mut layer = Layer::default();
                let mut env = Vec::new();
                for d in ctx.strings(key, v)? {
                    if d == TURBO_EXTENDS {
                        layer.extends = true;
                    } else if let Some(t) = d.strip_prefix('^') {
                        layer.items.push(Dep::Topological(t.to_owned()));
                    } else if let Some(var) = d.strip_prefix('$') {
                        if !ctx.v1 {
                            return Err(ctx.invalid(format!(
                                "`dependsOn`: {d:?} is turbo 1's way to name a variable; list it in `env`"
                            )));
                        }
                        env.push(var.to_owned());
                    } else if let Some(id) = TaskId::parse(&d) {
                        layer.items.push(Dep::Task(id));
                    } else {
                        layer.items.push(Dep::Same(d));
                    }
                }
                layer.items.sort();
                layer.items.dedup();
                t.depends_on = Some(layer);
                if !env.is_empty() {
                    let e = t.env.get_or_insert_with(Layer::default);
                    e.items.extend(env);
                    e.items.sort();
                    e.items.dedup();
                }
            }
            "inputs" => {
                let mut inputs = InputsLayer::default();
                for g in ctx.strings(key, v)? {
                    match g.as_str() {
                        TURBO_EXTENDS => inputs.globs.extends = true,
                        TURBO_DEFAULT => inputs.default = true,
                        _ => inputs.globs.items.push(ctx.glob(key, &g)?),
                    }
                }
                t.inputs = Some(inputs);
            }
            "outputs" => {
                let mut layer = Layer::default();
                for g in ctx.strings(key, v)? {
                    if g == TURBO_EXTENDS {
                        layer.extends = true;
                    } else {
                        layer.items.push(ctx.glob(key, &g)?);
                    }
                }
                t.outputs = Some(layer);
            }
            "env" => {
                let mut layer = ctx.env(key, v)?;
                if let Some(from_deps) = t.env.take() {
                    layer.items.extend(from_deps.items);
                    layer.items.sort();
                    layer.items.dedup();
                }
                t.env = Some(layer);
            }
            "passThroughEnv" => t.pass_through_env = Some(ctx.env(key, v)?),
            "cache" => t.cache = Some(ctx.bool(key, v)?),
            "persistent" => t.persistent = Some(ctx.bool(key, v)?),
            "interactive" => t.interactive = Some(ctx.bool(key, v)?),
            "extends" => t.extends = Some(ctx.bool(key, v)?),
            other => unmapped.push(Unmapped {
                key: other.to_owned(),
                place: place.to_owned(),
                why: task_key_why(other).unwrap_or("not a turbo.json task key"),
            }),
        }
    }
    Ok(t)
}
