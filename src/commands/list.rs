//! `vx list [--json]`: every tool version in the store, with its size on disk, when it
//! was installed, its executables, the UNVERIFIED mark, and whether the project's
//! vx.toml (if there is one here) uses it.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use vx::exit::Error;
use vx::inventory::{self, Installed};
use vx_tui::text::{age, bytes as human_bytes, count, sanitize};

use crate::cli::ListArgs;

/// Runs `vx list`.
pub fn run(args: &ListArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(
            args.project.manifest.as_deref(),
            vx::session::Want::ProjectOrGlobal,
        )
        .store(args.project.store.as_deref()),
    )?;
    let store = session.store()?;
    let chain = session.toolchain(&[], &store)?;
    let used = |item: &Installed| chain.uses(&item.tool, &item.version);
    let installed = inventory::scan(&store);
    let mut out = Vec::new();
    if args.json {
        for item in &installed {
            let mut value = serde_json::to_value(item).map_err(Error::environment)?;
            value["used"] = used(item).into();
            writeln!(out, "{value}")?;
        }
    } else if installed.is_empty() {
        writeln!(out, "no tools installed in {}", store.display())?;
    } else {
        write_table(&mut out, &installed, &used)?;
        let total = installed
            .iter()
            .map(|i| i.size)
            .fold(0, u64::saturating_add);
        writeln!(
            out,
            "{}, {} in {}",
            count(installed.len() as u64, "version"),
            human_bytes(total),
            store.display()
        )?;
    }
    std::io::stdout().write_all(&out)?;
    Ok(vx::exit::OK)
}

fn write_table(
    out: &mut Vec<u8>,
    installed: &[Installed],
    used: &dyn Fn(&Installed) -> bool,
) -> std::io::Result<()> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let rows: Vec<[String; 7]> = installed
        .iter()
        .map(|item| {
            let bins: Vec<String> = item
                .bin
                .iter()
                .map(|b| sanitize(b.rsplit('/').next().unwrap_or(b)).into_owned())
                .collect();
            let mut bins = bins.join(", ");
            if item.unverified {
                bins.push_str(" (UNVERIFIED: no sha256)");
            }
            [
                item.tool.clone(),
                item.version.clone(),
                human_bytes(item.size),
                age(now.saturating_sub(item.installed_at)),
                if used(item) { "yes" } else { "-" }.to_owned(),
                signed_by(item.verified.as_deref()),
                bins,
            ]
        })
        .collect();
    let header = [
        "TOOL",
        "VERSION",
        "SIZE",
        "INSTALLED",
        "USED",
        "SIGNED",
        "BINS",
    ];
    out.write_all(vx_tui::text::columns(header, &rows).as_bytes())?;
    Ok(())
}

/// The SIGNED cell: the kinds of signature that verified the download
/// ([`vx::verify::kinds`]), or `-` (unsigned; `--json` gives the whole records).
fn signed_by(records: Option<&str>) -> String {
    match vx::verify::kinds(records.unwrap_or("")) {
        kinds if kinds.is_empty() => "-".to_owned(),
        kinds => sanitize(&kinds).into_owned(),
    }
}
