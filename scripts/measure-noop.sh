#!/usr/bin/env bash
# Measures what a fully locked, fully installed 300-tool project costs per command:
# `vx lock --check` and a no-op `vx sync --headless`. Local file:// archives, so the
# figure is vx's own overhead, not a network's.
#
#   scripts/measure-noop.sh [TOOLS] [RUNS]      (uses target/release/vx; build it first)
set -euo pipefail
tools=${1:-300}
runs=${2:-5}
vx=$(cd "$(dirname "$0")/.." && pwd)/target/release/vx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg/bin" "$work/boards"
printf '#!/bin/sh\necho hi\n' > "$work/pkg/bin/tool"
chmod 755 "$work/pkg/bin/tool"
tar -czf "$work/tool.tar.gz" -C "$work" pkg
{
  for i in $(seq 1 "$tools"); do
    printf '[tools.t%d]\nversion = "1"\nurl = "file://%s/tool.tar.gz"\nstrip_components = 1\n\n' "$i" "$work"
  done
} > "$work/vx.toml"
cd "$work"
export VX_BOARD_DIR="$work/boards"
"$vx" sync --headless -j 16 --store "$work/store" > /dev/null   # install and lock once
ms() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
for cmd in "lock --check" "sync --headless -j 16 --store $work/store"; do
  times=()
  for _ in $(seq 1 "$runs"); do times+=("$(ms "$vx" $cmd)"); done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  echo "vx $cmd (${tools} tools): ms per run, sorted: $sorted"
done
