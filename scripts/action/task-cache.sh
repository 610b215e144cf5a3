#!/usr/bin/env bash
# The GitHub Action's task cache step (action.yml): the settings of vx's task results
# registry for the job's later steps, through $GITHUB_ENV (docs/guide/tasks.md, "In
# the team's registry"):
#   VX_ACTION_TASK_CACHE         → VX_TASK_CACHE (oci://HOST/REPO)
#   VX_ACTION_TASK_CACHE_PUSH    true → VX_TASK_CACHE_PUSH=1 (needs a signing key)
#   VX_ACTION_SIGNING_KEY        the text of the minisign secret key (from a secret),
#                                written to a 0600 file under $RUNNER_TEMP (removed
#                                with it after the job); VX_TASK_CACHE_SIGNING_KEY
#                                names that file. The text is never printed, and never
#                                in $GITHUB_ENV (vx keeps both variables from tasks).
set -euo pipefail

fail() {
  echo "::error::vx: $*" >&2
  exit 1
}

if [ -n "${VX_ACTION_TASK_CACHE:-}" ]; then
  echo "VX_TASK_CACHE=$VX_ACTION_TASK_CACHE" >>"$GITHUB_ENV"
  echo "vx: task results from $VX_ACTION_TASK_CACHE"
fi
if [ -n "${VX_ACTION_SIGNING_KEY:-}" ]; then
  case "$VX_ACTION_SIGNING_KEY" in
    "untrusted comment:"*) ;;
    *) fail "task-cache-signing-key is not a minisign secret key (its first line is not \"untrusted comment: …\"); it was not printed" ;;
  esac
  keys=$(umask 077 && mktemp -d "${RUNNER_TEMP:-/tmp}/vx-task-cache.XXXXXX")
  (umask 077 && printf '%s\n' "$VX_ACTION_SIGNING_KEY" >"$keys/signing.key")
  echo "VX_TASK_CACHE_SIGNING_KEY=$keys/signing.key" >>"$GITHUB_ENV"
  echo "vx: the task cache's signing key is in VX_TASK_CACHE_SIGNING_KEY's file"
fi
case "${VX_ACTION_TASK_CACHE_PUSH:-false}" in
  true)
    if [ -z "${VX_ACTION_SIGNING_KEY:-}" ] && [ -z "${VX_TASK_CACHE_SIGNING_KEY:-}" ]; then
      fail "task-cache-push needs task-cache-signing-key: only a signed result is ever restored"
    fi
    echo "VX_TASK_CACHE_PUSH=1" >>"$GITHUB_ENV"
    echo "vx: task results made here are signed and pushed"
    ;;
  false) ;;
  *) fail "task-cache-push must be true or false, not \"$VX_ACTION_TASK_CACHE_PUSH\"" ;;
esac
