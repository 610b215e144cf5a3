//! Arbitrary bytes as a language registry's document or a package manager's
//! configuration, the first byte choosing which, each read as `vx` reads it:
//!
//! 0. an npm packument (`backend::npm::Packument`, as `resolution::backend` parses
//!    it), then each version's commands, platforms and candidates;
//! 1. an npm version document (`backend::npm::VersionDoc`), the same;
//! 2. a PyPI project page, JSON (PEP 691) or HTML (PEP 503)
//!    (`backend::pypi::parse_page`), then each file's wheel tags and version;
//! 3. an `.npmrc` (`backend::npmrc::Npmrc::read`), then the registry and token for
//!    a scoped and an unscoped package;
//! 4. a `pip.conf` (`backend::pipconf::index_url`, `split_credentials`).
//!
//! Nothing may panic or hang; a page's file URLs are absolute, a registry URL has no
//! credentials left in it once they are split off.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The harness lives in the crate (`vx_sources::fuzz`), so what it reads with stays
// the crate's own.
fuzz_target!(|data: &[u8]| vx_sources::fuzz::language_registry(data));
