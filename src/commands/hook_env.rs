//! `vx hook-env --shell SHELL`: what the hook of `vx activate` runs before each
//! prompt. It finds the working directory's project (the nearest `vx.toml` up, with
//! the user's global toolset layered under it; outside a project, the global
//! `vx.toml` alone), and
//! when that and everything the shell's state was made from are unchanged (one `stat`
//! each: vx.toml, vx.lock, the tools' directories) it prints nothing. Otherwise it
//! prints what takes the shell from what it has to what the project wants
//! (`vx_hook::diff`) and the new state.
//!
//! A project's own environment (`[env]`, env files, `[settings] path`) is applied only
//! when the user trusts the project ([`vx_engine::trust`]); otherwise its tools alone, with
//! one line saying so.
//!
//! It never installs anything and never fails the prompt: a tool that is not
//! installed gets one line on stderr (once per change, as the state remembers the
//! answer), and a project that cannot be read (a malformed vx.toml) gets one line and
//! leaves the shell as it was. It always exits 0.

use std::io::Write;

use vx_base::exit::Error;
use vx_hook::render::render;
use vx_hook::state::{STATE_VAR, State};
use vx_hook::wanted;

use crate::cli::{HookEnvArgs, hook_shell};

/// Runs `vx hook-env`.
pub(crate) fn run(args: &HookEnvArgs) -> Result<i32, Error> {
    let shell = hook_shell(&args.shell);
    let Ok(cwd) = std::env::current_dir() else {
        // A directory removed under the shell: nothing to say until it moves.
        return Ok(vx_base::exit::OK);
    };
    let held = std::env::var(STATE_VAR).ok();
    let old = held.as_deref().and_then(State::decode).unwrap_or_default();
    // Outside a project, the user's global toolset (if any) is the toolchain.
    let found = vx_model::manifest::global::search_or_global(&cwd);
    // Another user's project file above: said once, whatever the shell holds.
    if let Some(stopped) = &found.stopped
        && vx_model::manifest::search::unsaid(stopped)
    {
        vx_base::note!("vx: {stopped}; the search for a project stopped there");
    }
    let manifest = found.manifest;
    if old.is_current(manifest.as_deref()) {
        return Ok(vx_base::exit::OK);
    }
    let env = |name: &str| std::env::var(name).ok();
    let note = |line: &str| vx_base::note!("{line}");
    let ops = wanted::changes(&env, &old, manifest, &note);
    // A closed stdout (the shell gave up on the hook) is no error of the prompt's.
    let _ = std::io::stdout().write_all(render(shell, &ops).as_bytes());
    Ok(vx_base::exit::OK)
}
