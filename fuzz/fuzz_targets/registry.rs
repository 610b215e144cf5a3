//! Arbitrary bytes as a registry file (aqua's `registry.yaml`): parsing, indexing,
//! reading every entry and definition back, looking each package up by name, and
//! resolving it for three platforms and a few tags must never panic or hang; bad input
//! is an error. A definition read back from the index must resolve exactly as the
//! parsed one does, since `vx` resolves from the index.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The harness lives in the crate (`vx_sources::fuzz`), so what it reads with stays
// the crate's own.
fuzz_target!(|data: &[u8]| vx_sources::fuzz::registry(data));
