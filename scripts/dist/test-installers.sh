#!/usr/bin/env bash
# Tests the release set and its installers on loopback (CI runs it: .ci/dist):
#   - builds the release set of a debug build (scripts/dist/build.sh, musl only, signed
#     with a key made here) and serves it with python3's http.server on 127.0.0.1;
#   - shellcheck on install.sh and the scripts; install.ps1 parsed (pwsh's parser, or
#     tree-sitter's PowerShell grammar from npm);
#   - install.sh under dash, busybox sh and bash into a home of its own: vx installed and
#     running, the profile line, the receipt read back by `vx self info --json`;
#   - `uname` shimmed: aarch64 Linux picks its own archive (absent from this set, so
#     named in the refusal); macOS with `uname` and `sysctl` answering as a Mac (arm64;
#     Intel; an arm64 Mac's shell under Rosetta, `sysctl.proc_translated` 1; an older
#     Intel macOS without that name) downloads and installs the macOS archive of its
#     architecture from the set (aarch64-apple-darwin, x86_64-apple-darwin, linked here
#     by cargo-zigbuild), the very binary of the archive;
#   - the Homebrew formula of the set (scripts/dist/homebrew.py) parses (`ruby -c`), and
#     its `on_macos` `on_arm`/`on_intel` blocks name the aarch64 and x86_64 macOS
#     archives with their sha256, each downloaded from its URL and checked;
#   - a tampered archive is refused and nothing installed; no sha256sum, shasum or
#     openssl on PATH is refused before any download; VX_UNMANAGED_INSTALL installs
#     with no receipt and no profile edit; VX_NO_MODIFY_PATH=1 leaves profiles alone;
#   - the installed vx updates itself from the same server (`vx self update` to a
#     second release set, signed by the key the user config trusts).
# Installs what it needs (musl-tools, minisign, busybox, shellcheck, dash) when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

started=$(date +%s)
# shellcheck source=scripts/dist/checks.sh
. "$root/scripts/dist/checks.sh"
checks_begin ""

need=()
for pair in musl-gcc:musl-tools minisign:minisign busybox:busybox shellcheck:shellcheck dash:dash python3:python3 curl:curl; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

echo "== shellcheck"
if shellcheck -s sh scripts/dist/install.sh && shellcheck -x scripts/dist/build.sh scripts/dist/test-installers.sh scripts/dist/checks.sh; then
  pass "shellcheck"
else
  fail "shellcheck"
fi
# install.ps1 parsed by PowerShell's own parser when pwsh is here, else by tree-sitter's
# PowerShell grammar (npm, WebAssembly), installed into ~/.cache/vx-dist/ts once.
if command -v pwsh >/dev/null; then
  if pwsh -NoProfile -Command "\$e = \$null; [System.Management.Automation.Language.Parser]::ParseFile('scripts/dist/install.ps1', [ref]\$null, [ref]\$e) | Out-Null; if (\$e) { \$e; exit 1 }"; then
    pass "install.ps1 parses (pwsh)"
  else
    fail "install.ps1 parses (pwsh)"
  fi
else
  ts=${VX_DIST_TS_DIR:-$HOME/.cache/vx-dist/ts}
  if [ ! -d "$ts/node_modules/tree-sitter-powershell" ]; then
    mkdir -p "$ts"
    (cd "$ts" && npm install --silent --no-audit --no-fund --ignore-scripts tree-sitter-powershell@0.26 web-tree-sitter@0.27)
  fi
  if NODE_PATH=$ts/node_modules node scripts/dist/parse-ps1.js scripts/dist/install.ps1; then
    pass "install.ps1 parses (tree-sitter-powershell)"
  else
    fail "install.ps1 parses (tree-sitter-powershell)"
  fi
fi

echo "== release sets (debug build)"
minisign -G -W -p "$work/key.pub" -s "$work/key" >/dev/null
key_line=$(tail -n 1 "$work/key.pub")
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
export VX_DIST_PROFILE=debug VX_RELEASE_KEY="$work/key"
export VX_DIST_TARGETS="x86_64-unknown-linux-musl aarch64-apple-darwin x86_64-apple-darwin"
build_started=$(date +%s)
scripts/dist/build.sh "$work/www/v$version" 2>"$work/build.log" || { cat "$work/build.log"; exit 1; }
echo "   (build: $(($(date +%s) - build_started))s)"
# The "next" release: the same binary's archive relabelled would report the wrong
# version, so a script standing for vx $next is packed as build.sh packs one.
next=99.0.0
mkdir -p "$work/next/vx-$next-x86_64-unknown-linux-musl" "$work/www/v$next"
printf '#!/bin/sh\necho "vx %s (test 2026-01-01)"\n' "$next" >"$work/next/vx-$next-x86_64-unknown-linux-musl/vx"
chmod 755 "$work/next/vx-$next-x86_64-unknown-linux-musl/vx"
tar -C "$work/next" -czf "$work/www/v$next/vx-$next-x86_64-unknown-linux-musl.tar.gz" "vx-$next-x86_64-unknown-linux-musl"
python3 - "$work/www/v$next" "$next" <<'PY'
import hashlib, json, os, sys
d, v = sys.argv[1:]
name = f"vx-{v}-x86_64-unknown-linux-musl.tar.gz"
data = open(os.path.join(d, name), "rb").read()
json.dump({"version": v, "tag": f"v{v}", "targets": {"x86_64-unknown-linux-musl":
    {"asset": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}}},
    open(os.path.join(d, "vx-release.json"), "w"))
PY
minisign -S -s "$work/key" -m "$work/www/v$next/vx-release.json" -t "tag:v$next" >/dev/null
(cd "$work/www/v$next" && sha256sum "vx-$next-x86_64-unknown-linux-musl.tar.gz" >sha256.sum)
# GitHub's layout: releases/download/TAG/ and the latest/download redirect's target.
mkdir -p "$work/www/vx-toolchain/vx/releases/download" "$work/www/vx-toolchain/vx/releases/latest"
ln -s "$work/www/v$version" "$work/www/vx-toolchain/vx/releases/download/v$version"
ln -s "$work/www/v$next" "$work/www/vx-toolchain/vx/releases/download/v$next"
ln -s "$work/www/v$next" "$work/www/vx-toolchain/vx/releases/latest/download"
# A GitHub Enterprise Server of its own (VX_INSTALLER_GITHUB_BASE_URL), whose latest
# release is this build's, as github.com's is for the README's line.
mkdir -p "$work/www/ghes/vx-toolchain/vx/releases/download" "$work/www/ghes/vx-toolchain/vx/releases/latest"
ln -s "$work/www/v$version" "$work/www/ghes/vx-toolchain/vx/releases/download/v$version"
ln -s "$work/www/v$next" "$work/www/ghes/vx-toolchain/vx/releases/download/v$next"
ln -s "$work/www/v$version" "$work/www/ghes/vx-toolchain/vx/releases/latest/download"
# A tampered copy of the first set.
cp -r "$work/www/v$version" "$work/www/tampered"
python3 - "$work/www/tampered/vx-$version-x86_64-unknown-linux-musl.tar.gz" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(b)
PY

port_file=$work/port
python3 - "$work/www" "$port_file" <<'PY' &
import functools, http.server, sys
www, port_file = sys.argv[1:]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        # Which request carried a token (the installer's VX_GITHUB_TOKEN rule).
        with open(port_file + ".auth", "a") as log:
            log.write(f"{self.path} {self.headers.get('Authorization', '-')}\n")
        super().do_GET()
handler = functools.partial(Quiet, directory=www)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 1 100); do [ -f "$port_file" ] && break; sleep 0.1; done
[ -f "$port_file" ] || { echo "the loopback server did not start"; exit 1; }
base=http://127.0.0.1:$(cat "$port_file")
installer=$work/www/v$version/install.sh

# Runs the installer ($1: the shell command) in a fresh home $2, with extra env after.
run_installer() {
  local shell=$1 home=$2
  shift 2
  mkdir -p "$home"
  # shellcheck disable=SC2086 # "busybox sh" is two words
  env -i PATH="${SHIM_PATH:-/usr/local/bin:/usr/bin:/bin}" HOME="$home" \
    XDG_CONFIG_HOME="$home/.config" VX_DOWNLOAD_URL="$base/v$version" "$@" \
    $shell "$installer" >"$home/out.log" 2>&1
}

echo "== install.sh under each shell"
for shell in dash "busybox sh" bash; do
  home=$work/home-${shell// /-}
  if ! run_installer "$shell" "$home"; then
    fail "$shell: install: $(cat "$home/out.log")"
    continue
  fi
  vx=$home/.local/bin/vx
  if [ -x "$vx" ] && "$vx" --version | grep -q "^vx $version "; then pass "$shell: vx $version installed"; else fail "$shell: vx not runnable"; fi
  if grep -q "$home/.local/bin:\$PATH\" # added by the vx installer" "$home/.profile"; then pass "$shell: PATH line in .profile"; else fail "$shell: no PATH line"; fi
  info=$(env -i HOME="$home" XDG_CONFIG_HOME="$home/.config" "$vx" self info --json)
  if python3 -c 'import json,sys; i=json.loads(sys.argv[1]); assert i["channel"]=="installer", i; assert i["receipt"]["version"]==sys.argv[2], i' "$info" "$version"; then
    pass "$shell: the receipt read back by vx self info"
  else
    fail "$shell: vx self info: $info"
  fi
  # Installing again adds no second PATH line.
  run_installer "$shell" "$home" || true
  if [ "$(grep -c 'added by the vx installer' "$home/.profile")" = 1 ]; then pass "$shell: reinstall keeps one PATH line"; else fail "$shell: PATH line added twice"; fi
done

echo "== vx self update from the loopback release"
home=$work/home-dash
printf '[self_update]\nurl = "%s/vx-toolchain/vx"\nkeys = ["%s"]\n' "$base" "$key_line" >"$home/.config/vx/config.toml"
if env -i HOME="$home" XDG_CONFIG_HOME="$home/.config" "$home/.local/bin/vx" self update >"$home/update.log" 2>&1 \
  && "$home/.local/bin/vx" --version | grep -q "^vx $next "; then
  pass "vx self update installed vx $next"
else
  fail "vx self update: $(cat "$home/update.log")"
fi

echo "== the host's archive (uname and sysctl shimmed)"
# OS, `uname -m`, what `sysctl -n sysctl.proc_translated` answers (- fails, as on an
# Intel macOS before 11, which lacks the name), and the target that must be installed.
for case in "Linux aarch64 - aarch64-unknown-linux-musl" "Darwin arm64 0 aarch64-apple-darwin" \
  "Darwin x86_64 0 x86_64-apple-darwin" "Darwin x86_64 1 aarch64-apple-darwin" \
  "Darwin x86_64 - x86_64-apple-darwin" "Linux amd64 - x86_64-unknown-linux-musl"; do
  read -r os arch translated want <<<"$case"
  shim=$work/shim-$os-$arch-$translated
  mkdir -p "$shim"
  # shellcheck disable=SC2016 # $1 is the shim's own argument
  printf '#!/bin/sh\ncase "$1" in -s) echo %s ;; -m) echo %s ;; *) echo %s ;; esac\n' "$os" "$arch" "$os" >"$shim/uname"
  if [ "$translated" = - ]; then
    printf '#!/bin/sh\necho "sysctl: unknown oid" >&2\nexit 1\n' >"$shim/sysctl"
  else
    # shellcheck disable=SC2016 # $* is the shim's own arguments
    printf '#!/bin/sh\ncase "$*" in "-n sysctl.proc_translated") echo %s ;; *) exit 1 ;; esac\n' "$translated" >"$shim/sysctl"
  fi
  chmod 755 "$shim/uname" "$shim/sysctl"
  home=$work/home-$os-$arch-$translated
  what="$os/$arch (proc_translated $translated)"
  archive=$work/www/v$version/vx-$version-$want.tar.gz
  if [ ! -f "$archive" ]; then
    if ! SHIM_PATH=$shim:/usr/bin:/bin run_installer dash "$home" && grep -q "no archive for $want" "$home/out.log"; then
      pass "$what: picks $want (not in this set: refused)"
    else
      fail "$what: $(cat "$home/out.log")"
    fi
    continue
  fi
  : >"$port_file.auth"
  if SHIM_PATH=$shim:/usr/bin:/bin run_installer dash "$home"; then
    mkdir -p "$home/want"
    tar -xzf "$archive" -C "$home/want"
    if cmp -s "$home/want/vx-$version-$want/vx" "$home/.local/bin/vx" \
      && grep -q "^/v$version/vx-$version-$want.tar.gz " "$port_file.auth"; then
      pass "$what: downloaded and installed $want"
    else
      fail "$what: did not install $want: $(cat "$port_file.auth")"
    fi
  else
    fail "$what: $(cat "$home/out.log")"
  fi
done

echo "== the Homebrew formula"
formula=$work/vx.rb
scripts/dist/homebrew.py "$work/www/v$version/vx-release.json" "$base/v$version" >"$formula"
if ! command -v ruby >/dev/null || ruby -c "$formula" >/dev/null; then
  pass "vx.rb parses$(command -v ruby >/dev/null && echo ' (ruby -c)' || echo ' (no ruby here: not parsed)')"
else
  fail "vx.rb does not parse: $(ruby -c "$formula" 2>&1)"
fi
# Each on_OS/on_CPU block's url and sha256: "OS CPU URL SHA256" lines.
blocks=$(python3 - "$formula" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for os_name, body in re.findall(r"^  on_(macos|linux) do\n(.*?)^  end\n", text, re.S | re.M):
    for cpu, inner in re.findall(r"^    on_(arm|intel) do\n(.*?)^    end\n", body, re.S | re.M):
        url = re.search(r'^\s+url "([^"]+)"', inner, re.M)
        sha = re.search(r'^\s+sha256 "([0-9a-f]{64})"', inner, re.M)
        print(os_name, cpu, url.group(1) if url else "-", sha.group(1) if sha else "-")
PY
)
for pair in "arm aarch64-apple-darwin" "intel x86_64-apple-darwin"; do
  read -r cpu target <<<"$pair"
  read -r _ _ url sha <<<"$(grep "^macos $cpu " <<<"$blocks" || echo "- - - -")"
  want=$(grep " vx-$version-$target.tar.gz\$" "$work/www/v$version/sha256.sum" | cut -d' ' -f1)
  if [ "$url" = "$base/v$version/vx-$version-$target.tar.gz" ] && [ -n "$want" ] && [ "$sha" = "$want" ] \
    && [ "$(curl -fsS "$url" | sha256sum | cut -d' ' -f1)" = "$sha" ]; then
    pass "vx.rb on_macos on_$cpu: $target, its sha256 that of the download"
  else
    fail "vx.rb on_macos on_$cpu: url $url sha256 $sha (want $want)"
  fi
done

echo "== refusals"
home=$work/home-tampered
if ! run_installer dash "$home" VX_DOWNLOAD_URL="$base/tampered" && grep -q "refusing to install" "$home/out.log" \
  && [ ! -e "$home/.local/bin/vx" ] && [ ! -e "$home/.config/vx/receipt.json" ]; then
  pass "a tampered archive is refused, nothing installed"
else
  fail "tampered: $(cat "$home/out.log")"
fi
# A PATH of the tools the installer uses, less every sha256 tool.
bare=$work/bare-bin
mkdir -p "$bare"
for tool in sh dash uname mkdir mktemp rm cp mv chmod cat sed grep cut head tr curl tar gzip env printf; do
  p=$(command -v "$tool" || true)
  [ -n "$p" ] && ln -sf "$p" "$bare/$tool"
done
home=$work/home-nohash
if ! SHIM_PATH=$bare run_installer dash "$home" && grep -q "no sha256 tool" "$home/out.log" && [ ! -e "$home/.local/bin/vx" ]; then
  pass "no sha256sum, shasum or openssl: refused"
else
  fail "no hash tool: $(cat "$home/out.log")"
fi
home=$work/home-unmanaged
if run_installer dash "$home" VX_UNMANAGED_INSTALL="$home/tools" && [ -x "$home/tools/vx" ] \
  && [ ! -e "$home/.config/vx/receipt.json" ] && [ ! -e "$home/.profile" ]; then
  pass "VX_UNMANAGED_INSTALL: installed, no receipt, no profile"
else
  fail "unmanaged: $(cat "$home/out.log")"
fi
home=$work/home-nopath
if run_installer dash "$home" VX_NO_MODIFY_PATH=1 && [ -x "$home/.local/bin/vx" ] && [ ! -e "$home/.profile" ]; then
  pass "VX_NO_MODIFY_PATH=1: no profile edited"
else
  fail "no-modify-path: $(cat "$home/out.log")"
fi

echo "== the README's line, against a GitHub Enterprise Server"
# `curl -LsSf https://github.com/…/latest/download/install.sh | sh` with github.com
# swapped for the loopback's GHES base: the script piped into sh, no VX_DOWNLOAD_URL (so
# the default releases/download/vVERSION path under VX_INSTALLER_GITHUB_BASE_URL), a
# token for that host, another install directory, and the profiles a user has.
home=$work/home-readme
mkdir -p "$home/.config/fish"
: >"$home/.bashrc"
: >"$home/.zshrc"
: >"$port_file.auth"
ghes=$base/ghes
if env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" VX_INSTALLER_GITHUB_BASE_URL="$ghes" \
  VX_GITHUB_TOKEN=ghes-secret VX_INSTALL_DIR="$home/tools/bin" \
  sh -c "curl -LsSf '$ghes/vx-toolchain/vx/releases/latest/download/install.sh' | sh" >"$home/out.log" 2>&1 \
  && "$home/tools/bin/vx" --version | grep -q "^vx $version "; then
  pass "curl … | sh from a GHES base: vx $version installed into VX_INSTALL_DIR"
else
  fail "the README's line: $(cat "$home/out.log")"
fi
for profile in .profile .bashrc .zshrc; do
  if grep -q "$home/tools/bin:\$PATH\" # added by the vx installer" "$home/$profile"; then pass "PATH line in $profile"; else fail "no PATH line in $profile"; fi
done
if grep -q "fish_add_path \"$home/tools/bin\"" "$home/.config/fish/conf.d/vx.fish"; then pass "PATH for fish (conf.d/vx.fish)"; else fail "no fish PATH"; fi
if grep -q "^/ghes/vx-toolchain/vx/releases/download/v$version/vx-$version-x86_64-unknown-linux-musl.tar.gz Bearer ghes-secret\$" "$port_file.auth"; then
  pass "VX_GITHUB_TOKEN sent to the GitHub base it names"
else
  fail "no token to the GHES host: $(cat "$port_file.auth")"
fi
# The same token never goes to a mirror on another host (localhost, not 127.0.0.1).
home=$work/home-mirror-token
: >"$port_file.auth"
if run_installer dash "$home" VX_INSTALLER_GITHUB_BASE_URL="$ghes" VX_GITHUB_TOKEN=ghes-secret \
  VX_DOWNLOAD_URL="http://localhost:$(cat "$port_file")/v$version" \
  && [ -x "$home/.local/bin/vx" ] && ! grep -q "Bearer" "$port_file.auth" && [ -s "$port_file.auth" ]; then
  pass "VX_GITHUB_TOKEN not sent to a mirror elsewhere"
else
  fail "token to a mirror: $(cat "$port_file.auth") $(cat "$home/out.log")"
fi
# VX_VERSION: another release than the script's, checked against that release's
# sha256.sum.
home=$work/home-version
if env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" VX_INSTALLER_GITHUB_BASE_URL="$ghes" \
  VX_VERSION="v$next" dash "$installer" >"$home.log" 2>&1 \
  && "$home/.local/bin/vx" --version | grep -q "^vx $next "; then
  pass "VX_VERSION=v$next installs that release"
else
  fail "VX_VERSION: $(cat "$home.log")"
fi

echo "== $failures failed ($(($(date +%s) - started))s)"
[ "$failures" = 0 ]
