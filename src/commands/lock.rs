//! `vx lock`: record each tool's download per platform in `vx.lock`, downloading what
//! the manifest gives no checksum for; `--check` only says whether that would change
//! anything; `--dry-run` what it would record ([`vx::ops::lock`] does the work).

use std::io::Write;

use vx::exit::{Error, FAILED, OK};
use vx::manifest::Platform;
use vx::ops::lock::{self as op, Checked, DryPlatform};
use vx::session::{Opening, Want};

use crate::cli::LockArgs;

/// Runs `vx lock`.
pub fn run(args: &LockArgs) -> Result<i32, Error> {
    let session = super::open(&Opening {
        refresh: true,
        ..Opening::new(args.manifest.as_deref(), Want::Project)
    })?;
    let manifest = session.project()?;
    let catalogue = session.catalogue();
    let lock_path = manifest.lock_path();
    let existing = op::existing(manifest, !args.check && !args.dry_run)?;
    if let Some(reason) = &existing.set_aside {
        vx::note!(
            "vx: warning: {}: every tool is resolved anew from {} and the lock written again (what it pinned is not kept)",
            vx_tui::text::sanitize(reason),
            manifest.path.display()
        );
    }
    let platforms = op::platforms(&args.platforms, manifest);
    let names: Vec<String> = platforms.iter().map(Platform::to_string).collect();
    if args.check {
        let shown = vx_tui::text::sanitize(&lock_path.display().to_string()).into_owned();
        let mut out = std::io::stdout().lock();
        return match op::check(manifest, catalogue, existing.lock.as_ref(), &platforms) {
            Checked::Missing => {
                writeln!(out, "{shown} is missing; run `vx lock`")?;
                Ok(FAILED)
            }
            Checked::UpToDate => {
                writeln!(out, "{shown} is up to date for {}", names.join(", "))?;
                Ok(OK)
            }
            Checked::Stale(stale) => {
                writeln!(
                    out,
                    "{shown} is stale for {} ({}); run `vx lock`",
                    stale.join(", "),
                    names.join(", ")
                )?;
                Ok(FAILED)
            }
        };
    }
    let mut lock = existing.lock.unwrap_or_default();
    if args.dry_run {
        let options = op::Options {
            quiet: args.run.json || args.run.quiet,
            allow_provenance_loss: false,
            offline: false,
            ..super::lock_options(&args.run, false, false)
        };
        let tools = op::dry_run(manifest, catalogue, lock, &platforms, &options)?;
        return print_dry_run(&tools, args.run.json);
    }
    let options = super::lock_options(&args.run, args.allow_provenance_loss, false);
    let report = op::relock_and_write(manifest, catalogue, &mut lock, &platforms, &options)?;
    super::say::locked(&report, &lock_path, &platforms);
    if report.code == OK {
        let added = op::list_platforms(manifest, &args.platforms)?;
        if !added.is_empty() {
            vx::note!(
                "vx: added {} to [settings] platforms in {}",
                added
                    .iter()
                    .map(Platform::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                manifest.path.display()
            );
        }
    }
    Ok(report.code)
}

/// `vx lock --dry-run`'s answer: per tool and platform, what would be downloaded and
/// where its checksum would come from (text, or one JSON object).
fn print_dry_run(tools: &[op::DryTool], json: bool) -> Result<i32, Error> {
    let mut out = std::io::stdout().lock();
    if json {
        let tools: Vec<serde_json::Value> = tools
            .iter()
            .map(|tool| {
                let platforms: serde_json::Map<String, serde_json::Value> = tool
                    .platforms
                    .iter()
                    .map(|(platform, what)| {
                        let value = match what {
                            DryPlatform::Download {
                                url,
                                checksum_source,
                            } => serde_json::json!({ "url": url, "checksum_source": checksum_source }),
                            DryPlatform::Unsupported(reason) => {
                                serde_json::json!({ "unsupported": reason })
                            }
                        };
                        (platform.to_string(), value)
                    })
                    .collect();
                serde_json::json!({
                    "name": tool.name,
                    "package": tool.package,
                    "version": tool.version,
                    "platforms": platforms,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::json!({ "tools": tools }))?;
        return Ok(OK);
    }
    let mut text = Vec::new();
    for tool in tools {
        writeln!(
            text,
            "{} {}{}",
            tool.name,
            tool.version,
            tool.package
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        )?;
        for (platform, what) in &tool.platforms {
            match what {
                DryPlatform::Download {
                    url,
                    checksum_source,
                } => writeln!(text, "  {platform}: {url} (checksum: {checksum_source})")?,
                DryPlatform::Unsupported(reason) => {
                    writeln!(text, "  {platform}: unsupported: {reason}")?
                }
            }
        }
    }
    // Each line sanitized on its own: what a registry or publisher sent cannot move the
    // terminal, and the lines stay lines.
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "{}", vx_tui::text::sanitize(line))?;
    }
    Ok(OK)
}
