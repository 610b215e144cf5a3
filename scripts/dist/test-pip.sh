#!/usr/bin/env bash
# Tests the PyPI wheel (CI runs it from .ci/dist): builds the wheel of a debug musl
# build with maturin (pypi/pyproject.toml, `bindings = "bin"`), tags it manylinux and
# musllinux both (`wheel tags`), installs it from a local directory into a fresh venv
# (no index), and checks `vx --version`, `vx self info` naming the pip channel, and
# `vx self update` refusing with pip's command. maturin and wheel come from PyPI into a
# venv of their own (~/.cache/vx-dist/venv), reused between runs.
#
# With RELEASE_DIR (a set built by scripts/dist/build.sh with the macOS targets), the
# macOS wheels too (scripts/dist/macos-wheels.sh): tagged macosx_11_0_arm64 and
# macosx_10_12_x86_64 (the macOS each is linked for), each holding its archive's binary
# byte for byte, and each the one pip picks for a Mac of that architecture
# (`pip download --platform`, as pip on macOS 12, and on the oldest macOS of the tag,
# would ask), which is as far as Linux can take them.
#
# Usage: scripts/dist/test-pip.sh [RELEASE_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools=${VX_DIST_TOOLS_VENV:-$HOME/.cache/vx-dist/venv}
# shellcheck source=scripts/dist/checks.sh
. "$root/scripts/dist/checks.sh"
checks_begin "pip: "

if [ ! -x "$tools/bin/maturin" ] || [ ! -x "$tools/bin/wheel" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q 'maturin>=1.5,<2' wheel
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n1)

(cd "$root/pypi" && "$tools/bin/maturin" build --quiet --profile dev \
  --target x86_64-unknown-linux-musl --compatibility musllinux_1_2 --out "$work/built") >/dev/null
built=$(ls "$work/built"/*.whl)
"$tools/bin/wheel" tags --remove --platform-tag manylinux_2_17_x86_64.musllinux_1_2_x86_64 "$built" >/dev/null
wheel=$(ls "$work/built"/*.whl)
case "$wheel" in
  *manylinux_2_17_x86_64.musllinux_1_2_x86_64.whl) pass "tagged $(basename "$wheel")" ;;
  *) fail "tags: $wheel" ;;
esac

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --no-index --find-links "$work/built" vx-toolchain
vx=$work/venv/bin/vx
if "$vx" --version | grep -q "^vx $version "; then pass "vx --version from the venv"; else fail "vx --version: $("$vx" --version 2>&1)"; fi
home=$work/home
mkdir -p "$home"
info=$(env -i HOME="$home" "$vx" self info --json)
if grep -q '"channel":"pip"' <<<"$info"; then pass "vx self info: channel pip"; else fail "self info: $info"; fi
code=0
out=$(env -i HOME="$home" "$vx" self update 2>&1) || code=$?
if [ "$code" = 2 ] && grep -q "pip install -U vx-toolchain" <<<"$out"; then
  pass "vx self update refuses with pip's command"
else
  fail "self update: exit $code: $out"
fi

if [ $# -ge 1 ]; then
  release=$(cd "$1" && pwd)
  WHEEL=$tools/bin/wheel "$root/scripts/dist/macos-wheels.sh" "$wheel" "$release" "$work/macos" >/dev/null 2>"$work/macos.log" \
    || fail "macos-wheels.sh: $(cat "$work/macos.log")"
  for pair in aarch64-apple-darwin:arm64:macosx_11_0_arm64 x86_64-apple-darwin:x86_64:macosx_10_12_x86_64; do
    IFS=: read -r target arch tag <<<"$pair"
    built=$work/macos/vx_toolchain-$version-py3-none-$tag.whl
    if [ -f "$built" ]; then pass "$(basename "$built")"; else fail "no $tag wheel: $(ls "$work/macos")"; continue; fi
    # What pip on macOS 12 of this architecture, and on the oldest macOS the tag names,
    # downloads from a directory holding every wheel (the Linux one too).
    cp "$wheel" "$work/macos/"
    for platform in "macosx_12_0_$arch" "$tag"; do
      rm -rf "$work/picked-$arch"
      "$work/venv/bin/pip" download -q --no-index --find-links "$work/macos" --only-binary=:all: \
        --platform "$platform" --python-version 3.12 -d "$work/picked-$arch" vx-toolchain
      picked=$(ls "$work/picked-$arch")
      if [ "$picked" = "$(basename "$built")" ]; then pass "pip for $platform picks $picked"; else fail "pip for $platform picked $picked"; fi
    done
    mkdir -p "$work/unpacked-$arch" "$work/archive-$arch"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$built" "$work/unpacked-$arch"
    tar -xzf "$release/vx-$version-$target.tar.gz" -C "$work/archive-$arch"
    if cmp -s "$work/unpacked-$arch/vx_toolchain-$version.data/scripts/vx" "$work/archive-$arch/vx-$version-$target/vx"; then
      pass "the $tag wheel holds the $target archive's vx"
    else
      fail "the $tag wheel's vx is not the $target archive's"
    fi
  done
fi
[ "$failures" = 0 ]
