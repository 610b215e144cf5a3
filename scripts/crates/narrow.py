#!/usr/bin/env python3
"""Narrows `pub` to `pub(crate)` where nothing outside a crate names the item (issue 76:
"everything else is `pub(crate)`"), and lets the compiler judge. Rerunnable:

    python3 scripts/crates/narrow.py [CRATE_DIR ...]      (default: every crate and src/)
    python3 scripts/crates/narrow.py --resume             (judge what a run left narrowed)
    python3 scripts/crates/narrow.py --all                (every item; the compiler decides)

1. Each `pub fn|struct|enum|const|static|type|trait` of a crate's `src/` whose name no
   `.rs` file outside that `src/` contains (tests, fuzz, benches and the other crates
   included), and that no `$crate::` path of its macros names, becomes `pub(crate)`.
2. `cargo check --workspace --all-targets` and `cargo doc --workspace --no-deps` (with
   `-D warnings`, as CI runs them) are read; every item an error or warning points at as
   private, never used, more private than what exposes it, or linked to from public
   documentation gets its `pub` back: the item at the place the compiler points to, else
   (rustdoc's links name no place) every narrowed item of the name. Repeated until both
   are clean.

Names are matched as words, so an item whose name another crate uses for something else
stays `pub`: the script only ever narrows what is certainly unnamed outside.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ITEM = re.compile(r"^(\s*)pub ((?:const |async |unsafe )*)(fn|struct|enum|const|static|type|trait) (\w+)")
WORD_FILES = None


def rust_files():
    out = subprocess.run(["git", "ls-files", "*.rs"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / f for f in out.stdout.split()]


def crates(args):
    if args:
        return [ROOT / a for a in args]
    return sorted((ROOT / "crates").iterdir()) + [ROOT]


def src_of(crate):
    return crate / "src"


PLATFORM = re.compile(r"cfg\((?:not\(unix\)|windows|target_os|.*macos)")


def narrow(crate, files, texts, everything=False):
    src = src_of(crate)
    inside = [f for f in files if src in f.parents]
    outside = [f for f in files if src not in f.parents]
    if everything:
        # Only what the compiler does not see here: the fuzz targets (not a workspace
        # member) and code built for another platform.
        outside = [f for f in outside
                   if "fuzz" in f.parts or f.name == "windows.rs" or PLATFORM.search(texts[f])]
    outside_text = "\n".join(texts[f] for f in outside)
    outside_words = set(re.findall(r"\w+", outside_text))
    macro_words = set()
    for f in inside:
        for m in re.finditer(r"\$crate::([\w:]+)", texts[f]):
            macro_words.update(m.group(1).split("::"))
    changed = {}
    for f in inside:
        lines = texts[f].split("\n")
        for i, line in enumerate(lines):
            m = ITEM.match(line)
            if not m:
                continue
            name = m.group(4)
            if name in outside_words or name in macro_words or name == "main":
                continue
            lines[i] = line.replace("pub ", "pub(crate) ", 1)
            changed.setdefault(name, []).append((f, i))
        texts[f] = "\n".join(lines)
        f.write_text(texts[f])
    return changed


def restore_at(spans, changed, texts):
    """Gives `pub` back to the narrowed items at `spans` (file, 0-based line) only."""
    n = 0
    for name in list(changed):
        keep = []
        for f, i in changed[name]:
            if (str(f.resolve()), i) in spans:
                lines = texts[f].split("\n")
                lines[i] = lines[i].replace("pub(crate) ", "pub ", 1)
                texts[f] = "\n".join(lines)
                f.write_text(texts[f])
                n += 1
            else:
                keep.append((f, i))
        if keep:
            changed[name] = keep
        else:
            del changed[name]
    return n


def restore(names, changed, texts):
    n = 0
    for name in names:
        for f, i in changed.pop(name, []):
            lines = texts[f].split("\n")
            lines[i] = lines[i].replace("pub(crate) ", "pub ", 1)
            texts[f] = "\n".join(lines)
            f.write_text(texts[f])
            n += 1
    return n


NAMED = re.compile(r"`([^`]+)`")
KINDS = (
    "is private",
    "is never used",
    "never constructed",
    "are never used",
    "is never read",
    "more private than",
    "links to private item",
    "private type",
    "is private",
    "private trait",
    "is reachable at visibility",
    "never used",
    "only public within the crate",
)


def judged(command, env=None):
    """Names the compiler's messages point at, and whether the command succeeded."""
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write("\n".join(proc.stderr.splitlines()[-15:]) + "\n")
    names, spans = set(), set()
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") != "compiler-message":
            continue
        text = msg["message"]["message"]
        rendered = msg["message"].get("rendered") or ""
        if any(k in text for k in KINDS):
            # Where the compiler points: the item itself (never used, more private) or,
            # in a note, where it is defined (private).
            todo = [msg["message"]]
            while todo:
                m = todo.pop()
                todo.extend(m.get("children") or [])
                for span in m.get("spans") or []:
                    spans.add((str((ROOT / span["file_name"]).resolve()), span["line_start"] - 1))
            for quoted in NAMED.findall(text) + NAMED.findall(rendered):
                names.update(re.findall(r"[A-Za-z_]\w*", quoted))
            # A method never used on a type narrowed: the type's `impl` line names it.
            for impl in re.findall(r"^\s*\d*\s*\|\s*impl\b(.*)$", rendered, re.M):
                names.update(re.findall(r"[A-Za-z_]\w*", impl))
    return names, spans, proc.returncode == 0


def narrowed_before(files, texts):
    """What an earlier run narrowed (`--resume`): the lines `pub` at HEAD and
    `pub(crate)` here."""
    changed = {}
    for f in files:
        head = subprocess.run(["git", "show", f"HEAD:{f.relative_to(ROOT)}"], cwd=ROOT,
                              capture_output=True, text=True)
        for i, (old, new) in enumerate(zip(head.stdout.split("\n"), texts[f].split("\n"))):
            m = ITEM.match(old)
            if m and new == old.replace("pub ", "pub(crate) ", 1):
                changed.setdefault(m.group(4), []).append((f, i))
    return changed


def main():
    files = rust_files()
    texts = {f: f.read_text() for f in files}
    everything = "--all" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a not in ("--resume", "--all")]
    if "--resume" in sys.argv[1:]:
        changed = narrowed_before(files, texts)
    else:
        changed = {}
        for crate in crates(args):
            if (src_of(crate)).is_dir():
                for name, places in narrow(crate, files, texts, everything).items():
                    changed.setdefault(name, []).extend(places)
    print(f"narrowed {sum(len(v) for v in changed.values())} items", flush=True)
    # The two judges, in turn: the compiler (tests included), then rustdoc as CI runs it.
    judges = [
        ("check", ["cargo", "check", "--workspace", "--all-targets"], None),
        ("doc", ["cargo", "doc", "--workspace", "--no-deps"],
         dict(os.environ, RUSTDOCFLAGS="-D warnings")),
    ]
    for _ in range(80):
        for label, command, env in judges:
            names, spans, ok = judged(command + ["--keep-going", "--message-format=json"], env)
            back = restore_at(spans, changed, texts) or restore(names & set(changed), changed, texts)
            if back:
                print(f"{label}: {back} back to pub", flush=True)
                break
            if not ok:
                print(f"cargo {label} fails for another reason; see its output", file=sys.stderr)
                return 1
        else:
            print(f"kept narrowed: {sum(len(v) for v in changed.values())} items")
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
