//! What a command shows the user, made from what the library hands back: an
//! operation's error as the exit code of the contract (`exit`: every library error's
//! `From` into [`crate::exit::Error`], so a command ends with `?`). The binary prints;
//! nothing here writes to a terminal.

pub mod exit;
