//! `vx cache dir | size | clean [--older-than AGE]`: where vx's cache is, what each of
//! its areas takes, and removing them ([`vx::cache`]): downloads, registry files, API
//! answers and the store's interrupted downloads; never an installed tool. Sizes are
//! human-readable, and in bytes under `--json`.

use std::path::PathBuf;
use std::time::Duration;

use vx::exit::{Error, FAILED, OK};
use vx_tui::text::{bytes as human_bytes, sanitize};

use super::print;
use crate::cli::CacheCommand;

/// Runs `vx cache …`.
pub fn run(command: CacheCommand) -> Result<i32, Error> {
    match command {
        CacheCommand::Dir => {
            print(&format!("{}\n", cache_dir()?.display()))?;
            Ok(OK)
        }
        CacheCommand::Size { json, store } => size(json, store),
        CacheCommand::Clean {
            older_than,
            json,
            store,
        } => clean(older_than.as_deref(), json, store),
    }
}

/// vx's cache directory; none known is an environment error.
fn cache_dir() -> Result<PathBuf, Error> {
    vx::platform::fs::cache_dir().ok_or_else(|| {
        Error::environment("no cache directory: set VX_CACHE_DIR, XDG_CACHE_HOME or HOME")
    })
}

/// The store whose partial downloads count ([`vx::cache::store`]): one `--store`
/// names that cannot be used is a usage error.
fn store(explicit: Option<PathBuf>) -> Result<Option<PathBuf>, Error> {
    vx::cache::store(explicit).map_err(Error::usage)
}

fn size(json: bool, store_flag: Option<PathBuf>) -> Result<i32, Error> {
    let dir = cache_dir()?;
    let store = store(store_flag)?;
    let areas = vx::cache::usage(Some(&dir), store.as_deref());
    let total = areas.iter().map(|a| a.bytes).fold(0, u64::saturating_add);
    let text = if json {
        let areas: Vec<serde_json::Value> = areas
            .iter()
            .map(|a| {
                serde_json::json!({
                    "name": a.name,
                    "path": a.path,
                    "what": a.what,
                    "bytes": a.bytes,
                    "size": human_bytes(a.bytes),
                    "files": a.files,
                })
            })
            .collect();
        let value = serde_json::json!({
            "dir": dir,
            "areas": areas,
            "bytes": total,
            "size": human_bytes(total),
        });
        format!("{value}\n")
    } else {
        let mut text = String::new();
        for a in &areas {
            text.push_str(&format!(
                "{:<10}  {:>10}  {}  ({})\n",
                a.name,
                human_bytes(a.bytes),
                sanitize(&a.path.display().to_string()),
                a.what
            ));
        }
        text.push_str(&format!("{:<10}  {:>10}\n", "total", human_bytes(total)));
        text
    };
    print(&text)?;
    Ok(OK)
}

fn clean(older_than: Option<&str>, json: bool, store_flag: Option<PathBuf>) -> Result<i32, Error> {
    let age = match older_than {
        Some(text) => {
            vx::utc::parse_age(text).map_err(|why| Error::usage(format!("--older-than {why}")))?
        }
        None => Duration::ZERO,
    };
    let dir = cache_dir()?;
    let store = store(store_flag)?;
    let cleaned = vx::cache::clean(Some(&dir), store.as_deref(), age);
    for (path, err) in &cleaned.failed {
        vx::note!(
            "vx: cannot remove {}: {err}",
            sanitize(&path.display().to_string())
        );
    }
    let text = if json {
        let failed: Vec<serde_json::Value> = cleaned
            .failed
            .iter()
            .map(|(path, err)| serde_json::json!({"path": path, "error": err.to_string()}))
            .collect();
        let value = serde_json::json!({
            "files": cleaned.files,
            "bytes": cleaned.bytes,
            "size": human_bytes(cleaned.bytes),
            "failed": failed,
        });
        format!("{value}\n")
    } else {
        let which = match older_than {
            Some(text) => format!(" last written over {} ago", sanitize(text.trim())),
            None => String::new(),
        };
        format!(
            "removed {} file{}{which}, freed {}\n",
            cleaned.files,
            if cleaned.files == 1 { "" } else { "s" },
            human_bytes(cleaned.bytes)
        )
    };
    print(&text)?;
    Ok(if cleaned.failed.is_empty() {
        OK
    } else {
        FAILED
    })
}
