//! The floors of `docs/ARCHITECTURE.md` held against the code: every `crate::…` path in
//! `src/**/*.rs` (and every `super::…` that climbs out of its room) names a room on
//! the same floor or below. The document's table is the source: this test parses it,
//! so the two cannot drift. Comments are not code: a doc link upwards is allowed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Room → floor, from the table under `## Floors of the library`.
fn floors() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md");
    floors_of(&text)
}

fn floors_of(text: &str) -> BTreeMap<String, u32> {
    let start = text
        .find("\n## Floors of the library\n")
        .expect("a `## Floors of the library` section");
    let body = &text[start + 1..];
    let body = &body[..body[3..].find("\n## ").map_or(body.len(), |end| end + 3)];
    let mut rooms = BTreeMap::new();
    for line in body.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | N name | `room`, `room` |
        let Some(floor) = cells
            .get(1)
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        for room in cells[2].split(',') {
            let room = room.trim().trim_matches('`');
            let before = rooms.insert(room.to_owned(), floor);
            assert!(before.is_none(), "{room} is on two floors");
        }
    }
    assert!(!rooms.is_empty(), "the floors table has no rows");
    rooms
}

/// The modules `src/lib.rs` declares.
fn library_modules() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_owned())
        .collect()
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/` (`registry/template/lex.rs` →
/// `[registry, template, lex]`; `mod.rs` is its directory).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts
}

/// One import of a room from another: where, and what it names.
#[derive(Debug, PartialEq)]
struct Import {
    line: usize,
    /// The room the path reaches (`crate::lock::Lock` → `lock`).
    room: String,
}

/// The rooms `text` (a file whose module path is `module`) reaches: `crate::ROOM`, and
/// `super::` paths that climb to the crate's root and on into a room. Inline modules
/// (`mod tests {`, closed by a `}` at the same indentation, as rustfmt writes them)
/// deepen `super`'s starting point. Comment lines are skipped.
fn imports(text: &str, module: &[String]) -> Vec<Import> {
    let mut found = Vec::new();
    // The inline modules open at this line, by indentation.
    let mut inline: Vec<usize> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        if inline
            .last()
            .is_some_and(|&at| at == indent && code.starts_with('}'))
        {
            inline.pop();
        }
        if code.starts_with("//") {
            continue;
        }
        let depth = module.len() + inline.len();
        let mut rest = code;
        while let Some(at) = find_path(rest) {
            let path = &rest[at..];
            let (room, len) = if let Some(after) = path.strip_prefix("crate::") {
                (ident(after), "crate::".len())
            } else {
                // `super` × depth reaches the crate's root: the next segment is the
                // room. Fewer stay inside this room.
                let supers = count_supers(path);
                let len = supers * "super::".len();
                let room = if supers == depth {
                    ident(&path[len..])
                } else {
                    None
                };
                (room, len)
            };
            if let Some(room) = room {
                found.push(Import {
                    line: n + 1,
                    room: room.to_owned(),
                });
            }
            rest = &rest[at + len..];
        }
        if (code.starts_with("mod ") || code.starts_with("pub mod ") || code.contains(" mod "))
            && code.ends_with('{')
            && !code.contains("macro_rules")
        {
            inline.push(indent);
        }
    }
    found
}

/// Where the next `crate::` or `super::` path starts in `text` (not inside an
/// identifier such as `vx_crate::`).
fn find_path(text: &str) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = ["crate::", "super::"]
            .iter()
            .filter_map(|p| text[from..].find(p).map(|i| i + from))
            .min()?;
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            from = at + 1;
            continue;
        }
        return Some(at);
    }
}

/// How many `super::` lead `path`.
fn count_supers(path: &str) -> usize {
    let mut n = 0;
    let mut rest = path;
    while let Some(after) = rest.strip_prefix("super::") {
        n += 1;
        rest = after;
    }
    n
}

/// The identifier at the start of `text`, if any.
fn ident(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// The upward imports of the library: `file:line: ROOM (floor N) imports ROOM (floor M)`.
fn upward(floors: &BTreeMap<String, u32>) -> Vec<String> {
    let src = Path::new(ROOT).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_path(rel);
        let Some(room) = module.first() else { continue };
        // The binary's modules (`main`, `cli`, `commands`) sit above every floor.
        let Some(&floor) = floors.get(room) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for import in imports(&text, &module) {
            if import.room == *room {
                continue;
            }
            if let Some(&to) = floors.get(&import.room)
                && to > floor
            {
                found.push(format!(
                    "src/{}:{}: {room} (floor {floor}) imports {} (floor {to})",
                    rel.display(),
                    import.line,
                    import.room
                ));
            }
        }
    }
    found
}

#[test]
fn every_library_module_is_on_one_floor_of_the_architecture() {
    let floors = floors();
    let modules = library_modules();
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !floors.contains_key(*m))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules of src/lib.rs that docs/ARCHITECTURE.md's floors do not place: {unplaced:?}"
    );
    let stale: Vec<&String> = floors.keys().filter(|r| !modules.contains(r)).collect();
    assert!(
        stale.is_empty(),
        "rooms in docs/ARCHITECTURE.md's floors that src/lib.rs does not declare: {stale:?}"
    );
}

#[test]
fn no_library_room_imports_a_room_above_it() {
    let found = upward(&floors());
    assert!(
        found.is_empty(),
        "upward imports (docs/ARCHITECTURE.md, \"Floors of the library\"):\n{}",
        found.join("\n")
    );
}

/// The highest floor whose rooms say things without the dashboard crate: their human
/// text and `sanitize` come from the leaf crate `vx_text`, not `vx_tui`.
const BELOW_THE_DASHBOARD: u32 = 4;

#[test]
fn rooms_below_the_engine_use_vx_text_not_the_dashboard() {
    let floors = floors();
    let src = Path::new(ROOT).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_path(rel);
        let Some(&floor) = module.first().and_then(|room| floors.get(room)) else {
            continue;
        };
        if floor > BELOW_THE_DASHBOARD {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if !line.trim_start().starts_with("//") && line.contains("vx_tui") {
                found.push(format!("src/{}:{}", rel.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "rooms on floors 1-{BELOW_THE_DASHBOARD} import the dashboard crate (use vx_text):\n{}",
        found.join("\n")
    );
}

/// The scanner itself: it finds what it must and nothing else, so the test above can
/// fail.
#[test]
fn the_scanner_finds_crate_paths_and_supers_that_leave_the_room() {
    let module = |p: &str| module_path(Path::new(p));
    let text = "\
//! A doc link to [`crate::daemon`] is not an import.
use crate::lock::Lock;
use super::sibling;
fn f() { let _ = crate::net::Client::new(); vx_crate::x(); }

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::version;
}
";
    let rooms = |m: &[String]| -> Vec<(usize, String)> {
        imports(text, m)
            .into_iter()
            .map(|i| (i.line, i.room))
            .collect()
    };
    // In `src/manifest/parse.rs`: `super::` stays in the room; in its tests,
    // `super::super` is `manifest` itself.
    assert_eq!(
        rooms(&module("manifest/parse.rs")),
        vec![(2, "lock".to_owned()), (4, "net".to_owned())]
    );
    // In `src/spec.rs`, `super::sibling` is the crate root's `sibling`, and the tests'
    // `super::super::version` is the room `version`.
    assert_eq!(
        rooms(&module("spec.rs")),
        vec![
            (2, "lock".to_owned()),
            (3, "sibling".to_owned()),
            (4, "net".to_owned()),
            (9, "version".to_owned()),
        ]
    );

    let floors = floors_of(
        "# x\n\n## Floors of the library\n\n| floor | rooms |\n|---|---|\n\
         | 2 upper | `b` |\n| 1 lower | `a`, `c` |\n\n## Next\n\n| 9 not | `z` |\n",
    );
    assert_eq!(
        floors,
        BTreeMap::from([("a".into(), 1), ("b".into(), 2), ("c".into(), 1)])
    );
}
