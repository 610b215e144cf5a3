//! The floors of `docs/ARCHITECTURE.md` held against the code: every `crate::…` path in
//! `src/**/*.rs` (and every `super::…` that climbs out of its room) names a room on
//! the same floor or below. The document's table is the source: this test parses it,
//! so the two cannot drift. Comments are not code: a doc link upwards is allowed.

use std::collections::{BTreeMap, BTreeSet};

mod scan;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A floor of the library, and its finer floor: `5.2` stands on `5.1`, which stands on
/// `4.x`. Rooms of one finer floor may name each other (the circle rule still holds);
/// a room names rooms of a finer floor below its own, never above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Floor(u32, u32);

impl std::fmt::Display for Floor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            0 => write!(f, "{}", self.0),
            fine => write!(f, "{}.{fine}", self.0),
        }
    }
}

impl std::str::FromStr for Floor {
    type Err = std::num::ParseIntError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once('.') {
            Some((floor, fine)) => Ok(Floor(floor.parse()?, fine.parse()?)),
            None => Ok(Floor(text.parse()?, 0)),
        }
    }
}

/// Room → floor, from the table under `## Floors of the library`.
fn floors() -> BTreeMap<String, Floor> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md");
    floors_of(&text)
}

fn floors_of(text: &str) -> BTreeMap<String, Floor> {
    let start = text
        .find("\n## Floors of the library\n")
        .expect("a `## Floors of the library` section");
    let body = &text[start + 1..];
    let body = &body[..body[3..].find("\n## ").map_or(body.len(), |end| end + 3)];
    let mut rooms = BTreeMap::new();
    for line in body.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | N.M name | `room`, `room` |
        let Some(floor) = cells
            .get(1)
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse::<Floor>().ok())
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

/// A library file read: where it is, its module path, what it names of the crate.
struct Source {
    rel: PathBuf,
    module: Vec<String>,
    imports: Vec<scan::Import>,
}

/// Every library file under `src/` (the binary's `main`, `cli`, `commands` and its
/// test-only modules sit above every floor and are left out), scanned.
fn library(floors: &BTreeMap<String, Floor>) -> Vec<Source> {
    let src = Path::new(ROOT).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_path_buf();
        let module = module_path(&rel);
        if !module.first().is_some_and(|room| floors.contains_key(room)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let scanned = scan::scan(&text, &module)
            .unwrap_or_else(|e| panic!("src/{} does not parse: {e}", rel.display()));
        out.push((rel, module, scanned));
    }
    // A file is test-only when a `#[cfg(test)] mod` of its own or of a module above
    // it says so (`#[cfg(test)] mod tests;` → `tests.rs`).
    let test_modules: Vec<Vec<String>> = out
        .iter()
        .flat_map(|(_, _, s)| s.test_modules.iter().cloned())
        .collect();
    out.into_iter()
        .map(|(rel, module, scanned)| {
            let test_file = test_modules.iter().any(|t| module.starts_with(t));
            let imports = scanned
                .imports
                .into_iter()
                .map(|i| scan::Import {
                    test_only: i.test_only || test_file,
                    ..i
                })
                .collect();
            Source {
                rel,
                module,
                imports,
            }
        })
        .collect()
}

/// What the rules found, each a line naming the file and the path it names.
#[derive(Debug, Default)]
struct Findings {
    /// A room that names a room of a higher floor.
    upward: Vec<String>,
    /// Rooms that name each other, directly or through others, whatever their floors.
    room_circles: Vec<String>,
    /// Files of the library that name each other in a circle (a module and the modules
    /// inside it excepted: a parent declares its children and they use its items).
    file_circles: Vec<String>,
    /// Library code outside the demo and tests that names the test fixture.
    fixture: Vec<String>,
}

/// The test fixture (the `vx-fixture` crate): nameable only from tests and the demo.
const FIXTURE: &str = scan::FIXTURE_CRATE;
/// The one room that may serve the fixture to users (`vx sync --demo`).
const DEMO: &str = "demo";

fn check(files: &[Source], floors: &BTreeMap<String, Floor>) -> Findings {
    let mut found = Findings::default();
    // room → room it names → the first file:path that does.
    let mut rooms: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let modules: BTreeSet<&[String]> = files.iter().map(|f| f.module.as_slice()).collect();
    let mut file_edges: BTreeMap<&[String], BTreeMap<&[String], String>> = BTreeMap::new();
    for file in files {
        let room = file.module[0].as_str();
        let floor = floors[room];
        for import in &file.imports {
            let Some(to) = import.path.first().map(String::as_str) else {
                continue;
            };
            if to == FIXTURE {
                if room != DEMO && !import.test_only {
                    let at = format!("src/{}: {}", file.rel.display(), import.path.join("::"));
                    found.fixture.push(at);
                }
                continue;
            }
            let Some(&to_floor) = floors.get(to) else {
                continue;
            };
            let at = format!(
                "src/{}: crate::{}",
                file.rel.display(),
                import.path.join("::")
            );
            // The deepest file module the path reaches.
            if let Some(target) = (1..=import.path.len())
                .rev()
                .map(|n| &import.path[..n])
                .find(|p| modules.contains(p))
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                file_edges
                    .entry(file.module.as_slice())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| at.clone());
            }
            if to == room {
                continue;
            }
            if to_floor > floor {
                found.upward.push(format!(
                    "{at}: {room} (floor {floor}) names {to} (floor {to_floor})"
                ));
            }
            rooms.entry(room).or_default().entry(to).or_insert(at);
        }
    }
    found.room_circles = circles(&rooms, |r| (*r).to_owned());
    found.file_circles = circles(&file_edges, |m| format!("src/{}", m.join("/")));
    found
}

/// Each circle of `edges` once (one per strongly connected part), as the nodes along
/// it and, for each step, the file and path that make it.
fn circles<N: Ord + Copy>(
    edges: &BTreeMap<N, BTreeMap<N, String>>,
    name: impl Fn(&N) -> String,
) -> Vec<String> {
    let mut seen: BTreeSet<N> = BTreeSet::new();
    let mut out = Vec::new();
    for (&from, tos) in edges {
        for &to in tos.keys() {
            if seen.contains(&from) {
                break;
            }
            // A way back from `to` to `from` closes a circle through this edge.
            if let Some(back) = way(edges, to, from) {
                let mut steps = vec![from];
                steps.extend(back);
                let mut text = steps.iter().map(&name).collect::<Vec<_>>().join(" -> ");
                for pair in steps.windows(2) {
                    text.push_str(&format!("\n    {}", edges[&pair[0]][&pair[1]]));
                }
                seen.extend(steps.iter().copied());
                out.push(text);
            }
        }
    }
    out
}

/// The shortest way from `from` to `to` along `edges` (both ends included).
fn way<N: Ord + Copy>(edges: &BTreeMap<N, BTreeMap<N, String>>, from: N, to: N) -> Option<Vec<N>> {
    let mut before: BTreeMap<N, N> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut visited = BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            let mut at = to;
            while let Some(&prev) = before.get(&at) {
                path.push(prev);
                at = prev;
            }
            path.reverse();
            return Some(path);
        }
        for &next in edges.get(&node).into_iter().flat_map(|t| t.keys()) {
            if visited.insert(next) {
                before.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
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

/// The library as it stands, checked once per test.
fn findings() -> Findings {
    let floors = floors();
    check(&library(&floors), &floors)
}

#[test]
fn no_library_room_imports_a_room_above_it() {
    let found = findings().upward;
    assert!(
        found.is_empty(),
        "upward imports (docs/ARCHITECTURE.md, \"Floors of the library\"):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_two_rooms_name_each_other_whatever_their_floors() {
    let found = findings().room_circles;
    assert!(
        found.is_empty(),
        "rooms in a circle (move what both need below both):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_files_of_the_library_name_each_other_in_a_circle() {
    let found = findings().file_circles;
    assert!(found.is_empty(), "files in a circle:\n{}", found.join("\n"));
}

#[test]
fn only_tests_and_the_demo_name_the_test_fixture() {
    let found = findings().fixture;
    assert!(
        found.is_empty(),
        "library code names the fake GitHub of the `vx-fixture` crate (tests and `demo` only):\n{}",
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
        if floor.0 > BELOW_THE_DASHBOARD {
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

/// A small library for the checker's own tests: files by module path and text.
fn library_of(files: &[(&str, &str)]) -> Vec<Source> {
    files
        .iter()
        .map(|(rel, text)| {
            let module = module_path(Path::new(rel));
            let scanned = scan::scan(text, &module).unwrap();
            Source {
                rel: PathBuf::from(rel),
                module,
                imports: scanned.imports,
            }
        })
        .collect()
}

const SMALL_FLOORS: &str = "# x\n\n## Floors of the library\n\n| floor | rooms |\n|---|---|\n\
    | 3 top | `demo`, `sync` |\n| 2 middle | `install`, `child` |\n| 1 bottom | `net` |\n";

#[test]
fn the_checker_fails_a_grouped_upward_import() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "net/mod.rs",
            "use crate::{install::{Store, extract}, net::x};\n",
        ),
        ("install/mod.rs", "pub struct Store;\n"),
    ]);
    let found = check(&files, &floors);
    assert_eq!(found.upward.len(), 2, "{found:?}");
    assert!(found.upward[0].contains("net (floor 1) names install (floor 2)"));
}

#[test]
fn the_checker_fails_a_circle_of_two_rooms_on_one_floor() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        ("install/mod.rs", "fn f() { crate::child::spawn(); }\n"),
        (
            "child/mod.rs",
            "fn g() { let _ = format!(\"{}\", crate::install::STORE); }\n",
        ),
    ]);
    let found = check(&files, &floors);
    assert!(found.upward.is_empty(), "{found:?}");
    assert_eq!(found.room_circles.len(), 1, "{found:?}");
    assert!(
        found.room_circles[0].starts_with("child -> install -> child"),
        "{found:?}"
    );
}

#[test]
fn the_checker_fails_sibling_files_in_a_circle_but_not_a_parent_and_its_child() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        ("install/mod.rs", "mod a;\nmod b;\npub use a::A;\n"),
        ("install/a.rs", "use super::b::B;\nuse super::Shared;\n"),
        ("install/b.rs", "use crate::install::a::A;\n"),
    ]);
    let found = check(&files, &floors);
    assert_eq!(found.file_circles.len(), 1, "{found:?}");
    assert!(
        found.file_circles[0].starts_with("src/install/a -> src/install/b"),
        "{found:?}"
    );
}

#[test]
fn the_checker_fails_library_code_that_names_the_fixture_outside_tests_and_the_demo() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        ("sync/mod.rs", "use vx_fixture::TestServer;\n"),
        (
            "install/mod.rs",
            "#[cfg(test)]\nmod tests {\n    use vx_fixture::Route;\n}\n",
        ),
        ("net/mod.rs", "fn f() { let _ = vx_fixture::noise(1); }\n"),
        (
            "demo/mod.rs",
            "pub use vx_fixture::{self as fixture, github};\n",
        ),
    ]);
    let found = check(&files, &floors);
    assert_eq!(
        found.fixture,
        vec![
            "src/sync/mod.rs: vx_fixture::TestServer",
            "src/net/mod.rs: vx_fixture::noise"
        ]
    );
}

/// The scanner itself: it finds what it must and nothing else, so the tests above can
/// fail.
#[test]
fn the_scanner_finds_crate_paths_and_supers_that_leave_the_room() {
    let module = |p: &str| module_path(Path::new(p));
    let text = "\
//! A doc link to [`crate::daemon`] is not an import.
use crate::{lock::Lock, net::{self, Client}};
use super::sibling;
fn f() { let _ = crate::net::Client::new(); vx_crate::x(); }
// crate::comment is not code
fn g() { println!(\"{}\", crate::format::size(1)); }

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::version;
}
";
    let paths = |m: &[String]| -> Vec<(String, bool)> {
        scan::scan(text, m)
            .unwrap()
            .imports
            .into_iter()
            .map(|i| (i.path.join("::"), i.test_only))
            .collect()
    };
    let own = |p: &str| (p.to_owned(), false);
    let test = |p: &str| (p.to_owned(), true);
    // In `src/manifest/parse.rs`: `super::` stays in the room; in its tests,
    // `super::super` is `manifest` itself.
    assert_eq!(
        paths(&module("manifest/parse.rs")),
        vec![
            own("lock::Lock"),
            own("net"),
            own("net::Client"),
            own("manifest::sibling"),
            own("net::Client::new"),
            own("format::size"),
            test("manifest::parse"),
            test("manifest::version"),
        ]
    );
    // In `src/spec.rs`, `super::sibling` is the crate root's `sibling`.
    assert!(paths(&module("spec.rs")).contains(&own("sibling")));

    let floors = floors_of(
        "# x\n\n## Floors of the library\n\n| floor | rooms |\n|---|---|\n\
         | 2.1 upper | `b` |\n| 1 lower | `a`, `c` |\n\n## Next\n\n| 9 not | `z` |\n",
    );
    assert_eq!(
        floors,
        BTreeMap::from([
            ("a".into(), Floor(1, 0)),
            ("b".into(), Floor(2, 1)),
            ("c".into(), Floor(1, 0))
        ])
    );
}

/// The files of `src/commands/` that are helpers of the commands, not commands: any
/// command may use them (`mod.rs`'s terminal and output helpers, `request.rs`'s
/// arguments made requests); what else two commands share is an operation
/// (`ops::target`, `ops::edit`, …) or a report's text (`present`).
const COMMAND_HELPERS: &[&str] = &["mod", "request"];

/// Each place a command's file names another command's module (`super::OTHER::…`,
/// `crate::commands::OTHER::…`), as `src/commands/FILE.rs: commands::OTHER::…`: what
/// two commands share belongs in the library (`ops`) or a helper, so no command
/// calls another.
fn commands_naming_commands(files: &[(&str, &str)]) -> Vec<String> {
    let commands: BTreeSet<&str> = files
        .iter()
        .map(|(stem, _)| *stem)
        .filter(|stem| !COMMAND_HELPERS.contains(stem))
        .collect();
    let mut found = Vec::new();
    for (stem, text) in files {
        if COMMAND_HELPERS.contains(stem) {
            continue;
        }
        let module = vec!["commands".to_owned(), (*stem).to_owned()];
        let scanned = scan::scan(text, &module)
            .unwrap_or_else(|e| panic!("src/commands/{stem}.rs does not parse: {e}"));
        for import in scanned.imports {
            let named = match import.path.as_slice() {
                [room, other, ..] if room == "commands" => other.as_str(),
                _ => continue,
            };
            if named != *stem && commands.contains(named) {
                let line = format!("src/commands/{stem}.rs: {}", import.path.join("::"));
                if !found.contains(&line) {
                    found.push(line);
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn no_command_names_another_command() {
    let dir = Path::new(ROOT).join("src/commands");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            texts.push((stem, std::fs::read_to_string(&path).unwrap()));
        }
    }
    texts.sort();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let found = commands_naming_commands(&files);
    assert!(
        found.is_empty(),
        "commands that name another command (move what they share into `ops` or a helper of {COMMAND_HELPERS:?}):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_command_naming_another_is_found_and_a_helper_is_not() {
    let files = [
        ("mod", "pub fn open() {}"),
        ("request", "pub fn cwd() {}"),
        (
            "init",
            "fn run() { super::import::import_into(); super::request::cwd(); super::open(); }",
        ),
        (
            "import",
            "use crate::commands::init::run; pub fn import_into() {}",
        ),
        (
            "logs",
            "use super::logs::x; fn f() { crate::commands::request::cwd() }",
        ),
    ];
    assert_eq!(
        commands_naming_commands(&files),
        [
            "src/commands/import.rs: commands::init::run",
            "src/commands/init.rs: commands::import::import_into",
        ]
    );
}
