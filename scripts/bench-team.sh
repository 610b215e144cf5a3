#!/usr/bin/env bash
# A Python team's first `vx sync` on a fresh clone beside `mise install` of the same
# toolset (issue 63, docs/BENCHMARKS.md §24): python 3.12.1, node 20.11.1, uv 0.13.9,
# ruff, black and pre-commit from PyPI, and the project's `.venv`.
#
# Both read the same loopback server (scripts/lib/bench_registry.py):
# - PyPI: a PEP 503 simple index over real wheels fetched once with pip (ruff's manylinux
#   wheel, black's cp312 wheel, pre-commit and every dependency of the three), and
#   `/pypi/PROJECT/json` for mise's version list;
# - uv: astral-sh/uv's release archive `uv-x86_64-unknown-linux-gnu.tar.gz`, packed from
#   the real uv of PyPI's wheel as astral-sh/uv's build-release-binaries.yml packs it
#   (`uv-TRIPLE/uv`, `uvx`), as a URL tool on both sides (vx: `[tools.uv] url`, mise: its
#   `http:` backend), and on a loopback GitHub for the uv vx installs PyPI tools with;
# - node 20.11.1 (the real tar.xz the runtime tests build into target/runtime-fixtures/)
#   in nodejs.org's dist/ layout, and CPython 3.12.1 in python-build-standalone's
#   `install_only_stripped` layout (the archive tests/it/runtime_python.rs builds into
#   target/runtime-fixtures/, or $CPYTHON).
#
# "Cold" is a teammate's first sync of a fresh clone on a machine that has the team's
# runtimes: python and node stay installed on both sides (mise's are the same archives
# unpacked where mise keeps them, as `mise install` leaves them), and everything else is
# emptied: uv, the three PyPI tools, `.venv`, and every download and package cache (vx:
# its store's other entries, its cache dir, pip's cache; mise: its other installs, its
# cache, uv's cache). mise's `.venv` is made by `_.python.venv = { create = true }` when
# its environment is first loaded, so mise's side is `mise install && mise env`; vx's is
# `vx sync`, which makes the venv itself. "No-op": everything installed, the same
# commands again. Rounds are interleaved (vx cold, mise cold, vx no-op, mise no-op, …);
# the figures are medians and the ratio the median of each round's ratio.
#
# Usage: scripts/bench-team.sh VX MISE [ROUNDS]
#   VX: a vx binary (cargo build --release: target/release/vx)
#   MISE: a mise binary (npm install @jdxcode/mise; node_modules/.bin/mise)
# Needs the network once (PyPI), to fetch the wheels into target/bench-team/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"
# shellcheck source=scripts/lib/lang.sh
. "$root/scripts/lib/lang.sh"
vx_mise_args "$@"
fixtures=$root/target/runtime-fixtures
node_archive=$fixtures/node-v20.11.1-linux-x64.tar.xz
cpython=${CPYTHON:-$fixtures/cpython-3.12.1-install_only_stripped.tar.gz}
for f in "$node_archive" "$cpython"; do
  [ -e "$f" ] || { echo "missing $f (cargo test --test it runtime_ builds it)" >&2; exit 2; }
done

RUFF=0.8.4 BLACK=24.10.0 PRE_COMMIT=4.0.1 UV_RELEASE=0.13.9
cache=$root/target/bench-team
mkdir -p "$cache/files" "$cache/npm"
if ! ls "$cache/files"/pre_commit-$PRE_COMMIT-*.whl >/dev/null 2>&1; then
  # black's pure wheel too: the lock records each platform's own wheel of it.
  cp312_wheels "$cache/files" "$BLACK" "ruff==$RUFF" "black==$BLACK" "pre-commit==$PRE_COMMIT"
fi
uv_triple=x86_64-unknown-linux-gnu
uv_archive=$(uv_release_archive "$cache" "$UV_RELEASE" "$uv_triple")

work=$(mktemp -d)
server=
# BENCH_KEEP=1 keeps the work directory (its path printed) to look into afterwards.
trap '[ -n "$server" ] && kill $server 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
bench_www "$node_archive" "$cpython" "$uv_archive"
bench_registry "$cache" "$UV_RELEASE" "$uv_triple" /simple/ruff/

# vx: its own HOME; nodejs.org sent to the server, pip's index the server's.
bench_vx_home "$work" "$url/simple/"
# A developer's machine: PYTHONDONTWRITEBYTECODE unset (set, vx byte-compiles a PyPI
# tool's environment at install, as its runs could not: BENCH_BYTECODE=1 keeps it).
unset PIP_CONFIG_FILE PIP_FIND_LINKS PIP_EXTRA_INDEX_URL NPM_CONFIG_USERCONFIG \
  UV_INDEX_URL UV_DEFAULT_INDEX VIRTUAL_ENV || true
if [ -n "${BENCH_BYTECODE:-}" ]; then export PYTHONDONTWRITEBYTECODE=1; else unset PYTHONDONTWRITEBYTECODE; fi
mkdir -p "$work/project"
bench_vx_config
uv_sha=$(sha256sum "$uv_archive" | cut -d' ' -f1)
cat >"$work/project/vx.toml" <<EOF
[settings]
platforms = ["linux-x86_64"]
python_venv = ".venv"

[tools]
node = "20.11.1"
"pypi:ruff" = "$RUFF"
"pypi:black" = "$BLACK"
"pypi:pre-commit" = "$PRE_COMMIT"

$(bench_python_table "$cpython")

[tools.uv]
version = "$UV_RELEASE"
url = "$url/www/gh/uv-$uv_triple.tar.gz"
sha256 = "$uv_sha"
strip_components = 1
EOF
store=$XDG_DATA_HOME/vx/store
(cd "$work/project" && "$vx" lock -q && "$vx" sync -q)

# mise: its own dirs; uv at the same server; python and node are the same archives,
# unpacked where mise keeps an install.
bench_mise_env
installs=$work/mise/data/installs
mkdir -p "$installs/python/3.12.1" "$installs/node/20.11.1" "$work/mise-project"
tar xzf "$cpython" -C "$installs/python/3.12.1" --strip-components 1
tar xJf "$node_archive" -C "$installs/node/20.11.1" --strip-components 1
cat >"$work/mise-project/mise.toml" <<EOF
[tools]
python = "3.12.1"
node = "20.11.1"
uv = { version = "$UV_RELEASE", url = "$url/www/gh/uv-$uv_triple.tar.gz" }
"pipx:ruff" = "$RUFF"
"pipx:black" = "$BLACK"
"pipx:pre-commit" = "$PRE_COMMIT"

# mise's pipx backend installs with the toolset's uv: that name, from the http backend.
[tool_alias]
uv = "http:uv"

[env]
_.python.venv = { path = ".venv", create = true }
EOF
m() { (cd "$work/mise-project" && env "${mise_env[@]}" "$mise" "$@"); }
m install -q && m env -q >/dev/null

vx_cold() {
  find "$store" -mindepth 1 -maxdepth 1 ! -name 'python*' ! -name 'node*' -exec rm -rf {} +
  rm -rf "$XDG_CACHE_HOME/vx" "$XDG_CACHE_HOME/pip" "$work/project/.venv"
}
mise_cold() {
  find "$installs" -mindepth 1 -maxdepth 1 ! -name python ! -name node -exec rm -rf {} +
  rm -rf "$work/mise/cache" "$work/mise/uv-cache" "$work/mise/data/shims" "$work/mise-project/.venv"
}
mise_first() { m install -q && m env -q >/dev/null; }
echo "vx: $("$vx" --version)   mise: $("$mise" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)   PYTHONDONTWRITEBYTECODE=${PYTHONDONTWRITEBYTECODE:-}"
cd "$work/project"
for _ in $(seq "$rounds"); do
  vx_cold; timed_ms vx_cold "$vx" sync -q
  mise_cold; timed_ms mise_cold mise_first
  timed_ms vx_noop "$vx" sync -q
  timed_ms mise_noop mise_first
done
# Every tool runs on both sides, and each side's venv is a venv of python 3.12.1.
for c in uv ruff black pre-commit node; do "$vx" exec -- "$c" --version >/dev/null; done
for c in uv ruff black pre-commit node; do m exec -- "$c" --version >/dev/null; done
test "$("$vx" exec -- python -c 'import sys; print(sys.prefix, sys.version.split()[0])')" \
  = "$work/project/.venv 3.12.1"
test "$(m exec -- python -c 'import sys; print(sys.prefix, sys.version.split()[0])')" \
  = "$work/mise-project/.venv 3.12.1"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
vx_mise_summary 10
