#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): installs vx from its release set with
# scripts/dist/install.sh, the action's own copy (never an installer downloaded beside
# the archive: a mirror that served a changed installer could skip every check). That
# installer checks the archive's sha256 against the release's sha256.sum and, as
# VX_RELEASE_PUBLIC_KEY is set here, its minisign signature (ARCHIVE.sig, the trusted
# comment naming the archive and its tag). "latest" is the version the release set's
# vx-release.json names, read from its signature's trusted comment (`tag:vX.Y.Z`) once
# that signature verifies, so the version too comes from the release's signer.
#
# Writes vx's directory to $GITHUB_PATH and the step outputs `version`, `store` and
# `cache` (vx's default store and cache directories, as vx-base computes them: what
# actions/cache keeps) and `lock` (the sha256 of the project's vx.lock, "none" without
# one: the cache key's part; a hash of our own rather than hashFiles(), whose patterns
# are relative to the workspace and which only GitHub evaluates).
#
# Environment (action.yml's inputs): VX_ACTION_VERSION ("latest" or X.Y.Z),
# VX_ACTION_DOWNLOAD_URL (the release set's directory; empty: $VX_DOWNLOAD_URL, else
# GitHub's releases), VX_ACTION_PUBLIC_KEY (minisign public key, the RW… line),
# VX_ACTION_PROJECT (the project's directory, relative to the workspace),
# VX_ACTION_INSTALL_DIR (default ~/.vx/bin).
set -euo pipefail
dist=$(cd "$(dirname "$0")/../dist" && pwd)

fail() {
  echo "::error::vx: $*" >&2
  exit 1
}

version=${VX_ACTION_VERSION:-latest}
version=${version#v}
base=${VX_ACTION_DOWNLOAD_URL:-${VX_DOWNLOAD_URL:-}}
base=${base%/}
key=${VX_ACTION_PUBLIC_KEY:-}
[ -n "$key" ] || fail "no public-key: the release's signature cannot be checked"
dir=${VX_ACTION_INSTALL_DIR:-$HOME/.vx/bin}
releases=${VX_INSTALLER_GITHUB_BASE_URL:-https://github.com}
releases=${releases%/}/vx-toolchain/vx/releases

# minisign checks the signatures; GitHub's images do not have it.
if ! command -v minisign >/dev/null; then
  case "$(uname -s)" in
    Linux)
      command -v apt-get >/dev/null || fail "minisign is not installed (and no apt-get to install it)"
      sudo=''
      [ "$(id -u)" = 0 ] || sudo=sudo
      $sudo apt-get install -y -qq minisign >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y -qq minisign >/dev/null; } \
        || fail "cannot install minisign"
      ;;
    Darwin) brew install minisign >/dev/null || fail "cannot install minisign (brew install minisign)" ;;
    *) fail "this action runs on Linux and macOS runners" ;;
  esac
fi

if [ "$version" = latest ]; then
  meta=${base:-$releases/latest/download}
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for file in vx-release.json vx-release.json.minisig; do
    curl --proto '=https,http' -fsSL --retry 3 -o "$tmp/$file" "$meta/$file" \
      || fail "cannot download $meta/$file"
  done
  comment=$(minisign -V -Q -P "$key" -m "$tmp/vx-release.json" -x "$tmp/vx-release.json.minisig" 2>/dev/null) \
    || fail "$meta/vx-release.json's signature does not verify against the public key"
  version=''
  for word in $comment; do
    case "$word" in tag:v*) version=${word#tag:v} ;; esac
  done
  [ -n "$version" ] || fail "vx-release.json's signature names no tag: \"$comment\""
fi

echo "vx: installing vx $version${base:+ from $base}"
VX_VERSION=$version VX_DOWNLOAD_URL=$base VX_UNMANAGED_INSTALL=$dir VX_RELEASE_PUBLIC_KEY=$key \
  sh "$dist/install.sh"
installed=$("$dir/vx" --version)
case "$installed" in
  "vx $version "* | "vx $version") ;;
  *) fail "the installed vx says \"$installed\", not vx $version" ;;
esac
echo "$installed"

lock=${GITHUB_WORKSPACE:-.}/${VX_ACTION_PROJECT:-.}/vx.lock
if [ ! -f "$lock" ]; then
  lock_hash=none
elif command -v sha256sum >/dev/null; then
  lock_hash=$(sha256sum "$lock" | cut -d' ' -f1)
else
  lock_hash=$(shasum -a 256 "$lock" | cut -d' ' -f1)
fi

echo "$dir" >>"$GITHUB_PATH"
{
  echo "lock=$lock_hash"
  echo "version=$version"
  echo "store=${XDG_DATA_HOME:-$HOME/.local/share}/vx/store"
  echo "cache=${VX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vx}"
} >>"$GITHUB_OUTPUT"
