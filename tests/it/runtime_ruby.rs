//! The `ruby` runtime (issue 37) end to end with the real `vx`: jdx/ruby's releases
//! served by the loopback GitHub in their real shape (floating `V` and immutable
//! `V-REV` releases, `ruby-{V}.{build}.tar.gz` assets with GitHub digests), reached
//! through the user config's `[github] url`; locked without fetching an archive,
//! platforms without a precompiled build `unsupported` with the reason; installed from
//! an archive in the real layout and run through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::publishers::ruby;
use common::*;
use vx::demo::github::{FixtureRelease, GithubFixture};

/// What this file's tests ask of a [`Project`] (a trait: other files have their own).
trait RubyProject {
    fn lock_exit(&self, code: i32) -> String;
}

impl RubyProject for Project {
    /// `vx lock`, expecting `code`; its stderr.
    fn lock_exit(&self, code: i32) -> String {
        let out = self.vx().arg("lock").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        stderr
    }
}

fn github(releases: Vec<FixtureRelease>) -> GithubFixture {
    let mut builder = GithubFixture::builder();
    for release in releases {
        builder = builder.release(ruby::OWNER, ruby::REPO, release);
    }
    builder.start().unwrap()
}

/// jdx/ruby as it lists its releases, newest first: floating and revision releases.
fn listing() -> GithubFixture {
    github(vec![
        ruby::release("3.4.1", "3.4.1", true, &[]),
        ruby::release("3.4.1-1", "3.4.1", true, &[]),
        ruby::release("3.3.6", "3.3.6", true, &[]),
        ruby::release("3.3.6-2", "3.3.6", true, &[]),
        ruby::release("3.3.6-1", "3.3.6", true, &[]),
        ruby::release("3.3.5-1", "3.3.5", true, &[]),
    ])
}

#[test]
fn ruby_locks_the_newest_revision_and_says_which_platforms_have_no_build() {
    let gh = listing();
    let project = Project::new(
        &ruby::config(&gh.web_url()),
        "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\", \"linux-x86_64-musl\"]\n[tools]\nruby = \"3.3\"\n",
    );
    project.lock_exit(0);
    let lock = project.lock();
    let entry = &lock["tools"]["ruby"];
    assert_eq!(entry["version"].as_str(), Some("3.3.6"));
    assert_eq!(
        entry["tag"].as_str(),
        Some("3.3.6-2"),
        "the immutable revision"
    );
    assert_eq!(entry["package"].as_str(), Some("runtime:ruby"));
    for (platform, build) in [("linux-x86_64", "x86_64_linux"), ("macos-aarch64", "macos")] {
        let one = entry["platforms"][platform].as_table().unwrap();
        assert!(
            one["url"].as_str().unwrap().ends_with(&format!(
                "/jdx/ruby/releases/download/3.3.6-2/ruby-3.3.6.{build}.tar.gz"
            )),
            "{one:?}"
        );
        assert_eq!(one["checksum"].as_str(), Some("github-digest"));
    }
    let text = project.lock_text().unwrap();
    assert!(
        text.contains("ruby: no precompiled build for windows-x86_64"),
        "{text}"
    );
    assert!(
        text.contains("ruby: no precompiled build for linux-x86_64-musl"),
        "{text}"
    );
    assert!(gh.requests().iter().all(|r| !r.is_download()));
}

#[test]
fn ruby_versions_as_users_write_them() {
    let gh = listing();
    for (written, version, tag) in [
        ("3.3.6", "3.3.6", "3.3.6-2"),
        ("3.3.5", "3.3.5", "3.3.5-1"),
        ("3", "3.4.1", "3.4.1-1"),
        ("latest", "3.4.1", "3.4.1-1"),
    ] {
        let project = Project::new(
            &ruby::config(&gh.web_url()),
            &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nruby = \"{written}\"\n"),
        );
        project.lock_exit(0);
        let lock = project.lock();
        assert_eq!(
            lock["tools"]["ruby"]["version"].as_str(),
            Some(version),
            "{written}"
        );
        assert_eq!(
            lock["tools"]["ruby"]["tag"].as_str(),
            Some(tag),
            "{written}"
        );
    }
}

#[test]
fn a_missing_ruby_version_or_digest_is_an_error_that_writes_nothing() {
    let gh = listing();
    let manifest = "[tools]\nruby = \"3.2\"\n";
    let project = Project::new(&ruby::config(&gh.web_url()), manifest);
    let stderr = project.lock_exit(2);
    assert!(
        stderr.contains("no version of ruby matches `3.2`; the newest are 3.4.1, 3.3.6, 3.3.5"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
    assert_eq!(project.manifest_text(), manifest);

    let gh = github(vec![ruby::release("3.3.6-1", "3.3.6", false, &[])]);
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nruby = \"3.3.6\"\n";
    let project = Project::new(&ruby::config(&gh.web_url()), manifest);
    let stderr = project.lock_exit(1);
    assert!(
        stderr.contains("has no sha256 for ruby-3.3.6.x86_64_linux.tar.gz"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
    assert_eq!(project.manifest_text(), manifest);
}

fn installable(archive: Vec<u8>) -> (GithubFixture, Project) {
    let served = [("ruby-3.3.6.x86_64_linux.tar.gz".to_owned(), archive)];
    let gh = github(vec![
        ruby::release("3.3.6", "3.3.6", true, &[]),
        ruby::release("3.3.6-1", "3.3.6", true, &served),
    ]);
    let project = Project::new(
        &ruby::config(&gh.web_url()),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nruby = \"3.3\"\n",
    );
    (gh, project)
}

#[test]
fn ruby_installs_with_gem_bundle_irb_and_rake_and_gems_go_to_the_user() {
    let (_gh, project) = installable(ruby::archive("3.3.6", true));
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = |args: &[&str]| {
        let out = project
            .vx()
            .arg("exec")
            .arg("--")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert!(run(&["ruby", "--version"]).starts_with("ruby 3.3.6 "));
    assert_eq!(run(&["gem", "--version"]), "3.5.22");
    assert_eq!(run(&["bundle", "--version"]), "Bundler version 2.5.22");
    assert_eq!(run(&["irb", "--version"]), "irb 1.13.1 (2024-05-05)");
    assert_eq!(run(&["rake", "--version"]), "rake, version 13.1.0");
    let prefix = run(&["ruby", "-e", "puts RbConfig::CONFIG['prefix']"]);
    assert!(prefix.contains("/ruby/3.3.6"), "{prefix}");
    let hook = std::fs::read_to_string(format!(
        "{prefix}/lib/ruby/site_ruby/3.3.0/rubygems/defaults/operating_system.rb"
    ))
    .unwrap();
    assert!(
        hook.contains("def self.default_dir\n    user_dir\n  end"),
        "{hook}"
    );
    assert!(
        hook.contains("def self.default_specifications_dir"),
        "{hook}"
    );
}

#[test]
fn a_ruby_archive_without_bundle_is_a_clear_error() {
    let (_gh, project) = installable(ruby::archive("3.3.6", false));
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    // The sync's report (stdout) names the tool and why it failed.
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains("ruby 3.3.6: failed: bin `bin/bundle` is not in the archive"),
        "{report}"
    );
}
