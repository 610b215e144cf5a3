//! Arbitrary bytes as the parent→child config frame on a child's stdin: reading must
//! never panic, hang or allocate without bound; bad input is an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let _ = vx_model::config_frame::read_frame(&mut input);
});
