#!/usr/bin/env bash
# What a fully locked, fully installed project costs per command, beside the process
# start of `vx --version` and the tool run directly, all measured in one run with the
# commands interleaved (run 1 of each, then run 2 of each, ...), reported as medians.
# Local file:// archives, so the figures are vx's own overhead, not a network's.
#
#   [VX=path/to/vx] scripts/measure-toolchain.sh [TOOLS] [RUNS]   (default target/release/vx; build it first)
set -euo pipefail
tools=${1:-300}
runs=${2:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
vx=${VX:-$root/target/release/vx}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg/bin" "$work/boards"
printf '#!/bin/sh\n' > "$work/pkg/bin/tool"
chmod 755 "$work/pkg/bin/tool"
tar -czf "$work/tool.tar.gz" -C "$work" pkg
{
  # t1's executable is `tool1`, so `vx tool1` names one tool among the 300.
  printf '[tools.t1]\nversion = "1"\nurl = "file://%s/tool.tar.gz"\nstrip_components = 1\n' "$work"
  printf 'post_install = "mv bin/tool bin/tool1"\n\n'
  for i in $(seq 2 "$tools"); do
    printf '[tools.t%d]\nversion = "1"\nurl = "file://%s/tool.tar.gz"\nstrip_components = 1\n\n' "$i" "$work"
  done
} > "$work/vx.toml"
cd "$work"
. "$root/scripts/lib/common.sh"
isolate_vx "$work"
"$vx" sync --headless -j 16 > /dev/null   # install and lock once
direct=$(echo "$XDG_DATA_HOME"/vx/store/t1/1-*/bin/tool1)   # <store>/<tool>/<version>-<key>

commands=(
  "vx --version|$vx --version"
  "the tool, directly|$direct"
  "vx exec -- tool1|$vx exec -- tool1"
  "vx tool1|$vx tool1"
  "vx which tool1|$vx which tool1"
  "vx exec -- true|$vx exec -- true"
  "true, directly|/bin/true"
  "vx lock --check|$vx lock --check"
  "vx sync (nothing to do)|$vx sync --headless -j 16"
)
declare -A samples=()
time_interleaved "$runs" commands
printf '%s tools, %s interleaved runs each; median and min in microseconds\n' "$tools" "$runs"
printf '| %-28s | %10s | %10s |\n' command median min
for entry in "${commands[@]}"; do
  read -r median min < <(median_min "$runs" "${samples[$entry]}")
  printf '| %-28s | %10s | %10s |\n' "${entry%%|*}" "$median" "$min"
done
