"""Newline-delimited JSON: one request written, one line read back."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping

from .errors import ConnectionLost, ProtocolError

#: The longest line read from the daemon (a 4096-tool ``sync_progress`` fits), as the
#: CLI's own client allows.
MAX_ANSWER = 64 * 64 * 1024


def encode(request: Mapping[str, Any]) -> bytes:
    """One request line, newline included."""
    return json.dumps(request, separators=(",", ":")).encode("utf-8") + b"\n"


def decode(line: bytes) -> Dict[str, Any]:
    """One line read from the daemon with a limit of :data:`MAX_ANSWER` bytes: its
    JSON object. An empty or cut line means the daemon closed the connection."""
    if not line.endswith(b"\n"):
        if len(line) >= MAX_ANSWER:
            raise ProtocolError("an over-long line from the daemon")
        raise ConnectionLost("the daemon closed the connection")
    try:
        value = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(f"not a JSON line: {line[:200]!r}") from None
    except RecursionError:
        # Python's parser recurses per level: an answer nested 100,000 deep is the
        # daemon's fault, said as this client's error, not Python's.
        raise ProtocolError("a JSON line nested too deep") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"not a JSON object: {line[:200]!r}")
    return value
