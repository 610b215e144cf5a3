//! jdx/ruby's GitHub releases (on the loopback GitHub): for each Ruby version a
//! floating release `V` and immutable revisions `V-1`, `V-2`, each carrying
//! `ruby-{V}.x86_64_linux.tar.gz`, `ruby-{V}.arm64_linux.tar.gz`,
//! `ruby-{V}.macos.tar.gz`, their `.no_yjit.` twins and the SLSA provenance, with
//! GitHub digests. No package registry ships these builds, so the served archive is one
//! in the real layout: `ruby-{V}/bin/{ruby,gem,bundle,irb,rake,erb}` (scripts that answer
//! `--version` as the real commands do; `ruby` otherwise prints its install's prefix),
//! `lib/ruby/{X.Y.0,gems/X.Y.0,site_ruby/X.Y.0}`.

use std::path::Path;

use vx::demo::fixture::noise_seeded;
use vx::demo::github::FixtureRelease;

/// The publisher's repository.
pub const OWNER: &str = "jdx";
/// The publisher's repository.
pub const REPO: &str = "ruby";

/// The builds a release carries.
pub const BUILDS: [&str; 6] = [
    "x86_64_linux",
    "x86_64_linux.no_yjit",
    "arm64_linux",
    "arm64_linux.no_yjit",
    "macos",
    "macos.no_yjit",
];

/// A release tagged `tag` of Ruby `version`, `served` replacing the named assets'
/// bytes (the others are noise, never downloaded); `digests` false as if uploaded
/// before GitHub computed them.
pub fn release(
    tag: &str,
    version: &str,
    digests: bool,
    served: &[(String, Vec<u8>)],
) -> FixtureRelease {
    let mut release = FixtureRelease::new(tag);
    for (i, build) in BUILDS.iter().enumerate() {
        let name = format!("ruby-{version}.{build}.tar.gz");
        let bytes = served.iter().find(|(n, _)| *n == name).map_or_else(
            || noise_seeded(32, i as u64 + tag.len() as u64 * 7),
            |(_, b)| b.clone(),
        );
        release = if digests {
            release.asset(&name, bytes)
        } else {
            release.asset_without_digest(&name, bytes)
        };
    }
    release.asset(&format!("ruby-{version}.intoto.jsonl"), b"{}".to_vec())
}

/// The fixture archive of Ruby `version` (`3.3.6`), as `ruby-{V}.x86_64_linux.tar.gz`
/// unpacks; `with_bundle` false leaves `bin/bundle` out.
pub fn archive(version: &str, with_bundle: bool) -> Vec<u8> {
    let abi: String = format!(
        "{}.0",
        version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
    );
    let name = format!("ruby-fixture-{version}-{with_bundle}.tar.gz");
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let top = work.path().join(format!("ruby-{version}"));
        let bin = top.join("bin");
        for dir in [
            bin.clone(),
            top.join(format!("lib/ruby/{abi}")),
            top.join(format!("lib/ruby/gems/{abi}/specifications/default")),
            top.join(format!("lib/ruby/site_ruby/{abi}")),
            top.join("include"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut commands = vec![
            (
                "ruby",
                format!(
                    "case \"$1\" in\n  --version|-v) echo \"ruby {version} (2024-11-05 revision 75015d4c1f) +PRISM [x86_64-linux]\" ;;\n  *) cd \"$(dirname \"$0\")/..\" && pwd -P ;;\nesac\n"
                ),
            ),
            ("gem", "echo 3.5.22\n".to_owned()),
            ("irb", "echo \"irb 1.13.1 (2024-05-05)\"\n".to_owned()),
            ("rake", "echo \"rake, version 13.1.0\"\n".to_owned()),
            ("erb", "echo \"4.0.4\"\n".to_owned()),
        ];
        if with_bundle {
            commands.push(("bundle", "echo \"Bundler version 2.5.22\"\n".to_owned()));
        }
        for (command, body) in commands {
            script(&bin.join(command), &body);
        }
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), &format!("ruby-{version}")],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The user config pointing vx's GitHub at the loopback one.
pub fn config(web_url: &str) -> String {
    format!("[github]\nurl = \"{web_url}\"\n")
}
