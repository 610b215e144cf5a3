#!/usr/bin/env bash
# Builds vx's release set into OUT_DIR (DESIGN.md, "Getting vx, and keeping it current"):
#
#   vx-VERSION-TARGET.tar.gz (.zip for Windows)   one top directory vx-VERSION-TARGET/
#   vx-release.json                               {"version", "tag", "targets": {TARGET:
#                                                   {"asset", "size", "sha256"}}, …}
#   sha256.sum                                    the archives' sha256, as sha256sum writes
#   install.sh, install.ps1                       the installers, each archive's sha256
#                                                   written into them
#   vx.vsix                                       the VS Code extension, when it was packaged
#                                                   (editors/vscode: `npm run package`, as
#                                                   .ci/vscode does), its sha256 in sha256.sum
#   vx-release.json.minisig                       with VX_RELEASE_KEY: its minisign
#                                                   signature, the trusted comment binding
#                                                   the tag (`tag:vVERSION`), and each
#                                                   archive's as ARCHIVE.sig (cargo binstall)
#
# Usage: scripts/dist/build.sh OUT_DIR
# Environment:
#   VX_DIST_TARGETS     the targets (default: x86_64-unknown-linux-musl
#                       aarch64-unknown-linux-musl x86_64-pc-windows-gnu
#                       aarch64-apple-darwin x86_64-apple-darwin, what this machine can
#                       build); the macOS ones are linked here, on Linux, by
#                       cargo-zigbuild with zig as the linker (both from PyPI, into
#                       VX_DIST_TOOLS_VENV), in one cargo invocation; a Linux musl target
#                       of another architecture than this machine's (aarch64 on x86_64:
#                       arm64 runners) by cargo-zigbuild too, zig being its C compiler
#                       and linker (musl-gcc builds for this machine's only); the release
#                       workflow builds aarch64 Linux natively with the same script
#   VX_DIST_PROFILE     release (default) or debug (tests: no optimisation, reuses target/)
#   VX_RELEASE_VERSION  the version compiled in and named (default: Cargo.toml's)
#   VX_RELEASE_KEY      the path of an unencrypted minisign secret key (never committed)
#   VX_DIST_NO_INSTALL  1: do not install missing rustup targets or apt packages
#   VX_DIST_TOOLS_VENV  the venv of PyPI tools (default ~/.cache/vx-dist/venv): ziglang
#                       and cargo-zigbuild, pinned, installed there when missing
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$root/scripts/dist

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

version=${VX_RELEASE_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n1)}
version=${version#v}
tag=v$version
# Set only when asked: a changed variable reruns build.rs and rebuilds vx.
if [ -n "${VX_RELEASE_VERSION:-}" ]; then export VX_RELEASE_VERSION=$version; fi
targets=${VX_DIST_TARGETS:-x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-pc-windows-gnu aarch64-apple-darwin x86_64-apple-darwin}
profile=${VX_DIST_PROFILE:-release}
case "$profile" in
  release) profile_flag=(--release); profile_dir=release ;;
  debug) profile_flag=(); profile_dir=debug ;;
  *) echo "VX_DIST_PROFILE must be release or debug" >&2; exit 2 ;;
esac

# The PyPI tools that link for macOS: zig (the C compiler for ring and liblzma, and
# the linker, with its own macOS libSystem stubs: no Apple SDK) and cargo-zigbuild (runs
# cargo with zig set up as both). Pinned; installed into a venv of their own once.
tools_venv=${VX_DIST_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vx-dist/venv}
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1

# Whether zig links $1 here: macOS, and a Linux musl target of another architecture
# than this machine's (musl-gcc compiles for this machine's only).
zig_linked() {
  case "$1" in
    *-apple-darwin) return 0 ;;
    *-linux-musl) [ "${1%%-*}" != "$(uname -m)" ] ;;
    *) return 1 ;;
  esac
}

# What a target needs to build here: its rustup target, and a C compiler for the C
# parts (liblzma, ring): musl-tools, mingw-w64 for Windows, zig for macOS and for a
# Linux musl target of another architecture.
prepare() {
  local target=$1 package='' tool=''
  case "$target" in
    *-linux-musl) zig_linked "$target" || { tool=musl-gcc; package=musl-tools; } ;;
    *-windows-gnu) tool=x86_64-w64-mingw32-gcc; package=gcc-mingw-w64-x86-64 ;;
  esac
  if [ "${VX_DIST_NO_INSTALL:-0}" != 1 ]; then
    rustup target list --installed | grep -qx "$target" || rustup target add "$target"
    if [ -n "$tool" ] && ! command -v "$tool" >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
    fi
    if zig_linked "$target"; then
      if [ ! -x "$tools_venv/bin/cargo-zigbuild" ] || [ ! -x "$tools_venv/bin/python-zig" ]; then
        [ -x "$tools_venv/bin/pip" ] || python3 -m venv "$tools_venv"
        "$tools_venv/bin/pip" install -q "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
      fi
    fi
  fi
}

# The macOS targets, linked by cargo-zigbuild, which finds zig through the venv's python
# (`python -m ziglang`); one cargo invocation per target, as each has its own oldest
# macOS:
#   - MACOSX_DEPLOYMENT_TARGET: 11.0 for aarch64 (the oldest macOS on Apple silicon),
#     10.12 for x86_64 (the oldest Rust's std supports). Without it zig marks the
#     binaries for its own default (macOS 15); one value for both would mark the arm64
#     binary 10.12, which is no macOS of Apple silicon (rustc and zig do not raise it).
#     The wheels are tagged for the same (scripts/dist/macos-wheels.sh), and
#     scripts/dist/check-macos.py checks each binary's.
#   - No debug info (`CARGO_PROFILE_*_DEBUG=false`): on macOS it would stay in the
#     build's object files, named by absolute paths of this machine in the binary, or
#     need Apple's dsymutil; the symbols stay, so a backtrace still names functions.
#   - No path of this machine in the binary: the dependencies' source paths (in panic
#     messages) are written from the registry's directory on (`--remap-path-prefix`,
#     `index.crates.io-…/ring-0.17.14/src/…`), as the workspace's are from its root.
#     RUSTFLAGS reach the macOS crates only (with --target cargo keeps them from build
#     scripts and proc-macros), so nothing else is rebuilt for them.
darwin=()
for target in $targets; do
  case "$target" in *-apple-darwin) darwin+=("$target") ;; esac
done
if [ ${#darwin[@]} -gt 0 ]; then
  for target in "${darwin[@]}"; do prepare "$target"; done
  echo "== vx $version for ${darwin[*]} ($profile, cargo-zigbuild)" >&2
  (
    cd "$root"
    darwin_started=$(date +%s)
    profile_var=$(echo "$profile_dir" | tr '[:lower:]' '[:upper:]')
    [ "$profile_var" = DEBUG ] && profile_var=DEV
    cargo_home=${CARGO_HOME:-$HOME/.cargo}
    rustflags=$(printf '%s\037%s' "--remap-path-prefix=$cargo_home/registry/src/=" \
      "--remap-path-prefix=$root/=")
    for target in "${darwin[@]}"; do
      case "$target" in aarch64-*) oldest=11.0 ;; *) oldest=10.12 ;; esac
      env PATH="$tools_venv/bin:$PATH" MACOSX_DEPLOYMENT_TARGET=$oldest \
        "CARGO_PROFILE_${profile_var}_DEBUG=false" CARGO_ENCODED_RUSTFLAGS="$rustflags" \
        cargo-zigbuild zigbuild --locked --bin vx --target "$target" "${profile_flag[@]}"
    done
    echo "   (${darwin[*]}: $(($(date +%s) - darwin_started))s)" >&2
  )
fi

sha256() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
entries=()
sums=()
: >"$out/sha256.sum"
for target in $targets; do
  case "$target" in
    *-windows-*) exe=vx.exe ;; # linked by x86_64-w64-mingw32-gcc, rustc's default
    *) exe=vx ;;
  esac
  case "$target" in
    *-apple-darwin) ;; # built above
    *)
      prepare "$target"
      echo "== vx $version for $target ($profile)" >&2
      (
        cd "$root"
        # musl targets link statically by default (crt-static): one binary for glibc and
        # musl Linux alike; not set in RUSTFLAGS, which would rebuild every dependency.
        if zig_linked "$target"; then
          # Another architecture's musl: zig compiles the C parts and links, with its
          # own musl (static, as musl-gcc's).
          env PATH="$tools_venv/bin:$PATH" \
            cargo-zigbuild zigbuild --locked --bin vx --target "$target" "${profile_flag[@]}"
        else
          cargo build --locked --bin vx --target "$target" "${profile_flag[@]}"
        fi
      )
      ;;
  esac
  name=vx-$version-$target
  mkdir -p "$stage/$name"
  cp "${CARGO_TARGET_DIR:-$root/target}/$target/$profile_dir/$exe" "$stage/$name/$exe"
  # Debug info is most of the file (a release build's line tables: 100 MB of 103 MB;
  # gzipped 27 MB, 9 MB without), and a user's vx needs none of it: a release keeps
  # its symbols (a backtrace still names functions), a debug build for the tests not
  # even those.
  # Not a Mach-O: on an arm64 Mac the kernel runs only a signed binary, and the linker's
  # ad-hoc signature covers the file as linked; stripping it afterwards would break
  # that signature (the debug info of a macOS build stays in the object files anyway).
  # Another architecture's ELF: binutils' strip reads this machine's only, llvm-strip
  # every one (.ci/dist installs llvm); without it the debug info stays.
  case "$target" in
    *-windows-*) strip_tool=x86_64-w64-mingw32-strip ;;
    *-apple-darwin) strip_tool='' ;;
    *) if zig_linked "$target"; then strip_tool=llvm-strip; else strip_tool="strip"; fi ;;
  esac
  if [ -n "$strip_tool" ] && command -v "$strip_tool" >/dev/null; then
    if [ "$profile" = debug ]; then
      "$strip_tool" "$stage/$name/$exe"
    else
      "$strip_tool" --strip-debug "$stage/$name/$exe"
    fi
  fi
  case "$target" in
    *-windows-*)
      asset=$name.zip
      (cd "$stage" && python3 -c '
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for path in sys.argv[2:]:
        info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            z.writestr(info, f.read())
' "$out/$asset" "$name/$exe")
      ;;
    *)
      asset=$name.tar.gz
      tar -C "$stage" --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00Z' \
        -cf - "$name" | gzip -n >"$out/$asset"
      ;;
  esac
  hash=$(sha256 "$out/$asset")
  entries+=("$target $asset $(size "$out/$asset") $hash")
  sums+=("$target $hash")
  printf '%s  %s\n' "$hash" "$asset" >>"$out/sha256.sum"
done

# The VS Code extension, packaged by editors/vscode's `npm run package` (.ci/vscode runs
# it before the distribution stage): one file for every platform, so it is in sha256.sum
# and signed beside the archives, not a target of vx-release.json.
vsix=$root/editors/vscode/vx.vsix
if [ -f "$vsix" ]; then
  cp "$vsix" "$out/vx.vsix"
  printf '%s  %s\n' "$(sha256 "$out/vx.vsix")" vx.vsix >>"$out/sha256.sum"
fi

# vx-release.json, from the entries (python3 writes the JSON).
commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
python3 - "$out/vx-release.json" "$version" "$tag" "$commit" "${entries[@]}" <<'PY'
import json, sys
path, version, tag, commit, *entries = sys.argv[1:]
targets = {}
for entry in entries:
    target, asset, size, sha256 = entry.split(" ")
    targets[target] = {"asset": asset, "size": int(size), "sha256": sha256}
with open(path, "w") as f:
    json.dump({"version": version, "tag": tag, "commit": commit, "targets": targets}, f, indent=2)
    f.write("\n")
PY

# The installers, with this release's version and sums written in.
sums_text=$(printf '%s\n' "${sums[@]}")
python3 - "$dist" "$out" "$version" "$sums_text" <<'PY'
import sys
dist, out, version, sums = sys.argv[1:]
for name in ("install.sh", "install.ps1"):
    text = open(f"{dist}/{name}").read()
    text = text.replace("@VX_VERSION@", version).replace("@VX_SUMS@", sums)
    with open(f"{out}/{name}", "w") as f:
        f.write(text)
PY
chmod 755 "$out/install.sh"

if [ -n "${VX_RELEASE_KEY:-}" ]; then
  rm -f "$out/vx-release.json.minisig"
  minisign -S -s "$VX_RELEASE_KEY" -m "$out/vx-release.json" \
    -t "file:vx-release.json tag:$tag" </dev/null >/dev/null
  # Each archive too, as ARCHIVE.sig: what cargo binstall checks.
  for entry in "${entries[@]}"; do
    read -r _ asset _ _ <<<"$entry"
    minisign -S -s "$VX_RELEASE_KEY" -m "$out/$asset" -x "$out/$asset.sig" \
      -t "file:$asset tag:$tag" </dev/null >/dev/null
  done
  if [ -f "$out/vx.vsix" ]; then
    minisign -S -s "$VX_RELEASE_KEY" -m "$out/vx.vsix" -x "$out/vx.vsix.sig" \
      -t "file:vx.vsix tag:$tag" </dev/null >/dev/null
  fi
  echo "signed vx-release.json and the archives (tag:$tag)" >&2
fi
echo "release set of vx $version in $out:" >&2
ls -l "$out" >&2
