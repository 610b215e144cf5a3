//! What a command shows the user, made from what the library hands back: an
//! operation's error as the exit code of the contract ([`exit`]: every library
//! error's `From` into [`vx_base::exit::Error`], so a command ends with `?`), and each
//! report as text, one file per report. Text for stdout is returned; lines for stderr
//! go through the caller's `note`. The binary prints: nothing here writes to a
//! terminal or sees the command line.

pub(crate) mod board;
pub(crate) mod cache;
pub(crate) mod config;
pub(crate) mod daemon;
pub(crate) mod doctor;
pub(crate) mod edit;
pub(crate) mod exit;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod lock;
pub(crate) mod outdated;
pub(crate) mod prune;
pub(crate) mod push;
pub(crate) mod run;
pub(crate) mod search;
pub(crate) mod self_update;
pub(crate) mod tasks;
pub(crate) mod trust;
pub(crate) mod versions;
