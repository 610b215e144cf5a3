//! What a command shows the user, made from what the library hands back: an
//! operation's error as the exit code of the contract ([`exit`]: every library
//! error's `From` into [`vx_base::exit::Error`], so a command ends with `?`), and each
//! report as text, one file per report. Text for stdout is returned; lines for stderr
//! go through the caller's `note`. The binary prints: nothing here writes to a
//! terminal or sees the command line.

pub mod board;
pub mod cache;
pub mod config;
pub mod daemon;
pub mod doctor;
pub mod edit;
pub(crate) mod exit;
pub mod import;
pub mod list;
pub mod lock;
pub mod outdated;
pub mod prune;
pub mod push;
pub mod run;
pub mod search;
pub mod self_update;
pub mod trust;
pub mod versions;
