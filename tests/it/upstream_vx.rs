//! A vx.toml written for loonghao/vx (the upstream project of the RFC this product
//! comes from, whose file has the same name; issue 38, item 9), end to end with the
//! real binary: its `[settings]` keys read and ignored with one line saying why, its
//! `[scripts]` with `{{args}}`, a tool limited by `os = [...]`; a key neither
//! project knows is still an error. The tool is a raw shell script over loopback HTTP.

#![cfg(unix)]

use crate::common;

use common::{Work, output_of};
use vx_fixture::{Route, TestServer, sha256_hex};

/// Prints each argument on a line of its own, in brackets.
const ARGV: &str = "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done\n";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_loonghao_vx_toml_is_read_with_its_settings_ignored_and_said_why() {
    let server = TestServer::start([("/argv", Route::Ok(ARGV.as_bytes().to_vec()))]);
    let work = Work::new();
    // The shape of loonghao/vx's own vx.toml and of those of its users.
    let manifest = format!(
        "[tools.argv]\nversion = \"1.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nformat = \"raw\"\n\n\
         [tools.pwsh]\nversion = \"7.4.13\"\nurl = \"https://example.invalid/pwsh-{{version}}.zip\"\nos = [\"windows\"]\n\n\
         [settings]\nauto_install = true\ncache_duration = \"7d\"\nparallel_install = true\nupdate_interval = \"24h\"\n\n\
         [scripts]\nshow = \"argv first {{{{args}}}} last\"\n",
        server.url("/argv"),
        sha256_hex(ARGV.as_bytes()),
    );
    work.write_manifest(&manifest);
    let data = work.dir.path().join("xdg");
    let out = work
        .vx()
        .env("XDG_DATA_HOME", &data)
        .args(["run", "show", "a b", "it's"])
        .timeout(common::DEADLINE)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(stdout, "[first]\n[a b]\n[it's]\n[last]\n", "{stderr}");
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[settings] of loonghao/vx ignored here"))
        .collect();
    assert_eq!(notes.len(), 1, "one line:\n{stderr}");
    // `auto_install` is vx's own setting too (issue 49): read, not ignored.
    assert!(!notes[0].contains("auto_install"), "{}", notes[0]);
    for key in [
        "cache_duration (",
        "parallel_install (",
        "update_interval (",
    ] {
        assert!(notes[0].contains(key), "{key} missing: {}", notes[0]);
    }

    // A key neither project knows stays an error, with the file and line.
    work.write_manifest(&manifest.replace("auto_install = true", "auto_instal = true"));
    let (_, stderr) = output_of(
        work.vx()
            .env("XDG_DATA_HOME", &data)
            .args(["run", "show"])
            .timeout(common::DEADLINE),
        2,
    );
    assert!(stderr.contains("auto_instal"), "{stderr}");
    assert!(stderr.contains("vx.toml:"), "{stderr}");
}
