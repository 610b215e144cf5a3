#!/bin/sh
# A task writing 100 MB to stdout (50-byte lines, as a chatty task prints them): its
# wall time writing to a file, through a pipe that is only read, through a pipe
# published on the board (each 64 KiB chunk appended to the task's ring, as `vx run`
# does), and the same with a follower attached: `vx logs -f` (the real binary) or the
# release-built follower of shm/examples/task_output.rs, each writing what it reads to
# /dev/null. Then the same task through a real `vx run` (its board sink and printer),
# timed from outside, the start of vx included, against `sh -c 'TASK > file'` timed the
# same way. Medians of RUNS runs (default 7).
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
VX=$(cd "$(dirname "$VX")" && pwd)/$(basename "$VX")
[ -x "$BENCH" ] || { echo "build it first: cargo build --release -p vx-shm --example task_output" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/boards"
SPEW="yes 0123456789012345678901234567890123456789012345678 | head -c $SIZE"
printf '[tasks]\nspew = "%s"\n' "$SPEW" > "$TMP/vx.toml"
export VX_BOARD_DIR="$TMP/boards" XDG_DATA_HOME="$TMP/xdg" VX_DAEMON_SOCKET="$TMP/no.sock"

now() { date +%s.%N; }
since() { echo "bytes $SIZE seconds $(echo "$(now) - $1" | bc)"; }

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
                "$VX" logs -f spew > /dev/null 2> "$TMP/follower.err" &
            else
                "$BENCH" follow "$TMP/boards" > /dev/null 2> "$TMP/follower.err" &
            fi
            follower=$!
            wait $pid
            wait $follower || true
            cat "$TMP/run.out"
            ;;
        sh-file)
            t0=$(now)
            sh -c "$SPEW > $TMP/out.bin"
            since "$t0"
            ;;
        vx-run-quiet|vx-run-prefix|vx-run-logs)
            mode=--output=quiet
            [ "$1" = vx-run-prefix ] && mode=--output=prefix
            t0=$(now)
            (cd "$TMP" && exec "$VX" run $mode spew > /dev/null) &
            run=$!
            if [ "$1" = vx-run-logs ]; then
                # Attaches once the run's board is there (a glob: no process per look).
                until for f in "$TMP"/boards/vx-board-*; do [ -e "$f" ] && break; done && [ -e "$f" ]; do
                    sleep 0.005
                done
                "$VX" logs -f spew > /dev/null 2> "$TMP/follower.err" &
                follower=$!
            fi
            wait $run
            since "$t0"
            if [ "$1" = vx-run-logs ]; then wait $follower || true; fi
            ;;
    esac | sed -n 's/^bytes [0-9]* seconds \([0-9.]*\).*/\1/p'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

file=
echo "| the task's stdout | median of $RUNS (s) | MB/s | vs. a file |"
echo "|---|---|---|---|"
for variant in file pipe board vx-logs follower sh-file vx-run-quiet vx-run-prefix vx-run-logs; do
    seconds=$(i=0; while [ $i -lt "$RUNS" ]; do once $variant; i=$((i + 1)); done | median)
    [ -n "$file" ] || file=$seconds
    [ $variant = sh-file ] && file=$seconds
    label=$(case $variant in
        file) echo "redirected to a file" ;;
        pipe) echo "a pipe, read and dropped" ;;
        board) echo "a pipe, each chunk appended to its ring" ;;
        vx-logs) echo "… and \`vx logs -f\` attached" ;;
        follower) echo "… and a release-built follower attached" ;;
        sh-file) echo "\`sh -c 'TASK > file'\`, timed from outside" ;;
        vx-run-quiet) echo "\`vx run --output quiet\` (the board only)" ;;
        vx-run-prefix) echo "\`vx run\` (prefixed lines to /dev/null, and the board)" ;;
        vx-run-logs) echo "\`vx run --output quiet\` with \`vx logs -f\` attached" ;;
    esac)
    awk -v l="$label" -v s="$seconds" -v f="$file" -v b=$SIZE \
        'BEGIN {printf "| %s | %.3f | %.0f | %.2f× |\n", l, s, b / s / 1e6, s / f}'
done
echo
echo "last follower: $(cat "$TMP/follower.err" 2>/dev/null | tr '\n' ' ')"
