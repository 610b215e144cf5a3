//! Issue 37's done criterion as one project: a `.tool-versions` naming the eight
//! runtimes as asdf writes them (`nodejs 20.11.1`, `python 3.12.1`, `golang 1.23.8`,
//! `java temurin-21.0.5+11.0.LTS`, `ruby 3.3.6`, `rust 1.83.0`, `erlang 27.1.2`,
//! `elixir 1.17.3-otp-27`) is imported by the real `vx`, locked for linux-x86_64,
//! macos-aarch64 and windows-x86_64 from the publishers' indexes and checksum files
//! alone (no archive fetched), installed on this machine, and each runtime's commands
//! run through `vx exec`.
//!
//! Every publisher is its loopback stand-in in its real format (tests/common/
//! publishers/), all behind one user config: nodejs.org, go.dev and dl.google.com,
//! the Adoptium API and github.com's `adoptium/`, static.rust-lang.org, builds.hex.pm
//! through `url_replacements`; python-build-standalone, jdx/ruby and rust-lang/rust on
//! one loopback GitHub through `[github] url`. Node is the real Node.js 20.11.1 from
//! npm's packages. Python is the image's real CPython in python-build-standalone's
//! layout. Go, Java, Ruby, Rust, Erlang/OTP and Elixir are real too, but the machine
//! carries other versions of them (Debian's Go 1.19.8, JDK 17, Ruby 3.1, OTP 25 and
//! Elixir 1.14, the toolchain this crate is built with), laid out as the publishers'
//! archives of the versions named and served under those names: their commands run
//! and say their own version.
#![cfg(unix)]

use crate::common;

use common::publishers::{self, go, hexpm, java, node, python, ruby, rustlang};
use common::*;
use vx_fixture::TestServer;
use vx_fixture::github::{FixtureRelease, GithubFixture};

/// The file as an asdf user keeps it (asdf's names, mise's Temurin semver), less its
/// `python` line ([`tool_versions`]).
const TOOL_VERSIONS: &str = "\
nodejs 20.11.1
golang 1.23.8
java temurin-21.0.5+11.0.LTS
ruby 3.3.6
rust 1.83.0
erlang 27.1.2
elixir 1.17.3-otp-27
";

/// The platforms the project locks.
const PLATFORMS: [&str; 3] = ["linux-x86_64", "macos-aarch64", "windows-x86_64"];

/// The file as an asdf user keeps it: [`TOOL_VERSIONS`] with the version of the real
/// CPython the python-build-standalone fixture serves (`python 3.12.1`).
fn tool_versions() -> String {
    format!("{TOOL_VERSIONS}python {}\n", python_version())
}

/// The version of the real CPython served as python-build-standalone's build.
fn python_version() -> String {
    python::real_cpython().1
}

/// The python-build-standalone release carrying the real CPython's version.
const PBS_TAG: &str = "20241206";

/// The loopback publishers, each serving this machine's archive of the version named.
struct Publishers {
    node: TestServer,
    go: TestServer,
    java: TestServer,
    rust: TestServer,
    hex: TestServer,
    github: GithubFixture,
    /// The paths of the archives served (on any server): none may be fetched to lock.
    archives: Vec<String>,
}

impl Publishers {
    fn start() -> Publishers {
        let mut archives = Vec::new();

        let node = node::serve(&[
            node::Release::listed("22.12.0", Some("Jod")),
            node::Release::real(&node::REAL_20, Some("Iron")),
        ]);
        // Both packings nodejs.org lists (none fetched to lock; the install takes the
        // `.tar.gz`, which a loopback link unpacks soonest: crates/vx-engine/src/install/packing.rs).
        archives.push("/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz".to_owned());
        archives.push("/dist/v20.11.1/node-v20.11.1-linux-x64.tar.gz".to_owned());

        let go_asset = "go1.23.8.linux-amd64.tar.gz".to_owned();
        let mut go_release = go::Release::listed("go1.23.8");
        go_release.served = vec![(
            go_asset.clone(),
            std::fs::read(go::real_archive().1).unwrap(),
        )];
        let go = go::serve(&[go::Release::listed("go1.24.2"), go_release]);
        archives.push(format!("/go/{go_asset}"));

        let mut java_release = java::Release::listed("21.0.5+11");
        let java_asset = java::package_name(&java_release, "linux", "x64", "jdk", "tar.gz");
        java_release.served = vec![(
            java_asset.clone(),
            std::fs::read(java::real_archive()).unwrap(),
        )];
        let java = java::serve(&[java::Release::listed("23.0.1+11"), java_release]);
        archives.push(java_asset);

        let rust = rustlang::serve(&[rustlang::Toolchain {
            id: "1.83.0".to_owned(),
            version: "1.83.0".to_owned(),
            date: "2024-11-28",
            served: vec![("x86_64-unknown-linux-gnu", rustlang::archive("1.83.0"))],
        }]);
        archives.push("rust-1.83.0-x86_64-unknown-linux-gnu.tar.xz".to_owned());

        let mut otp = hexpm::Otp::listed("27.1.2", &["ubuntu-20.04", "ubuntu-22.04"]);
        otp.served = Some(hexpm::otp_archive("27.1.2"));
        let elixir = hexpm::Elixir {
            name: "v1.17.3-otp-27".to_owned(),
            served: Some(hexpm::elixir_zip("1.17.3")),
        };
        let hex = hexpm::serve(&[otp], &[elixir]);
        archives.push("OTP-27.1.2.tar.gz".to_owned());
        archives.push("v1.17.3-otp-27.zip".to_owned());

        let (python_asset, pbs) = python::real_linux_release(PBS_TAG, &["3.13.1"]);
        let ruby_asset = "ruby-3.3.6.x86_64_linux.tar.gz".to_owned();
        let github = GithubFixture::builder()
            .release(python::OWNER, python::REPO, pbs)
            .release(
                ruby::OWNER,
                ruby::REPO,
                ruby::release("3.3.6", "3.3.6", true, &[]),
            )
            .release(
                ruby::OWNER,
                ruby::REPO,
                ruby::release(
                    "3.3.6-1",
                    "3.3.6",
                    true,
                    &[(ruby_asset.clone(), ruby::archive("3.3.6", true))],
                ),
            )
            .release("rust-lang", "rust", FixtureRelease::new("1.83.0"))
            .release("rust-lang", "rust", FixtureRelease::new("1.82.0"))
            .start()
            .unwrap();
        // As requested: the `+` of its name percent-encoded.
        archives.push(python_asset.replace('+', "%2B"));
        archives.push(ruby_asset);

        Publishers {
            node,
            go,
            java,
            rust,
            hex,
            github,
            archives,
        }
    }

    /// One user config sending every publisher to its stand-in, as a company's
    /// mirrors would be named.
    fn config(&self) -> String {
        let replacements = |config: String| publishers::replacement_lines(&config);
        format!(
            "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}{}{}{}{}",
            self.github.web_url(),
            replacements(node::config(&self.node)),
            replacements(go::config(&self.go)),
            replacements(java::config(&self.java)),
            publishers::replacement(
                "https://static.rust-lang.org/dist/",
                &self.rust.url("/dist/")
            ),
            replacements(hexpm::config(&self.hex)),
        )
    }

    /// Every path asked of each stand-in so far, GitHub's last.
    fn paths_by_server(&self) -> [Vec<String>; 6] {
        [
            self.node.paths(),
            self.go.paths(),
            self.java.paths(),
            self.rust.paths(),
            self.hex.paths(),
            self.github.requests().into_iter().map(|r| r.path).collect(),
        ]
    }

    /// Every path asked of the stand-ins so far.
    fn paths(&self) -> Vec<String> {
        self.paths_by_server().concat()
    }

    /// The paths asked since `before` (an earlier [`Publishers::paths_by_server`]).
    fn asked_since(&self, before: &[Vec<String>; 6]) -> Vec<String> {
        self.paths_by_server()
            .iter()
            .zip(before)
            .flat_map(|(now, then)| now[then.len()..].to_vec())
            .collect()
    }

    /// The archives fetched so far.
    fn archives_fetched(&self) -> Vec<String> {
        self.paths()
            .into_iter()
            .filter(|p| self.archives.iter().any(|a| p.ends_with(a.as_str())))
            .collect()
    }
}

/// `vx exec -- ARGS` in `project`, which must succeed: stdout and stderr together.
fn exec(project: &Project, args: &[&str]) -> String {
    let out = project
        .vx()
        .arg("exec")
        .arg("--")
        .args(args)
        .output()
        .unwrap();
    let text = both(&out);
    assert!(out.status.success(), "vx exec -- {args:?}: {text}");
    text
}

#[test]
fn an_asdf_project_of_eight_runtimes_imports_locks_three_platforms_installs_and_runs() {
    let publishers = Publishers::start();
    let settings = format!(
        "[settings]\nplatforms = [{}]\n",
        PLATFORMS.map(|p| format!("\"{p}\"")).join(", ")
    );
    let project = Project::new(&publishers.config(), &settings);
    std::fs::write(
        project.work.dir.path().join(".tool-versions"),
        tool_versions(),
    )
    .unwrap();

    let pbs_version = python_version();
    imports_each_under_vx_s_name(&project, &pbs_version);
    locks_three_platforms(&project, &publishers, &pbs_version);
    installs_each_archive_once(&project, &publishers);
    runs_node_python_and_go(&project);
    runs_java_and_ruby(&project);
    runs_rust(&project);
    runs_erlang_and_elixir(&project);
    locks_the_same_again(&project, &publishers);
}

/// `vx import` of the `.tool-versions`: each runtime imported as written, under vx's
/// name, and locked.
fn imports_each_under_vx_s_name(project: &Project, pbs_version: &str) {
    // Imported as written, each under vx's name, and locked.
    let out = project
        .vx()
        .args(["import", "--headless"])
        .output()
        .unwrap();
    let said = both(&out);
    assert!(out.status.success(), "{said}");
    for (name, version) in [
        ("node", "20.11.1"),
        ("python", pbs_version),
        ("go", "1.23.8"),
        ("java", "temurin-21.0.5+11.0.LTS"),
        ("ruby", "3.3.6"),
        ("rust", "1.83.0"),
        ("erlang", "27.1.2"),
        ("elixir", "1.17.3-otp-27"),
    ] {
        assert!(
            said.contains(&format!("imported {name} {version} from .tool-versions")),
            "{name}: {said}"
        );
    }
    let manifest: toml::Table = project.manifest_text().parse().unwrap();
    let tools = manifest["tools"].as_table().unwrap();
    assert_eq!(
        tools.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "elixir", "erlang", "go", "java", "node", "python", "ruby", "rust"
        ],
        "{manifest}"
    );
}

/// The lock holds each runtime for three platforms, from the indexes and checksum
/// files alone (no archive fetched); a platform without a build says why.
fn locks_three_platforms(project: &Project, publishers: &Publishers, pbs_version: &str) {
    // Locked for three platforms from the indexes and checksum files alone.
    assert_eq!(publishers.archives_fetched(), Vec::<String>::new());
    let lock = project.lock();
    let builds = [
        ("node", "20.11.1", [true, true, true]),
        ("python", pbs_version, [true, true, true]),
        ("go", "1.23.8", [true, true, true]),
        ("java", "21.0.5+11", [true, true, true]),
        ("ruby", "3.3.6", [true, true, false]),
        ("rust", "1.83.0", [true, true, true]),
        // builds.hex.pm builds OTP for Linux only; its Elixir zip runs anywhere.
        ("erlang", "27.1.2", [true, false, false]),
        ("elixir", "1.17.3-otp-27", [true, true, true]),
    ];
    for (tool, version, built) in builds {
        let entry = &lock["tools"][tool];
        assert_eq!(entry["version"].as_str(), Some(version), "{tool}: {entry}");
        assert_eq!(
            entry["package"].as_str().map(str::to_owned),
            Some(format!("runtime:{tool}")),
            "{tool}"
        );
        for (platform, built) in PLATFORMS.iter().zip(built) {
            let locked = entry["platforms"].get(*platform);
            let unsupported = entry.get("unsupported").and_then(|u| u.get(*platform));
            if built {
                let locked = locked.unwrap_or_else(|| panic!("{tool} {platform}: {entry}"));
                let sha = locked["sha256"].as_str().unwrap_or("");
                assert_eq!(sha.len(), 64, "{tool} {platform}: {locked}");
                // The publisher's URL, not the mirror's (GitHub's is the one
                // configured, as a GitHub Enterprise's would be).
                let url = locked["url"].as_str().unwrap_or("");
                assert!(
                    url.starts_with("https://") || url.starts_with(&publishers.github.web_url()),
                    "{tool} {platform}: {locked}"
                );
            } else {
                // No build there: said in the lock, with the reason.
                assert!(locked.is_none(), "{tool} {platform}: {entry}");
                let reason = unsupported.and_then(|r| r.as_str()).unwrap_or("");
                assert!(
                    reason.starts_with(&format!("{tool}: ")),
                    "{tool} {platform}: {entry}"
                );
            }
        }
    }
}

/// `vx sync` installs on this machine, fetching each archive once.
fn installs_each_archive_once(project: &Project, publishers: &Publishers) {
    // Installed on this machine (the archives fetched now, once each).
    project.vx().args(["sync", "--headless"]).assert().success();
    let fetched = publishers.archives_fetched();
    assert_eq!(fetched.len(), 8, "{fetched:?} of {:?}", publishers.archives);
    assert!(
        fetched
            .iter()
            .any(|p| p.ends_with("node-v20.11.1-linux-x64.tar.gz")),
        "{fetched:?}"
    );
}

/// node's, python's and go's commands, through `vx exec`.
fn runs_node_python_and_go(project: &Project) {
    // Each runtime's commands, through vx exec.
    assert_eq!(exec(project, &["node", "--version"]).trim(), "v20.11.1");
    assert_eq!(exec(project, &["npm", "--version"]).trim(), node::REAL_NPM);
    assert_eq!(exec(project, &["npx", "--version"]).trim(), node::REAL_NPM);
    assert_eq!(exec(project, &["corepack", "--version"]).trim(), "0.24.0");

    for python in ["python", "python3"] {
        assert_eq!(
            exec(project, &[python, "--version"]).trim(),
            format!("Python {}", python_version())
        );
    }
    assert!(exec(project, &["pip", "--version"]).starts_with("pip "));

    let (_, debian_go) = go::debian_go();
    let go_version = exec(project, &["go", "version"]);
    assert!(
        go_version.starts_with(&format!("go version go{debian_go} ")),
        "{go_version}"
    );
    let gofmt = exec(project, &["sh", "-c", "command -v gofmt"]);
    assert!(
        crate::common::unkeyed(gofmt.trim()).ends_with("/go/1.23.8/bin/gofmt"),
        "{gofmt}"
    );
}

/// java's (with `JAVA_HOME`, and javac compiling) and ruby's commands.
fn runs_java_and_ruby(project: &Project) {
    let debian_jdk = java::debian_jdk();
    let java_version = exec(project, &["java", "-version"]);
    assert!(
        java_version.contains(&format!(
            "openjdk version \"{}\"",
            debian_jdk.version.split('+').next().unwrap()
        )),
        "{java_version}"
    );
    let java_home = exec(project, &["sh", "-c", "echo $JAVA_HOME"]);
    assert!(
        crate::common::unkeyed(java_home.trim()).ends_with("/java/21.0.5+11"),
        "{java_home}"
    );
    std::fs::write(
        project.work.dir.path().join("Hello.java"),
        "class Hello { public static void main(String[] a) { System.out.println(\"hi\"); } }\n",
    )
    .unwrap();
    exec(project, &["javac", "Hello.java"]);
    assert_eq!(exec(project, &["java", "Hello"]).trim(), "hi");

    let debian_ruby = ruby::debian_ruby();
    assert_eq!(exec(project, &["ruby", "-e", "puts 1"]).trim(), "1");
    let ruby_version = exec(project, &["ruby", "--version"]);
    assert!(
        ruby_version.starts_with(&format!("ruby {}", debian_ruby.version)),
        "{ruby_version}"
    );
    assert_eq!(
        exec(project, &["gem", "--version"]).trim(),
        debian_ruby.gem_version
    );
    assert!(exec(project, &["bundle", "--version"]).starts_with("Bundler version "));
}

/// rust's commands: rustc compiling, cargo, and the components' commands.
fn runs_rust(project: &Project) {
    let machine_rust = rustlang::machine_rust();
    let rustc = exec(project, &["rustc", "--version"]);
    assert!(
        rustc.starts_with(&format!("rustc {} ", machine_rust.version)),
        "{rustc}"
    );
    let cargo = exec(project, &["cargo", "--version"]);
    assert!(
        cargo.starts_with(&format!("cargo {} ", machine_rust.version)),
        "{cargo}"
    );
    std::fs::write(
        project.work.dir.path().join("hello.rs"),
        "fn main() { println!(\"hi\"); }\n",
    )
    .unwrap();
    exec(project, &["rustc", "hello.rs", "-o", "hello-rs"]);
    let hello = std::process::Command::new(project.work.dir.path().join("hello-rs"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&hello.stdout), "hi\n");
    for command in ["rustfmt", "cargo-clippy"] {
        let path = exec(project, &["sh", "-c", &format!("command -v {command}")]);
        assert!(
            crate::common::unkeyed(path.trim()).ends_with(&format!("/rust/1.83.0/bin/{command}")),
            "{path}"
        );
    }
}

/// erlang's and elixir's commands.
fn runs_erlang_and_elixir(project: &Project) {
    let otp = hexpm::debian_otp();
    assert_eq!(exec(project, &["erl", "-noshell", "-eval", "halt()."]), "");
    let root = exec(
        project,
        &[
            "erl",
            "-noshell",
            "-eval",
            "io:format(\"~s ~s~n\", [erlang:system_info(otp_release), code:root_dir()]), halt().",
        ],
    );
    assert!(
        root.starts_with(&format!("{} ", otp.major))
            && crate::common::unkeyed(root.trim()).ends_with("/erlang/27.1.2"),
        "{root}"
    );
    let (_, elixir_version) = hexpm::debian_elixir();
    assert_eq!(exec(project, &["elixir", "-e", "IO.puts 1"]), "1\n");
    let elixir = exec(project, &["elixir", "--version"]);
    assert!(
        elixir.contains(&format!("Elixir {elixir_version} ")),
        "{elixir}"
    );
    assert!(exec(project, &["mix", "--version"]).contains(&format!("Mix {elixir_version} ")));
}

/// Locked again from a cold cache, the lock is the same: each publisher's file asked
/// for once whatever the number of platforms, and no archive fetched.
fn locks_the_same_again(project: &Project, publishers: &Publishers) {
    // The lock stands as imported: locked again from a cold cache, it is the same,
    // each publisher's file asked for once whatever the number of platforms, and no
    // archive fetched.
    let before = project.lock_text();
    let fetched = publishers.archives_fetched().len();
    let asked_before = publishers.paths_by_server();
    std::fs::remove_dir_all(project.work.dir.path().join("home/.cache")).unwrap();
    std::fs::remove_file(project.work.dir.path().join("vx.lock")).unwrap();
    project.vx().arg("lock").assert().success();
    assert_eq!(project.lock_text(), before);
    assert_eq!(publishers.archives_fetched().len(), fetched);
    let mut asked = publishers.asked_since(&asked_before);
    asked.sort();
    let twice: Vec<&String> = asked
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(twice.is_empty(), "asked for twice in one lock: {twice:?}");
}

/// The figure of docs/BENCHMARKS.md §14, not a timed test: `vx lock` of node, python,
/// go, java, ruby and rust for the three platforms from a cold cache (removed before
/// each run), against the stand-ins above. Prints each run's wall time, the median,
/// the requests per publisher and the archives fetched (none). Run it with
/// `cargo test --release --test it runtime_e2e::lock_figure -- --ignored --nocapture`
/// (a release build of vx) on an idle machine for figures to quote.
#[test]
#[ignore = "a benchmark: prints figures, asserts only that nothing was downloaded"]
fn lock_figure_of_six_runtimes_for_three_platforms_from_a_cold_cache() {
    let publishers = Publishers::start();
    let manifest = format!(
        "[settings]\nplatforms = [{}]\n[tools]\nnode = \"20\"\npython = \"3.12\"\ngo = \"1.23\"\n\
         java = \"21\"\nruby = \"3.3\"\nrust = \"1.83\"\n",
        PLATFORMS.map(|p| format!("\"{p}\"")).join(", ")
    );
    let project = Project::new(&publishers.config(), &manifest);
    let cache = project.work.dir.path().join("home/.cache");
    let lock = project.work.dir.path().join("vx.lock");
    let mut walls = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..7 {
        let _ = std::fs::remove_dir_all(&cache);
        let _ = std::fs::remove_file(&lock);
        let before = publishers.paths_by_server();
        let started = std::time::Instant::now();
        project.vx().arg("lock").assert().success();
        walls.push(started.elapsed());
        requests = publishers.asked_since(&before);
    }
    assert_eq!(publishers.archives_fetched(), Vec::<String>::new());
    walls.sort();
    println!("vx lock, six runtimes × {PLATFORMS:?}, cold cache:");
    println!("  runs: {walls:?}");
    println!("  median: {:?}", walls[walls.len() / 2]);
    println!("  requests per run: {}", requests.len());
    for path in &requests {
        println!("    {path}");
    }
}
