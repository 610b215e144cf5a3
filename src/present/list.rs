//! What `vx list` prints of the store ([`vx_engine::inventory::scan`]): a table of every
//! version with its size, age, use, signatures and executables, then the total; or a
//! JSON object a line.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use vx_engine::inventory::Installed;
use vx_text::{age, bytes, count, sanitize};

/// The store's versions as stdout's text; `used` says whether the project uses one.
pub(crate) fn text(
    installed: &[Installed],
    used: &dyn Fn(&Installed) -> bool,
    store: &Path,
    json: bool,
) -> Result<String, serde_json::Error> {
    if json {
        let mut out = String::new();
        for item in installed {
            let mut value = serde_json::to_value(item)?;
            value["used"] = used(item).into();
            out.push_str(&format!("{value}\n"));
        }
        return Ok(out);
    }
    if installed.is_empty() {
        return Ok(format!("no tools installed in {}\n", store.display()));
    }
    let total = installed
        .iter()
        .map(|i| i.size)
        .fold(0, u64::saturating_add);
    Ok(format!(
        "{}{}, {} in {}\n",
        table(installed, used),
        count(installed.len() as u64, "version"),
        bytes(total),
        store.display()
    ))
}

/// The table of versions, a row each.
fn table(installed: &[Installed], used: &dyn Fn(&Installed) -> bool) -> String {
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
                bytes(item.size),
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
    vx_text::columns(header, &rows)
}

/// The SIGNED cell: the kinds of signature that verified the download
/// ([`vx_net::verify::kinds`]), or `-` (unsigned; `--json` gives the whole records).
fn signed_by(records: Option<&str>) -> String {
    match vx_net::verify::kinds(records.unwrap_or("")) {
        kinds if kinds.is_empty() => "-".to_owned(),
        kinds => sanitize(&kinds).into_owned(),
    }
}
