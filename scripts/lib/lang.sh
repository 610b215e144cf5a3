# shellcheck shell=bash
# Sourced by the language benchmarks (scripts/bench-lang.sh, scripts/bench-team.sh), after
# scripts/lib/common.sh: what both do alike to set vx and mise up against one loopback
# registry (scripts/lib/bench_registry.py), time them and summarise the times. Bash.

# astral-sh/uv's release archive uv-TRIPLE.tar.gz of uv VERSION, packed once into CACHE
# from the real uv of PyPI's manylinux wheel as astral-sh/uv's build-release-binaries.yml
# packs it (`uv-TRIPLE/uv`, `uvx`); prints its path. For the benchmarks' loopback GitHub
# (scripts/bench-lang.sh, scripts/bench-team.sh). Needs pip and the network once.
uv_release_archive() {
  local cache=$1 version=$2 triple=$3
  local archive=$cache/uv-$triple.tar.gz
  if [ ! -s "$archive" ]; then
    rm -rf "$cache/uvwheel" && mkdir -p "$cache/uvwheel"
    python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
      --python-version 3.12 -d "$cache/uvwheel" "uv==$version" >&2
    (cd "$cache/uvwheel" && python3 -m zipfile -e uv-*.whl x && mkdir "uv-$triple" &&
      cp "x/uv-$version.data/scripts/uv" "x/uv-$version.data/scripts/uvx" "uv-$triple/" &&
      chmod 755 "uv-$triple"/* && tar czf "$archive.tmp" "uv-$triple")
    mv "$archive.tmp" "$archive"
  fi
  echo "$archive"
}

# node 20.11.1's ARCHIVE (node-v20.11.1-linux-x64.tar.xz) in nodejs.org's dist/ layout
# under DIR: v20.11.1/ with the archive and its SHASUMS256.txt, and the index.json
# entry of the release (npm 10.2.4, LTS Iron), as nodejs.org publishes them.
node_dist() {
  local dir=$1 archive=$2
  mkdir -p "$dir/v20.11.1"
  cp "$archive" "$dir/v20.11.1/"
  (cd "$dir/v20.11.1" && sha256sum node-v20.11.1-linux-x64.tar.xz >SHASUMS256.txt)
  cat >"$dir/index.json" <<'JSON'
[{"version":"v20.11.1","date":"2024-02-14","files":["linux-x64"],"npm":"10.2.4","lts":"Iron","security":false}]
JSON
}

# The loopback registry (scripts/lib/bench_registry.py) over CACHE and `$work/www`,
# astral-sh/uv's release UV_RELEASE on its GitHub as `$work/www/gh/uv-TRIPLE.tar.gz`,
# in the background: sets `server` (its pid, for the caller's clean-up) and `url`
# (http://127.0.0.1:PORT) once PATH answers there. Needs `root` and `work`.
bench_registry() {
  local cache=$1 uv_release=$2 triple=$3 probe=$4 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  UV_RELEASE=$uv_release UV_ASSET=uv-$triple.tar.gz \
    python3 "$root/scripts/lib/bench_registry.py" "$port" "$cache" "$work/www" &
  # shellcheck disable=SC2034 # the caller's, for its clean-up
  server=$!
  url=http://127.0.0.1:$port
  for _ in $(seq 50); do curl -fs "$url$probe" >/dev/null && break; sleep 0.1; done
}

# What the loopback registry serves under `$work/www`: node's ARCHIVE in nodejs.org's
# dist/ layout (node_dist), CPYTHON as cpython.tar.gz, and UV_ARCHIVE under gh/.
bench_www() {
  local node_archive=$1 cpython=$2 uv_archive=$3
  node_dist "$work/www/dist" "$node_archive"
  mkdir -p "$work/www/gh"
  cp "$cpython" "$work/www/cpython.tar.gz"
  cp "$uv_archive" "$work/www/gh/"
}

# pip's manylinux cp312 wheels of REQUIREMENT… (and their dependencies) into DIR, and
# black BLACK's pure wheel (py3-none-any) from PyPI beside them: the lock records each
# platform's own wheel of black, and a runtime tool's own archive is its pure wheel.
# Needs the network.
cp312_wheels() {
  local dir=$1 black=$2 pure
  shift 2
  python3 -m pip download -q --only-binary=:all: --platform manylinux_2_17_x86_64 \
    --python-version 3.12 --implementation cp --abi cp312 -d "$dir" "$@"
  pure=$(curl -fsS https://pypi.org/simple/black/ |
    grep -o "https://[^\"#]*/black-$black-py3-none-any.whl" | head -1)
  curl -fsS -o "$dir/black-$black-py3-none-any.whl" "$pure"
}

# vx's own HOME below DIR (its XDG directories in their default places under it), pip
# reading the index INDEX alone.
bench_vx_home() {
  local dir=$1/home
  export HOME=$dir XDG_CONFIG_HOME=$dir/.config XDG_CACHE_HOME=$dir/.cache
  export XDG_DATA_HOME=$dir/.local/share XDG_STATE_HOME=$dir/.local/state
  export PIP_INDEX_URL=$2 PIP_DISABLE_PIP_VERSION_CHECK=1
}

# Runs COMMAND… with its output discarded and appends "LABEL MILLISECONDS" to
# `$work/times`; a failure shows the command's stderr and ends the script.
timed_ms() { # LABEL COMMAND…
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>"$work/last.err" || { echo "$label failed:" >&2; cat "$work/last.err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "$label $(( (t1 - t0) / 1000000 ))" >>"$work/times"
}

# vx's user config for the loopback registry at `url`: its GitHub, and nodejs.org's
# downloads sent there (`[url_replacements]`, the file's last table: a caller may add
# lines to it).
bench_vx_config() {
  mkdir -p "$XDG_CONFIG_HOME/vx"
  cat >"$XDG_CONFIG_HOME/vx/config.toml" <<EOF
[github]
url = "$url/gh"

[url_replacements]
"https://nodejs.org/dist/" = "$url/www/dist/"
EOF
}

# `mise_env`, the environment mise runs in: its own directories below `$work/mise`, its
# prompts answered, the project `$work/mise-project` trusted, pipx's and uv's index the
# loopback registry's at `url`, uv downloading no python. A caller adds its own with
# `mise_env+=(…)`.
bench_mise_env() {
  # shellcheck disable=SC2034 # the caller's
  mise_env=(
    MISE_DATA_DIR="$work/mise/data" MISE_CACHE_DIR="$work/mise/cache"
    MISE_CONFIG_DIR="$work/mise/config" MISE_STATE_DIR="$work/mise/state"
    MISE_YES=1 MISE_USE_VERSIONS_HOST=false MISE_TRUSTED_CONFIG_PATHS="$work/mise-project"
    MISE_PIPX_REGISTRY_URL="$url/pypi/{}/json"
    UV_DEFAULT_INDEX="$url/simple/" UV_INDEX_URL="$url/simple/" UV_CACHE_DIR="$work/mise/uv-cache"
    UV_PYTHON_DOWNLOADS=never
  )
}

# The vx.toml table of python 3.12.1 as a URL tool: the CPYTHON archive, as the loopback
# registry at `url` serves it (bench_www).
bench_python_table() {
  cat <<EOF
[tools.python]
version = "3.12.1"
url = "$url/www/cpython.tar.gz"
sha256 = "$(sha256sum "$1" | cut -d' ' -f1)"
strip_components = 1
EOF
}

# The language benchmarks' arguments, VX MISE [ROUNDS]: `vx` and `mise` (absolute
# paths) and `rounds` (default 5).
vx_mise_args() {
  # shellcheck disable=SC2034 # the caller's
  vx=$(realpath "$1") mise=$(realpath "$2") rounds=${3:-5}
}

# What timed_ms wrote to `$work/times`: each label's median and runs (the label in a
# column WIDTH wide), then, of the cold and no-op rounds, the ratio vx/mise of each
# round and their median.
vx_mise_summary() {
  python3 - "$work/times" "$1" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    k, v = line.split(); runs.setdefault(k, []).append(int(v))
width = int(sys.argv[2])
for k in runs:
    print(f"{k:{width}} median {statistics.median(runs[k]):8.0f} ms   runs {runs[k]}")
for kind in ("cold", "noop"):
    ratios = [a / b for a, b in zip(runs[f"vx_{kind}"], runs[f"mise_{kind}"])]
    print(f"{kind}: vx/mise per round {[round(x, 3) for x in ratios]}, median {statistics.median(ratios):.3f}")
PY
}
