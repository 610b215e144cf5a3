"""Where the daemon listens, found as the vx CLI finds it, and the checks that a socket
is this user's before anything is sent to it."""

from __future__ import annotations

import os
import socket
import stat
import struct
import sys
from typing import Optional

from .errors import DaemonUnavailable, UnsafeSocket

#: The socket's file name in its directory.
SOCKET_FILE = "daemon.sock"


def default_socket() -> str:
    """The daemon's socket: ``$VX_DAEMON_SOCKET`` when set, else
    ``$XDG_RUNTIME_DIR/vx/daemon.sock`` when that variable is an absolute path, else
    ``$TMPDIR/vx-<uid>/daemon.sock`` (``/tmp`` without ``TMPDIR``)."""
    explicit = os.environ.get("VX_DAEMON_SOCKET")
    if explicit:
        return os.path.abspath(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "vx", SOCKET_FILE)
    tmp = os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(tmp, "vx-%d" % os.geteuid(), SOCKET_FILE)


def check_socket_file(path: str) -> None:
    """Refuses (:class:`UnsafeSocket`) a path that is not a socket owned by this
    user; :class:`DaemonUnavailable` when there is nothing there."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DaemonUnavailable(path, "no socket (is `vx daemon start` running?)") from None
    except OSError as err:
        raise DaemonUnavailable(path, err.strerror or str(err)) from None
    if not stat.S_ISSOCK(info.st_mode):
        raise UnsafeSocket(f"{path} is not a socket")
    if info.st_uid != os.geteuid():
        raise UnsafeSocket(
            f"{path} belongs to uid {info.st_uid}, not to this user (uid {os.geteuid()}): "
            "refusing to talk to another user's daemon"
        )


def check_peer(sock: socket.socket, path: str) -> None:
    """Refuses (:class:`UnsafeSocket`) a connection whose listening process runs as
    another user, where the kernel says (``SO_PEERCRED``, Linux)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None or not sys.platform.startswith("linux"):
        return
    creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    if uid != os.geteuid():
        raise UnsafeSocket(
            f"the process listening at {path} runs as uid {uid}, not as this user "
            f"(uid {os.geteuid()}): refusing to talk to another user's daemon"
        )


def resolve_socket(path: Optional[str]) -> str:
    """``path``, or the default socket."""
    return os.fspath(path) if path is not None else default_socket()
