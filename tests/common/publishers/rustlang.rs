//! static.rust-lang.org's `dist/`: channel manifests (`channel-rust-1.83.0.toml`, and
//! `channel-rust-nightly.toml` with its dated copy `YYYY-MM-DD/channel-rust-nightly.toml`)
//! in their real TOML shape (`[pkg.rust.target.TRIPLE]` with `available`,
//! `url`/`hash`, `xz_url`/`xz_hash` and the `components`; `[profiles]`; `[renames]`),
//! and rust-lang/rust's releases on the loopback GitHub. The combined `rust` package
//! served is this machine's real toolchain repacked in rust-installer's format: a
//! `components` file, `rust-installer-version` and one directory per component with
//! its `manifest.in` (see [`archive`]).

use std::path::{Path, PathBuf};

use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// The triples a manifest lists, and whether the combined package is available there.
const TARGETS: [(&str, bool); 5] = [
    ("x86_64-unknown-linux-gnu", true),
    ("x86_64-unknown-linux-musl", true),
    ("aarch64-apple-darwin", true),
    ("x86_64-pc-windows-msvc", true),
    ("aarch64-unknown-linux-musl", false),
];

/// The components of the combined package, as directory names for `triple`.
fn components(triple: &str) -> Vec<String> {
    vec![
        "rustc".to_owned(),
        "cargo".to_owned(),
        format!("rust-std-{triple}"),
        "rust-docs".to_owned(),
        "rustfmt-preview".to_owned(),
        "clippy-preview".to_owned(),
    ]
}

/// One toolchain's manifest: `id` (`1.83.0`, `nightly`), the version its packages
/// say, its date, and archives served by triple.
pub struct Toolchain {
    pub id: String,
    pub version: String,
    pub date: &'static str,
    pub served: Vec<(&'static str, Vec<u8>)>,
}

/// The channel manifest of `toolchain`.
pub fn manifest(toolchain: &Toolchain) -> String {
    let dist = "https://static.rust-lang.org/dist";
    let name = if toolchain.id.starts_with("nightly") {
        "nightly".to_owned()
    } else {
        toolchain.version.clone()
    };
    let mut text = format!(
        "manifest-version = \"2\"\ndate = \"{}\"\n\n[pkg.rust]\nversion = \"{} (90b35a623 {})\"\n\n",
        toolchain.date, toolchain.version, toolchain.date
    );
    for (n, (triple, available)) in TARGETS.iter().enumerate() {
        text.push_str(&format!(
            "[pkg.rust.target.{triple}]\navailable = {available}\n"
        ));
        if !available {
            text.push('\n');
            continue;
        }
        let body = toolchain
            .served
            .iter()
            .find(|(t, _)| t == triple)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| noise_seeded(64, n as u64));
        let base = format!("{dist}/{}/rust-{name}-{triple}", toolchain.date);
        text.push_str(&format!(
            "url = \"{base}.tar.gz\"\nhash = \"{}\"\nxz_url = \"{base}.tar.xz\"\nxz_hash = \"{}\"\n\n",
            sha256_hex(format!("gz{n}").as_bytes()),
            sha256_hex(&body)
        ));
        for component in components(triple) {
            let (pkg, target) = match component.strip_prefix("rust-std-") {
                Some(t) => ("rust-std".to_owned(), t.to_owned()),
                None => (component.clone(), (*triple).to_owned()),
            };
            text.push_str(&format!(
                "[[pkg.rust.target.{triple}.components]]\npkg = \"{pkg}\"\ntarget = \"{target}\"\n\n"
            ));
        }
    }
    text.push_str(
        "[profiles]\nminimal = [\"rustc\", \"cargo\", \"rust-std\"]\n\
         default = [\"rustc\", \"cargo\", \"rust-std\", \"rust-docs\", \"rustfmt\", \"clippy\"]\n\n\
         [renames.clippy]\nto = \"clippy-preview\"\n\n[renames.rustfmt]\nto = \"rustfmt-preview\"\n",
    );
    text
}

/// static.rust-lang.org's `dist/` for `toolchains`, at `/dist/`: numbered ones at
/// `channel-rust-V.toml`, nightlies at `channel-rust-nightly.toml` (the first) and
/// each at `DATE/channel-rust-nightly.toml`; archives at `DATE/rust-…`.
pub fn serve(toolchains: &[Toolchain]) -> TestServer {
    let mut routes: Vec<(String, Route)> = Vec::new();
    let mut nightly_served = false;
    for toolchain in toolchains {
        let text = manifest(toolchain).into_bytes();
        let name = if toolchain.id.starts_with("nightly") {
            if !nightly_served {
                routes.push((
                    "/dist/channel-rust-nightly.toml".to_owned(),
                    Route::Ok(text.clone()),
                ));
                nightly_served = true;
            }
            routes.push((
                format!("/dist/{}/channel-rust-nightly.toml", toolchain.date),
                Route::Ok(text),
            ));
            "nightly".to_owned()
        } else {
            routes.push((
                format!("/dist/channel-rust-{}.toml", toolchain.version),
                Route::Ok(text),
            ));
            toolchain.version.clone()
        };
        for (triple, body) in &toolchain.served {
            routes.push((
                format!("/dist/{}/rust-{name}-{triple}.tar.xz", toolchain.date),
                Route::Ok(body.clone()),
            ));
        }
    }
    TestServer::start(routes)
}

/// The loopback GitHub with rust-lang/rust's releases `tags`, newest first.
pub fn github(tags: &[&str]) -> GithubFixture {
    let mut builder = GithubFixture::builder();
    for tag in tags {
        builder = builder.release("rust-lang", "rust", FixtureRelease::new(tag));
    }
    builder.start().unwrap()
}

/// The user config sending static.rust-lang.org to `dist` and GitHub to `github`.
pub fn config(dist: &TestServer, github: &GithubFixture) -> String {
    format!(
        "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}",
        github.web_url(),
        super::replacement("https://static.rust-lang.org/dist/", &dist.url("/dist/"))
    )
}

/// The Rust toolchain this machine builds with (`rustc --print sysroot`: rustup's
/// install of the combined package), whose components rustup recorded file by file
/// in `lib/rustlib/manifest-{COMPONENT}-{TRIPLE}`, as `manifest.in` lists them.
pub struct MachineRust {
    /// The sysroot.
    pub sysroot: PathBuf,
    /// `rustc -vV`'s `release` (`1.95.0`).
    pub version: String,
    /// What `rustc --version` says after `rustc ` (`1.95.0 (59807616e 2026-04-14)`).
    described: String,
    /// `rustc -vV`'s `commit-hash`.
    commit: String,
}

/// The triple the fixture archive is for (the machine's).
const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// This machine's toolchain (see [`MachineRust`]).
pub fn machine_rust() -> MachineRust {
    let rustc = |args: &[&str]| {
        let out = std::process::Command::new("rustc")
            .args(args)
            .output()
            .expect("rustc runs (the rust tests repack the machine's own toolchain)");
        assert!(out.status.success(), "rustc {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let verbose = rustc(&["-vV"]);
    let version = verbose
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .expect("rustc -vV says its release")
        .to_owned();
    let host = verbose.lines().find_map(|l| l.strip_prefix("host: "));
    assert_eq!(
        host,
        Some(TRIPLE),
        "the rust fixture repacks an {TRIPLE} toolchain"
    );
    let commit = verbose
        .lines()
        .find_map(|l| l.strip_prefix("commit-hash: "))
        .unwrap_or_default()
        .to_owned();
    let described = rustc(&["--version"]);
    MachineRust {
        sysroot: PathBuf::from(rustc(&["--print", "sysroot"]).trim()),
        version,
        described: described.trim().trim_start_matches("rustc ").to_owned(),
        commit,
    }
}

/// The components of the publisher's combined package that rustup installs by
/// default, as (the package's directory, the rustup component's name), in the order
/// rust-lang/rust's bootstrap combines them (`src/bootstrap/src/core/build_steps/
/// dist.rs`, `Extended::run`: rustc before rust-std, then rust-docs, cargo,
/// rustfmt, …, clippy).
fn machine_components() -> [(String, String); 6] {
    let pair = |dir: &str, pkg: &str| (dir.to_owned(), format!("{pkg}-{TRIPLE}"));
    [
        pair("rustc", "rustc"),
        pair(&format!("rust-std-{TRIPLE}"), "rust-std"),
        pair("rust-docs", "rust-docs"),
        pair("cargo", "cargo"),
        pair("rustfmt-preview", "rustfmt-preview"),
        pair("clippy-preview", "clippy-preview"),
    ]
}

/// `rust-{version}-x86_64-unknown-linux-gnu.tar.xz`, the combined package
/// static.rust-lang.org publishes, made of this machine's real toolchain
/// ([`machine_rust`]; `version` is the one it is served as, its commands say their
/// own). Made once per machine.
///
/// The format is rust-installer's (rust-lang/rust-installer at 31b4e313, the newest
/// stored snapshot):
/// - `src/generator.rs` l.65-91: a package is a directory `{package}/` holding
///   `components` (one component name a line), `rust-installer-version` (`3`:
///   `src/lib.rs` l.17) and one directory per component;
/// - l.123-178 (`copy_and_manifest`): each component's directory holds its files at
///   their install paths and `manifest.in`, sorted, `file:PATH` for each file and
///   `dir:PATH` for a bulk directory (rust-docs' `share/doc/rust/html`);
/// - `src/combiner.rs` l.59-131: the combined `rust` package is the components'
///   directories copied side by side, their names in `components` in input order,
///   with the overlay rust-lang/rust's bootstrap gives it (`src/bootstrap/src/utils/
///   tarball.rs`, `Tarball::run`): `version` (`1.95.0 (59807616e 2026-04-14)`) and
///   `git-commit-hash`, written here from `rustc -vV`.
///
/// Each component is rebuilt from rustup's record of what it installed
/// (`lib/rustlib/manifest-{component}-{triple}`, the `manifest.in` lines), links kept
/// as links. Left out: rust-docs' bulk directory beyond its top-level pages (the
/// whole book is 800 MB), `install.sh`, the overlay's license files and
/// `git-commit-info` (nothing vx reads), and the components rustup did not install
/// here.
pub fn archive(version: &str) -> Vec<u8> {
    let rust = machine_rust();
    let name = format!("rust-{version}-{TRIPLE}-from-{}-v2.tar.xz", rust.version);
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let top_name = format!("rust-{version}-{TRIPLE}");
        let top = work.path().join(&top_name);
        std::fs::create_dir_all(&top).unwrap();
        let mut components = String::new();
        for (dir, installed) in machine_components() {
            let record = rust
                .sysroot
                .join(format!("lib/rustlib/manifest-{installed}"));
            let lines = std::fs::read_to_string(&record)
                .unwrap_or_else(|e| panic!("{}: {e}", record.display()));
            let mut manifest: Vec<&str> = lines.lines().filter(|l| !l.is_empty()).collect();
            manifest.sort();
            let component = top.join(&dir);
            for line in &manifest {
                match line.split_once(':') {
                    Some(("file", path)) => {
                        copy_entry(&rust.sysroot.join(path), &component.join(path));
                    }
                    Some(("dir", path)) => {
                        for entry in std::fs::read_dir(rust.sysroot.join(path))
                            .unwrap()
                            .flatten()
                        {
                            if entry.file_type().unwrap().is_file() {
                                copy_entry(
                                    &entry.path(),
                                    &component.join(path).join(entry.file_name()),
                                );
                            }
                        }
                    }
                    _ => panic!("{}: {line}", record.display()),
                }
            }
            std::fs::write(component.join("manifest.in"), manifest.join("\n") + "\n").unwrap();
            components.push_str(&dir);
            components.push('\n');
        }
        std::fs::write(top.join("components"), components).unwrap();
        std::fs::write(top.join("rust-installer-version"), "3\n").unwrap();
        std::fs::write(top.join("version"), &rust.described).unwrap();
        if !rust.commit.is_empty() {
            std::fs::write(top.join("git-commit-hash"), &rust.commit).unwrap();
        }
        super::run(
            "tar",
            &["cJf", out.to_str().unwrap(), &top_name],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

/// One file or link copied as it is (a file keeps its mode).
fn copy_entry(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    match std::fs::read_link(from) {
        Ok(target) => std::os::unix::fs::symlink(target, to).unwrap(),
        Err(_) => {
            std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        }
    }
}
