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

    /// `vx ARGS` run to its end: exit code (-1 for a signal), stdout, stderr.
    pub fn outcome(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.vx().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `vx lock`'s exit code and stderr.
    pub fn lock_fails(&self) -> (i32, String) {
        let (code, _, stderr) = self.outcome(&["lock"]);
        (code, stderr)
    }

    /// `vx ARGS`, which must exit `code`: its stderr.
    pub fn exit(&self, args: &[&str], code: i32) -> String {
        let (got, _, stderr) = self.outcome(args);
        assert_eq!(got, code, "vx {args:?}: {stderr}");
        stderr
    }

    /// `vx lock`, which must exit `code`: its stderr.
    pub fn lock_exit(&self, code: i32) -> String {
        self.exit(&["lock"], code)
    }

    /// `vx lock`, which must exit `code` saying `said` and write nothing: no vx.lock,
    /// vx.toml as it was. Its stderr.
    pub fn lock_refused(&self, code: i32, said: &str) -> String {
        let manifest = self.manifest_text();
        let stderr = self.lock_exit(code);
        assert!(stderr.contains(said), "{stderr}");
        assert_eq!(self.lock_text(), None);
        assert_eq!(self.manifest_text(), manifest);
        stderr
    }

    /// `vx ARGS`, which must succeed: its stdout and stderr.
    pub fn ok_output(&self, args: &[&str]) -> (String, String) {
        let (code, stdout, stderr) = self.outcome(args);
        assert_eq!(code, 0, "vx {args:?}: {stderr}{stdout}");
        (stdout, stderr)
    }

    /// `vx ARGS`, which must succeed: its stderr.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_output(args).1
    }

    /// `vx exec -- ARGS`, which must succeed: its stdout.
    pub fn exec(&self, args: &[&str]) -> String {
        self.ok_output(&[&["exec", "--"], args].concat()).0
    }

    /// `vx hook-env --shell bash` as a shell with no state of its own asks it
    /// (`__VX_STATE` unset): its output.
    pub fn hook_env(&self) -> std::process::Output {
        self.vx()
            .args(["hook-env", "--shell", "bash"])
            .env_remove("__VX_STATE")
            .output()
            .unwrap()
    }

    /// Removes vx.toml and writes `text` as the project's mise.toml: a mise project
    /// with no vx.toml. The mise.toml's path.
    pub fn mise_instead(&self, text: &str) -> std::path::PathBuf {
        std::fs::remove_file(self.work.manifest()).unwrap();
        let mise = self.work.dir.path().join("mise.toml");
        std::fs::write(&mise, text).unwrap();
        mise
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
