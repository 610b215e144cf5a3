"""The asyncio client: :class:`AsyncClient` for requests, :class:`AsyncSubscription`
for events. The same calls as :mod:`vx_client.client`, awaited."""

from __future__ import annotations

import asyncio
import os
from typing import Any, AsyncIterator, Dict, Iterable, Optional

from . import messages
from ._lines import MAX_ANSWER, decode, encode
from .client import DEFAULT_TIMEOUT, PathLike, _absolute, _tool_request
from .errors import ConnectionLost, DaemonTimeout, DaemonUnavailable, ProtocolError, VxError
from .messages import RESPONSE_TYPES, Environment, Event, Pong, Resolved, Toolchain, Versions
from .socket_path import check_peer, check_socket_file, resolve_socket


class _Connection:
    """One connection over asyncio streams."""

    def __init__(
        self,
        path: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        timeout: Optional[float],
    ) -> None:
        self.path = path
        self.reader = reader
        self.writer = writer
        self.timeout = timeout

    @classmethod
    async def open(cls, path: Optional[PathLike], timeout: Optional[float]) -> "_Connection":
        where = resolve_socket(path if path is None else os.fspath(path))
        check_socket_file(where)
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_unix_connection(where, limit=MAX_ANSWER), timeout
            )
        except asyncio.TimeoutError:
            raise DaemonTimeout(f"connecting to {where} timed out") from None
        except OSError as err:
            raise DaemonUnavailable(where, err.strerror or str(err)) from None
        # asyncio's TransportSocket, which has getsockopt.
        sock = writer.get_extra_info("socket")
        try:
            if sock is not None:
                check_peer(sock, where)
        except VxError:
            writer.close()
            raise
        return cls(where, reader, writer, timeout)

    async def send(self, request: Dict[str, Any]) -> None:
        try:
            self.writer.write(encode(request))
            await self.writer.drain()
        except OSError as err:
            raise ConnectionLost(f"the daemon closed the connection: {err}") from None

    async def receive(self, timeout: Optional[float]) -> Dict[str, Any]:
        try:
            line = await asyncio.wait_for(self.reader.readline(), timeout)
        except asyncio.TimeoutError:
            raise DaemonTimeout("the daemon did not answer in time") from None
        except (asyncio.LimitOverrunError, ValueError):
            # readline's answer to a line over the reader's limit.
            raise ProtocolError("an over-long line from the daemon") from None
        except OSError as err:
            raise ConnectionLost(f"the daemon closed the connection: {err}") from None
        return decode(line)

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


class AsyncClient:
    """A connection to the vx daemon for asyncio, one request at a time (concurrent
    calls wait their turn). Make one with ``await AsyncClient.connect(...)`` (the
    arguments of :class:`vx_client.Client`), and use it as an async context manager
    or :meth:`close` it."""

    def __init__(self, conn: _Connection, socket: Optional[PathLike]) -> None:
        self._conn = conn
        self._socket = socket
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(
        cls, socket: Optional[PathLike] = None, *, timeout: Optional[float] = DEFAULT_TIMEOUT
    ) -> "AsyncClient":
        """Connects (refusing a socket that is not this user's)."""
        return cls(await _Connection.open(socket, timeout), socket)

    @property
    def socket_path(self) -> str:
        """The socket this client is connected to."""
        return self._conn.path

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the connection."""
        await self._conn.close()

    async def request(self, request: Dict[str, Any]) -> Dict[str, Any]:
        """As :meth:`vx_client.Client.request`."""
        async with self._lock:
            await self._conn.send(request)
            while True:
                answer = await self._conn.receive(self._conn.timeout)
                if answer.get("type") in RESPONSE_TYPES:
                    return answer

    async def ping(self) -> Pong:
        """As :meth:`vx_client.Client.ping`."""
        return messages.parse_pong(await self.request({"type": "ping"}))

    async def resolve(
        self, runtime: str, version: Optional[str] = None, cwd: Optional[PathLike] = None
    ) -> Resolved:
        """As :meth:`vx_client.Client.resolve`."""
        return messages.parse_resolved(
            await self.request(_tool_request("resolve", runtime, version, cwd))
        )

    async def get_environment(
        self, runtime: str, version: Optional[str] = None, cwd: Optional[PathLike] = None
    ) -> Environment:
        """As :meth:`vx_client.Client.get_environment`."""
        return messages.parse_environment(
            await self.request(_tool_request("get_environment", runtime, version, cwd))
        )

    async def list_versions(self, runtime: str) -> Versions:
        """As :meth:`vx_client.Client.list_versions`."""
        return messages.parse_versions(
            await self.request({"type": "list_versions", "runtime": runtime})
        )

    async def toolchain(
        self, cwd: Optional[PathLike] = None, store: Optional[PathLike] = None
    ) -> Toolchain:
        """As :meth:`vx_client.Client.toolchain`."""
        request: Dict[str, Any] = {"type": "toolchain", "cwd": _absolute(cwd)}
        if store is not None:
            request["store"] = os.path.abspath(os.fspath(store))
        return messages.parse_toolchain(await self.request(request))

    async def subscribe(
        self, event_types: Optional[Iterable[str]] = None, *, timeout: Optional[float] = None
    ) -> "AsyncSubscription":
        """As :meth:`vx_client.Client.subscribe`: an async iterator of events."""
        return await AsyncSubscription.open(self._socket, event_types, timeout=timeout)


class AsyncSubscription:
    """An async iterator of the daemon's events on its own connection; it ends with
    :class:`ConnectionLost` when the daemon goes away, and :meth:`close` ends it from
    this side."""

    def __init__(self, conn: _Connection, subscription_id: str, timeout: Optional[float]) -> None:
        self._conn = conn
        self.id = subscription_id
        self._timeout = timeout
        self._closed = False

    @classmethod
    async def open(
        cls,
        socket: Optional[PathLike] = None,
        event_types: Optional[Iterable[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> "AsyncSubscription":
        """Subscribes on a new connection."""
        types = list(event_types) if event_types is not None else list(messages.EVENT_TYPES)
        conn = await _Connection.open(socket, DEFAULT_TIMEOUT)
        try:
            await conn.send({"type": "subscribe", "event_types": types})
            subscription_id = messages.parse_subscribed(await conn.receive(DEFAULT_TIMEOUT))
        except BaseException:
            await conn.close()
            raise
        return cls(conn, subscription_id, timeout)

    async def __aenter__(self) -> "AsyncSubscription":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Ends the subscription: the iteration stops."""
        self._closed = True
        await self._conn.close()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        if self._closed:
            raise StopAsyncIteration
        return messages.parse_event(await self._conn.receive(self._timeout))
