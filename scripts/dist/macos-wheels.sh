#!/usr/bin/env bash
# Makes the macOS wheels of vx-toolchain from a release set's macOS archives: the
# wheel maturin built for Linux (pypi/pyproject.toml, `bindings = "bin"`: the binary
# alone, as vx_toolchain-VERSION.data/scripts/vx, and metadata that is the same for
# every platform) unpacked, its binary replaced by the archive's Mach-O, packed again
# (`wheel pack` writes RECORD anew) and tagged for the Mac (`wheel tags`):
#
#   aarch64-apple-darwin   macosx_11_0_arm64
#   x86_64-apple-darwin    macosx_10_12_x86_64
#
# The macOS each binary is linked for (scripts/dist/build.sh: MACOSX_DEPLOYMENT_TARGET;
# scripts/dist/check-macos.py checks it): a tag below it would let pip install a binary
# that the older macOS refuses to run.
#
# So the wheel holds the very binary the archive, the installers and npm ship, checked
# by scripts/dist/check-macos.py, instead of a second build of it (maturin would build
# it again, with zig as cargo-zigbuild does, minutes on CI's two cores).
#
# Usage: scripts/dist/macos-wheels.sh LINUX_WHEEL RELEASE_DIR OUT_DIR
# Needs PyPA's `wheel` (WHEEL=path overrides the one on PATH).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 LINUX_WHEEL RELEASE_DIR OUT_DIR" >&2; exit 2; }
base=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
release=$(cd "$2" && pwd)
mkdir -p "$3"
out=$(cd "$3" && pwd)
wheel=${WHEEL:-wheel}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$release/vx-release.json")
for pair in aarch64-apple-darwin:macosx_11_0_arm64 x86_64-apple-darwin:macosx_10_12_x86_64; do
  target=${pair%%:*}
  tag=${pair##*:}
  asset=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"].get(sys.argv[2], {}).get("asset", ""))' \
    "$release/vx-release.json" "$target")
  [ -n "$asset" ] || { echo "$release has no $target archive" >&2; exit 1; }
  dir=$stage/$target
  mkdir -p "$dir/unpacked" "$dir/archive" "$dir/packed"
  tar -xzf "$release/$asset" -C "$dir/archive"
  "$wheel" unpack --dest "$dir/unpacked" "$base" >/dev/null
  scripts=$(echo "$dir"/unpacked/*/*.data/scripts)
  [ -f "$scripts/vx" ] || { echo "$base holds no *.data/scripts/vx" >&2; exit 1; }
  cp "$dir/archive/vx-$version-$target/vx" "$scripts/vx"
  chmod 755 "$scripts/vx"
  "$wheel" pack --dest-dir "$dir/packed" "$dir"/unpacked/* >/dev/null
  packed=$(echo "$dir"/packed/*.whl)
  "$wheel" tags --remove --platform-tag "$tag" "$packed" >/dev/null
  mv "$dir"/packed/*"$tag".whl "$out/"
done
ls "$out"
