//! `vx completions SHELL`: the completion script clap_complete writes for the command
//! line of [`crate::cli`].

use std::io::Write;

use clap::CommandFactory;
use vx::exit::Error;

use crate::cli::Cli;

/// Prints the script for `shell`.
pub fn run(shell: clap_complete::Shell) -> Result<i32, Error> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "vx", &mut script);
    std::io::stdout().write_all(&script)?;
    Ok(vx::exit::OK)
}
