//! The `ruby` runtime (issue 37) end to end with the real `vx`: jdx/ruby's releases
//! served by the loopback GitHub in their real shape (floating `V` and immutable
//! `V-REV` releases, `ruby-{V}.{build}.tar.gz` assets with GitHub digests), reached
//! through the user config's `[github] url`; locked without fetching an archive,
//! platforms without a precompiled build `unsupported` with the reason; installed from
//! a real Ruby (Debian's) in jdx/ruby's layout and its commands run through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::publishers::ruby;
use common::*;
use vx_fixture::github::{FixtureRelease, GithubFixture};

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
    project.lock_refused(
        2,
        "no version of ruby matches `3.2`; the newest are 3.4.1, 3.3.6, 3.3.5",
    );

    let gh = github(vec![ruby::release("3.3.6-1", "3.3.6", false, &[])]);
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nruby = \"3.3.6\"\n";
    let project = Project::new(&ruby::config(&gh.web_url()), manifest);
    project.lock_refused(1, "has no sha256 for ruby-3.3.6.x86_64_linux.tar.gz");
}

/// jdx/ruby serving the real Ruby of [`ruby::debian_ruby`] under its own version
/// (`archive` is what its x86_64 Linux asset holds), and a project asking for it.
fn installable(version: &str, archive: Vec<u8>) -> (GithubFixture, Project) {
    let served = [(format!("ruby-{version}.x86_64_linux.tar.gz"), archive)];
    let gh = github(vec![
        ruby::release(version, version, true, &[]),
        ruby::release(&format!("{version}-1"), version, true, &served),
    ]);
    let project = Project::new(
        &ruby::config(&gh.web_url()),
        &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nruby = \"{version}\"\n"),
    );
    (gh, project)
}

#[test]
fn ruby_installs_from_the_real_layout_its_commands_run_and_gems_go_to_the_user() {
    let real = ruby::debian_ruby();
    let version = real.version.as_str();
    let (_gh, project) = installable(version, ruby::archive(version, true));
    project.synced();
    assert_eq!(project.run(&["ruby", "-e", "puts 1"]), "1");
    let said = project.run(&["ruby", "--version"]);
    assert!(said.starts_with(&format!("ruby {version}")), "{said}");
    // The commands are the archive's `#!/bin/sh` scripts, which run the `ruby`
    // beside them: the installed one, not the system's.
    let ruby_path = project.run(&["sh", "-c", "command -v ruby"]);
    assert!(
        crate::common::unkeyed(&ruby_path).ends_with(&format!("/ruby/{version}/bin/ruby")),
        "{ruby_path}"
    );
    assert_eq!(project.run(&["gem", "--version"]), real.gem_version);
    let bundler = project.run(&["bundle", "--version"]);
    assert!(bundler.starts_with("Bundler version "), "{bundler}");
    let rake = project.run(&["rake", "--version"]);
    assert!(rake.starts_with("rake, version "), "{rake}");
    let irb = project.run(&["irb", "--version"]);
    assert!(irb.starts_with("irb "), "{irb}");
    // `gem` is the archive's script, whose prolog runs the `ruby` beside it.
    let gem = project.run(&["sh", "-c", "command -v gem"]);
    assert!(
        crate::common::unkeyed(&gem).ends_with(&format!("/ruby/{version}/bin/gem")),
        "{gem}"
    );
    let prolog = std::fs::read_to_string(&gem).unwrap();
    assert!(prolog.starts_with("#!/bin/sh\n"), "{prolog}");
    // Through vx's shim (a link to vx named `gem`) the prolog still finds that ruby,
    // with no system command on PATH to fall back on.
    let shimmed = project.run(&[
        "sh",
        "-c",
        "PATH=/nonexistent \"$HOME/.local/share/vx/shims/gem\" --version",
    ]);
    assert_eq!(shimmed, real.gem_version);

    // vx's hook for gem installs is written where the publisher's load-relative
    // build reads `site_ruby`. No registry this machine reaches ships a
    // load-relative Ruby, and Debian's, relocated, still reads its standard library
    // and `site_ruby` from the `ruby` package's own directories (see
    // `ruby::archive`): so the hook is put on its load path by hand below.
    let prefix = std::path::Path::new(&ruby_path)
        .parent()
        .unwrap()
        .parent()
        .unwrap();
    let abi = format!("{}.0", version.rsplit_once('.').unwrap().0);
    let hook = std::fs::read_to_string(prefix.join(format!(
        "lib/ruby/site_ruby/{abi}/rubygems/defaults/operating_system.rb"
    )))
    .unwrap();
    assert!(
        hook.contains("def self.default_dir\n    user_dir\n  end"),
        "{hook}"
    );
    assert!(
        hook.contains("def self.default_specifications_dir"),
        "{hook}"
    );

    // The hook on this real RubyGems, put on the load path by hand where the
    // publisher's build reads it by itself: `gem install` of a gem built here goes
    // to the user's gem directory, not into the shared store entry, and its command
    // and library are found.
    let site_ruby = prefix.join(format!("lib/ruby/site_ruby/{abi}"));
    let dir = project.work.dir.path();
    std::fs::create_dir_all(dir.join("greeter/lib")).unwrap();
    std::fs::create_dir_all(dir.join("greeter/exe")).unwrap();
    std::fs::write(
        dir.join("greeter/lib/greeter.rb"),
        "module Greeter\n  def self.hi = \"hi from a gem\"\nend\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("greeter/exe/greet"),
        "#!/usr/bin/env ruby\nrequire \"greeter\"\nputs Greeter.hi\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("greeter/greeter.gemspec"),
        "Gem::Specification.new do |s|\n  s.name = \"greeter\"\n  s.version = \"0.1.0\"\n  \
         s.summary = \"a test gem\"\n  s.authors = [\"vx\"]\n  s.files = [\"lib/greeter.rb\", \"exe/greet\"]\n  \
         s.bindir = \"exe\"\n  s.executables = [\"greet\"]\nend\n",
    )
    .unwrap();
    let with_hook = |command: &str| {
        project.run(&[
            "sh",
            "-c",
            &format!("cd greeter && RUBYLIB={} {command}", site_ruby.display()),
        ])
    };
    with_hook("gem build --quiet greeter.gemspec");
    with_hook("gem install --local --no-document greeter-0.1.0.gem");
    let gem_dir = with_hook("gem env gemdir");
    assert!(
        gem_dir.starts_with(&dir.join("home").display().to_string())
            && gem_dir.contains("/gem/ruby/"),
        "{gem_dir}"
    );
    assert!(
        std::path::Path::new(&gem_dir)
            .join("gems/greeter-0.1.0/lib/greeter.rb")
            .is_file(),
        "{gem_dir}"
    );
    assert!(
        !prefix
            .join(format!("lib/ruby/gems/{abi}/gems/greeter-0.1.0"))
            .exists()
    );
    assert_eq!(with_hook(&format!("{gem_dir}/bin/greet")), "hi from a gem");
    assert_eq!(
        with_hook("ruby -e 'require \"greeter\"; puts Greeter.hi'"),
        "hi from a gem"
    );
}

#[test]
fn a_ruby_archive_without_bundle_is_a_clear_error() {
    let version = ruby::debian_ruby().version;
    let (_gh, project) = installable(&version, ruby::archive(&version, false));
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    // The sync's report (stdout) names the tool and why it failed.
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains(&format!(
            "ruby {version}: failed: bin `bin/bundle` is not in the archive"
        )),
        "{report}"
    );
}
