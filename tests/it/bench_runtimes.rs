//! Issue 54's benchmark (docs/BENCHMARKS.md §18), ignored in the suite: run it with
//! `scripts/bench-runtimes.sh`, which builds a release `vx` and fetches uv (PyPI) and
//! mise (npm) to run beside it. The publishers' loopback stand-ins answer `vx lock`;
//! one static server ([`TestServer::files`]: the kernel copies each file to the
//! socket, so the link is loopback's, not the test build's) serves the same real
//! archives to every tool: CPython in python-build-standalone's
//! `install_only_stripped` layout (the image's CPython, tests/common/publishers/
//! python.rs), Node.js 20.11.1 from npm's official binary with npm and corepack in
//! nodejs.org's layout (`.tar.xz`, and the `.tar.gz` nodejs.org publishes beside it,
//! made from the same tree as theirs is, `tests/common/publishers/node.rs`), Debian's Go in go.dev's layout and Debian's JDK in
//! Temurin's.
//!
//! Each round runs every row once, in turn (interleaved, so a slower minute of the
//! machine falls on every tool alike), each on an empty store and cache: vx (`vx sync`
//! of a project locked beforehand, so it asks for the archives only), `uv python
//! install` (through `--python-downloads-json-url` naming the same archive and its
//! sha256), mise (its `http:` backend with the archive's URL and sha256: the same work
//! as vx; and its core node plugin through `MISE_NODE_MIRROR_URL`, which takes the
//! `.tar.gz`), and the floor: `curl` into the fastest decoder into `tar`, nothing
//! checked. The table gives medians of the wall times and the median of the per-round
//! ratios vx / peer.
//!
//! Environment: `VX_BENCH_VX` (the vx binary; default the test build's), `VX_BENCH_UV`,
//! `VX_BENCH_MISE` (rows without them are left out), `VX_BENCH_ROUNDS` (default 5).
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common;

use common::publishers::{go, java, node, python};
use common::*;
use vx_fixture::github::GithubFixture;
use vx_fixture::{TestServer, sha256_hex};

/// The python-build-standalone release the CPython is served in.
const PBS_TAG: &str = "20241206";

/// One archive as every tool is pointed at it.
struct Archive {
    url: String,
    sha256: String,
    /// The decoder of the floor's pipeline (`gzip -dc`, `xz -dc`).
    decoder: &'static str,
}

/// The loopback publishers (what `vx lock` reads) and the static server of the
/// archives (what every tool downloads).
struct Publishers {
    node: TestServer,
    /// nodejs.org's `dist/` with the `.tar.gz` alone, for mise's node plugin: static.
    node_gz: TestServer,
    go: TestServer,
    java: TestServer,
    github: GithubFixture,
    /// Every archive, served by [`TestServer::files`] at `/{tool}/{file}`: the
    /// publishers' stand-ins copy their bodies from memory in the test build's
    /// unoptimised code (tiny_http's writers gave 20–25 MB/s, the bound of every row
    /// before).
    archives: TestServer,
    /// The files it serves that exist only in memory elsewhere (python's archive,
    /// node's index for mise).
    _files: tempfile::TempDir,
    python_version: String,
    python: Archive,
    node_xz: Archive,
    node_targz: Archive,
    go_archive: Archive,
    jdk: Archive,
}

impl Publishers {
    fn start() -> Publishers {
        let files = tempfile::tempdir().unwrap();
        // (path served, file): every archive at `/{tool}/{file name as in its URL}`.
        let mut served: Vec<(String, PathBuf)> = Vec::new();
        let mut static_archive =
            |path: String, file: PathBuf, sha256: String, decoder: &'static str| {
                served.push((path.clone(), file));
                (path, sha256, decoder)
            };

        let node_path = node::real_archive_of(&node::REAL_20);
        let node_bytes = std::fs::read(&node_path).unwrap();
        let node = node::serve(&[node::Release::real(&node::REAL_20, Some("Iron"))]);
        let v = node::REAL_20.node;
        let xz_name = format!("node-v{v}-linux-x64.tar.xz");
        let node_xz = static_archive(
            format!("/node/{xz_name}"),
            node_path,
            sha256_hex(&node_bytes),
            "xz -dc",
        );
        // nodejs.org's `.tar.gz` of the same tree.
        let gz_path = node::real_gz_archive_of(&node::REAL_20);
        let gz = std::fs::read(&gz_path).unwrap();
        let gz_name = format!("node-v{v}-linux-x64.tar.gz");
        let node_targz = static_archive(
            format!("/node/{gz_name}"),
            gz_path.clone(),
            sha256_hex(&gz),
            "gzip -dc",
        );
        // mise's node plugin reads `index.json` and the sums from its mirror: a
        // `dist/` of its own with the `.tar.gz` alone, static too.
        let sums = format!(
            "{}  {xz_name}\n{}  {gz_name}\n",
            sha256_hex(&node_bytes),
            sha256_hex(&gz)
        );
        let index = format!(
            "[{{\"version\":\"v{v}\",\"date\":\"2024-02-14\",\"files\":[\"linux-x64\"],\"npm\":\"10.2.4\",\"lts\":\"Iron\",\"security\":false}}]"
        );
        std::fs::write(files.path().join("index.json"), index).unwrap();
        std::fs::write(files.path().join("SHASUMS256.txt"), sums).unwrap();
        let node_gz = TestServer::files([
            (
                "/dist/index.json".to_owned(),
                files.path().join("index.json"),
            ),
            (
                format!("/dist/v{v}/SHASUMS256.txt"),
                files.path().join("SHASUMS256.txt"),
            ),
            (format!("/dist/v{v}/{gz_name}"), gz_path),
        ]);

        let (go_version, go_path) = go::real_archive();
        let go_bytes = std::fs::read(&go_path).unwrap();
        let go_name = format!("go{go_version}.linux-amd64.tar.gz");
        let mut go_release = go::Release::listed(&format!("go{go_version}"));
        go_release.served = vec![(go_name.clone(), go_bytes.clone())];
        let go = go::serve(&[go_release]);
        let go_archive = static_archive(
            format!("/go/{go_name}"),
            go_path,
            sha256_hex(&go_bytes),
            "gzip -dc",
        );

        let jdk_path = java::real_archive();
        let jdk_bytes = std::fs::read(&jdk_path).unwrap();
        let mut java_release = java::Release::listed("21.0.5+11");
        let jdk_name = java::package_name(&java_release, "linux", "x64", "jdk", "tar.gz");
        java_release.served = vec![(jdk_name.clone(), jdk_bytes.clone())];
        let java = java::serve(std::slice::from_ref(&java_release));
        let jdk = static_archive(
            format!("/java/{jdk_name}"),
            jdk_path,
            sha256_hex(&jdk_bytes),
            "gzip -dc",
        );

        // A release as the publisher makes them today: digests and a `SHA256SUMS`.
        let python::LinuxServed {
            github,
            version: python_version,
            asset,
            bytes: python_bytes,
        } = python::serve_linux(PBS_TAG);
        let python_sha = sha256_hex(&python_bytes);
        let python_file = files.path().join(&asset);
        std::fs::write(&python_file, &python_bytes).unwrap();
        let python = static_archive(
            format!("/python/{}", asset.replace('+', "%2B")),
            python_file,
            python_sha,
            "gzip -dc",
        );
        let archives = TestServer::files(served);
        let archive = |(path, sha256, decoder): (String, String, &'static str)| Archive {
            url: archives.url(&path),
            sha256,
            decoder,
        };
        let (python, node_xz, node_targz, go_archive, jdk) = (
            archive(python),
            archive(node_xz),
            archive(node_targz),
            archive(go_archive),
            archive(jdk),
        );
        Publishers {
            node,
            node_gz,
            go,
            java,
            github,
            archives,
            _files: files,
            python_version,
            python,
            node_xz,
            node_targz,
            go_archive,
            jdk,
        }
    }

    /// vx's user config for `vx sync` of the project at `project`, once locked:
    /// each archive's directory (as the lock names it, on this platform) sent to
    /// the static server's `/{tool}/`.
    fn vx_sync_config(&self, project: &Path) -> String {
        let lock: toml::Table = std::fs::read_to_string(project.join("vx.lock"))
            .unwrap()
            .parse()
            .unwrap();
        let platform = vx_model::manifest::Platform::current().to_string();
        let mut rules = String::new();
        for (tool, entry) in lock["tools"].as_table().unwrap() {
            let url = entry["platforms"][&platform]["url"].as_str().unwrap();
            let dir = &url[..=url.rfind('/').unwrap()];
            rules.push_str(&format!(
                "\"{dir}\" = \"{}\"\n",
                self.archives.url(&format!("/{tool}/"))
            ));
        }
        format!(
            "[github]\nurl = \"{}\"\n\n[url_replacements]\n{rules}",
            self.github.web_url()
        )
    }

    /// vx's user config: every publisher sent to its stand-in.
    fn vx_config(&self) -> String {
        let body = |config: String| common::publishers::replacement_lines(&config);
        format!(
            "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}{}{}",
            self.github.web_url(),
            body(node::config(&self.node)),
            body(go::config(&self.go)),
            body(java::config(&self.java)),
        )
    }
}

/// One row of the table: a tool's way of installing one workload.
struct Row {
    workload: &'static str,
    tool: &'static str,
    /// Makes a fresh state under the directory given and returns the command to time.
    prepare: Box<dyn Fn(&Path) -> Command>,
}

/// Runs `cmd` to its end: its wall time and its CPU time (user + system of every
/// process it waited for, as `/usr/bin/time` reads them from the kernel), in seconds.
/// The CPU time is what a machine busy with other work disturbs least. A failure
/// stops the benchmark with what the tool said.
fn timed(cmd: Command, what: &str) -> (f64, f64) {
    let times = tempfile::NamedTempFile::new().unwrap();
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-o")
        .arg(times.path())
        .args(["-f", "%U %S"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (var, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(var, value),
            None => wrapped.env_remove(var),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    let start = Instant::now();
    let out = wrapped.output().unwrap();
    let took = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let said = std::fs::read_to_string(times.path()).unwrap();
    let cpu = said
        .split_whitespace()
        .filter_map(|n| n.parse::<f64>().ok())
        .sum();
    (took, cpu)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The floor's pipeline for `archives`, all at once: `curl | decoder | tar -x`.
fn floor(archives: &[&Archive], dir: &Path) -> Command {
    let mut script = String::new();
    for (n, a) in archives.iter().enumerate() {
        let into = dir.join(format!("floor-{n}"));
        std::fs::create_dir_all(&into).unwrap();
        script.push_str(&format!(
            "(curl -sf '{}' | {} | tar -x -C '{}') & ",
            a.url,
            a.decoder,
            into.display()
        ));
    }
    script.push_str("wait");
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]);
    cmd
}

/// A mise project installing `tools` (name, version, archive) with its `http:` backend.
fn mise_http(mise: &Path, tools: &[(&str, &str, &Archive)], dir: &Path) -> Command {
    let project = dir.join("mise-project");
    std::fs::create_dir_all(&project).unwrap();
    let mut text = String::from("[tools]\n");
    for (name, version, archive) in tools {
        text.push_str(&format!(
            "\"http:{name}\" = {{ version = \"{version}\", url = \"{}\", checksum = \"sha256:{}\" }}\n",
            archive.url, archive.sha256
        ));
    }
    std::fs::write(project.join("mise.toml"), text).unwrap();
    let mut cmd = mise_command(mise, dir);
    cmd.arg("install").current_dir(&project);
    cmd.env("MISE_TRUSTED_CONFIG_PATHS", &project);
    cmd
}

/// `mise` with every directory of its own under `dir`.
fn mise_command(mise: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(mise);
    for (var, sub) in [
        ("MISE_DATA_DIR", "mise/data"),
        ("MISE_CACHE_DIR", "mise/cache"),
        ("MISE_CONFIG_DIR", "mise/config"),
        ("MISE_STATE_DIR", "mise/state"),
        ("HOME", "home"),
    ] {
        cmd.env(var, dir.join(sub));
    }
    cmd.env("MISE_YES", "1")
        .env("MISE_USE_VERSIONS_HOST", "false")
        .env("MISE_JOBS", "4");
    cmd
}

/// A vx project with `manifest`, locked once under `home` from the publishers; each
/// run syncs it into a fresh store (`XDG_DATA_HOME` under the run's directory) from
/// the static server of the archives.
fn vx_project(vx: &Path, p: &Publishers, manifest: &str, dir: &Path) -> PathBuf {
    let home = dir.join("vx-home");
    write_user_config(&home, &p.vx_config());
    let project = dir.join("vx-project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("vx.toml"), manifest).unwrap();
    let mut lock = vx_command(vx, &home, &home);
    lock.args(["lock", "-q"]).current_dir(&project);
    timed(lock, "vx lock");
    write_user_config(&home, &p.vx_sync_config(&project));
    project
}

/// `vx` on the machine under `home`, with its data (the store) under `data_root`.
fn vx_command(vx: &Path, home: &Path, data_root: &Path) -> Command {
    let mut cmd = Command::new(vx);
    let (set, removed) = isolation(home);
    for (var, value) in set {
        cmd.env(var, value);
    }
    for var in removed {
        cmd.env_remove(var);
    }
    cmd.env("XDG_DATA_HOME", data_root.join("data"))
        .env("XDG_CACHE_HOME", data_root.join("cache"))
        .env("VX_DAEMON_SOCKET", home.join("no-daemon.sock"));
    cmd
}

#[test]
#[ignore = "a benchmark: scripts/bench-runtimes.sh runs it"]
fn runtimes_beside_uv_and_mise() {
    let rounds: usize = std::env::var("VX_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let vx = std::env::var_os("VX_BENCH_VX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_vx")));
    let uv = std::env::var_os("VX_BENCH_UV").map(PathBuf::from);
    let mise = std::env::var_os("VX_BENCH_MISE").map(PathBuf::from);
    let p = std::sync::Arc::new(Publishers::start());
    let setup = tempfile::tempdir().unwrap();

    let mut rows = vx_rows(&vx, &p, setup.path());
    if let Some(uv) = &uv {
        rows.push(uv_row(uv, &p, setup.path()));
    }
    if let Some(mise) = &mise {
        rows.extend(mise_rows(mise, &p));
    }
    rows.extend(floor_rows(&p));
    let times = rounds_of(&rows, rounds);
    print_table(&rows, &times);
}

/// vx's rows: `vx sync` of a project of python, of node, and of four runtimes, each
/// made under `setup`.
fn vx_rows(vx: &Path, p: &Publishers, setup: &Path) -> Vec<Row> {
    let v = &p.python_version;
    let node_v = node::REAL_20.node;
    let go_v = go::real_archive().0;
    let python_project = vx_project(
        vx,
        p,
        &format!("[tools]\npython = \"{v}\"\n"),
        &setup.join("python"),
    );
    let node_project = vx_project(
        vx,
        p,
        &format!("[tools]\nnode = \"{node_v}\"\n"),
        &setup.join("node"),
    );
    let four_project = vx_project(
        vx,
        p,
        &format!(
            "[tools]\nnode = \"{node_v}\"\npython = \"{v}\"\ngo = \"{go_v}\"\njava = \"21.0.5+11\"\n"
        ),
        &setup.join("four"),
    );
    let homes = setup.to_owned();
    let vx_row = |workload: &'static str, project: PathBuf, home: PathBuf| {
        let vx = vx.to_owned();
        Row {
            workload,
            tool: "vx",
            prepare: Box::new(move |dir: &Path| {
                let mut cmd = vx_command(&vx, &home, dir);
                cmd.args(["sync", "-q"]).current_dir(&project);
                cmd
            }),
        }
    };
    vec![
        vx_row("python 3.12", python_project, homes.join("python/vx-home")),
        vx_row("node 20", node_project, homes.join("node/vx-home")),
        vx_row(
            "4 runtimes at once",
            four_project,
            homes.join("four/vx-home"),
        ),
    ]
}

/// uv's row: `uv python install` of the same python, from a downloads list naming the
/// publisher's archive.
fn uv_row(uv: &Path, p: &Publishers, setup: &Path) -> Row {
    let v = p.python_version.clone();
    let json = setup.join("uv-downloads.json");
    let key = format!("cpython-{v}-linux-x86_64-gnu");
    let mut parts = v.split('.').map(|n| n.parse::<u64>().unwrap());
    let entry = serde_json::json!({ key: {
        "name": "cpython", "arch": {"family": "x86_64", "variant": null}, "os": "linux",
        "libc": "gnu", "major": parts.next(), "minor": parts.next(), "patch": parts.next(),
        "prerelease": "", "url": p.python.url, "sha256": p.python.sha256, "variant": null,
        "build": PBS_TAG,
    }});
    std::fs::write(&json, serde_json::to_vec(&entry).unwrap()).unwrap();
    let uv = uv.to_owned();
    Row {
        workload: "python 3.12",
        tool: "uv",
        prepare: Box::new(move |dir: &Path| {
            let mut cmd = Command::new(&uv);
            cmd.args([
                "python",
                "install",
                &v,
                "--no-bin",
                "--python-downloads-json-url",
            ])
            .arg(&json)
            .arg("--install-dir")
            .arg(dir.join("uv-python"))
            .env("UV_CACHE_DIR", dir.join("uv-cache"))
            .env("HOME", dir.join("home"));
            cmd
        }),
    }
}

/// mise's rows: its `http:` backend for each workload, and its own node plugin.
fn mise_rows(mise: &Path, p: &std::sync::Arc<Publishers>) -> Vec<Row> {
    let v = p.python_version.clone();
    let node_v = node::REAL_20.node;
    let go_v = go::real_archive().0;
    let mut rows = Vec::new();
    let (m, pp, v2) = (mise.to_owned(), p.clone(), v.clone());
    rows.push(Row {
        workload: "python 3.12",
        tool: "mise (http:)",
        prepare: Box::new(move |dir: &Path| mise_http(&m, &[("python", &v2, &pp.python)], dir)),
    });
    let (m, pp) = (mise.to_owned(), p.clone());
    rows.push(Row {
        workload: "node 20",
        tool: "mise (http:, .tar.xz)",
        prepare: Box::new(move |dir: &Path| mise_http(&m, &[("node", node_v, &pp.node_xz)], dir)),
    });
    let (m, pp) = (mise.to_owned(), p.clone());
    rows.push(Row {
        workload: "node 20",
        tool: "mise (node, .tar.gz)",
        prepare: Box::new(move |dir: &Path| {
            let project = dir.join("mise-node");
            std::fs::create_dir_all(&project).unwrap();
            std::fs::write(
                project.join("mise.toml"),
                format!("[tools]\nnode = \"{node_v}\"\n"),
            )
            .unwrap();
            let mut cmd = mise_command(&m, dir);
            cmd.arg("install")
                .current_dir(&project)
                .env("MISE_TRUSTED_CONFIG_PATHS", &project)
                .env("MISE_NODE_MIRROR_URL", pp.node_gz.url("/dist/"))
                .env("MISE_NODE_VERIFY", "true");
            cmd
        }),
    });
    let (m, pp, v2, g) = (mise.to_owned(), p.clone(), v.clone(), go_v.clone());
    rows.push(Row {
        workload: "4 runtimes at once",
        tool: "mise (http:)",
        prepare: Box::new(move |dir: &Path| {
            mise_http(
                &m,
                &[
                    ("node", node_v, &pp.node_xz),
                    ("python", &v2, &pp.python),
                    ("go", &g, &pp.go_archive),
                    ("java", "21.0.5", &pp.jdk),
                ],
                dir,
            )
        }),
    });
    rows
}

/// The floor's rows: the same archives through `curl | gzip | tar` (or `xz`), the
/// least any tool can do.
fn floor_rows(p: &std::sync::Arc<Publishers>) -> Vec<Row> {
    let mut rows = Vec::new();
    let pp = p.clone();
    rows.push(Row {
        workload: "python 3.12",
        tool: "floor (curl | gzip | tar)",
        prepare: Box::new(move |dir: &Path| floor(&[&pp.python], dir)),
    });
    let pp = p.clone();
    rows.push(Row {
        workload: "node 20",
        tool: "floor (curl | xz | tar)",
        prepare: Box::new(move |dir: &Path| floor(&[&pp.node_xz], dir)),
    });
    let pp = p.clone();
    rows.push(Row {
        workload: "node 20",
        tool: "floor (curl | gzip | tar)",
        prepare: Box::new(move |dir: &Path| floor(&[&pp.node_targz], dir)),
    });
    let pp = p.clone();
    rows.push(Row {
        workload: "4 runtimes at once",
        tool: "floor (4 pipelines, node .tar.gz)",
        prepare: Box::new(move |dir: &Path| {
            floor(&[&pp.node_targz, &pp.python, &pp.go_archive, &pp.jdk], dir)
        }),
    });
    let pp = p.clone();
    rows.push(Row {
        workload: "4 runtimes at once",
        tool: "floor (4 pipelines, node .tar.xz)",
        prepare: Box::new(move |dir: &Path| {
            floor(&[&pp.node_xz, &pp.python, &pp.go_archive, &pp.jdk], dir)
        }),
    });
    rows
}

/// Each row's (wall, CPU) times, `rounds` of them, the rows interleaved.
fn rounds_of(rows: &[Row], rounds: usize) -> Vec<Vec<(f64, f64)>> {
    // Interleaved rounds: every row once a round, each in a directory of its own.
    let mut times: Vec<Vec<(f64, f64)>> = vec![Vec::new(); rows.len()];
    for round in 0..rounds {
        for (n, row) in rows.iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let cmd = (row.prepare)(dir.path());
            let (took, cpu) = timed(cmd, &format!("{} / {}", row.workload, row.tool));
            times[n].push((took, cpu));
            eprintln!(
                "round {round}: {} / {}: {took:.3} s, cpu {cpu:.2} s",
                row.workload, row.tool
            );
        }
    }
    times
}

/// The table of medians, each tool's beside vx's for the same workload.
fn print_table(rows: &[Row], times: &[Vec<(f64, f64)>]) {
    println!(
        "| workload | tool | median wall (s) | vx / it, wall (median of rounds) | median CPU (s) | vx / it, CPU |"
    );
    println!("|---|---|---|---|---|---|");
    for (n, row) in rows.iter().enumerate() {
        let vx_at = rows
            .iter()
            .position(|r| r.workload == row.workload && r.tool == "vx")
            .unwrap();
        let ratio = |of: fn(&(f64, f64)) -> f64| {
            median(
                times[vx_at]
                    .iter()
                    .zip(&times[n])
                    .map(|(vx, it)| of(vx) / of(it))
                    .collect(),
            )
        };
        let shown = |r: f64| {
            if n == vx_at {
                "–".to_owned()
            } else {
                format!("{r:.2}")
            }
        };
        println!(
            "| {} | {} | {:.3} | {} | {:.2} | {} |",
            row.workload,
            row.tool,
            median(times[n].iter().map(|t| t.0).collect()),
            shown(ratio(|t| t.0)),
            median(times[n].iter().map(|t| t.1).collect()),
            shown(ratio(|t| t.1)),
        );
    }
}
