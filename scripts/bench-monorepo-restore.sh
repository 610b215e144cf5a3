#!/bin/sh
# Issue 77's monorepo figures, on one pnpm + turbo workspace that both tools read as it
# stands (vx with no vx.toml):
#
#   1. all tasks restored from the local cache: `vx run build` beside `turbo run
#      build`, each after every package's `dist/` is deleted, interleaved by
#      farm-bench (the median of the per-pair ratios vx / turbo is the figure);
#   2. the time to the first task started: from `vx run --json build`'s start to its
#      first `running` phase, and the same for turbo (to its first task's first line
#      of output, `--output-logs=full`), with every cache empty (each run from a
#      fresh copy).
#
# The workspace: N packages (default 50) `packages/pNN`, in chains of five (`pNN`
# depends on the one before it with `workspace:*`), each with a 64 KiB source file its
# build copies into `dist/`; turbo.json's `build` waits for `^build` and keeps
# `dist/**`. pnpm writes the lockfile (offline: no outside dependency).
#
#   scripts/bench-monorepo-restore.sh [N] [RUNS]
#
# Needs a vx binary (VX=path, default target/release/vx), turbo and pnpm on PATH (npm
# packages `turbo`, `pnpm`), farm-bench, python3.
set -eu
N=${1:-50}
RUNS=${2:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VX=${VX:-$ROOT/target/release/vx}
case $VX in /*) ;; *) VX=$(pwd)/$VX ;; esac
[ -x "$VX" ] || { echo "no vx at $VX: cargo build --release --bin vx, or set VX" >&2; exit 2; }
command -v turbo >/dev/null || { echo "no turbo: npm install -g turbo" >&2; exit 2; }
command -v pnpm >/dev/null || { echo "no pnpm: npm install -g pnpm" >&2; exit 2; }
command -v farm-bench >/dev/null || { echo "no farm-bench" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NO_COLOR=1 TURBO_UI=false
export XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data XDG_STATE_HOME=$TMP/state
export XDG_CACHE_HOME=$TMP/cache
export HOME=$TMP/home
mkdir -p "$HOME"

# The workspace, at $1.
make_workspace() {
  w=$1
  mkdir -p "$w"
  cat > "$w/package.json" <<EOF
{ "name": "bench", "private": true, "packageManager": "pnpm@$(pnpm --version)" }
EOF
  printf 'packages:\n  - "packages/*"\n' > "$w/pnpm-workspace.yaml"
  cat > "$w/turbo.json" <<'EOF'
{ "$schema": "https://turborepo.com/schema.json",
  "tasks": { "build": { "dependsOn": ["^build"], "outputs": ["dist/**"] } } }
EOF
  i=1
  while [ "$i" -le "$N" ]; do
    name=$(printf 'p%02d' "$i")
    dir=$w/packages/$name
    mkdir -p "$dir/src"
    head -c 65536 /dev/urandom > "$dir/src/in.bin"
    deps=""
    if [ $(((i - 1) % 5)) -ne 0 ]; then
      deps=$(printf '"dependencies": { "p%02d": "workspace:*" },' $((i - 1)))
    fi
    cat > "$dir/package.json" <<EOF
{ "name": "$name", "version": "1.0.0", $deps
  "scripts": { "build": "mkdir -p dist && cp src/in.bin dist/out.bin" } }
EOF
    i=$((i + 1))
  done
  (cd "$w" && pnpm install --offline --silent >/dev/null 2>&1 && git init -q . \
    && printf 'node_modules\n.turbo\ndist\n' > .gitignore)
}

W=$TMP/w
make_workspace "$W"
cp -r "$W" "$TMP/pristine"
cd "$W"
# Fill both caches once.
"$VX" run build >/dev/null 2>&1
turbo run build --output-logs=none >/dev/null 2>&1
echo "== $N package builds restored from the local cache (dist/ deleted before each run)"
farm-bench -n "$RUNS" --timeout 900 \
  --vs "sh -c 'rm -rf packages/*/dist && turbo run build --output-logs=none >/dev/null 2>&1'" \
  -- sh -c "rm -rf packages/*/dist && '$VX' run build >/dev/null 2>&1"
# Both restored every output.
[ "$(ls packages/*/dist/out.bin | wc -l)" -eq "$N" ] || { echo "not every output restored" >&2; exit 1; }

echo "== time to the first task started, empty caches (median of $RUNS fresh copies)"
python3 - "$VX" "$TMP" "$RUNS" <<'EOF'
import json, os, shutil, statistics, subprocess, sys, time
vx, tmp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def first(cmd, cwd, started):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen, said = None, []
    for line in p.stdout:
        if seen is None and started(line):
            seen = time.monotonic() - t0
        said.append(line)
    p.wait()
    if seen is None:
        sys.stderr.write("".join(said[-20:]))
    return seen

def vx_started(line):
    try:
        e = json.loads(line)
    except ValueError:
        return False
    return e.get("event") == "phase" and e.get("phase") == "running"

def turbo_started(line):
    # turbo's first task's first line: `p01:build: ...`
    return ":build: " in line

out = {"vx": [], "turbo": []}
for r in range(runs):
    for tool in ("vx", "turbo"):
        w = os.path.join(tmp, f"fresh-{tool}-{r}")
        shutil.copytree(os.path.join(tmp, "pristine"), w, symlinks=True)
        data = os.path.join(tmp, f"data-{tool}-{r}")
        os.environ["XDG_DATA_HOME"] = data
        os.environ["XDG_CACHE_HOME"] = data + "-cache"
        if tool == "vx":
            t = first([vx, "run", "--json", "build"], w, vx_started)
        else:
            t = first(["turbo", "run", "build", "--output-logs=full", "--ui=stream"], w, turbo_started)
        if t is None:
            sys.exit(f"{tool} started no task")
        out[tool].append(t)
        shutil.rmtree(w)
for tool, ts in out.items():
    print(f"{tool:6} median {statistics.median(ts) * 1000:7.1f} ms  (min {min(ts) * 1000:.1f}, max {max(ts) * 1000:.1f})")
EOF
