//! Arbitrary bytes as one line a daemon client sends: decoding must never panic;
//! anything else than a request is answered with an error response.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vx_daemon::protocol::decode_request(data);
});
