#!/usr/bin/env python3
"""Keeps `pub` for what another crate uses (issue 76): narrows every item-level `pub` in
src/ and crates/*/src to `pub(crate)`, then widens back exactly the items the compiler
names when something outside needs them (an error at a use, a re-export, a public
signature), step by step until the workspace checks clean.

    python3 scripts/crates/narrow.py narrow
    NO_DEAD=1 python3 scripts/crates/narrow.py step linux   # repeat until "widened 0"
    NO_DEAD=1 python3 scripts/crates/narrow.py step windows fuzz

What then warns as never used was public and unused: delete it, or keep it for tests
with `#[cfg(test)]`. A method that another crate's call now resolves to a trait's
method of the same name (an arity error, not a privacy one) is widened by hand. The
state (the lines narrowed, per file) is kept in target/narrow.json."""
import json, os, re, subprocess, sys
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.path.join(ROOT, "target", "narrow.json")
PUB = re.compile(r"^(\s*)pub (fn|struct|enum|const|static|type|trait|mod|use|unsafe fn|async fn)\b")

def files():
    out = subprocess.run(["git", "ls-files", "src", "crates"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return [f for f in out if f.endswith(".rs") and "/tests/data/" not in f and (f.startswith("src/") or "/src/" in f)]

def narrow():
    changed = {}
    for f in files():
        path = os.path.join(ROOT, f)
        lines = open(path).read().split("\n")
        hit = []
        in_macro = 0
        for i, l in enumerate(lines):
            if "macro_rules!" in l:
                in_macro = 1
            if l.strip().startswith("//"):
                continue
            m = PUB.match(l)
            if m:
                lines[i] = m.group(1) + "pub(crate) " + l[len(m.group(1)) + 4:]
                hit.append(i + 1)
        if hit:
            open(path, "w").write("\n".join(lines))
            changed[f] = hit
    json.dump(changed, open(STATE, "w"))
    print("narrowed", sum(len(v) for v in changed.values()), "lines in", len(changed), "files")

def spans(msg):
    for s in msg.get("spans", []):
        yield s
        e = s.get("expansion")
        while e:
            yield e["span"]
            if e.get("def_site_span"):
                yield e["def_site_span"]
            e = e["span"].get("expansion")
    for c in msg.get("children", []):
        yield from spans(c)

def widen(path_line, changed, texts):
    f, start, end = path_line
    lines = changed.get(f)
    if not lines:
        return None
    for n in lines:
        if start <= n <= end:
            return (f, n)
    # inside a multi-line `use` or a signature that starts above
    text = texts.setdefault(f, open(os.path.join(ROOT, f)).read().split("\n"))
    for n in range(start - 1, max(start - 40, 0), -1):
        if n in lines:
            if text[n - 1].lstrip().startswith("pub(crate) use"):
                between = text[n - 1:start - 1]
                if not any(x.rstrip().endswith(";") for x in between):
                    return (f, n)
            return None
    return None

def check(cmd):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    msgs = []
    for line in p.stdout.splitlines():
        try:
            j = json.loads(line)
        except Exception:
            continue
        if j.get("reason") == "compiler-message":
            msgs.append(j["message"])
    return p.returncode, msgs, p.stderr

def step(cmds):
    changed = {k: set(v) for k, v in json.load(open(STATE)).items()}
    texts = {}
    to_widen = set()
    unmatched = []
    dead = []
    for cmd in cmds:
        rc, msgs, err = check(cmd)
        for m in msgs:
            lvl = m["level"]
            if lvl not in ("error", "warning"):
                continue
            hits = set()
            for s in spans(m):
                fn = s["file_name"]
                if fn.startswith(ROOT + "/"):
                    fn = fn[len(ROOT) + 1:]
                if fn.startswith("../"):
                    fn = os.path.normpath(os.path.join("fuzz", fn))
                w = widen((fn, s["line_start"], s["line_end"]), changed, texts)
                if w:
                    hits.add(w)
            code = (m.get("code") or {}).get("code")
            if code in ("E0364", "E0365") and m["spans"]:
                name = re.search(r"`([A-Za-z_0-9]+)`", m["message"]).group(1)
                fn = m["spans"][0]["file_name"]
                krate = fn.split("/src/")[0] + "/src/"
                pat = re.compile(r"^\s*pub\(crate\) (?:unsafe |async |const )?(?:fn|struct|enum|const|static|type|trait|mod) " + name + r"\b")
                for f, ls in changed.items():
                    if f.startswith(krate):
                        text = texts.setdefault(f, open(os.path.join(ROOT, f)).read().split("\n"))
                        for n in ls:
                            if pat.match(text[n - 1]) or (text[n - 1].lstrip().startswith("pub(crate) use") and re.search(r"\b" + name + r"\b", text[n - 1])):
                                hits.add((f, n))
            wcode = (m.get("code") or {}).get("code")
            if lvl == "warning" and wcode in ("dead_code", "unused_imports") and os.environ.get("NO_DEAD"):
                dead.append(m.get("rendered") or m["message"])
                continue
            if hits:
                to_widen |= hits
            elif lvl == "error" and not m["message"].startswith("aborting") and "could not compile" not in m["message"]:
                unmatched.append(m.get("rendered") or m["message"])
            elif lvl == "warning" and m.get("code") and m["code"]["code"] in ("dead_code", "private_interfaces", "private_bounds", "unused_imports"):
                unmatched.append(m.get("rendered") or m["message"])
    for f, n in sorted(to_widen):
        path = os.path.join(ROOT, f)
        lines = open(path).read().split("\n")
        lines[n - 1] = lines[n - 1].replace("pub(crate) ", "pub ", 1)
        open(path, "w").write("\n".join(lines))
        changed[f].discard(n)
    json.dump({k: sorted(v) for k, v in changed.items()}, open(STATE, "w"))
    print("widened", len(to_widen), "; still narrow", sum(len(v) for v in changed.values()))
    for u in unmatched[:30]:
        print("UNMATCHED:", u[:1500])
    print("unmatched total", len(unmatched))
    open(os.path.join(ROOT, "target", "narrow-dead.txt"), "w").write("\n".join(dead))
    print("dead", len(dead))
    return len(to_widen)

if __name__ == "__main__":
    if sys.argv[1] == "narrow":
        narrow()
    else:
        which = sys.argv[2:] or ["linux"]
        cmds = []
        base = ["cargo", "check", "--keep-going", "--message-format=json"]
        if "linux" in which:
            cmds.append(base + ["--workspace", "--all-targets"])
        if "windows" in which:
            cmds.append(base + ["--workspace", "--all-targets", "--target", "x86_64-pc-windows-gnu"])
        if "fuzz" in which:
            cmds.append(base + ["--manifest-path", "fuzz/Cargo.toml", "--bins"])
        step(cmds)
