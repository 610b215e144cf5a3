//! Arbitrary text as an aqua template (`asset`, `url`, `files[].src`), rendered with
//! every variable set, and as a `version_constraint` expression, evaluated against a
//! few versions: never a panic or a hang; bad input is an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The harness lives in the crate (`vx_sources::fuzz`), so what it reads with stays
// the crate's own.
fuzz_target!(|data: &[u8]| vx_sources::fuzz::template(data));
