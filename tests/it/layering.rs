//! What Cargo cannot hold of docs/ARCHITECTURE.md's floors. Cargo keeps the crates in
//! order (a crate names only what its Cargo.toml depends on; `cargo` holds those to the
//! floors table); the rest is inside a crate, read from every `.rs` file with `syn`
//! (`scan`): the finer floors, no circle of rooms or of files, the session's door, the
//! fixture, no command naming another, the counted debts and the map. Each rule is
//! shown failing on a small library at the end.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod scan;

type Findings = BTreeMap<&'static str, Vec<String>>;
/// From each node, the nodes it names, each with the first file and path that does.
type Edges = BTreeMap<String, BTreeMap<String, String>>;
/// A file's count of something a rule counts, and why it is allowed.
type Debt = (&'static str, usize, &'static str);

/// The folders whose files may find a project's manifest: the session (the door) and
/// the manifest room, which does the finding.
const DOOR: [&str; 2] = [
    "crates/vx-ops/src/session/",
    "crates/vx-model/src/manifest/",
];
/// The files of `src/commands/` any command may use: the rest are commands.
const COMMAND_HELPERS: [&str; 2] = ["mod", "request"];

/// A floor's rank, `5.2` as `(5, 2)` and `10` as `(10, 0)`; `None` for what is no floor.
fn rank(floor: &str) -> Option<(u32, u32)> {
    let (whole, fine) = floor.split_once('.').unwrap_or((floor, "0"));
    Some((whole.parse().ok()?, fine.parse().ok()?))
}

/// The rows of the table under `## heading` in `doc`, each a row's cells, trimmed.
fn rows<'a>(doc: &'a str, heading: &str) -> Vec<Vec<&'a str>> {
    let start = doc
        .find(&format!("\n## {heading}\n"))
        .map_or(doc.len(), |s| s + 4);
    let body = &doc[start..];
    let lines = body[..body.find("\n## ").unwrap_or(body.len())].lines();
    let row = |l: &'a str| l.split('|').map(str::trim).collect();
    lines.filter(|l| l.starts_with('|')).map(row).collect()
}

/// Where a crate's files are: `crates/vx-net/src/`, or `src/` for the binary's library.
fn src_of(folder: &str) -> String {
    format!("{folder}/src/").replace("src/src/", "src/")
}

/// A crate of the floors table: its folder, its name in paths (`vx_net`; `vx` for
/// `src/`), the table's rooms in it, the modules its `lib.rs` declares, its root room
/// (the room named as the crate that `lib.rs` does not declare: the crate root itself,
/// `vx_net::client` is in `net`) and the crates its Cargo.toml depends on.
struct Crate {
    folder: String,
    ident: String,
    rooms: BTreeSet<String>,
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
    /// What reading the table and the crates found: `placement`, `map`, `cargo`.
    found: Findings,
}

impl Library {
    /// Reads `architecture`'s floors table, and of `files` (repository path, text) the
    /// crates' `lib.rs`, Cargo.toml and every `.rs` file.
    fn of(architecture: &str, files: &[(String, String)]) -> Library {
        let mut lib = Library::default();
        let mut folders: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for row in rows(architecture, "Floors of the library") {
            let [_, floor, folder, rooms, ..] = row[..] else {
                continue;
            };
            let (floor, folder) = (floor.split(' ').next().unwrap(), folder.trim_matches('`'));
            let rooms = rooms.split(',').filter(|_| rank(floor).is_some());
            for room in rooms.map(|r| r.trim().trim_matches('`').to_owned()) {
                if lib.floors.insert(room.clone(), floor.into()).is_some() {
                    lib.finding("placement", format!("{room} is on two floors"));
                }
                folders
                    .entry(folder.trim_end_matches('/'))
                    .or_default()
                    .insert(room);
            }
        }
        let owned = rows(architecture, "What each room owns");
        let text = |rel: &str| {
            files
                .iter()
                .find(|(r, _)| r == rel)
                .map(|(_, t)| t.as_str())
        };
        for (folder, rooms) in folders {
            let lib_rs = format!("{}lib.rs", src_of(folder));
            let Some(source) = text(&lib_rs) else {
                let why = format!("the floors table names {folder}, without {lib_rs}");
                lib.finding("placement", why);
                continue;
            };
            let ident = match folder {
                "src" => "vx".into(),
                _ => folder.replace("crates/", "").replace('-', "_"),
            };
            let declared = scan::scan(
                source,
                std::slice::from_ref(&ident),
                &BTreeSet::new(),
                false,
            );
            let declared = declared.unwrap().1;
            let name = ident.trim_start_matches("vx_");
            let root = rooms
                .iter()
                .find(|r| *r == name && !declared.contains(r))
                .cloned();
            let manifest = format!("{folder}/Cargo.toml").replace("src/Cargo", "Cargo");
            let deps = text(&manifest).map(dependencies).unwrap_or_default();
            let folder = folder.into();
            let krate = Crate {
                folder,
                ident,
                rooms,
                declared,
                root,
                deps,
            };
            lib.place(&krate, source, &owned);
            lib.crates.push(krate);
        }
        lib.found.insert("cargo", lib.cargo());
        lib.read(files.iter().filter(|(rel, _)| rel.ends_with(".rs")));
        let bindings = lib.files.iter().flat_map(|f| f.scanned.bindings.iter());
        let bindings = bindings.filter(|(name, to)| {
            let room = lib.room_of(name);
            room.is_none() || room != lib.room_of(to)
        });
        let bindings: BTreeMap<_, _> = bindings.cloned().collect();
        lib.bindings = bindings;
        lib
    }

    fn finding(&mut self, rule: &'static str, line: String) {
        self.found.entry(rule).or_default().push(line);
    }

    /// The placement of `krate`'s rooms (each a module of its `lib.rs`, each module a
    /// room of the table) and its map: each room linked from the `//!` map of `source`,
    /// its `lib.rs` (`[`room`]`, `[`mod@room`]`), and with a row in `owned` (a first
    /// cell naming `SRC/ROOM/`, `SRC/ROOM.rs` or a file inside; a root room's, any path
    /// of the crate's `src/`).
    fn place(&mut self, krate: &Crate, source: &str, owned: &[Vec<&str>]) {
        let (src, declared) = (src_of(&krate.folder), &krate.declared);
        let map: String = source
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .collect();
        let linked = |room| ["[`", "[`mod@"].map(|l| format!("{l}{room}`]"));
        for room in &krate.rooms {
            let root = krate.root.as_ref() == Some(room);
            if !declared.contains(room) && !root {
                let why = format!("{room}: no module of {src}lib.rs (nor the crate's name)");
                self.finding("placement", why);
                continue;
            } else if !root && !linked(room).iter().any(|l| map.contains(l)) {
                let why = format!("{src}lib.rs: room {room} is not on the map (//!)");
                self.finding("map", why);
            }
            let names = match root {
                true => vec![format!("`{src}")],
                false => vec![format!("`{src}{room}/"), format!("`{src}{room}.rs`")],
            };
            let row = |r: &Vec<&str>| names.iter().any(|n| r.len() > 1 && r[1].contains(n));
            if !owned.iter().any(row) {
                let why = format!("room {room} has no row under \"What each room owns\"");
                self.finding("map", why);
            }
        }
        let stray = declared.iter().filter(|m| !krate.rooms.contains(*m));
        for module in stray.filter(|_| krate.root.is_none()) {
            let why = match self.floors.get(module) {
                Some(floor) => format!("{src}lib.rs: {module} is on floor {floor}, elsewhere"),
                None => format!("{src}lib.rs: {module} is on no floor"),
            };
            self.finding("placement", why);
        }
    }

    /// The floor crates that depend on a floor crate not wholly below their own lowest
    /// floor: Cargo lets a crate name only what it depends on, this holds what it may
    /// depend on (a dev-dependency too, so no circle of crates hides in tests).
    fn cargo(&self) -> Vec<String> {
        let floors = |c: &Crate| {
            let mut floors: Vec<&String> = c.rooms.iter().map(|r| &self.floors[r]).collect();
            floors.sort_by_key(|f| rank(f));
            floors
        };
        let mut out = Vec::new();
        for krate in &self.crates {
            for dep in self.crates.iter().filter(|d| krate.deps.contains(&d.ident)) {
                let (from, to) = (&krate.ident, &dep.ident);
                let (lowest, highest) = (floors(krate)[0], floors(dep)[dep.rooms.len() - 1]);
                if rank(highest) >= rank(lowest) {
                    out.push(format!(
                        "{from} (floor {lowest}) depends on {to} (floor {highest})"
                    ));
                }
            }
        }
        out
    }

    /// Places and scans the `.rs` files, parents first, so that a file under a
    /// `#[cfg(test)] mod` is read as test code through and through.
    fn read<'a>(&mut self, files: impl Iterator<Item = &'a (String, String)>) {
        let mut names: BTreeSet<String> = self.crates.iter().map(|c| c.ident.clone()).collect();
        names.insert("vx_fixture".into());
        let mut placed = Vec::new();
        for (rel, text) in files {
            let krate = self
                .crates
                .iter()
                .find(|c| rel.starts_with(&src_of(&c.folder)));
            let (ident, rest) = match (krate, rel.strip_prefix("src/")) {
                (Some(c), _) => (c.ident.as_str(), &rel[src_of(&c.folder).len()..]),
                (None, Some(rest)) => ("", rest),
                (None, None) => continue,
            };
            let mut module: Vec<String> = rest.split('/').map(|m| m.replace(".rs", "")).collect();
            if module[module.len() - 1] == "mod" || ["lib.rs", "main.rs"].contains(&rest) {
                module.pop();
            }
            // `src/`'s files that its `lib.rs` does not declare are the binary's own.
            let declared = |c: &Crate| module.first().is_none_or(|m| c.declared.contains(m));
            let binary = ident.is_empty()
                || (ident == "vx" && (rest == "main.rs" || !krate.is_some_and(declared)));
            module.insert(0, if binary { "vx_bin" } else { ident }.into());
            placed.push((module, rel, text, binary));
        }
        placed.sort_by_key(|(module, ..)| module.len());
        let mut tests: Vec<Vec<String>> = Vec::new();
        for (module, rel, text, binary) in placed {
            let test = tests.iter().any(|t| module.starts_with(t));
            let scanned = scan::scan(text, &module, &names, test);
            let (scanned, _) = scanned.unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            tests.extend(scanned.test_modules.iter().cloned());
            let room = if binary { None } else { self.room_of(&module) };
            let library = !binary && (room.is_some() || module.len() == 1);
            let rel = rel.clone();
            self.files.push(File {
                rel,
                module,
                room,
                library,
                scanned,
            });
        }
        self.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    }

    /// The room a path is in: the room of its crate it goes through, else its root room.
    fn room_of(&self, path: &[String]) -> Option<String> {
        let krate = self
            .crates
            .iter()
            .find(|c| Some(&c.ident) == path.first())?;
        let room = path
            .get(1)
            .filter(|r| krate.rooms.contains(*r) && krate.declared.contains(r));
        room.or(krate.root.as_ref()).cloned()
    }

    /// `path` followed through the bindings it starts with, the longest first. A bare
    /// macro call that no binding (an exported macro) takes is no one's: `None`.
    fn resolve(&self, named: &scan::Named) -> Option<Vec<String>> {
        let mut path = named.path.clone();
        for _ in 0..16 {
            let bound = |n: &usize| self.bindings.get(&path[..*n]);
            let Some(to) = (1..=path.len()).rev().find_map(|n| Some((bound(&n)?, n))) else {
                break;
            };
            let next = [to.0.as_slice(), &path[to.1..]].concat();
            if next == path {
                break;
            }
            path = next;
        }
        (!named.bare || path != named.path).then_some(path)
    }
}

/// The crates a Cargo.toml depends on, in every table (normal, dev, build, per target),
/// by the name paths give them (`vx_net`), a renamed one by its package's.
fn dependencies(text: &str) -> BTreeSet<String> {
    let manifest: toml::Table = text.parse().expect("Cargo.toml parses");
    let targets = manifest.get("target").and_then(|t| t.as_table());
    let targets = targets
        .into_iter()
        .flat_map(|t| t.values().filter_map(|v| v.as_table()));
    let mut deps = BTreeSet::new();
    for table in std::iter::once(&manifest).chain(targets) {
        for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
            for (name, dep) in table
                .get(kind)
                .and_then(|d| d.as_table())
                .into_iter()
                .flatten()
            {
                let package = dep.get("package").and_then(|p| p.as_str()).unwrap_or(name);
                deps.insert(package.replace('-', "_"));
            }
        }
    }
    deps
}

/// Every rule but the counted debts, each finding a line naming the file and the path.
fn check(lib: &Library) -> Findings {
    let mut found = lib.found.clone();
    let (mut rooms, mut files) = (Edges::new(), Edges::new());
    let library = lib.files.iter().filter(|f| f.library);
    let modules: BTreeSet<&[String]> = library.map(|f| f.module.as_slice()).collect();
    let command = |f: &File| match &f.module[..] {
        [b, c, name] if b == "vx_bin" && c == "commands" => {
            Some(name.clone()).filter(|n| !COMMAND_HELPERS.contains(&n.as_str()))
        }
        _ => None,
    };
    let commands: BTreeSet<String> = lib.files.iter().filter_map(command).collect();
    for file in &lib.files {
        let mut push = |rule, line: String| found.entry(rule).or_default().push(line);
        for opaque in file.scanned.opaque.iter().filter(|_| file.library) {
            push("opaque", format!("{}: {opaque}", file.rel));
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
            let door = matches!(p[..], ["vx_model", "manifest", "locate" | "find", ..])
                || (named.glob && p == ["vx_model", "manifest"]);
            if door && !DOOR.iter().any(|d| file.rel.starts_with(d)) {
                push("door", at.clone());
            }
            // `use super::*` in a command names every command.
            let other = match p[..] {
                ["vx_bin", "commands"] => named.glob,
                ["vx_bin", "commands", other, ..] => commands.contains(other),
                _ => false,
            };
            if command(file).is_some_and(|c| other && p.get(2) != Some(&c.as_str())) {
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
            let target = (1..=p.len())
                .rev()
                .map(|n| &path[..n])
                .find(|m| modules.contains(m));
            if let Some(target) = target
                && !target.starts_with(&file.module)
                && !file.module.starts_with(target)
            {
                let edges = files.entry(file.module.join("::")).or_default();
                edges.entry(target.join("::")).or_insert_with(|| at.clone());
            }
            let Some(to) = lib.room_of(&path).filter(|to| to != room) else {
                continue;
            };
            let (floor, to_floor) = (&lib.floors[room], &lib.floors[&to]);
            if rank(to_floor) > rank(floor) {
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
    found.insert("room circles", circles(&rooms));
    found.insert("file circles", circles(&files));
    found
}

/// Each circle of `edges` once: the nodes along it and, for each step, the file and path
/// that make it.
fn circles(edges: &Edges) -> Vec<String> {
    let (mut seen, mut out) = (BTreeSet::new(), Vec::new());
    for (from, tos) in edges {
        let back = |to| way(edges, to, from, &mut BTreeSet::new());
        let Some(back) = tos.keys().find_map(back).filter(|_| !seen.contains(from)) else {
            continue;
        };
        let steps: Vec<&String> = std::iter::once(from).chain(back).collect();
        let mut text = steps
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" -> ");
        for pair in steps.windows(2) {
            text.push_str(&format!("\n    {}", edges[pair[0]][pair[1]]));
        }
        seen.extend(steps);
        out.push(text);
    }
    out
}

/// A way from `from` to `to` along `edges`, both ends included, through no node twice.
fn way<'a>(
    edges: &'a Edges,
    from: &'a String,
    to: &String,
    seen: &mut BTreeSet<&'a String>,
) -> Option<Vec<&'a String>> {
    if from == to {
        return Some(vec![from]);
    }
    let nexts = edges.get(from).filter(|_| seen.insert(from))?;
    let mut path = nexts.keys().find_map(|next| way(edges, next, to, seen))?;
    path.insert(0, from);
    Some(path)
}

/// A rule held by a counted list: a library file outside the room `free` may do the
/// thing (`what` of its scan) only as often as `allowed` says. A count over the list is
/// growth; one under it must lower the list, so the list only shrinks.
fn counted(
    lib: &Library,
    free: &str,
    what: fn(&scan::Scanned) -> &[String],
    allowed: &[Debt],
) -> Vec<String> {
    let mut found = Vec::new();
    for file in lib
        .files
        .iter()
        .filter(|f| f.library && f.room.as_deref() != Some(free))
    {
        let (rel, done) = (&file.rel, what(&file.scanned));
        let limit = allowed.iter().find(|(p, ..)| p == rel).map_or(0, |d| d.1);
        let list = match done.len().cmp(&limit) {
            Ordering::Greater => done.join(", "),
            Ordering::Less => "lower its count".into(),
            Ordering::Equal => continue,
        };
        found.push(format!(
            "{rel}: {} where the list allows {limit}: {list}",
            done.len()
        ));
    }
    let stale = allowed
        .iter()
        .filter(|(p, ..)| lib.files.iter().all(|f| f.rel != *p));
    found.extend(
        stale.map(|(p, ..)| format!("{p}: listed, but no such library file: remove its row")),
    );
    found
}

/// Library files outside `platform` that choose a platform (`#[cfg(unix)]`,
/// `cfg!(windows)`, `target_os = …`) or call `rustix`/`libc`/`windows-sys` themselves,
/// and how often: debt held so it cannot grow, paid by moving the code behind
/// `crates/vx-base/src/platform/`. Test code is not counted.
#[rustfmt::skip]
const PLATFORM_DEBT: &[Debt] = &[
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
    ("crates/vx-tasks/src/runner/worker.rs", 1, "to move: a stamp not recorded, into the run's events"),
    ("crates/vx-project/src/plan.rs", 2, "to move: a sync's notes, into its report"),
    ("crates/vx-ops/src/import.rs", 1, "to move: the network that failed, into the import's report"),
    ("crates/vx-engine/src/resolution/network.rs", 1, "to move: `-v` rewrite notes when the caller gives no `say`"),
];

/// The real library (docs/ARCHITECTURE.md, every `.rs` file of `src/` and of the
/// crates' `src/`, the crates' Cargo.toml) and what the rules find in it, read once.
fn real() -> &'static (Library, Findings) {
    static REAL: std::sync::OnceLock<(Library, Findings)> = std::sync::OnceLock::new();
    REAL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &Path| {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(path).unwrap())
        };
        let mut files = vec![read(&root.join("Cargo.toml"))];
        let mut dirs = vec![root.join("src"), root.join("crates")];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    || path.ends_with("Cargo.toml")
                {
                    files.push(read(&path));
                }
            }
        }
        let architecture = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
        let library = Library::of(&architecture, &files);
        let found = check(&library);
        (library, found)
    })
}

/// One test per rule on the real library: its name, the rule, what to do when it fails.
macro_rules! the_library_holds {
    ($($test:ident: $rule:literal, $why:literal;)*) => {$(
        #[test]
        fn $test() {
            let found = real().1.get($rule).cloned().unwrap_or_default();
            assert!(found.is_empty(), "{}:\n{}", $why, found.join("\n"));
        }
    )*};
}

the_library_holds! {
    every_room_is_a_module_of_its_floors_crate: "placement", "rooms off docs/ARCHITECTURE.md's floors table (a new room gets its row first)";
    no_crate_depends_on_a_floor_above_it: "cargo", "Cargo.toml dependencies on the crate of a higher floor";
    no_room_names_a_room_of_a_finer_floor_above_it: "upward", "upward paths (docs/ARCHITECTURE.md, \"Floors of the library\")";
    no_two_rooms_name_each_other: "room circles", "rooms in a circle (move what both need below both)";
    no_two_files_name_each_other: "file circles", "files in a circle (a module and the modules inside it excepted)";
    commands_and_ops_open_their_project_through_the_sessions_door: "door", "files that find the manifest themselves (use `session::locate`, `locate_editable` or `Session::open`)";
    only_tests_and_the_demo_name_the_fixture: "fixture", "library code names the `vx-fixture` crate (tests and `demo` only)";
    no_command_names_another_command: "commands", "commands that name another (move what they share into `ops` or a helper)";
    nothing_in_the_library_hides_a_path_from_the_checker: "opaque", "library code the layering test cannot follow";
    every_room_is_on_its_crates_map_and_has_a_row: "map", "rooms missing from a lib.rs map (//!) or from \"What each room owns\"";
}

#[test]
fn the_checker_reads_the_commands_the_crates_and_their_dependencies() {
    let (library, _) = real();
    let read = |rel| {
        library
            .files
            .iter()
            .any(|f| f.rel == rel && f.scanned.named.len() > 9)
    };
    assert!(read("src/commands/add.rs") && read("crates/vx-ops/src/import.rs"));
    let ops = library.crates.iter().find(|c| c.ident == "vx_ops").unwrap();
    assert!(ops.deps.contains("vx_engine") && library.crates.len() > 10);
}

#[test]
fn platform_code_lives_in_the_platform_room_or_its_counted_debt() {
    let found = counted(&real().0, "platform", |s| &s.platform, PLATFORM_DEBT);
    let why = "platform code outside `platform` (PLATFORM_DEBT only shrinks)";
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

#[test]
fn the_library_prints_nothing_beyond_its_counted_debt() {
    let found = counted(&real().0, "", |s| &s.prints, PRINT_DEBT);
    let why = "library code that prints (PRINT_DEBT only shrinks)";
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

/// A small library: `rows` of the floors table, `owns` the rows under "What each room
/// owns", `files` one text where each file starts with a line `== PATH`.
fn small(rows: &str, owns: &str, files: &str) -> Library {
    let architecture = format!(
        "# A\n\n## Floors of the library\n\n| floor | folder | rooms |\n|---|---|---|\n{rows}\n\n\
         ## What each room owns\n\n| where | owns |\n|---|---|\n{owns}\n"
    );
    let files = files
        .split("\n== ")
        .skip(1)
        .map(|f| f.split_once('\n').unwrap_or((f, "")));
    let files: Vec<(String, String)> = files.map(|(p, t)| (p.into(), t.into())).collect();
    Library::of(&architecture, &files)
}

/// The floors of the small libraries the rules are shown failing on.
const ROWS: &str = "| 8.1 o | `crates/vx-ops/` | `ops` |\n| 8 s | `crates/vx-ops/` | `session` |
| 7 p | `crates/vx-project/` | `demo`, `plan` |\n| 5 e | `crates/vx-engine/` | `install`, `child` |
| 4 s | `crates/vx-sources/` | `github` |\n| 3 m | `crates/vx-model/` | `manifest`, `lock` |
| 2.1 n | `crates/vx-net/` | `net` |\n| 1.2 b | `crates/vx-base/` | `atomic` |
| 1.1 b | `crates/vx-base/` | `format`, `exit`, `version`, `platform` |";

/// Each rule failing on a small library planted for it (`ROWS`, and files each starting
/// with a line `== PATH`): the test, the rule, the files, all that the rule finds.
macro_rules! fails {
    ($($test:ident: $rule:literal in $($files:expr),+ => [$($line:expr),* $(,)?];)*) => {$(
        #[test]
        fn $test() {
            let library = small(ROWS, "", &[$($files),+].concat());
            let expected: &[&str] = &[$($line),*];
            assert_eq!(check(&library).remove($rule).unwrap_or_default(), expected);
        }
    )*};
}

/// A library whose manifest room finds and whose session calls it.
const DOOR_ROOMS: &str = "
== crates/vx-model/src/lib.rs
pub mod lock; pub mod manifest;
== crates/vx-model/src/manifest/mod.rs
pub fn locate() {} fn f() { locate(); }
== crates/vx-ops/src/lib.rs
pub mod session; pub mod lock;
== crates/vx-ops/src/session/mod.rs
use vx_model::manifest::{
    locate,
};";

/// Two rooms of one finer floor naming each other, and two files of one room.
const CIRCLE: &str = r#"
== crates/vx-engine/src/lib.rs
pub mod child; pub mod install;
== crates/vx-engine/src/child.rs
fn g() { let _ = format!("{}", crate::install::STORE); }
== crates/vx-engine/src/install/mod.rs
mod a; mod b; pub use a::A;
fn f() { crate::child::spawn(); }
== crates/vx-engine/src/install/a.rs
use super::b::B;
use super::Shared; // a parent and its child are no circle
== crates/vx-engine/src/install/b.rs
use crate::install::a::A;"#;

fails! {
    an_upward_use_inside_a_crates_finer_floors_fails: "upward" in "
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
};" => ["crates/vx-base/src/format.rs: crate::atomic::write: format (floor 1.1) names atomic (floor 1.2)"];

    a_crate_that_depends_on_a_floor_above_it_fails: "cargo" in r#"
== crates/vx-base/src/lib.rs
pub mod atomic;
== crates/vx-base/Cargo.toml
[dependencies]
serde = "1"
[target.'cfg(unix)'.dev-dependencies]
net = { package = "vx-net", path = "../vx-net" }
== crates/vx-net/src/lib.rs
== crates/vx-net/Cargo.toml
[dependencies]
vx-base.workspace = true"# => ["vx_base (floor 1.1) depends on vx_net (floor 2.1)"];

    // `::vx_net::…` in vx-base is Cargo's to refuse: vx-base does not depend on vx-net.
    a_path_is_counted_however_it_is_written: "upward" in r#"
== crates/vx-base/src/lib.rs
pub mod atomic; pub mod exit; pub mod format; pub mod version;
pub use atomic::write;
== crates/vx-base/src/atomic.rs
#[macro_export]
macro_rules! atomically { () => {} }
== crates/vx-base/src/exit.rs
fn f() { let _ = format!("{}", crate::atomic::SIZE); crate::write(); }
fn g() { atomically!(); let _ = ::vx_base::atomic::Atom; let _ = ::vx_net::client::Client; }
== crates/vx-base/src/format/mod.rs
mod size;
use crate::atomic as a;
fn f() { a::write(); }
== crates/vx-base/src/format/size.rs
fn f() { super::super::atomic::write(); }
== crates/vx-base/src/version.rs
#[cfg(any(test, unix))]
use vx_base::atomic::A;
#[cfg(test)]
mod tests;
== crates/vx-base/src/version/tests.rs
use crate::atomic::B;
== crates/vx-net/src/lib.rs
pub mod client;"# => [
        "crates/vx-base/src/exit.rs: crate::atomic::SIZE: exit (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/exit.rs: crate::write (that is vx_base::atomic::write): exit (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/exit.rs: atomically: exit (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/exit.rs: ::vx_base::atomic::Atom: exit (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/format/mod.rs: crate::atomic: format (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/format/mod.rs: a::write (that is vx_base::atomic::write): format (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/format/size.rs: super::super::atomic::write: format (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/version.rs: vx_base::atomic::A: version (floor 1.1) names atomic (floor 1.2)",
        "crates/vx-base/src/version/tests.rs: crate::atomic::B: version (floor 1.1) names atomic (floor 1.2)",
    ];

    a_door_bypass_in_a_grouped_import_over_several_lines_fails: "door" in DOOR_ROOMS, "
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
fn f() { manifest::task_graph::find(); }" => [
        "crates/vx-model/src/lock.rs: crate::manifest::locate",
        "crates/vx-model/src/lock.rs: crate::manifest::*",
        "src/commands/add.rs: vx_model::manifest::find",
    ];

    a_module_alias_of_the_manifest_fails_the_door: "door" in DOOR_ROOMS, "
== crates/vx-ops/src/lock.rs
use vx_model::manifest as m;
fn f() { m::locate(None, &cwd); }
fn g() { use vx_model::{manifest as n}; n::find(&cwd); }" => [
        "crates/vx-ops/src/lock.rs: m::locate (that is vx_model::manifest::locate)",
        "crates/vx-ops/src/lock.rs: n::find (that is vx_model::manifest::find)",
    ];

    rooms_that_name_each_other_fail: "room circles" in CIRCLE => ["child -> install -> child
    crates/vx-engine/src/child.rs: crate::install::STORE
    crates/vx-engine/src/install/mod.rs: crate::child::spawn"];
    files_that_name_each_other_fail: "file circles" in CIRCLE => [
        "vx_engine::child -> vx_engine::install -> vx_engine::child
    crates/vx-engine/src/child.rs: crate::install::STORE
    crates/vx-engine/src/install/mod.rs: crate::child::spawn",
        "vx_engine::install::a -> vx_engine::install::b -> vx_engine::install::a
    crates/vx-engine/src/install/a.rs: super::b::B
    crates/vx-engine/src/install/b.rs: crate::install::a::A",
    ];
    rooms_of_one_finer_floor_may_name_each_other: "upward" in CIRCLE => [];

    the_fixture_outside_tests_and_demo_fails: "fixture" in "
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
use vx_fixture::github::Fake;" => [
        "crates/vx-project/src/plan.rs: crate::demo::fixture::noise (that is vx_fixture::noise)",
        "crates/vx-project/src/plan.rs: ::vx_fixture::X",
        "crates/vx-project/src/plan.rs: vx_fixture::Y",
    ];

    what_hides_a_path_is_refused: "opaque" in r#"
== crates/vx-base/src/lib.rs
extern crate self as vx2;
#[macro_use]
pub mod format;
pub use format::*;
== crates/vx-base/src/format.rs
#[path = "x.rs"]
mod borrowed;
fn f() { include!("y.rs"); }
pub use vx_fixture::*;
#[cfg(test)]
mod tests { use vx_fixture::*; }"# => [
        "crates/vx-base/src/format.rs: `#[path]` moves a file",
        "crates/vx-base/src/format.rs: `include!` pastes a file unread",
        "crates/vx-base/src/format.rs: `use vx_fixture::*` lends its names",
        "crates/vx-base/src/lib.rs: `extern crate self` renames a crate",
        "crates/vx-base/src/lib.rs: `#[macro_use]` lends macros",
        "crates/vx-base/src/lib.rs: `use format::*` lends its names",
    ];

    a_command_naming_another_fails: "commands" in "
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
fn f() { c::init::run(); c::logs::x(); }" => [
        "src/commands/import.rs: super::*",
        "src/commands/import.rs: crate::commands::init::run",
        "src/commands/init.rs: super::import::import_into",
        "src/commands/logs.rs: c::init::run (that is vx_bin::commands::init::run)",
    ];
}

#[test]
fn the_counted_debts_fail_on_new_code_growth_and_a_stale_list() {
    let library = small(
        ROWS,
        "",
        r#"
== crates/vx-net/src/lib.rs
#[cfg(unix)]
fn f() { let _ = rustix::process::getpid(); if cfg!(windows) {} }
#[cfg(test)]
mod tests { #[cfg(unix)] fn g() { libc::getpid(); println!(); } }
fn say() { vx_base::note!("x"); let _ = std::io::stdout(); }
#[cfg(any(test, unix))]
fn h() { eprintln!(); }
== crates/vx-base/src/lib.rs
pub mod platform;
== crates/vx-base/src/platform.rs
#[cfg(unix)]
mod unix;"#,
    );
    let platform = |list| counted(&library, "platform", |s| &s.platform, list);
    let net = "crates/vx-net/src/lib.rs: 4 where the list allows";
    let all = "#[cfg (unix)], rustix::process::getpid, cfg!(windows), #[cfg (any (test , unix))]";
    assert_eq!(platform(&[]), [format!("{net} 0: {all}")]);
    assert!(platform(&[("crates/vx-net/src/lib.rs", 4, "")]).is_empty());
    let found = platform(&[("crates/vx-net/src/lib.rs", 5, ""), ("gone.rs", 1, "")]);
    let stale = "gone.rs: listed, but no such library file: remove its row";
    assert_eq!(found, [format!("{net} 5: lower its count"), stale.into()]);
    let found = counted(&library, "", |s| &s.prints, &[]);
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
pub mod format; pub mod stray;",
    );
    let found = check(&library);
    let placement = [
        "gone: no module of crates/vx-base/src/lib.rs (nor the crate's name)",
        "crates/vx-base/src/lib.rs: stray is on no floor",
    ];
    assert_eq!(found["placement"], placement);
    let map = [
        "crates/vx-base/src/lib.rs: room format is not on the map (//!)",
        "room verify has no row under \"What each room owns\"",
    ];
    assert_eq!(found["map"], map);
}
