//! `vx versions TOOL [--json]`: a tool's versions, newest first, marking the one
//! vx.lock pins and a runtime's LTS lines: a runtime's from its publisher's index, a
//! registry package's from its GitHub releases (else tags). TOOL is a tool of vx.toml
//! (its name there), a runtime (`node`) or any registry name.

use std::io::Write;

use vx::exit::{Error, OK};

use vx_tui::text::{columns, sanitize};

use crate::cli::VersionsArgs;

/// Runs `vx versions`.
pub fn run(args: &VersionsArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(args.manifest.as_deref(), vx::session::Want::Optional)
            .offline(args.offline),
    )?;
    let net = session.network(args.json)?;
    let resolver = session.resolver(&net)?;
    // A tool of vx.toml is looked up as vx.toml names it.
    let listed = session.manifest().and_then(|m| m.tool(&args.tool));
    let lookup = listed
        .and_then(|t| t.registry.as_ref())
        .map_or(args.tool.as_str(), |r| r.lookup.as_str());
    let found = resolver.named(lookup)?;
    let versions = resolver.listed(&found)?;
    let locked = listed
        .and_then(|t| session.lock()?.tools.get(&t.name).cloned())
        .and_then(|e| e.tag.clone());
    let mut out = Vec::new();
    if args.json {
        let items: Vec<serde_json::Value> = versions
            .iter()
            .map(|v| {
                serde_json::json!({
                    "version": v.version,
                    "tag": v.tag,
                    "published_at": v.published_at,
                    "prerelease": v.prerelease,
                    "lts": v.lts,
                    "locked": locked.as_deref() == Some(v.tag.as_str()),
                })
            })
            .collect();
        let value = serde_json::json!({
            "tool": found.short_name(),
            "package": found.qualified_name(),
            "versions": items,
        });
        writeln!(out, "{value}")?;
    } else {
        let rows: Vec<[String; 3]> = versions
            .iter()
            .map(|v| {
                let mut notes = Vec::new();
                if locked.as_deref() == Some(v.tag.as_str()) {
                    notes.push("locked".to_owned());
                }
                if v.prerelease {
                    notes.push("pre-release".to_owned());
                }
                if let Some(line) = &v.lts {
                    notes.push(format!("LTS {}", sanitize(line)));
                }
                let date = v
                    .published_at
                    .as_deref()
                    .map_or(String::new(), |d| d.chars().take(10).collect());
                [
                    sanitize(&v.version).into_owned(),
                    sanitize(&date).into_owned(),
                    notes.join(", "),
                ]
            })
            .collect();
        writeln!(
            out,
            "{} ({})",
            sanitize(&found.short_name()),
            sanitize(&found.qualified_name())
        )?;
        write!(out, "{}", columns(["VERSION", "PUBLISHED", ""], &rows))?;
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(OK)
}
