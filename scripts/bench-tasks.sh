#!/bin/sh
# 100 trivial tasks (`true`) in a graph of depth 5 at -j 16 (issue 51): `vx run` against
# `mise run` of the same graph, and the per-task overhead over `sh -c true`.
#
# The graph: five levels of 20 tasks; a task of level k depends on two of level k-1
# (its own index and the next); `all` depends on the 20 of level 4 and runs nothing.
# The same graph is written as vx.toml's [tasks] and as mise.toml's [tasks]. Each round
# runs vx, then mise, then the floor (the 100 `sh -c true` started by one shell, 16 at
# a time, level by level); medians of ROUNDS rounds (default 7) and the median of the
# per-round ratios.
#
#   scripts/bench-tasks.sh [ROUNDS]        # prints a Markdown table
#
# Needs a vx binary (VX=path, default target/release/vx) and mise (MISE=path, default
# `mise` on PATH; `npm install @jdxcode/mise` puts one in node_modules/.bin). With
# VX_BEFORE=path (another vx build) each round also runs that one, just before VX, so a
# before/after pair is measured interleaved on a shared machine.
set -eu
ROUNDS=${1:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VX=${VX:-$ROOT/target/release/vx}
MISE=${MISE:-$(command -v mise || true)}
[ -x "$VX" ] || { echo "no vx at $VX: cargo build --release, or set VX" >&2; exit 2; }
VX_BEFORE=${VX_BEFORE:-}
case $VX_BEFORE in /* | "") ;; *) VX_BEFORE=$(pwd)/$VX_BEFORE ;; esac
# The runs happen in the project's directory: a relative VX or MISE is from here.
case $VX in /*) ;; *) VX=$(pwd)/$VX ;; esac
case $MISE in /* | "") ;; *) MISE=$(pwd)/$MISE ;; esac
[ -n "$MISE" ] && [ -x "$MISE" ] || { echo "no mise: set MISE=path" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P=$TMP/project
mkdir -p "$P"
. "$ROOT/scripts/lib/common.sh"

# The graph, in both files.
{
  echo "[tasks]"
  for k in 0 1 2 3 4; do
    i=0
    while [ $i -lt 20 ]; do
      if [ $k -eq 0 ]; then
        echo "t${k}_$i = { run = \"true\" }"
      else
        j=$(( (i + 1) % 20 ))
        echo "t${k}_$i = { run = \"true\", depends = [\"t$((k - 1))_$i\", \"t$((k - 1))_$j\"] }"
      fi
      i=$((i + 1))
    done
  done
  all_depends 20 t4_
} > "$P/vx.toml"
sed 's/^\[tasks\]$/[tasks]/' "$P/vx.toml" > "$P/mise.toml"

# Each tool on its own state, nothing of the user's.
isolate_vx "$TMP"
isolate_mise "$TMP" "$P"
cd "$P"
"$VX" trust >/dev/null 2>&1 || true

now() { date +%s%N; }
floor() {
  for k in 0 1 2 3 4; do
    i=0
    while [ $i -lt 20 ]; do echo "$i"; i=$((i + 1)); done |
      xargs -P 16 -n 1 sh -c true
  done
}
run_vx() { "$VX" run -j 16 --output quiet all >/dev/null 2>"$TMP/vx.err"; }
run_before() {
  [ -z "$VX_BEFORE" ] || "$VX_BEFORE" run -j 16 --output quiet all >/dev/null 2>"$TMP/vx.err"
}
run_mise() { "$MISE" run -j 16 all >/dev/null 2>"$TMP/mise.err"; }

# One run of each first: both must succeed, and mise must have run 100 tasks.
run_vx || { echo "vx run failed:" >&2; cat "$TMP/vx.err" >&2; exit 1; }
run_before || { echo "the other vx's run failed:" >&2; cat "$TMP/vx.err" >&2; exit 1; }
run_mise || { echo "mise run failed:" >&2; cat "$TMP/mise.err" >&2; exit 1; }
ran=$(grep -c '\$ true' "$TMP/mise.err" || true)
[ "$ran" -eq 100 ] || { echo "mise ran $ran tasks, not 100:" >&2; cat "$TMP/mise.err" >&2; exit 1; }

: > "$TMP/times"
r=0
while [ $r -lt "$ROUNDS" ]; do
  z=$(now); run_before; a=$(now); run_vx; b=$(now); run_mise; c=$(now); floor; d=$(now)
  echo "$((b - a)) $((c - b)) $((d - c)) $((a - z))" >> "$TMP/times"
  r=$((r + 1))
done

python3 - "$TMP/times" "$VX_BEFORE" <<'EOF'
import statistics, sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
before = sys.argv[2]
vx, mise, floor = (statistics.median(r[i] for r in rows) / 1e9 for i in range(3))
ratio = statistics.median(r[0] / r[1] for r in rows)
print(f"| command | median wall (s) | vx / it (median of rounds) |")
print(f"|---|---|---|")
print(f"| vx run -j 16 all | {vx:.3f} | – |")
print(f"| mise run -j 16 all | {mise:.3f} | {ratio:.2f} |")
print(f"| floor: 100 × sh -c true, 16 at a time, level by level | {floor:.3f} | {statistics.median(r[0] / r[2] for r in rows):.2f} |")
if before:
    b = statistics.median(r[3] for r in rows) / 1e9
    print(f"| VX_BEFORE run -j 16 all | {b:.3f} | {statistics.median(r[0] / r[3] for r in rows):.2f} |")
    print(f"\nVX_BEFORE / mise (median of rounds): {statistics.median(r[3] / r[1] for r in rows):.2f}; "
          f"its overhead per task over `sh -c true`: {(b - floor) / 100 * 1000:.2f} ms")
print(f"\nvx's overhead per task over `sh -c true`: {(vx - floor) / 100 * 1000:.2f} ms "
      f"(mise's: {(mise - floor) / 100 * 1000:.2f} ms); {len(rows)} rounds")
EOF
