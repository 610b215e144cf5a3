//! `vx search TERM [--json]`: vx's language runtimes, then packages of the project's
//! registries and the standard one, whose names, aliases, commands or descriptions
//! hold TERM, best matches first.

use std::io::Write;

use vx::exit::{Error, FAILED, OK};
use vx::ops::search::Found;

use vx_tui::text::{columns, sanitize, truncate};

use crate::cli::SearchArgs;

/// Most results printed as text (JSON has them all).
const SHOWN: usize = 30;

/// Runs `vx search`: exit 0 with results, 1 with none.
pub fn run(args: &SearchArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(args.manifest.as_deref(), vx::session::Want::Optional)
            .offline(args.offline),
    )?;
    let searched = vx::ops::search::search(&session, &args.term, args.json)?;
    for problem in &searched.problems {
        vx::note!("vx: warning: not searched: {problem}");
    }
    let mut found = searched.found;
    let mut out = Vec::new();
    if args.json {
        let results: Vec<serde_json::Value> = found
            .iter()
            .map(|f| match f {
                Found::Runtime(r) => serde_json::json!({
                    "name": r.name(),
                    "short_name": r.name(),
                    "registry": "runtime",
                    "description": r.summary(),
                    "supported": true,
                    "unsupported": null,
                }),
                Found::Package(h) => serde_json::json!({
                    "name": h.hit.full_name,
                    "short_name": h.hit.short_name,
                    "registry": h.registry,
                    "description": h.hit.description,
                    "supported": h.hit.unsupported.is_none(),
                    "unsupported": h.hit.unsupported,
                }),
            })
            .collect();
        writeln!(out, "{}", serde_json::json!({ "results": results }))?;
    } else if found.is_empty() {
        writeln!(out, "no package matches `{}`", sanitize(&args.term))?;
    } else {
        let more = found.len().saturating_sub(SHOWN + searched.runtimes);
        found.truncate(SHOWN + searched.runtimes);
        let rows: Vec<[String; 3]> = found
            .iter()
            .map(|f| match f {
                Found::Runtime(r) => [r.package(), r.name().to_owned(), truncate(r.summary(), 70)],
                Found::Package(h) => {
                    let mut name = sanitize(&h.hit.full_name).into_owned();
                    if h.registry != vx::registry::source::STANDARD_NAME {
                        name = format!("{}:{name}", sanitize(&h.registry));
                    }
                    let about = match &h.hit.unsupported {
                        Some(_) => "(not installable by vx)".to_owned(),
                        None => sanitize(h.hit.description.as_deref().unwrap_or("")).into_owned(),
                    };
                    [
                        name,
                        sanitize(&h.hit.short_name).into_owned(),
                        truncate(&about, 70),
                    ]
                }
            })
            .collect();
        write!(
            out,
            "{}",
            columns(["PACKAGE", "TOOL", "DESCRIPTION"], &rows)
        )?;
        if more > 0 {
            writeln!(out, "… and {more} more (--json lists all)")?;
        }
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(if found.is_empty() { FAILED } else { OK })
}
