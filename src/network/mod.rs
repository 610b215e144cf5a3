//! Floor 2, network and signatures.
//!
//! - [`net`]: the one HTTP client: trust, proxies, credentials, URL rewrites, redirects.
//! - [`verify`] (on `net`): signatures and attestations.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).

pub mod net;
pub mod verify;
