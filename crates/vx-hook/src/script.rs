//! The hook `vx activate SHELL` prints for an rc file: before each prompt (and, in
//! bash, zsh and fish, on each change of directory) it runs `vx hook-env --shell SHELL` with
//! the absolute path of the vx that printed it, and evaluates what that prints.
//!
//! - bash: a function first in `PROMPT_COMMAND`, keeping the user's, added once
//!   however often the rc file is read, and keeping `$?` for the user's prompt; and,
//!   since bash has no `chpwd`, `cd`, `pushd` and `popd` wrapped to run the
//!   `chpwd_functions` array after a change of directory (rvm's and mise's
//!   `__zsh_like_cd`, reused when either defined it), so `cd proj && node` runs the
//!   project's node;
//! - zsh: a `precmd` and a `chpwd` function;
//! - fish: a `fish_prompt` event and a `PWD` variable handler;
//! - PowerShell: `prompt` wrapped (the user's prompt still draws it; `$LASTEXITCODE`
//!   is kept).
//!
//! Each also exports [`HOOK_VAR`] with the shell's name, so that a program run from
//! the shell (`vx doctor`) can tell the hook is installed there, in a project or not.

use std::path::Path;

use vx_project::toolchain::shell::{Shell, sh_quote};
use vx_project::toolchain::shell::{fish_quote, powershell_quote};

/// The variable every hook exports, holding its shell's name.
pub const HOOK_VAR: &str = "__VX_HOOK";

const BASH: &str = include_str!("hook.bash");
const ZSH: &str = include_str!("hook.zsh");
const FISH: &str = include_str!("hook.fish");
const POWERSHELL: &str = include_str!("hook.ps1");

/// The hook for `shell`, calling the vx at `vx`.
pub fn hook(shell: Shell, vx: &Path) -> String {
    let vx = vx.to_string_lossy();
    let (text, quoted) = match shell {
        Shell::Zsh => (ZSH, sh_quote(&vx)),
        Shell::Fish => (FISH, fish_quote(&vx)),
        Shell::Powershell => (POWERSHELL, powershell_quote(&vx)),
        _ => (BASH, sh_quote(&vx)),
    };
    text.replace("@VX@", &quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hook_calls_the_vx_that_printed_it_quoted() {
        let vx = Path::new("/opt/it's here/vx");
        assert!(hook(Shell::Bash, vx).contains("'/opt/it'\\''s here/vx' hook-env --shell bash"));
        assert!(hook(Shell::Zsh, vx).contains("'/opt/it'\\''s here/vx' hook-env --shell zsh"));
        assert!(hook(Shell::Fish, vx).contains("'/opt/it\\'s here/vx' hook-env --shell fish"));
        assert!(
            hook(Shell::Powershell, vx)
                .contains("& '/opt/it''s here/vx' hook-env --shell powershell")
        );
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
            assert!(!hook(shell, vx).contains("@VX@"));
        }
    }
}
