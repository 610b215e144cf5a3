//! The shell hook of `vx activate`: the project's environment applied as the shell moves.
//!
//! The shell hook that follows `cd` (`vx activate`, `vx hook-env`; docs/guide/environment.md,
//! "The shell hook").
//!
//! Before each prompt the shell runs `vx hook-env`, which compares the project of the
//! working directory with what the previous call left in the shell, one exported
//! variable ([`state::STATE_VAR`]), and prints what to change. This module holds the
//! parts that know nothing of the command line:
//!
//! - [`state`]: what was applied and what the answer came from, encoded compactly into
//!   that variable and checked by `stat` alone when nothing changed;
//! - [`diff`]: from the shell's environment, the previous state and the project wanted,
//!   the variables to set or unset (restoring what the user had) and the next state;
//! - [`render`]: those changes as each shell evaluates them, quoted safely;
//! - [`script`]: the hook itself, as `vx activate SHELL` prints it for an rc file;
//! - [`wanted`]: what the project of the working directory wants applied, read as the
//!   hook reads it (what is at hand only), and the changes that take the shell there.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub(crate) mod diff;
pub mod render;
pub mod script;
pub mod state;
pub mod wanted;
