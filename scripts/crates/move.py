#!/usr/bin/env python3
"""The library's floors moved into workspace crates named by domain (issue 76).

Rerunnable: `python3 scripts/crates/move.py` moves what still sits in `src/FLOOR/`
(a branch made before the move and merged after it brings such files back) and
rewrites every path that still names an old module, in the crates, the binary,
`tests/`, `benches/`, `examples/`, `fuzz/` and the docs. A run on a tree already
moved changes nothing.

The map: each old module path (under the old `vx` crate root) goes to a crate and a
module path inside it. A room that gave its crate its name is the crate root
(`network::net` is `vx_net`), so no path stutters (`vx_net::net`).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Old module path -> (crate directory name, new module path inside it). Longest first
# wins. "vx" is the binary's own crate (src/).
MAP = [
    (("foundation",), "vx-base", ()),
    (("network", "net"), "vx-net", ()),
    (("network", "verify"), "vx-net", ("verify",)),
    (("files",), "vx-model", ()),
    (("sources",), "vx-sources", ()),
    (("engine",), "vx-engine", ()),
    (("parent", "report"), "vx-sync", ("report",)),
    (("parent", "sync"), "vx-sync", ()),
    (("projects", "project"), "vx-project", ("plan",)),
    (("projects", "tasks"), "vx-tasks", ()),
    (("projects",), "vx-project", ()),
    (("operations", "session"), "vx-ops", ("session",)),
    (("operations", "ops"), "vx-ops", ()),
    (("ways_in", "daemon"), "vx-daemon", ()),
    (("ways_in", "hook"), "vx-hook", ()),
    (("ways_in", "doctor"), "vx", ("doctor",)),
    (("presentation", "present"), "vx", ("present",)),
    # The old crate root's own items.
    (("note",), "vx-base", ("note",)),
    (("sanitize_line",), "vx-base", ("sanitize_line",)),
]
MAP.sort(key=lambda m: -len(m[0]))

# The crates from the bottom: the workspace's members in this order read the
# architecture from the bottom.
ORDER = [
    "vx-base",
    "vx-net",
    "vx-model",
    "vx-sources",
    "vx-engine",
    "vx-sync",
    "vx-project",
    "vx-tasks",
    "vx-ops",
    "vx-daemon",
    "vx-hook",
]

# What each crate's face says it holds (its `lib.rs` docs begin with it).
ABOUT = {
    "vx-base": "The ground every vx crate stands on: the OS beyond `std` (platform), formats, versions, atomic files, bounded reads, exit codes, and `note!`.",
    "vx-net": "The HTTP client vx fetches everything with (proxies, credentials, trust, URL rewrites) and the checks of what it fetches ([`verify`]).",
    "vx-model": "vx's files and their models: vx.toml (or a mise project in place), vx.lock, the task model, other managers' files, the user's config, the parent's frame.",
    "vx-sources": "Where tools come from: GitHub, aqua's registry, mirrors, the language registries and the runtimes' publishers, and the network settings.",
    "vx-engine": "One tool from a name to the store: resolution, install, the `vx install` child, the store's inventory, trust and self update.",
    "vx-sync": "`vx sync`'s parent process: it plans the children, reads their board and makes the reports ([`report`]).",
    "vx-project": "A manifest and its lock together: the sync plan ([`plan`]), the toolchain on `PATH`, fleets, shims and the demo.",
    "vx-tasks": "The project's tasks: the runner, the guard, the results cache, and the data of the live views.",
    "vx-ops": "The session (a project opened once: [`session`]) and one operation per file, each taking a request and returning a report.",
    "vx-daemon": "The daemon: one process per user that serves boards, resolutions and the project's environment over a socket.",
    "vx-hook": "The shell hook of `vx activate`: the project's environment applied as the shell moves.",
}


def crate_ident(crate):
    return crate.replace("-", "_")


def lookup(path):
    """(crate, new path, rest) for an old module path, or None."""
    for old, crate, new in MAP:
        if tuple(path[: len(old)]) == old:
            return crate, list(new) + list(path[len(old) :])
    return None


def module_of(rel):
    """Module path of a file under the old src/ (`engine/install/mod.rs` -> [engine, install])."""
    parts = list(rel.parts)
    last = parts.pop()
    if not last.endswith(".rs"):
        return None
    stem = last[:-3]
    if stem != "mod":
        parts.append(stem)
    return parts


def crate_src(crate):
    return ROOT / "src" if crate == "vx" else ROOT / "crates" / crate / "src"


def new_location(rel):
    """Where a file under src/ (a floor's) goes, or None when it stays."""
    floor = rel.parts[0]
    floors = {m[0][0] for m in MAP if len(m[0]) >= 1} - {"note", "sanitize_line"}
    if floor not in floors:
        return None
    if rel.suffix == ".rs":
        module = module_of(rel)
        # A floor's own mod.rs: folded into the crate roots by hand below.
        if len(module) == 1:
            return "floor"
        found = lookup(module)
        crate, new = found
        base = crate_src(crate)
        if not new:
            return base / "lib.rs"
        is_dir_mod = rel.name == "mod.rs"
        if is_dir_mod:
            return base.joinpath(*new) / "mod.rs"
        return base.joinpath(*new[:-1]) / (new[-1] + ".rs")
    # A data file beside the code (hook.bash, testdata/…): with the directory it sits
    # in, whose module is its parent path.
    dir_module = list(rel.parent.parts)
    found = lookup(dir_module)
    if not found:
        return None
    crate, new = found
    return crate_src(crate).joinpath(*new) / rel.name


def git(*args):
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def move_files():
    src = ROOT / "src"
    moved = []
    floor_docs = {}
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(src)
        if len(rel.parts) < 2:
            continue
        where = new_location(rel)
        if where is None:
            continue
        if where == "floor":
            floor_docs[rel.parts[0]] = path.read_text()
            continue
        where.parent.mkdir(parents=True, exist_ok=True)
        git("mv", "-k", str(path), str(where))
        moved.append((rel, where))
    return moved, floor_docs


def docs_of(text):
    return [l for l in text.splitlines() if l.startswith("//!")]


def body_of(text):
    return [l for l in text.splitlines() if not l.startswith("//!")]


def fold_roots(floor_docs):
    """Each crate's lib.rs: the floor's docs, the room's docs and body, the rooms it gains."""
    extra_mods = {
        "vx-net": ["verify"],
        "vx-sync": ["report"],
        "vx-ops": ["session"],
    }
    floor_of = {
        "vx-base": "foundation",
        "vx-net": "network",
        "vx-model": "files",
        "vx-sources": "sources",
        "vx-engine": "engine",
        "vx-sync": "parent",
        "vx-project": "projects",
        "vx-ops": "operations",
    }
    for crate in ORDER:
        lib = crate_src(crate) / "lib.rs"
        floor = floor_of.get(crate)
        floor_text = floor_docs.get(floor, "") if floor else ""
        room_text = lib.read_text() if lib.exists() else ""
        if "#![forbid(unsafe_code)]" in room_text:
            continue  # folded by an earlier run
        if lib.exists() and room_text == "":
            pass
        if not lib.exists() or crate in ("vx-base", "vx-model", "vx-sources", "vx-engine", "vx-project"):
            # The floor's mod.rs is the crate root.
            head = [f"//! {ABOUT[crate]}", "//!"] + [
                l for l in docs_of(floor_text)
            ]
            body = body_of(floor_text)
            if crate == "vx-project":
                body = [
                    "pub mod plan;" if l.strip() == "pub mod project;" else l
                    for l in body
                    if l.strip() != "pub mod tasks;"
                ]
                head = [
                    l.replace("[`project`]", "[`plan`]").replace("[`tasks`]", "`vx_tasks`")
                    for l in head
                ]
            text = head + ["#![forbid(unsafe_code)]"] + body
        else:
            head = [f"//! {ABOUT[crate]}", "//!"] + docs_of(room_text)
            body = body_of(room_text)
            mods = [f"pub mod {m};" for m in extra_mods.get(crate, [])]
            text = head + ["#![forbid(unsafe_code)]", ""] + mods + body
        lib.parent.mkdir(parents=True, exist_ok=True)
        lib.write_text("\n".join(text).rstrip("\n") + "\n")
        if crate == "vx-base":
            old = (ROOT / "src/lib.rs").read_text()
            macro = old[old.index("/// Prints a line on stderr") :]
            lib.write_text(lib.read_text() + "\n" + macro.replace("[`vx_text::sanitize`]", "[`vx_text::sanitize`]"))


PATH_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?P<root>\$crate|crate|::vx|vx)::(?P<rest>[a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)"
)


def file_crate(path):
    """The crate a file belongs to: 'vx-…' for crates/, 'vx' for src/, None outside."""
    rel = path.relative_to(ROOT)
    if rel.parts[0] == "crates" and len(rel.parts) > 2:
        return rel.parts[1]
    if rel.parts[0] == "src":
        return "vx-lib" if rel.parts[1] not in ("main.rs", "cli.rs", "commands", "doc_links.rs", "reference.rs") else "vx-bin"
    return "outside"


def rewrite_paths(text, crate):
    def sub(m):
        root, rest = m.group("root"), m.group("rest")
        segs = rest.split("::")
        if root in ("crate", "$crate"):
            if crate in ("outside", "vx-bin") or crate is None:
                return m.group(0)
        else:  # vx / ::vx: the old library named from outside it
            if crate not in ("outside", "vx-bin", "vx-lib") and root == "vx":
                pass
        found = lookup(segs)
        if not found:
            return m.group(0)
        target, new = found
        if crate == "vx-lib":
            crate_here = "vx"
        else:
            crate_here = crate
        if target == crate_here and root in ("crate", "$crate"):
            return "::".join([root] + new) if new else root
        if target == "vx":
            prefix = "crate" if crate_here == "vx" and root in ("crate", "$crate") else "vx"
            return "::".join([prefix] + new)
        ident = crate_ident(target)
        if root == "::vx":
            ident = "::" + ident
        return "::".join([ident] + new) if new else ident

    return PATH_RE.sub(sub, text)


SRC_DIR_MAP = None


def rewrite_file_paths(text):
    """`src/engine/install/mod.rs` named in docs and comments -> its new place."""

    def sub(m):
        rel = Path(m.group(1))
        dir_like = m.group(0).endswith("/")
        module = list(rel.parts)
        if rel.suffix == ".rs":
            module = module_of(rel)
        if not module:
            return m.group(0)
        found = lookup(module)
        if not found:
            return m.group(0)
        crate, new = found
        base = "src" if crate == "vx" else f"crates/{crate}/src"
        if rel.suffix == ".rs":
            if not new:
                return f"{base}/lib.rs"
            if rel.name == "mod.rs":
                return f"{base}/{'/'.join(new)}/mod.rs"
            return f"{base}/{'/'.join(new)}.rs"
        if rel.suffix:  # a data file
            return m.group(0)
        return (f"{base}/{'/'.join(new)}" if new else base) + ("/" if dir_like else "")

    return re.sub(r"(?<![A-Za-z0-9_./-])src/((?:[a-z_]+/)*[a-z_]+(?:\.rs)?/?)", sub, text)


def fix_includes(moved):
    """`include_str!("../../tests/…")` and `env!("CARGO_MANIFEST_DIR")` in moved files."""
    for old_rel, new in moved:
        if new.suffix != ".rs" or not new.exists():
            continue
        text = new.read_text()
        old_dir = (ROOT / "src" / old_rel).parent

        def inc(m):
            target = (old_dir / m.group(2)).resolve()
            if not m.group(2).startswith(".."):
                return m.group(0)
            return f'{m.group(1)}("{os.path.relpath(target, new.parent)}")'

        out = re.sub(r'(include_(?:str|bytes)!)\("([^"]+)"\)', inc, text)
        out = out.replace(
            'env!("CARGO_MANIFEST_DIR")', 'concat!(env!("CARGO_MANIFEST_DIR"), "/../..")'
        )
        if out != text:
            new.write_text(out)


def all_rs():
    for base in ["src", "crates", "tests", "benches", "examples", "fuzz/fuzz_targets"]:
        for path in (ROOT / base).rglob("*.rs"):
            if "target" in path.parts or "node_modules" in path.parts:
                continue
            # The layering test's own small libraries name old-style paths on purpose.
            if path.name == "layering.rs" or "layering" in path.parts:
                continue
            yield path


# Dependencies that build for some targets only (their specs in [workspace.dependencies]).
TARGET = {
    "signal-hook": "cfg(unix)",
    "rustix": "cfg(unix)",
    "rustls-native-certs": 'cfg(not(target_os = "macos"))',
    "sysinfo": 'cfg(all(unix, not(target_os = "macos")))',
}
# Dependencies a crate's tests may use beyond its own (the workspace's test helpers).
DEV_ONLY = {"proptest", "vx-fixture", "tempfile"}


def workspace_deps():
    text = (ROOT / "Cargo.toml").read_text()
    body = text[text.index("[workspace.dependencies]") :]
    body = body[len("[workspace.dependencies]") : body.index("\n[", 1)]
    names = []
    for line in body.splitlines():
        m = re.match(r"^([A-Za-z0-9_-]+)\s*=", line)
        if m:
            names.append(m.group(1))
    return names


def uses(crate_dir, name):
    """(in code, in tests): whether the crate's sources name the dependency `name`."""
    ident = name.replace("-", "_")
    pattern = re.compile(r"(?<![A-Za-z0-9_:])" + re.escape(ident) + r"(::|!|;)")
    code = tests = False
    for path in crate_dir.rglob("*.rs"):
        text = path.read_text()
        cut = text.find("#[cfg(test)]\nmod tests")
        is_test_file = path.name == "tests.rs" or "tests" in path.relative_to(crate_dir).parts
        for m in pattern.finditer(text):
            if is_test_file or (cut >= 0 and m.start() > cut):
                tests = True
            else:
                code = True
    return code, tests


def uses_path(crate_dir, path):
    return any(path in p.read_text() for p in crate_dir.rglob("*.rs"))


def write_manifests():
    names = workspace_deps()
    for crate in ORDER:
        src = crate_src(crate)
        normal, dev, target = [], [], {}
        for name in names:
            if name == crate:
                continue
            code, tests = uses(src, name)
            if name.startswith("vx-") and name in ORDER and ORDER.index(name) > ORDER.index(crate):
                continue
            if code and name not in ("proptest",):
                if name in TARGET:
                    target.setdefault(TARGET[name], []).append(name)
                else:
                    normal.append(name)
            elif tests or (code and name == "proptest"):
                dev.append(name)
        # zip inflates through flate2, whose backend (zlib-rs) only the flate2 entry
        # turns on: a crate that unpacks zips names both.
        if "zip" in normal and "flate2" not in normal:
            normal.append("flate2")
        lines = [
            "[package]",
            f'name = "{crate}"',
            "version.workspace = true",
            f'description = "{ABOUT[crate].split(":")[0].rstrip(".").replace("`", "").replace("[", "").replace("]", "")}"',
            "edition.workspace = true",
            "rust-version.workspace = true",
            "license.workspace = true",
            "publish.workspace = true",
            "",
            "[dependencies]",
        ]
        lines += [f"{n}.workspace = true" for n in normal]
        for cfg, deps in sorted(target.items()):
            lines += ["", f"[target.'{cfg}'.dependencies]"] + [f"{n}.workspace = true" for n in deps]
        # Another crate's test support, turned on for this crate's tests only.
        support = sorted(
            other
            for other in ORDER
            if other in normal and uses_path(src, crate_ident(other) + "::install::test_support")
        )
        if dev or support:
            lines += ["", "[dev-dependencies]"] + [f"{n}.workspace = true" for n in dev]
            lines += [
                f'{n} = {{ workspace = true, features = ["test-support"] }}' for n in support
            ]
        if (src / "install" / "test_support.rs").exists():
            lines += [
                "",
                "[features]",
                "# What the tests of the crates above need of an install (install::test_support).",
                "test-support = []",
            ]
        lines += ["", "[lints]", "workspace = true", ""]
        manifest = src.parent / "Cargo.toml"
        manifest.write_text("\n".join(lines))
    # The binary's own dependencies: what src/ names, and every floor.
    root = ROOT / "Cargo.toml"
    text = root.read_text()
    head, rest = text.split("[dependencies]\n", 1)
    rest = rest[rest.index("[dev-dependencies]") :]
    normal, target = [], {}
    for name in names:
        code, _ = uses(ROOT / "src", name)
        if code or name in ORDER:
            if name in TARGET:
                target.setdefault(TARGET[name], []).append(name)
            else:
                normal.append(name)
    deps = ["[dependencies]", "# Written by scripts/crates/move.py from what src/ names."]
    deps += [f"{n}.workspace = true" for n in normal]
    for cfg, ds in sorted(target.items()):
        deps += ["", f"[target.'{cfg}'.dependencies]"] + [f"{n}.workspace = true" for n in ds]
    # What the tests, benches and examples name beyond that: the workspace's entries
    # (the literal dev-dependencies below them stay as written).
    literal = set(re.findall(r"^([A-Za-z0-9_-]+)\s*=", rest, re.M))
    dev = []
    for name in names:
        if name in normal or name in literal or any(name in ds for ds in target.values()):
            continue
        if any(any(uses(ROOT / d, name)) for d in ("tests", "benches", "examples")):
            dev.append(name)
    rest = re.sub(r"^# Written by scripts/crates/move.py from what the tests name.\n(?:[A-Za-z0-9_-]+\.workspace = true\n)*", "", rest, flags=re.M)
    marker = "[dev-dependencies]\n"
    extra = "".join(f"{n}.workspace = true\n" for n in dev)
    if extra:
        rest = rest.replace(marker, marker + "# Written by scripts/crates/move.py from what the tests name.\n" + extra, 1)
    root.write_text(head + "\n".join(deps) + "\n\n" + rest)


def main():
    moved, floor_docs = move_files()
    if moved:
        fold_roots(floor_docs)
        for name in ["foundation", "network", "files", "sources", "engine", "parent", "projects", "operations", "ways_in", "presentation"]:
            mod = ROOT / "src" / name / "mod.rs"
            if mod.exists():
                git("rm", "-q", str(mod))
        fix_includes(moved)
    for path in all_rs():
        crate = file_crate(path)
        text = path.read_text()
        out = rewrite_file_paths(rewrite_paths(text, crate))
        if out != text:
            path.write_text(out)
    for doc in list((ROOT / "docs").rglob("*.md")) + [ROOT / "CONTRIBUTING.md", ROOT / "README.md", ROOT / "Cargo.toml", ROOT / "SECURITY.md"] + list((ROOT / "scripts").rglob("*.sh")) + list((ROOT / ".ci").glob("*")):
        if not doc.is_file():
            continue
        text = doc.read_text()
        out = rewrite_file_paths(rewrite_paths(text, "outside"))
        if out != text:
            doc.write_text(out)
    write_manifests()
    print(f"moved {len(moved)} files")


if __name__ == "__main__":
    sys.exit(main())
