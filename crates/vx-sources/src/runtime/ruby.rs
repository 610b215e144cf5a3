//! Ruby from `jdx/ruby`'s GitHub releases: portable, precompiled CRuby (Homebrew's
//! portable-ruby recipe, relocatable, glibc 2.17 and up), as mise installs it. vx
//! never compiles Ruby: a platform without a build is `unsupported` with the reason.
//!
//! Each Ruby version is published twice: a floating release tagged `3.3.6`, rebuilt
//! in place, and immutable revisions tagged `3.3.6-1`, `3.3.6-2`, …; vx locks the
//! newest revision (a floating release only where a version has no revision), so a
//! lock never names bytes that can change. Assets are `ruby-{V}.x86_64_linux.tar.gz`,
//! `ruby-{V}.arm64_linux.tar.gz` and `ruby-{V}.macos.tar.gz` (Apple silicon), with
//! `.no_yjit.` twins vx does not pick; each unpacks to `ruby-{V}/` with `bin/ruby`,
//! `bin/gem`, `bin/bundle`, `bin/irb`, `bin/rake`. Their sha256 are GitHub's asset
//! digests (the releases date from after GitHub computed them); an asset without one
//! is an error, never an unchecked download.
//!
//! Global installs: the installed Ruby is one store entry shared by every project that
//! names its version, so `gem install` and `bundle install` must not write into it.
//! Its install step writes RubyGems' hook for packagers,
//! `lib/ruby/site_ruby/X.Y.0/rubygems/defaults/operating_system.rb`, making the
//! user's own gem directory (`Gem.user_dir`: `~/.gem/ruby/X.Y.0`, or
//! `~/.local/share/gem/ruby/X.Y.0` where `~/.gem` does not exist) the default
//! install directory and its `bin` the executables' directory; the Ruby's own gems
//! (bundler, rake, the default gems) stay found where they are. `GEM_HOME`, when set,
//! still wins, as RubyGems always lets it.

use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use crate::github::Release as GithubRelease;
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// The publisher's GitHub repository.
const OWNER: &str = "jdx";
/// The publisher's GitHub repository.
const REPO: &str = "ruby";

/// The RubyGems hook the install step writes (see the module docs).
const OPERATING_SYSTEM_RB: &str = r#"# Written by vx when it installed this Ruby. This Ruby is shared by every project
# that uses its version, so gems a user installs go to the user's own gem directory,
# not into it; the gems it ships stay found where they are. GEM_HOME still wins.
module Gem
  VX_SHIPPED_GEMS = File.join(RbConfig::CONFIG["rubylibprefix"], "gems", RbConfig::CONFIG["ruby_version"]).freeze

  def self.default_dir
    user_dir
  end

  def self.default_path
    [user_dir, VX_SHIPPED_GEMS]
  end

  def self.default_bindir
    File.join(user_dir, "bin")
  end

  def self.default_specifications_dir
    File.join(VX_SHIPPED_GEMS, "specifications", "default")
  end
end
"#;

/// What a request that is not a version is not, and how to write one.
const NOT_A_VERSION: &str = "not a Ruby version: write 3, 3.3, 3.3.6 or latest";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str =
    "Ruby (CRuby), precompiled, from jdx/ruby's GitHub releases (Linux glibc, macOS arm64)";

/// Ruby.
pub(crate) struct Ruby;

impl Runtime for Ruby {
    fn about(&self) -> About<'_> {
        About::new("ruby", &[], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let listed = cx.github().releases(OWNER, REPO).map_err(github_error)?;
        Ok(releases_of(&listed))
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let numeric = wanted.strip_prefix("ruby-").unwrap_or(wanted);
        super::resolver::by_number("ruby", releases, wanted, numeric, NOT_A_VERSION)
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        let Some(build) = build_name(platform) else {
            return Ok(Resolved::Unsupported(format!(
                "ruby: no precompiled build for {platform}"
            )));
        };
        let listed = cx
            .github_release(OWNER, REPO, &release.id)
            .map_err(github_error)?;
        let name = format!("ruby-{}.{build}.tar.gz", release.version);
        let Some(asset) = listed.assets.iter().find(|a| a.name == name) else {
            return Ok(Resolved::Unsupported(format!(
                "ruby {}: no precompiled build for {platform} in {OWNER}/{REPO} {}",
                release.version, release.id
            )));
        };
        let Some(sha256) = asset.sha256() else {
            return Err(RuntimeError::NoChecksum {
                file: format!(
                    "{OWNER}/{REPO} {} (its asset has no GitHub digest)",
                    release.id
                ),
                asset: name,
            });
        };
        Ok(Resolved::Download(Download::archive(
            asset.url.clone(),
            sha256,
            "github-digest".to_owned(),
            ArchiveFormat::TarGz,
        )))
    }

    fn layout(&self, version: &str, _platform: &Platform) -> Layout {
        let numeric = super::version::Numeric::parse(version);
        let at = |i: usize| {
            numeric
                .as_ref()
                .and_then(|n| n.parts.get(i).copied())
                .unwrap_or(0)
        };
        let dir = format!("lib/ruby/site_ruby/{}.{}.0/rubygems/defaults", at(0), at(1));
        Layout {
            strip_components: 1,
            bin: ["bin/ruby", "bin/gem", "bin/bundle", "bin/irb", "bin/rake"]
                .map(String::from)
                .to_vec(),
            // Only Unix builds exist, so the step is `sh`'s.
            post_install: Some(format!(
                "mkdir -p {dir} && cat > {dir}/operating_system.rb <<'VX_EOF'\n{OPERATING_SYSTEM_RB}VX_EOF\n"
            )),
            ..Layout::default()
        }
    }
}

/// One [`Release`] per Ruby version among GitHub's `listed` releases: the newest
/// revision (`3.3.6-2`), else the floating release (`3.3.6`); newest version first.
pub(crate) fn releases_of(listed: &[GithubRelease]) -> Vec<Release> {
    let mut found: Vec<(Release, Option<u64>)> = Vec::new();
    // Where each version is in `found`: a listing is the publisher's to size, and
    // searching `found` for each release was quadratic (issue 53, item 2's class).
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for release in listed.iter().filter(|r| !r.draft) {
        let Some((version, revision)) = parse_tag(&release.tag) else {
            continue;
        };
        let Some(numeric) = super::version::Numeric::parse(version) else {
            continue;
        };
        if vx_base::validate::version(version).is_err() {
            continue;
        }
        let candidate = Release {
            version: version.to_owned(),
            id: release.tag.clone(),
            lts: None,
            published_at: release.published_at.clone(),
            prerelease: release.prerelease || !numeric.is_release(),
        };
        match at.get(version) {
            Some(&i) if revision > found[i].1 => found[i] = (candidate, revision),
            Some(_) => {}
            None => {
                at.insert(version.to_owned(), found.len());
                found.push((candidate, revision));
            }
        }
    }
    let mut releases: Vec<Release> = found.into_iter().map(|(r, _)| r).collect();
    releases.sort_by_cached_key(|r| std::cmp::Reverse(super::version::Numeric::parse(&r.version)));
    releases
}

/// A tag as a version and its revision: `3.3.6-2` → (`3.3.6`, 2), `3.3.6` →
/// (`3.3.6`, none), `4.0.0-preview3-1` → (`4.0.0-preview3`, 1).
fn parse_tag(tag: &str) -> Option<(&str, Option<u64>)> {
    match tag.rsplit_once('-') {
        Some((version, revision))
            if !revision.is_empty()
                && revision.len() <= 9
                && revision.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some((version, revision.parse().ok()))
        }
        _ => Some((tag, None)),
    }
}

/// jdx/ruby's name of `platform`'s build (Homebrew's bottle tags).
fn build_name(platform: &Platform) -> Option<&'static str> {
    if platform.is_musl() {
        return None;
    }
    match (platform.os.as_str(), platform.arch.as_str()) {
        ("linux", "x86_64") => Some("x86_64_linux"),
        ("linux", "aarch64") => Some("arm64_linux"),
        ("macos", "aarch64") => Some("macos"),
        _ => None,
    }
}

/// A GitHub client error as the runtime's.
fn github_error(e: crate::github::GithubError) -> RuntimeError {
    super::resolver::releases_error(OWNER, REPO, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(tag: &str, prerelease: bool) -> GithubRelease {
        GithubRelease {
            tag: tag.to_owned(),
            draft: false,
            prerelease,
            published_at: None,
            assets: Vec::new(),
        }
    }

    fn listed() -> Vec<GithubRelease> {
        vec![
            gh("4.0.0-preview3-1", true),
            gh("4.0.0-preview3", true),
            gh("3.4.1", false),
            gh("3.4.1-1", false),
            gh("3.3.6", false),
            gh("3.3.6-2", false),
            gh("3.3.6-1", false),
            gh("3.3.5", false),
            gh("not-a-version", false),
        ]
    }

    #[test]
    fn each_version_locks_its_newest_revision() {
        let all = releases_of(&listed());
        assert_eq!(
            crate::runtime::resolver::shown(&all),
            [
                ("4.0.0-preview3", "4.0.0-preview3-1", true),
                ("3.4.1", "3.4.1-1", false),
                ("3.3.6", "3.3.6-2", false),
                ("3.3.5", "3.3.5", false),
            ]
        );
    }

    /// A listing of 200,000 versions is read in linear time: each release was looked
    /// up among those kept (about 2·10¹⁰ comparisons here, minutes), and the sort
    /// parsed each version at every comparison.
    #[test]
    fn a_long_listing_is_read_in_linear_time() {
        let listed: Vec<GithubRelease> = (0..200_000)
            .map(|n| gh(&format!("3.{}.{}-1", n / 1000, n % 1000), false))
            .collect();
        let started = std::time::Instant::now();
        let all = releases_of(&listed);
        assert_eq!(all.len(), 200_000);
        assert_eq!(all[0].id, "3.199.999-1");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn versions_as_rbenv_asdf_and_mise_users_write_them() {
        let all = releases_of(&listed());
        let pick = |r: &str| Ruby.pick(&all, r).map(|r| (r.version, r.id));
        let at = |v: &str, tag: &str| (v.to_owned(), tag.to_owned());
        assert_eq!(pick("3.3").unwrap(), at("3.3.6", "3.3.6-2"));
        assert_eq!(pick("3.3.6").unwrap(), at("3.3.6", "3.3.6-2"));
        assert_eq!(pick("ruby-3.3.5").unwrap(), at("3.3.5", "3.3.5"));
        assert_eq!(pick("latest").unwrap(), at("3.4.1", "3.4.1-1"));
        assert_eq!(pick("3").unwrap(), at("3.4.1", "3.4.1-1"));
        let missing = pick("3.2").unwrap_err();
        assert!(missing.is_request());
        assert!(
            missing
                .to_string()
                .contains("no version of ruby matches `3.2`; the newest are 3.4.1, 3.3.6, 3.3.5"),
            "{missing}"
        );
        assert!(pick("jruby-9.4").unwrap_err().is_request());
    }

    #[test]
    fn only_platforms_with_a_precompiled_build_are_named() {
        let name = |p: &str| build_name(&p.parse().unwrap());
        assert_eq!(name("linux-x86_64"), Some("x86_64_linux"));
        assert_eq!(name("linux-aarch64"), Some("arm64_linux"));
        assert_eq!(name("macos-aarch64"), Some("macos"));
        assert_eq!(name("macos-x86_64"), None);
        assert_eq!(name("windows-x86_64"), None);
        assert_eq!(name("linux-x86_64-musl"), None);
    }

    #[test]
    fn the_layout_gives_the_commands_and_keeps_gem_installs_out_of_the_store() {
        let layout = Ruby.layout("3.3.6", &"linux-x86_64".parse().unwrap());
        assert_eq!(layout.strip_components, 1);
        assert_eq!(
            layout.bin,
            ["bin/ruby", "bin/gem", "bin/bundle", "bin/irb", "bin/rake"]
        );
        let step = layout.post_install.unwrap();
        assert!(
            step.starts_with("mkdir -p lib/ruby/site_ruby/3.3.0/rubygems/defaults && cat > lib/ruby/site_ruby/3.3.0/rubygems/defaults/operating_system.rb <<'VX_EOF'\n"),
            "{step}"
        );
        assert!(
            step.contains("def self.default_dir\n    user_dir"),
            "{step}"
        );
        assert!(step.ends_with("end\nVX_EOF\n"), "{step}");
    }
}
