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
