//! `vx outdated [--json]`: for each registry tool and runtime of vx.toml, the version vx.lock pins,
//! the newest its constraint allows, and the newest there is. Exit 0 whatever is
//! outdated: it informs, `vx upgrade` acts; a network that fails is exit 1, said.

use std::io::Write;

use vx::exit::{Error, OK};

use vx_tui::text::{columns, sanitize};

use crate::cli::OutdatedArgs;

/// Runs `vx outdated`.
pub fn run(args: &OutdatedArgs) -> Result<i32, Error> {
    let session = super::open(&vx::session::Opening::new(
        args.manifest.as_deref(),
        vx::session::Want::Project,
    ))?;
    let manifest = session.project()?;
    let lock = session.lock();
    let net = session.network(args.json)?;
    let resolver = session.resolver(&net)?;
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for tool in &manifest.tools {
        let Some(request) = &tool.registry else {
            continue;
        };
        let found = resolver.named(&request.lookup)?;
        let locked = lock
            .as_ref()
            .and_then(|l| l.tools.get(&tool.name))
            .filter(|e| e.constraint.as_deref() == Some(request.constraint.as_str()))
            .map(|e| e.version.clone());
        // No version matching is a "-"; a network that failed is said (it showed "-"
        // too, as if there were none, and exited 0).
        let pick = |constraint: &str| match resolver.pick_named(&found, constraint) {
            Ok(candidate) => Ok(Some(candidate.version)),
            Err(e) if e.is_usage() => Ok(None),
            Err(e) => Err(Error::from(e)),
        };
        let wanted = pick(&request.constraint)?;
        let latest = pick("latest")?;
        let show = |v: &Option<String>| {
            v.as_deref()
                .map_or("-".to_owned(), |v| sanitize(v).into_owned())
        };
        rows.push([
            tool.name.clone(),
            sanitize(&request.constraint).into_owned(),
            show(&locked),
            show(&wanted),
            show(&latest),
        ]);
        items.push(serde_json::json!({
            "name": tool.name,
            "package": found.qualified_name(),
            "constraint": request.constraint,
            "locked": locked,
            "wanted": wanted,
            "latest": latest,
        }));
    }
    let mut out = Vec::new();
    if args.json {
        writeln!(out, "{}", serde_json::json!({ "tools": items }))?;
    } else if rows.is_empty() {
        writeln!(out, "no registry tools in {}", manifest.path.display())?;
    } else {
        write!(
            out,
            "{}",
            columns(["TOOL", "CONSTRAINT", "LOCKED", "WANTED", "LATEST"], &rows)
        )?;
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(OK)
}
