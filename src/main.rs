//! `vx`: installs a project's toolchain in parallel and shows it on a live board.
#![forbid(unsafe_code)]

fn main() {}
