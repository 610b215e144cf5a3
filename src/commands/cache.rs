//! `vx cache dir | size | clean [--older-than AGE]`: where vx's cache is, what each of
//! its areas takes, and removing them ([`vx_engine::cache`]): downloads, registry files, API
//! answers and the store's interrupted downloads; never an installed tool. Sizes are
//! human-readable, and in bytes under `--json`.

use std::path::PathBuf;
use std::time::Duration;

use vx_base::exit::{Error, FAILED, OK};
use vx_tui::text::sanitize;

use super::print;
use crate::cli::CacheCommand;

/// Runs `vx cache …`.
pub(crate) fn run(command: CacheCommand) -> Result<i32, Error> {
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
    vx_base::platform::fs::cache_dir().ok_or_else(|| {
        Error::environment("no cache directory: set VX_CACHE_DIR, XDG_CACHE_HOME or HOME")
    })
}

/// The store whose partial downloads count ([`vx_engine::cache::store`]): one `--store`
/// names that cannot be used is a usage error.
fn store(explicit: Option<PathBuf>) -> Result<Option<PathBuf>, Error> {
    vx_engine::cache::store(explicit).map_err(Error::usage)
}

fn size(json: bool, store_flag: Option<PathBuf>) -> Result<i32, Error> {
    let dir = cache_dir()?;
    let store = store(store_flag)?;
    let areas = vx_engine::cache::usage(Some(&dir), store.as_deref());
    let text = crate::present::cache::usage(&dir, &areas, json);
    print(&text)?;
    Ok(OK)
}

fn clean(older_than: Option<&str>, json: bool, store_flag: Option<PathBuf>) -> Result<i32, Error> {
    let age = match older_than {
        Some(text) => vx_base::utc::parse_age(text)
            .map_err(|why| Error::usage(format!("--older-than {why}")))?,
        None => Duration::ZERO,
    };
    let dir = cache_dir()?;
    let store = store(store_flag)?;
    let cleaned = vx_engine::cache::clean(Some(&dir), store.as_deref(), age);
    for (path, err) in &cleaned.failed {
        vx_base::note!(
            "vx: cannot remove {}: {err}",
            sanitize(&path.display().to_string())
        );
    }
    let text = crate::present::cache::cleaned(&cleaned, older_than, json);
    print(&text)?;
    Ok(if cleaned.failed.is_empty() {
        OK
    } else {
        FAILED
    })
}
