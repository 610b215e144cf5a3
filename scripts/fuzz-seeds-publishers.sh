#!/usr/bin/env bash
# Writes the seed corpora of the dotenv, runtime_index and language_registry fuzz
# targets (fuzz/seeds/TARGET/), small, from the files the tests serve: the npm and
# PyPI documents in tests/data/ as they are, and the publishers' indexes in the shapes
# tests/common/publishers/*.rs serve (node.rs, python.rs, hexpm.rs, java.rs, go.rs,
# ruby.rs, rustlang.rs), cut to a few entries. The first byte of a runtime_index or
# language_registry seed chooses the document (see the targets' doc comments).
# Called by scripts/fuzz-seeds.sh; runs alone too.
#   scripts/fuzz-seeds-publishers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=$PWD/fuzz/seeds
rm -rf "$seeds"/{dotenv,runtime_index,language_registry}
mkdir -p "$seeds"/{dotenv,runtime_index,language_registry}
sha=3f1bd3b5c2a7e0b9c84d7fa6d1a0e5c2b9f8e7d6c5b4a3928170f6e5d4c3b2a1
# .env files: the forms crates/vx-model/src/manifest/dotenv.rs documents (docker compose, python-dotenv).
cat > "$seeds/dotenv/seed-forms" <<'ENV'
# a comment
DATABASE_URL=postgres://localhost/dev   # a comment after whitespace
export API_HOST = api.example.org
GREETING="hello\n${USER:-you}"
PATTERN='${not} expanded, \n kept'
ALT=${HOME:+set}${EDITOR-vi}
PEM="-----BEGIN KEY-----
abc
-----END KEY-----"
ENV
printf '\357\273\277A=1\r\nB="two\r\nlines"\r\n' > "$seeds/dotenv/seed-crlf-bom"
# nodejs.org dist/index.json (node.rs `serve`).
idx() {
  printf '{"version":"v%s","date":"2024-02-14","files":["headers","linux-arm64","linux-x64","osx-arm64-tar","osx-x64-tar","src","win-x64-zip"],"npm":"10.2.4","lts":%s,"security":false}' "$1" "$2"
}
{ printf '\000['; idx 21.6.2 false; printf ','; idx 20.11.1 '"Iron"'; printf ','; idx 18.19.1 '"Hydrogen"'; printf ']'; } \
  > "$seeds/runtime_index/seed-node-index"
printf '\001v1.2.3\n# comment\n\nv1.3.0-rc1 2024-01-01\nnightly\n' > "$seeds/runtime_index/seed-lines"
# python-build-standalone SHA256SUMS (python.rs `release`).
{
  printf '\002'
  for v in 3.13.1 3.12.8 3.13.1t; do
    for t in x86_64-unknown-linux-gnu aarch64-apple-darwin; do
      case $v in
        *t) printf '%s  cpython-%s+20250115-%s-freethreaded-install_only_stripped.tar.gz\n' "$sha" "${v%t}" "$t" ;;
        *) printf '%s  cpython-%s+20250115-%s-install_only_stripped.tar.gz\n' "$sha" "$v" "$t" ;;
      esac
    done
  done
  printf '%s *cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-debug-full.tar.zst\n' "$sha"
} > "$seeds/runtime_index/seed-python-sums"
# builds.hex.pm builds.txt, OTP then Elixir (hexpm.rs `serve`).
printf '\003OTP-26.2.5.6 0cd2d501 2024-10-17T09:28:13Z\nOTP-27.1.2 0cd2d500 2024-10-17T09:28:13Z %s\nOTP-28.0-rc1 0cd2d502 2024-10-17T09:28:13Z %s\nmaint 4f1b2c0d 2024-11-20T04:10:11Z\nmaster 9a8b7c6d 2024-11-20T04:12:13Z %s\n' "$sha" "$sha" "$sha" \
  > "$seeds/runtime_index/seed-otp-builds"
printf '\004main-otp-27 5e6f7a8b 2024-11-21T10:00:00Z %s \nv1.17.3-otp-26 6a5e4d3c 2024-09-18T12:00:00Z %s \nv1.17.3-otp-27 6a5e4d3c 2024-09-18T12:00:00Z %s \nv1.18.0-rc.0-otp-27 6a5e4d3c 2024-09-18T12:00:00Z %s \n' "$sha" "$sha" "$sha" "$sha" \
  > "$seeds/runtime_index/seed-elixir-builds"
# Adoptium: available_releases NUL release_versions page 0 (java.rs `serve`).
vd() { printf '{"build":%s,"major":%s,"minor":%s,"security":%s,"openjdk_version":"%s","optional":%s,"semver":"%s"}' "$@"; }
{
  printf '\005{"available_lts_releases":[8,11,17,21],"available_releases":[8,11,17,21,22,23],"most_recent_feature_release":23,"most_recent_feature_version":24,"most_recent_lts":21,"tip_version":24}\000{"versions":['
  vd 11 21 0 5 21.0.5+11-LTS '"LTS"' 21.0.5+11.0.LTS; printf ','
  vd 9 23 0 1 23.0.1+9 null 23.0.1+9; printf ']}'
} > "$seeds/runtime_index/seed-java-versions"
bin() {
  printf '{"architecture":"%s","download_count":1,"heap_size":"normal","image_type":"%s","jvm_impl":"hotspot","os":"%s","project":"jdk","package":{"checksum":"%s","link":"https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%%2B11/%s","name":"%s","size":64}}' \
    "$1" "$2" "$3" "$sha" "$4" "$4"
}
{
  printf '\006[{"binaries":['
  bin x64 jdk linux OpenJDK21U-jdk_x64_linux_hotspot_21.0.5_11.tar.gz; printf ','
  bin aarch64 jdk mac OpenJDK21U-jdk_aarch64_mac_hotspot_21.0.5_11.tar.gz; printf ','
  bin x64 jdk windows OpenJDK21U-jdk_x64_windows_hotspot_21.0.5_11.zip
  printf '],"release_name":"jdk-21.0.5+11","release_type":"ga","vendor":"eclipse","version_data":'
  vd 11 21 0 5 21.0.5+11-LTS '"LTS"' 21.0.5+11.0.LTS
  printf '}]'
} > "$seeds/runtime_index/seed-java-assets"
# go.dev's download list (go.rs `list`).
gofile() { printf '{"filename":"%s","os":"%s","arch":"%s","version":"go1.23.4","sha256":"%s","size":64,"kind":"%s"}' "$1" "$2" "$3" "$sha" "$4"; }
{
  printf '\007[{"version":"go1.23.4","stable":true,"files":['
  gofile go1.23.4.src.tar.gz "" "" source; printf ','
  gofile go1.23.4.linux-amd64.tar.gz linux amd64 archive; printf ','
  gofile go1.23.4.darwin-arm64.tar.gz darwin arm64 archive; printf ','
  gofile go1.23.4.windows-amd64.zip windows amd64 archive
  printf ']},{"version":"go1.24rc1","stable":false,"files":[]}]'
} > "$seeds/runtime_index/seed-go-list"
# GitHub's release list: jdx/ruby's revisions (ruby.rs) and rust-lang/rust's tags.
gh() { printf '{"tag_name":"%s","draft":%s,"prerelease":%s,"published_at":"2024-11-05T00:00:00Z","assets":[]}' "$@"; }
{
  printf '\010['
  gh 3.3.6-2 false false; printf ','; gh 3.3.6 false false; printf ','
  gh 4.0.0-preview3-1 false true; printf ','; gh 1.83.0 false false; printf ','; gh 1.84.0 true false
  printf ']'
} > "$seeds/runtime_index/seed-github-releases"
# A Rust channel manifest (rustlang.rs `manifest`), one target.
{
  printf '\011manifest-version = "2"\ndate = "2024-11-28"\n\n[pkg.rust]\nversion = "1.83.0 (90b35a623 2024-11-26)"\n\n'
  t=x86_64-unknown-linux-gnu
  printf '[pkg.rust.target.%s]\navailable = true\nurl = "https://static.rust-lang.org/dist/2024-11-28/rust-1.83.0-%s.tar.gz"\nhash = "%s"\nxz_url = "https://static.rust-lang.org/dist/2024-11-28/rust-1.83.0-%s.tar.xz"\nxz_hash = "%s"\n\n' "$t" "$t" "$sha" "$t" "$sha"
  for c in rustc cargo rust-std rust-docs rustfmt-preview clippy-preview; do
    printf '[[pkg.rust.target.%s.components]]\npkg = "%s"\ntarget = "%s"\n\n' "$t" "$c" "$t"
  done
  printf '[pkg.rust.target.aarch64-apple-darwin]\navailable = false\n\n[renames.clippy]\nto = "clippy-preview"\n'
} > "$seeds/runtime_index/seed-rust-manifest"
# Language registries: npm's and PyPI's real documents (tests/data/), .npmrc, pip.conf.
lr=$seeds/language_registry
{ printf '\000'; cat tests/data/npm/esbuild.json; } > "$lr/seed-npm-esbuild"
{ printf '\000'; cat tests/data/npm/prettier.json; } > "$lr/seed-npm-prettier"
{ printf '\001'; cat tests/data/npm/esbuild-linux-x64-0.24.0.json; } > "$lr/seed-npm-version"
{ printf '\002'; cat tests/data/pypi-ruff.json; } > "$lr/seed-pypi-json"
{ printf '\002'; cat tests/data/pypi-ruff.html; } > "$lr/seed-pypi-html"
printf '\003; a comment\nregistry=https://npm.corp.example/repo/\n@biomejs:registry=https://mirror.example/npm/\n//npm.corp.example/repo/:_authToken=${CORP_TOKEN}\n//mirror.example/npm/:_auth=YWxpY2U6czNjcmV0\n' > "$lr/seed-npmrc"
printf '\004[global]\ntimeout = 60\nindex-url = https://alice:s%%40cret@corp.example/pypi/simple/\n[install]\nindex_url: https://other.example/simple\n' > "$lr/seed-pip-conf"
ls -l "$seeds"/{dotenv,runtime_index,language_registry}
