#!/bin/sh
# A task writing 100 MB to stdout: its wall time writing to a file, through a pipe that
# is only read, through a pipe published on the board (each 64 KiB chunk appended to the
# task's ring, as `vx run` does), and the same with a follower attached: `vx logs -f`
# (the real binary) or the release-built follower of shm/examples/task_output.rs, each
# writing what it reads to /dev/null. Medians of RUNS runs (default 7).
#
#   scripts/bench-task-output.sh [RUNS]        # prints a Markdown table
#
# Needs: cargo build --release -p vx-shm --example task_output, and a vx binary
# (VX=path, default target/release/vx, else target/debug/vx).
set -eu
RUNS=${1:-7}
SIZE=104857600
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/target/release/examples/task_output
VX=${VX:-$ROOT/target/release/vx}
[ -x "$VX" ] || VX=$ROOT/target/debug/vx
[ -x "$BENCH" ] || { echo "build it first: cargo build --release -p vx-shm --example task_output" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/boards"
SPEW="head -c $SIZE /dev/zero"

# One run of variant $1; prints its seconds.
once() {
    case $1 in
        file) "$BENCH" run --no-board "$TMP/boards" -- "$SPEW > $TMP/out.bin" ;;
        pipe) "$BENCH" run --no-board "$TMP/boards" -- "$SPEW" ;;
        board) "$BENCH" run "$TMP/boards" -- "$SPEW" ;;
        vx-logs|follower)
            "$BENCH" run "$TMP/boards" -- "$SPEW" > "$TMP/run.out" &
            pid=$!
            while ! grep -q '^board ' "$TMP/run.out" 2>/dev/null; do sleep 0.01; done
            if [ "$1" = vx-logs ]; then
                VX_BOARD_DIR="$TMP/boards" "$VX" logs -f spew > /dev/null 2> "$TMP/follower.err" &
            else
                "$BENCH" follow "$TMP/boards" > /dev/null 2> "$TMP/follower.err" &
            fi
            follower=$!
            wait $pid
            wait $follower || true
            cat "$TMP/run.out"
            ;;
    esac | sed -n 's/^bytes [0-9]* seconds \([0-9.]*\).*/\1/p'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

file=
echo "| the task's stdout | median of $RUNS (s) | MB/s | vs. a file |"
echo "|---|---|---|---|"
for variant in file pipe board vx-logs follower; do
    seconds=$(i=0; while [ $i -lt "$RUNS" ]; do once $variant; i=$((i + 1)); done | median)
    [ -n "$file" ] || file=$seconds
    label=$(case $variant in
        file) echo "redirected to a file" ;;
        pipe) echo "a pipe, read and dropped" ;;
        board) echo "a pipe, each chunk appended to its ring" ;;
        vx-logs) echo "… and \`vx logs -f\` attached" ;;
        follower) echo "… and a release-built follower attached" ;;
    esac)
    awk -v l="$label" -v s="$seconds" -v f="$file" -v b=$SIZE \
        'BEGIN {printf "| %s | %.3f | %.0f | %.2f× |\n", l, s, b / s / 1e6, s / f}'
done
echo
echo "followers: $(cat "$TMP/follower.err" 2>/dev/null | tr '\n' ' ')"
