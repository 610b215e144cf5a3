//! PyPI tools that ship a native program as wheels (issue 52, items 1, 2, 5 and 6):
//! `"pypi:ruff" = "0.8"` locks, for linux-x86_64, macos-aarch64 and windows-x86_64,
//! each platform's `py3-none-PLATFORM` wheel by its URL and the index's own sha256
//! without downloading a wheel; syncs on Linux from a loopback index serving pypi.org's
//! real page and ruff's real wheels, with no python; refuses a wheel that is not the
//! one the index's sha256 names; and reads the index PIP_INDEX_URL names.

use crate::common;

use common::project::{Project, locked};
use common::publishers::pypi::{self, vx};

const MANIFEST: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n\n[tools]\n\"pipx:ruff\" = \"0.8\"\n";

/// `vx sync --headless` in `project` (which must succeed), then what `vx exec --
/// COMMAND --version` gives.
fn synced_then_run(project: &Project, command: &str) -> std::process::Output {
    common::succeeded(vx(project).args(["sync", "--headless"]));
    vx(project)
        .args(["exec", "--", command, "--version"])
        .output()
        .unwrap()
}

#[test]
fn ruff_locks_every_platform_by_the_indexs_sha256_and_runs_without_python() {
    let index = pypi::serve();
    let project = Project::new(&pypi::config(&index), MANIFEST);
    vx(&project).arg("lock").assert().success();
    assert!(
        !index.paths().iter().any(|p| p.ends_with(".whl")),
        "no wheel is downloaded to lock: {:?}",
        index.paths()
    );
    let lock = project.lock();
    let entry = lock["tools"]["ruff"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some(pypi::RUFF));
    assert_eq!(entry["package"].as_str(), Some("pypi:ruff"));
    for ((_, filename), platform) in
        pypi::WHEELS
            .iter()
            .zip(["linux-x86_64", "macos-aarch64", "windows-x86_64"])
    {
        let asset = locked(&lock, "ruff", platform);
        let (url, sha256) = pypi::href(filename);
        assert_eq!(asset["url"].as_str().unwrap(), url, "the index's own URL");
        assert_eq!(
            asset["sha256"].as_str().unwrap(),
            sha256,
            "the index's own hash"
        );
        assert_eq!(asset["format"].as_str(), Some("zip"));
    }
    // Its commands are found in the wheel once unpacked (its `.data/scripts/`), not
    // guessed from the package's name.
    assert!(
        !locked(&lock, "ruff", "windows-x86_64").contains_key("bin"),
        "{lock:#?}"
    );

    let out = synced_then_run(&project, "ruff");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ruff 0.8.4");
}

#[test]
fn a_wheel_that_is_not_the_indexs_is_refused_and_nothing_installed() {
    // The index's page, and at the linux wheel's URL the macOS wheel: a real wheel
    // of ruff, not the one the page's sha256 names.
    let other = pypi::wheel(pypi::WHEELS[1].0, pypi::WHEELS[1].1);
    let index = pypi::serve_with(other);
    let project = Project::new(&pypi::config(&index), MANIFEST);
    let out = vx(&project).args(["sync", "--headless"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    let (_, sha256) = pypi::href(pypi::WHEELS[0].1);
    assert!(
        text.contains("checksum mismatch") && text.contains(&sha256),
        "{text}"
    );
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !crate::common::has_tree(&store, "ruff", pypi::RUFF),
        "nothing of it is installed"
    );
}

#[test]
fn the_index_pip_index_url_names_is_read() {
    let index = pypi::serve();
    // Only the wheels' host is replaced: the page comes from the index named.
    let config = format!(
        "[url_replacements]\n\"https://files.pythonhosted.org/\" = \"{}\"\n",
        index.url("/files/")
    );
    let project = Project::new(&config, MANIFEST);
    vx(&project)
        .env("PIP_INDEX_URL", index.url("/corp/simple/"))
        .arg("lock")
        .assert()
        .success();
    assert!(
        index.paths().iter().any(|p| p == "/corp/simple/ruff/"),
        "{:?}",
        index.paths()
    );
    // Issue 66, item 5: the variable's value may hold a token anywhere (here `corp`
    // stands for one in the path): the lock records the index by the variable's name.
    let lock = project.lock_text().unwrap();
    assert!(
        lock.contains("checksum = \"index:${PIP_INDEX_URL}/ruff/\""),
        "{lock}"
    );
    assert!(!lock.contains("/corp/"), "{lock}");
}

/// Issue 63, item 6: the company index a site-wide pip configuration names (a managed
/// laptop's or a CI image's `/etc/pip.conf`; here `pip/pip.conf` in one of
/// `$XDG_CONFIG_DIRS`, where pip reads site-wide files too) is read as pip reads it,
/// and `-v` says which file chose it. It was ignored: the lock went to PyPI.
#[test]
fn the_index_a_site_wide_pip_configuration_names_is_read_and_said() {
    let index = pypi::serve();
    let config = format!(
        "[url_replacements]\n\"https://files.pythonhosted.org/\" = \"{}\"\n",
        index.url("/files/")
    );
    let project = Project::new(&config, MANIFEST);
    let site = project.work.dir.path().join("site-config");
    let file = site.join("pip/pip.conf");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!("[global]\nindex-url = {}\n", index.url("/corp/simple/")),
    )
    .unwrap();
    let out = vx(&project)
        .env("XDG_CONFIG_DIRS", &site)
        .args(["lock", "-v"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        index.paths().iter().any(|p| p == "/corp/simple/ruff/"),
        "{:?}",
        index.paths()
    );
    // Issue 78, item 7: the path holds more than the index (`corp` stands for a
    // token there): the index is said, and recorded in the lock, by where it came
    // from, never by a URL that may hold the user's token.
    assert!(
        stderr.contains(&format!(
            "PyPI index ${{pip.conf}} from {} (pip's configuration)",
            file.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("/corp/"), "{stderr}");
    let lock = project.lock_text().unwrap();
    assert!(
        lock.contains("checksum = \"index:${pip.conf}/ruff/\""),
        "{lock}"
    );
    assert!(!lock.contains("/corp/"), "{lock}");
}

/// `pipx:rust-just` (issue 63, item 9), the commonest way to get `just` from PyPI: its
/// command is `just`, not the package's name, and it runs with no `bin` written.
#[test]
fn a_wheels_command_named_otherwise_than_its_package_runs() {
    let index = pypi::serve_rust_just();
    let project = Project::new(
        &pypi::config(&index),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n\n[tools]\n\"pipx:rust-just\" = \"1.40\"\n",
    );
    let out = synced_then_run(&project, "just");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "just 1.40.0",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
