//! A company's runtime published beside its registry (issue 37, item 7: "in its own
//! registry"): a `[settings] registries` entry's `runtimes` names declarations relative
//! to the registry's own location. Served by a loopback server that the user config's
//! `url_replacements` puts in place of the company's host, the declaration is read by
//! the same strict check as `.vx/runtimes/NAME.toml`, locked for three platforms from
//! the version list and sums alone, pinned in the lock by its sha256, installed and
//! run; a changed declaration is refused under the lock until `vx lock` takes it, and
//! bad input is a clear error naming the registry entry and the file, writing nothing.
#![cfg(unix)]

use crate::common;

use super::runtime_declared::{self as declared, DECLARATION};
use common::*;
use vx_fixture::{Route, TestServer, sha256_hex};

const THREE: &str = "platforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n";

/// The company's registry entry, as vx.toml writes it.
const CORP: &str = "registries = [{ name = \"corp\", url = \"https://corp.example/vx/registry.yaml\", runtimes = [\"runtimes/acme-tool.toml\"] }]\n";

/// An aqua registry with no package: the company ships runtimes only.
const REGISTRY: &str = "packages: []\n";

/// The company's host: its registry and `declaration` under `/vx/`, its downloads
/// under `/tool/` (those of the `.vx/runtimes` tests: versions 1.3.0 and 1.4.2; Linux
/// archives served, the others only summed).
fn serve(declaration: &str) -> TestServer {
    let mut routes = vec![
        (
            "/vx/registry.yaml".to_owned(),
            Route::Ok(REGISTRY.as_bytes().to_vec()),
        ),
        (
            "/vx/runtimes/acme-tool.toml".to_owned(),
            Route::Ok(declaration.as_bytes().to_vec()),
        ),
    ];
    routes.extend(declared::routes());
    TestServer::start(routes)
}

/// The user config that sends the company's hosts to `server`.
fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n\"https://corp.example/\" = \"{0}\"\n\"https://dl.acme.corp/\" = \"{0}\"\n",
        server.url("/")
    )
}

/// A project using the company's registry `settings` (a `[settings]` body) and
/// `acme-tool = "1"`, on a machine that reaches the company at `server`.
fn project(server: &TestServer, settings: &str) -> Project {
    Project::new(
        &config(server),
        &format!("[settings]\n{settings}\n[tools]\nacme-tool = \"1\"\n"),
    )
}

/// Runs `vx ARGS` in `project`: its exit code and stderr (after stdout, which a
/// headless sync reports on).
fn run(project: &Project, args: &[&str]) -> (Option<i32>, String) {
    let out = project.vx().args(args).output().unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The project's cache of fetched registry files, as another machine would lack it.
fn forget_the_cache(project: &Project) {
    let cache = project.work.dir.path().join("home/.cache/vx/registries");
    let _ = std::fs::remove_dir_all(cache);
}

#[test]
fn a_runtime_published_beside_a_url_registry_locks_installs_and_runs() {
    let server = serve(DECLARATION);
    let project = project(&server, &format!("{THREE}{CORP}"));
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "fetching runtime declaration from https://corp.example/vx/runtimes/acme-tool.toml"
        ),
        "{stderr}"
    );
    let lock = project.lock();
    let entry = &lock["tools"]["acme-tool"];
    assert_eq!(entry["version"].as_str(), Some("1.4.2"));
    assert_eq!(entry["package"].as_str(), Some("corp:runtime:acme-tool"));
    assert_eq!(entry["tag"].as_str(), Some("release-1.4.2"));
    // The declaration is pinned as a URL registry's file is: its name and sha256.
    assert_eq!(entry["registry"]["ref"].as_str(), Some("corp"));
    assert_eq!(
        entry["registry"]["sha256"].as_str().unwrap(),
        format!("sha256:{}", sha256_hex(DECLARATION.as_bytes()))
    );
    declared::assert_1_4_2_locked_for_three_platforms(&lock);
    // Locked from the version list and the sums alone; the registry file itself was
    // not needed (the name is a runtime's).
    let paths = server.paths();
    assert!(paths.iter().all(|p| !p.ends_with(".tar.gz")), "{paths:?}");
    assert!(!paths.iter().any(|p| p == "/vx/registry.yaml"), "{paths:?}");

    // Named like any runtime, its package naming the registry.
    let out = project.vx().args(["search", "acme"]).output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("corp:runtime:acme-tool"), "{listed}");
    let out = project
        .vx()
        .args(["versions", "acme-tool"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("1.4.2") && listed.contains("1.3.0"),
        "{listed}"
    );

    let (code, stderr) = run(&project, &["sync", "--headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    declared::acme_says(&project);

    // The hook pins it from the lock and the cached declaration, asking no server.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    let hits = server.hits();
    declared::assert_the_hook_pins_1_4_2(&project);
    assert_eq!(server.hits(), hits, "the hook reached the network");
    // So does the daemon.
    let answer = declared::daemon_toolchain(&project);
    let dirs = answer["bin_dirs"].as_array().expect("bin_dirs");
    assert!(
        dirs.iter()
            .any(|d| crate::common::unkeyed(d.as_str().unwrap()).ends_with("/acme-tool/1.4.2/bin")),
        "{answer}"
    );
    assert_eq!(server.hits(), hits, "the daemon reached the network");

    // Another machine, with nothing cached: `--locked` fetches the pinned declaration
    // and installs from the lock.
    forget_the_cache(&project);
    std::fs::remove_dir_all(&store).unwrap();
    // Offline, nothing is fetched: what is missing is said.
    let hits = server.hits();
    let (code, stderr) = run(&project, &["sync", "--locked", "--offline", "--headless"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("`runtimes/acme-tool.toml` of registry `corp`")
            && stderr.contains("not cached and vx is offline"),
        "{stderr}"
    );
    assert_eq!(server.hits(), hits, "fetched while offline");
    let (code, stderr) = run(&project, &["sync", "--locked", "--headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        crate::common::tree_in(&store, "acme-tool", "1.4.2")
            .join("bin/acme")
            .is_file()
    );
}

#[test]
fn a_changed_declaration_is_refused_under_the_lock_until_vx_lock_takes_it() {
    let first = serve(DECLARATION);
    let project = project(&first, &format!("{THREE}{CORP}"));
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(0), "{stderr}");
    let locked_text = project.lock_text().unwrap();

    // The company edits its declaration (its summary); a machine without the old one
    // cached fetches the new one.
    let edited = DECLARATION.replace("ACME's patched tool", "ACME's tool, patched again");
    let second = serve(&edited);
    write_user_config(&project.work.dir.path().join("home"), &config(&second));
    forget_the_cache(&project);
    let (code, stderr) = run(&project, &["sync", "--locked", "--headless"]);
    assert_eq!(code, Some(2), "{stderr}");
    for part in [
        "`runtimes/acme-tool.toml` of registry `corp`",
        "/vx/runtimes/acme-tool.toml",
        &format!("has sha256 {}", sha256_hex(edited.as_bytes())),
        &format!("vx.lock pins {}", sha256_hex(DECLARATION.as_bytes())),
        "run `vx lock` to take the new one",
    ] {
        assert!(stderr.contains(part), "{part} in\n{stderr}");
    }
    assert_eq!(
        project.lock_text().unwrap(),
        locked_text,
        "the lock changed"
    );
    // So does a plain sync, and the hook: nothing the lock did not pin is used.
    let (code, stderr) = run(&project, &["sync", "--headless"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(project.lock_text().unwrap(), locked_text);

    // `vx lock` takes the new declaration and pins it; the version stays.
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(0), "{stderr}");
    let lock = project.lock();
    let entry = &lock["tools"]["acme-tool"];
    assert_eq!(entry["version"].as_str(), Some("1.4.2"));
    assert_eq!(
        entry["registry"]["sha256"].as_str().unwrap(),
        format!("sha256:{}", sha256_hex(edited.as_bytes()))
    );
    let (code, stderr) = run(&project, &["sync", "--locked", "--headless"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_path_registry_names_its_runtimes_beside_its_own_file() {
    let server = serve(DECLARATION);
    let project = project(
        &server,
        &format!(
            "{THREE}registries = [{{ name = \"corp\", path = \"tools/registry.yaml\", runtimes = [\"runtimes/acme-tool.toml\"] }}]\n"
        ),
    );
    let tools = project.work.dir.path().join("tools");
    std::fs::create_dir_all(tools.join("runtimes")).unwrap();
    std::fs::write(tools.join("registry.yaml"), REGISTRY).unwrap();
    let file = tools.join("runtimes/acme-tool.toml");
    std::fs::write(&file, DECLARATION).unwrap();
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(0), "{stderr}");
    let lock = project.lock();
    assert_eq!(
        lock["tools"]["acme-tool"]["package"].as_str(),
        Some("corp:runtime:acme-tool")
    );
    assert_eq!(
        lock["tools"]["acme-tool"]["registry"]["sha256"]
            .as_str()
            .unwrap(),
        format!("sha256:{}", sha256_hex(DECLARATION.as_bytes()))
    );
    assert!(!server.paths().iter().any(|p| p.starts_with("/vx/")));

    // Edited in place, it is judged as a fetched one is.
    std::fs::write(&file, DECLARATION.replace("strip = 1", "strip = 1\n")).unwrap();
    let (code, stderr) = run(&project, &["sync", "--locked", "--headless"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("tools/runtimes/acme-tool.toml")
            && stderr.contains("the declaration changed"),
        "{stderr}"
    );
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(0), "{stderr}");

    // The same runtime carried in .vx/runtimes too: which one is meant is not vx's to
    // guess.
    let carried = project.work.dir.path().join(".vx/runtimes");
    std::fs::create_dir_all(&carried).unwrap();
    std::fs::write(carried.join("acme-tool.toml"), DECLARATION).unwrap();
    let before = project.lock_text();
    let (code, stderr) = run(&project, &["lock"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("tools/runtimes/acme-tool.toml")
            && stderr.contains(".vx/runtimes/acme-tool.toml")
            && stderr.contains("the name `acme-tool` is also declared by"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), before);
}

#[test]
fn bad_declarations_from_a_registry_are_clear_errors_that_write_nothing() {
    let cases: Vec<(&str, String, &[&str])> = vec![
        // Not served: the registry entry, the item and the URL named.
        (
            "404",
            CORP.replace("runtimes/acme-tool.toml", "runtimes/missing.toml"),
            &[
                "`runtimes/missing.toml` of registry `corp`",
                "/vx/runtimes/missing.toml",
            ],
        ),
        // Read by the one strict check: an unknown key at its line.
        (
            "malformed",
            CORP.to_owned(),
            &[
                "`runtimes/acme-tool.toml` of registry `corp`",
                "line ",
                "unknown field `checksum`",
            ],
        ),
        // A file on this machine is named by path, never file://.
        (
            "file://",
            CORP.replace("runtimes/acme-tool.toml", "file:///etc/acme-tool.toml"),
            &["vx.toml:", "is a file:// URL"],
        ),
        // A declaration's file is named after its runtime.
        (
            "misnamed",
            CORP.replace("runtimes/acme-tool.toml", "runtimes/acme.toml"),
            &[
                "`runtimes/acme.toml` of registry `corp`",
                "declares `acme-tool`",
            ],
        ),
        // vx's own names stay vx's.
        (
            "usurping",
            CORP.replace("runtimes/acme-tool.toml", "runtimes/node.toml"),
            &[
                "`runtimes/node.toml` of registry `corp`",
                "the name `node` is already a runtime's",
            ],
        ),
        // Over the bound of a declaration: refused, not read on.
        (
            "oversized",
            CORP.replace("runtimes/acme-tool.toml", "runtimes/huge.toml"),
            &["`runtimes/huge.toml` of registry `corp`", "larger than"],
        ),
    ];
    let broken = DECLARATION.replace("checksums =", "checksum =");
    let mut routes = vec![
        (
            "/vx/runtimes/acme-tool.toml".to_owned(),
            Route::Ok(broken.into_bytes()),
        ),
        (
            "/vx/runtimes/acme.toml".to_owned(),
            Route::Ok(DECLARATION.as_bytes().to_vec()),
        ),
        (
            "/vx/runtimes/node.toml".to_owned(),
            Route::Ok(
                DECLARATION
                    .replace("\"acme-tool\"", "\"node\"")
                    .into_bytes(),
            ),
        ),
    ];
    let mut huge = DECLARATION.to_owned();
    huge.push_str(&format!("# {}\n", "x".repeat(80 << 10)));
    routes.push((
        "/vx/runtimes/huge.toml".to_owned(),
        Route::Ok(huge.into_bytes()),
    ));
    let server = TestServer::start(routes);
    for (case, settings, parts) in cases {
        let project = project(&server, &settings);
        let before = project.manifest_text();
        let out = project.vx().arg("lock").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{case}: {stderr}");
        for part in parts {
            assert!(stderr.contains(part), "{case}: {part} in\n{stderr}");
        }
        assert_eq!(project.manifest_text(), before, "{case}");
        assert!(project.lock_text().is_none(), "{case}");
    }
}

/// A server that answers a declaration's URL with something else (a captive portal's
/// page) fails that run, and the answer is not kept: once the server serves the
/// declaration, the next command reads it without being told to fetch again.
#[test]
fn a_declaration_that_is_not_one_is_not_cached() {
    let portal = serve("<html><body>Please log in</body></html>\n");
    let project = project(&portal, &format!("{THREE}{CORP}"));
    let (code, said) = run(&project, &["env"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("not kept"), "{said}");
    let server = serve(DECLARATION);
    write_user_config(&project.work.dir.path().join("home"), &config(&server));
    let (_, said) = run(&project, &["env"]);
    assert!(
        !said.contains("Please log in") && !said.contains("not kept"),
        "{said}"
    );
    assert!(said.contains("acme-tool"), "{said}");
}

/// A shim never reaches the network (issue 53, item 3): in a clone whose registry
/// names its runtime declarations by URL, with nothing cached and no activation
/// recorded, a shim called `acme` asks no server (it had made two connections and
/// stalled 30 s a call); it says what is missing and how to get it instead.
#[test]
fn a_shim_asks_no_server_for_a_registrys_runtime_declaration() {
    let server = serve(DECLARATION);
    let project = project(&server, &format!("{THREE}{CORP}"));
    let (code, stderr) = run(&project, &["sync", "--headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    // A clone on another machine: the lock and the store, nothing cached.
    forget_the_cache(&project);
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    let _ = std::fs::remove_dir_all(store.join(".cache/activation"));
    let shims = project.work.dir.path().join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    let vx = assert_cmd::cargo::cargo_bin("vx");
    std::os::unix::fs::symlink(&vx, shims.join("acme")).unwrap();
    let template = project.vx();
    let mut shim = std::process::Command::new(shims.join("acme"));
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => shim.env(k, v),
            None => shim.env_remove(k),
        };
    }
    shim.current_dir(project.work.dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", shims.display()));
    let hits = server.hits();
    let started = std::time::Instant::now();
    let out = shim.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        server.hits(),
        hits,
        "the shim reached the network: {stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(127), "{stderr}");
    assert!(stderr.contains("acme"), "{stderr}");
}
