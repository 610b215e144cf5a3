#!/usr/bin/env bash
# The GitHub Action's sync step (action.yml): `vx sync --locked` in the project, so CI
# installs exactly what vx.lock pins and fails (exit 2, naming the tools) when vx.toml
# asks for something the lock does not hold. VX_ACTION_SYNC: the input `sync`.
set -euo pipefail
case "${VX_ACTION_SYNC:-true}" in
  true) exec vx sync --locked ;;
  false) echo "vx: sync is false: not syncing" ;;
  *) echo "::error::vx: sync must be true or false, not \"$VX_ACTION_SYNC\"" >&2; exit 2 ;;
esac
