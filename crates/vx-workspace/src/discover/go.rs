//! The Go side of a workspace: go.work's `use` directives (single and block forms), each
//! used module's go.mod, and its dependencies on other used modules: a `require` of one
//! (go.work puts the workspace's module in its place) or a `replace` to a local path.

use std::path::Path;

use crate::error::{Error, Result};
use crate::package::{Declared, DepKind, Ecosystem, Package, Target, join_rel};
use crate::read;

/// The directives of a go.mod or go.work file: each `(verb, arguments)`, with block
/// forms (`use ( … )`) unrolled and `//` comments dropped.
fn directives(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(verb) = &block {
            if line == ")" {
                block = None;
            } else {
                out.push((verb.clone(), words(line)));
            }
            continue;
        }
        let mut w = words(line);
        if w.is_empty() {
            continue;
        }
        let verb = w.remove(0);
        if w.len() == 1 && w[0] == "(" {
            block = Some(verb);
        } else if let Some(first) = w.first_mut().filter(|f| f.starts_with('(')) {
            // `use (./a)` on one line
            *first = first.trim_start_matches('(').to_owned();
            if let Some(last) = w.last_mut() {
                *last = last.trim_end_matches(')').to_owned();
            }
            w.retain(|s| !s.is_empty());
            out.push((verb, w));
        } else {
            out.push((verb, w));
        }
    }
    out
}

/// Whitespace-separated words, a double-quoted or back-quoted word kept whole.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (word, tail) = match rest.chars().next() {
            Some(q @ ('"' | '`')) => match rest[1..].find(q) {
                Some(end) => (&rest[1..=end], &rest[end + 2..]),
                None => (&rest[1..], ""),
            },
            _ => match rest.find(char::is_whitespace) {
                Some(end) => (&rest[..end], &rest[end..]),
                None => (rest, ""),
            },
        };
        out.push(word.to_owned());
        rest = tail.trim_start();
    }
    out
}

/// The directories go.work uses (relative to the root, normalised), or `None` when
/// there is no go.work.
pub(crate) fn used_dirs(root: &Path) -> Result<Option<Vec<String>>> {
    let file = root.join("go.work");
    let Some(text) = read::text_if_present(&file, read::MAX_MANIFEST_BYTES)? else {
        return Ok(None);
    };
    let mut dirs = Vec::new();
    for (verb, args) in directives(&text) {
        if verb == "use" {
            for a in args {
                match join_rel("", &a) {
                    Some(d) => dirs.push(d),
                    None => {
                        return Err(Error::Invalid {
                            file,
                            message: format!("`use {a}` is outside the workspace"),
                        });
                    }
                }
            }
        }
    }
    dirs.sort();
    dirs.dedup();
    Ok(Some(dirs))
}

/// The module in `dir` (`""` for the root), read from its go.mod.
pub(crate) fn module(root: &Path, dir: &str) -> Result<Package> {
    let file = root.join(dir).join("go.mod");
    let text = read::text(&file, read::MAX_MANIFEST_BYTES)?;
    let mut name = None;
    let mut declared = Vec::new();
    for (verb, args) in directives(&text) {
        match verb.as_str() {
            "module" => name = args.into_iter().next(),
            "require" => {
                if let Some(path) = args.into_iter().next() {
                    declared.push(Declared {
                        ecosystem: Ecosystem::Go,
                        name: path,
                        target: Target::Name {
                            range: None,
                            workspace: true,
                        },
                        kind: DepKind::Normal,
                    });
                }
            }
            "replace" => {
                // `old [v] => new [v]`: local when `new` is a path.
                if let Some(arrow) = args.iter().position(|a| a == "=>")
                    && let (Some(old), Some(new)) = (args.first(), args.get(arrow + 1))
                    && (new.starts_with("./") || new.starts_with("../"))
                    && let Some(target) = join_rel(dir, new)
                {
                    declared.push(Declared {
                        ecosystem: Ecosystem::Go,
                        name: old.clone(),
                        target: Target::Dir(target),
                        kind: DepKind::Normal,
                    });
                }
            }
            _ => {}
        }
    }
    let Some(name) = name else {
        return Err(Error::Invalid {
            file,
            message: "no `module` directive".into(),
        });
    };
    Ok(Package {
        name,
        dir: dir.into(),
        ecosystem: Ecosystem::Go,
        manifest_name: None,
        version: None,
        scripts: Default::default(),
        declared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_block_forms_read_alike() {
        let text =
            "go 1.22\n\nuse ./tools // the tools\nuse (\n\t./app\n\t\"./lib x\"\n)\nuse (./one)\n";
        let d = directives(text);
        let used: Vec<String> = d
            .into_iter()
            .filter(|(v, _)| v == "use")
            .flat_map(|(_, a)| a)
            .collect();
        assert_eq!(used, ["./tools", "./app", "./lib x", "./one"]);
    }
}
