# vx: the project's tools and [env] follow cd (vx activate bash).
# Tells `vx doctor` (and any child) that this shell runs the hook.
export __VX_HOOK=bash
__vx_hook() {
  local status=$?
  eval "$(@VX@ hook-env --shell bash)"
  return $status
}
if [[ ";${PROMPT_COMMAND:-};" != *";__vx_hook;"* ]]; then
  PROMPT_COMMAND="__vx_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
