//! jdx/ruby's GitHub releases (on the loopback GitHub): for each Ruby version a
//! floating release `V` and immutable revisions `V-1`, `V-2`, each carrying
//! `ruby-{V}.x86_64_linux.tar.gz`, `ruby-{V}.arm64_linux.tar.gz`,
//! `ruby-{V}.macos.tar.gz`, their `.no_yjit.` twins and the SLSA provenance, with
//! GitHub digests. No package registry ships these builds, so the archive served for
//! installs is made from a real Ruby (Debian's `ruby` packages: `/usr/bin/ruby3.X`,
//! its `libruby`, standard library and default gems) laid out as the publisher's
//! build script lays its own out: see [`archive`] for the layout and the lines of the
//! publisher's sources it follows.

use std::path::{Path, PathBuf};

use vx_fixture::github::FixtureRelease;
use vx_fixture::noise_seeded;

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

/// Debian's Ruby on this machine (the `ruby` package; `apt-get install ruby`), as
/// its `RbConfig` says it is installed.
pub struct DebianRuby {
    /// `RUBY_VERSION` (`3.1.2`).
    pub version: String,
    /// What its own `gem --version` answers (RubyGems).
    pub gem_version: String,
    /// The command suffix of its scripts (`3.1`: `/usr/bin/gem3.1`).
    suffix: String,
    /// `RbConfig::CONFIG["ruby_version"]`, the ABI directory's name (`3.1.0`).
    abi: String,
    /// The interpreter (`/usr/bin/ruby3.1`).
    interpreter: PathBuf,
    /// `rubylibdir`, `rubyarchdir` and the default gems' directory.
    lib: PathBuf,
    arch_lib: PathBuf,
    gems: PathBuf,
    /// `libruby-3.1.so.3.1` and what it links to.
    libruby: Vec<PathBuf>,
}

/// This machine's Debian Ruby (see [`DebianRuby`]); fails the test with what to
/// install where there is none.
pub fn debian_ruby() -> DebianRuby {
    let script = "c = RbConfig::CONFIG; print [RUBY_VERSION, c['ruby_version'], \
                  c['ruby_install_name'], c['bindir'], c['rubylibdir'], c['rubyarchdir'], \
                  Gem.default_dir, File.join(c['archlibdir'], c['LIBRUBY_SONAME'])].join(\"\\n\")";
    let out = std::process::Command::new("/usr/bin/ruby")
        .args(["-e", script])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the Ruby tests install a real Ruby laid out as jdx/ruby ships it, made from \
                 Debian's `ruby` package (apt-get install ruby): /usr/bin/ruby: {e}"
            )
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let fields: Vec<&str> = text.split('\n').collect();
    let [
        version,
        abi,
        install_name,
        bindir,
        lib,
        arch_lib,
        gems,
        libruby,
    ] = fields[..]
    else {
        panic!("ruby's RbConfig: {text}");
    };
    let suffix = install_name.trim_start_matches("ruby").to_owned();
    let gem = format!("{bindir}/gem{suffix}");
    let out = std::process::Command::new(&gem)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{gem}: {e}"));
    let libruby = PathBuf::from(libruby);
    let real = std::fs::canonicalize(&libruby).unwrap();
    DebianRuby {
        version: version.to_owned(),
        gem_version: String::from_utf8(out.stdout).unwrap().trim().to_owned(),
        suffix,
        abi: abi.to_owned(),
        interpreter: PathBuf::from(format!("{bindir}/{install_name}")),
        lib: lib.into(),
        arch_lib: arch_lib.into(),
        gems: gems.into(),
        libruby: vec![libruby, real],
    }
}

/// The commands `make install` of Ruby puts in `bin/` beside `ruby` (its own and its
/// default and bundled gems'), by the names jdx/ruby's archive has them.
const COMMANDS: [&str; 12] = [
    "gem", "bundle", "bundler", "erb", "irb", "rake", "rdoc", "ri", "racc", "rbs", "rdbg",
    "typeprof",
];

/// The archive `ruby-{V}.x86_64_linux.tar.gz` jdx/ruby would publish, made of this
/// machine's real Ruby ([`debian_ruby`]) and unpacking to `ruby-{version}/`;
/// `with_bundle` false leaves `bin/bundle` out. `version` is the one it is served
/// as: Debian's own ([`DebianRuby::version`]) or another, as go's and java's
/// fixtures serve real builds of other versions (its commands say their own).
/// Made once per machine.
///
/// The layout is the publisher's, read from its sources (jdx/ruby at 51792a7f, the
/// newest stored snapshot, `libexec/package.rb`):
/// - l.44 and l.771: the install prefix is `ruby-{V}/`, archived whole with
///   `tar -czf ruby-{V}.{platform}.tar.gz -C package ruby-{V}`;
/// - l.333-334: Ruby is configured `--prefix=…/ruby-{V} --enable-load-relative`
///   (and not `--enable-shared`), so `make install` lays out `bin/ruby`,
///   `lib/ruby/{X.Y.0}` (the standard library), `lib/ruby/{X.Y.0}/{arch}` (its
///   extensions and `rbconfig.rb`, l.519), `lib/ruby/gems/{X.Y.0}` (default and
///   bundled gems), `lib/ruby/site_ruby/{X.Y.0}` and `lib/ruby/vendor_ruby/{X.Y.0}`;
/// - with load-relative, Ruby's installer writes every command script with a
///   `#!/bin/sh` prolog that runs the `ruby` beside the script
///   (`bindir="${0%/*}"`, `exec "$bindir/ruby" "-x" "$0" "$@"`: ruby/ruby
///   `tool/rbinstall.rb` at 5a773974, `PROLOG_SCRIPT.default`; RubyGems'
///   `bash_prolog_script` for gems' commands), followed by `#!/usr/bin/env ruby`:
///   what `patch_executables` (l.501-514) expects of every `bin/*`;
/// - l.621-636: the dependencies' headers, static libraries and `.pc` files go to
///   `include/` and `lib/`; l.641-645: the CA bundle to `libexec/cert.pem`.
///
/// Where Debian's build differs: its `libruby` is shared (`--enable-shared`), so it
/// lies in `lib/` with the interpreter's rpath set to `$ORIGIN/../lib`; and it is
/// not built load-relative (its configure args lack `--enable-load-relative`), so the
/// relocated interpreter still reads its standard library from the `ruby` package's
/// `/usr/lib/ruby` (which must stay installed), not from the archive's copy. No
/// registry ships a load-relative Ruby; building one is left out.
pub fn archive(version: &str, with_bundle: bool) -> Vec<u8> {
    let ruby = debian_ruby();
    let name = format!(
        "ruby-{version}-debian-{}-{}.x86_64_linux.tar.gz",
        ruby.version,
        if with_bundle {
            "full"
        } else {
            "without-bundle"
        }
    );
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let top_name = format!("ruby-{version}");
        lay_out(&ruby, &work.path().join(&top_name), with_bundle);
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), &top_name],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

/// Lays `ruby` out at `top` as jdx/ruby's archive is (see [`archive`]).
fn lay_out(ruby: &DebianRuby, top: &Path, with_bundle: bool) {
    let abi = &ruby.abi;
    let lib = top.join("lib");
    let rubylib = lib.join("ruby");
    for dir in [
        top.join("bin"),
        rubylib.join("gems"),
        rubylib.join(format!("site_ruby/{abi}")),
        rubylib.join(format!("vendor_ruby/{abi}")),
        top.join("libexec"),
        top.join("include"),
    ] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let cp = |from: &Path, to: &Path| {
        super::run(
            "cp",
            &["-a", from.to_str().unwrap(), to.to_str().unwrap()],
            top,
        );
    };
    cp(&ruby.lib, &rubylib.join(abi));
    // Debian's multiarch directory as the publisher's `{arch}` one.
    cp(&ruby.arch_lib, &rubylib.join(abi).join("x86_64-linux"));
    cp(&ruby.gems, &rubylib.join("gems").join(abi));
    for file in &ruby.libruby {
        cp(file, &lib.join(file.file_name().unwrap()));
    }
    let certs = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if certs.exists() {
        std::fs::copy(certs, top.join("libexec/cert.pem")).unwrap();
    }

    let bin = top.join("bin");
    let interpreter = bin.join("ruby");
    std::fs::copy(&ruby.interpreter, &interpreter).unwrap();
    super::run(
        "patchelf",
        &[
            "--force-rpath",
            "--set-rpath",
            "$ORIGIN/../lib",
            interpreter.to_str().unwrap(),
        ],
        top,
    );
    for command in COMMANDS {
        if command == "bundle" && !with_bundle {
            continue;
        }
        let source = Path::new("/usr/bin").join(format!("{command}{}", ruby.suffix));
        let Ok(text) = std::fs::read_to_string(&source) else {
            continue;
        };
        // The script less its Debian shebang (`#!/usr/bin/ruby3.1`), after the
        // load-relative prolog.
        let body = text.split_once('\n').map_or("", |(_, rest)| rest);
        script(
            &bin.join(command),
            &format!(
                "# -*- ruby -*-\n_=_\\\n=begin\nbindir=\"${{0%/*}}\"\nexec \"$bindir/ruby\" \"-x\" \"$0\" \"$@\"\n=end\n#!/usr/bin/env ruby\n{body}"
            ),
        );
    }
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
