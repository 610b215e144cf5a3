//! The registry figures of `docs/BENCHMARKS.md` (section 9), each beside `vx --version`
//! timed in the same run: building the index of a full registry, a warm name lookup
//! plus rendering for three platforms, `vx lock` of 30 registry tools × 3 platforms
//! against the loopback GitHub (`vx_fixture::github`, checksum files, its request log
//! showing that no archive is fetched), and `vx x TOOL -- --version` of an installed
//! tool. Run by `scripts/bench-registry.sh`, which builds the release `vx` first:
//!
//! ```sh
//! cargo run --release --example registry_figures -- VX REGISTRY_YAML [RUNS]
//! ```
//!
//! Prints one line per figure: the median and the minimum of RUNS runs (in-process
//! figures: 20× as many), and the load average before and after.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vx_base::format::ArchiveFormat;
use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Item, archive_bytes, sha256_hex};
use vx_model::manifest::Platform;
use vx_sources::github::hosts::GithubHosts;
use vx_sources::registry::index::{Index, Origin};
use vx_sources::registry::names;
use vx_sources::registry::package::Registry;
use vx_sources::registry::resolve::resolve;

/// The platforms locked and rendered.
const PLATFORMS: [&str; 3] = ["linux-x86_64", "macos-aarch64", "windows-x86_64"];
/// How many registry tools the locked project has.
const TOOLS: usize = 30;
/// Names looked up in the full registry (each must name one package).
const NAMES: [&str; 4] = ["ripgrep", "jq", "kubectl", "terraform"];

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [vx, registry, rest @ ..] = args.as_slice() else {
        return Err("usage: registry_figures VX REGISTRY_YAML [RUNS]".into());
    };
    let runs: usize = rest.first().map_or(Ok(21), |r| r.parse())?;
    // Absolute: the commands run in other directories.
    let vx = std::fs::canonicalize(vx)?;
    println!("load average before: {}", load());
    index_figures(&vx, Path::new(registry), runs)?;
    lock_and_x_figures(&vx, runs)?;
    println!("load average after: {}", load());
    Ok(())
}

/// The full registry parsed and indexed, then names looked up in its index, each batch
/// of in-process runs followed by a `vx --version`.
fn index_figures(vx: &Path, file: &Path, runs: usize) -> Result<(), Failure> {
    let bytes = std::fs::read(file)?;
    let dir = tempfile::tempdir()?;
    let idx = dir.path().join("registry.idx");
    let (mut parse, mut build, mut write, mut version) = (vec![], vec![], vec![], vec![]);
    let mut packages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let registry = Registry::from_slice(&bytes, file)?;
        parse.push(t.elapsed());
        let t = Instant::now();
        let built = Index::build(&registry, &Origin::default())?;
        build.push(t.elapsed());
        let t = Instant::now();
        std::fs::write(&idx, &built)?;
        write.push(t.elapsed());
        packages = registry.packages.len();
        version.push(time_vx(vx, &["--version"], Path::new("."), &[])?);
    }
    let total: Vec<Duration> = (0..runs).map(|i| parse[i] + build[i] + write[i]).collect();
    println!(
        "registry: {} bytes, {packages} packages, index {} bytes",
        bytes.len(),
        std::fs::metadata(&idx)?.len()
    );
    report("index: parse YAML", &parse);
    report("index: build", &build);
    report("index: write", &write);
    report("index: parse + build + write (target <= 300 ms)", &total);
    report("vx --version (beside the index runs)", &version);

    let hosts = GithubHosts::default();
    let platforms: Vec<Platform> = PLATFORMS
        .iter()
        .map(|p| p.parse())
        .collect::<Result<_, _>>()?;
    let (mut cold_open, mut open) = (vec![], vec![]);
    let opened = Index::open(&idx)?;
    version.clear();
    for _ in 0..runs {
        for _ in 0..20 {
            for name in NAMES {
                let t = Instant::now();
                let index = Index::open(&idx)?;
                render(&index, name, &platforms, &hosts)?;
                cold_open.push(t.elapsed());
                let t = Instant::now();
                render(&opened, name, &platforms, &hosts)?;
                open.push(t.elapsed());
            }
        }
        version.push(time_vx(vx, &["--version"], Path::new("."), &[])?);
    }
    report(
        "lookup + render x3, index opened each time (target <= 2 ms)",
        &cold_open,
    );
    report("lookup + render x3, index already open", &open);
    report("vx --version (beside the lookups)", &version);
    Ok(())
}

/// Looks `name` up, reads its definition and renders it for every platform.
fn render(
    index: &Index,
    name: &str,
    platforms: &[Platform],
    hosts: &GithubHosts,
) -> Result<(), Failure> {
    let found = names::lookup(index, name)?;
    let package = index.package(found.entry)?;
    for platform in platforms {
        std::hint::black_box(resolve(&package, "v1.2.3", platform, hosts)?);
    }
    Ok(())
}

/// The generated project: `vx lock` cold (empty cache) and warm (cache kept), then `vx
/// x` of an installed tool, each run beside a `vx --version`.
fn lock_and_x_figures(vx: &Path, runs: usize) -> Result<(), Failure> {
    let (github, registry) = fixture()?;
    let work = tempfile::tempdir()?;
    let project = work.path().join("project");
    let nowhere = work.path().join("nowhere");
    let config = work.path().join("config/vx");
    for dir in [&project, &nowhere, &config] {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(project.join("registry.yaml"), &registry)?;
    let platforms: Vec<String> = PLATFORMS.iter().map(|p| format!("\"{p}\"")).collect();
    let mut manifest = format!(
        "[settings]\nplatforms = [{}]\nregistries = [{{ name = \"bench\", path = \"registry.yaml\" }}]\n\n[tools]\n",
        platforms.join(", ")
    );
    for i in 0..TOOLS {
        manifest.push_str(&format!("tool{i:02} = \"1\"\n"));
    }
    std::fs::write(project.join("vx.toml"), manifest)?;
    // `vx x` outside a project reads the standard registry: the same file, pinned.
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[registry]\nstandard_ref = \"v9.9.9\"\nstandard_sha256 = \"{}\"\n",
            sha256_hex(registry.as_bytes())
        ),
    )?;
    let cache = work.path().join("cache");
    let env = [
        ("VX_GITHUB_URL", github.web_url()),
        ("VX_CACHE_DIR", cache.display().to_string()),
        (
            "XDG_CONFIG_HOME",
            work.path().join("config").display().to_string(),
        ),
        (
            "XDG_DATA_HOME",
            work.path().join("data").display().to_string(),
        ),
        (
            "VX_BOARD_DIR",
            work.path().join("boards").display().to_string(),
        ),
    ];
    let (mut cold, mut warm, mut version) = (vec![], vec![], vec![]);
    let (mut requests, mut archives) = ([0, 0], 0);
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&cache);
        let _ = std::fs::remove_file(project.join("vx.lock"));
        github.clear_requests();
        cold.push(time_vx(vx, &["lock", "--headless"], &project, &env)?);
        requests[0] += github.requests().len();
        archives += archive_downloads(&github);
        std::fs::remove_file(project.join("vx.lock"))?;
        github.clear_requests();
        warm.push(time_vx(vx, &["lock", "--headless"], &project, &env)?);
        requests[1] += github.requests().len();
        archives += archive_downloads(&github);
        version.push(time_vx(vx, &["--version"], &project, &env)?);
    }
    let lock: toml::Table = std::fs::read_to_string(project.join("vx.lock"))?.parse()?;
    let locked: usize = lock["tools"]
        .as_table()
        .ok_or("vx.lock has no tools")?
        .values()
        .filter_map(|tool| tool.get("platforms")?.as_table().map(|p| p.len()))
        .sum();
    println!(
        "vx lock: {TOOLS} tools x {} platforms, {locked} tool-platform entries in vx.lock; \
         {} requests per lock with an empty cache, {} with a warm one; {archives} archive \
         downloads over {} locks",
        PLATFORMS.len(),
        requests[0] / runs,
        requests[1] / runs,
        2 * runs,
    );
    report("vx lock, empty cache (target <= 1 s)", &cold);
    report("vx lock, warm cache (target <= 1 s)", &warm);
    report("vx --version (beside the locks)", &version);

    // Installs tool00 once, then times the remembered path.
    time_vx(vx, &["x", "tool00", "--", "--version"], &nowhere, &env)?;
    github.clear_requests();
    let (mut x, mut direct) = (vec![], vec![]);
    version.clear();
    let installed = work.path().join("data/vx/store/tool00");
    let exe = find_file(&installed, "tool00").ok_or("tool00 is not in the store")?;
    for _ in 0..runs {
        x.push(time_vx(
            vx,
            &["x", "tool00", "--", "--version"],
            &nowhere,
            &env,
        )?);
        version.push(time_vx(vx, &["--version"], &nowhere, &env)?);
        direct.push(time_vx(&exe, &["--version"], &nowhere, &env)?);
    }
    println!(
        "vx x: {} requests to GitHub over {runs} runs of an installed tool",
        github.requests().len()
    );
    report("vx x tool00 -- --version, installed", &x);
    report("vx --version (beside vx x)", &version);
    report("tool00 --version run directly", &direct);
    println!(
        "vx x / vx --version (medians): {:.2} (target <= 2)",
        median(&x).as_secs_f64() / median(&version).as_secs_f64()
    );
    Ok(())
}

/// Requests for archives (anything downloaded but a `checksums.txt`) since the log was
/// last cleared.
fn archive_downloads(github: &GithubFixture) -> usize {
    github
        .requests()
        .iter()
        .filter(|r| r.is_download() && !r.path.ends_with("/checksums.txt"))
        .count()
}

/// A loopback GitHub with `TOOLS` packages of one release each (an archive per platform
/// holding this machine's `true` as the command, no API digests, a `checksums.txt`),
/// and the registry describing them in aqua's format.
fn fixture() -> Result<(GithubFixture, String), Failure> {
    let exe = std::fs::read("/bin/true")?;
    let mut builder = GithubFixture::builder();
    let mut registry = String::from("packages:\n");
    for i in 0..TOOLS {
        let tool = format!("tool{i:02}");
        let name: &'static str = Box::leak(tool.clone().into_boxed_str());
        let archive = archive_bytes(
            ArchiveFormat::TarGz,
            &[Item::File(name, exe.clone(), 0o755)],
        );
        let mut release = FixtureRelease::new("v1.0.0").published("2024-01-01T00:00:00Z");
        let mut sums = String::new();
        for (os, arch) in [
            ("linux", "amd64"),
            ("darwin", "arm64"),
            ("windows", "amd64"),
        ] {
            let asset = format!("{tool}_1.0.0_{os}_{arch}.tar.gz");
            sums.push_str(&format!("{}  {asset}\n", sha256_hex(&archive)));
            release = release.asset_without_digest(&asset, archive.clone());
        }
        release = release.asset_without_digest("checksums.txt", sums.into_bytes());
        builder = builder.release("bench", &tool, release);
        registry.push_str(&format!(
            "  - type: github_release\n    repo_owner: bench\n    repo_name: {tool}\n    \
             description: Benchmark tool {i}\n    \
             asset: \"{tool}_{{{{trimV .Version}}}}_{{{{.OS}}}}_{{{{.Arch}}}}.tar.gz\"\n    \
             format: tar.gz\n    files:\n      - name: {tool}\n    \
             checksum:\n      type: github_release\n      asset: checksums.txt\n      \
             algorithm: sha256\n"
        ));
    }
    let raw = registry.clone().into_bytes();
    let github = builder
        .raw("aquaproj", "aqua-registry", "v9.9.9", "registry.yaml", raw)
        .start()?;
    Ok((github, registry))
}

/// Wall time of one `program ARGS` in `dir` with `env`, which must succeed.
fn time_vx(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(&str, String)],
) -> Result<Duration, Failure> {
    let t = Instant::now();
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("VX_OFFLINE")
        .env_remove("VX_MANIFEST")
        .stdin(Stdio::null())
        .output()?;
    let elapsed = t.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{} {args:?} failed: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(elapsed)
}

/// The first file named `name` under `dir`.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        } else if entry.file_name() == name {
            return Some(path);
        }
    }
    None
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// One figure: median and minimum in milliseconds.
fn report(what: &str, samples: &[Duration]) {
    let min = samples.iter().min().copied().unwrap_or_default();
    println!(
        "{what}: median {:.3} ms, min {:.3} ms ({} runs)",
        median(samples).as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3,
        samples.len()
    );
}

/// The 1-, 5- and 15-minute load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}
