"""The protocol's messages as typed values (docs/PROTOCOL.md in the vx repository).

Answers and events are frozen dataclasses built from the daemon's JSON lines by
:func:`parse_event` and the ``_parse_*`` helpers. Fields a newer daemon adds are
ignored, fields an older daemon lacks take their documented defaults, and an event of
a type this client does not know becomes an :class:`UnknownEvent` rather than an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from .errors import DaemonError, ProtocolError

#: The protocol version this client implements. A daemon's :attr:`Pong.protocol` may
#: be higher (it only adds); a lower one lacks what later versions added.
PROTOCOL_VERSION = 1

#: The event types a client can subscribe to (``lagged`` always comes).
EVENT_TYPES: Tuple[str, ...] = (
    "runtime_installed",
    "runtime_removed",
    "config_changed",
    "sync_progress",
)

#: A tool's phases after which its row no longer changes (``cached``: it was
#: already installed).
FINISHED_PHASES = frozenset({"completed", "cached", "failed", "cancelled"})


@dataclass(frozen=True)
class Pong:
    """The answer to ``ping``."""

    uptime_secs: int
    """Seconds since the daemon started."""
    cached_runtimes: int
    """Tool versions the daemon knows installed."""
    protocol: int = 0
    """The daemon's protocol version; 0 from a daemon older than the field."""
    version: str = ""
    """The daemon's vx version; empty from a daemon older than the field."""


@dataclass(frozen=True)
class Resolved:
    """A tool's executable, version and environment (``resolve``)."""

    executable: str
    version: str
    env: Dict[str, str]
    """The environment to run it in: ``PATH`` with the project's tools first, and the
    variables the project's ``[env]`` sets."""
    unset: List[str] = field(default_factory=list)
    """Variables the project's ``[env]`` removes."""
    package: Optional[str] = None
    """For a registry tool: its package (``standard:BurntSushi/ripgrep``)."""


@dataclass(frozen=True)
class Environment:
    """A tool's environment (``get_environment``)."""

    env: Dict[str, str]
    unset: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Versions:
    """A tool's versions (``list_versions``)."""

    versions: List[str]
    """Installed versions oldest first; or, when none is installed, the registry's,
    newest first."""
    source: Optional[str] = None
    """``"registry"`` when the versions are the registry's."""
    lts: Dict[str, str] = field(default_factory=dict)
    """With the registry's versions: each one's long-term-support line (``"Iron"``)."""


@dataclass(frozen=True)
class MissingTool:
    """A tool of the project that is not installed."""

    label: str
    """``name version``."""
    commands: List[str]
    """The commands it would provide."""


@dataclass(frozen=True)
class EnvVar:
    """One ``[env]`` entry, unexpanded."""

    name: str
    value: Optional[str]
    """The template (``{project}``, ``${VAR}``, ``${VAR:-default}``); ``None`` for
    ``NAME = false``: the variable is removed."""
    line: int = 0
    """Its line in vx.toml, or in the env file it comes from."""
    literal: bool = False
    """The value is taken as written, never expanded (a single-quoted ``.env`` value)."""


@dataclass(frozen=True)
class Declared:
    """What a project's manifest adds to the environment, as declared."""

    project: str
    """The project directory."""
    vars: List[EnvVar] = field(default_factory=list)
    path: List[str] = field(default_factory=list)
    """``[settings] path``, absolute."""


@dataclass(frozen=True)
class Toolchain:
    """A project's toolchain as installed (``toolchain``)."""

    manifest: Optional[str]
    """The project's vx.toml; ``None`` outside a project."""
    bin_dirs: List[str]
    """The installed tools' executable directories, in ``PATH`` order."""
    missing: List[MissingTool]
    """The project's tools that are not installed."""
    environment: Optional[Declared] = None
    """The project's ``[env]`` and ``[settings] path``; ``None`` outside a project."""
    trusted: Optional[bool] = None
    """Whether the user trusts the project (``vx trust``): when ``False``,
    ``environment`` holds only what its tools set; ``None`` outside a project."""


@dataclass(frozen=True)
class RuntimeInstalled:
    """A tool version appeared in the store."""

    runtime: str
    version: str
    type: str = "runtime_installed"


@dataclass(frozen=True)
class RuntimeRemoved:
    """A tool version left the store."""

    runtime: str
    version: str
    type: str = "runtime_removed"


@dataclass(frozen=True)
class ConfigChanged:
    """A vx.toml or vx.lock of a project the daemon has answered for changed."""

    path: str
    type: str = "config_changed"


@dataclass(frozen=True)
class ToolProgress:
    """One tool's row of a sync's board."""

    tool: str
    phase: str
    """``queued``, ``resolving``, ``downloading``, ``extracting``, ``post-install``,
    ``completed``, ``cached``, ``failed``, ``cancelled`` (``busy`` or ``lost`` when its
    row could not be read)."""
    bytes_done: int
    bytes_total: Optional[int]

    @property
    def finished(self) -> bool:
        """Whether the tool reached an outcome."""
        return self.phase in FINISHED_PHASES


@dataclass(frozen=True)
class SyncProgress:
    """The rows of a running sync's board (at most 10 a second per board)."""

    board: str
    label: str
    """Usually the manifest's path."""
    tools: List[ToolProgress]
    final: bool = False
    """The board's last event: its sync ended (or its owner is gone)."""
    type: str = "sync_progress"

    @property
    def done(self) -> int:
        """How many tools reached an outcome."""
        return sum(1 for tool in self.tools if tool.finished)


@dataclass(frozen=True)
class Lagged:
    """The subscriber read too slowly: ``dropped`` events were not sent."""

    dropped: int
    type: str = "lagged"


@dataclass(frozen=True)
class UnknownEvent:
    """An event of a type this client does not know (from a newer daemon)."""

    type: str
    data: Mapping[str, Any]


Event = Union[
    RuntimeInstalled,
    RuntimeRemoved,
    ConfigChanged,
    SyncProgress,
    Lagged,
    UnknownEvent,
]

RESPONSE_TYPES = frozenset(
    {"resolved", "environment", "versions", "subscribed", "toolchain", "pong", "error"}
)


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"{data.get('type')}: {key} is not a string: {value!r}")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> Optional[str]:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ProtocolError(f"{data.get('type')}: {key} is not a string: {value!r}")
    return value


def _int(data: Mapping[str, Any], key: str, default: Optional[int] = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProtocolError(f"{data.get('type')}: {key} is not an integer: {value!r}")
    return value


def _bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ProtocolError(f"{data.get('type')}: {key} is not a boolean: {value!r}")
    return value


def _str_list(data: Mapping[str, Any], key: str) -> List[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtocolError(f"{data.get('type')}: {key} is not a list of strings")
    return list(value)


def _str_map(data: Mapping[str, Any], key: str) -> Dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ProtocolError(f"{data.get('type')}: {key} is not a map of strings")
    return dict(value)


def _objects(data: Mapping[str, Any], key: str) -> List[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ProtocolError(f"{data.get('type')}: {key} is not a list of objects")
    return value


def expect(data: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    """``data`` when it is a ``kind`` answer; an ``error`` answer raised as
    :class:`DaemonError`, anything else as :class:`ProtocolError`."""
    got = data.get("type")
    if got == kind:
        return data
    if got == "error":
        message = data.get("message")
        raise DaemonError(message if isinstance(message, str) else repr(message))
    raise ProtocolError(f"expected a {kind} answer, got {got!r}")


def parse_pong(data: Mapping[str, Any]) -> Pong:
    data = expect(data, "pong")
    return Pong(
        uptime_secs=_int(data, "uptime_secs"),
        cached_runtimes=_int(data, "cached_runtimes"),
        protocol=_int(data, "protocol", 0),
        version=_opt_str(data, "version") or "",
    )


def parse_resolved(data: Mapping[str, Any]) -> Resolved:
    data = expect(data, "resolved")
    return Resolved(
        executable=_str(data, "executable"),
        version=_str(data, "version"),
        env=_str_map(data, "env"),
        unset=_str_list(data, "unset"),
        package=_opt_str(data, "package"),
    )


def parse_environment(data: Mapping[str, Any]) -> Environment:
    data = expect(data, "environment")
    return Environment(env=_str_map(data, "env"), unset=_str_list(data, "unset"))


def parse_versions(data: Mapping[str, Any]) -> Versions:
    data = expect(data, "versions")
    lts = _str_map(data, "lts") if "lts" in data else {}
    return Versions(versions=_str_list(data, "versions"), source=_opt_str(data, "source"), lts=lts)


def parse_toolchain(data: Mapping[str, Any]) -> Toolchain:
    data = expect(data, "toolchain")
    environment = data.get("environment")
    declared = None
    if isinstance(environment, dict):
        declared = Declared(
            project=_str(environment, "project"),
            vars=[
                EnvVar(
                    name=_str(var, "name"),
                    value=_opt_str(var, "value"),
                    line=_int(var, "line", 0),
                    literal=_bool(var, "literal", False),
                )
                for var in _objects(environment, "vars")
            ],
            path=_str_list(environment, "path"),
        )
    elif environment is not None:
        raise ProtocolError("toolchain: environment is not an object")
    return Toolchain(
        manifest=_opt_str(data, "manifest"),
        bin_dirs=_str_list(data, "bin_dirs"),
        missing=[
            MissingTool(label=_str(tool, "label"), commands=_str_list(tool, "commands"))
            for tool in _objects(data, "missing")
        ],
        environment=declared,
        trusted=_bool(data, "trusted", False) if "trusted" in data else None,
    )


def parse_subscribed(data: Mapping[str, Any]) -> str:
    return _str(expect(data, "subscribed"), "subscription_id")


def parse_event(data: Mapping[str, Any]) -> Event:
    """The event on a line already read as JSON."""
    kind = data.get("type")
    if kind == "runtime_installed":
        return RuntimeInstalled(runtime=_str(data, "runtime"), version=_str(data, "version"))
    if kind == "runtime_removed":
        return RuntimeRemoved(runtime=_str(data, "runtime"), version=_str(data, "version"))
    if kind == "config_changed":
        return ConfigChanged(path=_str(data, "path"))
    if kind == "sync_progress":
        tools = []
        for row in _objects(data, "tools"):
            total = row.get("bytes_total")
            tools.append(
                ToolProgress(
                    tool=_str(row, "tool"),
                    phase=_str(row, "phase"),
                    bytes_done=_int(row, "bytes_done", 0),
                    bytes_total=None if total is None else _int(row, "bytes_total"),
                )
            )
        final = data.get("final", False)
        return SyncProgress(
            board=_str(data, "board"),
            label=_str(data, "label"),
            tools=tools,
            final=final is True,
        )
    if kind == "lagged":
        return Lagged(dropped=_int(data, "dropped"))
    if not isinstance(kind, str):
        raise ProtocolError(f"a line without a type: {dict(data)!r}"[:200])
    return UnknownEvent(type=kind, data=dict(data))
