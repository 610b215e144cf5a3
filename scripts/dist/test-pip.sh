#!/usr/bin/env bash
# Tests the PyPI wheel (CI runs it from .ci/dist): builds the wheel of a debug musl
# build with maturin (pypi/pyproject.toml, `bindings = "bin"`), tags it manylinux and
# musllinux both (`wheel tags`), installs it from a local directory into a fresh venv
# (no index), and checks `vx --version`, `vx self info` naming the pip channel, and
# `vx self update` refusing with pip's command. maturin and wheel come from PyPI into a
# venv of their own (~/.cache/vx-dist/venv), reused between runs.
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
[ "$failures" = 0 ]
