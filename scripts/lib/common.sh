# Sourced by the benchmark and measurement scripts (`. "$root/scripts/lib/common.sh"`):
# what each of them needs the same way, so that a benchmark of vx never reads or
# writes the user's own state, and timings are taken and summarised one way.

# Points every directory vx reads or writes (XDG config, cache, data and state, the
# board directory) below DIR, and the daemon socket at a path no daemon listens on, so
# each `vx` run is cold of the user's state and talks to no running daemon; creates
# them. HOME stays (pyenv's shims and other tools on PATH find themselves through it).
isolate_vx() {
  local dir=$1
  export XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache" \
    XDG_DATA_HOME="$dir/data" XDG_STATE_HOME="$dir/state" \
    VX_BOARD_DIR="$dir/boards" VX_DAEMON_SOCKET="$dir/no-daemon.sock"
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" \
    "$VX_BOARD_DIR"
}

# For the daemon measurements: a fresh work directory in `work`, vx isolated below it
# (isolate_vx), the daemon's socket at `$work/d/daemon.sock`, the daemon stopped, any
# background job killed and the directory removed when the script exits, and
# `$work/boards` made. Needs `vx` set to the binary under test.
daemon_work() {
  work=$(mktemp -d)
  isolate_vx "$work"
  export VX_DAEMON_SOCKET="$work/d/daemon.sock"
  trap 'daemon_cleanup' EXIT
  mkdir -p "$work/boards"
}

daemon_cleanup() {
  "$vx" daemon stop > /dev/null 2>&1 || true
  jobs -p | xargs -r kill 2> /dev/null || true
  rm -rf "$work"
}

# A fresh work directory in `work` (named vx-NAME.XXXXXX under TMPDIR), removed when
# the script exits, with the server serve_dir started in it, if any.
served_work() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/vx-$1.XXXXXX")
  server_pid=
  trap served_work_cleanup EXIT
}

served_work_cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}

# Serves DIR over HTTP on a free loopback port (scripts/lib/serve.py) in the
# background: sets `server_pid` (for the caller's clean-up) and `base`
# (http://127.0.0.1:PORT) once the server listens. Needs `root` and `work`.
serve_dir() {
  python3 "$root/scripts/lib/serve.py" "$1" "$work/port" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  base="http://127.0.0.1:$(cat "$work/port")"
}

# The same for mise (its data, config, cache and state below DIR), trusting the config
# files below TRUSTED and answering its prompts yes.
isolate_mise() {
  local dir=$1 trusted=$2
  export MISE_DATA_DIR="$dir/mise-data" MISE_CONFIG_DIR="$dir/mise-config" \
    MISE_CACHE_DIR="$dir/mise-cache" MISE_STATE_DIR="$dir/mise-state" \
    MISE_TRUSTED_CONFIG_PATHS="$trusted" MISE_YES=1
}

# Prints the vx.toml task line `all = { depends = ["PREFIX0", …] }`: a task that runs
# nothing and depends on the COUNT tasks PREFIX0 to PREFIX(COUNT-1). POSIX sh (the
# task benchmarks are sh scripts); uses `i`, as its callers' loops do.
all_depends() {
  printf 'all = { depends = ['
  i=0
  while [ $i -lt "$1" ]; do
    [ $i -gt 0 ] && printf ', '
    printf '"%s%s"' "$2" $i
    i=$((i + 1))
  done
  echo '] }'
}

# Times each entry of the array named by $2 ("label|command words", the command split
# on spaces and run with stdout discarded) $1 times, interleaved round by round, and
# leaves each entry's wall times in microseconds, space-separated, in the associative
# array `samples` (declared by the caller: `declare -A samples=()`).
time_interleaved() {
  local runs=$1 entry cmd start end
  local -n entries=$2
  for _ in $(seq 1 "$runs"); do
    for entry in "${entries[@]}"; do
      cmd=${entry#*|}
      start=$EPOCHREALTIME
      $cmd >/dev/null
      end=$EPOCHREALTIME
      samples[$entry]+="$((${end/./} - ${start/./})) "
    done
  done
}

# The median and the minimum of the space-separated numbers in $2 (of $1 samples),
# printed as "MEDIAN MIN".
median_min() {
  local runs=$1 sorted
  sorted=$(printf '%s\n' $2 | sort -n)
  printf '%s %s\n' "$(printf '%s\n' "$sorted" | sed -n "$(((runs + 1) / 2))p")" \
    "$(printf '%s\n' "$sorted" | head -1)"
}

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
