#!/usr/bin/env bash
# The mise corpus (issue 64): public mise projects' task files, held outside this
# repository in $VX_MISE_CORPUS/<owner>__<repo>/ (scripts/mise-corpus/README.md cites
# each project's repository, commit and paths), listed and run by real mise against
# logging stand-ins, and (with --vx) by vx, compared.
#
#   scripts/mise-corpus.sh                 regenerate every expected.json with real mise
#   scripts/mise-corpus.sh PROJECT...      only these projects
#   scripts/mise-corpus.sh --vx target/debug/vx [PROJECT...]
#                                          print the match report of that vx against them
#
# MISE (default /tmp/benchtools/node_modules/.bin/mise) is the reference. Each project is
# copied to a temporary directory; each task runs in its own fresh copy, with stdin from
# /dev/null, a 30 s bound, HOME in the temporary directory, no network and no tool
# installs (MISE_OFFLINE, MISE_TASK_RUN_AUTO_INSTALL=false), and PATH led by a directory
# of logging stand-ins: for each name of standins.txt, a tiny sh script that appends
# "<cwd>\t<name> <args>" to $STANDIN_LOG and exits 0. Behind it only /usr/bin and /bin,
# so a command that is neither a stand-in nor a system program is "not found" — as it
# would be on a fresh machine without the project's tools. Generation grows
# standins.txt by every "not found" command name mise reports, until none is new.
# Paths in the log are written with $ROOT (the project copy) and $HOME, and a random
# name under /tmp (mktemp's, mise's script files) as $TMP.
#
# tests/it/mise_corpus.rs does the vx side of the comparison in the test suite, with the
# same stand-ins and the same rules; keep the two in step.
set -euo pipefail

corpus=${VX_MISE_CORPUS:?set VX_MISE_CORPUS to the corpus directory (scripts/mise-corpus/README.md)}
vx=""
if [ "${1:-}" = "--vx" ]; then
  [ $# -ge 2 ] || { echo "usage: $0 --vx PATH [PROJECT...]" >&2; exit 2; }
  vx=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  shift 2
fi
mise=${MISE:-/tmp/benchtools/node_modules/.bin/mise}
python=$(command -v python3)

exec "$python" - "$corpus" "$mise" "$vx" "$@" <<'PY'
import concurrent.futures as cf
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

corpus, mise, vx, only = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
TIMEOUT = 30
ATTEMPTS = 4
STANDINS = os.path.join(corpus, "standins.txt")
STANDIN_BODY = """#!/bin/sh
# A logging stand-in (scripts/mise-corpus/README.md): one line per call, then exit 0.
line=$(printf '%s\\t%s' "$PWD" "${0##*/}"; for a in "$@"; do printf ' %s' "$a"; done)
printf '%s\\n' "$line" >> "$STANDIN_LOG"
exit 0
"""
NOT_FOUND = [
    re.compile(r"^(?:\S+: )?(?:line )?\d*:? ?([A-Za-z0-9_][A-Za-z0-9_.+-]*): (?:command )?not found$"),
    re.compile(r"^env: '?([A-Za-z0-9_.+-]+)'?: No such file or directory$"),
]


def projects():
    names = sorted(
        d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
    return [n for n in names if not only or n in only]


def read_standins():
    with open(STANDINS) as f:
        return sorted({l.strip() for l in f if l.strip() and not l.startswith("#")})


def write_standins(names):
    with open(STANDINS) as f:
        head = [l for l in f if l.startswith("#")]
    with open(STANDINS, "w") as f:
        f.writelines(head)
        f.writelines(n + "\n" for n in sorted(set(names)))


def standin_dir(tmp, names):
    d = os.path.join(tmp, "standins")
    os.makedirs(d, exist_ok=True)
    for n in names:
        p = os.path.join(d, n)
        with open(p, "w") as f:
            f.write(STANDIN_BODY)
        os.chmod(p, 0o755)
    return d


def copy_project(name, dest):
    shutil.copytree(os.path.join(corpus, name), dest, symlinks=True,
                    ignore=shutil.ignore_patterns("expected.json"))


def base_env(tmp, bindir):
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    env = {
        "HOME": home,
        "PATH": f"{bindir}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "XDG_DATA_HOME": os.path.join(home, ".local/share"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local/state"),
        "MISE_DATA_DIR": os.path.join(tmp, "mise/data"),
        "MISE_CACHE_DIR": os.path.join(tmp, "mise/cache"),
        "MISE_CONFIG_DIR": os.path.join(tmp, "mise/config"),
        "MISE_STATE_DIR": os.path.join(tmp, "mise/state"),
        "MISE_TRUSTED_CONFIG_PATHS": tmp,
        "MISE_YES": "1",
        "MISE_OFFLINE": "1",
        "MISE_TASK_RUN_AUTO_INSTALL": "false",
        "MISE_AUTO_INSTALL": "false",
    }
    return env


TEMP_NAME = re.compile(r"/tmp/(?:tmp\.|\.tmp)[A-Za-z0-9]+")


def normalize(text, root, home):
    """$ROOT, $HOME, and $TMP for a name mktemp or mise made under /tmp (random)."""
    return TEMP_NAME.sub("$TMP", text.replace(root, "$ROOT").replace(home, "$HOME"))


def run_one(cmd, cwd, env, log):
    env = dict(env, STANDIN_LOG=log)
    open(log, "w").close()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT)
        code, err = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        code, err = None, str(e)
    with open(log) as f:
        lines = [l.rstrip("\n") for l in f]
    return code, lines, err


def mise_project(name, standins):
    """The project as real mise lists and runs it; the command names it found missing."""
    tmp = tempfile.mkdtemp(prefix="mise-corpus-")
    try:
        env = base_env(tmp, standin_dir(tmp, standins))
        home = env["HOME"]
        root = os.path.join(tmp, "p")
        copy_project(name, root)
        listed = json.loads(subprocess.run(
            [mise, "tasks", "ls", "--json"], cwd=root, env=env, check=True,
            capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout)
        every = json.loads(subprocess.run(
            [mise, "tasks", "ls", "--json", "--hidden"], cwd=root, env=env, check=True,
            capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout)
        shown = {t["name"] for t in listed}
        runs, missing = [], set()
        for t in listed:
            entry = {"task": t["name"],
                     "ordered": not (t.get("depends") or t.get("depends_post")
                                     or t.get("wait_for"))}
            if t.get("interactive"):
                entry["skipped"] = "interactive (needs a terminal)"
                runs.append(entry)
                continue
            # ATTEMPTS times, each in a fresh copy: a run whose commands differ between
            # them (a random name) is not one to compare lines of; one whose commands
            # come in different orders (a pipeline's stages, background jobs) is
            # compared without order.
            seen = []
            for attempt in range(ATTEMPTS):
                work = os.path.join(tmp, f"run{attempt}")
                shutil.rmtree(work, ignore_errors=True)
                copy_project(name, work)
                # A fresh state directory: mise skips a task whose sources it saw
                # unchanged in an earlier run.
                # and a fresh HOME: a task may write there (~/.bashrc) for another.
                state = tempfile.mkdtemp(dir=tmp, prefix="state-")
                home = os.path.join(state, "home")
                os.makedirs(home)
                code, lines, err = run_one([mise, "run", t["name"]], work,
                                           dict(env, MISE_STATE_DIR=state, HOME=home),
                                           os.path.join(tmp, "log"))
                seen.append((code, [normalize(l, work, home) for l in lines]))
            if any(c != seen[0][0] or sorted(l) != sorted(seen[0][1]) for c, l in seen):
                entry["skipped"] = ("mise ran different commands or exited differently "
                                    f"in {ATTEMPTS} runs")
                runs.append(entry)
                continue
            if any(l != seen[0][1] for _, l in seen):
                entry["ordered"] = False
            for l in err.splitlines():
                for rx in NOT_FOUND:
                    m = rx.match(l.strip())
                    if m:
                        missing.add(m.group(1))
            if code is None:
                entry["skipped"] = f"timed out after {TIMEOUT} s under mise"
                runs.append(entry)
                continue
            entry["exit"] = code
            entry["log"] = seen[0][1]
            runs.append(entry)
        return {
            "tasks": sorted(shown),
            "hidden": sorted({t["name"] for t in every} - shown),
            "runs": runs,
        }, missing
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def generate():
    version = subprocess.run([mise, "--version"], capture_output=True,
                             text=True).stdout.split()[0]
    today = datetime.date.today().isoformat()
    names = projects()
    results = {}
    while True:
        standins = read_standins()
        with cf.ThreadPoolExecutor(max_workers=4) as pool:
            done = dict(zip(names, pool.map(lambda n: mise_project(n, standins), names)))
        new = set()
        for n, (res, missing) in done.items():
            results[n] = res
            new |= {m for m in missing if m not in standins}
        if not new:
            break
        print("stand-ins added:", " ".join(sorted(new)), file=sys.stderr)
        write_standins(standins + sorted(new))
    for n in names:
        res = results[n]
        doc = {
            "generated": f"by scripts/mise-corpus.sh with mise {version} on {today}; "
                         "do not edit",
            "mise": version,
            **res,
        }
        with open(os.path.join(corpus, n, "expected.json"), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=False)
            f.write("\n")
        ran = sum(1 for r in res["runs"] if "exit" in r)
        print(f"{n}: {len(res['tasks'])} tasks, {ran} runs")


# ---- the vx side: the same rules as tests/it/mise_corpus.rs ----

VX_CACHE = None  # made by report(), shared by its projects


def vx_env(tmp, bindir):
    env = base_env(tmp, bindir)
    env["VX_NO_UPDATE_CHECK"] = "1"
    # Shared by the projects: vx's first run fills it (the registries' index).
    env["XDG_CACHE_HOME"] = VX_CACHE
    return env


def run_cache(state):
    """A run's own cache directory: the shared one's files linked in (the registries'
    index), but no task results (vx's `tasks` area), as mise's runs had a fresh state
    directory: no task is restored or "up to date" from another run."""
    cache = os.path.join(state, "cache")

    def skip(d, names):
        return ["tasks"] if os.path.normpath(d) == os.path.join(VX_CACHE, "vx") else []

    try:
        shutil.copytree(VX_CACHE, cache, symlinks=True, ignore=skip, copy_function=os.link)
    except shutil.Error:
        pass  # a file another project's listing replaced meanwhile: fetched again if needed
    return cache


def vx_list(root, env):
    """vx's task list of a project, reading it in place, else after `vx import`."""
    p = subprocess.run([vx, "run"], cwd=root, env=env, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    imported = False
    if "no vx.toml" in p.stdout + p.stderr:
        subprocess.run([vx, "import", "--offline", "--headless"], cwd=root, env=env,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=120)
        imported = True
        p = subprocess.run([vx, "run"], cwd=root, env=env, capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    names = []
    for line in p.stdout.splitlines():
        if line and not line[0].isspace():
            names.append(line.split()[0])
    return sorted(set(names)), imported


def matches(exp, code, lines, known):
    """A run matches mise's: the same exit code and the same commands — in the same order
    for a task with no dependencies, as the same multiset for a graph that succeeded. A
    graph that failed races its parallel siblings to the failure in either tool, so only
    its exit code and that each command vx ran is one mise runs for this project's tasks
    (`known`) are compared."""
    if exp["exit"] != code:
        return False
    if exp["ordered"]:
        return exp["log"] == lines
    if exp["exit"] == 0:
        return sorted(exp["log"]) == sorted(lines)
    return all(l in known for l in lines)


def vx_project(name, standins):
    with open(os.path.join(corpus, name, "expected.json")) as f:
        exp = json.load(f)
    tmp = tempfile.mkdtemp(prefix="vx-corpus-")
    try:
        env = vx_env(tmp, standin_dir(tmp, standins))
        home = env["HOME"]
        base = os.path.join(tmp, "p")
        copy_project(name, base)
        tasks, imported = vx_list(base, env)
        misses = []
        ok = total = 0
        known = {l for r in exp["runs"] for l in r.get("log", [])}
        for r in exp["runs"]:
            if "exit" not in r:
                continue
            total += 1
            work = os.path.join(tmp, "run")
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(base, work, symlinks=True)
            state = tempfile.mkdtemp(dir=tmp, prefix="state-")
            home = os.path.join(state, "home")
            os.makedirs(home)
            cache = run_cache(state)
            code, lines, err = run_one([vx, "run", "--offline", r["task"]], work,
                                       dict(env, XDG_STATE_HOME=state, HOME=home,
                                            XDG_DATA_HOME=state + "/data",
                                            XDG_CACHE_HOME=cache),
                                       os.path.join(tmp, "log"))
            lines = [normalize(l, work, home) for l in lines]
            if matches(r, code, lines, known):
                ok += 1
            else:
                misses.append((r["task"], r["exit"], code, r["log"], lines,
                               err.strip().splitlines()[-3:]))
        return {"exact": tasks == exp["tasks"], "imported": imported,
                "only_mise": sorted(set(exp["tasks"]) - set(tasks)),
                "only_vx": sorted(set(tasks) - set(exp["tasks"])),
                "ok": ok, "total": total, "misses": misses}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report():
    global VX_CACHE
    names = projects()
    standins = read_standins()
    VX_CACHE = tempfile.mkdtemp(prefix="vx-corpus-cache-")
    try:
        res = {names[0]: vx_project(names[0], standins)}  # fills the shared cache once
        with cf.ThreadPoolExecutor(max_workers=8) as pool:
            res.update(zip(names[1:],
                           pool.map(lambda n: vx_project(n, standins), names[1:])))
    finally:
        shutil.rmtree(VX_CACHE, ignore_errors=True)
    exact = sum(r["exact"] for r in res.values())
    ok = sum(r["ok"] for r in res.values())
    total = sum(r["total"] for r in res.values())
    print(f"{'project':45} {'task set':9} runs")
    for n, r in res.items():
        print(f"{n:45} {'exact' if r['exact'] else 'differs':9} {r['ok']}/{r['total']}"
              + (" (after vx import)" if r["imported"] else ""))
    for n, r in res.items():
        if not r["exact"]:
            print(f"\n{n}: only mise lists {r['only_mise']}; only vx lists {r['only_vx']}")
        for task, want, got, wlog, glog, tail in r["misses"]:
            print(f"\n{n} {task}: mise exit {want}, vx exit {got}")
            print("  mise:", wlog)
            print("  vx:  ", glog)
            print("  vx said:", tail)
    print(f"\nprojects with mise's exact task set: {exact}/{len(res)}; "
          f"runs matching: {ok}/{total}")


if vx:
    report()
else:
    generate()
PY
