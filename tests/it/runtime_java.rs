//! The `java` runtime (issue 37) end to end with the real `vx`: the Adoptium API v3
//! served in its real format by a loopback stand-in (tests/common/publishers/java.rs),
//! reached through the user config's `url_replacements` (the API and the github.com
//! links it gives); locked for several platforms from the API alone; a real JDK
//! (Debian's JDK 17, laid out as Temurin's archive) installed, `javac` compiling and
//! `java` running a class through `vx exec`, with `JAVA_HOME` set to its home by `vx exec`, `vx env` and `vx run`,
//! and the project's own `[env]` winning over it.
#![cfg(unix)]

use crate::common;

use common::publishers::java;
use common::*;

fn api() -> Vec<java::Release> {
    ["23.0.1+11", "21.0.8+9", "21.0.5+11", "17.0.13+11"]
        .into_iter()
        .map(java::Release::listed)
        .collect()
}

#[test]
fn java_locks_every_platform_from_the_adoptium_api_alone() {
    let server = java::serve(&api());
    let project = Project::new(
        &java::config(&server),
        "[settings]\nplatforms = [\"linux-x86_64\", \"linux-x86_64-musl\", \"macos-aarch64\", \"windows-x86_64\", \"macos-x86_64\"]\n\
         [tools]\njava = \"21\"\n",
    );
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    let entry = &lock["tools"]["java"];
    assert_eq!(entry["version"].as_str(), Some("21.0.8+9"));
    assert_eq!(entry["package"].as_str(), Some("runtime:java"));
    assert_eq!(
        entry["tag"].as_str(),
        Some("21.0.8+9.0.LTS"),
        "Adoptium's semver"
    );
    let base = "https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.8%2B9";
    for (platform, name, bin) in [
        (
            "linux-x86_64",
            "OpenJDK21U-jdk_x64_linux_hotspot_21.0.8_9.tar.gz",
            "bin/java",
        ),
        (
            "linux-x86_64-musl",
            "OpenJDK21U-jdk_x64_alpine-linux_hotspot_21.0.8_9.tar.gz",
            "bin/java",
        ),
        (
            "macos-aarch64",
            "OpenJDK21U-jdk_aarch64_mac_hotspot_21.0.8_9.tar.gz",
            "Contents/Home/bin/java",
        ),
        (
            "windows-x86_64",
            "OpenJDK21U-jdk_x64_windows_hotspot_21.0.8_9.zip",
            "bin/java.exe",
        ),
    ] {
        let one = entry["platforms"][platform]
            .as_table()
            .unwrap_or_else(|| panic!("{platform} not locked: {entry:#?}"));
        assert_eq!(
            one["url"].as_str().unwrap(),
            format!("{base}/{name}"),
            "{platform}"
        );
        assert_eq!(
            one["checksum"].as_str().unwrap(),
            format!("index:{}", java::feature_url(21)),
            "{platform}"
        );
        assert_eq!(one["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(one["bin"][0].as_str(), Some(bin), "{platform}");
    }
    assert!(
        entry["unsupported"]["macos-x86_64"]
            .as_str()
            .is_some_and(|r| r.contains("Temurin has no JDK for macos-x86_64")),
        "{entry:#?}"
    );
    // Three API answers, no archive.
    let mut asked = server.paths();
    asked.sort();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked.iter().all(|p| p.starts_with("/v3/")), "{asked:?}");
}

#[test]
fn java_versions_as_users_of_mise_and_sdkman_write_them() {
    let server = java::serve(&api());
    for (written, version) in [
        ("temurin-21", "21.0.8+9"),
        ("temurin-21.0.5+11", "21.0.5+11"),
        ("21.0.5+11.0.LTS", "21.0.5+11"),
        ("temurin-21.0.5+11.0.LTS", "21.0.5+11"),
        ("17", "17.0.13+11"),
        ("lts", "21.0.8+9"),
        ("latest", "23.0.1+11"),
    ] {
        let project = Project::new(
            &java::config(&server),
            &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\njdk = \"{written}\"\n"),
        );
        project.vx().arg("lock").assert().success();
        assert_eq!(
            project.lock()["tools"]["jdk"]["version"].as_str(),
            Some(version),
            "{written}"
        );
    }
}

#[test]
fn unknown_versions_and_other_vendors_are_refused_and_nothing_is_written() {
    let server = java::serve(&api());
    for (written, says) in [
        (
            "22",
            "no version of java matches `22`; the newest are 23.0.1+11, 21.0.8+9, 21.0.5+11",
        ),
        (
            "zulu-17",
            "only Eclipse Temurin (Adoptium) builds are supported",
        ),
    ] {
        let manifest = format!("[tools]\njava = \"{written}\"\n");
        let project = Project::new(&java::config(&server), &manifest);
        let (code, stderr) = project.lock_fails();
        assert_eq!(code, 2, "{written}: {stderr}");
        assert!(stderr.contains(says), "{written}: {stderr}");
        assert_eq!(project.manifest_text(), manifest);
        assert_eq!(project.lock_text(), None);
    }
}

#[test]
fn a_package_without_its_checksum_is_an_error_that_writes_nothing() {
    let mut release = java::Release::listed("21.0.8+9");
    release.checksums = false;
    let server = java::serve(&[release]);
    let project = Project::new(
        &java::config(&server),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\njava = \"21\"\n",
    );
    let (code, stderr) = project.lock_fails();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("has no sha256 for OpenJDK21U-jdk_x64_linux_hotspot_21.0.8_9.tar.gz"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}

/// A publisher's API that links its packages to files of the installing machine
/// (`file:///…`) or to a URL with control characters is refused by name: a lock holds
/// web addresses only, which every teammate can fetch and every later read accepts.
#[test]
fn a_package_linked_to_a_local_file_or_a_garbled_url_is_refused() {
    for link in [
        "file:///etc/passwd",
        "https://github.com/x.tar.gz\u{1b}]0;PWN\u{7}",
    ] {
        let mut release = java::Release::listed("21.0.8+9");
        release.link = Some(link.to_owned());
        let server = java::serve(&[release]);
        let project = Project::new(
            &java::config(&server),
            "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\njava = \"21\"\n",
        );
        let (code, stderr) = project.lock_fails();
        assert_ne!(code, 0, "{link}: {stderr}");
        assert!(
            stderr.contains("java 21.0.8+9 on linux-x86_64: ")
                || stderr.contains("not a valid Adoptium release list"),
            "{stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{stderr}");
        assert_eq!(project.lock_text(), None, "{link}");
    }
}

/// `Hello.java` in `dir`: a class that prints its argument.
pub fn hello_class(dir: &std::path::Path) {
    std::fs::write(
        dir.join("Hello.java"),
        "public class Hello {\n    public static void main(String[] args) {\n        \
         System.out.println(\"hello from \" + args[0]);\n    }\n}\n",
    )
    .unwrap();
}

#[test]
fn a_real_jdk_installs_compiles_and_runs_with_java_home_set_where_path_is() {
    let jdk = java::debian_jdk();
    let version = jdk.version.as_str();
    let archive = std::fs::read(java::real_archive()).unwrap();
    let mut release = java::Release::listed(version);
    release.served = vec![(java::real_name(version), archive)];
    let server = java::serve(&[release]);
    let major = version.split('.').next().unwrap();
    let project = Project::new(
        &java::config(&server),
        &format!(
            "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\njava = \"temurin-{major}\"\n\
             [scripts]\nhome = \"echo $JAVA_HOME\"\n"
        ),
    );
    project.ok(&["sync", "--headless"]);
    // The real JDK, the build the fake API named.
    let numbers = version.split('+').next().unwrap();
    let stderr = project.ok(&["exec", "--", "java", "-version"]);
    assert!(
        stderr.contains(&format!("openjdk version \"{numbers}\"")),
        "{stderr}"
    );
    let home = project.exec(&["sh", "-c", "echo $JAVA_HOME"]);
    let home = home.trim().to_owned();
    assert!(
        crate::common::unkeyed(&home).ends_with(&format!("/java/{version}")),
        "{home}"
    );
    let release = std::fs::read_to_string(std::path::Path::new(&home).join("release")).unwrap();
    assert!(
        release.contains("IMAGE_TYPE=\"JDK\""),
        "JAVA_HOME is the JDK's home: {release}"
    );
    // javac compiles a class and java runs it; jar packs it and runs it from the jar.
    let (javac, javac_err) = project.ok_output(&["exec", "--", "javac", "-version"]);
    assert_eq!(
        format!("{javac}{javac_err}").trim(),
        format!("javac {numbers}")
    );
    let dir = project.work.dir.path();
    hello_class(dir);
    project.exec(&["javac", "Hello.java"]);
    assert!(dir.join("Hello.class").is_file());
    let said = project.exec(&["java", "Hello", "vx"]);
    assert_eq!(said.trim(), "hello from vx");
    project.ok(&[
        "exec",
        "--",
        "jar",
        "--create",
        "--file",
        "hello.jar",
        "--main-class",
        "Hello",
        "Hello.class",
    ]);
    let said = project.exec(&["java", "-jar", "hello.jar", "a jar"]);
    assert_eq!(said.trim(), "hello from a jar");
    let jshell = project.exec(&["jshell", "--version"]);
    assert_eq!(jshell.trim(), format!("jshell {numbers}"));
    project.exec(&["keytool", "-help"]);
    let json = project.ok_output(&["env", "--shell", "json"]).0;
    let vars: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        vars.iter().any(|v| v["JAVA_HOME"] == home.as_str()),
        "{json}"
    );
    let bash = project.ok_output(&["env", "--shell", "bash"]).0;
    assert!(bash.contains("JAVA_HOME="), "{bash}");
    let script = project.ok_output(&["run", "home"]).0;
    assert_eq!(script.trim(), home);

    // The shell hook sets it (from the activation record `vx exec` left).
    let hook = project.ok_output(&["hook-env", "--shell", "bash"]).0;
    assert!(
        hook.lines()
            .any(|l| l.starts_with("export JAVA_HOME=") && l.contains(&home)),
        "{hook}"
    );

    // The daemon's answers carry it too (`get_environment`, and `vx env` through it).
    let sockets = tempfile::tempdir().unwrap();
    let socket = sockets.path().join("daemon.sock");
    let store = std::path::Path::new(&home).ancestors().nth(2).unwrap();
    let daemon = |args: &[&str]| {
        let mut cmd = project.vx();
        cmd.env("VX_DAEMON_SOCKET", &socket)
            .timeout(std::time::Duration::from_secs(60))
            .args(args);
        cmd.output().unwrap()
    };
    let started = daemon(&["daemon", "start", "--store", store.to_str().unwrap()]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let asked = ask(
        &socket,
        &serde_json::json!({"type": "get_environment", "runtime": "java",
                            "cwd": project.work.dir.path()}),
    );
    let via_daemon = daemon(&["env", "--shell", "json"]);
    let stopped = daemon(&["daemon", "stop"]);
    assert_eq!(asked["env"]["JAVA_HOME"], home.as_str(), "{asked}");
    assert_eq!(String::from_utf8_lossy(&via_daemon.stdout), json);
    assert!(stopped.status.success());

    // The project's own [env] wins over the runtime's.
    let manifest = project.manifest_text();
    project.work.write_manifest(&format!(
        "{manifest}[env]\nJAVA_HOME = \"/opt/their-jdk\"\n"
    ));
    let theirs = project.exec(&["sh", "-c", "echo $JAVA_HOME"]);
    assert_eq!(theirs.trim(), "/opt/their-jdk");
    // The hook applies a project's own [env] once the project is trusted.
    project.ok(&["trust"]);
    let hook = project.ok_output(&["hook-env", "--shell", "bash"]).0;
    assert!(
        hook.lines()
            .any(|l| l.starts_with("export JAVA_HOME=") && l.contains("/opt/their-jdk")),
        "{hook}"
    );
}

/// One request to the daemon at `socket` and its one-line answer.
fn ask(socket: &std::path::Path, request: &serde_json::Value) -> serde_json::Value {
    use std::io::{BufRead, Write};
    let mut conn = std::os::unix::net::UnixStream::connect(socket).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    writeln!(conn, "{request}").unwrap();
    let mut line = String::new();
    std::io::BufReader::new(&conn).read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// A mirror of the Adoptium API that answers 404 for the version listing itself (issue
/// 48, item 6): `vx versions java` and `vx lock` fail naming the URL and the status,
/// never an empty table or "the publisher lists no release"; only a page past the end
/// of the listing ends it.
#[test]
fn a_listing_whose_first_page_is_missing_is_an_error_naming_it() {
    let full = java::serve(&api());
    let available = String::from_utf8(
        std::process::Command::new("curl")
            .args(["-sf", &full.url("/v3/info/available_releases")])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // The mirror has the feature list and nothing else.
    let mirror = vx_fixture::TestServer::start([(
        "/v3/info/available_releases",
        vx_fixture::Route::Ok(available.into_bytes()),
    )]);
    let manifest = "[tools]\njava = \"21\"\n";
    let project = Project::new(&java::config(&mirror), manifest);
    let out = project.vx().args(["versions", "java"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("/v3/info/release_versions") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
    assert!(!stderr.contains("lists no release"), "{stderr}");
    let (code, stderr) = project.lock_fails();
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("/v3/info/release_versions") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
    assert_eq!(project.manifest_text(), manifest);
    assert_eq!(project.lock_text(), None);
}
