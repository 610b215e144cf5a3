#!/usr/bin/env python3
"""turbo standing in for vx, to test compare.py's whole path (asking, checkouts, parsing).

    python3 scripts/turbo-corpus/compare.py --vx "python3 scripts/turbo-corpus/turbo-as-vx.py"

Takes vx's interface (`--dry-run --json TASK [--filter=F ...] [--affected=BASE]`), run in a
corpus checkout (CORPUS/<id>/src), asks the turbo that recorded that repository's answers
(CORPUS/<id>/answers/meta.json; TURBO1/TURBO2, else CORPUS/.tools/turbo-<version>) the
same question, and prints turbo's answer as vx's plan event, script-less tasks left out
and their edges bridged. compare.py must then print 100% for every kind of question.
"""
import json
import os
import subprocess
import sys

args = sys.argv[1:]
task, filters, affected = None, [], None
for a in args:
    if a.startswith("--filter="):
        filters.append(a[len("--filter="):])
    elif a.startswith("--affected="):
        affected = a[len("--affected="):]
    elif a in ("--dry-run", "--json"):
        continue
    elif a.startswith("-"):
        sys.exit(f"turbo-as-vx: unknown flag {a}")
    else:
        task = a
if not task:
    sys.exit("turbo-as-vx: no task")

here = os.getcwd()
meta = json.load(open(os.path.join(here, "..", "answers", "meta.json")))
major = meta["turbo"].split(".")[0]
turbo = os.environ.get(f"TURBO{major}") or os.path.join(
    here, "..", "..", ".tools", f"turbo-{meta['turbo']}", "node_modules", ".bin", "turbo")

targs = ["run", task, *[f"--filter={f}" for f in filters], "--dry=json"]
env = dict(os.environ, TURBO_TELEMETRY_DISABLED="1", DO_NOT_TRACK="1", TURBO_NO_UPDATE_NOTIFIER="1",
           HOME=os.path.join(here, "..", "..", ".home"))
if affected:
    if major == "1":
        targs.insert(2, f"--filter=...[{affected}]")
    else:
        targs.insert(2, "--affected")
        env.update(TURBO_SCM_BASE=affected, TURBO_SCM_HEAD="HEAD")
if major == "1":
    targs.append("--no-daemon")
p = subprocess.run([turbo, *targs], capture_output=True, text=True, env=env)
if p.returncode != 0:
    sys.stderr.write(p.stderr)
    sys.exit(p.returncode)
doc = json.loads(p.stdout[p.stdout.find("{"):])
tasks = {t["taskId"]: t for t in doc["tasks"]}
real = {n for n, t in tasks.items() if t["command"] != "<NONEXISTENT>"}


def nearest(n, seen):
    out = set()
    for d in tasks[n]["dependencies"]:
        if d in seen:
            continue
        seen.add(d)
        out |= {d} if d in real or d not in tasks else nearest(d, seen)
    return out


plan = [{"task": n, "package": tasks[n]["package"], "dir": tasks[n]["directory"],
         "depends": sorted(nearest(n, set())), "command": tasks[n]["command"]} for n in sorted(real)]
print(json.dumps({"event": "plan", "tasks": plan}))
