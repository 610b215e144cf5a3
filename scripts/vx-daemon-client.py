#!/usr/bin/env python3
"""A client of `vx daemon` in another language, written with the vx-client package
(bindings/python: `pip install` its wheel; from a checkout, the package's source beside
this script is used when it is not installed).

Connects to the daemon's socket (found as vx finds it: $VX_DAEMON_SOCKET, else
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
import dataclasses
import json
import os
import re
import sys

try:
    import vx_client
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python", "src"))
    import vx_client


def as_json(event):
    """The event as the daemon sent it."""
    if isinstance(event, vx_client.UnknownEvent):
        return dict(event.data)
    return dataclasses.asdict(event)


CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean(text):
    """Text from the daemon (paths, labels, names) without control characters, for a
    terminal: a crafted file name cannot move the cursor or retitle the window."""
    return CONTROL.sub("\uFFFD", str(text))


def summary(event):
    """One short line for people (control characters replaced)."""
    return clean(describe(event))


def describe(event):
    if isinstance(event, (vx_client.RuntimeInstalled, vx_client.RuntimeRemoved)):
        return "%s %s %s" % (event.type, event.runtime, event.version)
    if isinstance(event, vx_client.ConfigChanged):
        return "config_changed %s" % event.path
    if isinstance(event, vx_client.Lagged):
        return "lagged: %d events dropped" % event.dropped
    if isinstance(event, vx_client.SyncProgress):
        active = ["%s %s" % (t.tool, t.phase) for t in event.tools if not t.finished and t.phase != "queued"]
        return "sync_progress %s %s: %d/%d done, %d bytes%s%s" % (
            event.board[:8],
            event.label,
            event.done,
            len(event.tools),
            sum(t.bytes_done for t in event.tools),
            (": " + ", ".join(active[:4])) if active else "",
            " (final)" if event.final else "",
        )
    return json.dumps(as_json(event))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", default=None, help="the daemon's socket")
    parser.add_argument("--json", action="store_true", help="print events as JSON lines")
    sub = parser.add_subparsers(dest="command", required=True)
    subscribe = sub.add_parser("subscribe", help="print events")
    subscribe.add_argument("types", nargs="*", metavar="TYPE", help=", ".join(vx_client.EVENT_TYPES))
    sub.add_parser("ping", help="print the pong")
    send = sub.add_parser("send", help="send one request line")
    send.add_argument("request")
    args = parser.parse_args()
    unknown = [t for t in getattr(args, "types", []) if t not in vx_client.EVENT_TYPES]
    if unknown:
        parser.error("unknown event type %s (known: %s)" % (unknown[0], ", ".join(vx_client.EVENT_TYPES)))

    try:
        if args.command == "subscribe":
            with vx_client.Client(args.socket).subscribe(args.types or None) as events:
                print(json.dumps({"type": "subscribed", "subscription_id": events.id}), flush=True)
                for event in events:
                    print(json.dumps(as_json(event)) if args.json else summary(event), flush=True)
            return 0
        with vx_client.Client(args.socket) as client:
            if args.command == "ping":
                answer = client.request({"type": "ping"})
            else:
                try:
                    request = json.loads(args.request)
                except ValueError as err:
                    parser.error("the request is not JSON: %s" % err)
                answer = client.request(request)
        print(json.dumps(answer), flush=True)
        return 1 if answer.get("type") == "error" else 0
    except vx_client.ConnectionLost:
        return 0 if args.command == "subscribe" else 1
    except vx_client.VxError as err:
        print("vx-daemon-client: %s" % err, file=sys.stderr)
        return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(0)
