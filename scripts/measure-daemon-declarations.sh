#!/usr/bin/env bash
# The daemon's resident memory across edits of a project's runtime declarations, for
# docs/BENCHMARKS.md ("Daemon: memory across declaration edits"): a project carrying
# a declaration (`.vx/runtimes/acme-tool.toml`) and naming it in vx.toml; the daemon
# is asked for the project's toolchain, then the declaration is edited EDITS times
# (its summary changes, so the file's stamp does), each edit followed by a question
# that makes the daemon read the project again. The daemon's VmRSS (KiB) is printed
# after the first answer and after every fifth edit. Nothing is fetched: the
# declaration names a host that is never reached (the project is not locked).
#
#   cargo build && scripts/measure-daemon-declarations.sh [EDITS]   (VX=path: another vx binary)
set -euo pipefail
edits=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
vx=${VX:-$root/target/debug/vx}
client=$root/scripts/vx-daemon-client.py
. "$root/scripts/lib/common.sh"
daemon_work
export VX_OFFLINE=1
mkdir -p "$work/p/.vx/runtimes"
printf '[tools]\nacme-tool = "1"\n' > "$work/p/vx.toml"

# The declaration of the runtime tests (tests/data/acme-tool.toml), its host one that is
# never reached, its summary saying which edit it is, Linux's lines only.
declare_it() {
  sed -e 's/dl\.acme\.corp/dl.acme.invalid/g' \
    -e "s/^summary = .*/summary = \"ACME's patched tool, edit $1\"/" \
    -e '/^windows_bin = /d' \
    "$root/tests/data/acme-tool.toml" > "$work/p/.vx/runtimes/acme-tool.toml"
}

ask() {
  python3 "$client" send "{\"type\":\"toolchain\",\"cwd\":\"$work/p\"}" > "$work/answer.txt"
  grep -q '"toolchain"' "$work/answer.txt" || { cat "$work/answer.txt" >&2; exit 1; }
}
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

declare_it 0
"$vx" daemon start > /dev/null
pid=$(sed -n 1p "$work/d/daemon.lock")
ask
echo "| edits | daemon RSS (KiB) |"
echo "|---|---|"
echo "| 0 | $(rss) |"
for i in $(seq 1 "$edits"); do
  # A new modification time whatever the file system's resolution.
  sleep 0.02
  declare_it "$i"
  touch -d "@$((1700000000 + i))" "$work/p/.vx/runtimes/acme-tool.toml"
  ask
  if (( i % 5 == 0 )); then
    echo "| $i | $(rss) |"
  fi
done
