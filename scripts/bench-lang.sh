#!/usr/bin/env bash
# `vx sync` of npm:@biomejs/biome, npm:prettier, pypi:ruff and pypi:black beside
# `mise install` of the same four (issue 52's "Measured", docs/BENCHMARKS.md §21),
# both reading the same loopback registries:
#
# - npm: registry.npmjs.org's own packuments (trimmed to the version installed, its
#   `time` and `dist-tags` kept) and real tarballs, served at the registry's own paths
#   (`/NAME`, `/NAME/VERSION`, `/@SCOPE/NAME/-/NAME-VERSION.tgz`; npm asks for a scoped
#   packument as `/@scope%2fname`). biome's eight `@biomejs/cli-*` packuments are
#   served (npm reads every optional dependency's), its linux-x64 tarball alone.
# - PyPI: a PEP 503 simple index (`/simple/PROJECT/`, each link with its
#   `#sha256=`) over real wheels fetched once with pip (ruff's manylinux wheel, black's
#   cp312 wheel and its dependencies); `/pypi/PROJECT/json` for mise's version list.
# - node 20.11.1 (the real tar.xz the runtime tests build into
#   target/runtime-fixtures/) in nodejs.org's dist/ layout; CPython 3.12.1
#   (python-build-standalone's install_only_stripped build) as a file.
# - astral-sh/uv's release 0.13.9 on a loopback GitHub (the API's tags and release
#   answers under /gh/api/v3, the asset under /gh/astral-sh/uv/releases/download/):
#   `uv-x86_64-unknown-linux-gnu.tar.gz` packed from the real uv of PyPI's wheel as
#   astral-sh/uv's build-release-binaries.yml packs it (`uv-TRIPLE/uv`, `uvx`). vx's
#   uv installs black's environment (BENCHMARKS §21); it is kept like the runtimes.
#
# vx: a project naming node and python beside the four (so both sides run the tools'
# runtimes already on the machine: mise the machine's node and npm, uv with its python
# 3.12.1), locked once. mise 2026.9 (npm backend: `npm install -g`; pipx backend through
# uv), isolated (its own data, cache, config and state dirs), npm through
# `npm_config_registry`, uv through `UV_DEFAULT_INDEX`, no python download.
#
# "cold": the four tools' installs and every package cache emptied (vx: its store's
# four tool directories and download cache, npm's, pip's and vx's uv's caches; mise: its
# installs and cache, npm's and uv's caches), the runtimes (and vx's uv, mise's uv) kept.
# "no-op": everything installed; timed in the rounds as the cold is, and again with
# hyperfine -N (no shell, no `date`) where hyperfine is installed.
# Rounds are interleaved (vx cold, mise cold, vx no-op, mise no-op, …) so that the
# machine's load falls on both alike; the figures are medians and the ratio the median
# of each round's ratio.
#
# Usage: scripts/bench-lang.sh VX MISE [ROUNDS]
#   VX: a vx binary (cargo build --release: target/release/vx)
#   MISE: a mise binary (npm install @jdxcode/mise; node_modules/.bin/mise)
#   uv must be on PATH or in $UV (default /tmp/benchtools/uvenv/bin/uv), with a CPython
#   3.12 in $UV_PYTHON_INSTALL_DIR (default /tmp/benchtools/uvpy); node and npm on PATH.
# Needs the network once, to fetch the packages into target/bench-lang/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$root/scripts/lib/common.sh"
# shellcheck source=scripts/lib/lang.sh
. "$root/scripts/lib/lang.sh"
vx_mise_args "$@"
uv=${UV:-$(command -v uv || echo /tmp/benchtools/uvenv/bin/uv)}
uv_pythons=${UV_PYTHON_INSTALL_DIR:-/tmp/benchtools/uvpy}
node_archive=$root/target/runtime-fixtures/node-v20.11.1-linux-x64.tar.xz
cpython=${CPYTHON:-/tmp/benchtools/www/cpython-3.12.1+20240107-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz}
for f in "$node_archive" "$cpython" "$uv"; do
  [ -e "$f" ] || { echo "missing $f (node: cargo test --test it runtime_tools:: builds it)" >&2; exit 2; }
done
command -v npm >/dev/null || { echo "npm is needed on PATH (mise's npm backend runs it)" >&2; exit 2; }

BIOME=1.9.4 PRETTIER=3.10.1 RUFF=0.8.4 BLACK=24.10.0 UV_RELEASE=0.13.9
cache=$root/target/bench-lang
mkdir -p "$cache/npm" "$cache/files"

# Fetched once: the packuments (trimmed to the version installed) and the tarballs.
packument() { # NAME VERSION
  local name=$1 version=$2 out
  out="$cache/npm/$(printf %s "$name" | tr / +).json"
  [ -s "$out" ] && return
  curl -fsS "https://registry.npmjs.org/${name/\//%2f}" | python3 -c '
import json, sys
doc = json.load(sys.stdin); v = sys.argv[1]
doc["versions"] = {v: doc["versions"][v]}
doc["time"] = {k: t for k, t in doc.get("time", {}).items() if k in (v, "created", "modified")}
doc["dist-tags"] = {"latest": v}
json.dump(doc, sys.stdout)' "$version" >"$out.tmp"
  mv "$out.tmp" "$out"
}
tarball() { # NAME VERSION
  local name=$1 version=$2 base=${1##*/}
  local out="$cache/npm/$base-$version.tgz"
  [ -s "$out" ] || curl -fsS -o "$out" "https://registry.npmjs.org/$name/-/$base-$version.tgz"
}
packument prettier $PRETTIER
tarball prettier $PRETTIER
packument @biomejs/biome $BIOME
tarball @biomejs/biome $BIOME
for p in linux-x64 linux-arm64 linux-x64-musl linux-arm64-musl darwin-x64 darwin-arm64 win32-x64 win32-arm64; do
  packument "@biomejs/cli-$p" $BIOME
done
tarball @biomejs/cli-linux-x64 $BIOME
if ! ls "$cache/files"/black-$BLACK-*.whl >/dev/null 2>&1; then
  # black's pure wheel too: a runtime tool's own archive is its pure wheel (vx locks it
  # on every platform); pip installs the cp312 one.
  cp312_wheels "$cache/files" "$BLACK" "ruff==$RUFF" "black==$BLACK"
fi

# vx's uv: astral-sh/uv's release archive, packed from PyPI's wheel of the same uv.
uv_triple=x86_64-unknown-linux-gnu
uv_archive=$(uv_release_archive "$cache" "$UV_RELEASE" "$uv_triple")

work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
bench_www "$node_archive" "$cpython" "$uv_archive"

# The registries: one loopback server (scripts/lib/bench_registry.py), npm at the root
# (as registry.npmjs.org), PyPI under /simple/ and /files/, the rest under /www/.
bench_registry "$cache" "$UV_RELEASE" "$uv_triple" /prettier

# vx: its own HOME; nodejs.org and registry.npmjs.org sent to the server, pip's index
# the server's.
bench_vx_home "$work" "$url/simple/"
unset PIP_CONFIG_FILE PIP_FIND_LINKS PIP_EXTRA_INDEX_URL NPM_CONFIG_USERCONFIG || true
mkdir -p "$work/project"
bench_vx_config
echo "\"https://registry.npmjs.org/\" = \"$url/\"" >>"$XDG_CONFIG_HOME/vx/config.toml"
cat >"$work/project/vx.toml" <<EOF
[settings]
platforms = ["linux-x86_64"]

[tools]
node = "20.11.1"
"npm:@biomejs/biome" = "$BIOME"
"npm:prettier" = "$PRETTIER"
"pypi:ruff" = "$RUFF"
"pypi:black" = "$BLACK"

$(bench_python_table "$cpython")
EOF
store=$XDG_DATA_HOME/vx/store
(cd "$work/project" && "$vx" lock -q && "$vx" sync -q)

# mise: its own dirs; npm and uv at the same server; uv's python, no download.
bench_mise_env
mise_env+=(
  MISE_NPM_PACKAGE_MANAGER=npm
  npm_config_registry="$url/" npm_config_cache="$work/mise/npm-cache"
  npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  UV_PYTHON_INSTALL_DIR="$uv_pythons" UV_PYTHON=3.12
  PATH="$(dirname "$uv"):$PATH"
)
mkdir -p "$work/mise-project"
cat >"$work/mise-project/mise.toml" <<EOF
[tools]
"npm:@biomejs/biome" = "$BIOME"
"npm:prettier" = "$PRETTIER"
"pipx:ruff" = "$RUFF"
"pipx:black" = "$BLACK"
EOF
m() { env "${mise_env[@]}" "$mise" "$@"; }
(cd "$work/mise-project" && m install -q)

vx_cold() {
  rm -rf "$store/biome" "$store/prettier" "$store/ruff" "$store/black" \
    "$XDG_CACHE_HOME/vx/downloads" "$XDG_CACHE_HOME/vx/uv" "$HOME/.npm" "$XDG_CACHE_HOME/pip"
}
mise_cold() {
  rm -rf "$work/mise/data/installs" "$work/mise/cache" "$work/mise/npm-cache" "$work/mise/uv-cache" \
    "$work/mise/data/shims"
}
echo "vx: $("$vx" --version)   mise: $("$mise" --version)   uv: $("$uv" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$work/project"
for r in $(seq "$rounds"); do
  vx_cold; timed_ms vx_cold "$vx" sync -q
  mise_cold; timed_ms mise_cold bash -c "cd '$work/mise-project' && $(printf '%q ' env "${mise_env[@]}" "$mise") install -q"
  timed_ms vx_noop "$vx" sync -q
  timed_ms mise_noop bash -c "cd '$work/mise-project' && $(printf '%q ' env "${mise_env[@]}" "$mise") install -q"
done
# Per tool, cold: that tool's install and the package caches emptied, the rest kept.
mdir() { ls -d "$work/mise/data/installs/$1" 2>/dev/null || true; }
for pair in biome:npm-biomejs-biome prettier:npm-prettier ruff:pipx-ruff black:pipx-black; do
  t=${pair%%:*} mt=${pair#*:}
  rm -rf "$store/$t" "$XDG_CACHE_HOME/vx/downloads" "$XDG_CACHE_HOME/vx/uv" "$HOME/.npm" "$XDG_CACHE_HOME/pip"
  timed_ms "vx_$t" "$vx" sync -q
  rm -rf "$(mdir "$mt")" "$work/mise/cache" "$work/mise/npm-cache" "$work/mise/uv-cache"
  timed_ms "mise_$t" bash -c "cd '$work/mise-project' && $(printf '%q ' env "${mise_env[@]}" "$mise") install -q"
done
# Every tool runs, on both sides.
for c in biome prettier ruff black; do "$vx" exec -- "$c" --version >/dev/null; done
for c in biome prettier ruff black; do (cd "$work/mise-project" && m exec -- "$c" --version >/dev/null); done
# The no-op once more, without the shell and `date` processes `timed_ms` adds (about 4 ms
# on each side): hyperfine starts each command itself (`-N`), in its project, with
# its environment exported, many runs.
if command -v hyperfine >/dev/null; then
  (hyperfine -N -w 5 -r 30 --export-json "$work/vx-noop.json" "$vx sync -q" >/dev/null)
  (cd "$work/mise-project" && export "${mise_env[@]}" &&
    hyperfine -N -w 5 -r 30 --export-json "$work/mise-noop.json" "$mise install -q" >/dev/null)
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
vx_mise_summary 13
python3 - "$work/times" <<'PY'
import json, os, sys
side = {k: os.path.join(os.path.dirname(sys.argv[1]), f"{k}-noop.json") for k in ("vx", "mise")}
if all(os.path.exists(f) for f in side.values()):
    med = {k: json.load(open(f))["results"][0]["median"] * 1000 for k, f in side.items()}
    print(f"noop (hyperfine -N, 30 runs): vx {med['vx']:.1f} ms, mise {med['mise']:.1f} ms, "
          f"vx/mise {med['vx'] / med['mise']:.3f}")
PY
