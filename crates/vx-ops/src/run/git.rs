//! What `vx run` asks of git for `--filter=[REF]` and `--affected`: commits by name,
//! merge bases, the files changed since a commit (paths relative to the project, as
//! the tasks' `sources` write them), a file as a commit has it, and a shallow clone
//! made deeper. Each question is one `git` process in the project's directory; a
//! name that reads as an option is refused before it reaches git, and no
//! repository setting starts a program of the clone's (`core.fsmonitor` is off, no
//! external diff or text conversion runs).

use std::path::Path;
use std::process::Command;

/// The commits fetched when a shallow clone lacks the base (`git fetch --deepen`).
pub(crate) const DEEPEN: u32 = 200;

/// git in one directory.
pub(crate) struct Git<'a> {
    dir: &'a Path,
}

impl<'a> Git<'a> {
    /// git in `dir` (the project's directory, or one below the repository's root).
    pub(crate) fn new(dir: &'a Path) -> Git<'a> {
        Git { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(self.dir)
            .args(["-c", "core.fsmonitor=false", "-c", "core.quotePath=false"])
            .args(args)
            .stdin(std::process::Stdio::null());
        command
    }

    /// What `git ARGS` prints when it succeeds, else what it says (sanitized).
    fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            let said = said.trim();
            let said = if said.is_empty() {
                format!("git {} failed", args.join(" "))
            } else {
                said.to_owned()
            };
            return Err(vx_text::sanitize(&said).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Whether this directory is in a git work tree.
    pub(crate) fn is_repository(&self) -> bool {
        self.run(&["rev-parse", "--is-inside-work-tree"])
            .is_ok_and(|out| out.trim() == "true")
    }

    /// The commit `rev` names, if it names one here.
    pub(crate) fn commit(&self, rev: &str) -> Option<String> {
        if !is_name(rev) {
            return None;
        }
        let asked = format!("{rev}^{{commit}}");
        let out = self
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &asked,
            ])
            .ok()?;
        Some(out.trim().to_owned()).filter(|sha| !sha.is_empty())
    }

    /// The best common ancestor of two commits, if this history holds one.
    pub(crate) fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let out = self.run(&["merge-base", a, b]).ok()?;
        Some(out.trim().to_owned()).filter(|sha| !sha.is_empty())
    }

    /// Whether this clone is shallow (its history cut at a depth).
    pub(crate) fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| out.trim() == "true")
    }

    /// The remote branch the default branch is (`origin/HEAD`'s target), if known.
    pub(crate) fn origin_head(&self) -> Option<String> {
        let out = self
            .run(&["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])
            .ok()?;
        out.trim()
            .strip_prefix("refs/remotes/")
            .map(str::to_owned)
            .filter(|name| !name.is_empty())
    }

    /// Fetches `DEEPEN` more commits of the current history from `origin`, and of
    /// `branch` (a branch of origin's, which a single-branch clone may lack) when named.
    pub(crate) fn deepen(&self, branch: Option<&str>) -> Result<(), String> {
        let deepen = format!("--deepen={DEEPEN}");
        self.run(&["fetch", "--quiet", "--no-tags", &deepen, "origin"])?;
        if let Some(branch) = branch.filter(|b| is_name(b)) {
            let depth = format!("--depth={DEEPEN}");
            let refspec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
            self.run(&["fetch", "--quiet", "--no-tags", &depth, "origin", &refspec])?;
        }
        Ok(())
    }

    /// The files changed since `base` (committed since, staged, not staged, and the
    /// untracked ones git does not ignore), relative to this directory, sorted, each
    /// once; files outside this directory are left out.
    pub(crate) fn changed_since(&self, base: &str) -> Result<Vec<String>, String> {
        if !is_name(base) {
            return Err(format!("`{base}` is not a ref"));
        }
        let mut files = self.diff(base)?;
        files.extend(split_z(&self.run(&[
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
        ])?));
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// The files changed between `from` and `to` (`git diff FROM...TO`: since their
    /// merge base), relative to this directory, sorted.
    pub(crate) fn changed_between(&self, from: &str, to: &str) -> Result<Vec<String>, String> {
        if !is_name(from) || !is_name(to) {
            return Err(format!("`{from}...{to}` is not a range of refs"));
        }
        let mut files = self.diff(&format!("{from}...{to}"))?;
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// The names `git diff REVS` finds, relative to this directory (no renames, no
    /// external diff or text conversion).
    fn diff(&self, revs: &str) -> Result<Vec<String>, String> {
        let args = [
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--relative",
            revs,
            "--",
        ];
        Ok(split_z(&self.run(&args)?))
    }

    /// The text of `path` (relative to this directory) as commit `rev` has it; `None`
    /// when that commit has no such file.
    pub(crate) fn show(&self, rev: &str, path: &str) -> Option<String> {
        if !is_name(rev) {
            return None;
        }
        self.run(&["show", "--no-textconv", &format!("{rev}:./{path}")])
            .ok()
    }
}

/// Whether `rev` may be given to git as a name: never an option (`--output=…` would
/// make git write a file), never empty, no control characters.
fn is_name(rev: &str) -> bool {
    !rev.is_empty() && !rev.starts_with('-') && !rev.chars().any(char::is_control)
}

fn split_z(out: &str) -> Vec<String> {
    out.split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_reads_as_an_option_never_reaches_git() {
        assert!(!is_name("--output=/tmp/x"));
        assert!(!is_name(""));
        assert!(!is_name("main\n--all"));
        assert!(is_name("origin/main"));
        assert!(is_name("HEAD~3"));
        let git = Git::new(Path::new("."));
        assert_eq!(git.commit("--output=x"), None);
        assert!(git.changed_since("-p").is_err());
    }
}
