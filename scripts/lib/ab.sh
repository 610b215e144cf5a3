# Sourced by the A/B scripts (scripts/ab-tools.sh, scripts/ab-runtimes.sh) after
# common.sh: one way to run two vx builds' cold syncs in interleaved rounds under
# `perf stat` and to summarise them. Expects `work` (a scratch directory holding the
# locked `project`) and `rounds` to be set.

# ab_one BIN STATE [SYNC_ARGS…]: a cold `vx sync --headless -q SYNC_ARGS…` of
# $work/project on the empty state STATE under perf stat; prints "FAULTS
# TASK_CLOCK_MS WALL_MS" and removes STATE.
ab_one() {
  local bin=$1 state=$2 start end
  shift 2
  mkdir -p "$state"
  start=$EPOCHREALTIME
  (isolate_vx "$state" && cd "$work/project" &&
    exec perf stat -x, -o "$work/perf" -e page-faults,task-clock \
      "$bin" sync --headless -q "$@") >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; echo "failed: $bin" >&2; exit 1; }
  end=$EPOCHREALTIME
  awk -F, -v wall="$((${end/./} - ${start/./}))" '
    $3 == "page-faults" { f = $1 } $3 == "task-clock" { t = $1 }
    END { printf "%d %.1f %.1f\n", f, t, wall / 1000 }' "$work/perf"
  rm -rf "$state"
}

# ab_run A B WHAT [SYNC_ARGS…]: $rounds interleaved rounds of A then B (ab_one), each
# round's figures on stderr, then the table of medians and of the median per-round
# ratio B / A on stdout. WHAT names the workload in the first line.
ab_run() {
  local a=$1 b=$2 what=$3 round side f t w m label
  shift 3
  local -A col=()
  echo "A: $("$a" --version | head -1); B: $("$b" --version | head -1); $what; $rounds rounds;" \
    "load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%MZ)" >&2
  for round in $(seq 1 "$rounds"); do
    for side in a b; do
      read -r f t w < <(ab_one "${!side}" "$work/state-$round-$side" "$@")
      col[$side f]+="$f " col[$side t]+="$t " col[$side w]+="$w "
      echo "round $round $side: $f faults, $t ms task-clock, $w ms wall" >&2
    done
    echo "round $round done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
  done
  echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%MZ)" >&2
  printf '| measure | A (median) | B (median) | B / A (median of rounds) |\n|---|---|---|---|\n'
  for m in f t w; do
    case $m in f) label="page faults" ;; t) label="task-clock (ms)" ;; w) label="wall (ms)" ;; esac
    printf '| %s | %s | %s | %s |\n' "$label" "$(ab_median "${col[a $m]}")" \
      "$(ab_median "${col[b $m]}")" "$(ab_ratio "${col[a $m]}" "${col[b $m]}")"
  done
}

# The median of the $rounds numbers in $1 (space-separated).
ab_median() { printf '%s\n' $1 | sort -g | sed -n "$(((rounds + 1) / 2))p"; }

# The median of the per-round ratios $2[i] / $1[i].
ab_ratio() {
  local -a x=($1) y=($2)
  local i
  for i in "${!x[@]}"; do awk -v p="${x[$i]}" -v q="${y[$i]}" 'BEGIN { printf "%.3f\n", q / p }'; done |
    sort -g | sed -n "$(((rounds + 1) / 2))p"
}
