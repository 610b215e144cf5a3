"""Fixtures: a workspace of its own (HOME, store, boards, socket) with a project of
``file://`` tools, and the REAL ``vx daemon`` of the build under test (``$VX_BIN``,
default ``target/debug/vx`` of this repository) serving it.

Nothing waits on time: every wait is for something the test can observe, bounded by
:data:`DEADLINE` so that a failure is a failure, never a hang.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import tarfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

#: The longest any one wait may take before the test fails.
DEADLINE = 60.0

REPO = Path(__file__).resolve().parents[3]


def vx_bin() -> str:
    path = os.environ.get("VX_BIN") or str(REPO / "target" / "debug" / "vx")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no vx binary at {path}: build it (cargo build) or set VX_BIN")
    return path


def tool_archive(name: str) -> bytes:
    """A tar.gz of ``NAME-1/bin/NAME`` (a script printing ``NAME``) and a README.

    The same bytes every time (gzip's header time fixed at 0, as the members' are): a
    project written again a second later must name the archive it synced, not one
    whose sha256 moved with the clock."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for member, data, mode in [
            (f"{name}-1/bin/{name}", f"#!/bin/sh\necho {name}\n".encode(), 0o755),
            (f"{name}-1/README", b"read me\n", 0o644),
        ]:
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mode = mode
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class Workspace:
    """A temporary HOME with a project, a store, a board directory and a daemon
    socket of its own: no test meets another's daemon or the user's."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / "project"
        self.project.mkdir()
        self.store = root / "store"
        self.archives = root / "archives"
        self.archives.mkdir()
        (root / "boards").mkdir()
        self.socket = root / "d" / "daemon.sock"
        self.vx = vx_bin()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VX_", "XDG_"))}
        env.pop("GITHUB_TOKEN", None)
        env.pop("GH_TOKEN", None)
        env.update(
            HOME=str(root / "home"),
            XDG_DATA_HOME=str(root / "data"),
            XDG_CONFIG_HOME=str(root / "config"),
            VX_CACHE_DIR=str(root / "cache"),
            VX_BOARD_DIR=str(root / "boards"),
            VX_DAEMON_SOCKET=str(self.socket),
        )
        self.env = env
        self.tools: List[str] = []

    @property
    def manifest(self) -> Path:
        return self.project / "vx.toml"

    def tree(self, tool: str, version: str) -> Path:
        """The store's tree of ``tool`` at ``version``: ``<store>/<tool>/<version>-<key>``,
        ``<key>`` (12 hex digits) naming the package it came from."""
        found = [
            d
            for d in (self.store / tool).iterdir()
            if re.fullmatch(re.escape(version) + r"-[0-9a-f]{12}", d.name)
        ]
        assert len(found) == 1, found
        return found[0]

    def tool_toml(self, name: str, post_install: Optional[str] = None) -> str:
        """The ``[tools.NAME]`` table of a ``file://`` tool, version 1."""
        body = tool_archive(name)
        path = self.archives / f"{name}.tar.gz"
        path.write_bytes(body)
        sha = hashlib.sha256(body).hexdigest()
        table = (
            f'[tools.{name}]\nversion = "1"\nurl = "file://{path}"\n'
            f'sha256 = "{sha}"\nstrip_components = 1\n'
        )
        if post_install is not None:
            table += f"post_install = {json.dumps(post_install)}\n"
        return table + "\n"

    def write_project(self, names: List[str], extra: str = "", post_install: Optional[str] = None) -> None:
        self.tools = list(names)
        text = "".join(self.tool_toml(n, post_install) for n in names)
        self.manifest.write_text(text + extra)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [self.vx, *args],
            env=self.env,
            cwd=self.project,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        if check and out.returncode != 0:
            raise AssertionError(f"vx {' '.join(args)} exited {out.returncode}: {out.stderr}")
        return out

    def sync_args(self) -> List[str]:
        return [self.vx, "sync", "--headless", "--manifest", str(self.manifest), "--store", str(self.store)]

    def sync(self) -> None:
        self.run(*self.sync_args()[1:])

    def start_daemon(self) -> None:
        self.run("daemon", "start", "--store", str(self.store))

    def status(self) -> Dict[str, object]:
        return json.loads(self.run("daemon", "status", "--json", check=False).stdout)

    def daemon_pid(self) -> int:
        pid = self.status()["pid"]
        assert isinstance(pid, int), self.status()
        return pid

    def stop_daemon(self) -> None:
        status = self.status()
        if not status.get("running"):
            return
        self.run("daemon", "stop", check=False)
        pid = status.get("pid")
        if self.status().get("running") and isinstance(pid, int):
            os.kill(pid, signal.SIGKILL)

    def log(self) -> str:
        try:
            return (self.socket.parent / "daemon.log").read_text()
        except OSError:
            return ""


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace(tmp_path)
    try:
        yield ws
    finally:
        ws.stop_daemon()


@pytest.fixture
def daemon(work: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A project of two tools, ``t0`` and ``t1``, synced, and a daemon serving its
    store; the tests' process finds the daemon as any client would
    (``VX_DAEMON_SOCKET``) and runs in the project directory."""
    work.write_project(["t0", "t1"], extra='[env]\nGREETING = "hello from {project}"\n')
    work.sync()
    # The daemon answers a project's own [env] once the user trusts it (`vx trust`),
    # as the shell hook applies it.
    work.run("trust", str(work.project))
    work.start_daemon()
    monkeypatch.setenv("VX_DAEMON_SOCKET", str(work.socket))
    monkeypatch.chdir(work.project)
    return work
