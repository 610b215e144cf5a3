#!/usr/bin/env python3
"""The Python client's figures for docs/BENCHMARKS.md ("Daemon"): `Client().resolve()`
beside `vx which`, both answered by the same running daemon.

A project of 10 tools from local file:// archives is synced into a fresh store and a
daemon started on it (a socket, store and board directory of their own). Then, against
that daemon:

  1. in process: one `Client`, RUNS x 100 `resolve("tool1")` calls (a request line and
     its answer on an open connection, parsed into a dataclass);
  2. in process: a new `Client` per call (connect, the socket and peer checks, one
     `resolve`, close), RUNS x 20 times;
  3. whole processes, interleaved RUNS times each: `python3 -c` importing vx_client and
     resolving once; `vx which tool1` (which asks the daemon); `vx --version` (vx's
     process-start floor) and `python3 -c pass` (Python's).

Medians and 99th percentiles (in-process) or medians and minimums (processes).

    scripts/measure-python-client.py [RUNS]    (VX_BIN: the vx binary, default target/debug/vx)
"""

import hashlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python", "src"))
import vx_client  # noqa: E402

VX = os.environ.get("VX_BIN") or os.path.join(ROOT, "target", "debug", "vx")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 41


def archive(name):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        data = b"#!/bin/sh\necho %s\n" % name.encode()
        info = tarfile.TarInfo("pkg/bin/" + name)
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def ms(samples):
    return "%.2f ms (%.2f)" % (statistics.median(samples) * 1e3, min(samples) * 1e3)


def us(samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return "p50 %.1f µs, p99 %.1f µs" % (statistics.median(samples) * 1e6, p99 * 1e6)


def main():
    work = tempfile.mkdtemp(prefix="vx-pyclient-")
    project = os.path.join(work, "project")
    os.makedirs(project)
    os.makedirs(os.path.join(work, "boards"))
    env = dict(os.environ)
    env.update(
        VX_BOARD_DIR=os.path.join(work, "boards"),
        XDG_DATA_HOME=os.path.join(work, "data"),
        VX_DAEMON_SOCKET=os.path.join(work, "d", "daemon.sock"),
    )
    tables = []
    for i in range(1, 11):
        name = "tool%d" % i
        body = archive(name)
        path = os.path.join(work, name + ".tar.gz")
        with open(path, "wb") as f:
            f.write(body)
        tables.append(
            '[tools.%s]\nversion = "1"\nurl = "file://%s"\nsha256 = "%s"\nstrip_components = 1\n\n'
            % (name, path, hashlib.sha256(body).hexdigest())
        )
    with open(os.path.join(project, "vx.toml"), "w") as f:
        f.write("".join(tables))
    run = lambda *args: subprocess.run([VX, *args], env=env, cwd=project, check=True, capture_output=True)  # noqa: E731
    run("sync", "--headless")
    run("daemon", "start")
    os.environ["VX_DAEMON_SOCKET"] = env["VX_DAEMON_SOCKET"]
    try:
        with vx_client.Client() as vx:
            assert vx.resolve("tool1", cwd=project).version == "1"
            for _ in range(200):
                vx.resolve("tool1", cwd=project)
            samples = []
            for _ in range(RUNS * 100):
                start = time.perf_counter()
                vx.resolve("tool1", cwd=project)
                samples.append(time.perf_counter() - start)
        print("Client.resolve, open connection:", us(samples))
        samples = []
        for _ in range(RUNS * 20):
            start = time.perf_counter()
            with vx_client.Client() as vx:
                vx.resolve("tool1", cwd=project)
            samples.append(time.perf_counter() - start)
        print("Client() + resolve + close:", us(samples))

        src = os.path.join(ROOT, "bindings", "python", "src")
        commands = {
            "python3: import vx_client, Client().resolve": [
                sys.executable, "-c",
                "import sys; sys.path.insert(0, %r); import vx_client; "
                "vx_client.Client().resolve('tool1')" % src,
            ],
            "vx which tool1 (daemon)": [VX, "which", "tool1"],
            "python3 -c pass": [sys.executable, "-c", "pass"],
            "vx --version": [VX, "--version"],
        }
        times = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, argv in commands.items():
                start = time.perf_counter()
                subprocess.run(argv, env=env, cwd=project, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
        for name, samples in times.items():
            print("%s: median (min) %s" % (name, ms(samples)))
    finally:
        subprocess.run([VX, "daemon", "stop"], env=env, capture_output=True)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
