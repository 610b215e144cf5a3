//! Runs a package manager's program for a runtime tool's environment (node's npm,
//! python's pip, vx's uv: [`super::environment`], [`super::uv`]) and turns its failure
//! into one message: its status and the end of what it wrote to stderr.

use std::path::Path;
use std::process::Command;

/// Runs `command` (`program` with `first` its first argument, for the message), its
/// stdin empty: its stdout, or why not (its status and the end of its stderr).
pub fn output_of(mut command: Command, program: &Path, first: &str) -> Result<String, String> {
    let out = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "`{} {}` failed ({}): {}",
        program
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        first,
        out.status,
        tail.join("\n")
    ))
}
