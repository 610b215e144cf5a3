#!/usr/bin/env bash
# The shell hook's cost (docs/BENCHMARKS.md, "Shell hook"): `vx hook-env` when
# nothing changed and when entering a 30-tool project, each beside `vx --version` in
# the same run (interleaved, one of each in turn), and `mise hook-env` on the same
# project when a mise binary is given (MISE=/path/to/mise; its binary is in the npm
# package @jdxcode/mise-linux-x64), with mise's "installs" laid out by hand so it
# reads them offline.
#
#   scripts/bench-hook.sh [RUNS]      (default 200 runs of each; release build)
#   VX=path/to/vx scripts/bench-hook.sh 10   (that vx, no build: to try the script)
#
# Prints the median and the 10th and 90th percentiles of each, in milliseconds. Not a
# test: the figures depend on the machine and its load (printed first).
set -euo pipefail

runs=${1:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${VX:-}" ]; then
  cargo build --release --bin vx --manifest-path "$root/Cargo.toml" >&2
fi
vx=${VX:-$target/release/vx}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME=$work/xdg VX_BOARD_DIR=$work/boards HOME=$work/home
export VX_DAEMON_SOCKET=$work/no-daemon.sock
mkdir -p "$work/project" "$work/outside" "$work/archives" "$VX_BOARD_DIR" "$HOME"

# 30 tools, each a tar.gz holding bin/toolN, installed by a real `vx sync`.
manifest=$work/project/vx.toml
: >"$manifest"
for i in $(seq 1 30); do
  mkdir -p "$work/pkg$i/pkg/bin"
  printf '#!/bin/sh\necho tool%s\n' "$i" >"$work/pkg$i/pkg/bin/tool$i"
  chmod +x "$work/pkg$i/pkg/bin/tool$i"
  tar czf "$work/archives/tool$i.tar.gz" -C "$work/pkg$i" pkg
  sha=$(sha256sum "$work/archives/tool$i.tar.gz" | cut -d' ' -f1)
  printf '[tools.tool%s]\nversion = "1.0.%s"\nurl = "file://%s"\nsha256 = "%s"\nstrip_components = 1\n\n' \
    "$i" "$i" "$work/archives/tool$i.tar.gz" "$sha" >>"$manifest"
done
cat >>"$manifest" <<'EOF'
[env]
DATABASE_URL = "postgres://localhost/dev"
CARGO_TARGET_DIR = "{project}/target"
RUST_LOG = "${RUST_LOG:-info}"
NODE_ENV = "development"
LEGACY = false

[settings]
path = ["scripts", "node_modules/.bin"]
EOF
(cd "$work/project" && "$vx" sync --headless --quiet >&2)
# Trusted, as mise's project is below: the hook applies its [env] and [settings] path.
(cd "$work/project" && "$vx" trust >/dev/null)

# The median and the 10th and 90th percentiles of the numbers on stdin (ms).
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    printf "median %.2f ms (p10 %.2f, p90 %.2f, %d runs)", v[int((NR + 1) / 2)], v[int(NR * 0.1) + 1], v[int(NR * 0.9)], NR }'
}

# Runs "$@" and `vx --version` in turn RUNS times (after 10 warm-up runs of each) and
# prints both figures and the ratio of the medians.
compare() {
  local label=$1
  shift
  local a=$work/a.txt b=$work/b.txt t0 t1 i
  : >"$a"
  : >"$b"
  for ((i = 0; i < 10; i++)); do
    "$@" >/dev/null 2>&1
    "$vx" --version >/dev/null
  done
  for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    echo "(${t1/./} - ${t0/./}) / 1000" | bc -l >>"$a"
    t0=$EPOCHREALTIME
    "$vx" --version >/dev/null
    t1=$EPOCHREALTIME
    echo "(${t1/./} - ${t0/./}) / 1000" | bc -l >>"$b"
  done
  local ma mb
  ma=$(sort -n "$a" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  mb=$(sort -n "$b" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  printf '%-34s %s\n' "$label" "$(stats <"$a")"
  printf '%-34s %s\n' "  vx --version (same run)" "$(stats <"$b")"
  printf '%-34s %.2f×\n' "  ratio of the medians" "$(echo "$ma / $mb" | bc -l)"
}

echo "machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg); $("$vx" --version)"

cd "$work/project"
# Entering: a shell without vx's state in the project directory (the project's
# activation record is there, as after any earlier use).
env -u __VX_STATE "$vx" hook-env --shell bash | grep -q "tool30/1.0.30/bin" ||
  { echo "vx hook-env does not put the tools on PATH" >&2; exit 1; }
compare "vx hook-env, entering (30 tools)" env -u __VX_STATE "$vx" hook-env --shell bash

# Nothing changed: the state the entering call left.
eval "$("$vx" hook-env --shell bash)"
[ -z "$("$vx" hook-env --shell bash)" ] || { echo "hook-env is not quiet when nothing changed" >&2; exit 1; }
compare "vx hook-env, nothing changed" "$vx" hook-env --shell bash
echo "state variable: ${#__VX_STATE} bytes"

if [ -n "${MISE:-}" ]; then
  # The same 30 tools as mise's github backend sees installed ones, and the same [env].
  export MISE_DATA_DIR=$work/mise/data MISE_CONFIG_DIR=$work/mise/config
  export MISE_CACHE_DIR=$work/mise/cache MISE_STATE_DIR=$work/mise/state MISE_OFFLINE=1
  mkdir -p "$work/mise-project"
  {
    echo "[tools]"
    for i in $(seq 1 30); do
      echo "\"github:vxbench/tool$i\" = \"1.0.$i\""
      d=$MISE_DATA_DIR/installs/github-vxbench-tool$i/1.0.$i/bin
      mkdir -p "$d"
      cp "$work/pkg$i/pkg/bin/tool$i" "$d/"
    done
    printf '[env]\nDATABASE_URL = "postgres://localhost/dev"\nCARGO_TARGET_DIR = "{{config_root}}/target"\n'
    printf 'RUST_LOG = "info"\nNODE_ENV = "development"\n_.path = ["scripts", "node_modules/.bin"]\n'
  } >"$work/mise-project/mise.toml"
  cd "$work/mise-project"
  "$MISE" trust >/dev/null 2>&1
  env -u __MISE_DIFF -u __MISE_SESSION "$MISE" hook-env -s bash | grep -q "tool30/1.0.30/bin" ||
    { echo "mise hook-env does not put the tools on PATH" >&2; exit 1; }
  compare "mise hook-env, entering (30 tools)" env -u __MISE_DIFF -u __MISE_SESSION "$MISE" hook-env -s bash
  eval "$("$MISE" hook-env -s bash)"
  compare "mise hook-env, nothing changed" "$MISE" hook-env -s bash
  echo "mise: $("$MISE" --version)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
