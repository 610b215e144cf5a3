//! What Cargo cannot hold of docs/ARCHITECTURE.md's floors. Cargo keeps the crates in
//! order (a crate names only crates below it); this test reads the floors table and
//! every `.rs` file of `src/` and the crates with `syn` (`scan`), and holds the rest:
//! the finer floors inside a crate (`5.2` stands on `5.1`; rooms of one finer floor may
//! name each other), no circle of rooms or of files, the session's door (only
//! `session/` and `manifest/` name `manifest::locate`/`find`), the fixture (tests and
//! `demo` only), `vx_tui` above floor 4 only, no command naming another, the counted
//! debts ([`PLATFORM_DEBT`], [`PRINT_DEBT`]: they only shrink) and the map (every room
//! on the table, in its `lib.rs` map and with a row under "What each room owns").
//! A path counts however it is written: `crate::`, `super::` out of a room, another
//! crate's `vx_NAME::`, a leading `::`, inside macro calls, through `use … as` and
//! re-exports. Each rule is shown failing on a small library at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod scan;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A floor and its finer floor (`5.2` is `Floor(5, 2)`, `10` is `Floor(10, 0)`).
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

/// The text of `doc` under `## heading`, up to the next `## `.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n## {heading}\n"))
        .map_or(doc.len(), |s| s + 1);
    let body = &doc[start..];
    &body[..body
        .get(3..)
        .and_then(|b| b.find("\n## "))
        .map_or(body.len(), |e| e + 3)]
}

/// Where a crate's files are: `crates/vx-net/src/`, or `src/` for the binary's library.
fn src_of(folder: &str) -> String {
    if folder == "src" {
        "src/".into()
    } else {
        format!("{folder}/src/")
    }
}

/// A crate of the floors table: its folder, its name in paths (`vx_net`; `vx` for
/// `src/`), the table's rooms in it, the modules its `lib.rs` declares, its `//!` map
/// and its root room: the room named as the crate that `lib.rs` does not declare, which
/// is the crate root itself (`vx_net::client` is in `net`).
struct Crate {
    folder: String,
    ident: String,
    rooms: BTreeSet<String>,
    declared: Vec<String>,
    map: String,
    root: Option<String>,
}

/// A file read: its path, its module (from its crate's name: `[vx_net, client]`; the
/// binary's own files, `main.rs`, `cli.rs`, `commands/`, from `vx_bin`), its room
/// (`None` off the floors) and what it names.
struct File {
    rel: String,
    module: Vec<String>,
    room: Option<String>,
    library: bool,
    scanned: scan::Scanned,
}

/// The library as the table and the files say: what every rule reads.
struct Library {
    architecture: String,
    floors: BTreeMap<String, Floor>,
    crates: Vec<Crate>,
    files: Vec<File>,
    /// The `use`s and exported macros that lead out of their room, followed by
    /// [`Library::resolve`] (a room's own re-exports of its files are its business).
    bindings: BTreeMap<Vec<String>, Vec<String>>,
    placement: Vec<String>,
}

/// The crates a path may start from that sit beside the library.
const OTHER_CRATES: [&str; 4] = ["vx_fixture", "vx_tui", "vx_text", "vx_shm"];

impl Library {
    /// Reads `architecture`'s floors table and `files` (repository path, text).
    fn of(architecture: &str, files: &[(String, String)]) -> Library {
        let mut placement = Vec::new();
        let (mut floors, mut folders) = (BTreeMap::new(), BTreeMap::<String, BTreeSet<_>>::new());
        for line in section(architecture, "Floors of the library").lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(number) = cells.get(1).and_then(|c| c.split_whitespace().next()) else {
                continue;
            };
            let (whole, fine) = number.split_once('.').unwrap_or((number, "0"));
            let (Ok(whole), Ok(fine), Some(folder), Some(rooms)) =
                (whole.parse(), fine.parse(), cells.get(2), cells.get(3))
            else {
                continue;
            };
            let folder = folder.trim_matches('`').trim_end_matches('/');
            for room in rooms
                .split(',')
                .map(|r| r.trim().trim_matches('`').to_owned())
            {
                if floors.insert(room.clone(), Floor(whole, fine)).is_some() {
                    placement.push(format!("{room} is on two floors"));
                }
                folders.entry(folder.to_owned()).or_default().insert(room);
            }
        }
        let text = |rel: &str| {
            files
                .iter()
                .find(|(r, _)| r == rel)
                .map(|(_, t)| t.as_str())
        };
        let mut crates = Vec::new();
        for (folder, rooms) in folders {
            let lib = format!("{}lib.rs", src_of(&folder));
            let Some(lib_text) = text(&lib) else {
                placement.push(format!(
                    "the floors table names {folder}/, which has no {lib}"
                ));
                continue;
            };
            let items = syn::parse_file(lib_text).expect("lib.rs parses").items;
            let declared: Vec<String> = (items.iter())
                .filter_map(|i| {
                    if let syn::Item::Mod(m) = i {
                        Some(m.ident.to_string())
                    } else {
                        None
                    }
                })
                .collect();
            let ident = match folder.as_str() {
                "src" => "vx".to_owned(),
                _ => folder.rsplit('/').next().unwrap().replace('-', "_"),
            };
            let name = ident.trim_start_matches("vx_");
            let root = rooms
                .iter()
                .find(|r| *r == name && !declared.contains(r))
                .cloned();
            for room in rooms
                .iter()
                .filter(|r| !declared.contains(r) && Some(*r) != root.as_ref())
            {
                placement.push(format!("{room}: no module of {lib} (nor the crate's name)"));
            }
            for module in declared
                .iter()
                .filter(|m| root.is_none() && !rooms.contains(*m))
            {
                placement.push(match floors.get(module) {
                    Some(floor) => format!("{lib}: {module} is on floor {floor}, in another crate"),
                    None => format!("{lib}: {module} is on no floor"),
                });
            }
            let map = lib_text
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("//!"));
            let map = map.collect::<Vec<_>>().join("\n");
            crates.push(Crate {
                folder,
                ident,
                rooms,
                declared,
                map,
                root,
            });
        }
        let mut library = Library {
            architecture: architecture.to_owned(),
            floors,
            crates,
            files: Vec::new(),
            bindings: BTreeMap::new(),
            placement,
        };
        let names: BTreeSet<String> = (library.crates.iter().map(|c| c.ident.clone()))
            .chain(OTHER_CRATES.map(String::from))
            .collect();
        for (rel, text) in files {
            let krate = library
                .crates
                .iter()
                .find(|c| rel.starts_with(&src_of(&c.folder)));
            let Some((rest, ident)) = (match krate {
                Some(c) => rel
                    .strip_prefix(&src_of(&c.folder))
                    .map(|r| (r, c.ident.as_str())),
                None => rel.strip_prefix("src/").map(|r| (r, "vx_bin")),
            }) else {
                continue;
            };
            let mut module = vec![ident.to_owned()];
            let mut parts: Vec<&str> = rest.trim_end_matches(".rs").split('/').collect();
            if matches!(parts.as_slice(), ["lib" | "main"]) || parts.last() == Some(&"mod") {
                parts.pop();
            }
            module.extend(parts.iter().map(|p| p.to_string()));
            let declared = |m: &String| krate.is_some_and(|c| c.declared.contains(m));
            let binary = ident == "vx_bin"
                || (ident == "vx"
                    && (rest == "main.rs" || module.get(1).is_some_and(|m| !declared(m))));
            if binary {
                module[0] = "vx_bin".to_owned();
            }
            let room = if binary {
                None
            } else {
                library.room_of(&module)
            };
            let scanned = scan::scan(text, &module[0], &module, &names)
                .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            let library_file = !binary && (room.is_some() || module.len() == 1);
            let rel = rel.clone();
            library.files.push(File {
                rel,
                module,
                room,
                library: library_file,
                scanned,
            });
        }
        // A file under a `#[cfg(test)] mod` is test code through and through.
        let tests: Vec<Vec<String>> = (library.files.iter())
            .flat_map(|f| f.scanned.test_modules.clone())
            .collect();
        for file in &mut library.files {
            if tests.iter().any(|t| file.module.starts_with(t)) {
                file.scanned.named.iter_mut().for_each(|n| n.test = true);
                file.scanned.platform.clear();
                file.scanned.prints.clear();
                file.scanned.opaque.clear();
            }
        }
        let bindings: Vec<_> = (library.files.iter())
            .flat_map(|f| f.scanned.bindings.clone())
            .collect();
        for (name, target) in bindings {
            let room = library.room_of(&name);
            if room.is_none() || room != library.room_of(&target) {
                library.bindings.insert(name, target);
            }
        }
        library
    }

    /// The room a path is in: the crate's room it goes through, else its root room.
    fn room_of(&self, path: &[String]) -> Option<String> {
        let krate = self
            .crates
            .iter()
            .find(|c| Some(&c.ident) == path.first())?;
        match path.get(1) {
            Some(room) if krate.rooms.contains(room) && krate.declared.contains(room) => {
                Some(room.clone())
            }
            _ => krate.root.clone(),
        }
    }

    /// `path` followed through the bindings it starts with, the longest first.
    fn resolve(&self, path: &[String]) -> Vec<String> {
        let mut path = path.to_vec();
        for _ in 0..16 {
            let Some(n) = (1..=path.len())
                .rev()
                .find(|&n| self.bindings.contains_key(&path[..n]))
            else {
                break;
            };
            let next = [self.bindings[&path[..n]].as_slice(), &path[n..]].concat();
            if next == path {
                break;
            }
            path = next;
        }
        path
    }

    /// What `file` names, resolved, each with where and how it is written. A bare
    /// macro call names something only when it is one of the crate's exported macros.
    fn named<'a>(&'a self, file: &'a File) -> impl Iterator<Item = (scan::Named, String)> + 'a {
        file.scanned.named.iter().filter_map(move |named| {
            let path = self.resolve(&named.path);
            if named.bare && path == named.path {
                return None;
            }
            let mut at = format!("{}: {}", file.rel, named.written);
            if path != named.path && !named.bare {
                at.push_str(&format!(" (that is {})", path.join("::")));
            }
            Some((
                scan::Named {
                    path,
                    ..named.clone()
                },
                at,
            ))
        })
    }
}

/// The folders whose files may find a project's manifest: the session (the door) and
/// the manifest room, which does the finding.
const DOOR: [&str; 2] = [
    "crates/vx-ops/src/session/",
    "crates/vx-model/src/manifest/",
];
/// The files of `src/commands/` any command may use: the rest are commands.
const COMMAND_HELPERS: [&str; 2] = ["mod", "request"];
/// The highest floor whose rooms take their text from `vx_text`, never `vx_tui`.
const BELOW_THE_DASHBOARD: u32 = 4;

type Findings = BTreeMap<&'static str, Vec<String>>;

/// Every rule but the counted debts, each finding a line naming the file and the path.
fn check(library: &Library) -> Findings {
    let mut found = Findings::new();
    found.insert("placement", library.placement.clone());
    let mut rooms: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut files: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
    let modules: BTreeSet<&[String]> = (library.files.iter())
        .filter(|f| f.library)
        .map(|f| f.module.as_slice())
        .collect();
    let commands: BTreeSet<&str> = (library.files.iter())
        .filter_map(|f| match f.module.as_slice() {
            [b, c, name] if b == "vx_bin" && c == "commands" => Some(name.as_str()),
            _ => None,
        })
        .filter(|c| !COMMAND_HELPERS.contains(c))
        .collect();
    for file in &library.files {
        let mut push = |rule, line: String| found.entry(rule).or_default().push(line);
        let in_door = DOOR.iter().any(|d| file.rel.starts_with(d));
        let command = match file.module.as_slice() {
            [b, c, name] if b == "vx_bin" && c == "commands" => Some(name.as_str()),
            _ => None,
        }
        .filter(|c| commands.contains(c));
        if file.library {
            (file.scanned.opaque.iter()).for_each(|o| push("opaque", format!("{}: {o}", file.rel)));
        }
        for (named, at) in library.named(file) {
            let path: Vec<&str> = named.path.iter().map(String::as_str).collect();
            if !in_door
                && (matches!(
                    path.as_slice(),
                    ["vx_model", "manifest", "locate" | "find", ..]
                ) || (named.glob && path == ["vx_model", "manifest"]))
            {
                push("door", at.clone());
            }
            // `use super::*` in a command names every command.
            let other = match path.as_slice() {
                ["vx_bin", "commands"] if named.glob => Some(true),
                ["vx_bin", "commands", other, ..] => Some(commands.contains(other)),
                _ => None,
            };
            if command.is_some() && other == Some(true) && path.get(2) != command.as_ref() {
                push("commands", at.clone());
            }
            let Some(room) = file.room.as_ref().filter(|_| file.library) else {
                continue;
            };
            let floor = library.floors[room];
            match path[0] {
                "vx_fixture" if room != "demo" && !named.test => push("fixture", at.clone()),
                "vx_tui" if floor.0 <= BELOW_THE_DASHBOARD => push("dashboard", at.clone()),
                _ => {}
            }
            if let Some(target) = (1..=path.len())
                .rev()
                .map(|n| &named.path[..n])
                .find(|p| modules.contains(p))
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                let edges = files.entry(file.module.clone()).or_default();
                edges.entry(target.to_vec()).or_insert_with(|| at.clone());
            }
            let Some(to) = library.room_of(&named.path).filter(|to| to != room) else {
                continue;
            };
            let to_floor = library.floors[&to];
            if to_floor > floor {
                push(
                    "upward",
                    format!("{at}: {room} (floor {floor}) names {to} (floor {to_floor})"),
                );
            }
            rooms
                .entry(room.clone())
                .or_default()
                .entry(to)
                .or_insert(at);
        }
    }
    found.insert("room circles", circles(&rooms, |r| r.clone()));
    found.insert("file circles", circles(&files, |m| m.join("::")));
    found.insert("map", unmapped(library));
    found
}

/// Each circle of `edges` once, as the nodes along it and, for each step, the file and
/// path that make it.
fn circles<N: Ord + Clone>(
    edges: &BTreeMap<N, BTreeMap<N, String>>,
    name: impl Fn(&N) -> String,
) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (from, tos) in edges {
        for to in tos.keys() {
            // The shortest way back from `to` to `from` closes a circle through this edge.
            let Some(back) = way(edges, to, from).filter(|_| !seen.contains(from)) else {
                continue;
            };
            let steps: Vec<&N> = std::iter::once(from).chain(back).collect();
            let mut text = steps
                .iter()
                .map(|n| name(n))
                .collect::<Vec<_>>()
                .join(" -> ");
            for pair in steps.windows(2) {
                text.push_str(&format!("\n    {}", edges[pair[0]][pair[1]]));
            }
            seen.extend(steps.into_iter().cloned());
            out.push(text);
        }
    }
    out
}

/// The shortest way from `from` to `to` along `edges`, both ends included.
fn way<'a, N: Ord>(
    edges: &'a BTreeMap<N, BTreeMap<N, String>>,
    from: &'a N,
    to: &'a N,
) -> Option<Vec<&'a N>> {
    let mut before: BTreeMap<&N, &N> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            while let Some(&prev) = before.get(path.last().unwrap()) {
                path.push(prev);
            }
            path.reverse();
            return Some(path);
        }
        for next in edges.get(node).into_iter().flat_map(|t| t.keys()) {
            if next != from && !before.contains_key(next) {
                before.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The rooms missing from their crate's `//!` map (a link, `[`room`]` or
/// `[`mod@room`]`) or without a row under "What each room owns" (a first cell naming
/// `FOLDER/src/ROOM/`, `FOLDER/src/ROOM.rs` or a file inside; a root room's, any path
/// of its crate's `src/`).
fn unmapped(library: &Library) -> Vec<String> {
    let rows = section(&library.architecture, "What each room owns");
    let firsts: Vec<&str> = rows
        .lines()
        .filter_map(|l| l.strip_prefix('|')?.split('|').next())
        .collect();
    let mut out = Vec::new();
    for krate in &library.crates {
        let src = src_of(&krate.folder);
        for room in &krate.rooms {
            let root = krate.root.as_ref() == Some(room);
            if !root && !krate.declared.contains(room) {
                continue;
            }
            let linked = [format!("[`{room}`]"), format!("[`mod@{room}`]")];
            if !root && !linked.iter().any(|l| krate.map.contains(l)) {
                out.push(format!("{src}lib.rs: room {room} is not on the map (//!)"));
            }
            let names = if root {
                vec![format!("`{src}")]
            } else {
                vec![format!("`{src}{room}/"), format!("`{src}{room}.rs`")]
            };
            if !firsts.iter().any(|c| names.iter().any(|n| c.contains(n))) {
                out.push(format!(
                    "room {room} has no row under \"What each room owns\""
                ));
            }
        }
    }
    out
}

/// A rule held by a counted list: a library file outside the `free` rooms may do the
/// thing (`what` of its scan) only as often as `allowed` says. A count over the list is
/// growth; one under it must lower the list, so the list only shrinks.
fn counted(
    library: &Library,
    free: &[&str],
    what: fn(&scan::Scanned) -> &[String],
    allowed: &[(&str, usize, &str)],
) -> Vec<String> {
    let mut found = Vec::new();
    let files = library.files.iter().filter(|f| f.library);
    for file in files.filter(|f| !f.room.as_deref().is_some_and(|r| free.contains(&r))) {
        let done = what(&file.scanned);
        let limit = allowed
            .iter()
            .find(|(p, ..)| *p == file.rel)
            .map_or(0, |(_, n, _)| *n);
        let (rel, n) = (&file.rel, done.len());
        if n > limit {
            found.push(format!(
                "{rel}: {n} where the list allows {limit}: {}",
                done.join(", ")
            ));
        } else if n < limit {
            found.push(format!(
                "{rel}: {n} where the list allows {limit}: lower its count"
            ));
        }
    }
    for (path, ..) in allowed
        .iter()
        .filter(|(p, ..)| !library.files.iter().any(|f| f.rel == *p))
    {
        found.push(format!(
            "{path}: listed, but no such library file: remove its row"
        ));
    }
    found
}

/// Library files outside `platform` that choose a platform (`#[cfg(unix)]`,
/// `cfg!(windows)`, `target_os = …`) or call `rustix`/`libc`/`windows-sys` themselves,
/// and how often: debt held so it cannot grow, paid by moving the code behind
/// `crates/vx-base/src/platform/`. Test code is not counted.
const PLATFORM_DEBT: &[(&str, usize, &str)] = &[
    (
        "crates/vx-base/src/build_info.rs",
        5,
        "the release target of this build",
    ),
    // The system's certificates: rustls-native-certs, or on macOS the keychains read
    // through /usr/bin/security (issue 68): to move once the bounded read stands below.
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
    // The task runner's process trees on Unix, written before `platform` had the
    // concern: `platform::process` is where they go.
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
        "the user's processes, by uid (issue 68)",
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
    // Where Windows names a tool's files otherwise: `platform::fs`'s naming is where
    // they go.
    (
        "crates/vx-sources/src/backend/environment.rs",
        1,
        "npm's `file:` specs on Windows",
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
        "venvs made by vx on Unix only",
    ),
    (
        "crates/vx-model/src/project_env/venv.rs",
        1,
        "python's names, in each OS's order",
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
/// `stderr`), and how often. An operation prints nothing: what it has to say goes back
/// in its report or through its caller's sink. Rows marked "to move" are debt; the
/// others print by their nature.
const PRINT_DEBT: &[(&str, usize, &str)] = &[
    (
        "crates/vx-base/src/lib.rs",
        1,
        "`note!` itself, the one line on stderr",
    ),
    (
        "crates/vx-sync/src/lib.rs",
        10,
        "the parent's display: inline, headless, summary",
    ),
    (
        "crates/vx-engine/src/child/mod.rs",
        4,
        "a child's stderr is its way back",
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
        "`vx install`'s live line, by default",
    ),
    (
        "crates/vx-engine/src/install/sink.rs",
        1,
        "`vx install`'s plain lines, by default",
    ),
    (
        "crates/vx-base/src/platform/unix.rs",
        1,
        "stderr handed to a child (`Stdio`)",
    ),
    (
        "crates/vx-base/src/platform/windows.rs",
        1,
        "stderr handed to a child (`Stdio`)",
    ),
    (
        "crates/vx-tasks/src/output.rs",
        3,
        "the tasks' own output, passed through",
    ),
    (
        "crates/vx-tasks/src/views.rs",
        5,
        "the run's live views; its 4 notes are to move",
    ),
    (
        "crates/vx-tasks/src/guard/mod.rs",
        1,
        "the guard is a process of its own",
    ),
    (
        "crates/vx-tasks/src/guard/serve.rs",
        1,
        "the guard is a process of its own",
    ),
    (
        "crates/vx-tasks/src/board_sink.rs",
        1,
        "to move: a run without a board",
    ),
    (
        "crates/vx-tasks/src/runner/worker.rs",
        1,
        "to move: a stamp not recorded",
    ),
    (
        "crates/vx-project/src/plan.rs",
        2,
        "to move: a sync's notes, into its report",
    ),
    (
        "crates/vx-ops/src/import.rs",
        1,
        "to move: the network that failed",
    ),
    (
        "crates/vx-engine/src/resolution/network.rs",
        1,
        "to move: `-v` rewrite notes",
    ),
];

/// The real library (docs/ARCHITECTURE.md, every `.rs` file of `src/` and of the
/// crates' `src/`) and what the rules find in it, read once for every test.
fn real() -> &'static (Library, Findings) {
    static REAL: std::sync::OnceLock<(Library, Findings)> = std::sync::OnceLock::new();
    REAL.get_or_init(|| {
        let root = Path::new(ROOT);
        let (mut files, mut dirs) = (Vec::new(), vec![root.join("src"), root.join("crates")]);
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push((rel, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        files.sort();
        let architecture = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
        let library = Library::of(&architecture, &files);
        let found = check(&library);
        (library, found)
    })
}

/// Asserts the real library breaks `rule` nowhere, saying `why` it matters.
fn holds(rule: &str, why: &str) {
    let found = real().1.get(rule).cloned().unwrap_or_default();
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

#[test]
fn every_room_is_a_module_of_its_floors_crate() {
    let library = &real().0;
    let read = |rel: &str| {
        library
            .files
            .iter()
            .any(|f| f.rel == rel && f.scanned.named.len() > 1)
    };
    assert!(read("src/commands/add.rs") && read("crates/vx-ops/src/import.rs"));
    holds(
        "placement",
        "rooms off docs/ARCHITECTURE.md's floors table (a new room gets its row first)",
    );
}

#[test]
fn no_room_names_a_room_of_a_floor_above_it() {
    holds(
        "upward",
        "upward paths (docs/ARCHITECTURE.md, \"Floors of the library\")",
    );
}

#[test]
fn no_rooms_and_no_files_name_each_other_in_a_circle() {
    holds(
        "room circles",
        "rooms in a circle (move what both need below both)",
    );
    holds("file circles", "files in a circle");
}

#[test]
fn commands_and_ops_open_their_project_through_the_sessions_door() {
    holds(
        "door",
        "files that find the manifest themselves (use `session::locate`, `locate_editable` or `Session::open`)",
    );
}

#[test]
fn only_tests_and_the_demo_name_the_fixture() {
    holds(
        "fixture",
        "library code names the `vx-fixture` crate (tests and `demo` only)",
    );
}

#[test]
fn rooms_on_floors_1_to_4_use_vx_text_not_the_dashboard() {
    holds(
        "dashboard",
        "rooms on floors 1-4 name the dashboard crate (use vx_text)",
    );
}

#[test]
fn no_command_names_another_command() {
    holds(
        "commands",
        "commands that name another (move what they share into `ops` or a helper)",
    );
}

#[test]
fn nothing_in_the_library_hides_a_path_from_the_checker() {
    holds("opaque", "library code the layering test cannot follow");
}

#[test]
fn every_room_is_on_its_crates_map_and_has_a_row() {
    holds(
        "map",
        "rooms missing from a lib.rs map or from \"What each room owns\"",
    );
}

#[test]
fn platform_code_lives_in_the_platform_room_or_its_counted_debt() {
    let found = counted(&real().0, &["platform"], |s| &s.platform, PLATFORM_DEBT);
    assert!(
        found.is_empty(),
        "platform code outside `platform` (PLATFORM_DEBT only shrinks):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_library_prints_nothing_beyond_its_counted_debt() {
    let found = counted(&real().0, &[], |s| &s.prints, PRINT_DEBT);
    assert!(
        found.is_empty(),
        "library code that prints (PRINT_DEBT only shrinks):\n{}",
        found.join("\n")
    );
}

/// A small library: `rows` of the floors table (`| 1.1 x | `crates/vx-base/` | `format` |`),
/// `owns` the rows under "What each room owns", `files` as (path, text).
fn small(rows: &str, owns: &str, files: &[(&str, &str)]) -> Library {
    let architecture = format!(
        "# A\n\n## Floors of the library\n\n| floor | folder | rooms |\n|---|---|---|\n{rows}\n\
         ## What each room owns\n\n| where | owns |\n|---|---|\n{owns}\n"
    );
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    Library::of(&architecture, &files)
}

/// The findings of `rule` in a small library.
fn found(library: &Library, rule: &str) -> Vec<String> {
    check(library).remove(rule).unwrap_or_default()
}

const BASE: &str = "| 2.1 n | `crates/vx-net/` | `net` |\n\
    | 1.2 b | `crates/vx-base/` | `atomic` |\n| 1.1 b | `crates/vx-base/` | `format`, `exit`, `version` |";

#[test]
fn an_upward_use_inside_a_crates_finer_floors_fails() {
    let library = small(
        BASE,
        "",
        &[
            (
                "crates/vx-base/src/lib.rs",
                "pub mod atomic;\npub mod exit;\npub mod format;\n",
            ),
            ("crates/vx-base/src/atomic.rs", "use crate::format::size;\n"),
            (
                "crates/vx-base/src/exit.rs",
                "fn f() { crate::format::size(); }\n",
            ),
            (
                "crates/vx-base/src/format.rs",
                "use crate::{\n    exit::Code,\n    atomic::write,\n};\n",
            ),
        ],
    );
    assert_eq!(
        found(&library, "upward"),
        [
            "crates/vx-base/src/format.rs: crate::atomic::write: format (floor 1.1) names atomic (floor 1.2)"
        ]
    );
}

#[test]
fn a_path_is_counted_however_it_is_written() {
    let library = small(
        BASE,
        "",
        &[
            (
                "crates/vx-base/src/lib.rs",
                "pub mod atomic;\npub mod exit;\npub mod format;\npub mod version;\npub use atomic::write;\n",
            ),
            (
                "crates/vx-base/src/atomic.rs",
                "#[macro_export]\nmacro_rules! atomically { () => {} }\npub fn write() {}\n",
            ),
            (
                "crates/vx-base/src/format/mod.rs",
                "mod size;\nuse crate::atomic as a;\nfn f() { a::write(); }\n",
            ),
            (
                "crates/vx-base/src/format/size.rs",
                "fn f() { super::super::atomic::write(); }\n",
            ),
            (
                "crates/vx-base/src/exit.rs",
                "fn f() { let _ = format!(\"{}\", crate::atomic::SIZE); crate::write(); }\n\
            fn g() { atomically!(); let _ = ::vx_net::client::Client; }\n",
            ),
            (
                "crates/vx-base/src/version.rs",
                "#[cfg(any(test, unix))]\nuse vx_base::atomic::A;\n\
            #[cfg(test)]\nmod tests { use crate::atomic::B; }\n",
            ),
            ("crates/vx-net/src/lib.rs", "pub mod client;\n"),
        ],
    );
    let mut written: Vec<String> = found(&library, "upward")
        .iter()
        .map(|u| u.split(": ").take(2).collect::<Vec<_>>().join(": "))
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "crates/vx-base/src/exit.rs: ::vx_net::client::Client",
            "crates/vx-base/src/exit.rs: atomically",
            "crates/vx-base/src/exit.rs: crate::atomic::SIZE",
            "crates/vx-base/src/exit.rs: crate::write (that is vx_base::atomic::write)",
            "crates/vx-base/src/format/mod.rs: a::write (that is vx_base::atomic::write)",
            "crates/vx-base/src/format/mod.rs: crate::atomic",
            "crates/vx-base/src/format/size.rs: super::super::atomic::write",
            "crates/vx-base/src/version.rs: crate::atomic::B",
            "crates/vx-base/src/version.rs: vx_base::atomic::A",
        ]
    );
}

const DOOR_FLOORS: &str = "| 8.1 o | `crates/vx-ops/` | `ops` |\n| 8 s | `crates/vx-ops/` | `session` |\n\
    | 3 m | `crates/vx-model/` | `manifest`, `lock` |";

/// The library the door's tests share: the manifest room finds, the session calls it.
fn door(files: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec![
        (
            "crates/vx-model/src/lib.rs",
            "pub mod lock;\npub mod manifest;\n",
        ),
        (
            "crates/vx-model/src/manifest/mod.rs",
            "pub fn locate() {}\npub fn find() {}\nfn f() { locate(); }\n",
        ),
        (
            "crates/vx-ops/src/lib.rs",
            "pub mod session;\npub mod lock;\n",
        ),
        (
            "crates/vx-ops/src/session/mod.rs",
            "use vx_model::manifest::{\n    locate,\n};\n",
        ),
    ];
    all.extend_from_slice(files);
    found(&small(DOOR_FLOORS, "", &all), "door")
}

#[test]
fn a_door_bypass_in_a_grouped_import_over_several_lines_fails() {
    let add = "use vx_model::{\n    lock::Lock,\n    manifest::{\n        self,\n        find,\n    },\n};\n\
        fn f() { manifest::task_graph::find(); }\n";
    let lock =
        "use crate::manifest::{MANIFEST_FILE,\n    locate as here};\nuse crate::manifest::*;\n";
    assert_eq!(
        door(&[
            ("crates/vx-model/src/lock.rs", lock),
            ("src/commands/add.rs", add),
        ]),
        [
            "crates/vx-model/src/lock.rs: crate::manifest::locate",
            "crates/vx-model/src/lock.rs: crate::manifest::*",
            "src/commands/add.rs: vx_model::manifest::find",
        ]
    );
}

#[test]
fn a_module_alias_of_the_manifest_fails_the_door() {
    let lock = "use vx_model::manifest as m;\nfn f() { m::locate(None, &cwd); }\n\
        fn g() { use vx_model::{manifest as n}; n::find(&cwd); }\n";
    assert_eq!(
        door(&[("crates/vx-ops/src/lock.rs", lock)]),
        [
            "crates/vx-ops/src/lock.rs: m::locate (that is vx_model::manifest::locate)",
            "crates/vx-ops/src/lock.rs: n::find (that is vx_model::manifest::find)",
        ]
    );
}

#[test]
fn rooms_or_files_that_name_each_other_fail() {
    let library = small(
        "| 2 e | `crates/vx-engine/` | `install`, `child` |",
        "",
        &[
            (
                "crates/vx-engine/src/lib.rs",
                "pub mod child;\npub mod install;\n",
            ),
            (
                "crates/vx-engine/src/child.rs",
                "fn g() { let _ = format!(\"{}\", crate::install::STORE); }\n",
            ),
            (
                "crates/vx-engine/src/install/mod.rs",
                "mod a;\nmod b;\npub use a::A;\nfn f() { crate::child::spawn(); }\n",
            ),
            (
                "crates/vx-engine/src/install/a.rs",
                "use super::b::B;\nuse super::Shared;\n",
            ),
            (
                "crates/vx-engine/src/install/b.rs",
                "use crate::install::a::A;\n",
            ),
        ],
    );
    assert!(found(&library, "upward").is_empty());
    let rooms = found(&library, "room circles");
    assert_eq!(rooms.len(), 1, "{rooms:?}");
    assert!(rooms[0].starts_with(
        "child -> install -> child\n    crates/vx-engine/src/child.rs: crate::install::STORE"
    ));
    let files = found(&library, "file circles");
    let firsts: Vec<&str> = files.iter().map(|c| c.lines().next().unwrap()).collect();
    // A parent and its child (`a` using `super::Shared`) are no circle.
    assert_eq!(
        firsts,
        [
            "vx_engine::child -> vx_engine::install -> vx_engine::child",
            "vx_engine::install::a -> vx_engine::install::b -> vx_engine::install::a",
        ]
    );
}

#[test]
fn the_fixture_outside_tests_and_demo_and_the_dashboard_below_floor_5_fail() {
    let library = small(
        "| 7 p | `crates/vx-project/` | `demo`, `plan` |\n| 4 s | `crates/vx-sources/` | `github` |",
        "",
        &[
            (
                "crates/vx-project/src/lib.rs",
                "pub mod demo;\npub mod plan;\n",
            ),
            (
                "crates/vx-project/src/demo.rs",
                "pub use vx_fixture::{self as fixture};\nuse vx_tui::Tally;\n",
            ),
            (
                "crates/vx-project/src/plan.rs",
                "fn f() { crate::demo::fixture::noise(1); let _ = ::vx_fixture::X; }\n\
            #[cfg(test)]\nmod tests { use vx_fixture::Route; }\n#[cfg(any(test, unix))]\nuse vx_fixture::Y;\n",
            ),
            ("crates/vx-sources/src/lib.rs", "pub mod github;\n"),
            (
                "crates/vx-sources/src/github/mod.rs",
                "use vx_tui::text::size;\n#[cfg(test)]\nmod tests;\n",
            ),
            (
                "crates/vx-sources/src/github/tests.rs",
                "use vx_fixture::github::Fake;\n",
            ),
        ],
    );
    assert_eq!(
        found(&library, "fixture"),
        [
            "crates/vx-project/src/plan.rs: crate::demo::fixture::noise (that is vx_fixture::noise)",
            "crates/vx-project/src/plan.rs: ::vx_fixture::X",
            "crates/vx-project/src/plan.rs: vx_fixture::Y",
        ]
    );
    assert_eq!(
        found(&library, "dashboard"),
        ["crates/vx-sources/src/github/mod.rs: vx_tui::text::size"]
    );
}

#[test]
fn what_hides_a_path_is_refused() {
    let library = small(
        BASE,
        "",
        &[
            (
                "crates/vx-base/src/lib.rs",
                "extern crate self as vx2;\n#[macro_use]\npub mod format;\npub use format::*;\n",
            ),
            (
                "crates/vx-base/src/format.rs",
                "#[path = \"x.rs\"]\nmod borrowed;\nfn f() { include!(\"y.rs\"); }\n\
            pub use vx_fixture::*;\n#[cfg(test)]\nmod tests { use vx_fixture::*; }\n",
            ),
        ],
    );
    let opaque = found(&library, "opaque");
    assert_eq!(opaque.len(), 6, "{opaque:?}");
}

#[test]
fn a_command_naming_another_fails() {
    let library = small(
        "",
        "",
        &[
            (
                "src/commands/mod.rs",
                "pub mod import;\npub mod init;\npub mod logs;\npub mod request;\npub fn open() {}\n",
            ),
            ("src/commands/request.rs", "pub fn cwd() {}\n"),
            (
                "src/commands/init.rs",
                "fn run() { super::import::import_into(); super::request::cwd(); super::open(); }\n",
            ),
            (
                "src/commands/import.rs",
                "use super::*;\nuse crate::commands::init::run;\n",
            ),
            (
                "src/commands/logs.rs",
                "use super::{self as c};\nfn f() { c::init::run(); c::logs::x(); }\n",
            ),
        ],
    );
    assert_eq!(
        found(&library, "commands"),
        [
            "src/commands/init.rs: super::import::import_into",
            "src/commands/import.rs: super::*",
            "src/commands/import.rs: crate::commands::init::run",
            "src/commands/logs.rs: c::init::run (that is vx_bin::commands::init::run)",
        ]
    );
}

#[test]
fn the_counted_debts_fail_on_new_code_growth_and_a_stale_list() {
    let library = small(
        "| 2 n | `crates/vx-net/` | `net` |\n| 1 b | `crates/vx-base/` | `platform` |",
        "",
        &[
            (
                "crates/vx-net/src/lib.rs",
                "#[cfg(unix)]\nfn f() { let _ = rustix::process::getpid(); if cfg!(windows) {} }\n\
            #[cfg(test)]\nmod tests { #[cfg(unix)] fn g() { libc::getpid(); println!(); } }\n\
            fn say() { vx_base::note!(\"x\"); let _ = std::io::stdout(); }\n#[cfg(any(test, unix))]\nfn h() { eprintln!(); }\n",
            ),
            ("crates/vx-base/src/lib.rs", "pub mod platform;\n"),
            (
                "crates/vx-base/src/platform.rs",
                "#[cfg(unix)]\nmod unix;\n",
            ),
        ],
    );
    let platform =
        |list: &[(&str, usize, &str)]| counted(&library, &["platform"], |s| &s.platform, list);
    let found = platform(&[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("crates/vx-net/src/lib.rs: 4 where the list allows 0"),
        "{found:?}"
    );
    assert!(platform(&[("crates/vx-net/src/lib.rs", 4, "")]).is_empty());
    let found = platform(&[("crates/vx-net/src/lib.rs", 5, ""), ("gone.rs", 1, "")]);
    assert!(
        found[0].ends_with("lower its count") && found[1].contains("no such library file"),
        "{found:?}"
    );
    let found = counted(&library, &[], |s| &s.prints, &[]);
    assert_eq!(
        found,
        ["crates/vx-net/src/lib.rs: 3 where the list allows 0: note!, std::io::stdout, eprintln!"]
    );
}

#[test]
fn a_room_off_the_table_the_map_or_the_rows_fails() {
    let rows = "| 2.2 n | `crates/vx-net/` | `verify` |\n| 2.1 n | `crates/vx-net/` | `net` |\n\
        | 1 b | `crates/vx-base/` | `format`, `gone` |";
    let owns = "| `crates/vx-net/src/client.rs` | the client |\n| `crates/vx-base/src/format.rs` | formats |";
    let library = small(
        rows,
        owns,
        &[
            (
                "crates/vx-net/src/lib.rs",
                "//! [`verify`] checks.\npub mod client;\npub mod verify;\n",
            ),
            (
                "crates/vx-base/src/lib.rs",
                "//! `format` in code is no link.\npub mod format;\npub mod stray;\n",
            ),
        ],
    );
    assert_eq!(
        found(&library, "placement"),
        [
            "gone: no module of crates/vx-base/src/lib.rs (nor the crate's name)",
            "crates/vx-base/src/lib.rs: stray is on no floor",
        ]
    );
    assert_eq!(
        found(&library, "map"),
        [
            "crates/vx-base/src/lib.rs: room format is not on the map (//!)",
            "room verify has no row under \"What each room owns\"",
        ]
    );
}
