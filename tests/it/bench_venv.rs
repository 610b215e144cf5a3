//! Issue 79's last venv figure (docs/BENCHMARKS.md §27), ignored in the suite: what the
//! project venv adds to a first `vx sync` when vx's own uv is not in the store yet, so
//! vx fetches it (astral-sh/uv's release from the loopback GitHub, checked by its
//! digest) before `uv venv` and pip from the python's wheel. `scripts/bench-venv.sh`
//! measures the other rows (uv already in the store; `python -I -m venv`) offline;
//! this one needs the loopback GitHub, so it lives here.
//!
//! Run: `VX_BENCH_ROUNDS=7 cargo test --test it bench_venv -- --ignored --nocapture`
//! (the test build's vx, as §27's other rows). Each round, interleaved: the project
//! without `python_venv` synced again (the floor), then the project with it, its
//! `.venv` and the store's uv removed first, synced online.
#![cfg(target_os = "linux")]

use std::time::Instant;

use crate::common;

use common::project::Project;
use common::publishers::python::{self, Sums};
use common::publishers::uv;
use vx_fixture::github::GithubFixture;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `vx ARGS` in `project`, which must succeed: its wall time in milliseconds.
fn timed(project: &Project, args: &[&str]) -> f64 {
    let start = Instant::now();
    let said = project.ok(args);
    let took = start.elapsed().as_secs_f64() * 1000.0;
    assert!(!said.contains("python -m venv"), "{said}");
    took
}

#[test]
#[ignore = "a benchmark: VX_BENCH_ROUNDS=7 cargo test --test it bench_venv -- --ignored --nocapture"]
fn the_venv_with_vxs_uv_fetched_first() {
    let rounds: usize = std::env::var("VX_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let (version, archive) = python::archive(python::Without::Nothing);
    let name = python::asset_name(&version, "20250115", "x86_64-unknown-linux-gnu");
    let gh = GithubFixture::builder()
        .release(
            python::OWNER,
            python::REPO,
            python::release("20250115", &[&version], Sums::Digests, &[(name, archive)]),
        )
        .release(uv::OWNER, uv::REPO, uv::release(uv::archive()))
        .start()
        .unwrap();
    let base = "[settings]\nplatforms = [\"linux-x86_64\"]\n";
    let plain = Project::new(
        &python::config(&gh.web_url()),
        &format!("{base}[tools]\npython = \"3.12\"\n"),
    );
    plain.synced();
    let venv = Project::new(
        &python::config(&gh.web_url()),
        &format!("{base}python_venv = \".venv\"\n[tools]\npython = \"3.12\"\n"),
    );
    venv.synced();
    let dir = venv.work.dir.path().to_owned();
    let store_uv = dir.join("home/.local/share/vx/store/uv");
    assert!(store_uv.is_dir(), "vx's uv was fetched into the store");
    let (mut floor, mut fetched) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        floor.push(timed(&plain, &["sync", "--headless"]));
        std::fs::remove_dir_all(dir.join(".venv")).unwrap();
        std::fs::remove_dir_all(&store_uv).unwrap();
        fetched.push(timed(&venv, &["sync", "--headless"]));
        assert!(store_uv.is_dir(), "uv fetched again");
        assert!(dir.join(".venv/bin/pip").is_file(), "pip in the venv");
    }
    let (f, v) = (median(floor), median(fetched));
    println!(
        "vx sync (online, loopback GitHub), median of {rounds} (ms):\n  no venv: {f:.0}\n  venv, vx's uv fetched first: {v:.0} (adds {:.0})",
        v - f
    );
}
