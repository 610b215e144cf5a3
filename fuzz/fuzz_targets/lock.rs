//! Arbitrary text as a `vx.lock`: parsing must never panic; a lock that parses is
//! written back and reads back the same (what `vx lock` writes, every command reads).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vx_model::lock::Lock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(lock) = Lock::parse(Path::new("vx.lock"), text) else {
        return;
    };
    let written = lock.to_text();
    let back = Lock::parse(Path::new("vx.lock"), &written)
        .unwrap_or_else(|e| panic!("a written lock does not read back: {e}\n{written}"));
    assert_eq!(back.to_text(), written, "a lock changes when written twice");
});
