#!/usr/bin/env python3
"""Hold vx's plans against turbo's answers in the turbo corpus (issue 77's "done when").

    python3 scripts/turbo-corpus/compare.py [--corpus DIR] [--vx 'CMD'] [--only ID ...]
                                            [--kind graph|filter|affected ...]
                                            [--order-only] [--json FILE] [-v]
    python3 scripts/turbo-corpus/compare.py --self-check [--corpus DIR]

The corpus is what scripts/turbo-corpus.sh recorded (default $VX_TURBO_CORPUS, else
~/.cache/vx-turbo-corpus): per repository src/ (the checkout) and answers/ (turbo's
`--dry=json` answers and the questions beside them; scripts/turbo-corpus/README.md).

vx is asked, in src/ at the pinned commit, with the interface issue 77 defines:
    CMD --dry-run --json TASK [--filter=F ...]           graph and filter questions
    CMD --dry-run --json TASK --affected=BASE            on branch vx-corpus/affected-<n>
                                                         (and VX_AFFECTED_BASE=BASE)
CMD defaults to `vx run` (split like a shell would); its stdout must hold one
{"event":"plan","tasks":[{"task":"PKG#NAME","depends":[...],"command":...},...]} object,
alone or as one line among JSON lines. When CMD cannot be started or prints no plan, the
question is "vx has no answer".

What is compared (turbo: tasks[].taskId, .dependencies, .command):
  * Tasks without a script: turbo lists them with command "<NONEXISTENT>"; vx may leave
    them out or list them with no command (null, "" or no "command" key). Both sides are
    projected onto the tasks that have a script: a script-less task is contracted (its
    dependents depend on what it depends on), so A -> (no script) -> C is the edge A -> C.
  * graph-<task>: the same tasks with a script, and the same direct edges after the
    contraction (with --order-only: the same reachability, i.e. the same "runs before").
  * filter-<n>: the same tasks with a script selected.
  * affected-<n>: no task turbo selects is missing from vx's (false negatives) and vx
    selects none that turbo does not (false positives).
A repository counts for a percentage when turbo answered at least one question of that
kind; it passes when every such answer of it is met. The three percentages of the done
when: graph equal, filter equal, affected with zero false negatives and no more than turbo.

--self-check answers every question with turbo's own answer turned into vx's plan, twice
(script-less tasks listed with command null; script-less tasks left out and their edges
bridged), and must print 100% for each; then a negative control damages each answer (one
task or one edge taken away) and must find every one unequal. Exit 0 when all holds.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

NONEXISTENT = "<NONEXISTENT>"


# --- graphs ------------------------------------------------------------------------------

def turbo_tasks(doc):
    """{taskId: (deps, has_script)} from a turbo --dry=json answer."""
    return {t["taskId"]: (list(t.get("dependencies") or []), t.get("command") != NONEXISTENT)
            for t in doc.get("tasks", [])}


def vx_tasks(plan):
    """{task: (deps, has_script)} from vx's plan event."""
    out = {}
    for t in plan.get("tasks", []):
        name = t.get("task")
        if not name:
            continue
        cmd = t.get("command")
        out[name] = (list(t.get("depends") or []), cmd not in (None, "", NONEXISTENT))
    return out


def contract(tasks):
    """Direct edges between tasks with a script, through script-less ones.
    A dependency on a task the list does not name is kept as it is."""
    real = {n for n, (_, s) in tasks.items() if s}
    edges = {}
    for a in real:
        found, seen, stack = set(), set(), list(tasks[a][0])
        while stack:
            b = stack.pop()
            if b in seen:
                continue
            seen.add(b)
            if b in real or b not in tasks:
                found.add(b)
            else:
                stack.extend(tasks[b][0])
        edges[a] = found - {a}
    return real, edges


def closure(real, edges):
    reach = {}
    for a in real:
        seen, stack = set(), list(edges[a])
        while stack:
            b = stack.pop()
            if b not in seen:
                seen.add(b)
                stack.extend(edges.get(b, ()))
        reach[a] = seen
    return reach


def edge_set(edges):
    return {(a, b) for a, bs in edges.items() for b in bs}


def compare_graph(turbo_doc, plan, order_only=False):
    tr, te = contract(turbo_tasks(turbo_doc))
    vr, ve = contract(vx_tasks(plan))
    res = {"missing_tasks": sorted(tr - vr), "extra_tasks": sorted(vr - tr)}
    tes, ves = edge_set(te), edge_set(ve)
    res["missing_edges"] = sorted(tes - ves)
    res["extra_edges"] = sorted(ves - tes)
    same_order = tr == vr and closure(tr, te) == closure(vr, ve)
    res["same_order"] = same_order
    if order_only:
        res["equal"] = same_order
    else:
        res["equal"] = not (res["missing_tasks"] or res["extra_tasks"]
                            or res["missing_edges"] or res["extra_edges"])
    return res


def compare_selection(turbo_doc, plan):
    tr, _ = contract(turbo_tasks(turbo_doc))
    vr, _ = contract(vx_tasks(plan))
    fn, fp = sorted(tr - vr), sorted(vr - tr)
    return {"false_negatives": fn, "false_positives": fp, "equal": not fn and not fp,
            "turbo": len(tr), "vx": len(vr)}


# --- asking vx ---------------------------------------------------------------------------

def find_plan(stdout):
    """The plan event: the whole stdout as one JSON value, or one of its lines."""
    def pick(v):
        if isinstance(v, dict) and v.get("event") == "plan" and isinstance(v.get("tasks"), list):
            return v
        return None
    try:
        p = pick(json.loads(stdout))
        if p:
            return p
    except ValueError:
        pass
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                p = pick(json.loads(line))
            except ValueError:
                continue
            if p:
                return p
    return None


class Asker:
    def __init__(self, cmd, timeout):
        self.cmd = shlex.split(cmd)
        self.timeout = timeout

    def ask(self, src, args, env=None):
        """(plan, None) or (None, why vx has no answer)."""
        e = dict(os.environ, **(env or {}))
        try:
            p = subprocess.run(self.cmd + args, cwd=src, env=e, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, errors="replace", timeout=self.timeout)
        except FileNotFoundError:
            return None, f"vx has no answer: {self.cmd[0]} not found"
        except subprocess.TimeoutExpired:
            return None, f"vx has no answer: timed out after {self.timeout} s"
        plan = find_plan(p.stdout)
        if plan is None:
            tail = (p.stderr.strip().splitlines() or [p.stdout.strip()[:200]])[-1:]
            return None, f"vx has no answer: exit {p.returncode}, no plan event ({' '.join(tail)[:200]})"
        return plan, None


def as_plan(doc, bridged):
    """turbo's answer as vx's plan event (--self-check)."""
    tasks = turbo_tasks(doc)
    if bridged:
        real, edges = contract(tasks)
        rows = [{"task": t["taskId"], "package": t["package"], "dir": t["directory"],
                 "depends": sorted(edges[t["taskId"]]), "command": t["command"]}
                for t in doc.get("tasks", []) if t["taskId"] in real]
    else:
        rows = [{"task": t["taskId"], "package": t["package"], "dir": t["directory"],
                 "depends": list(t.get("dependencies") or []),
                 "command": None if t.get("command") == NONEXISTENT else t.get("command")}
                for t in doc.get("tasks", [])]
    return {"event": "plan", "tasks": rows}


def damaged(plan):
    """Plans that must compare unequal: one real task removed, one edge removed."""
    real = [t for t in plan["tasks"] if t.get("command") not in (None, "", NONEXISTENT)]
    out = []
    if real:
        victim = real[-1]["task"]
        out.append(("task", {"event": "plan", "tasks": [
            dict(t, depends=[d for d in t["depends"] if d != victim])
            for t in plan["tasks"] if t["task"] != victim]}))
    for i, t in enumerate(plan["tasks"]):
        if t["depends"] and t.get("command") not in (None, "", NONEXISTENT):
            dep = t["depends"][0]
            rows = [dict(x) for x in plan["tasks"]]
            rows[i] = dict(t, depends=t["depends"][1:])
            # only an edge that the contraction does not restore through another path
            tasks = {r["task"]: (r["depends"], r.get("command") not in (None, "", NONEXISTENT)) for r in rows}
            _, e = contract(tasks)
            _, e0 = contract({r["task"]: (r["depends"], r.get("command") not in (None, "", NONEXISTENT)) for r in plan["tasks"]})
            if e != e0:
                out.append(("edge", {"event": "plan", "tasks": rows}))
                break
    return out


# --- the corpus --------------------------------------------------------------------------

def load(path):
    with open(path) as f:
        return json.load(f)


def questions(ans):
    """[(kind, n, question, turbo_doc)] from an answers/ folder."""
    qs = []
    names = sorted(os.listdir(ans))
    for f in names:
        if f.startswith("graph-") and f.endswith(".json"):
            qs.append(("graph", f[6:-5], {"task": f[6:-5]}, os.path.join(ans, f)))
    for f in names:
        if f.startswith("filter-") and f.endswith(".args.json"):
            n = f[7:-10]
            doc = os.path.join(ans, f"filter-{n}.json")
            if os.path.exists(doc):
                qs.append(("filter", n, load(os.path.join(ans, f)), doc))
    for f in names:
        if f.startswith("affected-") and f.endswith(".change.json"):
            n = f[9:-12]
            doc = os.path.join(ans, f"affected-{n}.json")
            if os.path.exists(doc):
                qs.append(("affected", n, load(os.path.join(ans, f)), doc))
    order = {"graph": 0, "filter": 1, "affected": 2}
    return sorted(qs, key=lambda q: (order[q[0]], int(q[1]) if q[1].isdigit() else q[1]))


def git(src, *args):
    return subprocess.run(["git", *args], cwd=src, capture_output=True, text=True)


def run_repo(repo_dir, meta, mode, asker, order_only, kinds=None):
    ans, src = os.path.join(repo_dir, "answers"), os.path.join(repo_dir, "src")
    base = meta["commit"]
    cases = []
    for kind, n, q, doc_path in questions(ans):
        if kinds and kind not in kinds:
            continue
        doc = load(doc_path)
        if kind == "graph":
            args = ["--dry-run", "--json", q["task"]]
        elif kind == "filter":
            args = ["--dry-run", "--json", q["task"], *[f"--filter={f}" for f in q["filter"]]]
        else:
            args = ["--dry-run", "--json", q["task"], f"--affected={q['base']}"]
        plans = []
        if mode == "vx":
            env = None
            if kind == "affected":
                git(src, "checkout", "-q", "-f", q["branch"])
                env = {"VX_AFFECTED_BASE": q["base"]}
            else:
                git(src, "checkout", "-q", "-f", "--detach", base)
            plan, why = asker.ask(src, args, env)
            plans = [("vx", plan, why)]
        else:
            plans = [("null", as_plan(doc, False), None), ("bridged", as_plan(doc, True), None)]
        for variant, plan, why in plans:
            case = {"kind": kind, "n": n, "variant": variant, "question": q}
            if plan is None:
                case.update(answered=False, equal=False, why=why)
            elif kind == "graph":
                case.update(answered=True, **compare_graph(doc, plan, order_only))
            else:
                case.update(answered=True, **compare_selection(doc, plan))
            if mode == "self":
                neg = []
                for what, bad in damaged(plan):
                    r = compare_graph(doc, bad) if kind == "graph" else compare_selection(doc, bad)
                    # a removed edge changes no selection: the negative control for
                    # filter and affected is the removed task only
                    if kind != "graph" and what == "edge":
                        continue
                    neg.append({"damage": what, "detected": not r["equal"]})
                case["negative_control"] = neg
            cases.append(case)
    if mode == "vx":
        git(src, "checkout", "-q", "-f", "--detach", base)
    return cases


def pct(a, b):
    return f"{100.0 * a / b:.1f}% ({a}/{b})" if b else "– (0/0)"


def summarize(results, variant):
    kinds = ("graph", "filter", "affected")
    repo_pass = {k: [0, 0] for k in kinds}
    case_pass = {k: [0, 0] for k in kinds}
    for rid, cases in results.items():
        for k in kinds:
            cs = [c for c in cases if c["kind"] == k and c["variant"] == variant]
            if not cs:
                continue
            repo_pass[k][1] += 1
            repo_pass[k][0] += all(c["equal"] for c in cs)
            case_pass[k][1] += len(cs)
            case_pass[k][0] += sum(c["equal"] for c in cs)
    return repo_pass, case_pass


def describe_case(c):
    if not c["answered"]:
        return c["why"]
    if c["kind"] == "graph":
        bits = []
        for key in ("missing_tasks", "extra_tasks", "missing_edges", "extra_edges"):
            if c[key]:
                items = [" -> ".join(e) if isinstance(e, (list, tuple)) else e for e in c[key][:3]]
                bits.append(f"{key.replace('_', ' ')} {len(c[key])}: {', '.join(items)}{' …' if len(c[key]) > 3 else ''}")
        return "; ".join(bits) or "equal"
    bits = []
    if c["false_negatives"]:
        bits.append(f"false negatives {len(c['false_negatives'])}: {', '.join(c['false_negatives'][:3])}")
    if c["false_positives"]:
        bits.append(f"false positives {len(c['false_positives'])}: {', '.join(c['false_positives'][:3])}")
    return "; ".join(bits) or "equal"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.environ.get("VX_TURBO_CORPUS", os.path.expanduser("~/.cache/vx-turbo-corpus")))
    ap.add_argument("--vx", default="vx run", help="the command that takes `--dry-run --json TASK …` (default: vx run)")
    ap.add_argument("--only", nargs="*", default=[], help="repository ids (owner__name@sha8) or owner/name")
    ap.add_argument("--self-check", action="store_true", help="compare turbo's answers with themselves")
    ap.add_argument("--order-only", action="store_true", help="graph equal = same tasks and same reachability")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--json", help="write every case's result to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every unequal case")
    ap.add_argument("--kind", action="append", choices=("graph", "filter", "affected"),
                    help="ask only these kinds of question (repeatable; default: all three)")
    a = ap.parse_args()

    if not os.path.isdir(a.corpus):
        sys.exit(f"no corpus at {a.corpus}: run scripts/turbo-corpus.sh first")
    mode = "self" if a.self_check else "vx"
    asker = Asker(a.vx, a.timeout)
    results, skipped = {}, []
    for rid in sorted(os.listdir(a.corpus)):
        mp = os.path.join(a.corpus, rid, "answers", "meta.json")
        if not os.path.exists(mp):
            continue
        meta = load(mp)
        if a.only and rid not in a.only and meta.get("repo") not in a.only:
            continue
        if meta.get("status") != "ok":
            skipped.append((rid, f"turbo has no answer ({meta.get('status')}: {'; '.join(meta.get('problems', []))[:120]})"))
            continue
        results[rid] = run_repo(os.path.join(a.corpus, rid), meta, mode, asker, a.order_only, a.kind)

    variants = ["null", "bridged"] if mode == "self" else ["vx"]
    ok = True
    for variant in variants:
        if mode == "self":
            print(f"== self-check, script-less tasks {'listed with command null' if variant == 'null' else 'left out, edges bridged'}")
        for rid, cases in results.items():
            cs = [c for c in cases if c["variant"] == variant]
            if cs and not any(c["answered"] for c in cs):
                print(f"{rid:52s} {cs[0]['why']}")
                continue
            line = []
            for k in ("graph", "filter", "affected"):
                kc = [c for c in cs if c["kind"] == k]
                if kc:
                    line.append(f"{k} {sum(c['equal'] for c in kc)}/{len(kc)}")
            print(f"{rid:52s} {'  '.join(line)}")
            if a.verbose or mode == "vx":
                for c in cs:
                    if not c["equal"] and c["answered"]:
                        label = c["question"].get("task") if c["kind"] == "graph" else c["n"]
                        extra = ""
                        if c["kind"] == "filter":
                            extra = " " + " ".join(f"--filter={f}" for f in c["question"]["filter"])
                        if c["kind"] == "affected":
                            extra = f" ({c['question']['kind']} {c['question']['package']}: {c['question']['file']})"
                        print(f"    {c['kind']} {label}{extra}: {describe_case(c)}")
        repo_pass, case_pass = summarize(results, variant)
        print()
        print(f"graph equal:    {pct(*repo_pass['graph'])} of repositories; {pct(*case_pass['graph'])} of questions")
        print(f"filter equal:   {pct(*repo_pass['filter'])} of repositories; {pct(*case_pass['filter'])} of questions")
        print(f"affected exact: {pct(*repo_pass['affected'])} of repositories; {pct(*case_pass['affected'])} of questions"
              " (zero false negatives, no more than turbo)")
        if mode == "self":
            for k in ("graph", "filter", "affected"):
                if repo_pass[k][0] != repo_pass[k][1] or case_pass[k][0] != case_pass[k][1]:
                    ok = False
        print()
    if mode == "self":
        neg = [n for cases in results.values() for c in cases for n in c.get("negative_control", [])]
        det = sum(n["detected"] for n in neg)
        print(f"negative control: {det}/{len(neg)} damaged answers found unequal")
        ok = ok and det == len(neg) and len(neg) > 0 and len(results) > 0
    for rid, why in skipped:
        print(f"{rid:52s} {why}")
    print(f"{len(results)} repositories with turbo's answers, {len(skipped)} without")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": results, "skipped": skipped}, f, indent=1)
    if mode == "self":
        print("self-check:", "ok" if ok else "FAILED")
        sys.exit(0 if ok else 1)
    return 0


if __name__ == "__main__":
    main()
