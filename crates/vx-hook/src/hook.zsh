# vx: the project's tools and [env] follow cd (vx activate zsh).
# Tells `vx doctor` (and any child) that this shell runs the hook.
export __VX_HOOK=zsh
__vx_hook() {
  eval "$(@VX@ hook-env --shell zsh)"
}
typeset -ag precmd_functions chpwd_functions
if (( ! ${precmd_functions[(I)__vx_hook]} )); then
  precmd_functions=(__vx_hook $precmd_functions)
fi
if (( ! ${chpwd_functions[(I)__vx_hook]} )); then
  chpwd_functions=(__vx_hook $chpwd_functions)
fi
