#!/usr/bin/env bash
# The registry figures of docs/BENCHMARKS.md (section 9), each beside `vx --version` in
# the same run (examples/registry_figures.rs): the index of a full registry built, a
# warm name lookup + render for 3 platforms, `vx lock` of 30 registry tools x 3
# platforms against the loopback GitHub (checksum files; the request log must show no
# archive fetched), and `vx x TOOL -- --version` of an installed tool.
#   scripts/bench-registry.sh REGISTRY_YAML [RUNS]    (default 21 runs)
# REGISTRY_YAML is aqua's standard registry.yaml (aquaproj/aqua-registry, ~3 MB); it is
# read, never copied into the repository.
set -euo pipefail
registry=$(realpath "${1:?usage: scripts/bench-registry.sh REGISTRY_YAML [RUNS]}")
runs=${2:-21}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin vx --example registry_figures
target=${CARGO_TARGET_DIR:-target}
"$target/release/examples/registry_figures" "$target/release/vx" "$registry" "$runs"
