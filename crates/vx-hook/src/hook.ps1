# vx: the project's tools and [env] follow cd
# (Invoke-Expression (& vx activate powershell | Out-String)).
# Tells `vx doctor` (and any child) that this shell runs the hook.
$env:__VX_HOOK = "powershell"
if (-not (Test-Path Variable:global:__VxPrompt)) {
  $global:__VxPrompt = $function:prompt
}
function global:prompt {
  $vxExit = $global:LASTEXITCODE
  $vxOut = & @VX@ hook-env --shell powershell | Out-String
  if ($vxOut) { Invoke-Expression $vxOut }
  $global:LASTEXITCODE = $vxExit
  & $global:__VxPrompt
}
