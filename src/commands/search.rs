//! `vx search TERM [--json]`: vx's language runtimes, then packages of the project's
//! registries and the standard one, whose names, aliases, commands or descriptions
//! hold TERM, best matches first.

use std::io::Write;

use vx::exit::{Error, FAILED, OK};

use vx_tui::text::{columns, sanitize, truncate};

use vx::registry::names::Rank;
use vx::registry::set::SetHit;

use crate::cli::SearchArgs;

/// Most results printed as text (JSON has them all).
const SHOWN: usize = 30;

/// Runs `vx search`: exit 0 with results, 1 with none.
pub fn run(args: &SearchArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(args.manifest.as_deref(), vx::session::Want::Optional)
            .offline(args.offline),
    )?;
    let net = session
        .network(args.json)
        .map_err(super::resolution_error)?;
    let resolver = session.resolver(&net).map_err(super::resolution_error)?;
    let term = args.term.to_ascii_lowercase();
    let all = session
        .catalogue()
        .all()
        .map_err(|e| super::resolution_error(vx::resolution::runtime::error(e)))?;
    let runtimes: Vec<(Rank, &dyn vx::runtime::Runtime)> = all
        .iter()
        .map(|r| &**r)
        .filter_map(|r| runtime_rank(r, &term).map(|rank| (rank, r)))
        .collect();
    let (hits, problems) = resolver.search(&args.term);
    // Nothing found where something could not be searched is no answer: said as the
    // failure it is, not as "no match".
    if hits.is_empty() && runtimes.is_empty() && !problems.is_empty() {
        return Err(Error::environment(format!(
            "no package matches `{}` in what could be searched, and {} could not be: {}",
            sanitize(&args.term),
            match problems.len() {
                1 => "1 registry".to_owned(),
                n => format!("{n} registries"),
            },
            problems.join("; ")
        )));
    }
    for problem in &problems {
        vx::note!("vx: warning: not searched: {problem}");
    }
    // Runtimes and packages in one order, by how well they matched (a runtime before
    // a package of the same rank): `rg` finds ripgrep before the runtime whose
    // description happens to hold the letters.
    let mut ranked: Vec<(Rank, Found)> = runtimes
        .iter()
        .map(|(rank, r)| (*rank, Found::Runtime(*r)))
        .chain(hits.iter().map(|h| (h.hit.rank, Found::Package(h))))
        .collect();
    // Stable: within a rank, runtimes first, then the packages in the search's order.
    ranked.sort_by_key(|(rank, _)| *rank);
    let mut found: Vec<Found> = ranked.into_iter().map(|(_, f)| f).collect();
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
        let more = found.len().saturating_sub(SHOWN + runtimes.len());
        found.truncate(SHOWN + runtimes.len());
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

/// One result: a runtime of vx's own or a registry's package.
enum Found<'a> {
    Runtime(&'a dyn vx::runtime::Runtime),
    Package(&'a SetHit),
}

/// How well a runtime matches a lowercased `term`, ranked as packages are: by its name
/// or an alias, else its summary.
fn runtime_rank(runtime: &dyn vx::runtime::Runtime, term: &str) -> Option<Rank> {
    vx::registry::names::rank_of(
        std::iter::once(runtime.name()).chain(runtime.aliases()),
        Some(runtime.summary()),
        term,
    )
}
