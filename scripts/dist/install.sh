#!/bin/sh
# The vx installer for Linux and macOS: `curl -LsSf https://…/install.sh | sh`.
#
# Picks the archive of this machine (x86_64/aarch64, Linux/macOS) from the release this
# script was built with, downloads it, checks its sha256 against the one written into
# this script (and refuses to go on when no sha256 tool exists or it differs: nothing
# downloaded is run or unpacked before that check), installs `vx`, adds its directory to
# PATH in the shell profiles, and writes the receipt `vx self update` reads.
#
# POSIX sh: runs under dash, busybox ash and bash; passes shellcheck.
#
# Environment (the names of uv's installer, with VX_):
#   VX_INSTALL_DIR                 where vx goes (default ~/.local/bin)
#   VX_NO_MODIFY_PATH=1            do not edit shell profiles
#   VX_UNMANAGED_INSTALL=DIR       install into DIR only: no profile edit, no receipt
#   VX_DOWNLOAD_URL=URL            the directory holding the release set (a mirror)
#   VX_INSTALLER_GITHUB_BASE_URL   GitHub's web base (GitHub Enterprise Server)
#   VX_GITHUB_TOKEN                a token sent to GitHub only (private mirrors, limits)
#   VX_VERSION                     another release than this script's (its sha256.sum,
#                                  fetched over the same connection, is then trusted)
#   VX_RELEASE_PUBLIC_KEY=RW…      also check the archive's minisign signature
#                                  (ARCHIVE.sig, as build.sh and the release workflow
#                                  sign it) against this public key, its trusted comment
#                                  naming this archive and tag; needs `minisign` (fails
#                                  closed without it). The GitHub Action sets it.
set -eu

# Written by scripts/dist/build.sh: the release's version and each archive's sha256.
release_version='@VX_VERSION@'
release_sums='@VX_SUMS@'
repository='vx-toolchain/vx'
marker='# added by the vx installer'

say() {
    printf 'vx-installer: %s\n' "$*" >&2
}

fail() {
    say "error: $*"
    exit 1
}

# The release target of this machine: one static musl binary serves every Linux of an
# architecture (glibc or musl); macOS per architecture (arm64 under Rosetta included).
detect_target() {
    os=$(uname -s)
    arch=$(uname -m)
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) fail "no vx release is built for the $arch architecture" ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin)
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
                arch=aarch64
            fi
            echo "$arch-apple-darwin"
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            fail "on Windows run install.ps1: powershell -ExecutionPolicy Bypass -c \"irm …/install.ps1 | iex\"" ;;
        *) fail "no vx release is built for $os" ;;
    esac
}

# The sha256 of file $1, by the first tool there is; fails closed without one.
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    else
        fail "no sha256 tool (sha256sum, shasum or openssl) is installed: refusing to install a download that cannot be checked"
    fi
}

# Downloads $1 to $2 with curl or wget; the GitHub token goes to GitHub's hosts only.
download() {
    url=$1
    out=$2
    auth=''
    if [ -n "${VX_GITHUB_TOKEN:-}" ]; then
        case "$url" in
            "$github_base"/* | https://github.com/* | https://api.github.com/* | https://objects.githubusercontent.com/*)
                auth="Authorization: Bearer $VX_GITHUB_TOKEN" ;;
        esac
    fi
    if command -v curl >/dev/null 2>&1; then
        if [ -n "$auth" ]; then
            curl --proto '=https,http' -fsSL --retry 3 -H "$auth" -o "$out" "$url"
        else
            curl --proto '=https,http' -fsSL --retry 3 -o "$out" "$url"
        fi
    elif command -v wget >/dev/null 2>&1; then
        if [ -n "$auth" ]; then
            wget -q --header="$auth" -O "$out" "$url"
        else
            wget -q -O "$out" "$url"
        fi
    else
        fail "neither curl nor wget is installed"
    fi
}

# $1 with JSON's escapes for a string.
json_string() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# Adds "$dir" to PATH in the profiles of the shells there are, once each.
edit_profiles() {
    dir=$1
    line="export PATH=\"$dir:\$PATH\" $marker"
    for profile in "$HOME/.profile" "$HOME/.bashrc" "$HOME/.zshrc"; do
        case "$profile" in
            "$HOME/.profile") ;;
            *) [ -f "$profile" ] || continue ;;
        esac
        if [ -f "$profile" ] && grep -F "$marker" "$profile" 2>/dev/null | grep -qF "\"$dir:"; then
            continue
        fi
        printf '\n%s\n' "$line" >>"$profile"
        say "added $dir to PATH in $profile"
    done
    if [ -d "$HOME/.config/fish" ]; then
        mkdir -p "$HOME/.config/fish/conf.d"
        printf 'fish_add_path "%s" %s\n' "$dir" "$marker" >"$HOME/.config/fish/conf.d/vx.fish"
        say "added $dir to PATH for fish"
    fi
}

main() {
    github_base=${VX_INSTALLER_GITHUB_BASE_URL:-https://github.com}
    github_base=${github_base%/}
    version=${VX_VERSION:-$release_version}
    version=${version#v}
    target=$(detect_target)
    asset="vx-$version-$target.tar.gz"
    if [ -n "${VX_DOWNLOAD_URL:-}" ]; then
        base=${VX_DOWNLOAD_URL%/}
    else
        base="$github_base/$repository/releases/download/v$version"
    fi

    tmp=$(mktemp -d 2>/dev/null || mktemp -d -t vx-install)
    trap 'rm -rf "$tmp"' EXIT INT TERM

    if [ "$version" = "$release_version" ]; then
        sums=$release_sums
    else
        say "fetching the checksums of vx $version"
        download "$base/sha256.sum" "$tmp/sha256.sum" || fail "cannot download $base/sha256.sum"
        sums=$(sed -n -E "s/^([0-9a-f]{64}) +vx-$version-(.*)\.(tar\.gz|zip)\$/\2 \1/p" "$tmp/sha256.sum")
    fi
    expected=$(printf '%s\n' "$sums" | sed -n -E "s/^$target ([0-9a-f]{64})\$/\1/p" | head -n 1)
    [ -n "$expected" ] || fail "vx $version has no archive for $target"
    # Fail closed before downloading anything when nothing can check it.
    sha256_of /dev/null >/dev/null
    if [ -n "${VX_RELEASE_PUBLIC_KEY:-}" ] && ! command -v minisign >/dev/null 2>&1; then
        fail "VX_RELEASE_PUBLIC_KEY is set but minisign is not installed: refusing to install a download whose signature cannot be checked"
    fi

    say "downloading vx $version for $target"
    download "$base/$asset" "$tmp/$asset" || fail "cannot download $base/$asset"
    actual=$(sha256_of "$tmp/$asset")
    if [ "$actual" != "$expected" ]; then
        fail "$asset has sha256 $actual, not the expected $expected: refusing to install it"
    fi
    if [ -n "${VX_RELEASE_PUBLIC_KEY:-}" ]; then
        download "$base/$asset.sig" "$tmp/$asset.sig" || fail "cannot download $base/$asset.sig"
        comment=$(minisign -V -Q -P "$VX_RELEASE_PUBLIC_KEY" -m "$tmp/$asset" -x "$tmp/$asset.sig" 2>/dev/null) \
            || fail "$asset's signature does not verify against VX_RELEASE_PUBLIC_KEY: refusing to install it"
        [ "$comment" = "file:$asset tag:v$version" ] \
            || fail "$asset's signature is for \"$comment\", not \"file:$asset tag:v$version\": refusing to install it"
        say "$asset's signature verified"
    fi
    mkdir "$tmp/unpacked"
    tar -xzf "$tmp/$asset" -C "$tmp/unpacked" || fail "cannot unpack $asset"
    binary="$tmp/unpacked/vx-$version-$target/vx"
    [ -f "$binary" ] || fail "$asset holds no vx-$version-$target/vx"

    if [ -n "${VX_UNMANAGED_INSTALL:-}" ]; then
        dir=$VX_UNMANAGED_INSTALL
    else
        dir=${VX_INSTALL_DIR:-$HOME/.local/bin}
    fi
    mkdir -p "$dir" || fail "cannot create $dir"
    dir=$(cd "$dir" && pwd -P)
    # Copied beside the target and renamed over it: a running vx keeps its image.
    cp "$binary" "$dir/.vx.install.$$"
    chmod 755 "$dir/.vx.install.$$"
    mv -f "$dir/.vx.install.$$" "$dir/vx"
    say "installed vx $version into $dir"

    if [ -n "${VX_UNMANAGED_INSTALL:-}" ]; then
        return 0
    fi
    config=${XDG_CONFIG_HOME:-$HOME/.config}/vx
    mkdir -p "$config"
    {
        printf '{\n  "install_dir": %s,\n' "$(json_string "$dir")"
        printf '  "version": %s,\n' "$(json_string "$version")"
        printf '  "source": %s,\n' "$(json_string "$base")"
        printf '  "channel": "installer"\n}\n'
    } >"$config/receipt.json.tmp"
    mv -f "$config/receipt.json.tmp" "$config/receipt.json"

    case ":${PATH:-}:" in
        *":$dir:"*) ;;
        *)
            if [ "${VX_NO_MODIFY_PATH:-0}" = 1 ]; then
                say "$dir is not on PATH: add it to use vx"
            else
                edit_profiles "$dir"
                say "restart your shell, or run: export PATH=\"$dir:\$PATH\""
            fi
            ;;
    esac
}

main "$@"
