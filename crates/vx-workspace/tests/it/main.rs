//! The crate's integration tests, one binary (each test binary is one more link in
//! CI): discovery and the graph, `--filter`, the lockfiles, turbo.json and its plan, on
//! the workspaces the real tools laid out (tests/data/make.sh).

mod common;
mod discover;
mod filter;
mod lockfile;
mod turbo;
