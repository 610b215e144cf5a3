//! Arbitrary bytes as a `vx.toml`: parsing (strict, with "did you mean"), then resolving
//! every tool for three platforms must never panic or hang; bad input is an error.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use vx_model::manifest::Manifest;
use vx_model::manifest::platform::Platform;

static PLATFORMS: LazyLock<[Platform; 3]> = LazyLock::new(|| {
    ["linux-x86_64", "macos-aarch64", "windows-x86_64"].map(|p| p.parse().unwrap())
});

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = Manifest::from_bytes(Path::new("vx.toml"), data) else {
        return;
    };
    for tool in &manifest.tools {
        for platform in PLATFORMS.iter() {
            let _ = tool.resolve(platform);
        }
    }
});
