#!/usr/bin/env bash
# Tests vx's GitHub Action (action.yml) without GitHub: scripts/action/run-action.py runs
# its steps as the runner does (GitHub's environment files applied between steps,
# `${{ inputs.x }}` substituted, actions/cache skipped and said so) against a signed
# release set served on 127.0.0.1, in a small project in a subdirectory of the
# workspace (input working-directory; one tool, served there too, and an [env]), then
# runs later steps of the job. Checks:
#   - vx installed from the release set (its sha256 and signature checked) and on PATH
#     in a later step, `version: latest` read from the signed vx-release.json, from
#     download-url, $VX_DOWNLOAD_URL or (neither set) GitHub's releases layout;
#   - actions/cache would be given the store, vx's downloads less the task results, and
#     a key of the runner's OS and arch and vx.lock's sha256;
#   - `vx sync --locked` ran (the tool is in the store) and refuses a stale lock;
#   - the environment file holds the project's env (a multi-line value included) and
#     the tool's directory is on PATH; the task cache's variables are set, the signing
#     key in a 0600 file, its text in no step's output;
#   - refusals: a wrong sha256 in sha256.sum, an archive whose signature does not verify,
#     one signed by another key, a vx-release.json signed by another key, and
#     scripts/dist/install.sh with VX_RELEASE_PUBLIC_KEY but no minisign; push without
#     a signing key.
#
# Run alone (builds a debug release set of x86_64-unknown-linux-musl, signed with a key
# made here, as .ci/dist does; a few minutes the first time, seconds after):
#   scripts/action/test.sh
# or with a signed release set and its public key (.ci/dist passes its own):
#   scripts/action/test.sh RELEASE_DIR KEY.pub
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$(date +%s)
# shellcheck source=scripts/dist/checks.sh
. "$root/scripts/dist/checks.sh"
checks_begin "action: "

for tool in minisign python3 curl busybox shellcheck; do
  command -v "$tool" >/dev/null || { echo "scripts/action/test.sh needs $tool" >&2; exit 2; }
done
# The interpreter itself, not a shim: the jobs run with a runner's bare PATH and HOME.
python=$(python3 -c 'import sys; print(sys.executable)')
if ! "$python" -c 'import yaml' 2>/dev/null; then
  "$python" -m venv "$work/venv" && "$work/venv/bin/pip" install -q pyyaml
  python=$work/venv/bin/python
fi

if shellcheck -x scripts/action/*.sh && shellcheck -s sh scripts/dist/install.sh; then pass "shellcheck"; else fail "shellcheck"; fi

target=x86_64-unknown-linux-musl
if [ $# -eq 2 ]; then
  release=$(cd "$1" && pwd)
  pub=$2
else
  [ $# -eq 0 ] || { echo "usage: $0 [RELEASE_DIR KEY.pub]" >&2; exit 2; }
  minisign -G -W -p "$work/key.pub" -s "$work/key" >/dev/null
  pub=$work/key.pub
  release=$work/release
  t0=$(date +%s)
  VX_DIST_PROFILE=debug VX_DIST_TARGETS=$target VX_RELEASE_KEY=$work/key \
    scripts/dist/build.sh "$release" 2>"$work/build.log" || { cat "$work/build.log"; exit 1; }
  echo "   (release set: $(($(date +%s) - t0))s)"
fi
key=$(tail -n 1 "$pub")
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$release/vx-release.json" | head -n 1)
asset=vx-$version-$target.tar.gz
[ -f "$release/$asset.sig" ] || { echo "$release is not signed (no $asset.sig)" >&2; exit 2; }

echo "== the release sets served on loopback"
www=$work/www
mkdir -p "$www/tools"
ln -s "$release" "$www/good"
# GitHub's layout (VX_INSTALLER_GITHUB_BASE_URL, as for GitHub Enterprise Server): the
# action's default when no download-url is given.
mkdir -p "$www/ghes/vx-toolchain/vx/releases/download" "$www/ghes/vx-toolchain/vx/releases/latest"
ln -s "$release" "$www/ghes/vx-toolchain/vx/releases/download/v$version"
ln -s "$release" "$www/ghes/vx-toolchain/vx/releases/latest/download"
# Each refusal's set: the good one's files, one of them changed.
variant() {
  mkdir -p "$www/$1"
  for f in "$release"/*; do ln -s "$f" "$www/$1/"; done
}
# A wrong sha256 for the archive in sha256.sum (the archive and its signature genuine).
variant badsum
rm "$www/badsum/sha256.sum"
sed "s/^[0-9a-f]\{64\}  $asset\$/$(printf 'x' | sha256sum | cut -d' ' -f1)  $asset/" \
  "$release/sha256.sum" >"$www/badsum/sha256.sum"
# Other bytes (the same files, gzipped again) whose sha256.sum agrees: the signature
# alone can tell.
variant badsig
rm "$www/badsig/$asset" "$www/badsig/sha256.sum"
gzip -dc "$release/$asset" | gzip -1 >"$www/badsig/$asset"
sed "s/^[0-9a-f]\{64\}  $asset\$/$(sha256sum "$www/badsig/$asset" | cut -d' ' -f1)  $asset/" \
  "$release/sha256.sum" >"$www/badsig/sha256.sum"
# The genuine archive signed by another key, with the right trusted comment; and a
# vx-release.json signed by that key.
minisign -G -W -p "$work/other.pub" -s "$work/other" >/dev/null
variant otherkey
rm "$www/otherkey/$asset.sig" "$www/otherkey/vx-release.json.minisig"
minisign -S -s "$work/other" -m "$release/$asset" -x "$www/otherkey/$asset.sig" \
  -t "file:$asset tag:v$version" </dev/null >/dev/null
minisign -S -s "$work/other" -m "$release/vx-release.json" -x "$www/otherkey/vx-release.json.minisig" \
  -t "file:vx-release.json tag:v$version" </dev/null >/dev/null
# The project's tool: this machine's busybox, packed as a release archive.
mkdir -p "$work/pack/busybox-1.36.1"
cp "$(command -v busybox)" "$work/pack/busybox-1.36.1/busybox"
tar -C "$work/pack" -czf "$www/tools/busybox-1.36.1.tar.gz" busybox-1.36.1
tool_sum=$(sha256sum "$www/tools/busybox-1.36.1.tar.gz" | cut -d' ' -f1)

port_file=$work/port
"$python" - "$www" "$port_file" <<'PY' &
import functools, http.server, os, sys
www, port_file = sys.argv[1:]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=www))
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 1 100); do [ -f "$port_file" ] && break; sleep 0.1; done
[ -f "$port_file" ] || { echo "the loopback server did not start" >&2; exit 1; }
base=http://127.0.0.1:$(cat "$port_file")

echo "== the project (vx.toml, and vx.lock made by the release's vx)"
# In a subdirectory of the repository (the workspace): input working-directory.
project=$work/repo/app
mkdir -p "$project" "$work/lockvx"
tar -xzf "$release/$asset" -C "$work/lockvx"
cat >"$project/vx.toml" <<EOF
[tools.busybox]
version = "1.36.1"
url = "$base/tools/busybox-{version}.tar.gz"
sha256 = "$tool_sum"
strip_components = 1
bin = ["busybox"]

[env]
GREETING = "hello from vx"
MULTI = "line one\nline two"
PROJECT_HOME = "{project}"
EOF
(cd "$project" && env -i PATH=/usr/bin:/bin HOME="$work/home-lock" \
  "$work/lockvx/vx-$version-$target/vx" lock >"$work/lock.log" 2>&1) \
  || { cat "$work/lock.log"; exit 1; }

# The task cache's signing key: a minisign secret key, as a CI secret holds it.
minisign -G -W -p "$work/task.pub" -s "$work/task.key" >/dev/null
secret_line=$(tail -n 1 "$work/task.key")

# Runs the action in a job of its own: $1 the job's name (its home and log), then
# run-action.py's arguments. The job's environment is a runner's: a fresh HOME, a
# plain PATH, VX_DOWNLOAD_URL when JOB_DOWNLOAD_URL is set, VX_INSTALLER_GITHUB_BASE_URL
# when JOB_GITHUB is.
run_job() {
  local name=$1
  shift
  mkdir -p "$work/$name/home" "$work/$name/tmp"
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work/$name/home" TMPDIR="$work/$name/tmp" \
    ${JOB_DOWNLOAD_URL:+"VX_DOWNLOAD_URL=$JOB_DOWNLOAD_URL"} ${TASK_KEY:+"TASK_KEY=$TASK_KEY"} \
    ${JOB_GITHUB:+"VX_INSTALLER_GITHUB_BASE_URL=$JOB_GITHUB"} \
    "$python" scripts/action/run-action.py "$root" "${JOB_PROJECT:-$project}" \
    --input public-key="$key" --state "$work/$name/state.json" "$@" >"$work/$name/log" 2>&1
}

echo "== the action, then later steps of the job"
later=$work/main/later.json
# shellcheck disable=SC2016 # expanded by the later step's shell
tool_step='vx --version && case $(command -v busybox) in "$HOME"/.local/share/vx/store/*) busybox echo "busybox from the store" ;; esac'
if JOB_PROJECT=$work/repo JOB_DOWNLOAD_URL=$base/good TASK_KEY=$(cat "$work/task.key") run_job main \
  --input working-directory=app --input task-cache=oci://127.0.0.1:9/team/results --input task-cache-push=true \
  --secret-input task-cache-signing-key=TASK_KEY \
  --then "'$python' -c 'import json, os, shutil, sys; json.dump({\"env\": dict(os.environ), \"vx\": shutil.which(\"vx\"), \"busybox\": shutil.which(\"busybox\")}, open(sys.argv[1], \"w\"))' '$later'" \
  --then "$tool_step"; then
  pass "the action ran, and the later steps"
else
  fail "the action: $(cat "$work/main/log")"
fi
log=$work/main/log
state=$work/main/state.json
check() {
  # $1: what is checked; the rest: python, with `later` and `state` loaded, and argv.
  local what=$1 code=$2
  shift 2
  if "$python" - "$later" "$state" "$@" >"$work/check.log" 2>&1 <<PY; then pass "$what"; else fail "$what: $(cat "$work/check.log")"; fi
import json, os, stat, sys
later = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {"env": {}}
state = json.load(open(sys.argv[2]))
env = later["env"]
args = sys.argv[3:]
$code
PY
}
home=$work/main/home
check "vx installed into ~/.vx/bin and on PATH in a later step; output version $version" '
assert later["vx"] == args[0] + "/.vx/bin/vx", later["vx"]
assert state["outputs"]["version"] == args[1], state["outputs"]' "$home" "$version"
if grep -q "^vx $version " "$log" && grep -q "$asset's signature verified" "$log"; then
  pass "the archive's signature verified; vx --version in a later step"
else
  fail "no signature line or version: $(cat "$log")"
fi
if grep -q "^== step skipped: Restore the store (actions/cache@v4" "$log"; then pass "actions/cache skipped, and said so"; else fail "actions/cache not said"; fi
check "actions/cache given the store, the cache less tasks, a key of OS, arch and vx.lock" '
[cache] = [s for s in state["steps"] if s.get("uses", "").startswith("actions/cache@")]
given = cache["with"]
store, downloads = args[0] + "/.local/share/vx/store", args[0] + "/.cache/vx"
assert given["path"].split() == [store, downloads, "!" + downloads + "/tasks"], given["path"]
assert given["key"] == "vx-Linux-X64-" + args[1], given["key"]
assert given["restore-keys"] == "vx-Linux-X64-", given["restore-keys"]' "$home" "$(sha256sum "$project/vx.lock" | cut -d' ' -f1)"
check "vx sync --locked ran: busybox in the store, its bin first on PATH" '
store = args[0] + "/.local/share/vx/store"
assert later["busybox"] and later["busybox"].startswith(store + "/"), later["busybox"]
assert env["PATH"].split(":")[0] == os.path.dirname(later["busybox"]), env["PATH"]
assert [s["status"] for s in state["steps"] if s["step"] == "vx sync --locked"] == [0], state["steps"]' "$home"
if grep -q "^busybox from the store$" "$log"; then pass "the project's busybox (not /usr/bin's) runs in a later step"; else fail "the store's busybox did not run"; fi
check "GITHUB_ENV holds the project's env (a multi-line value too), seen by a later step" '
want = {"GREETING": "hello from vx", "MULTI": "line one\nline two", "PROJECT_HOME": args[0]}
for name, value in want.items():
    assert state["env"].get(name) == value, (name, state["env"].get(name))
    assert env.get(name) == value, (name, env.get(name))' "$project"
check "the task cache: VX_TASK_CACHE, VX_TASK_CACHE_PUSH=1, the signing key in a 0600 file" '
assert env["VX_TASK_CACHE"] == "oci://127.0.0.1:9/team/results", env.get("VX_TASK_CACHE")
assert env["VX_TASK_CACHE_PUSH"] == "1"
path = env["VX_TASK_CACHE_SIGNING_KEY"]
assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)
assert open(path).read() == open(args[0]).read(), "the key file differs"
assert not any(open(args[0]).read().splitlines()[1] in v for v in state["env"].values()), "key text in GITHUB_ENV"' "$work/task.key"
# Only the key's own file holds its text: not the log, nor the environment files.
holders=$(grep -rlF "$secret_line" "$work/main" | grep -v '/vx-task-cache\.[^/]*/signing\.key$' || true)
if [ -z "$holders" ] && grep -q '^vx: the task cache.s signing key is in' "$log"; then
  pass "the signing key's text is in no step's output and no environment file"
else
  fail "the signing key's text is in: $holders"
fi

echo "== refusals"
# $1: the job, $2: the set's directory, $3: what the log must say; the rest: inputs.
refused() {
  local name=$1 set=$2 says=$3
  shift 3
  if ! run_job "$name" --input download-url="$base/$set" "$@" && grep -qF "$says" "$work/$name/log" \
    && [ ! -e "$work/$name/home/.vx/bin/vx" ]; then
    pass "$name: refused ($says), nothing installed"
  else
    fail "$name: $(cat "$work/$name/log")"
  fi
}
refused wrong-sha256 badsum "has sha256" --input version="$version"
refused wrong-signature badsig "signature does not verify" --input version="$version"
refused other-key otherkey "signature does not verify" --input version="$version"
refused latest-other-key otherkey "vx-release.json's signature does not verify"
# The same sets with the right key pass, so each refusal is that check's doing.
if run_job latest-good --input download-url="$base/good" --input sync=false --input export-env=false \
  && grep -q "installing vx $version from" "$work/latest-good/log"; then
  pass "version latest from the signed vx-release.json, download-url as input"
else
  fail "latest: $(cat "$work/latest-good/log")"
fi
if JOB_GITHUB=$base/ghes run_job github-default --input sync=false --input export-env=false \
  && grep -q "^vx: installing vx $version\$" "$work/github-default/log" \
  && grep -q "signature verified" "$work/github-default/log"; then
  pass "no download-url: latest and the archive from GitHub's releases layout"
else
  fail "GitHub's layout: $(cat "$work/github-default/log")"
fi
# A stale lock: vx.toml asks for another version than vx.lock holds.
cp -r "$project" "$work/stale-project"
sed -i 's/^version = "1.36.1"/version = "1.36.2"/' "$work/stale-project/vx.toml"
if ! JOB_PROJECT=$work/stale-project JOB_DOWNLOAD_URL=$base/good run_job stale-lock \
  && grep -q "^== step failed: vx sync --locked (exit 2)" "$work/stale-lock/log"; then
  pass "a stale vx.lock fails the sync step (--locked, exit 2)"
else
  fail "stale lock: $(cat "$work/stale-lock/log")"
fi
if ! JOB_DOWNLOAD_URL=$base/good run_job push-no-key --input sync=false --input task-cache-push=true \
  && grep -q "task-cache-push needs task-cache-signing-key" "$work/push-no-key/log"; then
  pass "task-cache-push without a signing key is refused"
else
  fail "push without a key: $(cat "$work/push-no-key/log")"
fi
# install.sh itself, told a key, with no minisign on PATH: refused before any download.
bare=$work/bare-bin
mkdir -p "$bare"
for tool in sh uname mkdir mktemp rm cp mv chmod cat sed grep cut head tr curl tar gzip sha256sum printf; do
  p=$(command -v "$tool" || true)
  [ -n "$p" ] && ln -sf "$p" "$bare/$tool"
done
if ! env -i PATH="$bare" HOME="$work/nominisign" VX_VERSION="$version" VX_DOWNLOAD_URL="$base/good" \
  VX_UNMANAGED_INSTALL="$work/nominisign/bin" VX_RELEASE_PUBLIC_KEY="$key" sh scripts/dist/install.sh \
  >"$work/nominisign.log" 2>&1 && grep -q "minisign is not installed" "$work/nominisign.log" \
  && [ ! -e "$work/nominisign/bin/vx" ]; then
  pass "install.sh with VX_RELEASE_PUBLIC_KEY and no minisign: refused"
else
  fail "no minisign: $(cat "$work/nominisign.log")"
fi

echo "== $failures failed ($(($(date +%s) - started))s)"
[ "$failures" = 0 ]
