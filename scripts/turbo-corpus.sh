#!/usr/bin/env bash
# The turbo corpus (issue 77): real public turbo monorepos, each checked out at the commit
# that scripts/turbo-corpus/repos.txt pins, and turbo's own answers about them (`turbo run
# --dry=json`), recorded as JSON files OUTSIDE this repository for
# scripts/turbo-corpus/compare.py to hold vx's plans against. Nothing of the repositories
# or of the answers is committed; scripts/turbo-corpus/README.md lists what answered.
#
#   scripts/turbo-corpus.sh [-j N] [CORPUS_DIR] [ID...]
#       CORPUS_DIR  default ${VX_TURBO_CORPUS:-$HOME/.cache/vx-turbo-corpus}
#       ID          only these entries (owner/name, or the folder name owner__name@sha8)
#   scripts/turbo-corpus.sh --table [CORPUS_DIR]
#       print the README's markdown table from the recorded meta.json files
#
# Layout of CORPUS_DIR, one folder per line of repos.txt, named owner__name@<sha8>:
#   src/                  the checkout: a `git clone --shared` of the source at the pinned
#                         commit (detached HEAD), .turbo/ excluded in .git/info/exclude;
#                         blobs the source lacks (mirrors hold no file >= 4 MiB and no LFS
#                         content) are left out with sparse-checkout, listed in meta.json;
#                         branches vx-corpus/affected-<n> hold the scratch changes below
#   answers/turbo-version.txt   `turbo --version` of the turbo that answered
#   answers/meta.json     repo, commit, package manager, turbo.json version, packages,
#                         what was asked and whether turbo answered (with the reason)
#   answers/graph-<task>.json   `turbo run <task> --dry=json` (stderr in .err on failure)
#   answers/filter-<n>.json     `turbo run <task> --filter=… --dry=json`; the question
#                         beside it in filter-<n>.args.json {"task", "filter": [...]}
#   answers/affected-<n>.json   turbo's affected selection after one commit that changes
#                         one source file of one package (a leaf and a shared package);
#                         affected-<n>.change.json: {"task", "base", "branch", "head",
#                         "file", "package", "kind", "turbo_args"}
#   summary.json          every meta.json, one list
#
# Where the repositories come from: $VX_TURBO_MIRRORS/<owner>+<name>/repo (default
# /work/.mirror, bare git directories), else `git clone https://github.com/owner/name`.
#
# turbo: TURBO2 (a turbo 2.x binary, for turbo.json with `tasks`) and TURBO1 (turbo 1.x,
# for turbo.json v1 with `pipeline`, which turbo 2 refuses); by default npm installs
# turbo@$TURBO2_VERSION (2.11.11) and turbo@$TURBO1_VERSION (1.13.4) into CORPUS_DIR/.tools.
# turbo runs with no node_modules installed, no package manager binary other than npm on
# PATH, HOME in CORPUS_DIR/.home, telemetry and the daemon off, `nice -n 10`, 180 s
# bound. A repository whose turbo fails is recorded with the reason; the run goes on.
#
# The affected question: on a scratch branch vx-corpus/affected-<n> from the pinned commit,
# one commit (fixed author and dates, so the same sha each time) appends a comment line to
# one tracked source file of the package; turbo 2 answers `turbo run <task> --affected
# --dry=json` with TURBO_SCM_BASE=<pinned commit> TURBO_SCM_HEAD=HEAD, turbo 1 (no
# --affected) `--filter=...[<pinned commit>]`, what turbo 2's --affected stands for.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
table=0
jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --table) table=1; shift ;;
    -j) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
corpus=${1:-${VX_TURBO_CORPUS:-$HOME/.cache/vx-turbo-corpus}}
[ $# -gt 0 ] && shift
mkdir -p "$corpus"
corpus=$(cd "$corpus" && pwd)

TURBO2_VERSION=${TURBO2_VERSION:-2.11.11}
TURBO1_VERSION=${TURBO1_VERSION:-1.13.4}
if [ "$table" = 0 ]; then
  for major in 2 1; do
    var=TURBO$major
    if [ -z "${!var:-}" ]; then
      vvar=TURBO${major}_VERSION
      dir=$corpus/.tools/turbo-${!vvar}
      if [ ! -x "$dir/node_modules/.bin/turbo" ]; then
        mkdir -p "$dir"
        (cd "$dir" && [ -f package.json ] || echo '{"private":true}' > package.json
         npm install --no-audit --no-fund --silent "turbo@${!vvar}" >&2)
      fi
      export "$var=$dir/node_modules/.bin/turbo"
    fi
  done
fi

exec python3 - "$corpus" "$here/turbo-corpus/repos.txt" "$table" "$jobs" "$@" <<'PY'
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import time

corpus, repos_txt, table, jobs, only = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4]), sys.argv[5:]
MIRRORS = os.environ.get("VX_TURBO_MIRRORS", "/work/.mirror")
TURBO = {"2": os.environ.get("TURBO2", ""), "1": os.environ.get("TURBO1", "")}
TIMEOUT = 180
HOME = os.path.join(corpus, ".home")
TYPECHECK = ["typecheck", "type-check", "check-types", "types", "tsc", "check"]
SOURCE_EXT = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".vue", ".svelte", ".astro")
CHANGE_LINE = "// vx-corpus: a change to one source file\n"
GIT_ID = {
    "GIT_AUTHOR_NAME": "vx-corpus", "GIT_AUTHOR_EMAIL": "vx-corpus@invalid",
    "GIT_COMMITTER_NAME": "vx-corpus", "GIT_COMMITTER_EMAIL": "vx-corpus@invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


def read_list():
    out = []
    with open(repos_txt) as f:
        for line in f:
            body, _, comment = line.partition("#")
            parts = body.split()
            if len(parts) < 2:
                continue
            repo, commit = parts[0], parts[1]
            out.append({"repo": repo, "commit": commit, "comment": comment.strip(),
                        "id": repo.replace("/", "__") + "@" + commit[:8]})
    return out


def log(entry, msg):
    print(f"[{entry['id']}] {msg}", file=sys.stderr, flush=True)


def git(cwd, *args, check=True, env=None, input=None):
    e = dict(os.environ, **(env or {}))
    p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                       errors="replace", env=e, input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:3])}: {p.stderr.strip()[-400:]}")
    return p


# --- JSONC: turbo.json may hold comments and trailing commas -------------------------

def load_jsonc(text):
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1]); i += 2; continue
            if c == '"':
                in_str = False
            i += 1; continue
        if c == '"':
            in_str = True; out.append(c); i += 1; continue
        if text.startswith("//", i):
            j = text.find("\n", i); i = n if j < 0 else j; continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2); i = n if j < 0 else j + 2; continue
        out.append(c); i += 1
    s = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    return json.loads(s)


# --- the checkout -----------------------------------------------------------------------

def checkout(entry, src):
    owner, name = entry["repo"].split("/", 1)
    commit = entry["commit"]
    if not os.path.isdir(os.path.join(src, ".git")):
        if os.path.exists(src):
            shutil.rmtree(src)
        mirror = os.path.join(MIRRORS, f"{owner}+{name}", "repo")
        if os.path.isdir(mirror):
            git(None, "clone", "-q", "--shared", "--no-checkout", mirror, src)
        else:
            git(None, "clone", "-q", "--no-checkout", f"https://github.com/{entry['repo']}", src)
    if git(src, "cat-file", "-e", commit + "^{commit}", check=False).returncode != 0:
        git(src, "fetch", "-q", "origin", commit)
    # blobs the source lacks: left out of the work tree with sparse-checkout
    tree = git(src, "ls-tree", "-r", "-z", commit).stdout.split("\0")
    blobs = {}
    for rec in tree:
        if not rec:
            continue
        meta, path = rec.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            blobs.setdefault(sha, []).append(path)
    p = git(src, "cat-file", "--batch-check", input="\n".join(blobs) + "\n")
    missing = sorted(path for line in p.stdout.splitlines() if line.endswith(" missing")
                     for path in blobs.get(line.split()[0], []))
    if missing:
        pats = ["/*"] + ["!/" + re.sub(r"([\\*?\[\]!# ])", r"\\\1", m) for m in missing]
        git(src, "sparse-checkout", "set", "--no-cone", "--stdin", input="\n".join(pats) + "\n")
    git(src, "-c", "advice.detachedHead=false", "checkout", "-q", "-f", "--detach", commit)
    git(src, "clean", "-q", "-ffd")
    excl = os.path.join(src, ".git", "info", "exclude")
    os.makedirs(os.path.dirname(excl), exist_ok=True)
    with open(excl, "a+") as f:
        f.seek(0)
        if ".turbo/" not in f.read():
            f.write("\n# vx-corpus: turbo's own state\n.turbo/\n")
    return missing


def describe(src):
    """Package manager and turbo.json version, from the files as they stand."""
    files = set(os.listdir(src))
    pkg = {}
    try:
        with open(os.path.join(src, "package.json")) as f:
            pkg = json.load(f)
    except Exception:
        pass
    pm_field = pkg.get("packageManager", "") or ""
    pm = pm_field.split("@")[0] if pm_field else ""
    if not pm:
        pm = ("pnpm" if "pnpm-lock.yaml" in files else "bun" if {"bun.lock", "bun.lockb"} & files
              else "yarn" if "yarn.lock" in files else "npm" if "package-lock.json" in files else "?")
    if pm == "yarn":
        major = re.match(r"yarn@(\d+)", pm_field)
        berry = (major and int(major.group(1)) >= 2) or (not major and ".yarnrc.yml" in files)
        pm = "yarn-berry" if berry else "yarn1"
    tj = "turbo.json" if "turbo.json" in files else "turbo.jsonc" if "turbo.jsonc" in files else None
    conf = {}
    if tj:
        with open(os.path.join(src, tj)) as f:
            conf = load_jsonc(f.read())
    version = "v1" if "pipeline" in conf else "v2"
    locks = sorted(files & {"pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock", "bun.lockb", "npm-shrinkwrap.json"})
    return {"package_manager": pm, "package_manager_field": pm_field, "lockfiles": locks,
            "turbo_json": tj, "turbo_json_version": version, "root_config": conf}


def task_names(src, conf):
    """Task names turbo.json defines (root and package turbo.json, `pkg#` stripped)."""
    names = set()
    for key in (conf.get("tasks") or conf.get("pipeline") or {}):
        names.add(key.split("#", 1)[-1])
    extends = 0
    out = git(src, "ls-files", "-z", "--", "*turbo.json", "*turbo.jsonc").stdout.split("\0")
    for rel in out:
        if not rel or "/" not in rel or not os.path.exists(os.path.join(src, rel)):
            continue
        try:
            with open(os.path.join(src, rel)) as f:
                c = load_jsonc(f.read())
        except Exception:
            continue
        if c.get("extends"):
            extends += 1
        for key in (c.get("tasks") or c.get("pipeline") or {}):
            names.add(key.split("#", 1)[-1])
    return names, extends


def pick_tasks(names):
    tasks = [t for t in ("build", "test", "lint") if t in names]
    tc = next((t for t in TYPECHECK if t in names), None)
    if tc:
        tasks.append(tc)
    if "dev" in names:
        tasks.append("dev")
    if not tasks:
        tasks = sorted(names)[:3]
    return tasks


# --- turbo ----------------------------------------------------------------------------

def turbo_env(extra=None):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
        "TURBO_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1", "TURBO_NO_UPDATE_NOTIFIER": "1",
        "TURBO_PRINT_VERSION_DISABLED": "1",
        "XDG_CONFIG_HOME": os.path.join(HOME, ".config"), "XDG_CACHE_HOME": os.path.join(HOME, ".cache"),
    }
    node = shutil.which("node")
    if node:
        env["PATH"] = os.path.dirname(node) + ":" + env["PATH"]
    env.update(extra or {})
    return env


def run_turbo(major, src, args, extra_env=None):
    cmd = ["nice", "-n", "10", TURBO[major], *args]
    if major == "1":
        cmd.append("--no-daemon")
    try:
        p = subprocess.run(cmd, cwd=src, env=turbo_env(extra_env), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT} s"
    out = p.stdout
    if p.returncode == 0:
        start = out.find("{")
        try:
            return json.loads(out[start:] if start >= 0 else out), p.stderr
        except ValueError:
            return None, f"exit 0 but stdout is not JSON: {out[:300]!r}\n{p.stderr}"
    return None, f"exit {p.returncode}\n{p.stderr}{out[-2000:]}"


def reason(err):
    """One line from turbo's stderr: the error itself, not the banner."""
    lines = [l.strip() for l in (err or "").splitlines() if l.strip()]
    for l in lines:
        if re.search(r"error|×|x |could not|failed|invalid|unable|missing", l, re.I) and "WARNING" not in l:
            return re.sub(r"\x1b\[[0-9;]*m", "", l)[:300]
    return (lines[0] if lines else "no output")[:300]


def save(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=False)
        f.write("\n")


# --- the package graph, to choose the filter and affected questions -----------------------

def package_graph(major, src, graph):
    """{name: {"dir", "deps"}} for the workspace packages (root left out)."""
    pkgs = {}
    if major == "2":
        q = "query { packages { items { name path directDependencies { items { name } } } } }"
        p = subprocess.run(["nice", "-n", "10", TURBO["2"], "query", q], cwd=src, env=turbo_env(),
                           capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
        try:
            items = json.loads(p.stdout[p.stdout.find("{"):])["data"]["packages"]["items"]
            for it in items:
                if it["name"] == "//":
                    continue
                pkgs[it["name"]] = {"dir": it["path"],
                                    "deps": sorted({d["name"] for d in it["directDependencies"]["items"]} - {"//", it["name"]})}
            if pkgs:
                return pkgs
        except Exception:
            pass
    # turbo 1 has no query: names and dirs from the dry run, edges from package.json
    for t in graph.get("tasks", []):
        if t["package"] != "//":
            pkgs.setdefault(t["package"], {"dir": t["directory"], "deps": []})
    for name, p in pkgs.items():
        try:
            with open(os.path.join(src, p["dir"], "package.json")) as f:
                pj = json.load(f)
        except Exception:
            continue
        deps = set()
        for field in ("dependencies", "devDependencies", "optionalDependencies"):
            deps |= set((pj.get(field) or {}).keys())
        p["deps"] = sorted((deps & set(pkgs)) - {name})
    return pkgs


def dependents(pkgs):
    rev = {n: set() for n in pkgs}
    for n, p in pkgs.items():
        for d in p["deps"]:
            rev.setdefault(d, set()).add(n)
    closure = {}
    for n in pkgs:
        seen, stack = set(), [n]
        while stack:
            for m in rev.get(stack.pop(), ()):
                if m not in seen:
                    seen.add(m); stack.append(m)
        closure[n] = seen
    return closure


def source_file(src, pkgs, name):
    """The first tracked source file of the package (src/ first), not a nested package's."""
    d = pkgs[name]["dir"]
    if not d:
        return None
    files = git(src, "ls-files", "-z", "--", d + "/").stdout.split("\0")
    others = [p["dir"] + "/" for n, p in pkgs.items() if n != name and p["dir"].startswith(d + "/")]
    cands = [f for f in files if f.endswith(SOURCE_EXT) and not any(f.startswith(o) for o in others)
             and os.path.isfile(os.path.join(src, f)) and not re.search(r"(^|/)(test|tests|__tests__|__fixtures__|fixtures|e2e|dist)/|\.d\.ts$|\.(test|spec)\.", f)]
    if not cands:
        return None
    cands.sort(key=lambda f: (not f.startswith(d + "/src/"), f.count("/"), f))
    return cands[0]


def choose(pkgs, src, graph):
    """A leaf (no dependents; an app first) and a shared package (most dependents), each
    with a tracked source file, those with a script for the task first."""
    deps_of = dependents(pkgs)
    named = sorted(pkgs)
    with_src = {n: source_file(src, pkgs, n) for n in named}
    scripted = {t["package"] for t in graph.get("tasks", []) if t.get("command") != "<NONEXISTENT>"}
    shared = sorted((n for n in named if with_src[n] and deps_of[n]),
                    key=lambda n: (n not in scripted, -len(deps_of[n]), n))
    leaves = sorted((n for n in named if with_src[n] and not deps_of[n] and pkgs[n]["deps"]),
                    key=lambda n: (n not in scripted, not pkgs[n]["dir"].startswith("apps/"), -len(pkgs[n]["deps"]), n))
    if not leaves:
        leaves = sorted((n for n in named if with_src[n] and not deps_of[n]), key=lambda n: n)
    return (leaves[0] if leaves else None), (shared[0] if shared else None), with_src


def filter_questions(pkgs, leaf, shared):
    qs = []
    if leaf:
        qs.append([leaf])
        qs.append([leaf + "..."])
    if shared:
        qs.append(["..." + shared])
        parent = os.path.dirname(pkgs[shared]["dir"])
        if parent:
            qs.append(["./" + parent + "/*"])
        if shared.startswith("@") and "/" in shared:
            qs.append([shared.split("/")[0] + "/*"])
    if leaf:
        parent = os.path.dirname(pkgs[leaf]["dir"])
        excl = ["!" + leaf]
        qs.append((["./" + parent + "/*"] if parent else [shared or leaf]) + excl)
    if leaf and shared and leaf != shared:
        qs.append([leaf, "...^" + shared])
    out = []
    for q in qs:
        if q not in out:
            out.append(q)
    return out


def make_change(src, base, n, rel, pkg, kind, task, major):
    """Commit one appended comment line to `rel` on vx-corpus/affected-<n>; turbo's answer."""
    branch = f"vx-corpus/affected-{n}"
    git(src, "checkout", "-q", "-f", "--detach", base)
    with open(os.path.join(src, rel), "a") as f:
        f.write(("\n" if open(os.path.join(src, rel), "rb").read()[-1:] not in (b"\n", b"") else "") + CHANGE_LINE)
    # plumbing, not `git commit`: the tree may name blobs the source lacks
    git(src, "add", "--", rel)
    tree_id = git(src, "write-tree", "--missing-ok").stdout.strip()
    head = git(src, "commit-tree", tree_id, "-p", base, "-m", f"vx-corpus: change {rel}",
               env=GIT_ID).stdout.strip()
    git(src, "update-ref", f"refs/heads/{branch}", head)
    git(src, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    if major == "2":
        targs = ["run", task, "--affected", "--dry=json"]
        tenv = {"TURBO_SCM_BASE": base, "TURBO_SCM_HEAD": "HEAD"}
    else:
        targs = ["run", task, f"--filter=...[{base}]", "--dry=json"]
        tenv = {}
    change = {"task": task, "base": base, "branch": branch, "head": head, "file": rel,
              "package": pkg, "kind": kind, "turbo_args": targs[1:], "turbo_env": tenv}
    data, err = run_turbo(major, src, targs, tenv)
    return change, data, err


# --- one repository ----------------------------------------------------------------------

def process(entry):
    base_dir = os.path.join(corpus, entry["id"])
    src, ans = os.path.join(base_dir, "src"), os.path.join(base_dir, "answers")
    meta = {"id": entry["id"], "repo": entry["repo"], "commit": entry["commit"],
            "list_comment": entry["comment"], "status": "ok", "problems": []}
    started = time.time()
    try:
        missing = checkout(entry, src)
    except Exception as e:
        meta.update(status="no checkout", problems=[str(e)])
        os.makedirs(ans, exist_ok=True)
        save(os.path.join(ans, "meta.json"), meta)
        return meta
    if os.path.isdir(ans):
        shutil.rmtree(ans)
    os.makedirs(ans)
    meta["missing_files"] = missing
    info = describe(src)
    conf = info.pop("root_config")
    meta.update(info)
    major = "1" if info["turbo_json_version"] == "v1" else "2"
    version = subprocess.run([TURBO[major], "--version"], capture_output=True, text=True,
                             env=turbo_env()).stdout.strip()
    meta["turbo"] = version
    with open(os.path.join(ans, "turbo-version.txt"), "w") as f:
        f.write(f"turbo {version}\n")
    names, extends = task_names(src, conf)
    meta["package_turbo_json_with_extends"] = extends
    meta["defined_tasks"] = sorted(names)
    tasks = pick_tasks(names)
    meta["graph"], graphs = {}, {}
    for task in tasks:
        data, err = run_turbo(major, src, ["run", task, "--dry=json"])
        if data is None:
            meta["graph"][task] = "no answer: " + reason(err)
            with open(os.path.join(ans, f"graph-{task}.err"), "w") as f:
                f.write(err)
        else:
            save(os.path.join(ans, f"graph-{task}.json"), data)
            graphs[task] = data
            meta["graph"][task] = f"{len(data.get('tasks', []))} tasks"
    if not graphs:
        meta["status"] = "turbo did not answer"
        meta["problems"].append(next(iter(meta["graph"].values()), "no task defined"))
        save(os.path.join(ans, "meta.json"), meta)
        return meta
    main_task = next(t for t in ("build", "test", "lint", *TYPECHECK, *graphs) if t in graphs)
    pkgs = package_graph(major, src, graphs[main_task])
    meta["packages"] = len(pkgs)
    leaf, shared, with_src = choose(pkgs, src, graphs[main_task])
    meta["leaf"], meta["shared"] = leaf, shared

    # --filter
    meta["filter"] = {}
    for n, q in enumerate(filter_questions(pkgs, leaf, shared), 1):
        args = ["run", main_task, *[f"--filter={f}" for f in q], "--dry=json"]
        save(os.path.join(ans, f"filter-{n}.args.json"), {"task": main_task, "filter": q})
        data, err = run_turbo(major, src, args)
        if data is None:
            meta["filter"][str(n)] = {"filter": q, "answer": "no answer: " + reason(err)}
            with open(os.path.join(ans, f"filter-{n}.err"), "w") as f:
                f.write(err)
        else:
            save(os.path.join(ans, f"filter-{n}.json"), data)
            meta["filter"][str(n)] = {"filter": q, "answer": f"{len(data.get('tasks', []))} tasks"}

    # --affected: one commit on a scratch branch per (package, task)
    meta["affected"] = {}
    aff_tasks = [t for t in (main_task, "test") if t in graphs]
    aff_tasks = list(dict.fromkeys(aff_tasks))
    n = 0
    base = entry["commit"]
    for kind, pkg in (("leaf", leaf), ("shared", shared)):
        if not pkg or not with_src.get(pkg):
            continue
        rel = with_src[pkg]
        for task in aff_tasks:
            n += 1
            try:
                change, data, err = make_change(src, base, n, rel, pkg, kind, task, major)
            except Exception as e:
                data, err = None, f"script error: {e}"
            else:
                save(os.path.join(ans, f"affected-{n}.change.json"), change)
            if data is None:
                meta["affected"][str(n)] = {"package": pkg, "kind": kind, "task": task, "answer": "no answer: " + reason(err)}
                with open(os.path.join(ans, f"affected-{n}.err"), "w") as f:
                    f.write(err)
            else:
                save(os.path.join(ans, f"affected-{n}.json"), data)
                meta["affected"][str(n)] = {"package": pkg, "kind": kind, "task": task,
                                            "answer": f"{len(data.get('tasks', []))} tasks"}
    git(src, "checkout", "-q", "-f", "--detach", base)
    bad = [k for k, v in meta["graph"].items() if str(v).startswith("no answer")]
    if bad:
        meta["problems"].append(f"graph: no answer for {', '.join(bad)}")
    meta["seconds"] = round(time.time() - started, 1)
    save(os.path.join(ans, "meta.json"), meta)
    return meta


def print_table():
    rows = []
    entries = read_list()
    for e in entries:
        p = os.path.join(corpus, e["id"], "answers", "meta.json")
        m = json.load(open(p)) if os.path.exists(p) else {"status": "not run"}
        g = m.get("graph", {})
        ok = [t for t, v in g.items() if not str(v).startswith("no answer")]
        fl = m.get("filter", {}); fa = sum(1 for v in fl.values() if not v["answer"].startswith("no answer"))
        af = m.get("affected", {}); aa = sum(1 for v in af.values() if not v["answer"].startswith("no answer"))
        answered = m.get("status") == "ok" and ok
        pm = m.get("package_manager", "?")
        probs = [f"{t}: {str(v)[len('no answer: '):]}" for t, v in g.items() if str(v).startswith("no answer")] \
            or m.get("problems", [])
        notes = "; ".join(probs)[:200].replace("|", "\\|").replace("`", "'")
        rows.append(f"| [{e['repo']}](https://github.com/{e['repo']}) | `{e['commit'][:12]}` | {pm} | "
                    f"{m.get('turbo_json_version', '?')}{' +extends' if m.get('package_turbo_json_with_extends') else ''} | "
                    f"{m.get('turbo', '–')} | {m.get('packages', '–')} | {'yes' if answered else 'no'}: graph {len(ok)}/{len(g)}, filter {fa}/{len(fl)}, affected {aa}/{len(af)} | {notes} |")
    print("| repository | commit | package manager | turbo.json | turbo | packages | turbo answered | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if table:
    print_table()
    sys.exit(0)

os.makedirs(HOME, exist_ok=True)
entries = [e for e in read_list() if not only or e["repo"] in only or e["id"] in only]
results = []
with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
    futs = {pool.submit(process, e): e for e in entries}
    for fut in cf.as_completed(futs):
        e = futs[fut]
        try:
            m = fut.result()
        except Exception as ex:
            m = {"id": e["id"], "repo": e["repo"], "commit": e["commit"], "status": "script error", "problems": [repr(ex)]}
            os.makedirs(os.path.join(corpus, e["id"], "answers"), exist_ok=True)
            save(os.path.join(corpus, e["id"], "answers", "meta.json"), m)
        results.append(m)
        log(e, f"{m['status']}: graph {m.get('graph')} filter {len(m.get('filter', {}))} affected {len(m.get('affected', {}))} {'; '.join(m.get('problems', []))[:200]}")
# summary over every entry of the list that has a meta.json, not only this run's
summary = []
for e in read_list():
    p = os.path.join(corpus, e["id"], "answers", "meta.json")
    if os.path.exists(p):
        summary.append(json.load(open(p)))
save(os.path.join(corpus, "summary.json"), summary)
ok = sum(1 for m in results if m["status"] == "ok")
print(f"{ok}/{len(results)} repositories answered; answers in {corpus}")
PY
