#!/usr/bin/env python3
"""A client of `vx daemon` in another language: Python's standard library only.

Connects to the daemon's socket (the same rules as vx: $VX_DAEMON_SOCKET, else
$XDG_RUNTIME_DIR/vx/daemon.sock, else /tmp/vx-<uid>/daemon.sock), and

  subscribe [TYPE ...]   subscribes (default: every event type) and prints one line per
                         event until the daemon closes the connection: a short summary,
                         or the event's JSON with --json. A board's last sync_progress
                         ("final": true: its sync ended) ends its summary with "(final)";
  ping                   prints the daemon's pong;
  send JSON              sends one request line and prints the response line.

    python3 scripts/vx-daemon-client.py subscribe
    python3 scripts/vx-daemon-client.py --json subscribe runtime_installed sync_progress
    python3 scripts/vx-daemon-client.py send '{"type":"list_versions","runtime":"rg"}'

Exit status: 0, or 1 when the daemon cannot be reached or answers with an error.
"""

import argparse
import json
import os
import socket
import sys

EVENT_TYPES = ["runtime_installed", "runtime_removed", "config_changed", "sync_progress"]


def default_socket():
    """The daemon's socket, as vx finds it."""
    explicit = os.environ.get("VX_DAEMON_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "vx", "daemon.sock")
    return os.path.join("/tmp", "vx-%d" % os.geteuid(), "daemon.sock")


def summary(event):
    """One short line for people."""
    kind = event.get("type")
    if kind in ("runtime_installed", "runtime_removed"):
        return "%s %s %s" % (kind, event.get("runtime"), event.get("version"))
    if kind == "config_changed":
        return "config_changed %s" % event.get("path")
    if kind == "lagged":
        return "lagged: %s events dropped" % event.get("dropped")
    if kind == "sync_progress":
        tools = event.get("tools") or []
        finished = ("completed", "skipped", "failed", "cancelled")
        done = sum(1 for t in tools if t.get("phase") in finished)
        got = sum(t.get("bytes_done") or 0 for t in tools)
        active = [
            "%s %s" % (t.get("tool"), t.get("phase"))
            for t in tools
            if t.get("phase") not in finished + ("queued",)
        ]
        return "sync_progress %s %s: %d/%d done, %d bytes%s%s" % (
            str(event.get("board"))[:8],
            event.get("label"),
            done,
            len(tools),
            got,
            (": " + ", ".join(active[:4])) if active else "",
            " (final)" if event.get("final") else "",
        )
    return json.dumps(event)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", default=None, help="the daemon's socket")
    parser.add_argument("--json", action="store_true", help="print events as JSON lines")
    sub = parser.add_subparsers(dest="command", required=True)
    subscribe = sub.add_parser("subscribe", help="print events")
    subscribe.add_argument("types", nargs="*", metavar="TYPE", help=", ".join(EVENT_TYPES))
    sub.add_parser("ping", help="print the pong")
    send = sub.add_parser("send", help="send one request line")
    send.add_argument("request")
    args = parser.parse_args()
    unknown = [t for t in getattr(args, "types", []) if t not in EVENT_TYPES]
    if unknown:
        parser.error("unknown event type %s (known: %s)" % (unknown[0], ", ".join(EVENT_TYPES)))

    path = args.socket or default_socket()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError as err:
        print("vx-daemon-client: cannot connect to %s: %s" % (path, err), file=sys.stderr)
        return 1
    lines = conn.makefile("r", encoding="utf-8", newline="\n")

    def ask(request):
        conn.sendall((request if isinstance(request, str) else json.dumps(request)).encode() + b"\n")
        line = lines.readline()
        if not line:
            print("vx-daemon-client: the daemon closed the connection", file=sys.stderr)
            return None
        return json.loads(line)

    if args.command == "ping":
        answer = ask({"type": "ping"})
    elif args.command == "send":
        answer = ask(args.request)
    else:
        answer = ask({"type": "subscribe", "event_types": args.types or EVENT_TYPES})
    if answer is None:
        return 1
    print(json.dumps(answer), flush=True)
    if answer.get("type") == "error":
        return 1
    if args.command != "subscribe":
        return 0
    for line in lines:
        event = json.loads(line)
        print(json.dumps(event) if args.json else summary(event), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(0)
