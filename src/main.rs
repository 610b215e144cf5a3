//! `vx`: installs a project's toolchain in parallel and shows it on a live board.
//!
//! A thin shell over the `vx` library: parse the command line, run it, turn the result
//! into the exit code of the contract (see [`vx::cli`]).
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = vx::cli::Cli::parse();
    let code = match vx::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("vx: {err:#}");
            vx::cli::exit_code_for(&err)
        }
    };
    std::process::exit(code);
}
