"""The blocking client: :class:`Client` for requests, :class:`Subscription` for events."""

from __future__ import annotations

import os
import socket
import time
from typing import Any, Dict, Iterable, Iterator, Optional, Union

from . import messages
from ._lines import MAX_ANSWER, decode, encode
from .errors import ConnectionLost, DaemonTimeout, DaemonUnavailable, VxError
from .messages import (
    RESPONSE_TYPES,
    Environment,
    Event,
    Pong,
    Resolved,
    Toolchain,
    Versions,
)
from .socket_path import check_peer, check_socket_file, resolve_socket

PathLike = Union[str, "os.PathLike[str]"]

#: How long a request waits for its answer, by default (as the vx CLI does).
DEFAULT_TIMEOUT = 10.0


class _Connection:
    """One connection: checked, then lines written and read."""

    def __init__(self, path: Optional[PathLike], timeout: Optional[float]) -> None:
        self.path = resolve_socket(path if path is None else os.fspath(path))
        check_socket_file(self.path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(self.path)
            check_peer(sock, self.path)
        except socket.timeout:
            sock.close()
            raise DaemonTimeout(f"connecting to {self.path} timed out") from None
        except OSError as err:
            sock.close()
            raise DaemonUnavailable(self.path, err.strerror or str(err)) from None
        except VxError:
            sock.close()
            raise
        self.sock = sock
        self.timeout = timeout
        self.buffer = b""

    def send(self, request: Dict[str, Any]) -> None:
        try:
            self.sock.sendall(encode(request))
        except socket.timeout:
            raise DaemonTimeout("the daemon takes no more requests") from None
        except OSError as err:
            raise ConnectionLost(f"the daemon closed the connection: {err}") from None

    def receive(self) -> Dict[str, Any]:
        """One line within ``self.timeout`` in all (``None``: no limit): a daemon that
        trickles a byte now and then cannot hold the client longer than a daemon
        that sends nothing, as the async client's ``wait_for`` does."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            end = self.buffer.find(b"\n", 0, MAX_ANSWER)
            if end >= 0:
                line, self.buffer = self.buffer[: end + 1], self.buffer[end + 1 :]
                return decode(line)
            if len(self.buffer) >= MAX_ANSWER:
                return decode(self.buffer[:MAX_ANSWER])
            if deadline is None:
                self.sock.settimeout(None)
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DaemonTimeout("the daemon did not answer in time")
                self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise DaemonTimeout("the daemon did not answer in time") from None
            except OSError as err:
                raise ConnectionLost(f"the daemon closed the connection: {err}") from None
            if not chunk:
                return decode(self.buffer)
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


class Client:
    """A connection to the vx daemon, one request at a time.

    ``socket`` is the daemon's socket (default: found as the vx CLI finds it,
    :func:`vx_client.default_socket`); ``timeout`` bounds each answer, in seconds
    (``None``: wait forever). Connecting refuses a socket that is not this user's.
    Use it as a context manager, or :meth:`close` it.
    """

    def __init__(
        self, socket: Optional[PathLike] = None, *, timeout: Optional[float] = DEFAULT_TIMEOUT
    ) -> None:
        self._socket = socket
        self._conn = _Connection(socket, timeout)

    @property
    def socket_path(self) -> str:
        """The socket this client is connected to."""
        return self._conn.path

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection."""
        self._conn.close()

    def request(self, request: Dict[str, Any]) -> Dict[str, Any]:
        """Sends one request object and returns the answer's object as it came (an
        ``error`` answer included): for requests this client has no method for."""
        self._conn.send(request)
        while True:
            answer = self._conn.receive()
            if answer.get("type") in RESPONSE_TYPES:
                return answer

    def ping(self) -> Pong:
        """The daemon's uptime, inventory size, protocol and vx version."""
        return messages.parse_pong(self.request({"type": "ping"}))

    def resolve(
        self,
        runtime: str,
        version: Optional[str] = None,
        cwd: Optional[PathLike] = None,
    ) -> Resolved:
        """The executable, version and environment of tool ``runtime``: the version
        the project of ``cwd`` (default: the current directory) pins, else
        ``version``, else the newest installed. :class:`DaemonError` when there is
        none."""
        return messages.parse_resolved(self.request(_tool_request("resolve", runtime, version, cwd)))

    def get_environment(
        self,
        runtime: str,
        version: Optional[str] = None,
        cwd: Optional[PathLike] = None,
    ) -> Environment:
        """The environment tool ``runtime`` runs in (as :meth:`resolve`'s)."""
        return messages.parse_environment(
            self.request(_tool_request("get_environment", runtime, version, cwd))
        )

    def list_versions(self, runtime: str) -> Versions:
        """The installed versions of ``runtime``, oldest first; when none is, the
        registry's, newest first (``source == "registry"``)."""
        return messages.parse_versions(self.request({"type": "list_versions", "runtime": runtime}))

    def toolchain(self, cwd: Optional[PathLike] = None, store: Optional[PathLike] = None) -> Toolchain:
        """The toolchain of the project of ``cwd`` (default: the current directory) in
        the daemon's store: its manifest, tools' directories, missing tools and
        ``[env]``. ``store``, when given, must be the daemon's."""
        request: Dict[str, Any] = {"type": "toolchain", "cwd": _absolute(cwd)}
        if store is not None:
            request["store"] = os.path.abspath(os.fspath(store))
        return messages.parse_toolchain(self.request(request))

    def subscribe(
        self,
        event_types: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> "Subscription":
        """Events of ``event_types`` (default: all of :data:`vx_client.EVENT_TYPES`),
        on a connection of their own, as an iterator. ``timeout``: the longest wait for
        one event (default: none)."""
        return Subscription(self._socket, event_types, timeout=timeout)


class Subscription:
    """An iterator of the daemon's events (:data:`vx_client.Event`), on its own
    connection. It ends with :class:`ConnectionLost` when the daemon goes away, and
    :meth:`close` (or leaving its ``with`` block) ends it from this side."""

    def __init__(
        self,
        socket: Optional[PathLike] = None,
        event_types: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> None:
        types = list(event_types) if event_types is not None else list(messages.EVENT_TYPES)
        self._closed = False
        self._conn = _Connection(socket, DEFAULT_TIMEOUT)
        try:
            self._conn.send({"type": "subscribe", "event_types": types})
            self.id = messages.parse_subscribed(self._conn.receive())
            self._conn.timeout = timeout
        except BaseException:
            self._conn.close()
            raise

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ends the subscription: the iteration stops."""
        self._closed = True
        self._conn.close()

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        if self._closed:
            raise StopIteration
        return messages.parse_event(self._conn.receive())


def _absolute(cwd: Optional[PathLike]) -> str:
    return os.path.abspath(os.fspath(cwd)) if cwd is not None else os.getcwd()


def _tool_request(
    kind: str, runtime: str, version: Optional[str], cwd: Optional[PathLike]
) -> Dict[str, Any]:
    return {"type": kind, "runtime": runtime, "version": version, "cwd": _absolute(cwd)}
