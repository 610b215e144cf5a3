#!/usr/bin/env bash
# Packs the npm packages of a release set: one @vx-toolchain/cli-PLATFORM-ARCH per
# archive of vx-release.json (its binary, `os` and `cpu` set so npm installs only the
# one that fits) and the launcher vx-toolchain (npm/vx-toolchain) whose
# optionalDependencies name each of them at the release's exact version.
#
# Usage: scripts/dist/npm.sh RELEASE_DIR OUT_DIR   (writes OUT_DIR/*.tgz via `npm pack`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: $0 RELEASE_DIR OUT_DIR" >&2; exit 2; }
release=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# TARGET → npm's platform and arch.
python3 - "$release/vx-release.json" >"$stage/targets" <<'PY'
import json, sys
npm = {
    "x86_64-unknown-linux-musl": ("linux", "x64"),
    "aarch64-unknown-linux-musl": ("linux", "arm64"),
    "x86_64-apple-darwin": ("darwin", "x64"),
    "aarch64-apple-darwin": ("darwin", "arm64"),
    "x86_64-pc-windows-gnu": ("win32", "x64"),
}
manifest = json.load(open(sys.argv[1]))
print(manifest["version"])
for target, entry in manifest["targets"].items():
    if target in npm:
        print(target, entry["asset"], *npm[target])
PY
version=$(head -n1 "$stage/targets")
deps=()
while read -r target asset os cpu; do
  name=cli-$os-$cpu
  dir=$stage/$name
  mkdir -p "$dir/bin" "$stage/unpack-$target"
  case "$asset" in
    *.zip) python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$release/$asset" "$stage/unpack-$target"; exe=vx.exe ;;
    *) tar -xzf "$release/$asset" -C "$stage/unpack-$target"; exe=vx ;;
  esac
  cp "$stage/unpack-$target/vx-$version-$target/$exe" "$dir/bin/$exe"
  chmod 755 "$dir/bin/$exe"
  cat >"$dir/package.json" <<JSON
{
  "name": "@vx-toolchain/$name",
  "version": "$version",
  "description": "The vx binary for $os $cpu (installed by vx-toolchain)",
  "license": "MIT OR Apache-2.0",
  "repository": { "type": "git", "url": "git+https://github.com/vx-toolchain/vx.git" },
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin/$exe"],
  "preferUnplugged": true
}
JSON
  (cd "$out" && npm pack --silent "$dir" >/dev/null)
  deps+=("@vx-toolchain/$name")
done < <(tail -n +2 "$stage/targets")

cp -r "$root/npm/vx-toolchain" "$stage/launcher"
python3 - "$stage/launcher/package.json" "$version" "${deps[@]}" <<'PY'
import json, sys
path, version, *deps = sys.argv[1:]
package = json.load(open(path))
package["version"] = version
package["optionalDependencies"] = {dep: version for dep in deps}
json.dump(package, open(path, "w"), indent=2)
PY
(cd "$out" && npm pack --silent "$stage/launcher" >/dev/null)
ls "$out"
