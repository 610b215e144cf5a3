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
# bash has no chpwd: `cd`, `pushd` and `popd` run the functions of `chpwd_functions`
# after a change of directory, as zsh does, so that `cd proj && node` runs the
# project's node. The convention is rvm's and mise's (`__zsh_like_cd`): when one of
# them defined it already, the hook only joins the list.
declare -ga chpwd_functions
if [[ " ${chpwd_functions[*]-} " != *" __vx_hook "* ]]; then
  chpwd_functions+=(__vx_hook)
fi
if ! declare -F __zsh_like_cd > /dev/null; then
  __zsh_like_cd() {
    builtin "$@" || return
    local __vx_fn
    for __vx_fn in chpwd "${chpwd_functions[@]}"; do
      if declare -F "$__vx_fn" > /dev/null; then
        "$__vx_fn"
      fi
    done
    return 0
  }
  cd() { __zsh_like_cd cd "$@"; }
  pushd() { __zsh_like_cd pushd "$@"; }
  popd() { __zsh_like_cd popd "$@"; }
fi
