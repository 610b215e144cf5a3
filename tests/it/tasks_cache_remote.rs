//! Task results in the team's OCI registry, end to end: a real registry (the CNCF
//! distribution registry, Debian's `docker-registry`, the mirror tests' fixture) on
//! loopback, real minisign keys (`minisign -G -W`), the real `vx run`. A CI workspace
//! pushes signed results; a fresh clone with an empty cache restores them with no task
//! command run; a result signed by a key the project does not trust, a tampered blob
//! and a second writer of the same key are never restored, and the run says why; a
//! registry that is down costs a line and the task runs.

use std::path::{Path, PathBuf};

use crate::common;
use crate::monorepo_affected::git;

use common::Work;
use common::registry_server::Registry;
use common::signing::Keys;

/// `build` copies `src/in.txt` and `$EXTRA` (read from the environment, not declared:
/// what a patched build step could slip in without changing the key) into `out/`,
/// counting its runs in `runs`.
const BUILD: &str = r#"[tasks.build]
run = "echo ran >> runs; mkdir -p out && cat src/in.txt > out/result.txt && echo \"$EXTRA\" >> out/result.txt && echo building"
sources = ["src/**"]
outputs = ["out/**"]
"#;

/// A clone of the project trusting `trusted` (public key lines), results in the
/// registry's repository `repo`.
fn clone(registry: &Registry, repo: &str, trusted: &[&str]) -> Work {
    let keys: Vec<String> = trusted.iter().map(|k| format!("\"{k}\"")).collect();
    project(&format!(
        "task_cache = \"{}\"\ntask_cache_keys = [{}]\n",
        registry.mirror(repo),
        keys.join(", ")
    ))
}

/// A project of [`BUILD`] with its input `src/in.txt`, its `[settings]` the lines
/// `settings` (each ending in a newline).
fn project(settings: &str) -> Work {
    let work = Work::with_tasks(&format!("[settings]\n{settings}\n{BUILD}"));
    std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
    std::fs::write(work.dir.path().join("src/in.txt"), "input\n").unwrap();
    work
}

/// `vx run build` in `work`, pushing signed with the secret key file `signer` when
/// given, `EXTRA` set to `extra`; its exit code must be 0. What it said.
fn run(work: &Work, signer: Option<&Path>, extra: &str) -> String {
    let home = work.dir.path().join("home");
    let push: &[&str] = if signer.is_some() { &["--push"] } else { &[] };
    let args = [&["run", "--output", "prefix"], push, &["build"]].concat();
    let (code, stdout, stderr) = work.outcome_with(&args, |cmd| {
        cache_env(cmd, &home, &home.join("docker"), signer).env("EXTRA", extra);
    });
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// `cmd` with `home` as HOME and `docker` as DOCKER_CONFIG, none of the task cache
/// settings of the environment the tests run in, and the secret key file `signer`,
/// when given, to sign what it pushes.
pub(crate) fn cache_env<'c>(
    cmd: &'c mut assert_cmd::Command,
    home: &Path,
    docker: &Path,
    signer: Option<&Path>,
) -> &'c mut assert_cmd::Command {
    cmd.env("HOME", home)
        .env("DOCKER_CONFIG", docker)
        .env_remove("VX_TASK_CACHE")
        .env_remove("VX_TASK_CACHE_PUSH")
        .env_remove("VX_TASK_CACHE_SIGNING_KEY");
    if let Some(key) = signer {
        cmd.env("VX_TASK_CACHE_SIGNING_KEY", key);
    }
    cmd
}

/// Runs `work`'s build without a signing key, where the registry holds a result it must
/// not take: the task runs (once), and the run says `why` (a line containing it).
fn refuses(work: &Work, why: &str) {
    let said = run(work, None, "");
    assert_eq!(runs(work), 1, "the task ran: {said}");
    assert!(said.contains(why), "{said}");
}

fn runs(work: &Work) -> usize {
    std::fs::read_to_string(work.dir.path().join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

fn result(work: &Work) -> String {
    std::fs::read_to_string(work.dir.path().join("out/result.txt")).unwrap()
}

/// The one kept entry of `work`'s cache.
fn entry(work: &Work) -> PathBuf {
    let area = work.dir.path().join("cache/vx/tasks");
    let found: Vec<PathBuf> = std::fs::read_dir(&area)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// The key of the one kept entry of `work`'s cache (its directory's name).
fn key(work: &Work) -> String {
    entry(work)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

pub(crate) struct Signers {
    keys: Keys,
    _dir: tempfile::TempDir,
}

impl Signers {
    pub(crate) fn new() -> Signers {
        let dir = tempfile::tempdir().unwrap();
        Signers {
            keys: Keys::new(dir.path()),
            _dir: dir,
        }
    }

    /// A new key pair `name`: its public key line and its secret key file.
    pub(crate) fn key(&self, name: &str) -> (String, PathBuf) {
        let (public, _) = self.keys.minisign_key(name);
        (public, self.keys.0.join(name))
    }
}

#[test]
fn a_fresh_clone_restores_a_signed_result_from_the_registry_with_no_command_run() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (ci_public, ci_secret) = signers.key("ci");
    let ci = clone(&registry, "team/results", &[&ci_public]);
    let said = run(&ci, Some(&ci_secret), "");
    assert!(said.contains("pushed to oci://"), "{said}");
    assert_eq!(runs(&ci), 1);

    let laptop = clone(&registry, "team/results", &[&ci_public]);
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 0, "no task command ran: {said}");
    assert!(
        said.contains("`build` restored from the registry (key "),
        "{said}"
    );
    assert_eq!(result(&laptop), result(&ci), "byte-identical outputs");
    assert!(
        said.contains("[build] building"),
        "the log came along: {said}"
    );
    // Kept here once believed: the next restore needs no registry.
    drop(registry);
    std::fs::remove_dir_all(laptop.dir.path().join("out")).unwrap();
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 0, "{said}");
    assert!(said.contains("`build` restored (key "), "{said}");
}

#[test]
fn a_result_signed_by_a_key_the_project_does_not_trust_is_refused_and_the_task_runs() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (trusted, _) = signers.key("main-ci");
    let (_, stranger) = signers.key("pull-request");
    let pr = clone(&registry, "team/results", &[&trusted]);
    let said = run(&pr, Some(&stranger), "");
    assert!(said.contains("pushed to"), "{said}");

    let laptop = clone(&registry, "team/results", &[&trusted]);
    refuses(
        &laptop,
        "result refused: it is signed by no key the project trusts",
    );
}

#[test]
fn a_tampered_blob_is_refused_and_the_task_runs() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let ci = clone(&registry, "team/results", &[&public]);
    run(&ci, Some(&secret), "");
    // The outputs' layer is the archive the CI kept: change its bytes in the registry.
    let archive = std::fs::read(entry(&ci).join("outputs/0.tar.zst")).unwrap();
    let blob = registry.blob_file(&vx_fixture::sha256_hex(&archive));
    let mut tampered = archive.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    std::fs::write(&blob, &tampered).unwrap();

    let laptop = clone(&registry, "team/results", &[&public]);
    refuses(&laptop, "does not match its digest");
    assert_eq!(result(&laptop), "input\n\n");
}

#[test]
fn of_two_writers_of_one_key_only_the_trusted_ones_result_is_restored_whoever_wrote_last() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (main_public, main_secret) = signers.key("main");
    let (_, attacker) = signers.key("attacker");
    // The attacker's build slips `pwned` in through a variable the key does not see
    // (nx's CREEP): one key, two results. The attacker writes first and last.
    // (The attacker's clone trusts no key, so it never restores main's result.)
    let evil = clone(&registry, "team/results", &[]);
    run(&evil, Some(&attacker), "pwned");
    let main = clone(&registry, "team/results", &[&main_public]);
    run(&main, Some(&main_secret), "");
    std::fs::remove_dir_all(evil.dir.path().join("cache")).unwrap();
    std::fs::remove_dir_all(evil.dir.path().join("out")).unwrap();
    let said = run(&evil, Some(&attacker), "pwned");
    assert!(said.contains("pushed to"), "{said}");

    let laptop = clone(&registry, "team/results", &[&main_public]);
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 0, "{said}");
    assert_eq!(
        result(&laptop),
        "input\n\n",
        "main's result, not the attacker's"
    );
}

#[test]
fn a_registry_that_is_down_costs_a_line_and_the_task_runs() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let work = project(&format!(
        "task_cache = \"oci://127.0.0.1:{port}/team/results\"\n"
    ));
    let said = run(&work, None, "");
    assert_eq!(runs(&work), 1);
    assert!(said.contains("not read"), "{said}");
}

#[test]
fn the_user_config_names_the_registry_for_a_project_that_names_none() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let ci = clone(&registry, "team/results", &[&public]);
    run(&ci, Some(&secret), "");
    // The project trusts the key but names no registry; the user's config does.
    let laptop = project(&format!("task_cache_keys = [\"{public}\"]\n"));
    let config = laptop.dir.path().join("user-config/vx/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("task_cache = \"{}\"\n", registry.mirror("team/results")),
    )
    .unwrap();
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 0, "{said}");
    assert!(said.contains("restored from the registry"), "{said}");
}

/// A user config that does not read is said, with its file and line, and nothing runs:
/// its `task_cache` was left out without a word (the task ran, never asking the
/// registry the user named), where `vx sync` already refused the file.
#[test]
fn a_user_config_that_does_not_read_stops_the_run_naming_it() {
    let work = project("");
    let config = work.dir.path().join("user-config/vx/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "task_cache = \"oci://127.0.0.1:9/team/results\"\n[oops\n",
    )
    .unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["build"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("{}:2:", config.display())),
        "{stderr}"
    );
    assert_eq!(runs(&work), 0, "{stderr}");
}

#[test]
fn a_registry_that_trickles_costs_its_deadline_then_the_task_runs() {
    // Every answer's body a byte a tenth of a second, never fast enough to finish: no
    // read timeout trips; VX_TASK_CACHE_TIMEOUT (2 s) does.
    let slow = common::trickle::Trickle::start(1 << 20, std::time::Duration::from_millis(100));
    let signers = Signers::new();
    let (public, _) = signers.key("ci");
    let authority = slow.url("").trim_start_matches("http://").to_owned();
    let work = project(&format!(
        "task_cache = \"oci://{authority}/team/results\"\ntask_cache_keys = [\"{public}\"]\n"
    ));
    let started = std::time::Instant::now();
    let (code, stdout, stderr) =
        work.outcome_with(&["run", "--output", "prefix", "build"], |cmd| {
            cmd.env("VX_TASK_CACHE_TIMEOUT", "2")
                .env("HOME", work.dir.path().join("home"))
                .env("DOCKER_CONFIG", work.dir.path().join("docker"));
        });
    let took = started.elapsed();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(runs(&work), 1, "the task ran: {stderr}");
    assert!(stderr.contains("not read"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

/// `curl ARGS`, its stdout; the test fails when curl does.
fn curl(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("curl")
        .args(["-sSf"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The OCI image manifest's media type.
const OCI: &str = "application/vnd.oci.image.manifest.v1+json";

/// The manifest tagged (or of digest) `reference` in repository `repo` of `registry`.
fn get_manifest(registry: &Registry, repo: &str, reference: &str) -> Vec<u8> {
    curl(&[
        "-H",
        &format!("Accept: {OCI}"),
        &format!(
            "http://127.0.0.1:{}/v2/{repo}/manifests/{reference}",
            registry.port
        ),
    ])
}

/// Puts `manifest` under `tag` in repository `repo` of `registry`.
fn put_manifest(registry: &Registry, repo: &str, tag: &str, manifest: &[u8], scratch: &Path) {
    let file = scratch.join("manifest.json");
    std::fs::write(&file, manifest).unwrap();
    curl(&[
        "-X",
        "PUT",
        "-H",
        &format!("Content-Type: {OCI}"),
        "--data-binary",
        &format!("@{}", file.display()),
        &format!(
            "http://127.0.0.1:{}/v2/{repo}/manifests/{tag}",
            registry.port
        ),
    ]);
}

/// Uploads the file `file` as the blob `digest` of repository `repo` of `registry`.
fn put_blob(registry: &Registry, repo: &str, file: &Path, digest: &str) {
    let base = format!("http://127.0.0.1:{}/v2", registry.port);
    let head = String::from_utf8(curl(&[
        "-X",
        "POST",
        "-D",
        "-",
        "-o",
        "/dev/null",
        &format!("{base}/{repo}/blobs/uploads/"),
    ]))
    .unwrap();
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .unwrap()
        .trim()
        .to_owned();
    let location = if location.starts_with('/') {
        format!("http://127.0.0.1:{}{location}", registry.port)
    } else {
        location
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    curl(&[
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/octet-stream",
        "--data-binary",
        &format!("@{}", file.display()),
        &format!("{location}{sep}digest={digest}"),
    ]);
}

/// Copies the manifest tagged `tag` and its blobs from repository `from` to `to` of
/// `registry`, byte for byte (what anyone who can read one repository and push to
/// another can do).
fn copy(registry: &Registry, from: &str, to: &str, tag: &str, scratch: &Path) {
    let base = format!("http://127.0.0.1:{}/v2", registry.port);
    let manifest = get_manifest(registry, from, tag);
    let parsed: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let mut digests = vec![parsed["config"]["digest"].as_str().unwrap().to_owned()];
    for layer in parsed["layers"].as_array().unwrap() {
        digests.push(layer["digest"].as_str().unwrap().to_owned());
    }
    for digest in digests {
        let file = scratch.join(digest.replace(':', "-"));
        curl(&[
            "-o",
            file.to_str().unwrap(),
            &format!("{base}/{from}/blobs/{digest}"),
        ]);
        put_blob(registry, to, &file, &digest);
    }
    put_manifest(registry, to, tag, &manifest, scratch);
}

#[test]
fn a_signed_result_copied_into_another_projects_repository_is_refused_there() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, id) = signers.keys.minisign_key("ci");
    let (secret, id) = (signers.keys.0.join("ci"), id.to_ascii_lowercase());
    let ci = clone(&registry, "team/app", &[&public]);
    run(&ci, Some(&secret), "");
    let key = key(&ci);
    // Someone replays app's signed result into another project's repository, where the
    // same key signs results too.
    let scratch = tempfile::tempdir().unwrap();
    for tag in [format!("vxt-{key}"), format!("vxt-{key}.sig-{id}")] {
        copy(&registry, "team/app", "team/other", &tag, scratch.path());
    }
    let other = clone(&registry, "team/other", &[&public]);
    refuses(&other, "its signature is for another project (team/app)");
}

#[test]
fn each_output_root_is_a_layer_of_its_own_and_a_fresh_clone_gets_them_all() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let two_roots = BUILD
        .replace(
            "&& echo building",
            "&& mkdir -p dist && cp src/in.txt dist/copy.txt && echo building",
        )
        .replace(
            "outputs = [\"out/**\"]",
            "outputs = [\"out/**\", \"dist/*.txt\"]",
        );
    let make = || {
        let work = clone(&registry, "team/results", &[&public]);
        let toml = std::fs::read_to_string(work.manifest()).unwrap();
        work.write_manifest(&toml.replace(BUILD, &two_roots));
        work
    };
    let ci = make();
    run(&ci, Some(&secret), "");
    let key = key(&ci);
    let manifest: serde_json::Value = serde_json::from_slice(&curl(&[
        "-H",
        "Accept: application/vnd.oci.image.manifest.v1+json",
        &format!(
            "http://127.0.0.1:{}/v2/team/results/manifests/vxt-{key}",
            registry.port
        ),
    ]))
    .unwrap();
    assert_eq!(
        manifest["artifactType"],
        "application/vnd.vx.task-result.v1+json"
    );
    assert_eq!(
        manifest["config"]["digest"],
        format!("sha256:{key}").as_str()
    );
    let roots: Vec<&str> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["mediaType"] == "application/vnd.vx.task-result.outputs.v1.tar+zstd")
        .map(|l| l["annotations"]["dev.vx.output"].as_str().unwrap())
        .collect();
    assert_eq!(roots, ["out/**", "dist/*.txt"]);

    let laptop = make();
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 0, "{said}");
    assert_eq!(result(&laptop), result(&ci));
    assert_eq!(
        std::fs::read_to_string(laptop.dir.path().join("dist/copy.txt")).unwrap(),
        "input\n"
    );
}

/// The first-writer attack moved into the signer's cache (issue 78): a pull request's
/// job on a runner whose cache main's job also reads keeps main's key with its own
/// outputs (`EXTRA`, read by the build but not declared, so the key is the same). Main's
/// `vx run --push build` restores that entry, and must not sign and push it: only the
/// run that made a result signs it. `--force` runs the task and pushes what it makes,
/// which a laptop then restores. (Before, main said "restored … pushed", and every
/// laptop restored the pull request's files with no command run.)
#[test]
fn push_never_signs_a_result_restored_from_this_machines_cache() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let ci = clone(&registry, "team/results", &[&public]);
    // The pull request's job: no signing key, its own bytes under main's key.
    let said = run(&ci, None, "planted by a pull request");
    assert!(said.contains("`build` kept (key "), "{said}");
    assert!(result(&ci).contains("planted"));

    // Main's job on the same runner.
    std::fs::remove_dir_all(ci.dir.path().join("out")).unwrap();
    let said = run(&ci, Some(&secret), "");
    assert_eq!(runs(&ci), 1, "restored here, not run: {said}");
    assert!(said.contains("`build` restored (key "), "{said}");
    assert!(
        said.contains("not pushed: it was restored from this machine's cache (made by a run here)"),
        "{said}"
    );
    assert!(!said.contains("pushed to oci://"), "{said}");

    // A laptop finds nothing signed: it runs the task itself.
    let laptop = clone(&registry, "team/results", &[&public]);
    let said = run(&laptop, None, "");
    assert_eq!(runs(&laptop), 1, "{said}");
    assert!(!result(&laptop).contains("planted"), "{said}");

    // `--force`: main's job makes the result, and pushes what it made.
    let home = ci.dir.path().join("home");
    let (code, stdout, stderr) = ci.outcome_with(
        &["run", "--output", "prefix", "--push", "--force", "build"],
        |cmd| {
            cache_env(cmd, &home, &home.join("docker"), Some(&secret)).env("EXTRA", "");
        },
    );
    let said = format!("{stdout}{stderr}");
    assert_eq!(code, 0, "{said}");
    assert_eq!(runs(&ci), 2, "{said}");
    assert!(said.contains("pushed to oci://"), "{said}");
    let fresh = clone(&registry, "team/results", &[&public]);
    let said = run(&fresh, None, "");
    assert_eq!(runs(&fresh), 0, "{said}");
    assert!(said.contains("restored from the registry"), "{said}");
    assert!(!result(&fresh).contains("planted"), "{said}");
}

/// A project of two tasks, `codegen` and `build` after it, as a git repository at
/// `WORK/app`; each task counts its runs in `WORK/<task>-runs` (outside the
/// repository). Its `[env]` takes `API` from the inherited `SECRET_TOKEN`, and its
/// `.env` (`[settings] env_file`, never committed) holds a password.
const GRAPH: &str = r#"[settings]
task_cache = "@REMOTE@"
task_cache_keys = ["@KEY@"]
env_file = ".env"

[env]
API = "${SECRET_TOKEN}"

[tasks.codegen]
run = "echo ran >> ../codegen-runs; mkdir -p generated && cat gen/schema.txt > generated/api.txt && echo generated"
sources = ["gen/**"]
outputs = ["generated/**"]

[tasks.build]
depends = ["codegen"]
run = "echo ran >> ../build-runs; mkdir -p out/bin && cat src/in.txt generated/api.txt > out/result.txt && printf '#!/bin/sh\necho hi\n' > out/bin/hi && chmod 755 out/bin/hi && echo built"
sources = ["src/**", "generated/**"]
outputs = ["out/**"]
"#;

/// `vx ARGS` in `work`'s repository `app`, with `work`'s own directories and the
/// secret in the environment; what it said. Its exit code must be 0.
fn vx_in_app(work: &Work, args: &[&str], signer: Option<&Path>) -> String {
    let app = work.dir.path().join("app");
    let (code, stdout, stderr) = work.outcome_with(args, |cmd| {
        cache_env(
            cmd,
            &work.dir.path().join("home"),
            &work.dir.path().join("docker"),
            signer,
        )
        .current_dir(&app)
        .env("SECRET_TOKEN", "s3cret-token-from-the-environment");
    });
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// Every file under `dir` (relative, sorted) with its bytes and mode.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(at) = todo.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            out.push((rel, std::fs::read(&path).unwrap(), mode));
        }
    }
    out.sort();
    out
}

#[test]
fn a_fresh_clone_restores_a_cached_graph_as_the_guide_says_with_no_command_run_and_no_secret_shared()
 {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("task-cache");
    // CI's checkout: the project, committed; `.env` and the outputs ignored.
    let ci = Work::new();
    let app = ci.dir.path().join("app");
    std::fs::create_dir_all(app.join("gen")).unwrap();
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(
        app.join("vx.toml"),
        GRAPH
            .replace("@REMOTE@", &registry.mirror("team/app"))
            .replace("@KEY@", &public),
    )
    .unwrap();
    std::fs::write(app.join("gen/schema.txt"), "schema v1\n").unwrap();
    std::fs::write(app.join("src/in.txt"), "input\n").unwrap();
    std::fs::write(app.join(".gitignore"), ".env\ngenerated/\nout/\n").unwrap();
    git(&app, &["init", "-q", "."]);
    git(&app, &["add", "."]);
    git(&app, &["commit", "-q", "-m", "app"]);
    std::fs::write(app.join(".env"), "DB_PASSWORD=hunter2-from-dotenv\n").unwrap();

    // docs/guide/tasks.md, step 2: protected CI pushes, signed.
    let said = vx_in_app(
        &ci,
        &["run", "--output", "prefix", "--push", "build"],
        Some(&secret),
    );
    assert_eq!(said.matches("pushed to oci://").count(), 2, "{said}");

    // A laptop: `git clone …`, then `vx run build`: nothing runs.
    let laptop = Work::new();
    git(
        laptop.dir.path(),
        &["clone", "-q", app.to_str().unwrap(), "app"],
    );
    let cloned = laptop.dir.path().join("app");
    std::fs::write(cloned.join(".env"), "DB_PASSWORD=another-password\n").unwrap();
    let said = vx_in_app(&laptop, &["run", "--output", "prefix", "build"], None);
    for task in ["codegen", "build"] {
        assert!(
            !laptop.dir.path().join(format!("{task}-runs")).exists(),
            "{task} ran: {said}"
        );
        assert!(
            said.contains(&format!("`{task}` restored from the registry (key ")),
            "{said}"
        );
    }
    for dir in ["generated", "out"] {
        assert_eq!(tree(&cloned.join(dir)), tree(&app.join(dir)), "{dir}");
    }

    // Nothing of CI's secrets or of its machine's paths is in the registry: the result
    // and signature manifests, the key documents, the statements and the log layers.
    let base = format!("http://127.0.0.1:{}/v2/team/app", registry.port);
    let tags: serde_json::Value =
        serde_json::from_slice(&curl(&[&format!("{base}/tags/list")])).unwrap();
    let tags: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags.len(), 4, "two results, two signatures: {tags:?}");
    let forbidden = [
        "s3cret-token-from-the-environment".to_owned(),
        "hunter2".to_owned(),
        ci.dir.path().display().to_string(),
    ];
    let mut logs = 0;
    for tag in tags {
        let manifest = curl(&[
            "-H",
            "Accept: application/vnd.oci.image.manifest.v1+json",
            &format!("{base}/manifests/{tag}"),
        ]);
        let parsed: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        let mut texts = vec![(tag.to_owned(), manifest.clone())];
        let mut blobs = vec![parsed["config"].clone()];
        blobs.extend(parsed["layers"].as_array().unwrap().iter().cloned());
        for blob in blobs {
            // The outputs' archives are the task's own bytes; everything else is vx's.
            if blob["mediaType"] == "application/vnd.vx.task-result.outputs.v1.tar+zstd" {
                continue;
            }
            // Each log twice: with its streams, and plain for a vx before them.
            if blob["mediaType"] == "application/vnd.vx.task-result.log.v1"
                || blob["mediaType"] == "application/vnd.vx.task-result.log.v2"
            {
                logs += 1;
            }
            let digest = blob["digest"].as_str().unwrap();
            texts.push((
                format!("{tag} {digest}"),
                curl(&[&format!("{base}/blobs/{digest}")]),
            ));
        }
        for (what, bytes) in texts {
            let text = String::from_utf8_lossy(&bytes);
            for word in &forbidden {
                assert!(!text.contains(word.as_str()), "{what} holds {word}: {text}");
            }
        }
    }
    assert_eq!(logs, 4, "both results' log layers read");
}

/// What signs results is the run's, never its tasks' (issue 78): a `--push` run (or one
/// with `VX_TASK_CACHE_PUSH=1`) gives no task the signing key's path or the push switch.
#[test]
fn a_tasks_environment_holds_no_signing_key() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let work = Work::with_tasks(&format!(
        "[settings]\ntask_cache = \"{}\"\ntask_cache_keys = [\"{public}\"]\n\n\
         [tasks.show]\nrun = \"mkdir -p out && env > out/env.txt\"\n\
         sources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
        registry.mirror("team/results")
    ));
    std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
    std::fs::write(work.dir.path().join("src/in.txt"), "x").unwrap();
    let home = work.dir.path().join("home");
    for (flag, env) in [("--push", "0"), ("--force", "1")] {
        let (code, stdout, stderr) =
            work.outcome_with(&["run", "--output", "prefix", flag, "show"], |cmd| {
                cache_env(cmd, &home, &home.join("docker"), Some(&secret))
                    .env("VX_TASK_CACHE_PUSH", env);
            });
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(
            format!("{stdout}{stderr}").contains("pushed to oci://"),
            "{stdout}{stderr}"
        );
        let seen = std::fs::read_to_string(work.dir.path().join("out/env.txt")).unwrap();
        assert!(!seen.contains("VX_TASK_CACHE_SIGNING_KEY"), "{seen}");
        assert!(!seen.contains("VX_TASK_CACHE_PUSH"), "{seen}");
        assert!(!seen.contains(&secret.display().to_string()), "{seen}");
    }
}

/// `VX_TASK_CACHE_TIMEOUT` past what a clock can hold (issue 78): read as the longest
/// deadline, so the run restores, or runs, and ends (it panicked a task thread, and
/// `vx run` then hung).
#[test]
fn a_huge_timeout_is_clamped_and_the_run_ends() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, _) = signers.key("ci");
    let work = clone(&registry, "team/results", &[&public]);
    let home = work.dir.path().join("home");
    let (code, stdout, stderr) =
        work.outcome_with(&["run", "--output", "prefix", "build"], |cmd| {
            cache_env(cmd, &home, &home.join("docker"), None)
                .env("VX_TASK_CACHE_TIMEOUT", u64::MAX.to_string());
        });
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(runs(&work), 1, "{stdout}{stderr}");
}

/// A `task_cache` URL with credentials is refused, and never quoted whole (issue 78):
/// neither vx.toml's error nor the note on `VX_TASK_CACHE` shows the password.
#[test]
fn a_task_cache_url_with_credentials_is_never_quoted_whole() {
    let work = project("task_cache = \"oci://ci:hunter2@registry.corp/team/results\"\n");
    let home = work.dir.path().join("home");
    let (code, stdout, stderr) = work.outcome_with(&["run", "build"], |cmd| {
        cache_env(cmd, &home, &home.join("docker"), None);
    });
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("settings.task_cache"), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("hunter2"), "{stderr}");

    let work = project("");
    for url in [
        "https://ci:hunter2@registry.corp/team/results",
        "oci://ci:hunter2@127.0.0.1:9/team/results",
    ] {
        let (code, stdout, stderr) =
            work.outcome_with(&["run", "--output", "prefix", "build"], |cmd| {
                cache_env(cmd, &home, &home.join("docker"), None).env("VX_TASK_CACHE", url);
            });
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(
            !format!("{stdout}{stderr}").contains("hunter2"),
            "{url}: {stdout}{stderr}"
        );
    }
}

/// From a real registry (issue 75): a check that keeps no file is pushed as its log
/// and restored in a fresh clone by replaying it; and when a dependency's input changes
/// in that clone, its dependent is neither up to date nor restored, though its own
/// sources are those of the result in the registry.
#[test]
fn a_log_only_result_comes_from_the_registry_and_a_changed_dependency_disowns_its_dependents() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let tasks = r#"
[tasks.gen]
run = "echo gen >> runs; mkdir -p gen && cp gen.txt gen/out.txt"
sources = ["gen.txt"]
outputs = ["gen/**"]

[tasks.build]
run = "echo build >> runs; mkdir -p out && cat gen/out.txt src/in.txt > out/result.txt"
sources = ["src/**"]
outputs = ["out/**"]
depends = ["gen"]

[tasks.lint]
run = "echo lint >> runs; echo no problems found"
sources = ["src/**"]
depends = ["build"]
"#;
    let project = || {
        let work = Work::with_tasks(&format!(
            "[settings]\ntask_cache = \"{}\"\ntask_cache_keys = [\"{public}\"]\n{tasks}",
            registry.mirror("team/results")
        ));
        std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
        std::fs::write(work.dir.path().join("src/in.txt"), "source\n").unwrap();
        std::fs::write(work.dir.path().join("gen.txt"), "one\n").unwrap();
        work
    };
    let lint = |work: &Work, signer: Option<&Path>| {
        let home = work.dir.path().join("home");
        let push: &[&str] = if signer.is_some() { &["--push"] } else { &[] };
        let args = [&["run", "--output", "prefix"], push, &["lint"]].concat();
        let (code, stdout, stderr) = work.outcome_with(&args, |cmd| {
            cache_env(cmd, &home, &home.join("docker"), signer);
        });
        assert_eq!(code, 0, "{stdout}{stderr}");
        format!("{stdout}{stderr}")
    };
    let ci = project();
    let said = lint(&ci, Some(&secret));
    assert_eq!(said.matches("pushed to oci://").count(), 3, "{said}");

    let laptop = project();
    let said = lint(&laptop, None);
    assert!(
        !laptop.dir.path().join("runs").exists(),
        "nothing ran: {said}"
    );
    assert!(
        said.contains("`lint` restored from the registry (log only, key "),
        "{said}"
    );
    assert!(said.contains("[lint] no problems found"), "{said}");

    // The dependency's input changes here: it runs, and so does its dependent.
    std::fs::write(laptop.dir.path().join("gen.txt"), "two\n").unwrap();
    let said = lint(&laptop, None);
    let ran = std::fs::read_to_string(laptop.dir.path().join("runs")).unwrap();
    assert_eq!(ran, "gen\nbuild\nlint\n", "{said}");
    assert_eq!(
        std::fs::read_to_string(laptop.dir.path().join("out/result.txt")).unwrap(),
        "two\nsource\n",
        "{said}"
    );
}

/// A lone task's output goes out as it wrote it when it runs here; the same log
/// restored from the registry is text from outside: its colours pass, its other
/// escapes (a window title, the clipboard) are shown escaped, a progress line shows its
/// last state; on the next restore, from this machine's copy of it, too.
#[test]
fn a_lone_tasks_log_restored_from_the_registry_keeps_its_colours_and_loses_its_escapes() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let project = || {
        let work = Work::with_tasks(&format!(
            "[settings]\ntask_cache = \"{}\"\ntask_cache_keys = [\"{public}\"]\n{}",
            registry.mirror("team/results"),
            r#"
[tasks.check]
run = "printf '\\033]0;owned\\007\\033[32mok\\033[0m\\n10%%\\r100%%\\n'"
sources = ["src/**"]
"#
        ));
        std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
        std::fs::write(work.dir.path().join("src/in.txt"), "source\n").unwrap();
        work
    };
    let check = |work: &Work, signer: Option<&Path>| {
        let home = work.dir.path().join("home");
        let push: &[&str] = if signer.is_some() { &["--push"] } else { &[] };
        let args = [&["run"], push, &["check"]].concat();
        let (code, stdout, stderr) = work.outcome_with(&args, |cmd| {
            cache_env(cmd, &home, &home.join("docker"), signer);
        });
        assert_eq!(code, 0, "{stdout}{stderr}");
        (stdout, stderr)
    };
    let ci = project();
    let (stdout, stderr) = check(&ci, Some(&secret));
    assert_eq!(
        stdout, "\x1b]0;owned\x07\x1b[32mok\x1b[0m\n10%\r100%\n",
        "run here, as written: {stderr}"
    );

    let laptop = project();
    let made_safe = "\\x1b]0;owned\\x07\x1b[32mok\x1b[0m\n100%\n";
    let (stdout, stderr) = check(&laptop, None);
    assert!(stderr.contains("restored from the registry"), "{stderr}");
    assert_eq!(stdout, made_safe, "{stderr}");
    // Another input runs it here; the first one's result then comes from this
    // machine's copy of the registry's.
    let input = laptop.dir.path().join("src/in.txt");
    std::fs::write(&input, "changed\n").unwrap();
    let (stdout, _) = check(&laptop, None);
    assert!(stdout.starts_with("\x1b]0;owned"), "ran here: {stdout:?}");
    std::fs::write(&input, "source\n").unwrap();
    let (stdout, stderr) = check(&laptop, None);
    assert!(
        stderr.contains("`check` restored (log only, key "),
        "{stderr}"
    );
    assert_eq!(stdout, made_safe, "kept here, still not made here");
}

/// A log-only task that writes two lines to each stream, in turn.
const STREAMS: &str = r#"
[tasks.gen]
run = "echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2"
sources = ["src/**"]
"#;

/// The lines of `text` the task wrote (vx's own notes, `vx: …`, left out).
fn task_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with("vx: ")).collect()
}

/// A result this vx pushed is restored from the registry with each of its log's streams
/// on its own (stdout's lines on stdout, stderr's on stderr, in order). One an earlier
/// vx pushed (its log one layer, both streams run together, no `log.v2`) is restored
/// still, its log replayed to stdout as that vx replayed it. (That result is made here
/// from this vx's: its `log.v2` layer taken out, and signed again as vx signs.)
#[test]
fn a_registrys_log_keeps_its_streams_and_an_earlier_vxs_is_replayed_to_stdout() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");
    let project = || {
        let work = Work::with_tasks(&format!(
            "[settings]\ntask_cache = \"{}\"\ntask_cache_keys = [\"{public}\"]\n{STREAMS}",
            registry.mirror("team/results"),
        ));
        std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
        std::fs::write(work.dir.path().join("src/in.txt"), "source\n").unwrap();
        work
    };
    let run_gen = |work: &Work, signer: Option<&Path>| {
        let home = work.dir.path().join("home");
        let push: &[&str] = if signer.is_some() { &["--push"] } else { &[] };
        let args = [&["run"], push, &["gen"]].concat();
        let (code, stdout, stderr) = work.outcome_with(&args, |cmd| {
            cache_env(cmd, &home, &home.join("docker"), signer);
        });
        assert_eq!(code, 0, "{stdout}{stderr}");
        (stdout, stderr)
    };
    let ci = project();
    let (_, stderr) = run_gen(&ci, Some(&secret));
    assert!(stderr.contains("pushed to oci://"), "{stderr}");

    let laptop = project();
    let (stdout, stderr) = run_gen(&laptop, None);
    assert!(
        stderr.contains("`gen` restored from the registry"),
        "{stderr}"
    );
    assert_eq!(stdout, "out-1\nout-2\n", "{stderr}");
    assert_eq!(task_lines(&stderr), ["err-1", "err-2"], "{stderr}");

    // The result as an earlier vx pushed it: no `log.v2` layer, signed so.
    let key = key(&ci);
    let repo = "team/results";
    let scratch = tempfile::tempdir().unwrap();
    let tag = format!("vxt-{key}");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&get_manifest(&registry, repo, &tag)).unwrap();
    let layers = manifest["layers"].as_array_mut().unwrap();
    let before = layers.len();
    layers.retain(|l| l["mediaType"] != "application/vnd.vx.task-result.log.v2");
    assert_eq!(layers.len(), before - 1, "{manifest}");
    let manifest = serde_json::to_vec(&manifest).unwrap();
    put_manifest(&registry, repo, &tag, &manifest, scratch.path());
    let statement = serde_json::to_vec(&serde_json::json!({
        "format": "vx.task-result-statement.v1",
        "key": key,
        "manifest": format!("sha256:{}", vx_fixture::sha256_hex(&manifest)),
        "project": repo,
    }))
    .unwrap();
    let signature = signers.keys.minisign("ci", &statement);
    let tags: serde_json::Value = serde_json::from_slice(&curl(&[&format!(
        "http://127.0.0.1:{}/v2/{repo}/tags/list",
        registry.port
    )]))
    .unwrap();
    let signed_tag = (tags["tags"].as_array().unwrap().iter())
        .filter_map(|t| t.as_str())
        .find(|t| t.starts_with(&format!("{tag}.sig-")))
        .unwrap()
        .to_owned();
    let mut signed: serde_json::Value =
        serde_json::from_slice(&get_manifest(&registry, repo, &signed_tag)).unwrap();
    for (pointer, bytes) in [("/config", &statement), ("/layers/0", &signature)] {
        let digest = format!("sha256:{}", vx_fixture::sha256_hex(bytes));
        let file = scratch.path().join("blob");
        std::fs::write(&file, bytes).unwrap();
        put_blob(&registry, repo, &file, &digest);
        let descriptor = signed.pointer_mut(pointer).unwrap();
        descriptor["digest"] = serde_json::json!(digest);
        descriptor["size"] = serde_json::json!(bytes.len());
        descriptor.as_object_mut().unwrap().remove("data");
    }
    let signed = serde_json::to_vec(&signed).unwrap();
    put_manifest(&registry, repo, &signed_tag, &signed, scratch.path());

    let earlier = project();
    let (stdout, stderr) = run_gen(&earlier, None);
    assert!(
        stderr.contains("`gen` restored from the registry"),
        "{stderr}"
    );
    assert_eq!(task_lines(&stderr), Vec::<&str>::new(), "{stderr}");
    // Both streams on stdout: each stream's lines in their order, the two as CI read them.
    let lines = task_lines(&stdout);
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["err-1", "err-2", "out-1", "out-2"], "{stdout}");
    let at = |line: &str| lines.iter().position(|l| *l == line).unwrap();
    assert!(
        at("out-1") < at("out-2") && at("err-1") < at("err-2"),
        "{stdout}"
    );
}
