//! What Cargo cannot hold of docs/ARCHITECTURE.md's floors. Cargo keeps the crates in
//! order (`cargo` holds their dependencies to the floors table); the rest is read from
//! every `.rs` file with `syn` (`scan`): the finer floors, no circle of rooms or files,
//! the session's door, the fixture, no command naming another, the binary's rooms
//! naming none of its own, the counted debts and the map. Each rule is shown failing
//! on a small library at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod scan;

/// Each rule's findings, a line each naming the file and the path (none: it holds).
type Findings = BTreeMap<&'static str, Vec<String>>;
/// From each node, the nodes it names, each with the first file and path that does.
type Edges = BTreeMap<String, BTreeMap<String, String>>;
/// A file's count of something a rule counts, and why it is allowed.
type Debt = (&'static str, usize, &'static str);

/// The rooms whose files may find a project's manifest: the session (the door) and the
/// manifest room, which does the finding.
const DOOR: [&str; 2] = ["session", "manifest"];
/// The files of `src/commands/` any command may use: the rest are commands.
const COMMAND_HELPERS: [&str; 2] = ["mod", "request"];
/// The modules of `src/main.rs` that are no room: the command line, the commands, the
/// binary's own tests. Its rooms (`present`, `doctor`) name none of them (rule `binary`).
const BINARY_OWN: [&str; 4] = ["cli", "commands", "doc_links", "reference"];

/// A floor's rank, `5.2` as `(5, 2)` and `10` as `(10, 0)`; `None` for what is no floor.
fn rank(floor: &str) -> Option<(u32, u32)> {
    let (whole, fine) = floor.split_once('.').unwrap_or((floor, "0"));
    Some((whole.parse().ok()?, fine.parse().ok()?))
}

/// The rows of the table under `## heading` in `doc`, each a row's cells, trimmed.
fn rows<'a>(doc: &'a str, heading: &str) -> Vec<Vec<&'a str>> {
    let heading = format!("\n## {heading}\n");
    let start = doc.find(&heading).map_or(doc.len(), |s| s + heading.len());
    let body = &doc[start..];
    let lines = body[..body.find("\n## ").unwrap_or(body.len())].lines();
    let row = |l: &'a str| l.split('|').map(str::trim).collect();
    lines.filter(|l| l.starts_with('|')).map(row).collect()
}

/// A crate of the floors table: where its files are (`crates/vx-net/src/`), its name in
/// paths (`vx_net`; `vx` for `src/`), its rooms and their floors (lowest first), the
/// modules its `lib.rs` declares, its root room (the room named as the crate that `lib.rs`
/// does not declare: the crate root, `vx_net::client` is in `net`) and its dependencies.
struct Crate {
    src: String,
    ident: String,
    rooms: BTreeSet<String>,
    floors: Vec<String>,
    declared: Vec<String>,
    root: Option<String>,
    deps: BTreeSet<String>,
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
    /// Each room's floor as the table writes it (`5.2`).
    floors: BTreeMap<String, String>,
    crates: Vec<Crate>,
    files: Vec<File>,
    /// The `use`s and exported macros that lead out of their room, followed by
    /// `Library::resolve` (a room's own re-exports of its files are its face).
    bindings: BTreeMap<Vec<String>, Vec<String>>,
    /// What the map rule finds: the table, the crates' `lib.rs` and the rows disagree.
    map: Vec<String>,
}

impl Library {
    /// Reads `architecture`'s tables, and of `files` (repository path, text) the crates'
    /// `lib.rs` and Cargo.toml, then every `.rs` file.
    fn of(architecture: &str, files: &[(String, String)]) -> Library {
        let text = |rel: &str| files.iter().find(|f| f.0 == rel).map_or("", |f| &f.1);
        let mut lib = Library::default();
        let mut folders: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for row in rows(architecture, "Floors of the library") {
            let [_, floor, folder, rooms, ..] = row[..] else {
                continue;
            };
            let floor = floor.split(' ').next().unwrap();
            let folder = folder.trim_matches(['`', '/']);
            let name = |r: &str| r.trim().trim_matches('`').to_owned();
            for room in rooms.split(',').map(name).filter(|_| rank(floor).is_some()) {
                if lib.floors.insert(room.clone(), floor.into()).is_some() {
                    lib.map.push(format!("{folder}: {room} is on two floors"));
                }
                folders.entry(folder).or_default().insert(room);
            }
        }
        let owned = rows(architecture, "What each room owns");
        for (folder, rooms) in folders {
            let src = format!("{folder}/src/").replace("src/src/", "src/");
            // The binary's crate declares its rooms beside its own modules in main.rs.
            let root_file = format!(
                "{src}{}",
                if folder == "src" { "main.rs" } else { "lib.rs" }
            );
            let source = text(&root_file);
            let ident = match folder {
                "src" => "vx".into(),
                _ => folder.replace("crates/", "").replace('-', "_"),
            };
            let declared = scan::scan(source, std::slice::from_ref(&ident), &[], false);
            let declared = declared.unwrap().declared;
            let root = rooms.get(ident.trim_start_matches("vx_"));
            let root = root.filter(|r| !declared.contains(r)).cloned();
            // The map: each room a module of `lib.rs` (or the crate itself, its root room),
            // linked from its `//!` (`[`room`]`, `[`mod@room`]`), with a row naming `SRC/ROOM/`,
            // `SRC/ROOM.rs` or a file inside (a root room's: any of `src/`); each module a room.
            if source.is_empty() {
                lib.map.push(format!("{root_file}: no such file"));
            }
            let map: String = source.lines().flat_map(|l| l.strip_prefix("//!")).collect();
            for room in &rooms {
                let is_root = root.as_ref() == Some(room);
                let linked = ["[`", "[`mod@"].map(|l| format!("{l}{room}`]"));
                let row = match is_root {
                    true => vec![format!("`{src}")],
                    false => vec![format!("`{src}{room}/"), format!("`{src}{room}.rs`")],
                };
                let has_row = |r: &Vec<&str>| r.len() > 1 && row.iter().any(|n| r[1].contains(n));
                let mut missing = |what| lib.map.push(format!("{root_file}: room {room} {what}"));
                if !is_root && !declared.contains(room) {
                    missing("is no module (nor the crate's name)");
                    continue;
                } else if !is_root && !linked.iter().any(|l| map.contains(l)) {
                    missing("is not on the map (//!)");
                }
                if !owned.iter().any(has_row) {
                    missing("has no row under \"What each room owns\"");
                }
            }
            let own = |m: &String| folder == "src" && BINARY_OWN.contains(&m.as_str());
            let stray = |m: &&String| root.is_none() && !rooms.contains(*m) && !own(m);
            for module in declared.iter().filter(stray) {
                let floor = lib.floors.get(module);
                let at = floor.map_or("no floor".into(), |f| format!("floor {f}, elsewhere"));
                lib.map.push(format!("{root_file}: {module} is on {at}"));
            }
            let mut floors: Vec<String> = rooms.iter().map(|r| lib.floors[r].clone()).collect();
            floors.sort_by_key(|f| rank(f));
            let manifest = format!("{folder}/Cargo.toml").replace("src/Cargo", "Cargo");
            lib.crates.push(Crate {
                deps: dependencies(text(&manifest)),
                src,
                ident,
                rooms,
                floors,
                declared,
                root,
            });
        }
        // The `.rs` files, placed, then scanned parents first, so that a file under a
        // `#[cfg(test)] mod` is read as test code through and through.
        let mut ours: Vec<String> = lib.crates.iter().map(|c| c.ident.clone()).collect();
        ours.push("vx_fixture".into());
        let mut placed = Vec::new();
        for (rel, text) in files.iter().filter(|(rel, _)| rel.ends_with(".rs")) {
            let krate = lib.crates.iter().find(|c| rel.starts_with(&c.src));
            let rest = krate.map_or(rel.strip_prefix("src/"), |c| rel.strip_prefix(&c.src));
            let Some(rest) = rest else {
                continue;
            };
            let mut module: Vec<String> = rest.split('/').map(|m| m.replace(".rs", "")).collect();
            if module[module.len() - 1] == "mod" || ["lib.rs", "main.rs"].contains(&rest) {
                module.pop();
            }
            // `src/`'s files outside its rooms are the binary's own.
            let room = |c: &&Crate| module.first().is_some_and(|m| c.rooms.contains(m));
            let krate = krate.filter(|c| c.ident != "vx" || (rest != "main.rs" && room(c)));
            module.insert(0, krate.map_or("vx_bin".into(), |c| c.ident.clone()));
            placed.push((module, rel, text, krate.is_none()));
        }
        placed.sort_by_key(|(module, ..)| module.len());
        let mut tests: Vec<Vec<String>> = Vec::new();
        for (module, rel, text, binary) in placed {
            let test = tests.iter().any(|t| module.starts_with(t));
            let scanned = scan::scan(text, &module, &ours, test);
            let scanned = scanned.unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            tests.extend(scanned.test_modules.iter().cloned());
            let room = if binary { None } else { lib.room_of(&module) };
            let library = !binary && (room.is_some() || module.len() == 1);
            lib.files.push(File {
                rel: rel.clone(),
                module,
                room,
                library,
                scanned,
            });
        }
        lib.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        let bindings = lib.files.iter().flat_map(|f| &f.scanned.bindings);
        let leave = |(name, to): &&(Vec<String>, Vec<String>)| {
            let room = lib.room_of(name);
            room.is_none() || room != lib.room_of(to)
        };
        lib.bindings = bindings.filter(leave).cloned().collect();
        lib
    }

    /// The room a path is in: the room of its crate it goes through, else its root room.
    fn room_of(&self, path: &[String]) -> Option<String> {
        let krate = self.crates.iter().find(|c| c.ident == path[0])?;
        let room = |r: &&String| krate.rooms.contains(*r) && krate.declared.contains(r);
        path.get(1).filter(room).or(krate.root.as_ref()).cloned()
    }

    /// `path` followed through the bindings it starts with, the longest first. A bare
    /// macro call (`m!`) that no binding (an exported macro) takes is no one's: `None`.
    fn resolve(&self, named: &scan::Named) -> Option<Vec<String>> {
        let mut path = named.path.clone();
        for _ in 0..16 {
            let bound = |n: &usize| self.bindings.contains_key(&path[..*n]);
            let Some(n) = (1..=path.len()).rev().find(bound) else {
                break;
            };
            path = [&self.bindings[&path[..n]], &path[n..]].concat();
        }
        let bare = !named.text.contains("::") && named.text.ends_with('!');
        (!bare || path != named.path).then_some(path)
    }
}

/// The crates a Cargo.toml depends on, in every table (normal, dev, build, per target),
/// by the name paths give them (`vx_net`), a renamed one by its package's.
fn dependencies(text: &str) -> BTreeSet<String> {
    let manifest: toml::Table = text.parse().expect("Cargo.toml parses");
    let targets = manifest.get("target").and_then(|t| t.as_table());
    let targets = targets.into_iter().flatten().filter_map(|t| t.1.as_table());
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    let tables = std::iter::once(&manifest).chain(targets);
    let deps = tables.flat_map(|t| kinds.iter().filter_map(|k| t.get(*k)?.as_table()));
    let name = |(name, dep): (&String, &toml::Value)| {
        let package = dep.get("package").and_then(|p| p.as_str()).unwrap_or(name);
        package.replace('-', "_")
    };
    deps.flatten().map(name).collect()
}

/// Every rule, each finding a line naming the file and the path; the counted ones
/// (`platform`, `prints`) against `debts`, the lists that allow them.
fn check(lib: &Library, debts: [&[Debt]; 2]) -> Findings {
    let mut found = Findings::from([("map", lib.map.clone())]);
    // Cargo lets a crate name only what it depends on; a floor crate depends only on floor
    // crates wholly below its lowest floor (dev-dependencies too: no circle hides in tests).
    for krate in &lib.crates {
        for dep in lib.crates.iter().filter(|d| krate.deps.contains(&d.ident)) {
            let (low, high) = (&krate.floors[0], &dep.floors[dep.floors.len() - 1]);
            if rank(high) >= rank(low) {
                let (from, to) = (&krate.ident, &dep.ident);
                let why = format!("{from} (floor {low}) depends on {to} (floor {high})");
                found.entry("cargo").or_default().push(why);
            }
        }
    }
    // A counted rule: a library file (but `platform`'s, for its own) does the thing only as
    // often as the list allows; over it is growth, under it must lower it: it only shrinks.
    for (rule, allowed) in [("platform", debts[0]), ("prints", debts[1])] {
        let mut out = Vec::new();
        let free = |f: &&File| rule == "platform" && f.room.as_deref() == Some(rule);
        for file in lib.files.iter().filter(|f| f.library && !free(f)) {
            let done = file.scanned.counted.get(rule).cloned().unwrap_or_default();
            let (rel, count) = (&file.rel, done.len());
            let limit = allowed.iter().find(|d| d.0 == rel).map_or(0, |d| d.1);
            let list = match count.cmp(&limit) {
                std::cmp::Ordering::Greater => done.join(", "),
                std::cmp::Ordering::Less => "lower its count".into(),
                std::cmp::Ordering::Equal => continue,
            };
            let line = format!("{rel}: {count} where the list allows {limit}: {list}");
            out.push(line);
        }
        let known = |rel: &str| lib.files.iter().any(|f| f.rel == rel);
        for (rel, ..) in allowed.iter().filter(|d| !known(d.0)) {
            out.push(format!("{rel}: listed, but no such file: remove its row"));
        }
        found.insert(rule, out);
    }
    let (mut rooms, mut files) = (Edges::new(), Edges::new());
    let library = lib.files.iter().filter(|f| f.library);
    let modules: BTreeSet<&[String]> = library.map(|f| f.module.as_slice()).collect();
    // The commands: `src/commands/NAME.rs`, but for the helpers any command may use.
    let command = |m: &[String]| {
        m.len() == 3 && m[..2] == ["vx_bin", "commands"] && !COMMAND_HELPERS.contains(&&*m[2])
    };
    let all = lib.files.iter().map(|f| f.module.as_slice());
    let commands: Vec<&[String]> = all.filter(|m| command(m)).collect();
    for file in &lib.files {
        let mut push = |rule, line: String| found.entry(rule).or_default().push(line);
        for opaque in file.scanned.opaque.iter().filter(|_| file.library) {
            push("opaque", format!("{}: {opaque}", file.rel));
        }
        let named = file.scanned.named.iter();
        for (named, path) in named.filter_map(|n| Some((n, lib.resolve(n)?))) {
            let that = (path != named.path).then(|| format!(" (that is {})", path.join("::")));
            let at = format!("{}: {}{}", file.rel, named.text, that.unwrap_or_default());
            let glob = named.text.ends_with('*');
            let p: Vec<&str> = path.iter().map(|s| s.as_str()).collect();
            let door = matches!(p[..], ["vx_model", "manifest", "locate" | "find", ..])
                || (glob && p == ["vx_model", "manifest"]);
            if door && !DOOR.contains(&file.room.as_deref().unwrap_or_default()) {
                push("door", at.clone());
            }
            // A command names another, or every one with `use super::*`.
            let other = |c: &&[String]| path.starts_with(c) || (glob && path == c[..2]);
            let mut others = commands.iter().filter(|c| **c != file.module);
            if command(&file.module) && others.any(other) {
                push("commands", at.clone());
            }
            let (Some(room), true) = (&file.room, file.library) else {
                continue;
            };
            if p[0] == "vx_fixture" && room != "demo" && !named.test {
                push("fixture", at.clone());
            }
            // Between crates, Cargo holds the direction and allows no circle.
            if path[0] != file.module[0] {
                continue;
            }
            // The deepest file the path reaches, unless it holds this one or is inside it.
            let target = (1..=p.len()).rev().map(|n| &path[..n]);
            if let Some(target) = target.into_iter().find(|m| modules.contains(m))
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                let edges = files.entry(file.module.join("::")).or_default();
                edges.entry(target.join("::")).or_insert_with(|| at.clone());
            }
            if path[0] == "vx" && BINARY_OWN.contains(&p.get(1).copied().unwrap_or_default()) {
                push("binary", at.clone());
            }
            let Some(to) = lib.room_of(&path).filter(|to| to != room) else {
                continue;
            };
            let (floor, to_floor) = (&lib.floors[room], &lib.floors[&to]);
            if rank(to_floor) > rank(floor) {
                let why = format!("{at}: {room} (floor {floor}) names {to} (floor {to_floor})");
                push("upward", why);
            }
            let edges = rooms.entry(room.clone()).or_default();
            edges.entry(to).or_insert(at);
        }
    }
    found.insert("circles", [circles(&rooms), circles(&files)].concat());
    found
}

/// Each circle of `edges` once, sought depth first from each node not yet in one: the
/// nodes along it and, for each step, the file and path that make it.
fn circles(edges: &Edges) -> Vec<String> {
    let (mut seen, mut out) = (BTreeSet::new(), Vec::new());
    for from in edges.keys() {
        let (mut ways, mut been) = (vec![vec![from]], BTreeSet::new());
        while let Some(way) = ways.pop().filter(|_| !seen.contains(from)) {
            let nexts = edges.get(way[way.len() - 1]).into_iter().flatten();
            for (next, _) in nexts {
                let way = [&way[..], &[next]].concat();
                if next == from {
                    let names = way[1..].iter().fold(from.clone(), |t, s| t + " -> " + s);
                    let steps = way
                        .windows(2)
                        .map(|p| format!("\n    {}", edges[p[0]][p[1]]));
                    out.push(names + &steps.collect::<String>());
                    seen.extend(way);
                    break;
                } else if been.insert(next) {
                    ways.push(way);
                }
            }
        }
    }
    out
}

/// Library files outside `platform` that choose a platform (`#[cfg(unix)]`,
/// `cfg!(windows)`, `target_os = …`) or call `rustix`/`libc`/`windows-sys` themselves,
/// and how often: debt held so it cannot grow, paid by moving the code behind
/// `crates/vx-base/src/platform/`. Test code is not counted.
#[rustfmt::skip]
const PLATFORM_DEBT: &[Debt] = &[
    ("crates/vx-base/src/build_info.rs", 5, "the release target of this build"),
    ("crates/vx-net/src/keychain.rs", 1, "the keychains, read through /usr/bin/security on macOS only (issue 68)"),
    ("crates/vx-net/src/lib.rs", 1, "the keychain module: macOS's, and its tests everywhere"),
    ("crates/vx-net/src/trust.rs", 2, "the system's certificates: native-certs or the keychains"),
    ("crates/vx-tasks/src/launch.rs", 16, "the guard, a Unix-only way to start a command: to move into platform::process"),
    ("crates/vx-tasks/src/guard/mod.rs", 1, "the guard is a process of its own: its stderr is its own"),
    ("crates/vx-tasks/src/guard/protocol.rs", 2, "signals named on the guard's wire"),
    ("crates/vx-tasks/src/guard/scan.rs", 3, "the user's processes, by uid; listed by sysinfo, or on macOS by vx_shm::procs (issue 68): to move behind platform::process"),
    ("crates/vx-tasks/src/guard/serve.rs", 26, "subreaper, waits, process-group kills"),
    ("crates/vx-tasks/src/guard/transport.rs", 18, "fd passing (SCM_RIGHTS) and peer checks"),
    ("crates/vx-tasks/src/command.rs", 2, "how a task's shell line is run"),
    // Where Windows names a tool's files otherwise: to move into `platform::fs`.
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

/// Library files that print (`note!`, `println!`, `eprintln!`, `std::io::stdout`/`stderr`),
/// and how often. An operation prints nothing: what it says goes back in its report or
/// through its caller's sink. Rows "to move" are debt; the others print by their nature.
#[rustfmt::skip]
const PRINT_DEBT: &[Debt] = &[
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
    ("crates/vx-project/src/plan.rs", 2, "to move: a sync's notes, into its report"),
    ("crates/vx-engine/src/resolution/network.rs", 1, "to move: `-v` rewrite notes when the caller gives no `say`"),
];

/// The real library (docs/ARCHITECTURE.md, every `.rs` file of `src/` and of the
/// crates' `src/`, the crates' Cargo.toml) and what the rules find in it, read once.
fn real() -> &'static (Library, Findings) {
    static REAL: std::sync::OnceLock<(Library, Findings)> = std::sync::OnceLock::new();
    REAL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &Path| std::fs::read_to_string(path).unwrap();
        let mut files = vec![("Cargo.toml".to_owned(), read(&root.join("Cargo.toml")))];
        let mut dirs = vec![root.join("src"), root.join("crates")];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                if path.is_dir() {
                    dirs.push(path);
                } else if rel.ends_with(".rs") || rel.ends_with("/Cargo.toml") {
                    files.push((rel, read(&path)));
                }
            }
        }
        let library = Library::of(&read(&root.join("docs/ARCHITECTURE.md")), &files);
        // The checker reads the commands, the crates and their dependencies.
        let named = |rel| (library.files.iter()).any(|f| f.rel == rel && f.scanned.named.len() > 9);
        let ops = library.crates.iter().find(|c| c.ident == "vx_ops").unwrap();
        assert!(named("src/commands/add.rs") && named("crates/vx-ops/src/import.rs"));
        assert!(ops.deps.contains("vx_engine") && library.crates.len() > 10);
        let found = check(&library, [PLATFORM_DEBT, PRINT_DEBT]);
        (library, found)
    })
}

/// The small library the rules are shown failing on, one text where each file starts
/// with a line `== PATH`, its text after the path and on the lines below. Each rule's
/// faults are planted in it: vx-base names a floor above it every way a path is written,
/// and depends on vx-net; vx-net hides paths and prints; vx-model, vx-ops, vx-project and
/// a command go round the door; vx-engine's rooms and files name each other; vx-project
/// uses the fixture; the commands name each other; vx-text and vx-tui are off the map.
const SMALL: &str = r#"
== docs/ARCHITECTURE.md # The small library
## Floors of the library
| 8.1 o | `crates/vx-ops/` | `ops` |
| 10 c | `src/` | `present` |
| 8 s | `crates/vx-ops/` | `session` |
| 7 p | `crates/vx-project/` | `demo`, `plan` |
| 5 e | `crates/vx-engine/` | `install`, `child` |
| 3 m | `crates/vx-model/` | `manifest`, `lock` |
| 2 n | `crates/vx-net/` | `net` |
| 1.2 b | `crates/vx-base/` | `atomic` |
| 1.1 b | `crates/vx-base/` | `format`, `exit`, `version`, `platform` |
| 0 t | `crates/vx-text/` | `map`, `gone`, `verify` |
| 0 u | `crates/vx-tui/` | `map` |
## What each room owns
| `crates/vx-text/src/map.rs` | the map |
== crates/vx-base/Cargo.toml
[target.'cfg(unix)'.dev-dependencies]
net = { package = "vx-net", path = "../vx-net" }
== crates/vx-base/src/lib.rs pub mod atomic; pub mod exit; pub mod format; pub mod platform;
pub mod version; pub use atomic::write;
== crates/vx-base/src/atomic.rs #[macro_export] macro_rules! atomically { () => {} }
== crates/vx-base/src/exit.rs fn f() { let _ = format!("{}", crate::atomic::SIZE); crate::write(); }
fn g() { atomically!(); let _ = ::vx_base::atomic::Atom; let _ = ::vx_net::client::Client; }
== crates/vx-base/src/format/mod.rs mod size; use crate::atomic as a; fn f() { a::write(); }
use crate::{
    exit::Code,
    atomic::write,
};
== crates/vx-base/src/format/size.rs fn f() { super::super::atomic::write(); }
== crates/vx-base/src/platform.rs #[cfg(unix)] mod unix;
== crates/vx-base/src/version.rs #[cfg(any(test, unix))] use vx_base::atomic::A; #[cfg(test)] mod t;
== crates/vx-base/src/version/t.rs use crate::atomic::B; use vx_fixture::github::Fake;
== crates/vx-net/src/lib.rs extern crate self as vx2; #[macro_use] pub mod client; pub mod say;
pub use client::*;
== crates/vx-net/src/client.rs #[path = "x.rs"] mod borrowed; fn f() { include!("y.rs"); }
pub use vx_fixture::*; #[cfg(test)] mod tests { use vx_fixture::*; }
== crates/vx-net/src/say.rs #[cfg(unix)] fn f() { rustix::process::getpid(); if cfg!(windows) {} }
#[cfg(test)] mod tests { #[cfg(unix)] fn g() { libc::getpid(); println!(); } }
fn say() { vx_base::note!("x"); let _ = std::io::stdout(); }
#[cfg(any(test, unix))] fn h() { eprintln!(); }
== crates/vx-model/src/lib.rs pub mod lock; pub mod manifest;
== crates/vx-model/src/manifest/mod.rs pub fn locate() {} fn f() { locate(); }
== crates/vx-model/src/lock.rs use crate::manifest::*; use crate::manifest::{MANIFEST_FILE,
    locate as here};
== crates/vx-ops/src/lib.rs pub mod edit; pub mod session;
== crates/vx-ops/src/session/mod.rs use vx_model::manifest::locate; fn open() { locate(); }
== crates/vx-ops/src/edit.rs fn f() { locate(); manifest::task_graph::find(); }
use vx_model::{
    manifest::{
        self, locate,
    },
};
== crates/vx-engine/src/lib.rs pub mod child; pub mod install;
== crates/vx-engine/src/child.rs fn g() { let _ = format!("{}", crate::install::STORE); }
== crates/vx-engine/src/install/mod.rs mod a; mod b; pub use a::A; fn f() { crate::child::go(); }
== crates/vx-engine/src/install/a.rs use super::b::B; use super::Shared; // a child: no circle
== crates/vx-engine/src/install/b.rs use crate::install::a::A;
== crates/vx-project/src/lib.rs pub mod demo; pub mod plan;
== crates/vx-project/src/demo.rs pub use vx_fixture::{self as fixture};
== crates/vx-project/src/plan.rs fn f() { crate::demo::fixture::noise(); let _ = ::vx_fixture::X; }
#[cfg(test)] mod tests { use vx_fixture::Route; }
#[cfg(any(test, unix))] use vx_fixture::Y;
use vx_model::manifest as m; fn g() { m::locate(None); }
fn h() { use vx_model::{manifest as n}; n::find(&cwd); }
== crates/vx-text/src/lib.rs //! [`verify`] checks; `map` in code is no link.
pub mod atomic; pub mod map; pub mod stray; pub mod verify;
== src/main.rs //! [`present`] shows.
mod cli; mod commands; mod present;
== src/present.rs use crate::commands::open; fn f() { crate::cli::Args::x(); crate::present::y(); }
== src/commands/mod.rs pub mod import; pub mod init; pub mod logs; pub mod request; pub fn open() {}
== src/commands/request.rs pub fn cwd() {}
== src/commands/init.rs fn run() { super::import::go(); super::request::cwd(); super::open(); }
== src/commands/import.rs use super::*; use crate::commands::init::run;
== src/commands/logs.rs use super::{self as c}; use vx_model::manifest::find;
fn f() { c::init::run(); c::logs::x(); }"#;

/// The small library's platform debt: one count too high, one too low, one row stale.
const SMALL_PLATFORM_DEBT: &[Debt] = &[
    ("crates/vx-base/src/version.rs", 2, ""),
    ("crates/vx-net/src/say.rs", 3, ""),
    ("gone.rs", 1, ""),
];

/// Each rule: the test that it holds on the real library (`why`: what to do when it
/// does not), and the tests that it fails on `SMALL`, each with the files read (path
/// prefixes; all when none are given) and all that the rule finds in them, a line each.
macro_rules! rules {
    ($($rule:literal: $holds:ident, $why:literal;
        $($fails:ident $(in $files:literal)* => $found:literal;)*)*) => {$(
        #[test]
        fn $holds() {
            let found = real().1.get($rule).cloned().unwrap_or_default();
            assert!(found.is_empty(), "{}:\n{}", $why, found.join("\n"));
        }
        $(
            #[test]
            fn $fails() {
                let file = |f: &str| f.split_once([' ', '\n']).map(|(p, t)| (p.into(), t.into()));
                let files: Vec<(String, String)> = SMALL.split("\n== ").filter_map(file).collect();
                let library = Library::of(&files[0].1, &files);
                let found = check(&library, [SMALL_PLATFORM_DEBT, &[]]).remove($rule);
                let only: &[&str] = &[$($files),*];
                let read = |f: &String| only.is_empty() || only.iter().any(|p| f.starts_with(p));
                let found: Vec<String> = found.into_iter().flatten().filter(|f| read(f)).collect();
                assert_eq!(found.join("\n"), $found.trim());
            }
        )*
    )*};
}

rules! {
    "map": every_room_is_a_module_of_its_crate_on_its_map_with_a_row, "rooms off docs/ARCHITECTURE.md's floors table, their lib.rs map (//!) or \"What each room owns\" (a new room gets its row first)";
    a_room_off_the_table_the_map_or_the_rows_fails in "crates/vx-t" => "
crates/vx-tui: map is on two floors
crates/vx-text/src/lib.rs: room gone is no module (nor the crate's name)
crates/vx-text/src/lib.rs: room map is not on the map (//!)
crates/vx-text/src/lib.rs: room verify has no row under \"What each room owns\"
crates/vx-text/src/lib.rs: atomic is on floor 1.2, elsewhere
crates/vx-text/src/lib.rs: stray is on no floor
crates/vx-tui/src/lib.rs: no such file
crates/vx-tui/src/lib.rs: room map is no module (nor the crate's name)";
    "cargo": no_crate_depends_on_a_floor_above_it, "Cargo.toml dependencies on the crate of a higher floor";
    a_crate_that_depends_on_a_floor_above_it_fails => "
vx_base (floor 1.1) depends on vx_net (floor 2)";
    "upward": no_room_names_a_room_of_a_finer_floor_above_it, "upward paths (docs/ARCHITECTURE.md, \"Floors of the library\")";
    an_upward_use_inside_a_crates_finer_floors_fails => "
crates/vx-base/src/exit.rs: crate::atomic::SIZE: exit (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/exit.rs: crate::write (that is vx_base::atomic::write): exit (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/exit.rs: atomically! (that is vx_base::atomic::atomically): exit (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/exit.rs: ::vx_base::atomic::Atom: exit (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/format/mod.rs: crate::atomic: format (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/format/mod.rs: a::write (that is vx_base::atomic::write): format (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/format/mod.rs: crate::atomic::write: format (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/format/size.rs: super::super::atomic::write: format (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/version.rs: vx_base::atomic::A: version (floor 1.1) names atomic (floor 1.2)
crates/vx-base/src/version/t.rs: crate::atomic::B: version (floor 1.1) names atomic (floor 1.2)";
    // Rooms of one finer floor may name each other, but not in a circle.
    "circles": no_two_rooms_or_files_name_each_other, "rooms or files in a circle (move what both need below both)";
    rooms_or_files_that_name_each_other_fail => "
child -> install -> child
    crates/vx-engine/src/child.rs: crate::install::STORE
    crates/vx-engine/src/install/mod.rs: crate::child::go
vx_engine::child -> vx_engine::install -> vx_engine::child
    crates/vx-engine/src/child.rs: crate::install::STORE
    crates/vx-engine/src/install/mod.rs: crate::child::go
vx_engine::install::a -> vx_engine::install::b -> vx_engine::install::a
    crates/vx-engine/src/install/a.rs: super::b::B
    crates/vx-engine/src/install/b.rs: crate::install::a::A";
    "door": commands_and_ops_open_their_project_through_the_sessions_door, "files that find the manifest themselves (use `session::locate`, `locate_editable` or `Session::open`)";
    a_door_bypass_in_a_grouped_import_over_several_lines_fails
        in "crates/vx-model/" in "crates/vx-ops/" in "src/" => "
crates/vx-model/src/lock.rs: crate::manifest::*
crates/vx-model/src/lock.rs: crate::manifest::locate
crates/vx-ops/src/edit.rs: locate (that is vx_model::manifest::locate)
crates/vx-ops/src/edit.rs: vx_model::manifest::locate
src/commands/logs.rs: vx_model::manifest::find";
    a_module_alias_of_the_manifest_fails_the_door in "crates/vx-project/" => "
crates/vx-project/src/plan.rs: m::locate (that is vx_model::manifest::locate)
crates/vx-project/src/plan.rs: n::find (that is vx_model::manifest::find)";
    "fixture": only_tests_and_the_demo_name_the_fixture, "library code names the `vx-fixture` crate (tests and `demo` only)";
    the_fixture_outside_tests_and_demo_fails => "
crates/vx-net/src/client.rs: vx_fixture::*
crates/vx-project/src/plan.rs: crate::demo::fixture::noise (that is vx_fixture::noise)
crates/vx-project/src/plan.rs: ::vx_fixture::X
crates/vx-project/src/plan.rs: vx_fixture::Y";
    "commands": no_command_names_another_command, "commands that name another (move what they share into `ops` or a helper)";
    a_command_naming_another_fails => "
src/commands/import.rs: super::*
src/commands/import.rs: crate::commands::init::run
src/commands/init.rs: super::import::go
src/commands/logs.rs: c::init::run (that is vx_bin::commands::init::run)";
    "binary": the_library_names_nothing_of_the_binary, "a room of `src/` names the binary's own (`cli`, `commands`): what both need goes into the room";
    a_room_naming_the_commands_fails => "
src/present.rs: crate::commands::open
src/present.rs: crate::cli::Args::x";
    "opaque": nothing_in_the_library_hides_a_path_from_the_checker, "library code the layering test cannot follow";
    what_hides_a_path_is_refused => "
crates/vx-net/src/client.rs: `#[path]` moves a file
crates/vx-net/src/client.rs: `include!` pastes a file unread
crates/vx-net/src/client.rs: `use vx_fixture::*` lends its names
crates/vx-net/src/lib.rs: `extern crate self` renames a crate
crates/vx-net/src/lib.rs: `#[macro_use]` lends macros
crates/vx-net/src/lib.rs: `use client::*` lends its names";
    // New code, growth, a count to lower and a stale row; test code and `platform` free.
    "platform": platform_code_lives_in_the_platform_room_or_its_counted_debt, "platform code outside `platform` (PLATFORM_DEBT only shrinks)";
    platform_code_beyond_its_counted_debt_fails => "
crates/vx-base/src/version.rs: 1 where the list allows 2: lower its count
crates/vx-net/src/say.rs: 4 where the list allows 3: #[cfg (unix)], rustix::process::getpid, cfg!(windows), #[cfg (any (test , unix))]
crates/vx-project/src/plan.rs: 1 where the list allows 0: #[cfg (any (test , unix))]
gone.rs: listed, but no such file: remove its row";
    "prints": the_library_prints_nothing_beyond_its_counted_debt, "library code that prints (PRINT_DEBT only shrinks)";
    printing_beyond_its_counted_debt_fails => "
crates/vx-net/src/say.rs: 3 where the list allows 0: note!, std::io::stdout, eprintln!";
}
