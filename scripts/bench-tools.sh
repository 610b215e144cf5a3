#!/usr/bin/env bash
# Issue 54's tool goals (docs/BENCHMARKS.md §22): `vx sync` of 100 tiny tools and of 4
# large ones beside `mise install` of the same archives with its `http:` backend, and
# the no-op of each.
#
# Usage: scripts/bench-tools.sh VX MISE [ROUNDS]
#   VX     a vx binary (build it with `cargo build --release --bin vx`)
#   MISE   a mise binary (`npm install --prefix DIR @jdxcode/mise`; scripts/bench-runtimes.sh
#          keeps one in target/bench-tools/)
#   ROUNDS interleaved rounds (default 5)
#
# The work: 100 tiny `.tar.gz` tools (one small executable and a README each, every
# archive distinct, so no tool is served from another's cache), and separately 4
# `.tar.gz` tools of about 50 MiB (random bytes: inflating and hashing them is real
# work, packing saves nothing). One threaded Python static server on loopback serves
# them all. vx installs a `vx.toml` of `url` tools with their `sha256`, locked once
# before any timing; mise a `mise.toml` of `http:` tools with the same URLs and
# `checksum = "sha256:…"`. Each timed run starts cold: its own empty state (vx's XDG
# directories, mise's data, cache, config and state directories and HOME), nothing
# shared with the user or with another run. Both at the same parallelism, `-j 16`
# (vx's default is 8, mise's `jobs` setting defaults to 8). The no-op is the same
# command again on the state a cold run left.
#
# Each round runs every row in turn, so a slow minute of a loaded machine falls on all
# of them: read the medians of the per-round ratios. Wall time is from bash's
# EPOCHREALTIME; CPU time (user + system of the process and its children) from
# /usr/bin/time, to 10 ms (a no-op's CPU reads 0, its ratio –). Needs python3, /usr/bin/time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/common.sh"
[ $# -ge 2 ] || { sed -n '7,11p' "$0" >&2; exit 2; }
vx=$(realpath "$1") mise=$(realpath "$2") rounds=${3:-5}
jobs=16
served_work bench-tools

# The archives, a list "name file sha256" per workload, and their server.
python3 "$root/scripts/lib/tools.py" "$work" tiny large
serve_dir "$work/www"

# A vx project and a mise project per workload, the vx one locked.
for load in tiny large; do
  mkdir -p "$work/$load-vx" "$work/$load-mise"
  echo "[tools]" >"$work/$load-mise/mise.toml"
  : >"$work/$load-vx/vx.toml"
  while read -r name file sha; do
    printf '[tools.%s]\nversion = "1"\nurl = "%s/%s"\nsha256 = "%s"\nstrip_components = 1\n\n' \
      "$name" "$base" "$file" "$sha" >>"$work/$load-vx/vx.toml"
    printf '"http:%s" = { version = "1", url = "%s/%s", checksum = "sha256:%s" }\n' \
      "$name" "$base" "$file" "$sha" >>"$work/$load-mise/mise.toml"
  done <"$work/$load.list"
  (isolate_vx "$work/lock-state" && cd "$work/$load-vx" && "$vx" lock -q >/dev/null 2>&1)
done

# run KIND LOAD STATE: one `vx sync` or `mise install` of LOAD with its state in STATE,
# under /usr/bin/time (writing to $work/time).
timer=(/usr/bin/time -f '%U %S' -o "$work/time")
run() {
  local kind=$1 load=$2 state=$3
  mkdir -p "$state"
  if [ "$kind" = vx ]; then
    (isolate_vx "$state" && cd "$work/$load-vx" &&
      exec "${timer[@]}" "$vx" sync --headless -q -j "$jobs")
  else
    (isolate_mise "$state" "$work/$load-mise" && mkdir -p "$state/home" &&
      export HOME="$state/home" MISE_USE_VERSIONS_HOST=false &&
      cd "$work/$load-mise" && exec "${timer[@]}" "$mise" install --jobs "$jobs" -q)
  fi
}

# Checks that a run installed every tool: each tool's executable answers (all of
# them, not the first: a sync that skipped some must not pass for a fast one).
check() {
  local kind=$1 load=$2 state=$3 name
  while read -r name _; do
    if [ "$kind" = vx ]; then
      (isolate_vx "$state" && cd "$work/$load-vx" && "$vx" exec -- "$name" >/dev/null)
    else
      (isolate_mise "$state" "$work/$load-mise" && export HOME="$state/home" &&
        cd "$work/$load-mise" && "$mise" exec -- "$name" >/dev/null)
    fi || { echo "$kind: $name does not answer" >&2; return 1; }
  done <"$work/$load.list"
}

# timed LABEL CMD...: runs CMD, appends its wall and CPU time (microseconds) to
# wall[LABEL] and cpu[LABEL].
declare -A wall=() cpu=()
timed() {
  local label=$1 start end u s
  shift
  start=$EPOCHREALTIME
  "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; echo "failed: $label" >&2; exit 1; }
  end=$EPOCHREALTIME
  read -r u s <"$work/time"
  wall[$label]+="$((${end/./} - ${start/./})) "
  cpu[$label]+="$(python3 -c "print(round(($u + $s) * 1e6))") "
}

labels=()
for load in tiny large; do
  for kind in vx mise; do labels+=("$load $kind cold" "$load $kind no-op"); done
done
echo "vx: $("$vx" --version | head -1); mise: $("$mise" --version); -j $jobs; $rounds rounds;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%MZ)" >&2
for round in $(seq 1 "$rounds"); do
  for load in tiny large; do
    for kind in vx mise; do
      state="$work/state/$round-$load-$kind"
      timed "$load $kind cold" run "$kind" "$load" "$state"
      timed "$load $kind no-op" run "$kind" "$load" "$state"
      check "$kind" "$load" "$state"
      rm -rf "$state"
    done
  done
  echo "round $round done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done

ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
# Medians of each row, and the median of the per-round ratios vx / mise.
printf '| workload | tool | median wall (ms) | min wall (ms) | median CPU (ms) |\n|---|---|---|---|---|\n'
for label in "${labels[@]}"; do
  read -r med min < <(median_min "$rounds" "${wall[$label]}")
  read -r cmed _ < <(median_min "$rounds" "${cpu[$label]}")
  set -- $label
  printf '| %s, %s | %s | %s | %s | %s |\n' "$1" "$3" "$2" "$(ms "$med")" "$(ms "$min")" "$(ms "$cmed")"
done
printf '\n| workload | vx / mise, wall (median of rounds) | vx / mise, CPU |\n|---|---|---|\n'
ratio() {
  local -a a=($1) b=($2)
  for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { if (y > 0) printf "%.3f\n", x / y; else print "–" }'; done |
    sort -n | sed -n "$(((${#a[@]} + 1) / 2))p"
}
for load in tiny large; do
  for phase in cold no-op; do
    printf '| %s, %s | %s | %s |\n' "$load" "$phase" \
      "$(ratio "${wall[$load vx $phase]}" "${wall[$load mise $phase]}")" \
      "$(ratio "${cpu[$load vx $phase]}" "${cpu[$load mise $phase]}")"
  done
done
