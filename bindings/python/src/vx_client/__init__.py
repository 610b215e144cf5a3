"""vx_client: a client of the vx daemon (``vx daemon start``), standard library only.

Ask which executable, version and environment a project pins for a tool, what a
project's toolchain is, and follow syncs, installs and edits of ``vx.toml`` as they
happen::

    from vx_client import Client

    with Client() as vx:
        python = vx.resolve("python", cwd="/path/to/project")
        print(python.executable, python.version)
        for event in vx.subscribe(["sync_progress"]):
            print(event)

:class:`AsyncClient` offers the same calls for asyncio. The wire protocol is
``docs/PROTOCOL.md`` of the vx repository, version :data:`PROTOCOL_VERSION`.
"""

from typing import TYPE_CHECKING, Any

from .client import DEFAULT_TIMEOUT, Client, Subscription
from .errors import (
    ConnectionLost,
    DaemonError,
    DaemonTimeout,
    DaemonUnavailable,
    ProtocolError,
    UnsafeSocket,
    VxError,
)
from .messages import (
    EVENT_TYPES,
    FINISHED_PHASES,
    PROTOCOL_VERSION,
    ConfigChanged,
    Declared,
    Environment,
    EnvVar,
    Event,
    Lagged,
    MissingTool,
    Pong,
    Resolved,
    RuntimeInstalled,
    RuntimeRemoved,
    SyncProgress,
    Toolchain,
    ToolProgress,
    UnknownEvent,
    Versions,
)
from .socket_path import default_socket

if TYPE_CHECKING:
    from .aio import AsyncClient, AsyncSubscription

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The asyncio client is imported when first named: asyncio alone takes longer to
    # import than the rest of the package, and a blocking user never needs it.
    if name in ("AsyncClient", "AsyncSubscription"):
        from . import aio

        return getattr(aio, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AsyncClient",
    "AsyncSubscription",
    "Client",
    "ConfigChanged",
    "ConnectionLost",
    "DEFAULT_TIMEOUT",
    "DaemonError",
    "DaemonTimeout",
    "DaemonUnavailable",
    "Declared",
    "EVENT_TYPES",
    "EnvVar",
    "Environment",
    "Event",
    "FINISHED_PHASES",
    "Lagged",
    "MissingTool",
    "PROTOCOL_VERSION",
    "Pong",
    "ProtocolError",
    "Resolved",
    "RuntimeInstalled",
    "RuntimeRemoved",
    "Subscription",
    "SyncProgress",
    "ToolProgress",
    "Toolchain",
    "UnknownEvent",
    "UnsafeSocket",
    "Versions",
    "VxError",
    "default_socket",
]
