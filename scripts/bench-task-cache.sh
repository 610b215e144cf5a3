#!/bin/sh
# 100 cached tasks restored (issue 67): `vx run` restoring them from its local cache and
# from an OCI registry (the CNCF distribution registry, Debian's `docker-registry`, on
# loopback), beside `turbo run` restoring the same outputs from its local cache.
#
# The project: 100 packages `packages/tN`, each with a 64 KiB file of noise in `src/`;
# each task copies it into the package's `out/`. The same tasks are vx.toml's [tasks]
# (`sources`, `outputs`; `all` depends on the 100) and turbo's (an npm workspace, one
# `build` script a package, `inputs`/`outputs` in turbo.json). Each tool runs once to
# fill its cache; then each round deletes every `out/` and times, one after the other:
#
#   vx local:   vx run -j 16 all              (100 restores from vx's cache)
#   turbo:      turbo run build --concurrency=16 (100 restores from .turbo's cache)
#   vx remote:  the same vx run with an empty cache directory (100 manifests, signature
#               checks and blobs from the registry)
#
# and prints the medians of ROUNDS rounds (default 7) and the median of the per-round
# ratios vx local / turbo, as a Markdown table.
#
# Then the remote case (issue 75), when turborepo-remote-cache is at hand (TRRC=path,
# default `turborepo-remote-cache` on PATH; `npm install turborepo-remote-cache`): a
# second project of 27 tasks as a team's monorepo has them, 9 packages each with
# `build`, `test` and `lint`, the builds a chain four deep (p0, p1, p2, p3; the rest
# after p0), `test` and `lint` after their package's build and keeping no file (log
# only). Both tools fill their remote cache once (vx pushes, signed, to the registry;
# turbo to turborepo-remote-cache on its local storage); then each round, interleaved,
# deletes every output and the local caches and times
#
#   vx remote:     vx run -j 16 all, empty cache dir (27 restores from the registry)
#   turbo remote:  turbo run build test lint --cache=local:,remote:r (27 from its server)
#
# and prints the medians and the median of the per-round ratios vx / turbo.
#
#   scripts/bench-task-cache.sh [ROUNDS] [local|remote|both]
#
# Needs a vx binary (VX=path, default target/release/vx), turbo (TURBO=path, default
# `turbo` on PATH; `npm install turbo` puts one in node_modules/.bin), minisign and
# /usr/bin/docker-registry (Debian packages `minisign`, `docker-registry`), python3.
set -eu
ROUNDS=${1:-7}
CASES=${2:-both}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VX=${VX:-$ROOT/target/release/vx}
TURBO=${TURBO:-$(command -v turbo || true)}
case $VX in /*) ;; *) VX=$(pwd)/$VX ;; esac
case $TURBO in /* | "") ;; *) TURBO=$(pwd)/$TURBO ;; esac
[ -x "$VX" ] || { echo "no vx at $VX: cargo build --release, or set VX" >&2; exit 2; }
[ -n "$TURBO" ] && [ -x "$TURBO" ] || { echo "no turbo: set TURBO=path" >&2; exit 2; }
REGISTRY=/usr/bin/docker-registry
[ -x "$REGISTRY" ] || { echo "no $REGISTRY: apt-get install docker-registry" >&2; exit 2; }
command -v minisign >/dev/null || { echo "no minisign: apt-get install minisign" >&2; exit 2; }

TMP=$(mktemp -d)
REGISTRY_PID=
cleanup() {
  [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
P=$TMP/project
mkdir -p "$P"
. "$ROOT/scripts/lib/common.sh"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NO_COLOR=1
# vx's directories, the registry's and the keys', all in the scratch directory.
export XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data XDG_STATE_HOME=$TMP/state
export DOCKER_CONFIG=$TMP/docker HOME=$TMP/home
mkdir -p "$HOME"

# The registry, on a free loopback port.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $TMP/registry
http:
  addr: 127.0.0.1:$PORT
EOF
"$REGISTRY" serve "$TMP/registry.yml" > "$TMP/registry.log" 2>&1 &
REGISTRY_PID=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 200 ] && { echo "docker-registry did not start" >&2; exit 1; }
  python3 -c 'import time; time.sleep(0.05)'
done

# The signing key (no password, as CI holds it).
minisign -G -W -p "$TMP/ci.pub" -s "$TMP/ci.key" >/dev/null
PUBLIC=$(sed -n 2p "$TMP/ci.pub")

now() { python3 -c 'import time; print(time.monotonic())'; }
# Runs "$@" quietly, prints its wall time in seconds; fails the script if it fails.
timed() {
  start=$(now)
  "$@" > "$TMP/out.log" 2>&1 || { cat "$TMP/out.log" >&2; exit 1; }
  end=$(now)
  python3 -c "print(f'{$end - $start:.4f}')"
}
# The local case: 100 independent tasks.
local_case() {
# The project, in both tools' files.
cd "$P"
git init -q .
{
  echo "[settings]"
  echo "task_cache = \"oci://127.0.0.1:$PORT/bench/results\""
  echo "task_cache_keys = [\"$PUBLIC\"]"
  echo
  echo "[tasks]"
  i=0
  while [ $i -lt 100 ]; do
    echo "t$i = { run = \"mkdir -p packages/t$i/out && cp packages/t$i/src/in.bin packages/t$i/out/data.bin\", sources = [\"packages/t$i/src/**\"], outputs = [\"packages/t$i/out/**\"] }"
    i=$((i + 1))
  done
  all_depends 100 t
} > vx.toml
echo '{ "name": "bench", "private": true, "packageManager": "npm@10.0.0", "workspaces": ["packages/*"] }' > package.json
echo '{"name":"bench","lockfileVersion":3,"requires":true,"packages":{}}' > package-lock.json
echo '{ "tasks": { "build": { "inputs": ["src/**"], "outputs": ["out/**"] } } }' > turbo.json
i=0
while [ $i -lt 100 ]; do
  mkdir -p "packages/t$i/src"
  head -c 65536 /dev/urandom > "packages/t$i/src/in.bin"
  echo "{\"name\":\"t$i\",\"version\":\"1.0.0\",\"scripts\":{\"build\":\"mkdir -p out && cp src/in.bin out/data.bin\"}}" > "packages/t$i/package.json"
  i=$((i + 1))
done

# The restored outputs must be what the tasks wrote.
check() {
  i=0
  while [ $i -lt 100 ]; do
    cmp -s "packages/t$i/src/in.bin" "packages/t$i/out/data.bin" || { echo "t$i not restored" >&2; exit 1; }
    i=$((i + 1))
  done
}

# Fill both caches (vx also pushes, signed).
VX_CACHE_DIR=$TMP/cache VX_TASK_CACHE_SIGNING_KEY=$TMP/ci.key "$VX" run -j 16 --output quiet --push all >/dev/null
"$TURBO" run build --concurrency=16 --cache-dir=.turbo-cache --output-logs=none >/dev/null

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
: > "$TMP/times"
round=1
while [ $round -le "$ROUNDS" ]; do
  rm -rf packages/*/out
  vx_local=$(VX_CACHE_DIR=$TMP/cache timed "$VX" run -j 16 --output quiet all)
  check
  rm -rf packages/*/out
  turbo=$(timed "$TURBO" run build --concurrency=16 --cache-dir=.turbo-cache --output-logs=none)
  check
  rm -rf packages/*/out "$TMP/empty"
  vx_remote=$(VX_CACHE_DIR=$TMP/empty timed "$VX" run -j 16 --output quiet all)
  check
  grep -c "restored from the registry" "$TMP/out.log" >/dev/null || true
  echo "$vx_local $turbo $vx_remote" >> "$TMP/times"
  round=$((round + 1))
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "load average before the rounds: $LOAD_BEFORE; after: $LOAD_AFTER ($(nproc 2>/dev/null || echo ?) cores)"
echo
python3 - "$TMP/times" <<'EOF'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
local, turbo, remote = (statistics.median(c) for c in zip(*rows))
ratio = statistics.median(r[0] / r[1] for r in rows)
print("| command | median wall (s) | vx local / it |")
print("|---|---|---|")
print(f"| vx run -j 16 all: 100 restores from vx's cache | {local:.3f} | – |")
print(f"| turbo run build --concurrency=16: 100 restores from its cache | {turbo:.3f} | {ratio:.2f} |")
print(f"| vx run -j 16 all, empty cache: 100 restores from the registry | {remote:.3f} | – |")
print()
print(f"A remote hit costs {(remote - local) / 100 * 1000:.2f} ms a task more than a local one "
      f"({len(rows)} rounds).")
EOF
}

# The remote case: 27 tasks, a chain four deep, restored from each tool's server.
remote_case() {
TRRC=${TRRC:-$(command -v turborepo-remote-cache || true)}
case $TRRC in /* | "") ;; *) TRRC=$(pwd)/$TRRC ;; esac
[ -n "$TRRC" ] && [ -x "$TRRC" ] || { echo "no turborepo-remote-cache: set TRRC=path" >&2; exit 2; }
G=$TMP/graph
mkdir -p "$G"
cd "$G"
git init -q .
TPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$TMP/trrc"
TURBO_TOKEN=bench STORAGE_PROVIDER=local STORAGE_PATH="$TMP/trrc" PORT=$TPORT \
  NODE_ENV=production LOG_LEVEL=error "$TRRC" > "$TMP/trrc.log" 2>&1 &
TRRC_PID=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$TPORT),1)" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 400 ] && { cat "$TMP/trrc.log" >&2; echo "turborepo-remote-cache did not start" >&2; exit 1; }
  python3 -c 'import time; time.sleep(0.05)'
done
# What a package's build depends on: p1 on p0, p2 on p1, p3 on p2, the rest on p0.
dep() { case $1 in 0) echo "" ;; 1|2|3) echo $(($1 - 1)) ;; *) echo 0 ;; esac; }
{
  echo "[settings]"
  echo "task_cache = \"oci://127.0.0.1:$PORT/bench/graph\""
  echo "task_cache_keys = [\"$PUBLIC\"]"
  echo
  echo "[tasks]"
  i=0
  while [ $i -lt 9 ]; do
    d=$(dep $i)
    after=""
    [ -n "$d" ] && after=", depends = [\"p$d:build\"]"
    echo "\"p$i:build\" = { run = \"mkdir -p packages/p$i/out && cat packages/p$i/src/in.bin > packages/p$i/out/lib.bin && echo built p$i\", sources = [\"packages/p$i/src/**\"], outputs = [\"packages/p$i/out/**\"]$after }"
    echo "\"p$i:test\" = { run = \"cmp -s packages/p$i/src/in.bin packages/p$i/out/lib.bin && echo 12 tests passed\", sources = [\"packages/p$i/src/**\", \"packages/p$i/test/**\"], depends = [\"p$i:build\"] }"
    echo "\"p$i:lint\" = { run = \"wc -c packages/p$i/src/in.bin > /dev/null && echo no problems\", sources = [\"packages/p$i/src/**\"], depends = [\"p$i:build\"] }"
    i=$((i + 1))
  done
  printf 'all = { depends = ['
  i=0
  while [ $i -lt 9 ]; do
    [ $i -gt 0 ] && printf ', '
    printf '"p%s:test", "p%s:lint"' $i $i
    i=$((i + 1))
  done
  echo '] }'
} > vx.toml
echo '{ "name": "graph", "private": true, "packageManager": "npm@10.0.0", "workspaces": ["packages/*"] }' > package.json
echo '{"name":"graph","lockfileVersion":3,"requires":true,"packages":{}}' > package-lock.json
cat > turbo.json <<'JSON'
{ "tasks": {
  "build": { "dependsOn": ["^build"], "inputs": ["src/**"], "outputs": ["out/**"] },
  "test": { "dependsOn": ["build"], "inputs": ["src/**", "test/**"], "outputs": [] },
  "lint": { "dependsOn": ["build"], "inputs": ["src/**"], "outputs": [] }
} }
JSON
i=0
while [ $i -lt 9 ]; do
  mkdir -p "packages/p$i/src" "packages/p$i/test"
  head -c 65536 /dev/urandom > "packages/p$i/src/in.bin"
  echo "test" > "packages/p$i/test/t.txt"
  d=$(dep $i)
  deps=""
  [ -n "$d" ] && deps="\"dependencies\":{\"p$d\":\"1.0.0\"},"
  echo "{\"name\":\"p$i\",\"version\":\"1.0.0\",$deps\"scripts\":{\"build\":\"mkdir -p out && cat src/in.bin > out/lib.bin && echo built p$i\",\"test\":\"cmp -s src/in.bin out/lib.bin && echo 12 tests passed\",\"lint\":\"wc -c src/in.bin > /dev/null && echo no problems\"}}" > "packages/p$i/package.json"
  i=$((i + 1))
done
TURBO_REMOTE="--api=http://127.0.0.1:$TPORT --token=bench --team=bench"
gcheck() {
  i=0
  while [ $i -lt 9 ]; do
    cmp -s "packages/p$i/src/in.bin" "packages/p$i/out/lib.bin" || { echo "p$i not restored" >&2; exit 1; }
    i=$((i + 1))
  done
}
# Fill both remote caches.
VX_CACHE_DIR=$TMP/gcache VX_TASK_CACHE_SIGNING_KEY=$TMP/ci.key "$VX" run -j 16 --output quiet --push all >/dev/null
# shellcheck disable=SC2086
"$TURBO" run build test lint --concurrency=16 --cache-dir=.turbo-cache --cache=local:rw,remote:rw $TURBO_REMOTE --output-logs=none >/dev/null
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
: > "$TMP/gtimes"
round=1
while [ $round -le "$ROUNDS" ]; do
  # A fresh clone: no output, no kept result, no stamp of a last success.
  rm -rf packages/*/out "$TMP/gempty" "$TMP/gdata" .turbo-cache .turbo
  vx_remote=$(VX_CACHE_DIR=$TMP/gempty XDG_DATA_HOME=$TMP/gdata timed "$VX" run -j 16 all)
  gcheck
  [ "$(grep -c "restored from the registry" "$TMP/out.log" || true)" = 27 ] || { cat "$TMP/out.log" >&2; echo "vx did not restore all 27 from the registry" >&2; exit 1; }
  rm -rf packages/*/out .turbo-cache .turbo
  # shellcheck disable=SC2086
  turbo_remote=$(timed "$TURBO" run build test lint --concurrency=16 --cache-dir=.turbo-cache --cache=local:,remote:r $TURBO_REMOTE --output-logs=none)
  gcheck
  echo "$vx_remote $turbo_remote" >> "$TMP/gtimes"
  round=$((round + 1))
done
kill "$TRRC_PID" 2>/dev/null || true
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo
echo "remote case: load average before the rounds: $LOAD_BEFORE; after: $LOAD_AFTER"
echo
python3 - "$TMP/gtimes" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
vx, turbo = (statistics.median(c) for c in zip(*rows))
ratio = statistics.median(r[0] / r[1] for r in rows)
print("| command | median wall (s) |")
print("|---|---|")
print(f"| vx run -j 16 all, empty cache: 27 restores from the registry | {vx:.3f} |")
print(f"| turbo run build test lint, remote only: 27 from turborepo-remote-cache | {turbo:.3f} |")
print(f"| **vx / turbo** (median of the rounds' ratios, {len(rows)} rounds) | **{ratio:.2f}** |")
PY
}

case $CASES in
  local) local_case ;;
  remote) remote_case ;;
  both) local_case; remote_case ;;
  *) echo "cases: local, remote or both" >&2; exit 2 ;;
esac
