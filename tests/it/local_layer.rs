//! `vx.local.toml`: one person's layer over the project's vx.toml (issue 49, item 8),
//! with the real `vx` and tools served on loopback. Its tools replace or join the
//! project's on this machine and are locked in `vx.local.lock`, never in vx.lock; its
//! variables join `[env]`; a table it may not hold is refused by name; a cached answer
//! (`vx env`'s activation record) follows its edits.
#![cfg(unix)]

use crate::common;

use common::*;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// An archive of `hello` that prints `said`.
fn hello(said: &str) -> Vec<u8> {
    tar_gz(&[Item::File(
        "hello/bin/hello",
        format!("#!/bin/sh\necho {said}\n").into_bytes(),
        0o755,
    )])
}

/// A `[tools.NAME]` table of `path` on `server`, version `version`.
fn table(server: &TestServer, name: &str, version: &str, path: &str, body: &[u8]) -> String {
    format!(
        "[tools.{name}]\nversion = \"{version}\"\nurl = \"{}\"\nsha256 = \"{}\"\nstrip_components = 1\nbin = [\"bin/hello\"]\n\n",
        server.url(path),
        sha256_hex(body)
    )
}

fn run(work: &Work, args: &[&str]) -> (i32, String, String) {
    work.outcome(args)
}

#[test]
fn a_personal_layer_replaces_and_adds_tools_and_variables_and_leaves_the_teams_lock_alone() {
    let (one, two, mine) = (hello("team-1"), hello("mine-2"), hello("only-mine"));
    let server = TestServer::start([
        ("/hello-1.tar.gz", Route::Ok(one.clone())),
        ("/hello-2.tar.gz", Route::Ok(two.clone())),
        ("/mine.tar.gz", Route::Ok(mine.clone())),
    ]);
    let work = Work::new();
    work.write_manifest(&format!(
        "{}[env]\nTEAM = \"team\"\n",
        table(&server, "hello", "1.0", "/hello-1.tar.gz", &one)
    ));
    let dir = work.dir.path();
    let (code, out, err) = run(
        &work,
        &["exec", "--", "sh", "-c", "hello; echo $TEAM-${MINE:-none}"],
    );
    assert_eq!((code, out.as_str()), (0, "team-1\nteam-none\n"), "{err}");
    let team_lock = std::fs::read_to_string(dir.join("vx.lock")).unwrap();

    // The person's layer: hello at another version, a tool of their own, variables.
    std::fs::write(
        dir.join("vx.local.toml"),
        format!(
            "{}{}[env]\nMINE = \"mine\"\nTEAM = \"overridden\"\n",
            table(&server, "hello", "2.0", "/hello-2.tar.gz", &two),
            table(&server, "mytool", "0.1", "/mine.tar.gz", &mine)
                .replace("bin/hello\"]", "mytool=bin/hello\"]"),
        ),
    )
    .unwrap();
    let (code, out, err) = run(
        &work,
        &["exec", "--", "sh", "-c", "hello; mytool; echo $TEAM-$MINE"],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "mine-2\nonly-mine\noverridden-mine\n"),
        "{err}"
    );
    // The team's lock is as it was; the layer's tools are locked beside it.
    assert_eq!(
        std::fs::read_to_string(dir.join("vx.lock")).unwrap(),
        team_lock
    );
    let local: toml::Table = std::fs::read_to_string(dir.join("vx.local.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let locked: Vec<&String> = local["tools"].as_table().unwrap().keys().collect();
    assert_eq!(locked, ["hello", "mytool"]);
    assert_eq!(local["tools"]["hello"]["version"].as_str(), Some("2.0"));
    // Nothing left to lock: --locked holds, and a sync changes neither file.
    let (code, _, err) = run(&work, &["sync", "--locked", "--headless"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("vx.lock")).unwrap(),
        team_lock
    );

    // `vx env` (from its activation record once made) follows an edit of the layer.
    let (_, before, _) = run(&work, &["env", "--shell", "bash"]);
    assert!(before.contains("MINE='mine'"), "{before}");
    std::fs::write(
        dir.join("vx.local.toml"),
        format!(
            "{}[env]\nMINE = \"edited\"\n",
            table(&server, "hello", "2.0", "/hello-2.tar.gz", &two)
        ),
    )
    .unwrap();
    let (_, after, err) = run(&work, &["env", "--shell", "bash"]);
    assert!(after.contains("MINE='edited'"), "{after}{err}");

    // Without the layer, the project is the team's again.
    std::fs::remove_file(dir.join("vx.local.toml")).unwrap();
    let (code, out, err) = run(
        &work,
        &["exec", "--", "sh", "-c", "hello; echo $TEAM-${MINE:-none}"],
    );
    assert_eq!((code, out.as_str()), (0, "team-1\nteam-none\n"), "{err}");
}

#[test]
fn a_layer_with_a_table_it_may_not_hold_is_refused_by_name_and_nothing_is_written() {
    let work = Work::new();
    work.write_manifest("[env]\nTEAM = \"team\"\n");
    let dir = work.dir.path();
    std::fs::write(
        dir.join("vx.local.toml"),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(&work, &["lock"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("vx.local.toml") && err.contains("[settings] belongs in vx.toml"),
        "{err}"
    );
    assert!(!dir.join("vx.lock").exists());
    assert!(!dir.join("vx.local.lock").exists());
    // A malformed layer is an error at its own line.
    std::fs::write(dir.join("vx.local.toml"), "[tools]\nhello = \n").unwrap();
    let (code, _, err) = run(&work, &["lock"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vx.local.toml:2:"), "{err}");
}
