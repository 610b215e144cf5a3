#!/usr/bin/env bash
# The GitHub Action's environment step (action.yml): `vx env --shell github` appends the
# project's tools' directories to $GITHUB_PATH and its [env] to $GITHUB_ENV (heredoc
# form for values with newlines), so the job's later steps run `node` or `rg` directly
# with the project's variables. VX_ACTION_EXPORT_ENV: the input `export-env`.
set -euo pipefail
case "${VX_ACTION_EXPORT_ENV:-true}" in
  true) exec vx env --shell github ;;
  false) echo "vx: export-env is false: the environment is not exported" ;;
  *) echo "::error::vx: export-env must be true or false, not \"$VX_ACTION_EXPORT_ENV\"" >&2; exit 2 ;;
esac
