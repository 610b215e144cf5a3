# vx: the project's tools and [env] follow cd (vx activate fish | source).
function __vx_hook --on-event fish_prompt
    @VX@ hook-env --shell fish | source
end
function __vx_hook_cd --on-variable PWD
    @VX@ hook-env --shell fish | source
end
