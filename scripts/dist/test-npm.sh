#!/usr/bin/env bash
# Tests the npm packages of a release set (CI runs it from .ci/dist): packs them
# (scripts/dist/npm.sh), publishes them with `npm publish` to a loopback verdaccio that
# knows nothing else (`uplinks: {}`), then in fresh projects:
#   - `npm install vx-toolchain` with default options: `vx --version` through the
#     launcher, `npx vx-toolchain --version`, an exit code passed through, `vx self
#     update` refusing with npm's command;
#   - `--omit=optional`: no binary, and the launcher says which package to install;
#   - `--os=darwin --cpu=arm64` and `--cpu=x64` (npm installing for a Mac): npm leaves
#     this platform's package out and installs @vx-toolchain/cli-darwin-ARCH, whose
#     bin/vx is the set's macOS archive's binary byte for byte (when the set has it), and
#     the launcher, told it runs on that Mac (process.platform and process.arch set
#     before it loads), starts that binary (which Linux then refuses to execute, naming
#     it).
#
# verdaccio is installed on first use into VX_VERDACCIO_DIR (default
# ~/.cache/vx-dist/verdaccio), pinned, with `node-fetch` held at 2.7.0: one of its
# dependencies asks for node-fetch's `cjs` dist-tag, which registry mirrors that keep
# only `latest` do not answer. No install script of it is run.
#
# Usage: scripts/dist/test-npm.sh RELEASE_DIR   (a set built by scripts/dist/build.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 RELEASE_DIR" >&2; exit 2; }
release=$(cd "$1" && pwd)
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$release/vx-release.json")

# shellcheck source=scripts/dist/checks.sh
. "$root/scripts/dist/checks.sh"
checks_begin "npm: "

"$root/scripts/dist/npm.sh" "$release" "$work/tarballs" >/dev/null

# verdaccio, pinned, installed once.
verdaccio_dir=${VX_VERDACCIO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vx-dist/verdaccio}
verdaccio=$verdaccio_dir/node_modules/.bin/verdaccio
if [ ! -x "$verdaccio" ]; then
  mkdir -p "$verdaccio_dir"
  cat >"$verdaccio_dir/package.json" <<'JSON'
{"name": "vx-test-verdaccio", "version": "1.0.0", "private": true,
 "dependencies": {"verdaccio": "6.1.2"}, "overrides": {"node-fetch": "2.7.0"}}
JSON
  (cd "$verdaccio_dir" && npm install --no-audit --no-fund --ignore-scripts --silent) ||
    { echo "cannot install verdaccio into $verdaccio_dir"; exit 1; }
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/storage"
cat >"$work/verdaccio.yaml" <<YAML
storage: $work/storage
uplinks: {}
# A debug build of vx is over verdaccio's default 10 MB.
max_body_size: 500mb
packages:
  '**':
    access: \$all
    publish: \$anonymous
auth:
  htpasswd:
    file: $work/htpasswd
    max_users: -1
log: { type: stdout, format: pretty, level: warn }
listen: 127.0.0.1:$port
YAML
"$verdaccio" --config "$work/verdaccio.yaml" >"$work/verdaccio.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/-/ping" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$port/-/ping" >/dev/null ||
  { echo "verdaccio did not start:"; cat "$work/verdaccio.log"; exit 1; }
export npm_config_registry="http://127.0.0.1:$port/"
export npm_config_cache="$work/cache" npm_config_userconfig="$work/npmrc"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# verdaccio lets anyone publish here; npm still wants a token to send.
echo "//127.0.0.1:$port/:_authToken=loopback" >"$work/npmrc"
for tarball in "$work/tarballs"/*.tgz; do
  npm publish --loglevel=error "$tarball" >>"$work/publish.log" 2>&1 ||
    { echo "npm publish $(basename "$tarball") failed:"; cat "$work/publish.log"; exit 1; }
done
pass "published $(ls "$work/tarballs"/*.tgz | wc -l) packages to verdaccio"

# A fresh project in $1 with `npm install ARGS… vx-toolchain`.
project() {
  local dir=$work/$1
  shift
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --silent "$@" vx-toolchain) >"$work/$(basename "$dir").log" 2>&1
}

if project default; then
  out=$("$work/default/node_modules/.bin/vx" --version 2>&1 || true)
  case "$out" in "vx $version "*) pass "vx --version through the launcher" ;; *) fail "vx --version: $out" ;; esac
  out=$(cd "$work/default" && { npx --no-install vx-toolchain --version 2>&1 || true; })
  case "$out" in "vx $version "*) pass "npx vx-toolchain --version" ;; *) fail "npx: $out" ;; esac
  code=0
  "$work/default/node_modules/.bin/vx" self update --no-such-flag >/dev/null 2>&1 || code=$?
  if [ "$code" = 2 ]; then pass "exit code 2 passed through"; else fail "exit code $code, not 2"; fi
  code=0
  out=$(env -i PATH="$PATH" HOME="$work/home" "$work/default/node_modules/.bin/vx" self update 2>&1) || code=$?
  if [ "$code" = 2 ] && grep -q "npm i -g vx-toolchain" <<<"$out"; then
    pass "vx self update refuses with npm's command"
  else
    fail "self update: exit $code: $out"
  fi
else
  fail "npm install: $(cat "$work/default.log")"
fi

if project omit --omit=optional; then
  code=0
  out=$("$work/omit/node_modules/.bin/vx" --version 2>&1) || code=$?
  if [ "$code" = 1 ] && grep -q "npm install @vx-toolchain/cli-linux-x64@$version" <<<"$out"; then
    pass "--omit=optional: the launcher names the missing package"
  else
    fail "--omit=optional: exit $code: $out"
  fi
else
  fail "npm install --omit=optional: $(cat "$work/omit.log")"
fi

for pair in arm64:aarch64-apple-darwin x64:x86_64-apple-darwin; do
  cpu=${pair%%:*}
  target=${pair##*:}
  dir=$work/darwin-$cpu
  if ! project "darwin-$cpu" --os=darwin --cpu="$cpu"; then
    fail "npm install --os=darwin --cpu=$cpu: $(cat "$work/darwin-$cpu.log")"
    continue
  fi
  if [ ! -e "$dir/node_modules/@vx-toolchain/cli-linux-x64" ]; then
    pass "--os=darwin --cpu=$cpu leaves linux-x64 out"
  else
    fail "--os=darwin --cpu=$cpu installed linux-x64"
  fi
  archive=$release/vx-$version-$target.tar.gz
  [ -f "$archive" ] || continue
  installed=$dir/node_modules/@vx-toolchain/cli-darwin-$cpu/bin/vx
  mkdir -p "$work/archive-$cpu"
  tar -xzf "$archive" -C "$work/archive-$cpu"
  if cmp -s "$installed" "$work/archive-$cpu/vx-$version-$target/vx"; then
    pass "--os=darwin --cpu=$cpu installs cli-darwin-$cpu with the $target archive's vx"
  else
    fail "--os=darwin --cpu=$cpu: no cli-darwin-$cpu/bin/vx equal to the archive's"
  fi
  # The launcher as it runs on such a Mac: it must start that package's binary.
  out=$(cd "$dir" && { node -e '
    Object.defineProperty(process, "platform", { value: "darwin" });
    Object.defineProperty(process, "arch", { value: process.argv[1] });
    process.argv = [process.argv[0], "vx", "--version"];
    require("./node_modules/vx-toolchain/bin/vx.js");' "$cpu" 2>&1 || true; })
  # Linux cannot execute a Mach-O: the launcher's spawn either fails naming the file
  # ("cannot run FILE: …") or, through execvp's fallback, has sh read it as a script,
  # which sh refuses naming the file too. Either way the file named is the one started.
  if grep -qF "$installed" <<<"$out"; then
    pass "the launcher on darwin-$cpu starts cli-darwin-$cpu/bin/vx"
  else
    fail "the launcher on darwin-$cpu: $out"
  fi
done

[ "$failures" = 0 ]
