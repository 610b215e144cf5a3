"""vx_client against the real ``vx daemon``: every call, sync and async alike, a
subscription that follows a real ``vx sync`` to its final event, a daemon killed
mid-subscription, sockets of another user refused, and discovery as the CLI does it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, List, TypeVar

import pytest
from conftest import DEADLINE, Workspace

import vx_client
from vx_client import (
    AsyncClient,
    Client,
    ConfigChanged,
    ConnectionLost,
    DaemonError,
    DaemonUnavailable,
    RuntimeInstalled,
    SyncProgress,
    UnsafeSocket,
)

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, DEADLINE))  # type: ignore[arg-type]


# --- every call -----------------------------------------------------------------------


def check_answers(work: Workspace, ask: Callable[..., Any]) -> None:
    """The answers of one client (sync or async, through ``ask(method, *args)``) to
    every request, as a user of the project would check them."""
    pong = ask("ping")
    assert pong.protocol >= vx_client.PROTOCOL_VERSION
    assert pong.cached_runtimes == 2
    # `vx 0.1.0 (COMMIT DATE)`: the version is the second word.
    version = work.run("--version").stdout.split()[1]
    assert pong.version == version, "the daemon says which vx it is"

    resolved = ask("resolve", "t0")
    assert resolved.version == "1"
    assert resolved.executable == str(work.tree("t0", "1") / "bin" / "t0")
    assert subprocess.run(
        [resolved.executable], env=resolved.env, capture_output=True, text=True
    ).stdout == "t0\n", "the executable runs in the environment given"
    path = resolved.env["PATH"].split(os.pathsep)
    assert path[:2] == [str(work.tree("t0", "1") / "bin"), str(work.tree("t1", "1") / "bin")]
    assert resolved.env["GREETING"] == f"hello from {work.project}"

    env = ask("get_environment", "t1")
    assert env.env == resolved.env
    assert env.unset == []

    versions = ask("list_versions", "t1")
    assert versions.versions == ["1"] and versions.source is None

    chain = ask("toolchain")
    assert chain.manifest == str(work.manifest)
    assert chain.bin_dirs == [str(work.tree("t0", "1") / "bin"), str(work.tree("t1", "1") / "bin")]
    assert chain.missing == []
    assert chain.environment is not None
    assert chain.environment.project == str(work.project)
    assert [(v.name, v.value) for v in chain.environment.vars] == [
        ("GREETING", "hello from {project}")
    ]

    # A tool the project does not have: the daemon's message, as an exception.
    with pytest.raises(DaemonError) as err:
        ask("resolve", "nope")
    assert "nope" in err.value.message
    with pytest.raises(DaemonError) as err:
        ask("toolchain", work.project, "/elsewhere")
    assert "/elsewhere" in str(err.value)
    # The connection goes on after an error.
    assert ask("list_versions", "t0").versions == ["1"]

    # Outside the project: no toolchain, and the newest installed version alone.
    outside = ask("toolchain", work.root)
    assert outside.manifest is None and outside.bin_dirs == [] and outside.environment is None
    alone = ask("resolve", "t1", None, work.root)
    assert alone.env["PATH"].split(os.pathsep)[0] == str(work.tree("t1", "1") / "bin")
    assert "GREETING" not in alone.env


def test_every_call_of_the_blocking_client(daemon: Workspace) -> None:
    with Client() as vx:
        assert vx.socket_path == str(daemon.socket)
        check_answers(daemon, lambda method, *args: getattr(vx, method)(*args))


def test_every_call_of_the_async_client(daemon: Workspace) -> None:
    async def main() -> None:
        async with await AsyncClient.connect() as vx:
            loop = asyncio.get_running_loop()

            def ask(method: str, *args: Any) -> Any:
                # check_answers is synchronous; the calls run on this loop from a thread.
                return asyncio.run_coroutine_threadsafe(getattr(vx, method)(*args), loop).result(DEADLINE)

            await loop.run_in_executor(None, check_answers, daemon, ask)
            # Concurrent calls on one client each get their own answer.
            answers = await asyncio.gather(*(vx.list_versions(t) for t in ["t0", "t1", "t0"]))
            assert [a.versions for a in answers] == [["1"], ["1"], ["1"]]

    run(main())


def test_a_missing_tool_is_named_in_the_toolchain(daemon: Workspace) -> None:
    text = daemon.manifest.read_text()
    daemon.manifest.write_text(text.replace("[env]", daemon.tool_toml("t2") + "[env]"))
    with Client() as vx:
        chain = vx.toolchain()
    assert [(m.label, m.commands) for m in chain.missing] == [("t2 1", ["t2"])]


def test_an_untrusted_project_lends_only_its_tools(daemon: Workspace) -> None:
    assert daemon.run("trust", "--revoke", str(daemon.project)).returncode == 0
    with Client() as vx:
        chain = vx.toolchain()
        resolved = vx.resolve("t0")
    assert chain.trusted is False
    assert chain.environment is not None and chain.environment.vars == []
    assert "GREETING" not in resolved.env
    daemon.run("trust", str(daemon.project))
    with Client() as vx:
        assert vx.toolchain().trusted is True
        assert vx.resolve("t0").env["GREETING"] == f"hello from {daemon.project}"


def test_an_env_file_comes_before_env_and_a_single_quoted_value_is_literal(
    daemon: Workspace,
) -> None:
    text = daemon.manifest.read_text()
    daemon.manifest.write_text('[settings]\nenv_file = ".env"\n\n' + text)
    (daemon.project / ".env").write_text("TOKEN='${HOME}'\nGREETING=from the file\n")
    with Client() as vx:
        chain = vx.toolchain()
    assert chain.environment is not None
    assert [(v.name, v.value, v.literal) for v in chain.environment.vars] == [
        ("TOKEN", "${HOME}", True),
        ("GREETING", "from the file", False),
        ("GREETING", "hello from {project}", False),
    ]
    assert [v.line for v in chain.environment.vars[:2]] == [1, 2], "lines of the .env"


# --- subscriptions ----------------------------------------------------------------------


def gated_project(work: Workspace) -> Path:
    """Three tools whose post_install waits for a gate file: a sync that stays in
    progress until the test lets it end."""
    gate = work.root / "gate"
    work.write_project(["a", "b", "c"], post_install=f"while [ ! -e '{gate}' ]; do sleep 0.01; done")
    return gate


def follow_sync(work: Workspace, events: Callable[[], Any], gate: Path) -> None:
    """Reads events (``events()`` gives the next) while a ``vx sync`` runs: a
    progress row in post-install before the gate opens, then the board's final
    event with every tool completed, and each tool's runtime_installed."""
    sync = subprocess.Popen(work.sync_args(), env=work.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        installed = set()
        live = None
        while True:
            event = events()
            if isinstance(event, RuntimeInstalled):
                installed.add(event.runtime)
            if not isinstance(event, SyncProgress) or event.label != str(work.manifest):
                continue
            if live is None:
                assert not event.final, "the sync waits for the gate"
                if any(t.phase == "post-install" for t in event.tools):
                    live = event
                    gate.touch()
            elif event.final:
                assert event.board == live.board
                assert [(t.tool, t.phase) for t in event.tools] == [
                    ("a", "completed"),
                    ("b", "completed"),
                    ("c", "completed"),
                ]
                assert event.done == 3
                break
        assert sync.wait(DEADLINE) == 0, sync.stderr.read() if sync.stderr else ""
        while installed != {"a", "b", "c"}:
            event = events()
            if isinstance(event, RuntimeInstalled):
                installed.add(event.runtime)
    finally:
        gate.touch()
        if sync.poll() is None:
            sync.kill()
        sync.wait()


def test_a_subscription_follows_a_sync_to_its_final_event(work: Workspace) -> None:
    gate = gated_project(work)
    work.start_daemon()
    with Client(work.socket).subscribe(["sync_progress", "runtime_installed"], timeout=DEADLINE) as events:
        assert events.id
        follow_sync(work, lambda: next(events), gate)
    assert list(events) == [], "a closed subscription ends"


def test_an_async_subscription_follows_a_sync_to_its_final_event(work: Workspace) -> None:
    gate = gated_project(work)
    work.start_daemon()

    async def main() -> None:
        async with await AsyncClient.connect(work.socket) as vx:
            async with await vx.subscribe(["sync_progress", "runtime_installed"], timeout=DEADLINE) as events:
                loop = asyncio.get_running_loop()

                def next_event() -> Any:
                    return asyncio.run_coroutine_threadsafe(events.__anext__(), loop).result(DEADLINE)

                await loop.run_in_executor(None, follow_sync, work, next_event, gate)
            assert [e async for e in events] == []

    run(main())


def test_an_edit_of_vx_toml_is_an_event(daemon: Workspace) -> None:
    with Client() as vx:
        vx.toolchain()  # the daemon watches the projects it answered for
        with vx.subscribe(["config_changed"], timeout=DEADLINE) as events:
            with daemon.manifest.open("a") as f:
                f.write("# edited\n")
            event = next(events)
    assert event == ConfigChanged(path=str(daemon.manifest))


# --- a daemon that goes away ------------------------------------------------------------


def wait_until_gone(work: Workspace) -> None:
    """Until the killed daemon's process has exited (its lock is free): its threads
    end after the connections they served are closed."""
    deadline = time.monotonic() + DEADLINE
    while work.status().get("running"):
        assert time.monotonic() < deadline, "the killed daemon never exited"


def test_a_daemon_killed_mid_subscription_ends_it_with_an_exception(daemon: Workspace) -> None:
    vx = Client()
    events = vx.subscribe()  # no timeout: only the daemon's end can stop the wait
    failure: List[BaseException] = []

    def read() -> None:
        try:
            for _ in events:
                pass
        except BaseException as err:  # noqa: BLE001 - kept for the assertion
            failure.append(err)

    reader = threading.Thread(target=read)
    reader.start()
    os.kill(daemon.daemon_pid(), signal.SIGKILL)
    reader.join(DEADLINE)
    assert not reader.is_alive(), "the subscription did not notice the daemon's end"
    assert len(failure) == 1 and isinstance(failure[0], ConnectionLost), failure
    with pytest.raises(ConnectionLost):
        vx.ping()
    # Once the process is gone, its socket file is still there; nobody listens.
    wait_until_gone(daemon)
    with pytest.raises(DaemonUnavailable):
        Client()


def test_a_daemon_killed_mid_async_subscription_ends_it_with_an_exception(daemon: Workspace) -> None:
    async def main() -> BaseException:
        events = await vx_client.AsyncSubscription.open()
        os.kill(daemon.daemon_pid(), signal.SIGKILL)
        try:
            async for _ in events:
                pass
        except ConnectionLost as err:
            return err
        raise AssertionError("the subscription ended without an exception")

    assert isinstance(run(main()), ConnectionLost)
    wait_until_gone(daemon)

    async def connect() -> None:
        await AsyncClient.connect()

    with pytest.raises(DaemonUnavailable):
        run(connect())


def test_no_daemon_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DaemonUnavailable) as err:
        Client(tmp_path / "daemon.sock")
    assert str(tmp_path / "daemon.sock") in str(err.value)
    assert isinstance(err.value, vx_client.VxError)


# --- sockets of another user ------------------------------------------------------------

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make files of another user")


@needs_root
def test_a_socket_of_another_user_is_refused_before_connecting(tmp_path: Path) -> None:
    path = tmp_path / "daemon.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    listener.setblocking(False)
    os.chown(path, 65534, 65534)
    try:
        with pytest.raises(UnsafeSocket) as err:
            Client(path)
        assert "uid 65534" in str(err.value)

        async def connect() -> None:
            await AsyncClient.connect(path)

        with pytest.raises(UnsafeSocket):
            run(connect())
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing was sent to it: the client never connected
    finally:
        listener.close()


SYSTEM_PYTHON = next((p for p in ["/usr/bin/python3", "/usr/local/bin/python3"] if Path(p).exists()), None)


@needs_root
@pytest.mark.skipif(not Path("/usr/bin/setpriv").exists() or not SYSTEM_PYTHON, reason="needs setpriv and a system python3")
def test_a_listener_of_another_user_behind_our_socket_file_is_refused() -> None:
    # A process of uid 65534 listens; the socket file is then given to us: only the
    # kernel's word on the peer (SO_PEERCRED) can tell.
    shared = Path(tempfile.mkdtemp(prefix="vx-client-peer-", dir="/tmp"))
    shared.chmod(0o777)
    path = shared / "daemon.sock"
    server = subprocess.Popen(
        [
            "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            str(SYSTEM_PYTHON), "-c",
            "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\n"
            "s.listen()\nprint('listening',flush=True)\nc,_=s.accept()\n"
            "print(repr(c.recv(100)),flush=True)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == "listening\n"
        os.chown(path, os.geteuid(), os.getegid())
        with pytest.raises(UnsafeSocket) as err:
            Client(path)
        assert "uid 65534" in str(err.value)
        out, _ = server.communicate(timeout=DEADLINE)
        assert out == "b''\n", "the client closed without sending anything"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        shutil.rmtree(shared)


# --- discovery --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"VX_DAEMON_SOCKET": "/somewhere/else.sock", "XDG_RUNTIME_DIR": "/run/user/7"},
        {"VX_DAEMON_SOCKET": "relative/d.sock"},
        {"XDG_RUNTIME_DIR": "/run/user/7"},
        {"XDG_RUNTIME_DIR": "not/absolute", "TMPDIR": "/var/tmp"},
        {},
    ],
)
def test_the_socket_is_found_where_the_cli_looks(
    work: Workspace, env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ["VX_DAEMON_SOCKET", "XDG_RUNTIME_DIR", "TMPDIR"]:
        monkeypatch.delenv(name, raising=False)
        work.env.pop(name, None)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(work.project)
    cli = subprocess.run(
        [work.vx, "daemon", "status", "--json"],
        env={**work.env, **env},
        cwd=work.project,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert vx_client.default_socket() == json.loads(cli.stdout)["socket"]


# --- forward compatibility --------------------------------------------------------------


def test_what_a_newer_daemon_adds_is_read_or_kept() -> None:
    from vx_client import messages

    future = messages.parse_event({"type": "toolchain_changed", "project": "/p"})
    assert future == vx_client.UnknownEvent(type="toolchain_changed", data={"type": "toolchain_changed", "project": "/p"})
    pong = messages.parse_pong({"type": "pong", "uptime_secs": 1, "cached_runtimes": 0, "protocol": 9, "version": "9.0.0", "load": 3})
    assert (pong.protocol, pong.version) == (9, "9.0.0")
    old = messages.parse_pong({"type": "pong", "uptime_secs": 1, "cached_runtimes": 0})
    assert old.protocol == 0, "a daemon older than the field"
    with pytest.raises(vx_client.ProtocolError):
        messages.parse_pong({"type": "pong", "uptime_secs": "soon", "cached_runtimes": 0})


def test_a_runtimes_versions_carry_its_lts_lines_and_a_bad_map_is_a_protocol_error():
    from vx_client.messages import parse_versions

    answer = {
        "type": "versions",
        "versions": ["22.12.0", "21.7.3", "20.11.1"],
        "source": "registry",
        "lts": {"22.12.0": "Jod", "20.11.1": "Iron"},
    }
    versions = parse_versions(answer)
    assert versions.lts == {"22.12.0": "Jod", "20.11.1": "Iron"}
    assert parse_versions({"type": "versions", "versions": ["1"]}).lts == {}
    with pytest.raises(vx_client.ProtocolError):
        parse_versions({**answer, "lts": {"20.11.1": 20}})


# --- a daemon that answers badly (issue 53, item 15) --------------------------------------


def stand_in(tmp: Path, answer: Callable[[socket.socket], None]) -> str:
    """A socket of this user in a private directory whose one connection reads the
    request line and then runs ``answer``: a daemon that answers badly."""
    directory = tmp / "d"
    directory.mkdir(mode=0o700)
    path = str(directory / "daemon.sock")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.makefile("rb").readline()
            try:
                answer(conn)
            except OSError:
                pass
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return path


def test_a_daemon_trickling_its_answer_is_a_timeout_for_the_whole_answer(tmp_path: Path) -> None:
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        # A byte every 50 ms: each read is quick, the answer never ends.
        while not stop.is_set():
            conn.sendall(b" ")
            time.sleep(0.05)

    path = stand_in(tmp_path, trickle)
    started = time.monotonic()
    try:
        with Client(path, timeout=0.5) as client:
            with pytest.raises(vx_client.DaemonTimeout):
                client.ping()
    finally:
        stop.set()
    assert time.monotonic() - started < DEADLINE


def test_an_answer_nested_too_deep_is_a_protocol_error(tmp_path: Path) -> None:
    deep = b'{"type":"pong","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    path = stand_in(tmp_path, lambda conn: conn.sendall(deep))
    with Client(path, timeout=DEADLINE) as client:
        with pytest.raises(vx_client.ProtocolError):
            client.ping()
