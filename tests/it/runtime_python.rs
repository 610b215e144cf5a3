//! The `python` runtime (issue 37) end to end with the real `vx`: python-build-standalone
//! served by the loopback GitHub in its real shape (date-tagged releases with
//! `install_only_stripped` assets for every triple, digests or `SHA256SUMS` or
//! per-asset `.sha256`), reached through the user config's `[github] url`; locked for
//! several platforms without fetching an archive; installed from an archive in the
//! real layout and run through `vx exec`; and cross-checked against PyPI's
//! `pbs-installer`, whose table lists real assets with their sha256.
#![cfg(unix)]

use crate::common;

use common::publishers::python::{self, Sums};
use common::*;
use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Route, TestServer, sha256_hex};

fn github(releases: Vec<FixtureRelease>) -> GithubFixture {
    let mut builder = GithubFixture::builder();
    for release in releases {
        builder = builder.release(python::OWNER, python::REPO, release);
    }
    builder.start().unwrap()
}

/// Two releases as python-build-standalone publishes them: 20250115 with digests,
/// 20241206 (older, without) with its `SHA256SUMS`.
fn two_releases() -> GithubFixture {
    github(vec![
        python::release(
            "20250115",
            &["3.13.1", "3.13.1t", "3.12.8"],
            Sums::Digests,
            &[],
        ),
        python::release("20241206", &["3.12.8", "3.12.7"], Sums::File, &[]),
    ])
}

/// The file name at the end of a locked URL.
fn file_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().replace("%2B", "+")
}

const FOUR: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\", \"linux-x86_64-musl\"]\n";

#[test]
fn python_locks_every_platform_from_the_release_listing_alone() {
    let gh = two_releases();
    let project = Project::new(
        &python::config(&gh.web_url()),
        &format!("{FOUR}\n[tools]\npython = \"3.12\"\n"),
    );
    project.lock_exit(0);
    let lock = project.lock();
    let entry = &lock["tools"]["python"];
    assert_eq!(entry["version"].as_str(), Some("3.12.8"));
    assert_eq!(
        entry["tag"].as_str(),
        Some("20250115"),
        "the newest release with 3.12.8"
    );
    assert_eq!(entry["package"].as_str(), Some("runtime:python"));
    for (platform, triple) in [
        ("linux-x86_64", "x86_64-unknown-linux-gnu"),
        ("macos-aarch64", "aarch64-apple-darwin"),
        ("windows-x86_64", "x86_64-pc-windows-msvc"),
        ("linux-x86_64-musl", "x86_64-unknown-linux-musl"),
    ] {
        let one = locked(&lock, "python", platform);
        assert_eq!(
            file_of(one["url"].as_str().unwrap()),
            python::asset_name("3.12.8", "20250115", triple),
            "{platform}"
        );
        assert_eq!(one["checksum"].as_str(), Some("github-digest"));
        assert_eq!(one["sha256"].as_str().unwrap().len(), 64);
    }
    // Windows builds ship no Scripts/pip.exe: `python -m pip` there.
    let bins = locked(&lock, "python", "windows-x86_64")["bin"].clone();
    assert_eq!(
        bins,
        toml::Value::from(vec!["python.exe", "python3=python.exe"])
    );
    assert!(
        gh.requests()
            .iter()
            .all(|r| !r.is_download() || r.path.ends_with("/SHA256SUMS")),
        "an archive was fetched: {:?}",
        gh.requests()
    );
    // Never the release list: a page of python-build-standalone's releases (a
    // thousand assets each) times out at GitHub; the tags, then one release.
    let api: Vec<String> = gh
        .requests()
        .into_iter()
        .filter(|r| r.is_api())
        .map(|r| r.path)
        .collect();
    assert_eq!(
        api,
        [
            "/api/v3/repos/astral-sh/python-build-standalone/tags?per_page=100",
            "/api/v3/repos/astral-sh/python-build-standalone/releases/tags/20250115",
        ]
    );
}

#[test]
fn python_versions_as_users_write_them() {
    let gh = two_releases();
    for (name, written, version, tag, checksum) in [
        ("python", "3", "3.13.1", "20250115", "github-digest"),
        ("python", "latest", "3.13.1", "20250115", "github-digest"),
        ("python", "3.13t", "3.13.1t", "20250115", "github-digest"),
        ("cpython", "3.12.7", "3.12.7", "20241206", "checksum-file:"),
    ] {
        let project = Project::new(
            &python::config(&gh.web_url()),
            &format!(
                "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\n{name} = \"{written}\"\n"
            ),
        );
        project.lock_exit(0);
        let lock = project.lock();
        assert_eq!(
            lock["tools"][name]["version"].as_str(),
            Some(version),
            "{written}"
        );
        assert_eq!(lock["tools"][name]["tag"].as_str(), Some(tag), "{written}");
        let one = locked(&lock, name, "linux-x86_64");
        assert!(
            one["checksum"].as_str().unwrap().starts_with(checksum),
            "{written}: {one:?}"
        );
        assert_eq!(
            file_of(one["url"].as_str().unwrap()),
            python::asset_name(version, tag, "x86_64-unknown-linux-gnu")
        );
    }
}

#[test]
fn old_releases_give_sha256_from_their_per_asset_files_and_none_is_an_error() {
    let sums_url = |gh: &GithubFixture, name: &str| {
        gh.url(&format!(
            "/{}/{}/releases/download/20240107/{}",
            python::OWNER,
            python::REPO,
            vx_sources::github::encode_segment(name)
        ))
    };
    let gh = github(vec![python::release(
        "20240107",
        &["3.12.1"],
        Sums::PerAsset,
        &[],
    )]);
    let project = Project::new(
        &python::config(&gh.web_url()),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\npython = \"3.12.1\"\n",
    );
    project.lock_exit(0);
    let lock = project.lock();
    let asset = python::asset_name("3.12.1", "20240107", "x86_64-unknown-linux-gnu");
    assert_eq!(
        locked(&lock, "python", "linux-x86_64")["checksum"].as_str(),
        Some(
            format!(
                "checksum-file:{}",
                sums_url(&gh, &format!("{asset}.sha256"))
            )
            .as_str()
        )
    );

    // A release with no digest, no SHA256SUMS and no .sha256: nothing is locked.
    let gh = github(vec![python::release(
        "20240107",
        &["3.12.1"],
        Sums::None,
        &[],
    )]);
    let manifest = "[tools]\npython = \"3.12.1\"\n";
    let project = Project::new(&python::config(&gh.web_url()), manifest);
    let stderr = project.lock_refused(1, "has no sha256 for cpython-3.12.1+20240107-");
    assert!(
        stderr.contains("no GitHub digest, no SHA256SUMS"),
        "{stderr}"
    );
}

#[test]
fn a_python_version_that_does_not_exist_names_the_newest_and_writes_nothing() {
    let gh = two_releases();
    let manifest = "[tools]\npython = \"3.9\"\n";
    let project = Project::new(&python::config(&gh.web_url()), manifest);
    project.lock_refused(
        2,
        "no version of python matches `3.9`; the newest are 3.13.1, 3.13.1t, 3.12.8, 3.12.7",
    );
}

/// An older patch that only an older release carries (issue 48, item 3) imports and
/// locks from that release, from `.python-version` and from `.tool-versions` alike: the
/// import picks as the lock does.
#[test]
fn an_older_patch_imports_and_locks_from_the_release_that_carries_it() {
    let gh = two_releases();
    for (file, text) in [
        (".python-version", "3.12.7\n"),
        (".tool-versions", "python 3.12.7\n"),
    ] {
        let project = Project::new(
            &python::config(&gh.web_url()),
            "[settings]\nplatforms = [\"linux-x86_64\"]\n",
        );
        std::fs::write(project.work.dir.path().join(file), text).unwrap();
        let out = project.vx().args(["import", file]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains(&format!("imported python 3.12.7 from {file}")),
            "{said}"
        );
        let lock = project.lock();
        let entry = &lock["tools"]["python"];
        assert_eq!(entry["version"].as_str(), Some("3.12.7"), "{file}");
        assert_eq!(entry["tag"].as_str(), Some("20241206"), "{file}");
    }
}

/// A project locked on linux-x86_64 whose python-build-standalone release serves
/// `archive` (its version, its bytes) for the triple vx picks there.
fn installable(archive: (String, Vec<u8>)) -> (GithubFixture, Project, String) {
    installable_as(
        archive,
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\npython = \"3.12\"\n",
    )
}

/// [`installable`], the project's vx.toml `manifest`.
fn installable_as(
    (version, archive): (String, Vec<u8>),
    manifest: &str,
) -> (GithubFixture, Project, String) {
    let name = python::asset_name(&version, "20250115", "x86_64-unknown-linux-gnu");
    let gh = github(vec![python::release(
        "20250115",
        &[&version],
        Sums::Digests,
        &[(name, archive)],
    )]);
    let project = Project::new(&python::config(&gh.web_url()), manifest);
    (gh, project, version)
}

#[test]
fn python_installs_from_the_publishers_archive_and_its_commands_run() {
    // The archive as the publisher builds it has `bin/python` and `bin/pip` already:
    // vx uses them (it once refused the archive for them).
    let (_gh, project, version) = installable(python::archive(python::Without::Nothing));
    project.synced();
    for python in ["python", "python3", "python3.12"] {
        assert_eq!(
            project.run(&[python, "--version"]),
            format!("Python {version}")
        );
    }
    // The real interpreter, relocated: its prefix is the store's install, and the
    // modules built against the system's libraries load.
    let prefix = project.run(&[
        "python3",
        "-c",
        "import ssl, sqlite3, venv, sys; print(sys.prefix)",
    ]);
    assert!(prefix.contains(&format!("/python/{version}")), "{prefix}");
    for pip in ["pip", "pip3", "pip3.12"] {
        let said = project.run(&[pip, "--version"]);
        assert!(
            said.starts_with("pip ")
                && said.ends_with(&format!(
                    "from {prefix}/lib/python3.12/site-packages/pip (python 3.12)"
                )),
            "{pip}: {said}"
        );
    }
    // The marker keeps `pip install` out of the store entry every project shares.
    let marker =
        std::fs::read_to_string(format!("{prefix}/lib/python3.12/EXTERNALLY-MANAGED")).unwrap();
    let lines: Vec<&str> = marker.lines().collect();
    assert_eq!(lines[0], "[externally-managed]");
    assert!(
        lines[1].starts_with("Error=This Python is shared by every vx project"),
        "{marker}"
    );
    let refused = project
        .vx()
        .args(["exec", "--", "pip", "install", "--no-index", "anything"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("externally-managed-environment"),
        "{stderr}"
    );
    // A virtual environment is made from it (ensurepip installs its pip) and runs.
    project.run(&["python", "-m", "venv", ".venv"]);
    let venv = project.work.dir.path().join(".venv/bin/python");
    let out = std::process::Command::new(&venv)
        .args([
            "-c",
            "import sys; print(sys.prefix != sys.base_prefix, sys.base_prefix)",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("True {prefix}")
    );
    let pip = project.work.dir.path().join(".venv/bin/pip");
    output_of(std::process::Command::new(pip).arg("--version"), 0);
    let env = project.vx().args(["exec", "--", "env"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&env.stdout).contains("PYTHONHOME"),
        "PYTHONHOME set"
    );
}

#[test]
fn an_archive_without_python_and_pip_gets_both_from_vx() {
    let archive = python::archive(python::Without::UnversionedCommands);
    let (_gh, project, version) = installable(archive);
    project.synced();
    assert_eq!(
        project.run(&["python", "--version"]),
        format!("Python {version}")
    );
    assert!(project.run(&["pip", "--version"]).starts_with("pip "));
}

#[test]
fn an_archive_without_pip_is_a_clear_error() {
    let (_gh, project, version) = installable(python::archive(python::Without::Pip));
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    // The sync's report (stdout) names the tool and why it failed.
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains(&format!(
            "python {version}: failed: bin `bin/pip3` is not in the archive"
        )),
        "{report}"
    );
    let exec = project
        .vx()
        .args(["exec", "--", "python", "--version"])
        .output()
        .unwrap();
    assert!(!exec.status.success(), "python ran from a half install");
}

/// pbs-installer's own release of its table: real assets and their sha256.
const PBS_INSTALLER: &str = "2026.10.25";

#[test]
fn vx_picks_the_assets_pbs_installer_lists_for_real_releases() {
    let table: serde_json::Value =
        serde_json::from_slice(&std::fs::read(python::pbs_installer_table(PBS_INSTALLER)).unwrap())
            .unwrap();
    let platforms = [
        ("linux-x86_64", "linux", "x86_64"),
        ("macos-aarch64", "macos", "aarch64"),
        ("windows-x86_64", "windows", "x86_64"),
    ];
    for (major, minor, micro, threaded) in [
        (3, 12, 8, false),
        (3, 13, 1, false),
        (3, 10, 16, false),
        (3, 15, 1, true),
    ] {
        let entry = table
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                let v = &e["python_version"];
                v["implementation"] == "cpython"
                    && v["major"] == major
                    && v["minor"] == minor
                    && v["micro"] == micro
                    && v["freethreaded"] == threaded
            })
            .unwrap_or_else(|| panic!("{major}.{minor}.{micro} not in pbs-installer's table"));
        // What the table says each platform downloads: file name and sha256.
        let expected: Vec<(&str, String, String)> = platforms
            .iter()
            .map(|(ours, os, arch)| {
                let file = entry["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| {
                        f["platform"] == *os && f["arch"] == *arch && f["install_only"] == true
                    })
                    .unwrap_or_else(|| panic!("no {os} {arch} install_only build"));
                (
                    *ours,
                    file["filename"].as_str().unwrap().to_owned(),
                    file["sha256"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let tag = expected[0].1.split_once('+').unwrap().1[..8].to_owned();
        let version = format!("{major}.{minor}.{micro}{}", if threaded { "t" } else { "" });
        // The real release as listed: the table's assets, their sums in SHA256SUMS,
        // the other triples and builds beside them, and an older release with the same
        // version that vx must not pick.
        let mut release = python::release(&tag, &[&version], Sums::None, &[]);
        release
            .assets
            .retain(|a| !expected.iter().any(|(_, name, _)| *name == a.name));
        let mut sums = String::new();
        for (_, name, sha) in &expected {
            release = release.asset_without_digest(name, b"not downloaded".to_vec());
            sums.push_str(&format!("{sha}  {name}\n"));
        }
        release = release.asset_without_digest("SHA256SUMS", sums.into_bytes());
        let older = python::release("20240101", &[&version], Sums::Digests, &[]);
        let gh = github(vec![release, older]);
        let project = Project::new(
            &python::config(&gh.web_url()),
            &format!(
                "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n[tools]\npython = \"{major}.{minor}{}\"\n",
                if threaded { "t" } else { "" }
            ),
        );
        project.lock_exit(0);
        let lock = project.lock();
        assert_eq!(
            lock["tools"]["python"]["version"].as_str(),
            Some(version.as_str())
        );
        assert_eq!(lock["tools"]["python"]["tag"].as_str(), Some(tag.as_str()));
        for (platform, name, sha) in &expected {
            let one = locked(&lock, "python", platform);
            assert_eq!(
                &file_of(one["url"].as_str().unwrap()),
                name,
                "{version} {platform}"
            );
            assert_eq!(
                one["sha256"].as_str(),
                Some(sha.as_str()),
                "{version} {platform}"
            );
        }
    }
}

/// Python printing its prefix and `VIRTUAL_ENV`: the same path twice in a venv.
const PRINT_VENV: &str = "import os, sys; print(sys.prefix, os.environ['VIRTUAL_ENV'])";

/// Issue 49, item 7: `[settings] python_venv = ".venv"` — `vx sync` makes the
/// virtual environment with the project's locked python (the real CPython of the
/// publisher's archive), and `vx exec`, `vx run`, the hook and the shims activate it
/// as its `activate` script does: `VIRTUAL_ENV` set, its `bin` first on `PATH`, so
/// `python` and `pip` are the venv's.
#[test]
fn the_project_virtual_environment_is_made_with_its_python_and_activated_everywhere() {
    let (_gh, project, version) = installable_as(
        python::archive(python::Without::Nothing),
        "[settings]\nplatforms = [\"linux-x86_64\"]\npython_venv = \".venv\"\n\
         [tools]\npython = \"3.12\"\n\
         [scripts]\nwhere = \"python -c 'import os, sys; print(sys.prefix, os.environ[\\\"VIRTUAL_ENV\\\"])'\"\n",
    );
    let dir = project.work.dir.path().to_owned();
    let venv = dir.join(".venv");
    let said = project.ok(&["sync", "--headless"]);
    assert!(
        said.contains("made the virtual environment .venv"),
        "{said}"
    );
    // Made by the store's python, of the locked version.
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(
        crate::common::unkeyed(&cfg).contains(&format!("/python/{version}/bin")),
        "{cfg}"
    );
    assert!(cfg.contains(&format!("version = {version}")), "{cfg}");

    let shown = format!("{} {}", venv.display(), venv.display());
    // vx exec: the venv's python, VIRTUAL_ENV, its bin first.
    assert_eq!(project.run(&["python", "-c", PRINT_VENV]), shown);
    let path = project.run(&["sh", "-c", "echo $PATH"]);
    assert_eq!(
        path.split(':').next(),
        Some(venv.join("bin").to_str().unwrap()),
        "{path}"
    );
    let pip = project.run(&["pip", "--version"]);
    assert!(
        pip.contains(&format!(
            "{}/lib/python3.12/site-packages/pip",
            venv.display()
        )),
        "{pip}"
    );

    // vx run.
    let out = common::succeeded(project.vx().args(["run", "where"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), shown);

    // The hook and the shims, once the project is trusted.
    project.vx().arg("trust").assert().success();
    let hook = project.hook_env();
    let hook = String::from_utf8_lossy(&hook.stdout);
    assert!(
        hook.contains(&format!(
            "export VIRTUAL_ENV={}",
            vx_project::toolchain::shell::sh_quote(&venv.display().to_string())
        )),
        "{hook}"
    );
    let path_line = hook
        .lines()
        .find(|l| l.starts_with("export PATH="))
        .unwrap();
    assert!(
        path_line.starts_with(&format!(
            "export PATH={}",
            vx_project::toolchain::shell::sh_quote(&format!("{}:", venv.join("bin").display()))
                .trim_end_matches('\'')
        )),
        "{path_line}"
    );
    let (stdout, _) = output_of(
        project
            .vx()
            .args(["exec", "--", "sh", "-c"])
            .arg("PATH=/nonexistent \"$HOME/.local/share/vx/shims/python\" -c 'import os, sys; print(sys.prefix, os.environ[\"VIRTUAL_ENV\"])'"),
        0,
    );
    assert_eq!(stdout.trim(), shown);

    // Removed, it is made again by the next `vx exec` (not run from the record).
    std::fs::remove_dir_all(&venv).unwrap();
    assert_eq!(project.run(&["python", "-c", PRINT_VENV]), shown);
}

/// The `[settings] python_venv` project of a uv team: python, uv (the real uv of
/// astral-sh/uv's release archive, `common::publishers::uv`) and `.venv`.
fn uv_team_project() -> (GithubFixture, TestServer, Project, String) {
    use common::publishers::uv;
    let archive = uv::archive();
    let server = TestServer::start([("/uv.tar.gz", Route::Ok(archive.clone()))]);
    let manifest = format!(
        "[settings]\nplatforms = [\"linux-x86_64\"]\npython_venv = \".venv\"\n\
         [tools]\npython = \"3.12\"\n\n\
         [tools.uv]\nversion = \"{}\"\nurl = \"{}\"\nsha256 = \"{}\"\nstrip_components = 1\n",
        uv::VERSION,
        server.url("/uv.tar.gz"),
        sha256_hex(&archive)
    );
    let (gh, project, version) =
        installable_as(python::archive(python::Without::Nothing), &manifest);
    (gh, server, project, version)
}

/// Points `venv`'s `pyvenv.cfg` at `home`, as a venv made with another python reads.
fn venv_home_is(venv: &std::path::Path, home: &std::path::Path) {
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    let cfg: String = cfg
        .lines()
        .map(|line| match line.starts_with("home ") {
            true => format!("home = {}\n", home.display()),
            false => format!("{line}\n"),
        })
        .collect();
    std::fs::write(venv.join("pyvenv.cfg"), cfg).unwrap();
}

/// The `venv` finding of `vx doctor --offline --json` in `project`.
fn doctor_venv(project: &Project) -> serde_json::Value {
    doctor_finding(project, "venv")
}

/// The finding `check` of `vx doctor --offline --json` in `project`.
fn doctor_finding(project: &Project, check: &str) -> serde_json::Value {
    let out = project
        .vx()
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .cloned()
        .unwrap_or_else(|| panic!("no {check} finding: {report}"))
}

/// Issue 63, item 9: `vx doctor` reads pyproject.toml's `requires-python` against the
/// project's python (uv refuses a python outside it; vx said nothing).
#[test]
fn doctor_judges_the_projects_python_by_pyprojects_requires_python() {
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\npython = \"3.12\"\n";
    let (_gh, project, version) =
        installable_as(python::archive(python::Without::Nothing), manifest);
    project.ok(&["sync", "--headless"]);
    let pyproject = project.work.dir.path().join("pyproject.toml");
    std::fs::write(
        &pyproject,
        "[project]\nname = \"svc\"\nrequires-python = \">=3.13\"\n",
    )
    .unwrap();
    let finding = doctor_finding(&project, "python");
    assert_eq!(finding["status"], "problem", "{finding}");
    assert!(
        finding["what"].as_str().unwrap().contains(&format!(
            "python {version} is outside pyproject.toml's requires-python >=3.13"
        )),
        "{finding}"
    );
    std::fs::write(
        &pyproject,
        "[project]\nname = \"svc\"\nrequires-python = \">=3.10,<3.13\"\n",
    )
    .unwrap();
    assert_eq!(doctor_finding(&project, "python")["status"], "ok");
}

/// Issue 63, items 2 and 3: a uv team's `.venv` is made with the project's uv (`uv
/// venv`, no pip: python's `-m venv` took 6.7 s bootstrapping pip) and lives with the
/// project's python: when the python it was made with is gone (`python = "3.12.15"`
/// and `vx prune` took the old one) `vx doctor` says so and `vx exec` makes it again
/// before it runs `python` (it ran the store's bare python, the venv's packages
/// missing); when another python made it, `vx sync` makes it again.
#[test]
fn a_uv_teams_venv_is_made_with_uv_and_made_again_when_its_python_is_not_the_projects() {
    use common::publishers::uv;
    let (_gh, _uv, project, _version) = uv_team_project();
    let venv = project.work.dir.path().join(".venv");
    std::fs::write(project.work.dir.path().join("uv.lock"), "version = 1\n").unwrap();
    let said = project.ok(&["sync", "--headless"]);
    assert!(
        said.contains("made the virtual environment .venv"),
        "{said}"
    );
    // A uv project: the hint that its packages are uv's to install (issue 63, item 9).
    assert!(
        said.contains("uv.lock is here: `vx exec -- uv sync` installs the project's packages"),
        "{said}"
    );
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains(&format!("uv = {}", uv::VERSION)),
        "uv made it: {cfg}"
    );
    assert!(
        !venv.join("bin/pip").exists(),
        "no pip, as uv venv makes it"
    );
    let shown = format!("{} {}", venv.display(), venv.display());
    assert_eq!(project.run(&["python", "-c", PRINT_VENV]), shown);
    assert_eq!(doctor_venv(&project)["status"], "ok");
    // `vx which` names what `vx exec` runs: the venv's python (it named the store's).
    let (which, _) = project.ok_output(&["which", "python"]);
    assert_eq!(which.trim(), venv.join("bin/python").display().to_string());

    // Its python gone, as a prune of the old python leaves it.
    let gone = project
        .work
        .dir
        .path()
        .join("store/python/3.12.9-0123456789ab/bin");
    venv_home_is(&venv, &gone);
    std::fs::write(venv.join("installed-before"), "").unwrap();
    let finding = doctor_venv(&project);
    assert_eq!(finding["status"], "problem", "{finding}");
    assert!(
        finding["what"].as_str().unwrap().contains("is gone"),
        "{finding}"
    );
    let out = project
        .vx()
        .args(["exec", "--", "python", "-c", PRINT_VENV])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), shown);
    assert!(
        stderr.contains("made the virtual environment .venv again: the python it was made with"),
        "{stderr}"
    );
    assert!(!venv.join("installed-before").exists(), "a new venv");
    assert_eq!(doctor_venv(&project)["status"], "ok");

    // Made by another python (the machine's): `vx sync` makes it again.
    std::fs::remove_dir_all(&venv).unwrap();
    let made = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(made.success());
    assert_eq!(doctor_venv(&project)["status"], "problem");
    let said = project.ok(&["sync", "--headless"]);
    assert!(
        said.contains("made the virtual environment .venv again: it was made with"),
        "{said}"
    );
    assert_eq!(project.run(&["python", "-c", PRINT_VENV]), shown);
    assert_eq!(doctor_venv(&project)["status"], "ok");
}

/// Issue 63, item 2: `vx prune` keeps the python a project's virtual environment was
/// made with, and says why, though no lock pins it any more; once that venv is gone,
/// the python goes.
#[test]
fn prune_keeps_the_python_a_venv_was_made_with() {
    let (_gh, _uv, project, version) = uv_team_project();
    project.ok(&["sync", "--headless"]);
    // The venv's project pins nothing any more (its lock gone), and the project
    // pruning (another, in `other/`, of the same store) has no python of its own.
    std::fs::remove_file(project.work.dir.path().join("vx.lock")).unwrap();
    let other = project.work.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("vx.toml"), "[tools]\n").unwrap();
    let prune = |args: &[&str]| {
        let out = common::succeeded(project.vx().current_dir(&other).arg("prune").args(args));
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    let said = prune(&["--dry-run"]);
    let venv = project.work.dir.path().join(".venv");
    assert!(
        said.lines().any(|l| l.contains("python")
            && l.contains(&version)
            && l.contains(&format!("the virtual environment {}", venv.display()))),
        "{said}"
    );
    prune(&[]);
    assert!(crate::common::has_tree(&store, "python", &version), "kept");
    std::fs::remove_dir_all(&venv).unwrap();
    prune(&[]);
    assert!(
        !crate::common::has_tree(&store, "python", &version),
        "gone with its venv"
    );
}

/// A project that keeps its python in `.python-version` (issue 64, done-when): read in
/// place with no vx.toml, and through vx.toml's `version_file`. Editing the file changes
/// the python the next `vx exec` runs (the store's tree of the new version), the lock
/// following it, and the hook puts that python on `PATH`; in place, vx.lock is the only
/// file written. The same real CPython is served under two versions: which tree runs
/// is what tells them apart.
#[test]
fn editing_python_version_changes_the_python_the_next_exec_runs() {
    let (version, archive) = python::archive(python::Without::Nothing);
    let other = if version == "3.12.0" {
        "3.12.50"
    } else {
        "3.12.0"
    }
    .to_owned();
    let triple = "x86_64-unknown-linux-gnu";
    let served = vec![
        (
            python::asset_name(&version, "20250115", triple),
            archive.clone(),
        ),
        (python::asset_name(&other, "20250115", triple), archive),
    ];
    let gh = github(vec![python::release(
        "20250115",
        &[&version, &other],
        Sums::Digests,
        &served,
    )]);
    const PREFIX: &str = "import sys; print(sys.prefix)";
    for in_place in [true, false] {
        let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n\
                        [tools]\npython = { version_file = \".python-version\" }\n";
        let project = Project::new(&python::config(&gh.web_url()), manifest);
        let dir = project.work.dir.path().to_owned();
        if in_place {
            std::fs::remove_file(dir.join("vx.toml")).unwrap();
        }
        let top = || {
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        for pinned in [&version, &other] {
            std::fs::write(dir.join(".python-version"), format!("{pinned}\n")).unwrap();
            let prefix = project.run(&["python", "-c", PREFIX]);
            assert!(
                prefix.contains(&format!("/python/{pinned}")),
                "in place: {in_place}; .python-version {pinned}: ran {prefix}"
            );
            assert_eq!(
                project.lock()["tools"]["python"]["version"].as_str(),
                Some(pinned.as_str()),
                "in place: {in_place}"
            );
        }
        // The hook activates the python the file names.
        let hook = project.hook_env();
        let hook = String::from_utf8_lossy(&hook.stdout);
        let path_line = hook
            .lines()
            .find(|l| l.starts_with("export PATH="))
            .unwrap_or_default();
        assert!(
            path_line.contains(&format!("/python/{other}")),
            "in place: {in_place}: {hook}"
        );
        if in_place {
            assert_eq!(
                top(),
                [".python-version", "boards", "home", "vx.lock"],
                "in place, vx.lock is the only file written"
            );
        }
    }
}

/// `vx ARGS` in `project`, started (stdio null, its stderr to `stderr`), for a test
/// that must not wait on it unbounded.
fn spawned_vx(project: &Project, args: &[&str], stderr: &std::path::Path) -> std::process::Child {
    let home = project.work.dir.path().join("home");
    let (set, removed) = common::isolation(&home);
    let mut vx = std::process::Command::new(assert_cmd::cargo::cargo_bin("vx"));
    vx.args(args)
        .envs(project.work.vx_env())
        .envs(set)
        .current_dir(project.work.dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(stderr).unwrap());
    for var in removed.iter().chain(&["JAVA_HOME"]) {
        vx.env_remove(var);
    }
    vx.spawn().unwrap()
}

/// Waits (bounded) for `child` to end: its exit code.
fn ended(child: &mut std::process::Child, what: &str) -> Option<i32> {
    let status = common::wait_for(what, || child.try_wait().unwrap());
    status.code()
}

/// Whether process `pid` is running (there, and not a zombie).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// A `venv.py` at the project's root that records that it ran (python's `-m venv` run
/// from the project directory imports it instead of the standard library's).
fn plant_venv_py(dir: &std::path::Path) -> std::path::PathBuf {
    let ran = dir.join("venv-py-ran");
    std::fs::write(
        dir.join("venv.py"),
        format!("open({:?}, 'w').write('ran')\n", ran.display().to_string()),
    )
    .unwrap();
    ran
}

/// Issue 78, item 4: making the venv runs nothing of the clone. A `venv.py` planted at
/// the project's root did run at `vx sync` (vx ran `python -m venv .venv` from the
/// project directory): python now runs isolated (`-I`) from its own directory. And the
/// venv is made only into nothing or a plain directory: a dangling `.venv/pyvenv.cfg`
/// link (python created the link's target, outside the project) and a FIFO there
/// (`vx sync` hung on it) are refused with a clear error, nothing made outside.
#[test]
fn making_the_venv_runs_nothing_of_the_clone_and_refuses_links_and_fifos() {
    let (_gh, project, _version) = installable_as(
        python::archive(python::Without::Nothing),
        "[settings]\nplatforms = [\"linux-x86_64\"]\npython_venv = \".venv\"\n\
         [tools]\npython = \"3.12\"\n",
    );
    let dir = project.work.dir.path().to_owned();
    let venv = dir.join(".venv");
    let ran = plant_venv_py(&dir);
    let said = project.ok(&["sync", "--headless"]);
    assert!(
        said.contains("made the virtual environment .venv"),
        "{said}"
    );
    assert!(!ran.exists(), "the clone's venv.py ran");
    // No uv of vx's in the store, nor to be had (this GitHub has no astral-sh/uv):
    // python's venv made it, and that is said once, with why.
    assert_eq!(said.matches("with python -m venv").count(), 1, "{said}");
    assert!(said.contains("cannot be had ("), "{said}");
    assert!(venv.join("bin/pip").exists(), "{said}");
    // `vx exec` making it again runs nothing of the clone either.
    std::fs::remove_dir_all(&venv).unwrap();
    project.run(&["python", "-c", "pass"]);
    assert!(venv.join("pyvenv.cfg").is_file());
    assert!(!ran.exists(), "the clone's venv.py ran at vx exec");

    // A dangling link where python writes pyvenv.cfg.
    let outside = project.work.dir.path().join("home/outside-the-project");
    std::fs::remove_dir_all(&venv).unwrap();
    std::fs::create_dir(&venv).unwrap();
    std::os::unix::fs::symlink(&outside, venv.join("pyvenv.cfg")).unwrap();
    let stderr = project.exit(&["sync", "--headless"], 1);
    assert!(
        stderr.contains(".venv/pyvenv.cfg is a symbolic link"),
        "{stderr}"
    );
    assert!(!outside.exists(), "made outside the project");
    // A FIFO there: refused at once, not waited on.
    std::fs::remove_file(venv.join("pyvenv.cfg")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(venv.join("pyvenv.cfg"))
        .status()
        .unwrap();
    assert!(made.success());
    let log = dir.join("sync.stderr");
    let mut sync = spawned_vx(&project, &["sync", "--headless"], &log);
    let code = ended(&mut sync, "vx sync to refuse the FIFO");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(".venv/pyvenv.cfg is a FIFO"), "{stderr}");
    // `.venv` itself a link out of the project: refused too.
    std::fs::remove_dir_all(&venv).unwrap();
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, &venv).unwrap();
    let stderr = project.exit(&["sync", "--headless"], 1);
    assert!(stderr.contains(".venv is a symbolic link"), "{stderr}");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

/// The real uv's release asset on the loopback GitHub, as a `[tools.uv]` table: how a
/// test puts vx's uv into the store (the receipt of a tree from astral-sh/uv's
/// release), as a PyPI tool's install does.
fn uv_from_the_release(gh: &GithubFixture) -> String {
    use common::publishers::uv;
    let archive = uv::archive();
    format!(
        "[tools.uv]\nversion = \"{}\"\nurl = \"{}/{}/{}/releases/download/{}/{}\"\nsha256 = \"{}\"\nstrip_components = 1\n",
        uv::VERSION,
        gh.web_url(),
        uv::OWNER,
        uv::REPO,
        uv::VERSION,
        uv::asset_name(uv::TRIPLE),
        sha256_hex(&archive)
    )
}

/// Issue 79, item 2: a project with `python_venv` and no uv of its own gets its venv
/// from vx's uv (`uv venv`, tens of milliseconds, where `python -m venv` bootstraps pip
/// for seconds), offline, with pip put in from the python's own bundled wheel: `pip
/// install` works in it as after `python -m venv`; the clone's `venv.py` does not run.
#[test]
fn the_project_venv_is_made_offline_with_vxs_uv_and_its_pip_works() {
    use common::publishers::uv;
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
    // vx's uv into the store, as a PyPI tool's install puts it there.
    let project = Project::new(
        &python::config(&gh.web_url()),
        &format!(
            "{base}[tools]\npython = \"3.12\"\n\n{}",
            uv_from_the_release(&gh)
        ),
    );
    project.synced();
    // The project: python and its venv, no uv.
    project.work.write_manifest(&format!(
        "{base}python_venv = \".venv\"\n[tools]\npython = \"3.12\"\n"
    ));
    let dir = project.work.dir.path().to_owned();
    let ran = plant_venv_py(&dir);
    let said = project.ok(&["sync", "--headless", "--offline"]);
    assert!(
        said.contains("made the virtual environment .venv"),
        "{said}"
    );
    assert!(!said.contains("python -m venv"), "{said}");
    assert!(!ran.exists(), "the clone's venv.py ran");
    let venv = dir.join(".venv");
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains(&format!("uv = {}", uv::VERSION)),
        "uv made it: {cfg}"
    );
    // pip, from the python's own wheel, installs: its own wheel again, offline.
    let pip = project.run(&["pip", "--version"]);
    assert!(
        pip.contains(&format!(
            "{}/lib/python3.12/site-packages/pip",
            venv.display()
        )),
        "{pip}"
    );
    let wheel = project.run(&[
        "python",
        "-c",
        "import ensurepip, glob, os; print(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))[0])",
    ]);
    let out = project
        .vx()
        .args([
            "exec",
            "--offline",
            "--",
            "pip",
            "install",
            "--no-index",
            "--force-reinstall",
        ])
        .arg(wheel.trim())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Successfully installed pip"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 79, item 2's left-over: with no uv of vx's in the store yet, vx fell back to
/// `python -I -m venv` (seconds: pip's bootstrap). It now fetches its own uv for the
/// venv as a PyPI tool's install does (astral-sh/uv's release, checked by its digest)
/// and makes the venv with `uv venv` and pip from the python's own wheel; only when uv
/// cannot be had (here: offline) does python's venv make it, and the reason is said
/// once.
#[test]
fn vx_fetches_its_own_uv_to_make_the_project_venv_and_says_why_when_it_cannot() {
    use common::publishers::uv;
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
    let project = Project::new(
        &python::config(&gh.web_url()),
        &format!("{base}[tools]\npython = \"3.12\"\n"),
    );
    project.synced();
    project.work.write_manifest(&format!(
        "{base}python_venv = \".venv\"\n[tools]\npython = \"3.12\"\n"
    ));
    let dir = project.work.dir.path().to_owned();
    let venv = dir.join(".venv");
    let store = dir.join("home/.local/share/vx/store");
    // Offline: uv cannot be fetched, and that is why python's venv makes it, said
    // once.
    let said = project.ok(&["sync", "--headless", "--offline"]);
    assert_eq!(said.matches("with python -m venv").count(), 1, "{said}");
    assert!(said.contains("cannot be had (vx is offline)"), "{said}");
    assert!(!common::has_tree(&store, "uv", uv::VERSION), "{said}");
    // Online: vx's uv is fetched into the store and makes the venv, pip put in from
    // the python's wheel.
    std::fs::remove_dir_all(&venv).unwrap();
    let said = project.ok(&["sync", "--headless"]);
    assert!(
        said.contains("made the virtual environment .venv"),
        "{said}"
    );
    assert!(!said.contains("python -m venv"), "{said}");
    assert!(common::has_tree(&store, "uv", uv::VERSION), "{said}");
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains(&format!("uv = {}", uv::VERSION)),
        "uv made it: {cfg}"
    );
    let pip = project.run(&["pip", "--version"]);
    assert!(
        pip.contains(&format!(
            "{}/lib/python3.12/site-packages/pip",
            venv.display()
        )),
        "{pip}"
    );
    // Made again, it is the uv in the store that makes it, offline.
    std::fs::remove_dir_all(&venv).unwrap();
    let said = project.ok(&["sync", "--headless", "--offline"]);
    assert!(!said.contains("python -m venv"), "{said}");
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(cfg.contains(&format!("uv = {}", uv::VERSION)), "{cfg}");
}

/// A project whose venv is made by a uv of its own that never ends (it writes its pid
/// into `uv.pid` of the directory returned, then sleeps): the project, the pid file,
/// and what must live as long as the project (the directory, the server of uv's
/// archive, the loopback GitHub).
fn a_venv_maker_that_never_ends() -> (
    Project,
    std::path::PathBuf,
    (tempfile::TempDir, TestServer, GithubFixture),
) {
    let work = tempfile::tempdir().unwrap();
    let pidfile = work.path().join("uv.pid");
    let script = format!(
        "#!/bin/sh\necho $$ > {}\nexec sleep 300\n",
        pidfile.display()
    );
    let archive = vx_fixture::tar_gz(&[vx_fixture::Item::File("uv", script.into_bytes(), 0o755)]);
    let server = TestServer::start([("/uv.tar.gz", Route::Ok(archive.clone()))]);
    let manifest = format!(
        "[settings]\nplatforms = [\"linux-x86_64\"]\npython_venv = \".venv\"\n\
         [tools]\npython = \"3.12\"\n\n\
         [tools.uv]\nversion = \"0.0.1\"\nurl = \"{}\"\nsha256 = \"{}\"\nbin = [\"uv\"]\n",
        server.url("/uv.tar.gz"),
        sha256_hex(&archive)
    );
    let (gh, project, _) = installable_as(python::archive(python::Without::Nothing), &manifest);
    (project, pidfile, (work, server, gh))
}

/// `vx sync` started in `project` and the pid of the venv's maker once it runs.
fn sync_while_the_venv_is_made(
    project: &Project,
    pidfile: &std::path::Path,
) -> (std::process::Child, u32, std::path::PathBuf) {
    let log = project.work.dir.path().join("sync.stderr");
    let sync = spawned_vx(project, &["sync", "--headless"], &log);
    let pid: u32 = common::wait_for("the venv's maker to start", || {
        std::fs::read_to_string(pidfile)
            .ok()
            .and_then(|text| text.trim().parse().ok())
    });
    assert!(running(pid));
    (sync, pid, log)
}

/// Issue 78, item 4: what makes the venv ends with a `vx sync` that is interrupted
/// (it ran on, its parent gone): a uv of the project's that never ends, SIGINT to vx.
#[test]
fn an_interrupted_sync_ends_what_makes_the_venv() {
    let (project, pidfile, _kept) = a_venv_maker_that_never_ends();
    let (mut sync, pid, log) = sync_while_the_venv_is_made(&project, &pidfile);
    let sent = std::process::Command::new("kill")
        .args(["-INT", &sync.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let code = ended(&mut sync, "vx sync to end");
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert_eq!(code, Some(130), "{stderr}");
    common::wait_for("the venv's maker to end with vx", || {
        (!running(pid)).then_some(())
    });
}

/// Issue 78, item 4's gap: a SIGKILLed `vx sync` left the venv's maker running to its
/// end (its process group and deadline are vx's to act on, and vx was gone). It runs
/// tied to vx as an install child is (`vx tied`: the parent-death signal, then its
/// group ended): SIGKILL to vx, and the maker ends too.
#[test]
fn a_killed_sync_ends_what_makes_the_venv() {
    let (project, pidfile, _kept) = a_venv_maker_that_never_ends();
    let (mut sync, pid, _log) = sync_while_the_venv_is_made(&project, &pidfile);
    sync.kill().unwrap();
    let _ = sync.wait();
    common::wait_for("the venv's maker to end with the SIGKILLed vx", || {
        (!running(pid)).then_some(())
    });
}
