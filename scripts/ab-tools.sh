#!/usr/bin/env bash
# A/B of two vx builds on §22's cold syncs (docs/BENCHMARKS.md), by the counts a loaded
# machine disturbs least: page faults and task-clock (CPU time of the sync and its
# children) from `perf stat`, with the wall time beside them.
#
# Usage: scripts/ab-tools.sh VX_A VX_B [ROUNDS] [tiny|large]
#   VX_A, VX_B  two vx binaries (copy the release build of the base to target/vx-before
#               before a change, then build the change)
#   ROUNDS      interleaved rounds (default 5): each round runs A, then B, each cold
#   WORKLOAD    tiny (100 tiny .tar.gz tools, default) or large (4 x 50 MiB)
#
# The archives, the server and the project are scripts/bench-tools.sh's (same
# generator, same `vx.toml` of `url` tools with their sha256, locked once by VX_A
# before any timing), `vx sync --headless -q -j 16` on an empty state each run. Prints
# each row's medians and the median of the per-round ratios B / A.
# Needs python3 and perf (`perf stat` of one's own processes: perf_event_paranoid <= 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/common.sh"
[ $# -ge 2 ] || { sed -n '6,10p' "$0" >&2; exit 2; }
a=$(realpath "$1") b=$(realpath "$2") rounds=${3:-5} load=${4:-tiny}
work=$(mktemp -d "${TMPDIR:-/tmp}/vx-ab-tools.XXXXXX")
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/scripts/lib/tools.py" "$work" "$load"
serve_dir "$work/www"

mkdir -p "$work/project"
: >"$work/project/vx.toml"
while read -r name file sha; do
  printf '[tools.%s]\nversion = "1"\nurl = "%s/%s"\nsha256 = "%s"\nstrip_components = 1\n\n' \
    "$name" "$base" "$file" "$sha" >>"$work/project/vx.toml"
done <"$work/$load.list"
(isolate_vx "$work/lock-state" && cd "$work/project" && "$a" lock -q >/dev/null 2>&1)

# one BIN STATE: a cold sync under perf stat; prints "FAULTS TASK_CLOCK_MS WALL_MS".
one() {
  local bin=$1 state=$2 start end
  mkdir -p "$state"
  start=$EPOCHREALTIME
  (isolate_vx "$state" && cd "$work/project" &&
    exec perf stat -x, -o "$work/perf" -e page-faults,task-clock \
      "$bin" sync --headless -q -j 16) >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; echo "failed: $bin" >&2; exit 1; }
  end=$EPOCHREALTIME
  awk -F, -v wall="$((${end/./} - ${start/./}))" '
    $3 == "page-faults" { f = $1 } $3 == "task-clock" { t = $1 }
    END { printf "%d %.1f %.1f\n", f, t, wall / 1000 }' "$work/perf"
  rm -rf "$state"
}

declare -A col=()
echo "A: $("$a" --version | head -1); B: $("$b" --version | head -1); $load; $rounds rounds;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%MZ)" >&2
for round in $(seq 1 "$rounds"); do
  for side in a b; do
    read -r f t w < <(one "${!side}" "$work/state-$round-$side")
    col[$side f]+="$f " col[$side t]+="$t " col[$side w]+="$w "
  done
  f_a=${col[a f]% } f_b=${col[b f]% }
  echo "round $round: A ${f_a##* } B ${f_b##* } faults; load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%MZ)" >&2

median() { printf '%s\n' $1 | sort -g | sed -n "$(((rounds + 1) / 2))p"; }
ratio() {
  local -a x=($1) y=($2)
  for i in "${!x[@]}"; do awk -v p="${x[$i]}" -v q="${y[$i]}" 'BEGIN { printf "%.3f\n", q / p }'; done |
    sort -g | sed -n "$(((rounds + 1) / 2))p"
}
printf '| measure | A (median) | B (median) | B / A (median of rounds) |\n|---|---|---|---|\n'
for m in f t w; do
  case $m in f) label="page faults" ;; t) label="task-clock (ms)" ;; w) label="wall (ms)" ;; esac
  printf '| %s | %s | %s | %s |\n' "$label" "$(median "${col[a $m]}")" "$(median "${col[b $m]}")" \
    "$(ratio "${col[a $m]}" "${col[b $m]}")"
done
