//! The floors of `docs/ARCHITECTURE.md` held against the code: every `crate::…` path in
//! `src/**/*.rs` (and every `super::…` that climbs out of its room) names a room on
//! the same floor or below. The document's table is the source: this test parses it,
//! so the two cannot drift. Comments are not code: a doc link upwards is allowed.
//!
//! A path counts however it is written: with a leading `::` (`::vx_fixture`, `::vx`),
//! through a re-export that leads out of its room (a `pub use` in `lib.rs`, the
//! demo's import of the fixture) to the module it names, or as a call of a
//! `#[macro_export]` macro (counted against the room that defines it). Test-only means
//! `cfg(test)` or an `all(…)` holding it, never `any(test, …)`. What would hide a path
//! (`extern crate`, `#[path]`, `#[macro_use]`, `include!`, root glob re-exports) is
//! refused, as is `use super::*` in a command. Platform code outside `platform` and
//! prints in the library are held by counted lists that only shrink
//! ([`PLATFORM_DEBT`], [`PRINT_DEBT`]); every room has its row in ARCHITECTURE.md and its
//! line in `src/lib.rs`'s map.

use std::collections::{BTreeMap, BTreeSet};

mod paths;
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
    floors_of(&architecture())
}

/// Room → the folder of `src/` that holds its floor (`install` → `engine`), from the
/// same table.
fn folders() -> BTreeMap<String, String> {
    folders_of(&architecture())
}

fn architecture() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md")
}

/// The rows of the table under `## Floors of the library`: each floor, the folder that
/// holds it (`| 5.2 the engine | `engine/` | `child`, … |`; a table without the folder
/// column places its rooms at the top of `src/`, as the checker's own small libraries
/// do) and its rooms.
fn rows_of(text: &str) -> Vec<(Floor, Option<String>, Vec<String>)> {
    let start = text
        .find("\n## Floors of the library\n")
        .expect("a `## Floors of the library` section");
    let body = &text[start + 1..];
    let body = &body[..body[3..].find("\n## ").map_or(body.len(), |end| end + 3)];
    let mut rows = Vec::new();
    for line in body.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(floor) = cells
            .get(1)
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse::<Floor>().ok())
        else {
            continue;
        };
        let unquote = |cell: &str| {
            cell.trim()
                .trim_matches('`')
                .trim_end_matches('/')
                .to_owned()
        };
        let (folder, rooms) = match cells.len() {
            // | floor | `folder/` | `room`, `room` |
            5.. => (Some(unquote(cells[2])), cells[3]),
            _ => (None, cells[2]),
        };
        let rooms = rooms.split(',').map(unquote).collect();
        rows.push((floor, folder, rooms));
    }
    assert!(!rows.is_empty(), "the floors table has no rows");
    rows
}

fn floors_of(text: &str) -> BTreeMap<String, Floor> {
    let mut rooms = BTreeMap::new();
    for (floor, _, names) in rows_of(text) {
        for room in names {
            let before = rooms.insert(room.clone(), floor);
            assert!(before.is_none(), "{room} is on two floors");
        }
    }
    rooms
}

fn folders_of(text: &str) -> BTreeMap<String, String> {
    rows_of(text)
        .into_iter()
        .filter_map(|(_, folder, rooms)| Some((folder?, rooms)))
        .flat_map(|(folder, rooms)| rooms.into_iter().map(move |r| (r, folder.clone())))
        .collect()
}

/// A module path with its floor's folder left out (`[engine, install, fetch]` →
/// `[install, fetch]`; a floor's own module `[engine]` → `[]`, as the crate root): room
/// names are unique across floors, so the rules speak of rooms whatever folder holds
/// them, and a path written through a floor (`crate::engine::install`, or an alias of
/// `crate::engine`) counts as the room it reaches.
fn unfold(path: &[String], folders: &BTreeSet<&str>) -> Vec<String> {
    match path.first() {
        Some(first) if folders.contains(first.as_str()) => path[1..].to_vec(),
        _ => path.to_vec(),
    }
}

/// A crate of the library as the floors table places it: its folder (`crates/vx-net`,
/// or `src` for the binary's own library), its name in paths (`vx_net`), the rooms the
/// table gives it that its `lib.rs` declares as modules, and its root room: the one
/// room of the table that is the crate root itself (`net`: `vx_net::client` is
/// `net::client`), if any.
struct Crate {
    folder: String,
    ident: String,
    modules: BTreeSet<String>,
    root_room: Option<String>,
    declared: Vec<String>,
}

/// A crate's name in paths, from its folder.
fn ident_of(folder: &str) -> String {
    match folder {
        "src" => scan::CRATE_NAME.to_owned(),
        _ => folder.rsplit('/').next().unwrap().replace('-', "_"),
    }
}

/// The library's crates, from the floors table and each crate's `lib.rs`.
fn crates() -> Vec<Crate> {
    let folders = folders();
    let mut rooms_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (room, folder) in &folders {
        rooms_of
            .entry(folder.clone())
            .or_default()
            .push(room.clone());
    }
    rooms_of
        .into_iter()
        .map(|(folder, rooms)| {
            let lib = Path::new(ROOT).join(&folder).join(if folder == "src" {
                "lib.rs"
            } else {
                "src/lib.rs"
            });
            let text = std::fs::read_to_string(&lib).unwrap_or_else(|_| {
                panic!(
                    "the floors table names {folder}/, which has no {}",
                    lib.display()
                )
            });
            let declared = modules_of(&text);
            let (modules, roots): (Vec<String>, Vec<String>) =
                rooms.into_iter().partition(|r| declared.contains(r));
            assert!(
                roots.len() <= 1,
                "{folder}: rooms {roots:?} are no module of its lib.rs (one may be the crate root)"
            );
            Crate {
                ident: ident_of(&folder),
                folder,
                modules: modules.into_iter().collect(),
                root_room: roots.into_iter().next(),
                declared,
            }
        })
        .collect()
}

/// `path` (from a crate's name: `[vx_net, client]`) with the crate's root room put in
/// where the path goes through the crate root rather than a room of its own
/// (`[vx_net, net, client]`), so that [`unfold`] leaves the room (`[net, client]`).
fn rooted(path: &[String], crates: &[Crate]) -> Vec<String> {
    let Some(krate) = path
        .first()
        .and_then(|f| crates.iter().find(|c| &c.ident == f))
    else {
        return path.to_vec();
    };
    match (&krate.root_room, path.get(1)) {
        (Some(root), Some(next)) if !krate.modules.contains(next) => {
            let mut out = vec![path[0].clone(), root.clone()];
            out.extend(path[1..].iter().cloned());
            out
        }
        // The crate root itself (a test module's `super::super`) names no room, as a
        // floor's folder named alone never did.
        _ => path.to_vec(),
    }
}

/// The rooms of the library as its crates declare them, as (folder, room): each
/// module of a crate's `lib.rs` (read with `syn`, so `mod x;` and `pub(crate) mod y { }`
/// are seen as `pub mod z;` is) that the table places, each module the table does not
/// place in a crate without a root room (a room on no floor), and each root room.
fn library_modules() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for krate in crates() {
        for module in &krate.declared {
            if krate.modules.contains(module) || krate.root_room.is_none() {
                out.push((krate.folder.clone(), module.clone()));
            }
        }
        if let Some(root) = &krate.root_room {
            out.push((krate.folder.clone(), root.clone()));
        }
    }
    out
}

fn modules_of(text: &str) -> Vec<String> {
    syn::parse_file(text)
        .expect("a module file of the crate parses")
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Folders no source of the repository is in: git's, the build's, npm's.
const NOT_SOURCES: [&str; 3] = [".git", "target", "node_modules"];

/// Every `.rs` file under `dir` (outside [`NOT_SOURCES`]).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| NOT_SOURCES.iter().any(|skip| n == *skip))
        {
            continue;
        }
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/` (`registry/template/lex.rs` →
/// `[registry, template, lex]`; `mod.rs` is its directory; `lib.rs` the crate root, `[]`).
fn module_path(rel: &Path) -> Vec<String> {
    if rel == Path::new("lib.rs") {
        return Vec::new();
    }
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

/// A library file read: where it is, its module path, what the scan found in it.
struct Source {
    rel: PathBuf,
    module: Vec<String>,
    scanned: scan::Scanned,
}

/// How a file's path is shown: the repository's path of the real library's files
/// (`crates/vx-net/src/client.rs`, `src/present/run.rs`); `src/…` for the checker's
/// own small libraries.
fn shown(rel: &Path) -> String {
    let rel = rel.to_string_lossy().replace('\\', "/");
    if rel.starts_with("src/") || rel.starts_with("crates/") {
        rel
    } else {
        format!("src/{rel}")
    }
}

/// Every library file of every crate, scanned: each crate's `lib.rs` (whose `use`s
/// make names `crate::…`) and its rooms' files (the binary's `main`, `cli`, `commands`
/// and its test-only modules sit above every floor and are left out).
fn library(floors: &BTreeMap<String, Floor>) -> Vec<Source> {
    let crates = crates();
    let idents: BTreeSet<&str> = crates.iter().map(|c| c.ident.as_str()).collect();
    let mut out = Vec::new();
    for krate in &crates {
        let src = Path::new(ROOT).join(&krate.folder);
        let src = if krate.folder == "src" {
            src
        } else {
            src.join("src")
        };
        let mut files = Vec::new();
        sources(&src, &mut files);
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&src).unwrap().to_path_buf();
            let root = vec![krate.ident.clone()];
            let mut written = root.clone();
            written.extend(module_path(&rel));
            let written = rooted(&written, &crates);
            let module = unfold(&written, &idents);
            let is_root = rel == Path::new("lib.rs") && module.is_empty();
            if !is_root && !module.first().is_some_and(|room| floors.contains_key(room)) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let shown_rel = file.strip_prefix(ROOT).unwrap().to_path_buf();
            let scanned = scan::scan_in(&text, &root, &written)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", shown_rel.display()));
            let scanned = unfolded_with(scanned, &|p| unfold(&rooted(p, &crates), &idents));
            out.push((shown_rel, module, scanned));
        }
    }
    // A file is test-only when a `#[cfg(test)] mod` of its own or of a module above
    // it says so (`#[cfg(test)] mod tests;` → `tests.rs`).
    let test_modules: Vec<Vec<String>> = out
        .iter()
        .flat_map(|(_, _, s)| s.test_modules.iter().cloned())
        .collect();
    out.into_iter()
        .map(|(rel, module, mut scanned)| {
            if !module.is_empty() && test_modules.iter().any(|t| module.starts_with(t)) {
                for import in &mut scanned.imports {
                    import.test_only = true;
                }
                for call in &mut scanned.macro_calls {
                    call.1 = true;
                }
                scanned.platform.clear();
                scanned.prints.clear();
                scanned.opaque.clear();
            }
            Source {
                rel,
                module,
                scanned,
            }
        })
        .collect()
}

/// `scanned` with every path it holds [`unfold`]ed.
fn unfolded(scanned: scan::Scanned, folders: &BTreeSet<&str>) -> scan::Scanned {
    unfolded_with(scanned, &|p| unfold(p, folders))
}

/// `scanned` with every path it holds put through `fix`.
fn unfolded_with(
    mut scanned: scan::Scanned,
    fix: &dyn Fn(&[String]) -> Vec<String>,
) -> scan::Scanned {
    for import in &mut scanned.imports {
        import.path = fix(&import.path);
    }
    for (name, target) in &mut scanned.bindings {
        *name = fix(name);
        *target = fix(target);
    }
    for (_, module) in &mut scanned.exported_macros {
        *module = fix(module);
    }
    for module in &mut scanned.test_modules {
        *module = fix(module);
    }
    scanned
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
    /// What the checker cannot follow (`extern crate`, `#[path]`, `#[macro_use]`,
    /// `include!`, a glob re-export at the root or of the fixture, `super::` in an
    /// exported macro): refused, so no path hides behind it.
    opaque: Vec<String>,
}

/// The test fixture (the `vx-fixture` crate): nameable only from tests and the demo.
const FIXTURE: &str = scan::FIXTURE_CRATE;
/// The one room that may serve the fixture to users (`vx sync --demo`).
const DEMO: &str = "demo";

/// The paths `file` names, each followed through the crate's re-exports (`bindings`),
/// with a call of an exported macro counted as naming the macro where it is defined
/// (`#[macro_export]` puts it at the crate root whatever room writes it), each with
/// the text that says where it is written.
fn named<'a>(
    file: &'a Source,
    bindings: &'a BTreeMap<Vec<String>, Vec<String>>,
    exported: &'a BTreeMap<String, Vec<String>>,
) -> impl Iterator<Item = (scan::Import, String)> + 'a {
    let calls = file
        .scanned
        .macro_calls
        .iter()
        .filter_map(|(name, test_only)| {
            let module = exported.get(name).filter(|m| !m.is_empty())?;
            let mut path = module.clone();
            path.push(name.clone());
            Some(scan::Import {
                path,
                test_only: *test_only,
                glob: false,
            })
        });
    file.scanned
        .imports
        .iter()
        .cloned()
        .chain(calls)
        .map(move |import| {
            let path = scan::resolve(&import.path, bindings);
            let prefix = |p: &[String]| match p.first().map(String::as_str) {
                Some(FIXTURE) => p.join("::"),
                _ => format!("crate::{}", p.join("::")),
            };
            let mut at = format!("{}: {}", shown(&file.rel), prefix(&import.path));
            if path != import.path {
                at.push_str(&format!(" (that is {})", prefix(&path)));
            }
            (scan::Import { path, ..import }, at)
        })
}

fn check(files: &[Source], floors: &BTreeMap<String, Floor>) -> Findings {
    let mut found = Findings::default();
    // room → room it names → the first file:path that does.
    let mut rooms: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let modules: BTreeSet<&[String]> = files.iter().map(|f| f.module.as_slice()).collect();
    let mut file_edges: BTreeMap<&[String], BTreeMap<&[String], String>> = BTreeMap::new();
    // The re-exports that lead out of the room they are written in (and the crate
    // root's, which belong to no room): a room's own `pub use` of its files is its face,
    // and its files naming each other through it is the room's business.
    let bindings: BTreeMap<Vec<String>, Vec<String>> = files
        .iter()
        .flat_map(|f| f.scanned.bindings.iter().cloned())
        .filter(|(name, target)| name.len() == 1 || name.first() != target.first())
        .collect();
    let exported: BTreeMap<String, Vec<String>> = files
        .iter()
        .flat_map(|f| f.scanned.exported_macros.iter().cloned())
        .collect();
    for file in files {
        found
            .opaque
            .extend((file.scanned.opaque.iter()).map(|o| format!("{}: {o}", shown(&file.rel))));
        // The crate root declares the rooms; what its `use`s bind is followed above.
        let Some(room) = file.module.first().map(String::as_str) else {
            continue;
        };
        let floor = floors[room];
        for (import, at) in named(file, &bindings, &exported) {
            let Some(to) = import.path.first().map(String::as_str) else {
                continue;
            };
            if to == FIXTURE {
                if room != DEMO && !import.test_only {
                    found.fixture.push(at);
                }
                continue;
            }
            let Some((to, &to_floor)) = floors.get_key_value(to) else {
                continue;
            };
            let to = to.as_str();
            // The deepest file module the path reaches.
            if let Some(target) = (1..=import.path.len())
                .rev()
                .map(|n| &import.path[..n])
                .find(|p| modules.contains(p))
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                let target: &[String] = modules.get(target).unwrap();
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
    let (floors, folders) = (floors(), folders());
    let modules = library_modules();
    let misplaced: Vec<String> = modules
        .iter()
        .filter(|(folder, room)| folders.get(room) != Some(folder))
        .map(
            |(folder, room)| match (floors.get(room), folders.get(room)) {
                (Some(floor), Some(home)) => {
                    format!("{folder}/{room} (floor {floor} is {home}/)")
                }
                _ => format!("{folder}/{room} (on no floor)"),
            },
        )
        .collect();
    assert!(
        misplaced.is_empty(),
        "rooms outside the folder of their floor in docs/ARCHITECTURE.md: {misplaced:?}"
    );
    let stale: Vec<&String> = floors
        .keys()
        .filter(|r| !modules.iter().any(|(_, room)| room == *r))
        .collect();
    assert!(
        stale.is_empty(),
        "rooms in docs/ARCHITECTURE.md's floors that no floor's mod.rs declares: {stale:?}"
    );
    let unfoldered: Vec<&String> = floors
        .keys()
        .filter(|r| !folders.contains_key(*r))
        .collect();
    assert!(
        unfoldered.is_empty(),
        "rooms whose floor names no folder: {unfoldered:?}"
    );
}

/// The library as it stands, checked once per test.
fn findings() -> Findings {
    let floors = floors();
    check(scanned_library(), &floors)
}

/// Every library file scanned once for the whole test binary (each rule's test reads
/// the same library; scanning it is most of their time).
fn scanned_library() -> &'static [Source] {
    static LIBRARY: std::sync::OnceLock<Vec<Source>> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(|| library(&floors()))
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
    let mut found = Vec::new();
    for file in scanned_library() {
        let Some(&floor) = file.module.first().and_then(|room| floors.get(room)) else {
            continue;
        };
        if floor.0 > BELOW_THE_DASHBOARD {
            continue;
        }
        let text = std::fs::read_to_string(Path::new(ROOT).join(&file.rel)).unwrap();
        for (n, line) in text.lines().enumerate() {
            if !line.trim_start().starts_with("//") && line.contains("vx_tui") {
                found.push(format!("{}:{}", shown(&file.rel), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "rooms on floors 1-{BELOW_THE_DASHBOARD} import the dashboard crate (use vx_text):\n{}",
        found.join("\n")
    );
}

/// A small library for the checker's own tests: files by module path and text, its
/// rooms at the top of `src/`.
fn library_of(files: &[(&str, &str)]) -> Vec<Source> {
    folded_library_of(files, &BTreeMap::new())
}

/// A small library whose rooms sit in their floors' folders (`folders`, room → folder),
/// read as [`library`] reads the real one.
fn folded_library_of(files: &[(&str, &str)], folders: &BTreeMap<String, String>) -> Vec<Source> {
    let folders: BTreeSet<&str> = folders.values().map(String::as_str).collect();
    files
        .iter()
        .map(|(rel, text)| {
            let written = module_path(Path::new(rel));
            let scanned = scan::scan(text, &written).unwrap();
            Source {
                rel: PathBuf::from(rel),
                module: unfold(&written, &folders),
                scanned: unfolded(scanned, &folders),
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

const FOLDED_FLOORS: &str = "# x\n\n## Floors of the library\n\n\
    | floor | folder | rooms |\n|---|---|---|\n\
    | 2 middle | `middle/` | `install` |\n| 1 bottom | `bottom/` | `net`, `format` |\n";

#[test]
fn the_checker_follows_a_path_through_a_floors_folder() {
    let (floors, folders) = (floors_of(FOLDED_FLOORS), folders_of(FOLDED_FLOORS));
    assert_eq!(folders["install"], "middle");
    assert_eq!(folders["format"], "bottom");
    let files = folded_library_of(
        &[
            ("bottom/mod.rs", "pub mod format;\npub mod net;\n"),
            (
                "bottom/net/mod.rs",
                "use crate::middle::install::Store;\nuse super::format::size;\n",
            ),
            (
                "bottom/format.rs",
                "use crate::middle as m;\npub fn size() { m::install::run(); }\n",
            ),
            ("middle/mod.rs", "pub mod install;\n"),
            (
                "middle/install/mod.rs",
                "pub struct Store;\npub fn run() {}\n",
            ),
        ],
        &folders,
    );
    let found = check(&files, &floors);
    assert_eq!(found.upward.len(), 2, "{:?}", found.upward);
    let says = |file: &str, what: &str| {
        found
            .upward
            .iter()
            .any(|line| line.starts_with(file) && line.contains(what))
    };
    // Written through the folder, and through an alias of the folder: both reach
    // `install`, a floor above.
    assert!(
        says(
            "src/bottom/net/mod.rs: crate::install::Store",
            "net (floor 1) names install (floor 2)"
        ),
        "{:?}",
        found.upward
    );
    assert!(
        says(
            "src/bottom/format.rs",
            "format (floor 1) names install (floor 2)"
        ),
        "{:?}",
        found.upward
    );
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

/// The ways round the rules the checker once missed, each one line of a small library
/// (issue 65): every one must be found.
#[test]
fn the_checker_sees_a_crate_path_with_a_leading_colon() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "net/mod.rs",
            "fn f() { let _ = ::vx_fixture::noise(1); let _ = ::vx::install::STORE; }\n\
             fn g() { let _ = format!(\"{}\", ::vx_fixture::noise(2)); }\n",
        ),
        ("install/mod.rs", "pub static STORE: u8 = 0;\n"),
    ]);
    let found = check(&files, &floors);
    assert_eq!(
        found.fixture,
        [
            "src/net/mod.rs: vx_fixture::noise",
            "src/net/mod.rs: vx_fixture::noise"
        ],
        "{found:?}"
    );
    assert_eq!(found.upward.len(), 1, "{found:?}");
    assert!(
        found.upward[0].contains("net (floor 1) names install (floor 2)"),
        "{found:?}"
    );
}

#[test]
fn the_checker_follows_a_re_export_of_the_fixture() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "demo/mod.rs",
            "pub use vx_fixture::{self as fixture, github};\n",
        ),
        (
            "sync/mod.rs",
            "fn f() { crate::demo::fixture::noise(1); }\nuse crate::demo::github::Fake;\n",
        ),
    ]);
    let found = check(&files, &floors);
    assert_eq!(
        found.fixture,
        [
            "src/sync/mod.rs: crate::demo::fixture::noise (that is vx_fixture::noise)",
            "src/sync/mod.rs: crate::demo::github::Fake (that is vx_fixture::github::Fake)",
        ],
        "{found:?}"
    );
}

#[test]
fn the_checker_counts_a_cfg_that_also_builds_outside_tests() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[(
        "net/mod.rs",
        "#[cfg(any(test, unix))]\nuse crate::install::Store;\n\
         #[cfg(not(test))]\nfn f() { crate::child::spawn(); }\n\
         #[cfg(all(unix, test))]\nuse crate::sync::Plan;\n\
         #[cfg(test)]\nmod tests { use crate::demo::Demo; }\n",
    )]);
    let found = check(&files, &floors);
    assert_eq!(found.upward.len(), 4, "{found:?}");
    let named: Vec<&str> = found
        .upward
        .iter()
        .map(|u| u.rsplit("names ").next().unwrap())
        .collect();
    // Test code holds the floors too; only what builds outside tests is not test-only.
    assert_eq!(
        named,
        [
            "install (floor 2)",
            "child (floor 2)",
            "sync (floor 3)",
            "demo (floor 3)"
        ]
    );
    assert!(
        found.upward[0].contains("crate::install::Store"),
        "{found:?}"
    );
    let scanned = scan::scan(
        "#[cfg(any(test, unix))]\nuse crate::a::A;\n#[cfg(all(unix, test))]\nuse crate::b::B;\n\
         #[cfg(any(test, all(test, unix)))]\nuse crate::c::C;\n",
        &[],
    )
    .unwrap();
    let test_only: Vec<bool> = scanned.imports.iter().map(|i| i.test_only).collect();
    assert_eq!(test_only, [false, true, true]);
}

#[test]
fn the_checker_follows_a_re_export_at_the_crate_root() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "lib.rs",
            "pub mod net;\npub mod sync;\npub use sync::Plan;\nuse crate::sync::{self as s};\n",
        ),
        ("sync/mod.rs", "pub struct Plan;\n"),
        (
            "net/mod.rs",
            "fn f() { let _ = crate::Plan; let _ = crate::s::Plan; }\n",
        ),
    ]);
    let found = check(&files, &floors);
    assert_eq!(found.upward.len(), 2, "{found:?}");
    assert!(
        found.upward[0].starts_with(
            "src/net/mod.rs: crate::Plan (that is crate::sync::Plan): net (floor 1) names sync"
        ),
        "{found:?}"
    );
    let files = library_of(&[("lib.rs", "pub mod sync;\npub use sync::*;\n")]);
    let found = check(&files, &floors);
    assert_eq!(found.opaque.len(), 1, "{found:?}");
    assert!(found.opaque[0].contains("use sync::*"), "{found:?}");
}

#[test]
fn the_checker_counts_an_exported_macro_against_the_room_that_defines_it() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "sync/mod.rs",
            "#[macro_export]\nmacro_rules! plan { () => { $crate::sync::plan() } }\n\
             #[macro_export]\nmacro_rules! climb { () => { super::x() } }\n",
        ),
        (
            "net/mod.rs",
            "fn f() { crate::plan!(); }\nfn g() { let _ = vec![plan!()]; }\n",
        ),
        // The room's own macro, and the crate root's `note!`, are no one's floor.
        (
            "lib.rs",
            "#[macro_export]\nmacro_rules! note { () => {} }\n",
        ),
        ("install/mod.rs", "fn f() { crate::note!(); }\n"),
    ]);
    let found = check(&files, &floors);
    assert_eq!(found.upward.len(), 2, "{found:?}");
    assert!(
        found
            .upward
            .iter()
            .all(|u| u.starts_with("src/net/mod.rs: crate::sync::plan: net (floor 1) names sync")),
        "{found:?}"
    );
    assert_eq!(found.opaque.len(), 1, "{found:?}");
    assert!(
        found.opaque[0].contains("`super::x` in a #[macro_export] macro"),
        "{found:?}"
    );
}

#[test]
fn the_checker_refuses_what_hides_a_path() {
    let floors = floors_of(SMALL_FLOORS);
    let files = library_of(&[
        (
            "lib.rs",
            "extern crate self as vx2;\n#[macro_use]\npub mod net;\n",
        ),
        (
            "net/mod.rs",
            "#[path = \"../sync/mod.rs\"]\nmod borrowed;\ninclude!(\"../sync/x.rs\");\n",
        ),
        (
            "install/mod.rs",
            "pub use vx_fixture::*;\n#[cfg(test)]\nmod tests { use vx_fixture::*; }\n",
        ),
    ]);
    let found = check(&files, &floors);
    let opaque: Vec<&str> = found
        .opaque
        .iter()
        .map(|o| o.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        opaque,
        [
            "src/lib.rs",
            "src/lib.rs",
            "src/net/mod.rs",
            "src/net/mod.rs",
            "src/install/mod.rs"
        ],
        "{found:?}"
    );
}

#[test]
fn a_glob_of_the_commands_is_found() {
    let files = [
        ("mod", "pub mod init;\npub mod import;\npub fn open() {}"),
        ("init", "pub fn run() {}"),
        ("import", "use super::*;\nfn run() { init::run(); open(); }"),
        (
            "logs",
            "use super::{self as c};\nfn run() { c::init::run(); c::open(); }",
        ),
    ];
    assert_eq!(
        commands_naming_commands(&files),
        [
            "src/commands/import.rs: commands::* (a glob of every command)",
            "src/commands/logs.rs: commands::init::run",
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
    let scanned: Vec<(&str, scan::Scanned)> = files
        .iter()
        .map(|(stem, text)| {
            let module = match *stem {
                "mod" => vec!["commands".to_owned()],
                stem => vec!["commands".to_owned(), stem.to_owned()],
            };
            let scanned = scan::scan(text, &module)
                .unwrap_or_else(|e| panic!("src/commands/{stem}.rs does not parse: {e}"));
            (*stem, scanned)
        })
        .collect();
    // What the commands' `use`s bind (`use super::{self as c}` makes `c::init` a path
    // to `commands::init`).
    let bindings: BTreeMap<Vec<String>, Vec<String>> = scanned
        .iter()
        .flat_map(|(_, s)| s.bindings.iter().cloned())
        .collect();
    for (stem, scanned) in scanned {
        if COMMAND_HELPERS.contains(&stem) {
            continue;
        }
        for import in scanned.imports {
            let path = scan::resolve(&import.path, &bindings);
            // `use super::*` makes every command's module a name of this one.
            if import.glob && path == ["commands"] {
                found.push(format!(
                    "src/commands/{stem}.rs: commands::* (a glob of every command)"
                ));
                continue;
            }
            let named = match path.as_slice() {
                [room, other, ..] if room == "commands" => other.as_str(),
                _ => continue,
            };
            if named != stem && commands.contains(named) {
                let line = format!("src/commands/{stem}.rs: {}", path.join("::"));
                if !found.contains(&line) {
                    found.push(line);
                }
            }
        }
    }
    found.sort();
    found
}

/// Each file of `src/commands/` as (stem, text), by name.
fn command_files() -> Vec<(String, String)> {
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
    texts
}

#[test]
fn no_command_names_another_command() {
    let texts = command_files();
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

/// The places a file of `files` (its path from the repository's root, its text) finds
/// a project's manifest itself (`manifest::locate`, `manifest::find`, or either
/// imported from `manifest`), as `PATH:LINE`: commands and ops open their project
/// through the session's door (`session::locate`, `locate_editable`, `Session::open`),
/// so every one searches the same way (`--manifest`, `$VX_MANIFEST`, vx.toml up the
/// tree, a mise project in place).
fn finding_the_project_themselves(files: &[(&str, &str)]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let direct = ["manifest::locate", "manifest::find"]
                .iter()
                .any(|path| code.contains(path));
            let imported = code.contains("manifest::{")
                && code
                    .split("manifest::{")
                    .nth(1)
                    .and_then(|rest| rest.split('}').next())
                    .is_some_and(|names| {
                        names
                            .split(',')
                            .any(|n| matches!(n.split_whitespace().next(), Some("locate" | "find")))
                    });
            if direct || imported {
                found.push(format!("{path}:{}", n + 1));
            }
        }
    }
    found
}

/// The rooms that may find a manifest: the session (the door) and the manifest room,
/// which does the finding.
const DOOR: [&str; 2] = [
    "crates/vx-ops/src/session/",
    "crates/vx-model/src/manifest/",
];

/// Every file of `src/` (commands and ops among them) but the [`DOOR`]'s rooms, by its
/// path from the repository's root, with its text.
fn outside_the_door() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    sources(&Path::new(ROOT).join("src"), &mut paths);
    sources(&Path::new(ROOT).join("crates"), &mut paths);
    let mut files: Vec<(String, String)> = paths
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(ROOT).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&path).unwrap())
        })
        .filter(|(rel, _)| !DOOR.iter().any(|door| rel.starts_with(door)))
        .collect();
    files.sort();
    files
}

/// Commands, ops and every other room open a project through the session's door:
/// `manifest::locate` is called only inside `session/` (issue 65).
#[test]
fn commands_and_ops_open_their_project_through_the_sessions_door() {
    let texts = outside_the_door();
    for read in ["crates/vx-ops/src/import.rs", "src/commands/add.rs"] {
        assert!(texts.iter().any(|(rel, _)| rel == read), "{read} is read");
    }
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let found = finding_the_project_themselves(&files);
    assert!(
        found.is_empty(),
        "files that find the manifest themselves (use `session::locate`, `locate_editable` or `Session::open`):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_command_or_an_op_finding_its_manifest_itself_is_found() {
    let files = [
        (
            "src/commands/add.rs",
            "fn run() { vx::files::manifest::locate(None, &cwd); }",
        ),
        (
            "src/commands/trust.rs",
            "use vx::files::manifest::{MANIFEST_FILE, locate as find_it};",
        ),
        (
            "src/operations/ops/import.rs",
            "fn plan() {\n    let path = match crate::files::manifest::locate(manifest, cwd) {};\n}",
        ),
        (
            "src/commands/sync.rs",
            "// manifest::locate is the session's\nfn f() { vx::session::locate(&o); vx::manifest::global::path(); }",
        ),
    ];
    assert_eq!(
        finding_the_project_themselves(&files),
        [
            "src/commands/add.rs:1",
            "src/commands/trust.rs:1",
            "src/operations/ops/import.rs:2"
        ]
    );
}

/// A rule held by a counted list: a file of the library may do the thing (`what` of its
/// scan) only as often as `allowed` says, and no other file at all outside the `free`
/// rooms. A count over the list grows the debt; a count under it must lower the list,
/// so the list only shrinks. Each complaint names the file and what it does.
fn counted(
    files: &[Source],
    free: &[&str],
    what: fn(&scan::Scanned) -> &[String],
    allowed: &[(&str, usize, &str)],
) -> Vec<String> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for file in files {
        if file
            .module
            .first()
            .is_some_and(|room| free.contains(&room.as_str()))
        {
            continue;
        }
        let rel = shown(&file.rel);
        let done = what(&file.scanned);
        let limit = allowed
            .iter()
            .find(|(path, ..)| shown(Path::new(path)) == rel)
            .map(|(_, n, _)| *n);
        if limit.is_some() {
            seen.insert(rel.clone());
        }
        let limit = limit.unwrap_or(0);
        if done.len() > limit {
            found.push(format!(
                "{rel}: {} where the list allows {limit}: {}",
                done.len(),
                done.join(", ")
            ));
        } else if done.len() < limit {
            found.push(format!(
                "{rel}: {} where the list allows {limit}: lower its count (the list only shrinks)",
                done.len()
            ));
        }
    }
    for (path, ..) in allowed {
        if !seen.contains(&shown(Path::new(path))) {
            found.push(format!(
                "{}: listed, but no such library file: remove its row",
                shown(Path::new(path))
            ));
        }
    }
    found
}

/// The room where platform `cfg`s and the OS crates belong: one API per concern,
/// chosen at compile time (docs/ARCHITECTURE.md, "Where a change goes").
const PLATFORM_ROOMS: &[&str] = &["platform"];

/// Library files outside `platform` that choose a platform (`#[cfg(unix)]`,
/// `cfg!(windows)`, `target_os = …`) or call `rustix`/`libc`/`windows-sys` themselves,
/// and how often: debt held so it cannot grow, paid by moving the code behind
/// `src/platform/`. Test code is not counted.
const PLATFORM_DEBT: &[(&str, usize, &str)] = &[
    // What this binary is: its target is the answer, not a choice of behaviour.
    (
        "crates/vx-base/src/build_info.rs",
        5,
        "the release target of this build",
    ),
    // The system's certificates: rustls-native-certs, or on macOS the keychains read
    // through /usr/bin/security by net's own PEM parser (issue 68: Apple's frameworks
    // cannot be linked from Linux). The choice belongs in `platform` once the bounded
    // read it needs stands below it.
    (
        "crates/vx-net/src/keychain.rs",
        1,
        "the keychains are read on macOS only",
    ),
    (
        "crates/vx-net/src/lib.rs",
        1,
        "the keychain module: macOS's, and its tests everywhere",
    ),
    (
        "crates/vx-net/src/trust.rs",
        2,
        "the system's certificates: native-certs or the keychains",
    ),
    // The task runner's process trees on Unix (process groups, the guard process that
    // is each run's subreaper, fd passing over a socket): written before `platform`
    // had the concern; `platform::process` is where they go.
    (
        "crates/vx-tasks/src/launch.rs",
        16,
        "the guard: a Unix-only way to start a command",
    ),
    (
        "crates/vx-tasks/src/guard/mod.rs",
        1,
        "the guard exists on Unix only",
    ),
    (
        "crates/vx-tasks/src/guard/protocol.rs",
        2,
        "signals named on the guard's wire",
    ),
    (
        "crates/vx-tasks/src/guard/scan.rs",
        3,
        "the user's processes, by uid; listed by sysinfo, or on macOS by vx_shm::procs (issue 68): to move behind platform::process",
    ),
    (
        "crates/vx-tasks/src/guard/serve.rs",
        26,
        "subreaper, waits, process-group kills",
    ),
    (
        "crates/vx-tasks/src/guard/transport.rs",
        18,
        "fd passing (SCM_RIGHTS) and peer checks",
    ),
    (
        "crates/vx-tasks/src/command.rs",
        2,
        "how a task's shell line is run",
    ),
    // Where Windows names a tool's files otherwise (`python.exe`, `Scripts\`,
    // `uv.exe`): `platform::fs`'s executable naming is where they go.
    (
        "crates/vx-sources/src/backend/environment.rs",
        1,
        "npm's `file:` specs written with `/` on Windows",
    ),
    (
        "crates/vx-sources/src/backend/pipconf.rs",
        1,
        "pip's site-wide files are Unix's",
    ),
    (
        "crates/vx-engine/src/install/environment.rs",
        6,
        "a venv's and npm's bin directories",
    ),
    (
        "crates/vx-engine/src/install/extract.rs",
        2,
        "executable bits of an archive's entries",
    ),
    (
        "crates/vx-engine/src/install/mod.rs",
        1,
        "a post-install's shell",
    ),
    (
        "crates/vx-engine/src/install/uv.rs",
        1,
        "uv's venv relocatable on Windows",
    ),
    (
        "crates/vx-engine/src/install/venv.rs",
        1,
        "venvs made by vx on Unix only (uv venv elsewhere)",
    ),
    (
        "crates/vx-model/src/project_env/venv.rs",
        1,
        "python's names, in the order each OS ships them",
    ),
    (
        "crates/vx-ops/src/exec.rs",
        1,
        "a `.cmd`/`.bat` launcher on Windows",
    ),
    (
        "crates/vx-ops/src/run.rs",
        1,
        "a lone task in place of vx (exec) on Unix",
    ),
    (
        "crates/vx-base/src/validate.rs",
        1,
        "names Windows cannot hold",
    ),
];

/// Library files that print (`note!`, `println!`, `eprintln!`, `std::io::stdout`/
/// `stderr`), and how often. An operation prints nothing: what it has to say goes
/// back in its report or through the sink its caller gives, and the command renders it
/// (docs/ARCHITECTURE.md, `src/ops/`). The rows marked "to move" are debt held so it
/// cannot grow; the others print by their nature.
const PRINT_DEBT: &[(&str, usize, &str)] = &[
    (
        "crates/vx-base/src/lib.rs",
        1,
        "`note!` itself, the one line on stderr the rest goes through",
    ),
    (
        "crates/vx-sync/src/lib.rs",
        10,
        "the parent's display: inline region, headless lines, summary",
    ),
    (
        "crates/vx-engine/src/child/mod.rs",
        4,
        "a child's stderr is its way back: the parent reads its last line",
    ),
    (
        "crates/vx-engine/src/child/board_sink.rs",
        2,
        "a child's stderr is its way back",
    ),
    (
        "crates/vx-project/src/demo/mod.rs",
        3,
        "the demo says what it sets up",
    ),
    (
        "crates/vx-engine/src/install/live.rs",
        1,
        "the default writer of `vx install`'s live line",
    ),
    (
        "crates/vx-engine/src/install/sink.rs",
        1,
        "the default writer of `vx install`'s plain lines",
    ),
    (
        "crates/vx-base/src/platform/unix.rs",
        1,
        "stderr handed to a child process (`Stdio`)",
    ),
    (
        "crates/vx-base/src/platform/windows.rs",
        1,
        "stderr handed to a child process (`Stdio`)",
    ),
    (
        "crates/vx-tasks/src/output.rs",
        3,
        "the tasks' own output, passed through in the mode chosen",
    ),
    (
        "crates/vx-tasks/src/views.rs",
        5,
        "the run's live views; its 4 notes are to move",
    ),
    (
        "crates/vx-tasks/src/guard/mod.rs",
        1,
        "the guard is a process of its own: its stderr is its own",
    ),
    (
        "crates/vx-tasks/src/guard/serve.rs",
        1,
        "the guard is a process of its own",
    ),
    (
        "crates/vx-tasks/src/board_sink.rs",
        1,
        "to move: a run without a board, into the run's report",
    ),
    (
        "crates/vx-tasks/src/runner/worker.rs",
        1,
        "to move: a stamp not recorded, into the run's events",
    ),
    (
        "crates/vx-project/src/plan.rs",
        2,
        "to move: a sync's notes, into its report",
    ),
    (
        "crates/vx-ops/src/import.rs",
        1,
        "to move: the network that failed, into the import's report",
    ),
    (
        "crates/vx-engine/src/resolution/network.rs",
        1,
        "to move: `-v` rewrite notes when the caller gives no `say`",
    ),
];

#[test]
fn platform_code_lives_in_the_platform_room_or_its_counted_debt() {
    let found = counted(
        scanned_library(),
        PLATFORM_ROOMS,
        |s| &s.platform,
        PLATFORM_DEBT,
    );
    assert!(
        found.is_empty(),
        "platform cfgs or OS calls outside src/foundation/platform/ (put them behind a platform API; \
         PLATFORM_DEBT in tests/it/layering.rs only shrinks):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_library_prints_nothing_beyond_its_counted_debt() {
    let found = counted(scanned_library(), &[], |s| &s.prints, PRINT_DEBT);
    assert!(
        found.is_empty(),
        "library code that prints (return it in a report or through the caller's sink; \
         PRINT_DEBT in tests/it/layering.rs only shrinks):\n{}",
        found.join("\n")
    );
}

#[test]
fn nothing_in_the_library_hides_a_path_from_the_checker() {
    let found = findings().opaque;
    assert!(
        found.is_empty(),
        "library code the layering test cannot follow:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_counted_rules_find_new_code_growth_and_a_stale_list() {
    let files = library_of(&[
        (
            "net/mod.rs",
            "#[cfg(unix)]\nfn f() { let _ = rustix::process::getpid(); if cfg!(windows) {} }\n\
             #[cfg(test)]\nmod tests { #[cfg(unix)] fn g() { libc::getpid(); println!(); } }\n\
             fn say() { crate::note!(\"x\"); let _ = std::io::stdout(); }\n",
        ),
        ("platform/mod.rs", "#[cfg(unix)]\nmod unix;\n"),
        (
            "install/mod.rs",
            "#[cfg(any(test, unix))]\nfn f() { eprintln!(); }\n",
        ),
    ]);
    fn platform(s: &scan::Scanned) -> &[String] {
        &s.platform
    }
    fn prints(s: &scan::Scanned) -> &[String] {
        &s.prints
    }
    // Unlisted: found (the platform room is free; test code is not counted).
    let found = counted(&files, &["platform"], platform, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("src/net/mod.rs: 3 where the list allows 0"),
        "{found:?}"
    );
    assert!(found[0].contains("rustix::process::getpid"), "{found:?}");
    assert!(found[1].starts_with("src/install/mod.rs: 1 "), "{found:?}");
    // Listed at its count: held; over it: grown; under it or gone: lower the list.
    let list = [("net/mod.rs", 3, ""), ("install/mod.rs", 1, "")];
    assert!(counted(&files, &["platform"], platform, &list).is_empty());
    let list = [
        ("net/mod.rs", 4, ""),
        ("install/mod.rs", 0, ""),
        ("gone.rs", 1, ""),
    ];
    let found = counted(&files, &["platform"], platform, &list);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].contains("lower its count"), "{found:?}");
    assert!(found[1].starts_with("src/install/mod.rs: 1 where the list allows 0"));
    assert!(found[2].contains("no such library file"), "{found:?}");
    // Prints: `note!`, stdout and an `eprintln!` under a cfg that builds outside tests.
    let found = counted(&files, &[], prints, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("src/net/mod.rs: 2 "), "{found:?}");
    assert!(found[1].contains("eprintln!"), "{found:?}");
}

/// The modules of `modules` that the `//!` map of `text` (the crate root's, naming its
/// floors, or a floor's `mod.rs`, naming its rooms) does not name as a link (`[`name`]`
/// or `[`mod@name`]`).
fn unmapped<'a>(text: &str, modules: &'a [String]) -> Vec<&'a str> {
    let map: String = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    modules
        .iter()
        .map(String::as_str)
        .filter(|m| !map.contains(&format!("[`{m}`]")) && !map.contains(&format!("[`mod@{m}`]")))
        .collect()
}

/// Where a crate's files are, as the rows write them: `crates/vx-net/src/`, or `src/`
/// for the binary's own library.
fn src_of(folder: &str) -> String {
    match folder {
        "src" => "src/".to_owned(),
        _ => format!("{folder}/src/"),
    }
}

/// The rooms of `rooms` (folder, room) without a row under `## What each room owns` in
/// `architecture`: a row whose first cell names `FOLDER/src/ROOM/`, `FOLDER/src/ROOM.rs`
/// or a file inside `FOLDER/src/ROOM/`, or for a crate's root room (`roots`) any file
/// of `FOLDER/src/`.
fn rowless<'a>(
    architecture: &str,
    rooms: &'a [(String, String)],
    roots: &BTreeSet<String>,
) -> Vec<&'a str> {
    let start = architecture
        .find("\n## What each room owns\n")
        .expect("a `## What each room owns` section");
    let body = &architecture[start + 1..];
    let body = &body[..body[3..].find("\n## ").map_or(body.len(), |end| end + 3)];
    let firsts: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix('|'))
        .filter_map(|l| l.split('|').next())
        .collect();
    rooms
        .iter()
        .filter(|(folder, room)| {
            let src = src_of(folder);
            let (dir, file) = if roots.contains(room) {
                (format!("`{src}"), format!("`{src}lib.rs`"))
            } else {
                (format!("`{src}{room}/"), format!("`{src}{room}.rs`"))
            };
            !firsts.iter().any(|c| c.contains(&dir) || c.contains(&file))
        })
        .map(|(_, room)| room.as_str())
        .collect()
}

#[test]
fn every_room_is_on_the_map_of_lib_rs_and_has_a_row_in_the_architecture() {
    let crates = crates();
    for krate in &crates {
        let lib = Path::new(ROOT).join(src_of(&krate.folder)).join("lib.rs");
        let text = std::fs::read_to_string(&lib).unwrap();
        let rooms: Vec<String> = krate.modules.iter().cloned().collect();
        let unmapped = unmapped(&text, &rooms);
        assert!(
            unmapped.is_empty(),
            "rooms {} declares but its map (//!) does not name: {unmapped:?}",
            lib.strip_prefix(ROOT).unwrap().display()
        );
    }
    let roots: BTreeSet<String> = crates.iter().filter_map(|c| c.root_room.clone()).collect();
    let rooms = library_modules();
    let rowless = rowless(&architecture(), &rooms, &roots);
    assert!(
        rowless.is_empty(),
        "rooms without a row in docs/ARCHITECTURE.md's \"What each room owns\": {rowless:?}"
    );
}

#[test]
fn a_room_missing_from_the_map_or_the_rows_is_found() {
    let modules: Vec<String> = ["net", "format", "lock", "tasks"].map(String::from).into();
    let lib_rs = "//! [`net`] and [`mod@format`]; `lock` in code is no link.\npub mod net;\n";
    assert_eq!(unmapped(lib_rs, &modules), ["lock", "tasks"]);
    let rooms = [
        ("crates/vx-net", "net"),
        ("crates/vx-base", "format"),
        ("crates/vx-model", "lock"),
        ("crates/vx-tasks", "tasks"),
        ("src", "present"),
    ]
    .map(|(f, r)| (f.to_owned(), r.to_owned()));
    let roots = BTreeSet::from(["net".to_owned(), "tasks".to_owned()]);
    let architecture = "# A\n\n## What each room owns\n\n| where | owns |\n|---|---|\n\
        | `crates/vx-net/src/` | the client; `crates/vx-model/src/lock/` named in a cell is no row |\n\
        | `crates/vx-base/src/format.rs`, `crates/vx-tasks/src/guard/` | formats; the guard |\n\
        | `src/present/run.rs` | what `vx run` shows |\n\
        | `crates/vx-net/src/lock/` | the room outside its floor's crate is no row |\n\n## Next\n\n\
        | `crates/vx-model/src/lock/` | a row of another section |\n";
    assert_eq!(rowless(architecture, &rooms, &roots), ["lock"]);
}
