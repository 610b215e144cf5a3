#!/usr/bin/env python3
"""`vx sync` end to end, beside a baseline doing the same work with standard tools.

In one run, interleaved (run 1 of every command, then run 2, ...), from a loopback HTTP
server (Python's, threaded, serving from memory):

  (a) 300 tiny tar.gz tools, `vx sync -j 16`, each into a fresh store;
      baseline: `xargs -P 16` running `curl | tee >(sha256sum) | tar x` per tool and
      checking the hash;
  (b) 8 archives of about 50 MiB (4 tar.gz, 4 tar.xz), `vx sync -j 8`; the same baseline
      with `-P 8`;
  (c) a no-op `vx sync` of the 300 installed tools;
  and `vx --version`, the process-start floor.

Writes target/vx-bench/sync.json, prints the table, and (with --write-docs) replaces the
sync section of docs/BENCHMARKS.md and the "sync" key of docs/benchmarks.json, so the
figures are never typed by hand. Python 3 standard library only; needs curl, tar, xz,
sha256sum and xargs (the baseline's tools).

    cargo build --release
    python3 scripts/bench-sync.py [--runs 5] [--tiny 300] [--big-mib 50] [--write-docs]
    python3 scripts/bench-sync.py --from-json target/vx-bench/sync.json --write-docs
"""

import argparse
import hashlib
import http.server
import json
import lzma
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from tools import tar_of  # noqa: E402  (scripts/lib/tools.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- bench-sync:begin -->"
END = "<!-- bench-sync:end -->"

# One tool of the baseline: download, hash while extracting, check the hash.
BASELINE_ONE = r"""
set -eo pipefail
name=$1 url=$2 sha=$3 flag=$4 store=$5
dest=$store/$name
mkdir -p "$dest"
curl -sf "$url" | tee >(sha256sum | cut -c1-64 > "$dest.sha") | tar -x"$flag" -C "$dest" --strip-components=1
wait $!
[ "$(cat "$dest.sha")" = "$sha" ] || { echo "checksum mismatch: $name" >&2; exit 1; }
"""


def tar_bytes(files, compress):
    """A tar of `files` ({path: bytes}) under `pkg/`, gzip- or xz-compressed."""
    raw = tar_of("pkg", files)
    if compress == "gz":
        import gzip

        return gzip.compress(raw, compresslevel=6)
    return lzma.compress(raw, preset=2)


def payload(size, seed):
    """`size` bytes that compress about 2:1, like real binaries: random blocks
    alternating with blocks of a few repeated words."""
    rng = random.Random(seed)
    words = [bytes(rng.getrandbits(8) for _ in range(rng.randint(3, 12))) for _ in range(64)]
    out = bytearray()
    while len(out) < size:
        out += rng.randbytes(32 * 1024)
        while len(out) % (64 * 1024):
            out += rng.choice(words)
    return bytes(out[:size])


class Server:
    """A threaded loopback server of in-memory files."""

    def __init__(self, files, paced_bytes_per_sec):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                view = memoryview(body)
                # Under /paced/ the body goes out at a steady rate, like a real link.
                rate = paced_bytes_per_sec if self.path.startswith("/paced/") else None
                step = 256 << 10 if rate else 1 << 20
                start = time.perf_counter()
                for at in range(0, len(view), step):
                    if rate:
                        ahead = start + at / rate - time.perf_counter()
                        if ahead > 0:
                            time.sleep(ahead)
                    self.wfile.write(view[at : at + step])

            def log_message(self, *args):
                pass

        class Threaded(http.server.ThreadingHTTPServer):
            # The default backlog of 5 drops connections under -j 16: a client then
            # waits a whole second for its SYN to be sent again.
            request_queue_size = 256

        self.httpd = Threaded(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def manifest(tools):
    lines = []
    for name, url, sha, _flag in tools:
        lines += [f"[tools.{name}]", 'version = "1"', f'url = "{url}"', f'sha256 = "{sha}"',
                  "strip_components = 1", ""]
    return "\n".join(lines)


def timed(argv, **kw):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **kw)
    return (time.perf_counter() - start) * 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tiny", type=int, default=300)
    ap.add_argument("--big", type=int, default=8)
    ap.add_argument("--big-mib", type=int, default=50)
    ap.add_argument("--paced-mib-s", type=float, default=25.0,
                    help="(d): the rate one big tar.xz is served at, like a real link")
    ap.add_argument("--vx", default=str(ROOT / "target" / "release" / "vx"))
    ap.add_argument("--compare", metavar="VX", help="another vx binary (e.g. an older build) to time on (a) and (b) too")
    ap.add_argument("--compare-label", default="", help="what the compared build is, for the docs")
    ap.add_argument("--out", default=str(ROOT / "target" / "vx-bench" / "sync.json"))
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--from-json", metavar="FILE", help="render (and with --write-docs, write) a saved run instead of running")
    args = ap.parse_args()
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text())
        section = markdown(result)
        print(section)
        if args.write_docs:
            write_docs(result, section)
        return
    vx = args.vx
    if not os.access(vx, os.X_OK):
        sys.exit(f"no {vx}: run `cargo build --release` first")

    work = Path(tempfile.mkdtemp(prefix="vx-bench-sync-"))
    try:
        print("generating archives…", file=sys.stderr)
        files = {}
        tiny_archive = tar_bytes({"bin/tool": b"#!/bin/sh\necho hi\n", "README": b"tiny\n"}, "gz")
        tiny_sha = hashlib.sha256(tiny_archive).hexdigest()
        tiny = []
        for i in range(args.tiny):
            path = f"/tiny/t{i}.tar.gz"
            files[path] = tiny_archive
            tiny.append((f"t{i}", path, tiny_sha, "z"))
        big = []
        big_bytes = 0
        for i in range(args.big):
            kind = "gz" if i % 2 == 0 else "xz"
            data = tar_bytes({"bin/tool": b"#!/bin/sh\n", "lib/blob": payload(args.big_mib << 20, i)}, kind)
            path = f"/big/b{i}.tar.{kind}"
            files[path] = data
            big_bytes += len(data)
            big.append((f"b{i}", path, hashlib.sha256(data).hexdigest(), "z" if kind == "gz" else "J"))
        # (d): one of the big tar.xz archives again, served at a link's pace.
        paced_source = next(t for t in big if t[1].endswith(".xz"))
        paced_path = "/paced/" + paced_source[1].rsplit("/", 1)[1]
        files[paced_path] = files[paced_source[1]]
        paced = [("p0", paced_path, paced_source[2], "J")]
        server = Server(files, args.paced_mib_s * (1 << 20))
        tiny = [(n, server.url(p), s, f) for n, p, s, f in tiny]
        big = [(n, server.url(p), s, f) for n, p, s, f in big]
        paced = [(n, server.url(p), s, f) for n, p, s, f in paced]

        projects = {}
        for name, tools in (("tiny", tiny), ("big", big), ("paced", paced)):
            d = work / name
            d.mkdir()
            (d / "vx.toml").write_text(manifest(tools))
            (d / "list").write_text("".join(f"{n} {u} {s} {f}\n" for n, u, s, f in tools))
            projects[name] = d
        (work / "one.sh").write_text(BASELINE_ONE)
        env = dict(os.environ, VX_BOARD_DIR=str(work / "boards"))
        (work / "boards").mkdir()

        def vx_sync(project, jobs, store, binary=vx):
            return timed([binary, "sync", "--headless", "-q", "-j", str(jobs), "--store", str(store)],
                         cwd=projects[project], env=env)

        def baseline(project, jobs, store):
            store.mkdir(parents=True)
            cmd = (f"xargs -P {jobs} -L 1 sh -c 'exec bash {work}/one.sh \"$@\" {store}' _ "
                   f"< {projects[project]}/list")
            return timed(["bash", "-c", cmd])

        def fresh(tag):
            path = work / "stores" / f"{tag}-{time.monotonic_ns()}"
            return path

        names = labels(args.tiny, args.big, args.big_mib, args.paced_mib_s)
        installed = fresh("c")
        commands = {
            names["version"]: lambda: timed([vx, "--version"]),
            names["a_vx"]: lambda: vx_sync("tiny", 16, fresh("a-vx")),
            names["a_base"]: lambda: baseline("tiny", 16, fresh("a-base")),
            names["b_vx"]: lambda: vx_sync("big", 8, fresh("b-vx")),
            names["b_base"]: lambda: baseline("big", 8, fresh("b-base")),
            names["c_vx"]: lambda: vx_sync("tiny", 16, installed),
            names["d_vx"]: lambda: vx_sync("paced", 1, fresh("d-vx")),
            names["d_base"]: lambda: baseline("paced", 1, fresh("d-base")),
        }
        if args.compare:
            other = args.compare
            commands[names["a_vx"] + ", compared build"] = lambda: vx_sync("tiny", 16, fresh("a-cmp"), other)
            commands[names["b_vx"] + ", compared build"] = lambda: vx_sync("big", 8, fresh("b-cmp"), other)
            commands[names["d_vx"] + ", compared build"] = lambda: vx_sync("paced", 1, fresh("d-cmp"), other)
        for name in ("tiny", "big"):
            # One warm-up of each, so no run pays for first page-ins alone.
            vx_sync(name, 16, fresh("warm"))
        shutil.rmtree(work / "stores" , ignore_errors=True)
        installed.parent.mkdir(parents=True, exist_ok=True)
        vx_sync("tiny", 16, installed)

        samples = {name: [] for name in commands}
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}…", file=sys.stderr)
            for name, command in commands.items():
                samples[name].append(command())
                # Stores of finished runs go at once: the disk stays small and warm.
                for old in (work / "stores").iterdir():
                    if old != installed:
                        shutil.rmtree(old, ignore_errors=True)

        med = {name: statistics.median(v) for name, v in samples.items()}
        result = {
            "runs": args.runs,
            "compared_build": f"{args.compare} {args.compare_label}".strip() if args.compare else None,
            "tiny_tools": args.tiny,
            "big_archives": args.big,
            "big_archive_mib": args.big_mib,
            "big_download_bytes": big_bytes,
            "paced_mib_s": args.paced_mib_s,
            "paced_download_bytes": len(files[paced_path]),
            "machine": {"cpus": os.cpu_count(), "platform": sys.platform},
            "run_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commands": {name: {"median_ms": med[name], "samples_ms": samples[name]} for name in commands},
            "ratios": {
                "a_vx_over_baseline": med[names["a_vx"]] / med[names["a_base"]],
                "b_vx_over_baseline": med[names["b_vx"]] / med[names["b_base"]],
                "c_noop_over_version": med[names["c_vx"]] / med[names["version"]],
                "d_vx_over_baseline": med[names["d_vx"]] / med[names["d_base"]],
            },
            "noop_ms": med[names["c_vx"]],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    section = markdown(result)
    print(section)
    if args.write_docs:
        write_docs(result, section)


def labels(tiny, big, mib, paced=None):
    """The commands' names, as the table shows them."""
    rate = f" at {paced:g} MiB/s" if paced else ""
    return {
        "version": "vx --version",
        "a_vx": f"(a) vx sync, {tiny} tiny, -j 16",
        "a_base": f"(a) baseline, {tiny} tiny, -P 16",
        "b_vx": f"(b) vx sync, {big} × {mib} MiB, -j 8",
        "b_base": f"(b) baseline, {big} × {mib} MiB, -P 8",
        "c_vx": f"(c) vx sync, {tiny} installed (no-op)",
        "d_vx": f"(d) vx sync, one {mib} MiB tar.xz{rate}",
        "d_base": f"(d) baseline, one {mib} MiB tar.xz{rate}",
    }


def markdown(r):
    ratios = r["ratios"]
    noop = r["noop_ms"]
    lines = [
        BEGIN,
        "## 7. `vx sync` end to end, beside standard tools",
        "",
        f"`python3 scripts/bench-sync.py --runs {r['runs']}{' --compare VX' if r.get('compared_build') else ''} --write-docs` (after `cargo build --release`), "
        f"{r['run_utc']}, {r['machine']['cpus']} CPUs. One run, commands interleaved, each install into a "
        "fresh store, archives served from memory by a threaded loopback HTTP server. The baseline does the "
        "same work with standard tools: `xargs -P` running `curl | tee >(sha256sum) | tar x` per tool, then "
        "checking the hash (no staging, no receipts, no locks, no progress).",
        "",
    ]
    if r.get("compared_build"):
        lines += [f"Rows marked “compared build” ran {r['compared_build']}.", ""]
    lines += [
        "| command | median | runs (ms) |",
        "|---|---|---|",
    ]
    for name, c in r["commands"].items():
        runs = ", ".join(f"{s:.0f}" for s in c["samples_ms"])
        lines.append(f"| {name} | {c['median_ms']:.1f} ms | {runs} |")
    lines += [
        "",
        "| target | measured | met? |",
        "|---|---|---|",
        f"| (a) {r['tiny_tools']} tiny tools, vx / baseline ≤ 1.0 | {ratios['a_vx_over_baseline']:.2f} | "
        f"{'yes' if ratios['a_vx_over_baseline'] <= 1.0 else '**no**'} |",
        f"| (b) {r['big_archives']} × {r['big_archive_mib']} MiB, vx / baseline ≤ 1.0 | "
        f"{ratios['b_vx_over_baseline']:.2f} | {'yes' if ratios['b_vx_over_baseline'] <= 1.0 else '**no**'} |",
        f"| (c) no-op sync of {r['tiny_tools']} tools ≤ 50 ms and ≤ 20× `vx --version` | "
        f"{noop:.1f} ms, {ratios['c_noop_over_version']:.1f}× | "
        f"{'yes' if noop <= 50 and ratios['c_noop_over_version'] <= 20 else '**no**'} |",
    ]
    if "d_vx_over_baseline" in ratios:
        mib = r["paced_download_bytes"] / (1 << 20)
        lines.append(
            f"| (d) one tar.xz ({mib:.1f} MiB download) served at {r['paced_mib_s']:g} MiB/s, vx / baseline "
            f"(no target: shows the streaming install; `curl | tar` streams too) | "
            f"{ratios['d_vx_over_baseline']:.2f} | — |")
    lines += [END]
    return "\n".join(lines)


def write_docs(result, section):
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        anchor = "## What this means for `vx sync`"
        text = text.replace(anchor, section + "\n\n" + anchor, 1) if anchor in text else text + "\n" + section + "\n"
    doc.write_text(text)
    js = ROOT / "docs" / "benchmarks.json"
    data = json.loads(js.read_text())
    data["sync"] = result
    js.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
