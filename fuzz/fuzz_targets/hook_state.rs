//! Arbitrary text as `__VX_STATE`, the shell hook's record of what it applied (JSON,
//! deflated, base64): decoding never panics or inflates without bound; a value that
//! does not decode soundly is "nothing applied". A state that decodes encodes back to
//! one that decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vx_hook::state::State;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(state) = State::decode(text) {
        assert_eq!(State::decode(&state.encode()), Some(state));
    }
});
