//! Arbitrary text as a project's `.env` file (`[settings] env_file`), read by the same
//! `manifest::dotenv::parse` `vx` uses (`project_env::env_file::load` hands it the
//! file's UTF-8 text): parsing must never panic or hang, and what it gives holds what
//! the rest of vx relies on: at most `MAX_ENTRIES` entries, each a valid variable name
//! that is not PATH or vx's own, no NUL in a value, entries in line order, and a
//! syntax error names a line of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vx_model::manifest::dotenv::{MAX_ENTRIES, parse};
use vx_model::manifest::environment::{reserved_problem, template_problem, valid_var_name};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    match parse(text) {
        Ok(vars) => {
            assert!(vars.len() <= MAX_ENTRIES);
            let mut last = 0;
            for var in &vars {
                assert!(valid_var_name(&var.name), "name {:?}", var.name);
                assert!(reserved_problem(&var.name).is_none(), "name {:?}", var.name);
                assert!(var.line > last && var.line <= lines, "line {}", var.line);
                last = var.line;
                let value = var.value.as_deref().expect("a .env entry has a value");
                assert!(!value.contains('\0'));
                assert!(var.literal || template_problem(value).is_none());
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines, "error at line {}", e.line);
            let _ = e.to_string();
        }
    }
});
