#!/usr/bin/env bash
# Locks tools from the real language registries (docs/guide/language-registries.md):
# npm:esbuild and npm:@biomejs/biome from registry.npmjs.org, pypi:ruff from pypi.org,
# for linux-x86_64, macos-aarch64 and windows-x86_64, in a scratch project with its own
# HOME (and cargo:ripgrep from crates.io, go:…/stringer from proxy.golang.org, locked
# only), then checks that every lock entry's hash is the registry's own (npm's
# dist.integrity of the platform package's version document, PyPI's sha256 in the
# simple page's link) and that no package was downloaded to lock it. Then syncs on this
# machine and runs each command through `vx exec`.
#
# Usage: scripts/lock-language-registries.sh [VX]   (default: a debug build of this tree)
# Needs the network, curl and python3. For a person to run; not part of CI (the tests
# use loopback registries serving the same real files: tests/it/language_*.rs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vx=${1:-}
if [ -z "$vx" ]; then
  (cd "$root" && cargo build --quiet --bin vx)
  vx=$root/target/debug/vx
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache XDG_DATA_HOME=$work/home/.local/share
mkdir -p "$HOME" && cd "$work"
cat > vx.toml <<'TOML'
[settings]
platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]

[tools]
"npm:esbuild" = "0.24"
"npm:@biomejs/biome" = "1"
"pypi:ruff" = "0.8"
TOML
"$vx" lock
python3 - "$work/vx.lock" <<'PY'
import json, re, sys, tomllib, urllib.request
lock = tomllib.load(open(sys.argv[1], "rb"))
def get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    return urllib.request.urlopen(req, timeout=60).read().decode()
bad = 0
for tool, entry in lock["tools"].items():
    for platform, asset in entry["platforms"].items():
        source = asset["checksum"].removeprefix("index:")
        if "integrity" in asset:
            want = json.loads(get(source))["dist"]["integrity"]
            got = asset["integrity"]
        else:
            page = get(source)
            name = asset["url"].rsplit("/", 1)[1]
            want = re.search(re.escape(name) + r"#sha256=([0-9a-f]{64})", page).group(1)
            got = asset["sha256"]
        ok = want == got
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {tool} {entry['version']} {platform}: {got[:40]}…")
sys.exit(1 if bad else 0)
PY
# Crates and Go modules (built from source with the project's rust or go, so only
# locked here): the lock's sha256 of a .crate is crates.io's index cksum, a module's h1
# the checksum database's (sum.golang.org/lookup).
mkdir -p "$work/src" && cat > "$work/src/vx.toml" <<'TOML'
[settings]
platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]

[tools]
"cargo:ripgrep" = "14"
"go:golang.org/x/tools/cmd/stringer" = "0.28"
TOML
(cd "$work/src" && "$vx" lock)
python3 - "$work/src/vx.lock" <<'PY'
import json, sys, tomllib, urllib.request
lock = tomllib.load(open(sys.argv[1], "rb"))
def get(url):
    return urllib.request.urlopen(url, timeout=60).read().decode()
bad = 0
for tool, entry in lock["tools"].items():
    version = entry["version"]
    for platform, asset in entry["platforms"].items():
        if asset["checksum"] == "github-digest":
            print(f"ok  {tool} {version} {platform}: a release binary by GitHub's digest")
            continue
        if entry["package"].startswith("cargo:"):
            index = asset["checksum"].removeprefix("index:")
            lines = [json.loads(l) for l in get(index).splitlines() if l.strip()]
            want = next(l["cksum"] for l in lines if l["vers"] == version)
            got = asset["sha256"]
        else:
            module = asset["url"].split("/@v/")[0].split("proxy.golang.org/", 1)[1]
            text = get(f"https://sum.golang.org/lookup/{module}@{version}")
            want = next(l.split()[2] for l in text.splitlines()
                        if l.startswith(f"{module} {version} "))
            got = asset["h1"]
        ok = want == got
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {tool} {version} {platform}: {got[:44]}")
sys.exit(1 if bad else 0)
PY
"$vx" sync
"$vx" exec -- esbuild --version
"$vx" exec -- biome --version
"$vx" exec -- ruff --version
echo "the lock's hashes are the registries' own; every command ran"
