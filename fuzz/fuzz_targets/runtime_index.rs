//! Arbitrary bytes as a runtime publisher's index, the first byte choosing which, each
//! read by the same function `vx` uses on the server's answer:
//!
//! 0. nodejs.org `dist/index.json` (`runtime::declared::index::parse`, node.toml's
//!    json-list declaration);
//! 1. a declared `lines` index (the same function);
//! 2. python-build-standalone's `SHA256SUMS` (`runtime::python::releases_in_sums`);
//! 3. builds.hex.pm's OTP `builds.txt` (`hexbuilds::parse`, `erlang::releases_of`);
//! 4. builds.hex.pm's Elixir `builds.txt` (`hexbuilds::parse`, `elixir::releases_of`);
//! 5. Adoptium's `available_releases` and `release_versions` pages, split at NUL
//!    (`java::list`);
//! 6. Adoptium's `feature_releases` pages, split at NUL (`java::resolve`);
//! 7. go.dev's download list (`go::releases_in`, `go::resolve`);
//! 8. GitHub's release list of jdx/ruby (`ruby::releases_of`) and rust-lang/rust
//!    (`rust::releases_of`);
//! 9. a Rust channel manifest (`rust::resolve`).
//!
//! Nothing may panic or hang; a listing's releases are each a version that parses
//! back, distinct where vx de-duplicates, newest first where vx sorts; a download is a
//! sha256 of 64 lower-case hex digits (or none, where the publisher's oldest lines
//! have none).
#![no_main]

use libfuzzer_sys::fuzz_target;

// The harness lives in the crate (`vx_sources::fuzz`), so the
// publishers' parsers stay the crate's own.
fuzz_target!(|data: &[u8]| vx_sources::fuzz::runtime_index(data));
