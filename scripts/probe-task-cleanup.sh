#!/bin/bash
# What a task runner leaves behind (issue 51): `vx run dev` and `mise run dev`, each
# starting three servers whose processes detach (`setsid`: a process group and session
# of their own, as a daemonizing dev server does), run in a real terminal (tmux) and
# ended three ways:
#
#   ctrl-c   a Ctrl-C typed in the terminal (tmux send-keys C-c: SIGINT to the
#            terminal's foreground process group);
#   hup      the terminal closed (tmux kill-session: SIGHUP);
#   kill     the runner SIGKILLed (kill -9 of its pid; nothing of its own runs).
#
# After each, it waits 5 s (vx's grace before SIGKILL is 3 s) and counts the servers'
# processes still alive (by a marker in their command line) and their ports still
# accepting connections. Prints a Markdown table.
#
#   scripts/probe-task-cleanup.sh            # vx and, when found, mise
#
# Needs tmux, python3 (the servers: `python3 -m http.server`), a vx binary (VX=path,
# default target/release/vx, else target/debug/vx) and optionally mise (MISE=path,
# default `mise` on PATH; `npm install @jdxcode/mise` puts one in node_modules/.bin).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VX=${VX:-$ROOT/target/release/vx}
[ -x "$VX" ] || VX=$ROOT/target/debug/vx
[ -x "$VX" ] || { echo "no vx: cargo build, or set VX" >&2; exit 2; }
VX=$(cd "$(dirname "$VX")" && pwd)/$(basename "$VX")
MISE=${MISE:-$(command -v mise || true)}
command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 2; }
TMP=$(mktemp -d)
MARK=vx-cleanup-probe-$$
cleanup() {
  for s in "$TMP"/tmux-*.sock; do tmux -S "$s" kill-server 2>/dev/null || true; done
  pkill -KILL -f "$MARK" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# Three free ports on loopback.
read -r P1 P2 P3 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
PORTS="$P1 $P2 $P3"

# A server task: a detached python http.server on PORT, its directory named with the
# marker (so it is found by its command line), and the task waiting on it. Its log goes
# to /dev/null: a server logging to a closed terminal dies of the write (EIO) at the
# probe's next connection, which would count as cleaned up.
server() {
  mkdir -p "$TMP/$MARK-$1"
  echo "setsid python3 -m http.server $1 --bind 127.0.0.1 --directory $TMP/$MARK-$1 >/dev/null 2>&1 & wait"
}

mkdir -p "$TMP/vx" "$TMP/mise"
{
  echo "[tasks]"
  for p in $PORTS; do
    echo "s$p = { run = \"$(server "$p")\", service = true, ready = { port = $p } }"
  done
  echo "dev = { depends = [\"s$P1\", \"s$P2\", \"s$P3\"] }"
} > "$TMP/vx/vx.toml"
{
  echo "[tasks]"
  for p in $PORTS; do echo "s$p = { run = \"$(server "$p")\" }"; done
  echo "dev = { depends = [\"s$P1\", \"s$P2\", \"s$P3\"] }"
} > "$TMP/mise/mise.toml"

. "$ROOT/scripts/lib/common.sh"
isolate_vx "$TMP"
isolate_mise "$TMP" "$TMP/mise"
(cd "$TMP/vx" && "$VX" trust >/dev/null 2>&1 || true)

listening() { # how many of the ports accept a connection
  local n=0 p
  for p in $PORTS; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then n=$((n + 1)); fi
  done
  echo $n
}
alive() { pgrep -f "$MARK" | wc -l; }

# One probe: runner $1 (vx|mise), ending $2 (ctrl-c|hup|kill). Prints "processes ports".
probe() {
  local runner=$1 how=$2 cmd i pid
  case $runner in
    vx) cmd="cd $TMP/vx && exec $VX run dev" ;;
    mise) cmd="cd $TMP/mise && exec $MISE run dev" ;;
  esac
  SOCKET=$TMP/tmux-$runner-$how.sock
  tmux -S "$SOCKET" new-session -d -s probe -x 120 -y 30 "$cmd"
  for i in $(seq 1 600); do
    [ "$(listening)" -eq 3 ] && break
    sleep 0.05
  done
  if [ "$(listening)" -ne 3 ]; then
    echo "$runner: the three servers never listened" >&2
    tmux -S "$SOCKET" capture-pane -p -t probe >&2 || true
    echo "- -"
    tmux -S "$SOCKET" kill-server 2>/dev/null || true
    pkill -KILL -f "$MARK" 2>/dev/null || true
    return
  fi
  pid=$(tmux -S "$SOCKET" list-panes -t probe -F '#{pane_pid}')
  case $how in
    ctrl-c) tmux -S "$SOCKET" send-keys -t probe C-c ;;
    hup) tmux -S "$SOCKET" kill-session -t probe ;;
    kill) kill -KILL "$pid" ;;
  esac
  sleep 5
  echo "$(alive) $(listening)"
  # Clean for the next probe, whatever was left (a runner that outlived its ending
  # too: mise keeps running after a Ctrl-C).
  kill -KILL "$pid" 2>/dev/null || true
  tmux -S "$SOCKET" kill-server 2>/dev/null || true
  pkill -KILL -f "$MARK" 2>/dev/null || true
  for i in $(seq 1 100); do
    [ "$(listening)" -eq 0 ] && [ "$(alive)" -eq 0 ] && break
    sleep 0.05
  done
}

runners="vx"
if [ -n "$MISE" ] && [ -x "$MISE" ]; then runners="vx mise"; else echo "(no mise: vx only)" >&2; fi
echo "| runner | ending | server processes left | ports still listening |"
echo "|---|---|---|---|"
for runner in $runners; do
  for how in ctrl-c hup kill; do
    read -r procs ports < <(probe "$runner" "$how")
    echo "| $runner run dev | $how | $procs of 3 | $ports of 3 |"
  done
done
