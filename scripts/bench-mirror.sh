#!/usr/bin/env bash
# The mirror figures of docs/BENCHMARKS.md (section 10): eight concurrent `vx sync`
# runs, each on a fresh store and cache (eight CI runners), served by an OCI registry
# (`vx mirror push` first) versus by the origin, over loopback: wall time and the
# origin's request count; then a no-op sync with the mirror configured: its time
# beside the same sync without a mirror, and the requests it made (target: none).
#   scripts/bench-mirror.sh [TOOLS] [MIB] [RUNS]   (default 4 tools of 16 MiB, 5 runs)
# Needs docker-registry (the CNCF distribution registry) and python3; not part of the
# test suite.
set -euo pipefail
tools=${1:-4}
mib=${2:-16}
runs=${3:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin vx
vx="$(realpath "${CARGO_TARGET_DIR:-target}")/release/vx"
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)" >&2; exit 1; }

work=$(mktemp -d)
cleanup() { kill "${origin_pid:-}" "${registry_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The origin: a threaded loopback HTTP server over $work/origin, logging each request.
mkdir -p "$work/origin" "$work/project"
here=$("$vx" --version >/dev/null; python3 -c 'import platform; m={"x86_64":"x86_64","amd64":"x86_64","aarch64":"aarch64","arm64":"aarch64"}[platform.machine().lower()]; o={"linux":"linux","darwin":"macos"}[platform.system().lower()]; print(o+"-"+m)')
python3 - "$work/origin" "$tools" "$mib" <<'PY'
import io, os, sys, tarfile
root, tools, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(tools):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        data = os.urandom(mib << 20)
        info = tarfile.TarInfo(f"tool{i}/bin/tool{i}"); info.size = len(data); info.mode = 0o755
        tar.addfile(info, io.BytesIO(data))
    open(os.path.join(root, f"tool{i}.tar.gz"), "wb").write(buf.getvalue())
PY
origin_port=$(free_port)
python3 - "$work/origin" "$origin_port" "$work/origin.log" <<'PY' &
import functools, http.server, sys
root, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(log, "a") as f: f.write(self.requestline + "\n")
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(H, directory=root)).serve_forever()
PY
origin_pid=$!
{
  echo "[settings]"
  echo "platforms = [\"$here\"]"
  for i in $(seq 0 $((tools - 1))); do
    printf '\n[tools.tool%d]\nversion = "1"\nurl = "http://127.0.0.1:%d/tool%d.tar.gz"\nstrip_components = 1\n' "$i" "$origin_port" "$i"
  done
} > "$work/project/vx.toml"
sleep 0.3

registry_port=$(free_port)
cat > "$work/registry.yml" <<YML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$registry_port
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
sleep 0.5
mirror="oci://127.0.0.1:$registry_port/vx/bench"

export VX_BOARD_DIR="$work/boards" VX_DAEMON_SOCKET="$work/no-daemon.sock"
(cd "$work/project" && "$vx" lock --headless -q >/dev/null 2>&1)
(cd "$work/project" && XDG_CACHE_HOME="$work/push-cache" "$vx" mirror push "$mirror" >/dev/null 2>&1)

requests() { wc -l < "$1" 2>/dev/null || echo 0; }
# Eight syncs at once, each a fresh store and cache; prints the wall time in ms.
fleet() {
  local extra=("$@") start end
  rm -rf "$work/runners"
  start=$(date +%s%N)
  for r in 1 2 3 4 5 6 7 8; do
    XDG_CACHE_HOME="$work/runners/$r/cache" "$vx" sync --manifest "$work/project/vx.toml" \
      --store "$work/runners/$r/store" --frozen --headless -q "${extra[@]}" > "$work/fleet-$r.log" 2>&1 &
  done
  local failed=0
  for job in $(jobs -p); do
    [ "$job" = "$origin_pid" ] || [ "$job" = "$registry_pid" ] || wait "$job" || failed=1
  done
  end=$(date +%s%N)
  [ "$failed" = 0 ] || { echo "a sync failed:" >&2; cat "$work"/fleet-*.log >&2; exit 1; }
  echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "vx --version: $("$vx" --version); $tools tools of $mib MiB random data (tar.gz) for $here; 8 runners; $runs runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for source in origin mirror; do
  times=()
  before=$(requests "$work/origin.log")
  for _ in $(seq "$runs"); do
    if [ "$source" = mirror ]; then times+=("$(fleet --mirror "$mirror")"); else times+=("$(fleet)"); fi
  done
  after=$(requests "$work/origin.log")
  echo "8 syncs from the $source: median $(printf '%s\n' "${times[@]}" | median) ms (all: ${times[*]}); origin requests per run: $(( (after - before) / runs ))"
done

# A no-op sync (everything installed) with and without the mirror.
store="$work/runners/1/store"
for extra in "" "--mirror $mirror"; do
  o=$(requests "$work/origin.log"); g=$(grep -c 'response completed' "$work/registry.log" || true)
  times=()
  for _ in $(seq 21); do
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    XDG_CACHE_HOME="$work/runners/1/cache" "$vx" sync --manifest "$work/project/vx.toml" --store "$store" --frozen --headless -q $extra > /dev/null
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000 ))")
  done
  o2=$(requests "$work/origin.log"); g2=$(grep -c 'response completed' "$work/registry.log" || true)
  echo "no-op sync ${extra:-without a mirror}: median $(printf '%s\n' "${times[@]}" | median) µs over 21; requests: origin $((o2 - o)), registry $((g2 - g))"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
