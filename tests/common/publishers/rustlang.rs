//! static.rust-lang.org's `dist/`: channel manifests (`channel-rust-1.83.0.toml`, and
//! `channel-rust-nightly.toml` with its dated copy `YYYY-MM-DD/channel-rust-nightly.toml`)
//! in their real TOML shape (`[pkg.rust.target.TRIPLE]` with `available`,
//! `url`/`hash`, `xz_url`/`xz_hash` and the `components`; `[profiles]`; `[renames]`),
//! and rust-lang/rust's releases on the loopback GitHub. The combined `rust` package
//! served is written here in rust-installer layout: a `components` file and one
//! directory per component, whose `rustc` refuses to run without its std beside it,
//! as the real one fails to compile anything without it.

use vx::demo::fixture::{Route, TestServer, noise_seeded, sha256_hex};
use vx::demo::github::{FixtureRelease, GithubFixture};

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
    pub id: &'static str,
    pub version: &'static str,
    pub date: &'static str,
    pub served: Vec<(&'static str, Vec<u8>)>,
}

/// The channel manifest of `toolchain`.
pub fn manifest(toolchain: &Toolchain) -> String {
    let dist = "https://static.rust-lang.org/dist";
    let name = if toolchain.id.starts_with("nightly") {
        "nightly".to_owned()
    } else {
        toolchain.version.to_owned()
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
            toolchain.version.to_owned()
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

/// `rust-{version}-x86_64-unknown-linux-gnu.tar.xz` in rust-installer layout.
pub fn archive(version: &str) -> Vec<u8> {
    let triple = "x86_64-unknown-linux-gnu";
    let work = tempfile::tempdir().unwrap();
    let top_name = format!("rust-{version}-{triple}");
    let top = work.path().join(&top_name);
    let file = |path: &str, text: &str, exec: bool| {
        let path = top.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        if exec {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    };
    file("components", &(components(triple).join("\n") + "\n"), false);
    file("rust-installer-version", "3\n", false);
    file("install.sh", "#!/bin/bash\necho use vx\n", true);
    let std_lib = format!("lib/rustlib/{triple}/lib/libstd-0a1b2c3d.rlib");
    file(
        "rustc/bin/rustc",
        &format!(
            "#!/bin/sh\nsysroot=$(cd \"$(dirname \"$0\")/..\" && pwd)\n\
             [ -f \"$sysroot/{std_lib}\" ] || {{ echo \"error[E0463]: can't find crate for std\" >&2; exit 1; }}\n\
             echo \"rustc {version} (90b35a623 2024-11-26)\"\n"
        ),
        true,
    );
    file(
        "rustc/bin/rustdoc",
        &format!("#!/bin/sh\necho rustdoc {version}\n"),
        true,
    );
    file(
        "rustc/manifest.in",
        "file:bin/rustc\nfile:bin/rustdoc\n",
        false,
    );
    file(
        "cargo/bin/cargo",
        &format!(
            "#!/bin/sh\ncase $1 in clippy) exec cargo-clippy;; fmt) exec cargo-fmt;; esac\n\
             rustc --version >/dev/null || exit 101\necho \"cargo {version} (66221abde 2024-11-19)\"\n"
        ),
        true,
    );
    file("cargo/manifest.in", "file:bin/cargo\n", false);
    file(&format!("rust-std-{triple}/{std_lib}"), "std", false);
    file(
        &format!("rust-std-{triple}/manifest.in"),
        &format!("file:{std_lib}\n"),
        false,
    );
    file(
        "rust-docs/share/doc/rust/html/index.html",
        "<html></html>",
        false,
    );
    file(
        "rustfmt-preview/bin/rustfmt",
        "#!/bin/sh\necho rustfmt 1.8.0-stable\n",
        true,
    );
    file(
        "rustfmt-preview/bin/cargo-fmt",
        "#!/bin/sh\necho cargo-fmt\n",
        true,
    );
    file(
        "clippy-preview/bin/cargo-clippy",
        "#!/bin/sh\necho clippy 0.1.83\n",
        true,
    );
    file(
        "clippy-preview/bin/clippy-driver",
        "#!/bin/sh\necho clippy-driver\n",
        true,
    );
    super::run("tar", &["cJf", "out.tar.xz", &top_name], work.path());
    std::fs::read(work.path().join("out.tar.xz")).unwrap()
}
