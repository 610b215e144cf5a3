//! Erlang and Elixir by name (issue 37), end to end with the real `vx` against a
//! loopback builds.hex.pm (tests/common/publishers/hexpm.rs) reached through the user
//! config's `url_replacements`: locked from `builds.txt` alone, the oldest Ubuntu build
//! chosen and said, macOS/Windows `unsupported`; elixir built for the project's OTP;
//! real Erlang/OTP and Elixir (Debian's, in builds.hex.pm's layouts) installed with
//! OTP's own `Install` step and run through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::publishers::hexpm::{self, Elixir, Otp};
use common::*;
use vx_fixture::{Route, TestServer};

const THREE: &str =
    "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n";
const LINUX: &str = "[settings]\nplatforms = [\"linux-x86_64\"]\n";

fn otp_index() -> Vec<Otp> {
    vec![
        Otp::listed("26.2.5.6", &["ubuntu-20.04", "ubuntu-22.04"]),
        Otp::listed("27.1.2", &["ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04"]),
        Otp::listed("28.0", &["ubuntu-22.04", "ubuntu-24.04"]),
    ]
}

fn elixir_index() -> Vec<Elixir> {
    [
        "v1.17.3-otp-25",
        "v1.17.3-otp-26",
        "v1.17.3-otp-27",
        "v1.18.1-otp-28",
        "v1.17-otp-27",
    ]
    .iter()
    .map(|name| Elixir {
        name: (*name).to_owned(),
        served: None,
    })
    .collect()
}

#[test]
fn erlang_locks_the_oldest_ubuntu_build_and_no_build_for_macos_or_windows() {
    let builds = hexpm::serve(&otp_index(), &[]);
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{THREE}[tools]\nerlang = \"OTP-27.1.2\"\n"),
    );
    let stderr = project.ok(&["lock"]);
    assert!(
        stderr
            .contains("erlang: linux-x86_64: the ubuntu-20.04 build (runs on glibc 2.31 or newer)"),
        "{stderr}"
    );
    let lock = project.lock();
    let entry = &lock["tools"]["erlang"];
    assert_eq!(entry["version"].as_str(), Some("27.1.2"));
    assert_eq!(entry["tag"].as_str(), Some("OTP-27.1.2"));
    assert_eq!(entry["package"].as_str(), Some("runtime:erlang"));
    let linux = entry["platforms"]["linux-x86_64"].as_table().unwrap();
    assert_eq!(
        linux["url"].as_str(),
        Some("https://builds.hex.pm/builds/otp/amd64/ubuntu-20.04/OTP-27.1.2.tar.gz")
    );
    assert_eq!(
        linux["checksum"].as_str(),
        Some("index:https://builds.hex.pm/builds/otp/amd64/ubuntu-20.04/builds.txt")
    );
    assert_eq!(linux["sha256"].as_str().unwrap().len(), 64);
    for platform in ["macos-aarch64", "windows-x86_64"] {
        let reason = entry["unsupported"][platform].as_str().unwrap();
        assert!(reason.contains("Linux only"), "{reason}");
    }
    assert!(
        builds.paths().iter().all(|p| !p.ends_with(".tar.gz")),
        "an archive was fetched: {:?}",
        builds.paths()
    );

    // 28.0 has no ubuntu-20.04 build: the next oldest is locked.
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nerlang = \"latest\"\n"),
    );
    project.ok(&["lock"]);
    let lock = project.lock();
    assert_eq!(lock["tools"]["erlang"]["version"].as_str(), Some("28.0"));
    assert!(
        lock["tools"]["erlang"]["platforms"]["linux-x86_64"]["url"]
            .as_str()
            .unwrap()
            .contains("/amd64/ubuntu-22.04/OTP-28.0.tar.gz")
    );
}

#[test]
fn erlang_versions_as_users_write_them_and_one_that_does_not_exist() {
    let builds = hexpm::serve(&otp_index(), &[]);
    for (written, version) in [("27", "27.1.2"), ("26", "26.2.5.6"), ("27.1.2", "27.1.2")] {
        let project = Project::new(
            &hexpm::config(&builds),
            &format!("{LINUX}[tools]\nerlang = \"{written}\"\n"),
        );
        project.ok(&["lock"]);
        assert_eq!(
            project.lock()["tools"]["erlang"]["version"].as_str(),
            Some(version),
            "{written}"
        );
    }
    let manifest = format!("{LINUX}[tools]\nerlang = \"25\"\n");
    let project = Project::new(&hexpm::config(&builds), &manifest);
    project.lock_refused(
        2,
        "no version of erlang matches `25`; the newest are 28.0, 27.1.2, 26.2.5.6",
    );
}

/// A `builds.txt` at the size cap (32 MiB, about 900,000 distinct builds) is read in
/// linear time: the listing's versions were de-duplicated by searching those kept for
/// each line, which took minutes at 300,000 lines and about 25 minutes at the cap (issue 53,
/// item 2). The same `runtime::distinct::Distinct` de-duplicates java's and python's
/// listings.
#[test]
fn a_build_list_at_the_size_cap_locks_in_linear_time() {
    const CAP: usize = 32 << 20;
    let real = format!(
        "OTP-27.1.2 0cd2d5aa 2024-10-17T09:28:13Z {}\n",
        "ab".repeat(32)
    );
    let mut text = real.clone();
    'fill: for a in 100.. {
        for b in 0..1000 {
            for c in 0..1000 {
                let line = format!("OTP-{a}.{b}.{c} r 2024-01-01T00:00:00Z\n");
                if text.len() + line.len() > CAP {
                    break 'fill;
                }
                text.push_str(&line);
            }
        }
    }
    let lines = text.lines().count();
    assert!(lines > 800_000, "{lines}");
    // One Ubuntu's list at the cap, the others holding the one real line: vx reads
    // every list, and one at the cap is the bound to hold.
    let mut routes = vec![(
        "/builds/otp/amd64/ubuntu-24.04/builds.txt".to_owned(),
        Route::Ok(text.into_bytes()),
    )];
    for ubuntu in ["ubuntu-20.04", "ubuntu-22.04"] {
        routes.push((
            format!("/builds/otp/amd64/{ubuntu}/builds.txt"),
            Route::Ok(real.clone().into_bytes()),
        ));
    }
    let server = TestServer::start(routes);
    let project = Project::new(
        &hexpm::config(&server),
        &format!("{LINUX}[tools]\nerlang = \"27.1.2\"\n"),
    );
    // The bound is the command's timeout: the linear read takes about 7 s of CPU in a
    // debug build (a minute or more of wall time on a loaded 2-core machine), the
    // quadratic one about 8 minutes idle (a third of the 25 minutes three lists at
    // the cap took).
    output_of(
        project
            .vx()
            .arg("lock")
            .timeout(std::time::Duration::from_secs(300)),
        0,
    );
    assert_eq!(
        project.lock()["tools"]["erlang"]["version"].as_str(),
        Some("27.1.2")
    );
}

#[test]
fn a_build_list_that_is_not_one_is_an_error_that_writes_nothing() {
    let mut routes = Vec::new();
    for ubuntu in ["ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04"] {
        routes.push((
            format!("/builds/otp/amd64/{ubuntu}/builds.txt"),
            Route::Ok(b"<html><body>Access Denied</body></html>\n".to_vec()),
        ));
    }
    let broken = TestServer::start(routes);
    let project = Project::new(
        &hexpm::config(&broken),
        &format!("{LINUX}[tools]\nerlang = \"27\"\n"),
    );
    let stderr = project.lock_exit(1);
    assert!(
        stderr
            .contains("ubuntu-20.04/builds.txt: not a valid builds.hex.pm OTP build list: line 1"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}

#[test]
fn elixir_takes_the_build_for_the_projects_otp_else_the_newest_and_says_it_needs_erlang() {
    let builds = hexpm::serve(&otp_index(), &elixir_index());
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{THREE}[tools]\nelixir = \"1.17\"\nerlang = \"26\"\n"),
    );
    project.ok(&["lock"]);
    let lock = project.lock();
    let entry = &lock["tools"]["elixir"];
    assert_eq!(entry["version"].as_str(), Some("1.17.3-otp-26"));
    assert_eq!(entry["tag"].as_str(), Some("v1.17.3-otp-26"));
    for platform in ["linux-x86_64", "macos-aarch64", "windows-x86_64"] {
        let one = entry["platforms"][platform].as_table().unwrap();
        assert_eq!(
            one["url"].as_str(),
            Some("https://builds.hex.pm/builds/elixir/v1.17.3-otp-26.zip")
        );
        assert_eq!(
            one["checksum"].as_str(),
            Some("index:https://builds.hex.pm/builds/elixir/builds.txt")
        );
    }
    assert_eq!(
        lock["tools"]["elixir"]["platforms"]["windows-x86_64"]["bin"]
            .as_array()
            .unwrap()[0]
            .as_str(),
        Some("bin/elixir.bat")
    );

    // Without an erlang: the newest OTP's build, and a word that elixir needs one.
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nelixir = \"1.17.3\"\n"),
    );
    let stderr = project.ok(&["lock"]);
    assert!(
        stderr.contains("elixir needs erlang, which this project does not name"),
        "{stderr}"
    );
    assert_eq!(
        project.lock()["tools"]["elixir"]["version"].as_str(),
        Some("1.17.3-otp-27")
    );

    // An OTP no build of that Elixir is for: a clear error naming it, nothing written.
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nerlang = \"28\"\nelixir = \"1.17\"\n"),
    );
    project.lock_refused(2, "among the builds for OTP 28 (the project's erlang 28.0)");
}

#[test]
fn vx_add_elixir_says_it_needs_erlang_until_the_project_names_one() {
    let builds = hexpm::serve(&otp_index(), &elixir_index());
    let project = Project::new(&hexpm::config(&builds), LINUX);
    let stderr = project.ok(&["add", "elixir@1.17"]);
    assert!(
        stderr.contains(
            "elixir needs erlang, which vx.toml does not list: add it too (vx use erlang)"
        ),
        "{stderr}"
    );
    assert!(project.manifest_text().contains("elixir"));
    // With erlang named, nothing more is said.
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nerlang = \"27\"\n"),
    );
    let stderr = project.ok(&["add", "elixir@1.17"]);
    assert!(!stderr.contains("needs erlang"), "{stderr}");
}

#[test]
fn real_erlang_and_elixir_install_with_otps_install_step_and_run_through_vx_exec() {
    let otp_real = hexpm::debian_otp();
    let (_, elixir_version) = hexpm::debian_elixir();
    let version = otp_real.version.as_str();
    let major = otp_real.major.as_str();
    let mut otp = Otp::listed(version, &["ubuntu-20.04", "ubuntu-22.04"]);
    otp.served = Some(hexpm::otp_archive(version));
    let elixir = Elixir {
        name: format!("v{elixir_version}-otp-{major}"),
        served: Some(hexpm::elixir_zip(&elixir_version)),
    };
    let builds = hexpm::serve(&[otp], &[elixir]);
    let elixir_minor = elixir_version.rsplit_once('.').unwrap().0;
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nerlang = \"{major}\"\nelixir = \"{elixir_minor}\"\n"),
    );
    project.ok(&["sync", "--headless"]);
    // The real erl starts and stops.
    assert_eq!(project.exec(&["erl", "-noshell", "-eval", "halt()."]), "");
    let release = project.exec(&[
        "erl",
        "-noshell",
        "-eval",
        "io:format(\"~s ~s~n\", [erlang:system_info(otp_release), code:root_dir()]), halt().",
    ]);
    // OTP's Install wrote the store path (not the unpacking directory) into erl.
    let root = release
        .trim()
        .strip_prefix(&format!("{major} "))
        .unwrap_or_else(|| panic!("{release}"));
    assert!(
        crate::common::unkeyed(root).ends_with(&format!("/erlang/{version}")),
        "{root}"
    );
    let erl = std::fs::read_to_string(std::path::Path::new(root).join("bin/erl")).unwrap();
    assert!(erl.contains(&format!("ROOTDIR=\"{root}\"")), "{erl}");
    // erlc compiles a module, erl runs it, escript runs a script.
    let dir = project.work.dir.path();
    std::fs::write(
        dir.join("hello.erl"),
        "-module(hello).\n-export([main/0]).\nmain() -> io:format(\"hello from erlc~n\").\n",
    )
    .unwrap();
    project.exec(&["erlc", "hello.erl"]);
    assert!(dir.join("hello.beam").is_file());
    let said = project.exec(&[
        "erl", "-noshell", "-s", "hello", "main", "-s", "init", "stop",
    ]);
    assert_eq!(said, "hello from erlc\n");
    std::fs::write(
        dir.join("hi.escript"),
        "#!/usr/bin/env escript\nmain(_) -> io:format(\"hello from escript~n\").\n",
    )
    .unwrap();
    assert_eq!(
        project.exec(&["escript", "hi.escript"]),
        "hello from escript\n"
    );
    // elixir's scripts run the project's erl.
    assert_eq!(project.exec(&["elixir", "-e", "IO.puts 1"]), "1\n");
    let out = project.exec(&["elixir", "--version"]);
    assert!(
        out.contains(&format!("Erlang/OTP {major} "))
            && out.contains(&format!("Elixir {elixir_version} ")),
        "{out}"
    );
    assert!(
        project
            .exec(&["mix", "--version"])
            .contains(&format!("Mix {elixir_version} "))
    );
    // Locked again, nothing changes.
    let before = project.lock_text();
    project.ok(&["lock"]);
    assert_eq!(project.lock_text(), before);
}

#[test]
fn an_old_line_without_a_sha256_is_hashed_on_download_with_a_warning() {
    let mut old = Otp::listed("20.3", &["ubuntu-20.04"]);
    old.sha256 = false;
    let archive = hexpm::otp_archive("20.3");
    old.served = Some(archive.clone());
    let builds = hexpm::serve(&[old], &[]);
    let project = Project::new(
        &hexpm::config(&builds),
        &format!("{LINUX}[tools]\nerlang = \"20.3\"\n"),
    );
    let stderr = project.ok(&["lock"]);
    assert!(
        stderr.contains("warning: erlang: linux-x86_64: https://builds.hex.pm/builds/otp/amd64/ubuntu-20.04/builds.txt gives no sha256"),
        "{stderr}"
    );
    let lock = project.lock();
    let linux = lock["tools"]["erlang"]["platforms"]["linux-x86_64"]
        .as_table()
        .unwrap();
    assert_eq!(linux["checksum"].as_str(), Some("download"));
    assert_eq!(
        linux["sha256"].as_str().map(str::to_owned),
        Some(vx_fixture::sha256_hex(&archive))
    );
}
