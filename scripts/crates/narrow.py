#!/usr/bin/env python3
"""Keeps `pub` for what another crate uses (issue 76): narrows every item-level `pub` in
src/ and crates/*/src to `pub(crate)`, then widens back exactly the items the compiler
names when something outside needs them (an error at a use, a re-export, a public
signature), step by step until the workspace checks clean.

    python3 scripts/crates/narrow.py narrow
    NO_DEAD=1 python3 scripts/crates/narrow.py step linux windows macos fuzz   # repeat until "widened 0"

The steps, each a `cargo check --keep-going --message-format=json`:
  linux    --workspace --all-targets (the tests of each crate, tests/, benches, examples)
  libs     --workspace --lib --bins (the library's own code only: run alone, what stays
           narrow is `pub` only for tests, benches, examples, fuzzing or another platform)
  windows  --workspace --all-targets --target x86_64-pc-windows-gnu (needs mingw-w64's
           gcc, `x86_64-w64-mingw32-gcc`, for `ring`)
  macos    --workspace --lib --bins --target x86_64-apple-darwin, with `.ci/macos/cc`
           standing in for the C compiler (CC_x86_64_apple_darwin, AR_x86_64_apple_darwin=ar)
  fuzz     --manifest-path fuzz/Cargo.toml --bins (the fuzz targets' own workspace)

What is widened is the definition the compiler points to, never the place of the error:
a message's own primary span (the use, the re-export, the signature that leaks) is
skipped; its secondary spans and its children's spans (`the function `f` is defined
here`, `but type `T` is only usable at visibility `pub(crate)``), suggestions left out,
name the narrowed line to widen. A re-export of a narrowed item (E0364/E0365, `pub use
a::b::Name`) names no definition: its path is followed from the file of the `use`
(`crate::`, `self::`, `super::`, a module of the current one) to the module's file, and
the item of that name there (or its re-export there) is widened; a path the script
cannot follow is reported, not guessed.

A step fails (exit 1, cargo's error printed) when cargo fails and nothing was widened:
an error no message names a narrowed line for, a build script, a missing target or
linker. So "widened 0" with exit 0 means every cargo run was clean (the never-used
warnings below aside).

What then warns as never used was public and unused: with NO_DEAD=1 those warnings are
not widened but listed, each with its step, in target/narrow-dead.txt; delete what is
used by nothing, keep what only the crate's tests use with `#[cfg(test)]`, and widen by
hand what one platform's code uses (a warning in one step only). Without NO_DEAD the
item warned about is widened back. A method that another crate's call now resolves to
a trait's method of the same name (an arity error, not a privacy one) is widened by
hand. The state (the lines narrowed, per file) is kept in target/narrow.json; what each
step widened, and why, in target/narrow-widened.txt."""
import json, os, re, subprocess, sys
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.path.join(ROOT, "target", "narrow.json")
PUB = re.compile(r"^(\s*)pub (fn|struct|enum|const|static|type|trait|mod|use|unsafe fn|async fn)\b")
DEAD = ("dead_code", "unused_imports")

def files():
    out = subprocess.run(["git", "ls-files", "src", "crates"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return [f for f in out if f.endswith(".rs") and "/tests/data/" not in f and (f.startswith("src/") or "/src/" in f)]

def narrow():
    changed = {}
    for f in files():
        path = os.path.join(ROOT, f)
        lines = open(path).read().split("\n")
        hit = []
        for i, l in enumerate(lines):
            if l.strip().startswith("//"):
                continue
            m = PUB.match(l)
            if m:
                lines[i] = m.group(1) + "pub(crate) " + l[len(m.group(1)) + 4:]
                hit.append(i + 1)
        if hit:
            open(path, "w").write("\n".join(lines))
            changed[f] = hit
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    json.dump(changed, open(STATE, "w"))
    print("narrowed", sum(len(v) for v in changed.values()), "lines in", len(changed), "files")

def relative(fn):
    """A span's file as a path under ROOT (the fuzz workspace names the crates `../`)."""
    if os.path.isabs(fn):
        return os.path.relpath(fn, ROOT) if fn.startswith(ROOT + "/") else fn
    if fn.startswith("../"):
        return os.path.normpath(os.path.join("fuzz", fn))
    return fn

def with_expansions(s):
    yield s
    e = s.get("expansion")
    while e:
        yield e["span"]
        if e.get("def_site_span"):
            yield e["def_site_span"]
        e = e["span"].get("expansion")

def spans(msg, top=True):
    """The spans that may point at a definition: a top-level message's primary spans
    are where the error is (the use, the re-export, the leaking signature) and are
    left out, with its secondary spans on their lines (`struct `T` is not publicly
    re-exported`, at the use), as are suggestions (a replacement at the use)."""
    at = [(s["file_name"], s["line_start"], s["line_end"]) for s in msg.get("spans", []) if s.get("is_primary")]
    for s in msg.get("spans", []):
        if top and (s.get("is_primary") or any(
                f == s["file_name"] and a <= s["line_end"] and s["line_start"] <= b for f, a, b in at)):
            continue
        if s.get("suggested_replacement") is not None:
            continue
        yield from with_expansions(s)
    for c in msg.get("children", []):
        yield from spans(c, False)

def text_of(f, texts):
    if f not in texts:
        texts[f] = open(os.path.join(ROOT, f)).read().split("\n")
    return texts[f]

def widen(path_line, changed, texts):
    f, start, end = path_line
    lines = changed.get(f)
    if not lines:
        return None
    for n in lines:
        if start <= n <= end:
            return (f, n)
    # inside a multi-line `use` or a signature that starts above
    text = text_of(f, texts)
    for n in range(start - 1, max(start - 40, 0), -1):
        if n in lines:
            if text[n - 1].lstrip().startswith("pub(crate) use"):
                between = text[n - 1:start - 1]
                if not any(x.rstrip().endswith(";") for x in between):
                    return (f, n)
            return None
    return None

# --- re-exports (E0364/E0365) -------------------------------------------------------

TOKEN = re.compile(r"\s*(::|[{},;*]|r#\w+|\w+)")

def use_statement(text, line):
    """The `use` statement around 1-based `line`: (first line, its text from `use`)."""
    a = line - 1
    while a > 0 and not re.match(r"\s*(pub(\([^)]*\))?\s+)?use\b", text[a]):
        a -= 1
    b = line - 1
    while b < len(text) - 1 and ";" not in text[b]:
        b += 1
    stmt = " ".join(re.sub(r"//.*", "", x) for x in text[a:b + 1])
    return stmt[re.search(r"\buse\b", stmt).end():]

def use_paths(stmt):
    """The leaves of a use tree: (path of modules, name, the name it binds) for each
    `a::b::Name` or `a::b::Name as Alias` in it, `{}` groups spread out."""
    toks = [t for t in TOKEN.findall(stmt)]
    out = []
    pos = 0

    def tree(prefix):
        nonlocal pos
        path = list(prefix)
        alias = None
        while pos < len(toks):
            t = toks[pos]
            if t == "{":
                pos += 1
                while pos < len(toks) and toks[pos] != "}":
                    tree(path)
                    if pos < len(toks) and toks[pos] == ",":
                        pos += 1
                pos += 1
                return
            if t in (",", "}", ";"):
                if path != list(prefix):
                    out.append((path[:-1], path[-1], alias or path[-1]))
                return
            if t == "::":
                pos += 1
                continue
            if t == "as":
                alias = toks[pos + 1] if pos + 1 < len(toks) else None
                pos += 2
                continue
            path.append(t)
            pos += 1
        if path != list(prefix):
            out.append((path[:-1], path[-1], alias or path[-1]))

    tree([])
    return out

def module_dir(f):
    """The directory of the files of the submodules of the module file `f`."""
    base = os.path.basename(f)
    return os.path.dirname(f) if base in ("mod.rs", "lib.rs", "main.rs") else f[:-3]

def crate_root(f):
    src = f.split("/src/")[0] + "/src/" if "/src/" in f else "src/"
    for root in ("lib.rs", "main.rs"):
        if os.path.exists(os.path.join(ROOT, src, root)):
            return src + root
    return None

def submodule(f, name):
    d = module_dir(f)
    for cand in (d + "/" + name + ".rs", d + "/" + name + "/mod.rs"):
        if os.path.exists(os.path.join(ROOT, cand)):
            return cand
    return None

def parent_module(f):
    """The file of the module that declares the module file `f` (a/b.rs, a/b/mod.rs:
    a.rs, a/mod.rs, or the crate root in a/)."""
    d = os.path.dirname(os.path.dirname(f)) if os.path.basename(f) == "mod.rs" else os.path.dirname(f)
    for cand in (d + ".rs", d + "/mod.rs", d + "/lib.rs", d + "/main.rs"):
        if os.path.exists(os.path.join(ROOT, cand)):
            return cand
    return None

def resolve(f, path):
    """The file of module `path` (segments) seen from the module file `f`, or None."""
    cur = f
    for i, seg in enumerate(path):
        if cur is None:
            return None
        if seg == "crate" and i == 0:
            cur = crate_root(f)
        elif seg == "self":
            pass
        elif seg == "super":
            cur = parent_module(cur)
        else:
            cur = submodule(cur, seg)
    return cur

def reexported(m, changed, texts):
    """The narrowed line of the item a `pub use` cannot re-export, in the module the
    `use` names; None when the path leads to no file or no such line."""
    name = re.search(r"`([A-Za-z_0-9]+)`", m["message"]).group(1)
    sp = next((s for s in m["spans"] if s.get("is_primary")), m["spans"][0])
    f = relative(sp["file_name"])
    stmt = use_statement(text_of(f, texts), sp["line_start"])
    target = None
    for path, leaf, _ in use_paths(stmt):
        if leaf == name:
            target = resolve(f, path)
            break
    if target is None or target not in changed:
        return None, name, f
    pat = re.compile(r"^\s*pub\(crate\) (?:unsafe |async |const )*(?:fn|struct|enum|const|static|type|trait|mod) " + name + r"\b")
    text = text_of(target, texts)
    for n in sorted(changed[target]):
        line = text[n - 1]
        if pat.match(line):
            return (target, n), name, f
        if line.lstrip().startswith("pub(crate) use") and any(bound == name for _, _, bound in use_paths(use_statement(text, n))):
            return (target, n), name, f
    return None, name, f

# --- the steps ----------------------------------------------------------------------

def check(cmd, env):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, **env))
    msgs = []
    for line in p.stdout.splitlines():
        try:
            j = json.loads(line)
        except Exception:
            continue
        if j.get("reason") == "compiler-message":
            msgs.append(j["message"])
    return p.returncode, msgs, p.stderr

def rendered(m):
    return m.get("rendered") or m["message"]

def step(cmds):
    changed = {k: set(v) for k, v in json.load(open(STATE)).items()}
    texts = {}
    to_widen = {}
    unmatched = []
    dead = []
    failed = []
    for label, cmd, env in cmds:
        rc, msgs, err = check(cmd, env)
        errors = 0
        for m in msgs:
            lvl = m["level"]
            if lvl not in ("error", "warning"):
                continue
            code = (m.get("code") or {}).get("code")
            if lvl == "warning" and code in DEAD:
                if os.environ.get("NO_DEAD"):
                    dead.append("[%s] %s" % (label, rendered(m)))
                    continue
                # the item warned about is the definition here: the primary span
                hits = {w for s in m["spans"] if s.get("is_primary")
                        for w in [widen((relative(s["file_name"]), s["line_start"], s["line_end"]), changed, texts)] if w}
            else:
                hits = set()
                for s in spans(m):
                    w = widen((relative(s["file_name"]), s["line_start"], s["line_end"]), changed, texts)
                    if w:
                        hits.add(w)
            if code in ("E0364", "E0365") and m["spans"]:
                w, name, where = reexported(m, changed, texts)
                if w:
                    hits.add(w)
                else:
                    unmatched.append("[%s] cannot follow the re-export of `%s` in %s to a narrowed item:\n%s" % (label, name, where, rendered(m)))
                    continue
            if hits:
                where = next(("%s:%d" % (relative(s["file_name"]), s["line_start"]) for s in m["spans"] if s.get("is_primary")), "")
                for h in hits:
                    to_widen.setdefault(h, "[%s] %s %s (at %s)" % (label, code or lvl, m["message"].split("\n")[0][:200], where))
            elif lvl == "error" and not m["message"].startswith("aborting") and "could not compile" not in m["message"]:
                errors += 1
                unmatched.append("[%s] %s" % (label, rendered(m)))
            elif lvl == "warning" and code in ("private_interfaces", "private_bounds") + DEAD:
                unmatched.append("[%s] %s" % (label, rendered(m)))
        if rc != 0:
            failed.append((label, " ".join(cmd), err))
    for f, n in sorted(to_widen):
        path = os.path.join(ROOT, f)
        lines = open(path).read().split("\n")
        lines[n - 1] = lines[n - 1].replace("pub(crate) ", "pub ", 1)
        open(path, "w").write("\n".join(lines))
        changed[f].discard(n)
    json.dump({k: sorted(v) for k, v in changed.items()}, open(STATE, "w"))
    with open(os.path.join(ROOT, "target", "narrow-widened.txt"), "a") as log:
        for (f, n), why in sorted(to_widen.items()):
            log.write("%s:%d %s\n" % (f, n, why))
    print("widened", len(to_widen), "; still narrow", sum(len(v) for v in changed.values()))
    unmatched = list(dict.fromkeys(unmatched))
    for u in unmatched[:30]:
        print("UNMATCHED:", u[:1500])
    print("unmatched total", len(unmatched))
    open(os.path.join(ROOT, "target", "narrow-dead.txt"), "w").write("\n".join(dead))
    print("dead", len(dead), "(target/narrow-dead.txt)")
    if failed:
        print("cargo failed in:", ", ".join(label for label, _, _ in failed))
    if failed and not to_widen:
        # Nothing left to widen and cargo still fails: on errors no message names a
        # narrowed line for, or on something else (a build script, a target, a linker).
        for label, cmd, err in failed:
            print("FAILED [%s]: %s" % (label, cmd), file=sys.stderr)
            print(err[-4000:], file=sys.stderr)
        sys.exit(1)
    if unmatched and not to_widen:
        sys.exit(1)
    return len(to_widen)

STEPS = {
    "linux": (["--workspace", "--all-targets"], {}),
    "libs": (["--workspace", "--lib", "--bins"], {}),
    "windows": (["--workspace", "--all-targets", "--target", "x86_64-pc-windows-gnu"], {}),
    "macos": (["--workspace", "--lib", "--bins", "--target", "x86_64-apple-darwin"],
              {"CC_x86_64_apple_darwin": os.path.join(ROOT, ".ci", "macos", "cc"),
               "AR_x86_64_apple_darwin": "ar"}),
    "fuzz": (["--manifest-path", "fuzz/Cargo.toml", "--bins"], {}),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("narrow", "step"):
        sys.exit(__doc__)
    if sys.argv[1] == "narrow":
        narrow()
    else:
        which = sys.argv[2:] or ["linux"]
        unknown = [w for w in which if w not in STEPS]
        if unknown:
            sys.exit("unknown step %s: the steps are %s" % (", ".join(unknown), ", ".join(STEPS)))
        base = ["cargo", "check", "--keep-going", "--message-format=json"]
        step([(w, base + STEPS[w][0], STEPS[w][1]) for w in STEPS if w in which])
