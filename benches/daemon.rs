//! Round trips through the daemon's socket, in process: a client sends a request line
//! and waits for its answer, one at a time, against a daemon serving from its caches.
//! Prints p50, p99 and mean per request kind (target: `resolve` p50 ≤ 200 µs).
//!
//!     cargo bench --bench daemon
//!
//! Without `--bench` (as `cargo test --benches` runs it) it does a few hundred round
//! trips only, so the bench cannot rot.

#[cfg(unix)]
mod imp {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use vx_daemon::protocol::{Request, Response};
    use vx_daemon::{Client, Config, Daemon, Paths};
    use vx_engine::store::{self, Receipt};

    /// A project of `tools` tools in `dir`, every one installed in `store` (receipts that
    /// match the manifest, each with one executable).
    fn project(dir: &Path, store: &Path, tools: usize) {
        std::fs::create_dir_all(dir).unwrap();
        let mut manifest = String::new();
        for i in 0..tools {
            let (name, url) = (format!("t{i}"), format!("file:///nowhere/t{i}.tar.gz"));
            manifest.push_str(&format!(
                "[tools.{name}]\nversion = \"1\"\nurl = \"{url}\"\n\n"
            ));
            // Where an install of the manifest's spec puts it ([`store::key`]).
            let spec = vx_model::spec::ToolSpec::new(name.as_str(), "1", url.as_str());
            let tree = store::install_dir(store, &spec);
            std::fs::create_dir_all(tree.join("bin")).unwrap();
            std::fs::write(tree.join("bin").join(&name), "#!/bin/sh\n").unwrap();
            let receipt = Receipt {
                tool: name.clone(),
                version: "1".into(),
                url,
                sha256: "ab".repeat(32),
                format: None,
                strip_components: 0,
                post_install: None,
                options: Default::default(),
                bytes: 1,
                installed_at: 0,
                unverified: false,
                bin: vec![format!("bin/{name}")],
                unpacked: None,
                verified: None,
                env: Default::default(),
                key: Some(store::key(&spec)),
                write: Default::default(),
                path_after: Vec::new(),
                environment: None,
            };
            store::write_receipt(&tree, &receipt).unwrap();
        }
        std::fs::write(dir.join("vx.toml"), manifest).unwrap();
    }

    /// Round-trip times of `request`, `rounds` times after a warm-up.
    fn time(client: &mut Client, request: &Request, rounds: usize) -> Vec<Duration> {
        for _ in 0..rounds / 10 + 1 {
            let answer = client.request(request).unwrap();
            assert!(!matches!(answer, Response::Error { .. }), "{answer:?}");
        }
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                client.request(request).unwrap();
                start.elapsed()
            })
            .collect()
    }

    fn micros(d: Duration) -> f64 {
        d.as_secs_f64() * 1e6
    }

    /// Prints one request's row of the table: p50, p99 and mean of its round trips.
    fn print_row(name: &str, mut times: Vec<Duration>) {
        times.sort();
        let p = |q: f64| micros(times[((times.len() - 1) as f64 * q) as usize]);
        let mean = times.iter().map(|d| micros(*d)).sum::<f64>() / times.len() as f64;
        println!(
            "| {name} | {:.1} µs | {:.1} µs | {mean:.1} µs |",
            p(0.50),
            p(0.99)
        );
    }

    pub fn main() {
        let full = std::env::args().any(|a| a == "--bench");
        let rounds = if full { 20_000 } else { 300 };
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        let small = tmp.path().join("small");
        let large = tmp.path().join("large");
        project(&small, &store, 10);
        project(&large, &store.join("big"), 300);
        let daemon = Daemon::bind(Config {
            paths: Paths::at(tmp.path().join("d/daemon.sock")),
            store: store.clone(),
            board_dir: tmp.path().join("boards"),
        })
        .unwrap();
        let socket = tmp.path().join("d/daemon.sock");
        let stopper = daemon.stopper();
        let server = std::thread::spawn(move || daemon.serve());
        let big_daemon_store = store.join("big");

        let mut client = Client::connect(&socket).unwrap();
        let cwd = |p: &Path| Some(p.to_str().unwrap().to_owned());
        let cases: Vec<(&str, Request)> = vec![
            ("ping", Request::Ping),
            (
                "resolve, 10-tool project",
                Request::Resolve {
                    runtime: "t3".into(),
                    version: None,
                    cwd: cwd(&small),
                },
            ),
            (
                "resolve, no project",
                Request::Resolve {
                    runtime: "t3".into(),
                    version: None,
                    cwd: None,
                },
            ),
            (
                "list_versions",
                Request::ListVersions {
                    runtime: "t3".into(),
                },
            ),
            (
                "toolchain, 10-tool project",
                Request::Toolchain {
                    cwd: small.to_str().unwrap().to_owned(),
                    store: Some(store.to_str().unwrap().to_owned()),
                },
            ),
        ];
        println!(
            "daemon round trips through its socket, in process ({rounds} each after a warm-up)"
        );
        println!("| request | p50 | p99 | mean |");
        println!("|---|---|---|---|");
        for (name, request) in &cases {
            print_row(name, time(&mut client, request, rounds));
        }
        // The 300-tool project lives in another store: a daemon of its own.
        drop(client);
        stopper.stop();
        server.join().unwrap().unwrap();
        let daemon = Daemon::bind(Config {
            paths: Paths::at(tmp.path().join("d2/daemon.sock")),
            store: big_daemon_store.clone(),
            board_dir: tmp.path().join("boards"),
        })
        .unwrap();
        let socket = tmp.path().join("d2/daemon.sock");
        let stopper = daemon.stopper();
        let server = std::thread::spawn(move || daemon.serve());
        let mut client = Client::connect(&socket).unwrap();
        let big: Vec<(&str, Request)> = vec![
            (
                "resolve, 300-tool project",
                Request::Resolve {
                    runtime: "t299".into(),
                    version: None,
                    cwd: cwd(&large),
                },
            ),
            (
                "toolchain, 300-tool project",
                Request::Toolchain {
                    cwd: large.to_str().unwrap().to_owned(),
                    store: Some(big_daemon_store.to_str().unwrap().to_owned()),
                },
            ),
        ];
        for (name, request) in &big {
            print_row(name, time(&mut client, request, rounds / 4));
        }
        drop(client);
        stopper.stop();
        server.join().unwrap().unwrap();
    }
}

#[cfg(unix)]
fn main() {
    imp::main();
}

/// The daemon is Unix-only for now: nothing to measure.
#[cfg(not(unix))]
fn main() {
    eprintln!("vx daemon is Unix-only for now: nothing to measure here");
}
