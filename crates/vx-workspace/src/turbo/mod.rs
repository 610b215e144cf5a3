//! turbo.json read in place: the root's (`turbo.json` or `turbo.jsonc`; v2 `tasks` or
//! v1 `pipeline`) and each package's, which `extends` the root's.
//!
//! A task's definition for a package is resolved as turbo 2.11 does it:
//! - the root file gives `pkg#task` if it has that key, else `task` (never both); the
//!   root package's tasks exist only under `//#task` keys;
//! - then each package file in the `extends` chain gives its `task`, field by field:
//!   a field it sets replaces the inherited one, a list holding `$TURBO_EXTENDS$` is
//!   appended to it instead (`env` then sorted and deduplicated; `$TURBO_DEFAULT$`
//!   kept if either side had it);
//! - a package file's `"extends": false` on a task drops everything before it;
//! - a task no file defines for a package does not exist there.
//!
//! What vx cannot map (turbo's `ui`, `remoteCache`, a task's `outputLogs`, …) is listed
//! by [`Turbo::unmapped`], each key once with every place it appears.

mod model;
mod parse;
mod plan;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

pub use model::{Dep, Glob, InputsLayer, Layer, Task, TaskDef, TaskId};
pub(crate) use parse::TurboFile;
pub use plan::{Plan, PlanTask, plan};

use crate::discover::Workspace;
use crate::error::{Error, Result};
use crate::package::ROOT;
use crate::read;

/// A workspace's turbo configuration: the root turbo.json and the packages' own.
#[derive(Clone, Debug)]
pub struct Turbo {
    root: TurboFile,
    packages: HashMap<String, TurboFile>,
}

/// A key vx cannot map, said once, with every place it appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmappedKey {
    /// The key.
    pub key: String,
    /// Why vx does not map it.
    pub why: &'static str,
    /// Where it appears (`turbo.json`, `turbo.json: tasks.lint`, …).
    pub places: Vec<String>,
}

/// The turbo.json (or turbo.jsonc) in `dir`, read; `None` when there is none, an
/// error when there are both.
fn read_in(root: &Path, dir: &str, is_root: bool) -> Result<Option<TurboFile>> {
    let json = root.join(dir).join("turbo.json");
    let jsonc = root.join(dir).join("turbo.jsonc");
    let place = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let a = read::text_if_present(&json, read::MAX_MANIFEST_BYTES)?;
    let b = read::text_if_present(&jsonc, read::MAX_MANIFEST_BYTES)?;
    match (a, b) {
        (Some(_), Some(_)) => Err(Error::Invalid {
            file: jsonc,
            message: "both turbo.json and turbo.jsonc: turbo reads only one".into(),
        }),
        (Some(text), None) => parse::parse(&json, &place("turbo.json"), &text, is_root).map(Some),
        (None, Some(text)) => parse::parse(&jsonc, &place("turbo.jsonc"), &text, is_root).map(Some),
        (None, None) => Ok(None),
    }
}

/// The workspace's turbo configuration, or `None` when its root has no turbo.json.
pub fn load(ws: &Workspace) -> Result<Option<Turbo>> {
    let Some(root) = read_in(&ws.root, "", true)? else {
        return Ok(None);
    };
    let mut packages = HashMap::new();
    for p in ws.packages.iter().filter(|p| !p.is_root()) {
        if let Some(file) = read_in(&ws.root, &p.dir, false)? {
            packages.insert(p.name.clone(), file);
        }
    }
    Ok(Some(Turbo { root, packages }))
}

impl Turbo {
    /// The root turbo.json.
    pub fn root(&self) -> &TurboFile {
        &self.root
    }

    /// Every task name some file defines (`build`, and `format` of `//#format`).
    pub fn task_names(&self) -> BTreeSet<&str> {
        let keys = self
            .root
            .tasks
            .keys()
            .chain(self.packages.values().flat_map(|f| f.tasks.keys()));
        keys.map(|k| k.rsplit_once('#').map_or(k.as_str(), |(_, t)| t))
            .collect()
    }

    /// The keys vx cannot map, each once (sorted by key), with every place it appears
    /// (the root's first).
    pub fn unmapped(&self) -> Vec<UnmappedKey> {
        let mut files: Vec<&TurboFile> = self.packages.values().collect();
        files.sort_by(|a, b| a.file.cmp(&b.file));
        files.insert(0, &self.root);
        let mut by_key: BTreeMap<&str, UnmappedKey> = BTreeMap::new();
        for u in files.iter().flat_map(|f| &f.unmapped) {
            by_key
                .entry(&u.key)
                .or_insert_with(|| UnmappedKey {
                    key: u.key.clone(),
                    why: u.why,
                    places: Vec::new(),
                })
                .places
                .push(u.place.clone());
        }
        by_key.into_values().collect()
    }

    /// The files whose definitions apply to `package`, root first, following `extends`.
    fn chain(&self, package: &str) -> Result<Vec<&TurboFile>> {
        let mut out: Vec<&TurboFile> = Vec::new();
        let mut path: Vec<String> = Vec::new();
        self.walk_chain(package, &mut path, &mut out)?;
        if out.first().is_none_or(|f| !std::ptr::eq(*f, &self.root)) {
            out.insert(0, &self.root);
        }
        Ok(out)
    }

    fn walk_chain<'a>(
        &'a self,
        package: &str,
        path: &mut Vec<String>,
        out: &mut Vec<&'a TurboFile>,
    ) -> Result<()> {
        if let Some(at) = path.iter().position(|p| p == package) {
            let mut cycle = path[at..].to_vec();
            cycle.push(package.to_owned());
            return Err(Error::ExtendsCycle { cycle });
        }
        let file = if package == ROOT {
            Some(&self.root)
        } else {
            self.packages.get(package)
        };
        let Some(file) = file else {
            return Ok(());
        };
        if out.iter().any(|f| std::ptr::eq(*f, file)) {
            return Ok(());
        }
        path.push(package.to_owned());
        for parent in &file.extends {
            if parent != ROOT && !self.packages.contains_key(parent) {
                return Err(Error::Invalid {
                    file: file.file.clone(),
                    message: format!("`extends` names {parent:?}, which has no turbo.json"),
                });
            }
            self.walk_chain(parent, path, out)?;
        }
        path.pop();
        out.push(file);
        Ok(())
    }

    /// The definitions of `task` for `package`, one per file that has one, root first.
    fn layers<'a>(&'a self, package: &str, task: &str) -> Result<Vec<&'a TaskDef>> {
        if package == ROOT {
            return Ok(self
                .root
                .tasks
                .get(&format!("{ROOT}#{task}"))
                .into_iter()
                .collect());
        }
        let chain = self.chain(package)?;
        let root_def = || {
            self.root
                .tasks
                .get(&format!("{package}#{task}"))
                .or_else(|| self.root.tasks.get(task))
        };
        let in_file = |i: usize| {
            if i == 0 {
                root_def()
            } else {
                chain[i].tasks.get(task)
            }
        };
        // The last package file (from the package's end) that says `extends: false`
        // for it: what comes before it does not apply.
        let cut = (1..chain.len())
            .rev()
            .find(|&i| in_file(i).is_some_and(|d| d.extends == Some(false)));
        let mut out = Vec::new();
        let from = match cut.and_then(|i| in_file(i).map(|d| (i, d))) {
            Some((i, d)) => {
                if d.has_config() {
                    out.push(d);
                }
                i + 1
            }
            None => 0,
        };
        out.extend((from..chain.len()).filter_map(in_file));
        Ok(out)
    }

    /// `task` as defined for `package` (`//` for the root), or `None` when no file
    /// defines it there.
    pub fn task(&self, package: &str, task: &str) -> Result<Option<Task>> {
        let layers = self.layers(package, task)?;
        if layers.is_empty() {
            return Ok(None);
        }
        let merged = layers.into_iter().fold(TaskDef::default(), |mut acc, d| {
            merge(&mut acc, d);
            acc
        });
        let task_def = finish(merged);
        if task_def.interactive && task_def.cache {
            return Err(Error::Invalid {
                file: self
                    .packages
                    .get(package)
                    .unwrap_or(&self.root)
                    .file
                    .clone(),
                message: format!(
                    "{package}#{task} is `interactive`, so it needs `\"cache\": false`"
                ),
            });
        }
        Ok(Some(task_def))
    }
}

/// One layer over the ones before: a set field replaces, a `$TURBO_EXTENDS$` list
/// appends.
fn merge(acc: &mut TaskDef, d: &TaskDef) {
    fn layer<T: Clone + Ord>(acc: &mut Option<Layer<T>>, d: &Option<Layer<T>>, dedup: bool) {
        let Some(d) = d else { return };
        match acc {
            Some(a) if d.extends => {
                a.items.extend(d.items.iter().cloned());
                if dedup {
                    a.items.sort();
                    a.items.dedup();
                }
            }
            _ => *acc = Some(d.clone()),
        }
    }
    layer(&mut acc.depends_on, &d.depends_on, false);
    layer(&mut acc.outputs, &d.outputs, false);
    layer(&mut acc.env, &d.env, true);
    layer(&mut acc.pass_through_env, &d.pass_through_env, true);
    if let Some(inputs) = &d.inputs {
        match &mut acc.inputs {
            Some(a) if inputs.globs.extends => {
                a.globs.items.extend(inputs.globs.items.iter().cloned());
                a.default |= inputs.default;
            }
            _ => acc.inputs = Some(inputs.clone()),
        }
    }
    for (a, b) in [
        (&mut acc.cache, d.cache),
        (&mut acc.persistent, d.persistent),
        (&mut acc.interactive, d.interactive),
    ] {
        if b.is_some() {
            *a = b;
        }
    }
}

fn finish(d: TaskDef) -> Task {
    let mut depends_on = d.depends_on.map(|l| l.items).unwrap_or_default();
    depends_on.sort();
    depends_on.dedup();
    let (inputs, default_inputs) = match d.inputs {
        // No `inputs`: every file of the package, as `$TURBO_DEFAULT$` alone.
        None => (Vec::new(), true),
        Some(i) => (i.globs.items, i.default),
    };
    let mut outputs = d.outputs.map(|l| l.items).unwrap_or_default();
    outputs.sort();
    Task {
        depends_on,
        inputs,
        default_inputs,
        outputs,
        env: d.env.map(|l| l.items).unwrap_or_default(),
        pass_through_env: d.pass_through_env.map(|l| l.items),
        cache: d.cache.unwrap_or(true),
        persistent: d.persistent.unwrap_or(false),
        interactive: d.interactive.unwrap_or(false),
    }
}
