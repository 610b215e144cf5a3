//! vx.toml and vx.lock at their edges, through the real `vx`: a password in a URL of
//! vx.toml refused where it is and never shown, a project with no tools, a lock that
//! cannot be read (a merge's conflict markers), command-line arguments' errors said of
//! the argument, and an archive `vx sync` would refuse refused at lock time.

use crate::common;

use common::*;

const PASSWORD: &str = "S3CRETPW";

/// `vx ARGS` in `work`: its exit code and everything it printed (stdout then stderr).
fn run(work: &Work, args: &[&str]) -> (i32, String) {
    let out = work.vx().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_password_in_any_url_of_vx_toml_is_refused_at_its_place_and_never_shown() {
    let url = format!("http://bob:{PASSWORD}@127.0.0.1:9/t-{{version}}.tar.gz");
    for (manifest, place) in [
        (
            format!("[tools.t]\nversion = \"1.0\"\nurl = \"{url}\"\n"),
            "vx.toml:3:7",
        ),
        (
            format!(
                "[tools.t]\nversion = \"1.0\"\nurl = \"http://127.0.0.1:9/t.tar.gz\"\n\
                 [tools.t.platforms.linux-x86_64]\nurl = \"{url}\"\n"
            ),
            "vx.toml:5:7",
        ),
        (
            format!(
                "[settings]\nregistries = [{{ name = \"ours\", url = \"{url}\" }}]\n[tools]\nrg = \"14\"\n"
            ),
            "vx.toml:2:38",
        ),
    ] {
        let work = Work::new();
        work.write_manifest(&manifest);
        for args in [
            &["sync", "--json", "--headless"][..],
            &["lock"],
            &["lock", "--check"],
        ] {
            let (code, out) = run(&work, args);
            assert_eq!(code, 2, "{args:?} {manifest}: {out}");
            assert!(out.contains(place), "{args:?} {manifest}: {out}");
            assert!(out.contains("http://***@127.0.0.1:9/"), "{out}");
            assert!(out.contains("netrc"), "{out}");
            assert!(!out.contains(PASSWORD), "{args:?}: {out}");
        }
        assert!(!work.dir.path().join("vx.lock").exists(), "{manifest}");
    }
}

#[test]
fn vx_add_and_vx_use_refuse_a_url_with_a_password_and_leave_vx_toml_as_it_was() {
    let work = Work::new();
    let manifest = "# ours\n[tools]\n";
    work.write_manifest(manifest);
    let url = format!("http://bob:{PASSWORD}@127.0.0.1:9/t-{{version}}.tar.gz");
    for command in ["add", "use"] {
        let (code, out) = run(&work, &[command, "t@1.0", "--url", &url]);
        assert_eq!(code, 2, "{command}: {out}");
        assert!(out.contains("--url: http://***@127.0.0.1:9/"), "{out}");
        assert!(!out.contains(PASSWORD), "{command}: {out}");
        assert!(!out.contains("vx.toml:"), "{command}: {out}");
        assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
        assert!(!work.dir.path().join("vx.lock").exists());
    }
}
