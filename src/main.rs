//! `vx`: installs a project's toolchain in parallel and shows it on a live board.
//!
//! A thin shell over the `vx` library; the CLI is wired up separately.
#![forbid(unsafe_code)]

use vx as _;

fn main() {}
