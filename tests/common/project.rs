//! A project of the runtime tests: its own HOME (user config, cache, store) with
//! [`super::isolated`]'s machine, and its vx.toml; what each runtime's tests read back.

use super::{Work, isolated, write_user_config};

/// A project directory with a user config of its own.
pub struct Project {
    pub work: Work,
}

impl Project {
    /// A project whose user config is `config` and whose vx.toml is `manifest`.
    pub fn new(config: &str, manifest: &str) -> Project {
        let work = Work::new();
        write_user_config(&work.dir.path().join("home"), config);
        work.write_manifest(manifest);
        Project { work }
    }

    /// `vx` on this project's machine (the test machine's `JAVA_HOME` left out, so a
    /// runtime's own is what a test sees).
    pub fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        isolated(&mut cmd, &self.work.dir.path().join("home"));
        cmd.env_remove("JAVA_HOME");
        cmd
    }

    /// vx.lock's text, when there is one.
    pub fn lock_text(&self) -> Option<String> {
        std::fs::read_to_string(self.work.dir.path().join("vx.lock")).ok()
    }

    /// vx.lock as TOML (it must exist).
    pub fn lock(&self) -> toml::Table {
        self.lock_text().expect("vx.lock written").parse().unwrap()
    }

    /// vx.toml's text.
    pub fn manifest_text(&self) -> String {
        std::fs::read_to_string(self.work.manifest()).unwrap()
    }

    /// `vx sync --headless`, which must succeed.
    pub fn synced(&self) {
        let out = self.vx().args(["sync", "--headless"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `vx exec -- ARGS`, which must succeed: its stdout, trimmed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.vx().arg("exec").arg("--").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

/// `[tools.TOOL.platforms.PLATFORM]` of a lock.
pub fn locked<'l>(lock: &'l toml::Table, tool: &str, platform: &str) -> &'l toml::Table {
    lock["tools"][tool]["platforms"][platform]
        .as_table()
        .unwrap_or_else(|| panic!("{tool} not locked for {platform}: {lock:#?}"))
}
