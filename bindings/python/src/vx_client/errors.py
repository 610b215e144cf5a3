"""The exceptions of vx_client: every failure is a :class:`VxError`."""

from __future__ import annotations


class VxError(Exception):
    """Anything that went wrong talking to the vx daemon."""


class DaemonUnavailable(VxError):
    """No daemon answers at the socket (none runs, or it cannot be reached).

    ``vx daemon start`` starts one.
    """

    def __init__(self, socket: str, reason: str) -> None:
        super().__init__(f"no vx daemon answers at {socket}: {reason}")
        self.socket = socket
        self.reason = reason


class ConnectionLost(VxError):
    """The daemon closed the connection (it stopped or was killed) mid-conversation."""


class DaemonTimeout(VxError, TimeoutError):
    """The daemon did not answer (or, for a subscription given a timeout, sent no
    event) in time."""


class UnsafeSocket(VxError):
    """The socket is not this user's, or its peer runs as another user.

    The daemon is per user; a socket of anyone else could be an impostor that would
    answer with executables of its choosing, so it is never talked to.
    """


class DaemonError(VxError):
    """The daemon answered ``{"type": "error"}``; :attr:`message` is its message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProtocolError(VxError):
    """The daemon sent something this client cannot read (not JSON, over-long, or an
    answer of the wrong type)."""
