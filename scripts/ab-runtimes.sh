#!/usr/bin/env bash
# A/B of two vx builds on one runtime's cold install (docs/BENCHMARKS.md §18): node
# 20's `.tar.gz` or python 3.12's `install_only_stripped` (the fixtures
# tests/common/publishers builds into target/runtime-fixtures: run
# `cargo test --test it runtime_python::` and `runtimes::` once first), each a
# `url` tool with its sha256 and the runtime's layout (python's `bin` and marker
# step), served by scripts/lib/serve.py; `vx sync --headless -q` on an empty state,
# under `perf stat` (task-clock: CPU of the sync and its child; page faults), with the
# wall time beside it. Interleaved rounds; medians and the median of per-round ratios.
#
# Usage: scripts/ab-runtimes.sh VX_A VX_B [ROUNDS] [node|python]
#   VX_A, VX_B  two vx binaries (copy the release build of the base to target/vx-before
#               before a change, then build the change)
#   ROUNDS      interleaved rounds (default 5): each round runs A, then B
# On a machine busy with other work, run it with the session's autogroup raised
# (`echo -20 > /proc/self/autogroup` in the shell first) and read the ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/common.sh"
. "$root/scripts/lib/ab.sh"
[ $# -ge 2 ] || { sed -n '12,15p' "$0" >&2; exit 2; }
a=$(realpath "$1") b=$(realpath "$2") rounds=${3:-5} tool=${4:-node}
fixtures=$root/target/runtime-fixtures
case $tool in
  node) file=$fixtures/node-v20.11.1-linux-x64.tar.gz ;;
  python) file=$fixtures/cpython-3.12.1-install_only_stripped.tar.gz ;;
  *) echo "node or python, not $tool" >&2; exit 2 ;;
esac
[ -f "$file" ] || { echo "$file is missing: build the fixtures (see the top of $0)" >&2; exit 2; }
served_work ab-runtimes

mkdir -p "$work/www" "$work/project"
ln -s "$file" "$work/www/$tool.tar.gz"
serve_dir "$work/www"
sha=$(sha256sum "$file" | cut -d' ' -f1)
case $tool in
  node) layout='bin = ["bin/node", "bin/npm", "bin/npx", "bin/corepack"]' ;;
  # crates/vx-sources/src/runtime/python.rs's layout: its bin entries and the PEP 668 marker step.
  python) layout='bin = ["bin/python3", "python=bin/python3", "bin/python3.12", "bin/pip3", "pip=bin/pip3"]
post_install = "(echo [externally-managed]&& echo Error=shared) > lib/python3.12/EXTERNALLY-MANAGED || (echo [externally-managed]&& echo Error=shared) > Lib/EXTERNALLY-MANAGED"' ;;
esac
printf '[tools.%s]\nversion = "1"\nurl = "%s/%s.tar.gz"\nsha256 = "%s"\nstrip_components = 1\n%s\n' \
  "$tool" "$base" "$tool" "$sha" "$layout" >"$work/project/vx.toml"
(isolate_vx "$work/lock-state" && cd "$work/project" && "$a" lock -q >/dev/null 2>&1)

ab_run "$a" "$b" "$tool"
