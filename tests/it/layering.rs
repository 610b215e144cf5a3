//! What Cargo cannot hold of docs/ARCHITECTURE.md's floors. Cargo keeps the crates in
//! order (a crate names only crates below it); this test reads the floors table and
//! every `.rs` file of `src/` and the crates with `syn` (`scan`), and holds the rest:
//! the finer floors inside a crate (`5.2` stands on `5.1`; rooms of one finer floor may
//! name each other), no circle of rooms or of files, the session's door (only
//! `session/` and `manifest/` name `manifest::locate`/`find`), the fixture (tests and
//! `demo` only), no command naming another, the counted
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
        .map_or(doc.len(), |s| s + 4);
    let body = &doc[start..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// Where a crate's files are: `crates/vx-net/src/`, or `src/` for the binary's library.
fn src_of(folder: &str) -> String {
    match folder {
        "src" => "src/".to_owned(),
        _ => format!("{folder}/src/"),
    }
}

/// A crate of the floors table: its folder, its name in paths (`vx_net`; `vx` for
/// `src/`), the table's rooms in it, the modules its `lib.rs` declares, its `//!` map
/// and its root room: the room named as the crate that `lib.rs` does not declare, the
/// crate root itself (`vx_net::client` is in `net`).
#[derive(Default)]
struct Crate {
    folder: String,
    ident: String,
    rooms: BTreeSet<String>,
    declared: Vec<String>,
    map: String,
    root: Option<String>,
}

/// A file read: its path, its module (from its crate's name, `[vx_net, client]`; the
/// binary's own files, `main.rs`, `cli.rs`, `commands/`, from `vx_bin`), its room, and
/// whether it is the library's (in a room, or a crate root).
struct File {
    rel: String,
    module: Vec<String>,
    room: Option<String>,
    library: bool,
    scanned: scan::Scanned,
}

/// The library as the table and the files say: what every rule reads.
#[derive(Default)]
struct Library {
    architecture: String,
    floors: BTreeMap<String, Floor>,
    crates: Vec<Crate>,
    files: Vec<File>,
    /// The `use`s and exported macros that lead out of their room, followed by
    /// [`Library::resolve`] (a room's own re-exports of its files are its face).
    bindings: BTreeMap<Vec<String>, Vec<String>>,
    placement: Vec<String>,
}

/// The crates beside the library that a path may start from.
const OTHER_CRATES: [&str; 4] = ["vx_fixture", "vx_tui", "vx_text", "vx_shm"];

impl Library {
    /// Reads `architecture`'s floors table and `files` (repository path, text).
    fn of(architecture: &str, files: &[(String, String)]) -> Library {
        let mut lib = Library {
            architecture: architecture.to_owned(),
            ..Library::default()
        };
        let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in section(architecture, "Floors of the library").lines() {
            let cells: Vec<&str> = line
                .split('|')
                .map(|c| c.trim().trim_matches('`'))
                .collect();
            let number = cells.get(1).and_then(|c| c.split(' ').next()).unwrap_or("");
            let (whole, fine) = number.split_once('.').unwrap_or((number, "0"));
            let (Ok(whole), Ok(fine), [_, _, folder, rooms, ..]) =
                (whole.parse(), fine.parse(), cells.as_slice())
            else {
                continue;
            };
            for room in rooms
                .split(',')
                .map(|r| r.trim().trim_matches('`').to_owned())
            {
                if lib
                    .floors
                    .insert(room.clone(), Floor(whole, fine))
                    .is_some()
                {
                    lib.placement.push(format!("{room} is on two floors"));
                }
                let folder = folder.trim_end_matches('/').to_owned();
                folders.entry(folder).or_default().insert(room);
            }
        }
        for (folder, rooms) in folders {
            let lib_rs = format!("{}lib.rs", src_of(&folder));
            let Some((_, text)) = files.iter().find(|(rel, _)| *rel == lib_rs) else {
                lib.placement
                    .push(format!("the floors table names {folder}, without {lib_rs}"));
                continue;
            };
            let declared: Vec<String> = (syn::parse_file(text).expect(&lib_rs).items.iter())
                .filter_map(|i| {
                    Some(match i {
                        syn::Item::Mod(m) => m.ident.to_string(),
                        _ => return None,
                    })
                })
                .collect();
            let ident = match folder.as_str() {
                "src" => "vx".to_owned(),
                _ => folder.replace("crates/", "").replace('-', "_"),
            };
            let name = ident.trim_start_matches("vx_");
            let root = (rooms.iter())
                .find(|r| *r == name && !declared.contains(r))
                .cloned();
            for room in &rooms {
                if !declared.contains(room) && Some(room) != root.as_ref() {
                    let why = format!("{room}: no module of {lib_rs} (nor the crate's name)");
                    lib.placement.push(why);
                }
            }
            for module in declared
                .iter()
                .filter(|m| root.is_none() && !rooms.contains(*m))
            {
                lib.placement.push(match lib.floors.get(module) {
                    Some(floor) => format!("{lib_rs}: {module} is on floor {floor}, elsewhere"),
                    None => format!("{lib_rs}: {module} is on no floor"),
                });
            }
            let map: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("//!")).collect();
            let map = map.join("\n");
            lib.crates.push(Crate {
                folder,
                ident,
                rooms,
                declared,
                map,
                root,
            });
        }
        let mut names: BTreeSet<String> = OTHER_CRATES.map(String::from).into();
        names.extend(lib.crates.iter().map(|c| c.ident.clone()));
        let binary_crate = Crate {
            folder: "src".into(),
            ..Crate::default()
        };
        for (rel, text) in files {
            let krate = lib
                .crates
                .iter()
                .find(|c| rel.starts_with(&src_of(&c.folder)));
            let krate = krate.unwrap_or(&binary_crate);
            let Some(rest) = rel.strip_prefix(&src_of(&krate.folder)) else {
                continue;
            };
            let mut module: Vec<String> = rest
                .trim_end_matches(".rs")
                .split('/')
                .map(String::from)
                .collect();
            if module.last().is_some_and(|m| m == "mod") || ["lib.rs", "main.rs"].contains(&rest) {
                module.pop();
            }
            // `src/`'s files that its `lib.rs` does not declare are the binary's own.
            let binary = krate.ident.is_empty()
                || (krate.ident == "vx"
                    && (rest == "main.rs"
                        || module.first().is_some_and(|m| !krate.declared.contains(m))));
            module.insert(
                0,
                if binary {
                    "vx_bin".into()
                } else {
                    krate.ident.clone()
                },
            );
            let room = if binary { None } else { lib.room_of(&module) };
            let scanned = scan::scan(text, &module, &names)
                .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            let library = !binary && (room.is_some() || module.len() == 1);
            lib.files.push(File {
                rel: rel.clone(),
                module,
                room,
                library,
                scanned,
            });
        }
        // A file under a `#[cfg(test)] mod` is test code through and through.
        let tests: Vec<_> = lib
            .files
            .iter()
            .flat_map(|f| f.scanned.test_modules.clone())
            .collect();
        for file in lib
            .files
            .iter_mut()
            .filter(|f| tests.iter().any(|t| f.module.starts_with(t)))
        {
            let scanned = std::mem::take(&mut file.scanned);
            let named = scanned
                .named
                .into_iter()
                .map(|n| scan::Named { test: true, ..n });
            file.scanned = scan::Scanned {
                named: named.collect(),
                bindings: scanned.bindings,
                ..Default::default()
            };
        }
        let bindings: Vec<_> = lib
            .files
            .iter()
            .flat_map(|f| f.scanned.bindings.clone())
            .collect();
        for (name, target) in bindings {
            let room = lib.room_of(&name);
            if room.is_none() || room != lib.room_of(&target) {
                lib.bindings.insert(name, target);
            }
        }
        lib
    }

    /// The room a path is in: the room of its crate it goes through, else its root room.
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

    /// `path` followed through the bindings it starts with, the longest first. A bare
    /// macro call that no binding (an exported macro) takes is no one's: `None`.
    fn resolve(&self, named: &scan::Named) -> Option<Vec<String>> {
        let mut path = named.path.clone();
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
        (!named.bare || path != named.path).then_some(path)
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

type Findings = BTreeMap<&'static str, Vec<String>>;
type Edges<N> = BTreeMap<N, BTreeMap<N, String>>;

/// Every rule but the counted debts, each finding a line naming the file and the path.
fn check(lib: &Library) -> Findings {
    let mut found = Findings::from([("placement", lib.placement.clone())]);
    let (mut rooms, mut files) = (Edges::<String>::new(), Edges::<Vec<String>>::new());
    let modules: BTreeSet<&[String]> = lib
        .files
        .iter()
        .filter(|f| f.library)
        .map(|f| f.module.as_slice())
        .collect();
    let command = |f: &File| match f.module.as_slice() {
        [b, c, name] if b == "vx_bin" && c == "commands" && !COMMAND_HELPERS.contains(&&**name) => {
            Some(name.clone())
        }
        _ => None,
    };
    let commands: BTreeSet<String> = lib.files.iter().filter_map(command).collect();
    for file in &lib.files {
        let mut push = |rule, line: String| found.entry(rule).or_default().push(line);
        let in_door = DOOR.iter().any(|d| file.rel.starts_with(d));
        if file.library {
            (file.scanned.opaque.iter()).for_each(|o| push("opaque", format!("{}: {o}", file.rel)));
        }
        for named in &file.scanned.named {
            let Some(path) = lib.resolve(named) else {
                continue;
            };
            let mut at = format!("{}: {}", file.rel, named.written);
            if path != named.path && !named.bare {
                at.push_str(&format!(" (that is {})", path.join("::")));
            }
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            let door = matches!(p[..], ["vx_model", "manifest", "locate" | "find", ..]);
            if !in_door && (door || (named.glob && p == ["vx_model", "manifest"])) {
                push("door", at.clone());
            }
            // `use super::*` in a command names every command.
            let other = match &p[..] {
                ["vx_bin", "commands"] => named.glob,
                ["vx_bin", "commands", other, ..] => commands.contains(*other),
                _ => false,
            };
            if command(file).is_some_and(|c| other && p.get(2) != Some(&&*c)) {
                push("commands", at.clone());
            }
            let (Some(room), true) = (&file.room, file.library) else {
                continue;
            };
            let floor = lib.floors[room];
            if p[0] == "vx_fixture" && room != "demo" && !named.test {
                push("fixture", at.clone());
            }
            // The deepest file the path reaches, unless it holds this one or is inside it.
            let target = (1..=p.len())
                .rev()
                .map(|n| &path[..n])
                .find(|m| modules.contains(m));
            if let Some(target) = target
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                let edges = files.entry(file.module.clone()).or_default();
                edges.entry(target.to_vec()).or_insert_with(|| at.clone());
            }
            let Some(to) = lib.room_of(&path).filter(|to| to != room) else {
                continue;
            };
            let to_floor = lib.floors[&to];
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
    found.insert("map", unmapped(lib));
    found
}

/// Each circle of `edges` once, as the nodes along it and, for each step, the file and
/// path that make it.
fn circles<N: Ord + Clone>(edges: &Edges<N>, name: impl Fn(&N) -> String) -> Vec<String> {
    let (mut seen, mut out) = (BTreeSet::new(), Vec::new());
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
fn way<'a, N: Ord>(edges: &'a Edges<N>, from: &'a N, to: &'a N) -> Option<Vec<&'a N>> {
    let (mut before, mut queue) = (BTreeMap::new(), std::collections::VecDeque::from([from]));
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
fn unmapped(lib: &Library) -> Vec<String> {
    let rows = section(&lib.architecture, "What each room owns").lines();
    let firsts: Vec<&str> = rows
        .filter_map(|l| l.strip_prefix('|')?.split('|').next())
        .collect();
    let mut out = Vec::new();
    for krate in &lib.crates {
        let src = src_of(&krate.folder);
        for room in krate.rooms.iter().filter(|r| krate.declared.contains(r)) {
            if ![format!("[`{room}`]"), format!("[`mod@{room}`]")]
                .iter()
                .any(|l| krate.map.contains(l))
            {
                out.push(format!("{src}lib.rs: room {room} is not on the map (//!)"));
            }
        }
        let rooms = krate.rooms.iter().filter(|r| krate.declared.contains(r));
        for room in rooms.chain(&krate.root) {
            let names = match krate.root.as_ref() == Some(room) {
                true => vec![format!("`{src}")],
                false => vec![format!("`{src}{room}/"), format!("`{src}{room}.rs`")],
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
#[rustfmt::skip]
const PLATFORM_DEBT: &[(&str, usize, &str)] = &[
    ("crates/vx-base/src/build_info.rs", 5, "the release target of this build"),
    // The system's certificates: rustls-native-certs, or on macOS the keychains read
    // through /usr/bin/security (issue 68): to move once the bounded read stands below.
    ("crates/vx-net/src/keychain.rs", 1, "the keychains are read on macOS only"),
    ("crates/vx-net/src/lib.rs", 1, "the keychain module: macOS's, and its tests everywhere"),
    ("crates/vx-net/src/trust.rs", 2, "the system's certificates: native-certs or the keychains"),
    // The task runner's process trees on Unix, written before `platform` had the
    // concern: `platform::process` is where they go.
    ("crates/vx-tasks/src/launch.rs", 16, "the guard: a Unix-only way to start a command"),
    ("crates/vx-tasks/src/guard/mod.rs", 1, "the guard is a process of its own: its stderr is its own"),
    ("crates/vx-tasks/src/guard/protocol.rs", 2, "signals named on the guard's wire"),
    ("crates/vx-tasks/src/guard/scan.rs", 3, "the user's processes, by uid; listed by sysinfo, or on macOS by vx_shm::procs (issue 68): to move behind platform::process"),
    ("crates/vx-tasks/src/guard/serve.rs", 26, "subreaper, waits, process-group kills"),
    ("crates/vx-tasks/src/guard/transport.rs", 18, "fd passing (SCM_RIGHTS) and peer checks"),
    ("crates/vx-tasks/src/command.rs", 2, "how a task's shell line is run"),
    // Where Windows names a tool's files otherwise: `platform::fs`'s naming is where
    // they go.
    ("crates/vx-sources/src/backend/environment.rs", 1, "npm's `file:` specs written with `/` on Windows"),
    ("crates/vx-sources/src/backend/pipconf.rs", 1, "pip's site-wide files are Unix's"),
    ("crates/vx-engine/src/install/environment.rs", 6, "a venv's and npm's bin directories"),
    ("crates/vx-engine/src/install/extract.rs", 2, "executable bits of an archive's entries"),
    ("crates/vx-engine/src/install/pipeline.rs", 1, "a tree without an executable is refused on Unix only"),
    ("crates/vx-engine/src/install/uv.rs", 1, "uv's venv relocatable on Windows"),
    ("crates/vx-engine/src/install/venv.rs", 1, "venvs made by vx on Unix only (uv venv elsewhere)"),
    ("crates/vx-model/src/project_env/venv.rs", 1, "python's names, in the order each OS ships them"),
    ("crates/vx-ops/src/exec.rs", 1, "a `.cmd`/`.bat` launcher on Windows"),
    ("crates/vx-ops/src/run.rs", 1, "a lone task in place of vx (exec) on Unix"),
    ("crates/vx-base/src/validate.rs", 1, "names Windows cannot hold"),
];

/// Library files that print (`note!`, `println!`, `eprintln!`, `std::io::stdout`/
/// `stderr`), and how often. An operation prints nothing: what it has to say goes back
/// in its report or through its caller's sink. Rows marked "to move" are debt; the
/// others print by their nature.
#[rustfmt::skip]
const PRINT_DEBT: &[(&str, usize, &str)] = &[
    ("crates/vx-base/src/lib.rs", 1, "`note!` itself, the one line on stderr the rest goes through"),
    ("crates/vx-sync/src/lib.rs", 10, "the parent's display: inline region, headless lines, summary"),
    ("crates/vx-engine/src/child/mod.rs", 4, "a child's stderr is its way back: the parent reads its last line"),
    ("crates/vx-engine/src/child/board_sink.rs", 2, "a child's stderr is its way back"),
    ("crates/vx-project/src/demo/mod.rs", 3, "the demo says what it sets up"),
    ("crates/vx-engine/src/install/live.rs", 1, "the default writer of `vx install`'s live line"),
    ("crates/vx-engine/src/install/sink.rs", 1, "the default writer of `vx install`'s plain lines"),
    ("crates/vx-base/src/platform/unix.rs", 1, "stderr handed to a child process (`Stdio`)"),
    ("crates/vx-base/src/platform/windows.rs", 1, "stderr handed to a child process (`Stdio`)"),
    ("crates/vx-tasks/src/output.rs", 3, "the tasks' own output, passed through in the mode chosen"),
    ("crates/vx-tasks/src/output/views.rs", 5, "the run's live views; its 4 notes are to move"),
    ("crates/vx-tasks/src/guard/mod.rs", 1, "the guard is a process of its own: its stderr is its own"),
    ("crates/vx-tasks/src/guard/serve.rs", 1, "the guard is a process of its own"),
    ("crates/vx-tasks/src/events/board_sink.rs", 1, "to move: a run without a board, into the run's report"),
    ("crates/vx-tasks/src/runner/worker.rs", 1, "to move: a stamp not recorded, into the run's events"),
    ("crates/vx-project/src/plan.rs", 2, "to move: a sync's notes, into its report"),
    ("crates/vx-ops/src/import.rs", 1, "to move: the network that failed, into the import's report"),
    ("crates/vx-engine/src/resolution/network.rs", 1, "to move: `-v` rewrite notes when the caller gives no `say`"),
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

/// One test per rule on the real library: its name, the rule, what to do when it fails.
macro_rules! the_library_holds {
    ($($test:ident: $rule:literal, $why:literal;)*) => {$(
        #[test]
        fn $test() {
            holds($rule, $why);
        }
    )*};
}

the_library_holds! {
    every_room_is_a_module_of_its_floors_crate: "placement", "rooms off docs/ARCHITECTURE.md's floors table (a new room gets its row first)";
    no_room_names_a_room_of_a_floor_above_it: "upward", "upward paths (docs/ARCHITECTURE.md, \"Floors of the library\")";
    no_two_rooms_name_each_other: "room circles", "rooms in a circle (move what both need below both)";
    no_two_files_name_each_other: "file circles", "files in a circle (a module and the modules inside it excepted)";
    commands_and_ops_open_their_project_through_the_sessions_door: "door", "files that find the manifest themselves (use `session::locate`, `locate_editable` or `Session::open`)";
    only_tests_and_the_demo_name_the_fixture: "fixture", "library code names the `vx-fixture` crate (tests and `demo` only)";
    no_command_names_another_command: "commands", "commands that name another (move what they share into `ops` or a helper)";
    nothing_in_the_library_hides_a_path_from_the_checker: "opaque", "library code the layering test cannot follow";
    every_room_is_on_its_crates_map_and_has_a_row: "map", "rooms missing from a lib.rs map (//!) or from \"What each room owns\"";
}

#[test]
fn the_checker_reads_the_commands_and_the_crates() {
    let read = |rel| {
        real()
            .0
            .files
            .iter()
            .any(|f| f.rel == rel && f.scanned.named.len() > 9)
    };
    assert!(read("src/commands/add.rs") && read("crates/vx-ops/src/import.rs"));
}

#[test]
fn platform_code_lives_in_the_platform_room_or_its_counted_debt() {
    let found = counted(&real().0, &["platform"], |s| &s.platform, PLATFORM_DEBT);
    let why = "platform code outside `platform` (PLATFORM_DEBT only shrinks)";
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

#[test]
fn the_library_prints_nothing_beyond_its_counted_debt() {
    let found = counted(&real().0, &[], |s| &s.prints, PRINT_DEBT);
    let why = "library code that prints (PRINT_DEBT only shrinks)";
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

/// A small library: `rows` of the floors table (`| 1.1 b | `crates/vx-base/` | `format` |`),
/// `owns` the rows under "What each room owns", `files` one text where each file starts
/// with a line `== PATH`.
fn small(rows: &str, owns: &str, files: &str) -> Library {
    let architecture = format!(
        "# A\n\n## Floors of the library\n\n| floor | folder | rooms |\n|---|---|---|\n{rows}\n\
         ## What each room owns\n\n| where | owns |\n|---|---|\n{owns}\n"
    );
    let files: Vec<(String, String)> = (files.split("== ").skip(1))
        .map(|f| {
            f.split_once('\n')
                .map(|(p, t)| (p.to_owned(), t.to_owned()))
                .unwrap()
        })
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
        "
== crates/vx-base/src/lib.rs
pub mod atomic; pub mod exit; pub mod format;
== crates/vx-base/src/atomic.rs
use crate::format::size;
== crates/vx-base/src/exit.rs
fn f() { crate::format::size(); }
== crates/vx-base/src/format.rs
use crate::{
    exit::Code,
    atomic::write,
};
",
    );
    let upward = "crates/vx-base/src/format.rs: crate::atomic::write: \
        format (floor 1.1) names atomic (floor 1.2)";
    assert_eq!(found(&library, "upward"), [upward]);
}

#[test]
fn a_path_is_counted_however_it_is_written() {
    let library = small(
        BASE,
        "",
        "
== crates/vx-base/src/lib.rs
pub mod atomic; pub mod exit; pub mod format; pub mod version;
pub use atomic::write;
== crates/vx-base/src/atomic.rs
#[macro_export]
macro_rules! atomically { () => {} }
== crates/vx-base/src/format/mod.rs
mod size;
use crate::atomic as a;
fn f() { a::write(); }
== crates/vx-base/src/format/size.rs
fn f() { super::super::atomic::write(); }
== crates/vx-base/src/exit.rs
fn f() { let _ = format!(\"{}\", crate::atomic::SIZE); crate::write(); }
fn g() { atomically!(); let _ = ::vx_net::client::Client; }
== crates/vx-base/src/version.rs
#[cfg(any(test, unix))]
use vx_base::atomic::A;
#[cfg(test)]
mod tests { use crate::atomic::B; }
== crates/vx-net/src/lib.rs
pub mod client;
",
    );
    let mut written: Vec<String> = (found(&library, "upward").iter())
        .map(|u| u.rsplit_once(": ").unwrap().0.to_owned())
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

/// The door's findings in a library whose manifest room finds and whose session calls
/// it, with `files` beside them.
fn door(files: &str) -> Vec<String> {
    let rows = "| 8.1 o | `crates/vx-ops/` | `ops` |\n| 8 s | `crates/vx-ops/` | `session` |\n\
        | 3 m | `crates/vx-model/` | `manifest`, `lock` |";
    let library = small(
        rows,
        "",
        &format!(
            "
== crates/vx-model/src/lib.rs
pub mod lock; pub mod manifest;
== crates/vx-model/src/manifest/mod.rs
pub fn locate() {{}}
fn f() {{ locate(); }}
== crates/vx-ops/src/lib.rs
pub mod session; pub mod lock;
== crates/vx-ops/src/session/mod.rs
use vx_model::manifest::{{
    locate,
}};
{files}"
        ),
    );
    found(&library, "door")
}

#[test]
fn a_door_bypass_in_a_grouped_import_over_several_lines_fails() {
    let found = door(
        "
== crates/vx-model/src/lock.rs
use crate::manifest::{MANIFEST_FILE,
    locate as here};
use crate::manifest::*;
== src/commands/add.rs
use vx_model::{
    lock::Lock,
    manifest::{
        self,
        find,
    },
};
fn f() { manifest::task_graph::find(); }
",
    );
    assert_eq!(
        found,
        [
            "crates/vx-model/src/lock.rs: crate::manifest::locate",
            "crates/vx-model/src/lock.rs: crate::manifest::*",
            "src/commands/add.rs: vx_model::manifest::find",
        ]
    );
}

#[test]
fn a_module_alias_of_the_manifest_fails_the_door() {
    let found = door(
        "
== crates/vx-ops/src/lock.rs
use vx_model::manifest as m;
fn f() { m::locate(None, &cwd); }
fn g() { use vx_model::{manifest as n}; n::find(&cwd); }
",
    );
    assert_eq!(
        found,
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
        "
== crates/vx-engine/src/lib.rs
pub mod child; pub mod install;
== crates/vx-engine/src/child.rs
fn g() { let _ = format!(\"{}\", crate::install::STORE); }
== crates/vx-engine/src/install/mod.rs
mod a; mod b;
pub use a::A;
fn f() { crate::child::spawn(); }
== crates/vx-engine/src/install/a.rs
use super::b::B;
use super::Shared;
== crates/vx-engine/src/install/b.rs
use crate::install::a::A;
",
    );
    assert!(found(&library, "upward").is_empty());
    let rooms = found(&library, "room circles");
    assert_eq!(
        rooms,
        ["child -> install -> child\n    \
        crates/vx-engine/src/child.rs: crate::install::STORE\n    \
        crates/vx-engine/src/install/mod.rs: crate::child::spawn"]
    );
    // A parent and its child (`a` using `super::Shared`) are no circle.
    let files = found(&library, "file circles");
    let firsts: Vec<&str> = files.iter().map(|c| c.lines().next().unwrap()).collect();
    assert_eq!(
        firsts,
        [
            "vx_engine::child -> vx_engine::install -> vx_engine::child",
            "vx_engine::install::a -> vx_engine::install::b -> vx_engine::install::a",
        ]
    );
}

#[test]
fn the_fixture_outside_tests_and_demo_fails() {
    let rows = "| 7 p | `crates/vx-project/` | `demo`, `plan` |\n| 4 s | `crates/vx-sources/` | `github` |";
    let library = small(
        rows,
        "",
        "
== crates/vx-project/src/lib.rs
pub mod demo; pub mod plan;
== crates/vx-project/src/demo.rs
pub use vx_fixture::{self as fixture};
== crates/vx-project/src/plan.rs
fn f() { crate::demo::fixture::noise(1); let _ = ::vx_fixture::X; }
#[cfg(test)]
mod tests { use vx_fixture::Route; }
#[cfg(any(test, unix))]
use vx_fixture::Y;
== crates/vx-sources/src/lib.rs
pub mod github;
== crates/vx-sources/src/github/mod.rs
#[cfg(test)]
mod tests;
== crates/vx-sources/src/github/tests.rs
use vx_fixture::github::Fake;
",
    );
    assert_eq!(
        found(&library, "fixture"),
        [
            "crates/vx-project/src/plan.rs: crate::demo::fixture::noise (that is vx_fixture::noise)",
            "crates/vx-project/src/plan.rs: ::vx_fixture::X",
            "crates/vx-project/src/plan.rs: vx_fixture::Y",
        ]
    );
}

#[test]
fn what_hides_a_path_is_refused() {
    let library = small(
        BASE,
        "",
        "
== crates/vx-base/src/lib.rs
extern crate self as vx2;
#[macro_use]
pub mod format;
pub use format::*;
== crates/vx-base/src/format.rs
#[path = \"x.rs\"]
mod borrowed;
fn f() { include!(\"y.rs\"); }
pub use vx_fixture::*;
#[cfg(test)]
mod tests { use vx_fixture::*; }
",
    );
    let opaque = found(&library, "opaque");
    let files: Vec<&str> = opaque.iter().map(|o| &o[..o.find(':').unwrap()]).collect();
    assert_eq!(
        files,
        [
            ["crates/vx-base/src/lib.rs"; 3],
            ["crates/vx-base/src/format.rs"; 3]
        ]
        .concat()
    );
}

#[test]
fn a_command_naming_another_fails() {
    let library = small(
        "",
        "",
        "
== src/commands/mod.rs
pub mod import; pub mod init; pub mod logs; pub mod request;
pub fn open() {}
== src/commands/request.rs
pub fn cwd() {}
== src/commands/init.rs
fn run() { super::import::import_into(); super::request::cwd(); super::open(); }
== src/commands/import.rs
use super::*;
use crate::commands::init::run;
== src/commands/logs.rs
use super::{self as c};
fn f() { c::init::run(); c::logs::x(); }
",
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
    let rows = "| 2 n | `crates/vx-net/` | `net` |\n| 1 b | `crates/vx-base/` | `platform` |";
    let library = small(
        rows,
        "",
        "
== crates/vx-net/src/lib.rs
#[cfg(unix)]
fn f() { let _ = rustix::process::getpid(); if cfg!(windows) {} }
#[cfg(test)]
mod tests { #[cfg(unix)] fn g() { libc::getpid(); println!(); } }
fn say() { vx_base::note!(\"x\"); let _ = std::io::stdout(); }
#[cfg(any(test, unix))]
fn h() { eprintln!(); }
== crates/vx-base/src/lib.rs
pub mod platform;
== crates/vx-base/src/platform.rs
#[cfg(unix)]
mod unix;
",
    );
    let platform = |list| counted(&library, &["platform"], |s| &s.platform, list);
    let found = platform(&[]);
    let net = "crates/vx-net/src/lib.rs: 4 where the list allows";
    assert!(
        found.len() == 1 && found[0].starts_with(&format!("{net} 0")),
        "{found:?}"
    );
    assert!(platform(&[("crates/vx-net/src/lib.rs", 4, "")]).is_empty());
    let found = platform(&[("crates/vx-net/src/lib.rs", 5, ""), ("gone.rs", 1, "")]);
    assert!(found[0].ends_with("lower its count"), "{found:?}");
    assert!(found[1].contains("no such library file"), "{found:?}");
    let found = counted(&library, &[], |s| &s.prints, &[]);
    let prints = "crates/vx-net/src/lib.rs: 3 where the list allows 0: \
        note!, std::io::stdout, eprintln!";
    assert_eq!(found, [prints]);
}

#[test]
fn a_room_off_the_table_the_map_or_the_rows_fails() {
    let rows = "| 2.2 n | `crates/vx-net/` | `verify` |\n| 2.1 n | `crates/vx-net/` | `net` |\n\
        | 1 b | `crates/vx-base/` | `format`, `gone` |";
    let owns = "| `crates/vx-net/src/client.rs` | the client |\n\
        | `crates/vx-base/src/format.rs` | formats |";
    let library = small(
        rows,
        owns,
        "
== crates/vx-net/src/lib.rs
//! [`verify`] checks.
pub mod client; pub mod verify;
== crates/vx-base/src/lib.rs
//! `format` in code is no link.
pub mod format; pub mod stray;
",
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
