//! Arbitrary text as the user's `config.toml` (`[http]`, `[github]`, `[registry]`,
//! `url_replacements`, `mirrors`): parsing must never panic; bad input is an error at
//! its line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vx_model::user_config::UserConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = UserConfig::parse(Path::new("config.toml"), text);
    }
});
