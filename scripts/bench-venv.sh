#!/usr/bin/env bash
# What the project venv adds to a first `vx sync`, offline (docs/BENCHMARKS.md §27):
# a project of python (python-build-standalone's CPython 3.12.1, the archive the tests
# serve) with `[settings] python_venv`, synced offline with its python already in the
# store, `.venv` removed before each run: without the venv, with it made by vx's own
# uv (uv 0.13.9 in the store, as a PyPI tool's install leaves it: `uv venv` and pip
# from the python's own wheel), and with it made by `python -I -m venv` (no uv of
# vx's in the store). Medians of ROUNDS runs (default 7), interleaved.
#
# Usage: scripts/bench-venv.sh [VX]   (default target/release/vx; build it first)
# Needs target/runtime-fixtures/{cpython-3.12.1-install_only_stripped,uv-0.13.9-x86_64-unknown-linux-gnu}.tar.gz,
# which `cargo test --test it runtime_python::` makes.
set -euo pipefail
cd "$(dirname "$0")/.."
VX=$(realpath "${1:-target/release/vx}")
ROUNDS=${ROUNDS:-7}
F=$(realpath target/runtime-fixtures)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HOME=$W/home XDG_DATA_HOME=$W/home/.local/share XDG_CACHE_HOME=$W/home/.cache \
  XDG_CONFIG_HOME=$W/home/.config XDG_STATE_HOME=$W/home/.local/state VX_BOARD_DIR=$W/boards
mkdir -p "$HOME" "$VX_BOARD_DIR"
unset VIRTUAL_ENV PYTHONPATH PYTHONHOME

# uv's archive at a path of astral-sh/uv's release, as vx takes its own uv from.
rel=$W/srv/astral-sh/uv/releases/download/0.13.9
mkdir -p "$rel"
cp "$F/uv-0.13.9-x86_64-unknown-linux-gnu.tar.gz" "$rel/uv-x86_64-unknown-linux-gnu.tar.gz"
uv_sha=$(sha256sum "$rel/uv-x86_64-unknown-linux-gnu.tar.gz" | cut -d' ' -f1)
py=$F/cpython-3.12.1-install_only_stripped.tar.gz
py_sha=$(sha256sum "$py" | cut -d' ' -f1)
python_table="[tools.python]
version = \"3.12.1\"
url = \"file://$py\"
sha256 = \"$py_sha\"
strip_components = 1
bin = [\"bin/python3\"]"

# vx's uv and the python into the store.
mkdir -p "$W/seed"
cat > "$W/seed/vx.toml" <<EOF
$python_table

[tools.uv]
version = "0.13.9"
url = "file://$rel/uv-x86_64-unknown-linux-gnu.tar.gz"
sha256 = "$uv_sha"
strip_components = 1
EOF
(cd "$W/seed" && "$VX" sync --headless -q)

mkdir -p "$W/venv" "$W/plain"
printf '[settings]\npython_venv = ".venv"\n\n%s\n' "$python_table" > "$W/venv/vx.toml"
printf '%s\n' "$python_table" > "$W/plain/vx.toml"
(cd "$W/venv" && "$VX" sync --headless -q --offline)
(cd "$W/plain" && "$VX" sync --headless -q --offline)
rm -rf "$W/venv/.venv"

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
store=$XDG_DATA_HOME/vx/store
: > "$W/plain.t"; : > "$W/uv.t"; : > "$W/python.t"
for _ in $(seq "$ROUNDS"); do
  (cd "$W/plain" && ms "$VX" sync --headless --offline) >> "$W/plain.t"
  rm -rf "$W/venv/.venv"
  (cd "$W/venv" && ms "$VX" sync --headless --offline) >> "$W/uv.t"
  test -x "$W/venv/.venv/bin/pip" || { echo "no pip in the venv vx's uv made" >&2; exit 1; }
  rm -rf "$W/venv/.venv"
  mv "$store/uv" "$W/uv-aside"
  (cd "$W/venv" && ms "$VX" sync --headless --offline) >> "$W/python.t"
  mv "$W/uv-aside" "$store/uv"
done
p=$(median < "$W/plain.t"); u=$(median < "$W/uv.t"); y=$(median < "$W/python.t")
echo "vx sync --offline, median of $ROUNDS (ms):"
echo "  no venv:                                $p"
echo "  venv by vx's uv + pip from its wheel:   $u  (adds $((u - p)))"
echo "  venv by python -I -m venv:              $y  (adds $((y - p)))"
