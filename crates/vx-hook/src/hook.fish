# vx: the project's tools and [env] follow cd (vx activate fish | source).
# Tells `vx doctor` (and any child) that this shell runs the hook.
set -gx __VX_HOOK fish
function __vx_hook --on-event fish_prompt
    @VX@ hook-env --shell fish | source
end
function __vx_hook_cd --on-variable PWD
    @VX@ hook-env --shell fish | source
end
