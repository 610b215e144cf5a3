#!/usr/bin/env bash
# The daemon's figures for docs/BENCHMARKS.md ("Daemon"), release build, local
# file:// archives (so the figures are vx's own, not a network's):
#
#  1. `vx which` and `vx env` end to end, with and without a running daemon, beside
#     `vx --version` (the process-start floor), for a project of 10 and of 300 tools:
#     RUNS interleaved runs (run 1 of every command, then run 2, ...), each timed with
#     bash's $EPOCHREALTIME around the command alone (each run through `env`, which
#     sets the socket: an extra exec all pay); medians and minimums in ms. Without
#     the daemon, `vx which` answers from the project's activation record (warm
#     after the first run); `vx env` has none and resolves in full.
#  2. The daemon's CPU time and resident memory: idle for 10 s with 10 subscribers
#     connected (the Python client), then during a sync of 300 new tools into its
#     store, the subscribers receiving every event.
#
#   cargo build --release && scripts/measure-daemon.sh [RUNS]     (VX=path: another vx binary)
set -euo pipefail
runs=${1:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
vx=${VX:-$root/target/release/vx}
client=$root/scripts/vx-daemon-client.py
. "$root/scripts/lib/common.sh"
daemon_work
mkdir -p "$work/pkg/bin"
printf '#!/bin/sh\n' > "$work/pkg/bin/tool"
chmod 755 "$work/pkg/bin/tool"
tar -czf "$work/tool.tar.gz" -C "$work" pkg

# A project of $2 tools named $3N in directory $1; the first one's executable is tool1.
project() {
  mkdir -p "$1"
  {
    printf '[tools.%s1]\nversion = "1"\nurl = "file://%s/tool.tar.gz"\nstrip_components = 1\n' "$3" "$work"
    printf 'post_install = "mv bin/tool bin/tool1"\n\n'
    for i in $(seq 2 "$2"); do
      printf '[tools.%s%d]\nversion = "1"\nurl = "file://%s/tool.tar.gz"\nstrip_components = 1\n\n' "$3" "$i" "$work"
    done
  } > "$1/vx.toml"
}
project "$work/p10" 10 s
project "$work/p300" 300 t
for p in p10 p300; do (cd "$work/$p" && "$vx" sync --headless -j 16 > /dev/null); done
"$vx" daemon start > /dev/null
pid=$(sed -n 1p "$work/d/daemon.lock")
nowhere="$work/nowhere.sock"

echo "## vx which / vx env, $runs interleaved runs; median (min) in ms"
echo
for p in p10 p300; do
  cd "$work/$p"
  # Every command through `env`, so each pays the same extra exec.
  on="env VX_DAEMON_SOCKET=$VX_DAEMON_SOCKET"
  off="env VX_DAEMON_SOCKET=$nowhere"
  commands=(
    "vx --version|$off $vx --version"
    "vx which tool1, no daemon|$off $vx which tool1"
    "vx which tool1, daemon|$on $vx which tool1"
    "vx env, no daemon|$off $vx env --shell json"
    "vx env, daemon|$on $vx env --shell json"
  )
  declare -A samples=()
  time_interleaved "$runs" commands
  echo "### ${p#p} tools"
  echo
  echo "| command | median | min |"
  echo "|---|---|---|"
  for entry in "${commands[@]}"; do
    read -r median min < <(median_min "$runs" "${samples[$entry]}")
    printf '| %s | %d.%d | %d.%d |\n' "${entry%%|*}" $((median / 1000)) $((median % 1000 / 100)) \
      $((min / 1000)) $((min % 1000 / 100))
  done
  echo
  unset samples
done

# CPU time (utime + stime, in clock ticks) and resident memory (KiB) of the daemon.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
hz=$(getconf CLK_TCK)

for i in $(seq 1 10); do
  python3 "$client" --json subscribe > "$work/sub$i.txt" &
done
# Every subscriber is in (its first line is the `subscribed` answer).
for i in $(seq 1 10); do
  until [ -s "$work/sub$i.txt" ]; do sleep 0.01; done
done
t0=$(ticks)
sleep 10
t1=$(ticks)
idle_rss=$(rss)
echo "## The daemon's CPU and memory"
echo
echo "- idle 10 s with 10 subscribers: $(( (t1 - t0) * 1000 / hz )) ms of CPU, RSS $idle_rss KiB"

project "$work/q300" 300 u
peak=$idle_rss
t0=$(ticks)
start=$EPOCHREALTIME
(cd "$work/q300" && "$vx" sync --headless -j 16 > /dev/null) &
sync=$!
while kill -0 "$sync" 2> /dev/null; do
  now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
  sleep 0.01
done
wait "$sync"
end=$EPOCHREALTIME
# Every subscriber got the last tool's runtime_installed.
for i in $(seq 1 10); do
  until [ "$(grep -c '"runtime_installed"' "$work/sub$i.txt")" -ge 300 ]; do sleep 0.01; done
done
t1=$(ticks)
wall=$(( (${end/./} - ${start/./}) / 1000 ))
events=$(wc -l < "$work/sub1.txt")
progress=$(grep -c '"sync_progress"' "$work/sub1.txt" || true)
lagged=$(cat "$work"/sub*.txt | grep -c '"lagged"' || true)
echo "- a sync of 300 new tools ($wall ms): $(( (t1 - t0) * 1000 / hz )) ms of daemon CPU," \
  "peak RSS $peak KiB (idle $idle_rss); each subscriber got $((events - 1)) events" \
  "($progress sync_progress, 300 runtime_installed); lagged events: $lagged"
