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
#   scripts/bench-task-cache.sh [ROUNDS]
#
# Needs a vx binary (VX=path, default target/release/vx), turbo (TURBO=path, default
# `turbo` on PATH; `npm install turbo` puts one in node_modules/.bin), minisign and
# /usr/bin/docker-registry (Debian packages `minisign`, `docker-registry`), python3.
set -eu
ROUNDS=${1:-7}
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

now() { python3 -c 'import time; print(time.monotonic())'; }
# Runs "$@" quietly, prints its wall time in seconds; fails the script if it fails.
timed() {
  start=$(now)
  "$@" > "$TMP/out.log" 2>&1 || { cat "$TMP/out.log" >&2; exit 1; }
  end=$(now)
  python3 -c "print(f'{$end - $start:.4f}')"
}
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
