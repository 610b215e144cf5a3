#!/usr/bin/env bash
# What a shim costs over running the tool directly (docs/BENCHMARKS.md, "Shims").
#
#   scripts/bench-shims.sh [VX] [RUNS]
#
# VX: the vx binary to measure (default target/release/vx; build it first with
# `cargo build --release`). RUNS: runs per command (default 500). Everything happens
# in a temp HOME: a one-executable tool (a copy of /bin/true) is packed into a
# tar.gz, installed into the global toolset with `vx use -g … --url file://…`, and
# pinned by a project too; hyperfine (without a shell, `-N`) then runs the tool's own
# file, its shim outside any project (the global toolset) and inside the project,
# each answered from the recorded toolchain after the warm-up, as a user's calls are.
set -euo pipefail
vx=$(realpath "${1:-target/release/vx}")
runs=${2:-500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share \
  XDG_CACHE_HOME=$work/home/.cache VX_DAEMON_SOCKET=$work/no-daemon.sock
mkdir -p "$HOME" "$work/pkg/bin" "$work/proj" "$work/elsewhere"
cp /bin/true "$work/pkg/bin/tiny"
tar -C "$work/pkg" -czf "$work/tiny-1.0.tar.gz" bin
sha=$(sha256sum "$work/tiny-1.0.tar.gz" | cut -d' ' -f1)
(cd "$work/elsewhere" && "$vx" use -g tiny@1.0 --url "file://$work/tiny-{version}.tar.gz" -q >/dev/null)
printf '[tools.tiny]\nversion = "1.0"\nurl = "file://%s/tiny-{version}.tar.gz"\nsha256 = "%s"\n' \
  "$work" "$sha" >"$work/proj/vx.toml"
(cd "$work/proj" && "$vx" sync -q >/dev/null)
shim=$XDG_DATA_HOME/vx/shims/tiny
direct=$(echo "$XDG_DATA_HOME"/vx/store/tiny/1.0-*/bin/tiny)   # <store>/<tool>/<version>-<key>
test -L "$shim" && test -x "$direct"
echo "vx: $vx ($("$vx" --version)); load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
cd "$work/elsewhere"
hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/outside.json" \
  -n direct "$direct" -n "shim, global toolset" "$shim" -n "vx --version" "$vx --version"
cd "$work/proj"
hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/inside.json" \
  -n direct "$direct" -n "shim, in the project" "$shim"
python3 - "$work/outside.json" "$work/inside.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    direct = results[0]
    for r in results[1:]:
        over = (r["median"] - direct["median"]) * 1000
        print(f'{r["command"]}: median {r["median"]*1000:.2f} ms, direct {direct["median"]*1000:.2f} ms, over it {over:.2f} ms')
PY
