//! Arbitrary text as another version manager's file (`.tool-versions`, `mise.toml`,
//! `aqua.yaml`, `.nvmrc`, `.node-version`, `.python-version`), the first byte choosing
//! which: parsing must never panic; bad input is an error at its line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vx_model::import::{Format, parse};

const FORMATS: [Format; 6] = [
    Format::ToolVersions,
    Format::Mise,
    Format::Aqua,
    Format::Nvmrc,
    Format::NodeVersion,
    Format::PythonVersion,
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = parse(FORMATS[usize::from(which) % FORMATS.len()], text);
    }
});
