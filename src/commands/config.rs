//! `vx config list | get KEY | path`: the effective settings of the network and
//! GitHub with where each came from ([`vx_sources::settings::view`]), secrets masked;
//! `vx config set KEY VALUE | unset KEY`: the user config edited with its comments
//! kept ([`vx_sources::settings::edit`]); a key or value the reader refuses is a usage error
//! (exit 2) and the file stays as it was.
//!
//! `get` prints the value alone (a list one item per line) and exits 0; a known key
//! that is not set prints nothing and exits 1 (as `git config --get` does), so a script
//! can test it; an unknown key is a usage error (exit 2) with the closest known one.

use vx_base::exit::{Because, Error, FAILED, OK};

use super::print;
use vx_model::user_config::UserConfig;
use vx_sources::settings::view::{Entry, Layers, known_key};

use crate::cli::ConfigCommand;

/// Runs `vx config …`.
pub(crate) fn run(command: ConfigCommand) -> Result<i32, Error> {
    match command {
        ConfigCommand::List { json, manifest } => list(json, manifest.as_deref()),
        ConfigCommand::Get { key, manifest } => get(&key, manifest.as_deref()),
        ConfigCommand::Set { key, value } => {
            let path = user_path()?;
            vx_sources::settings::edit::set(&path, &key, &value)?;
            vx_base::note!("vx: set {} in {}", sanitize(&key), path.display());
            Ok(OK)
        }
        ConfigCommand::Unset { key } => {
            let path = user_path()?;
            if vx_sources::settings::edit::unset(&path, &key)? {
                vx_base::note!("vx: removed {} from {}", sanitize(&key), path.display());
            } else {
                vx_base::note!("vx: {} is not set in {}", sanitize(&key), path.display());
            }
            Ok(OK)
        }
        ConfigCommand::Path => {
            let path = user_path()?;
            print(&format!("{}\n", path.display()))?;
            Ok(OK)
        }
    }
}

fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    vx_tui::text::sanitize(text)
}

/// The user config's path; none known is an environment error.
fn user_path() -> Result<std::path::PathBuf, Error> {
    UserConfig::path().ok_or_else(|| {
        Error::environment(
            "no configuration directory: set XDG_CONFIG_HOME or HOME (on Windows, APPDATA)",
        )
    })
}

/// Every effective setting; a user config or manifest that cannot be read is a usage
/// error (exit 2).
fn entries(manifest: Option<&std::path::Path>) -> Result<Vec<Entry>, Error> {
    let path = user_path()?;
    let user = UserConfig::load_from(&path).map_err(Error::usage)?;
    let session = super::open(&vx_ops::session::Opening::new(
        manifest,
        vx_ops::session::Want::Optional,
    ))?;
    let env = |name: &str| std::env::var(name).ok();
    Layers {
        user: &user,
        user_path: &path,
        manifest: session.manifest(),
        env: &env,
    }
    .entries()
    .map_err(|e| Error::usage(Because::new("network settings", e)))
}

fn list(json: bool, manifest: Option<&std::path::Path>) -> Result<i32, Error> {
    let entries = entries(manifest)?;
    let text = crate::present::config::list(&entries, json);
    print(&text)?;
    Ok(OK)
}

fn get(key: &str, manifest: Option<&std::path::Path>) -> Result<i32, Error> {
    // The key in the form `list` prints it (the one syntax of get, set and unset).
    let dotted = known_key(key).map_err(|why| {
        Error::usage(format!(
            "`{}`: {why}",
            vx_tui::text::sanitize(&vx_base::validate::shorten(key))
        ))
    })?;
    let entries = entries(manifest)?;
    if let Some(entry) = entries.iter().find(|e| e.key == dotted) {
        print(&format!("{}\n", entry.plain()))?;
        return Ok(OK);
    }
    vx_base::note!("vx: {} is not set", vx_tui::text::sanitize(key));
    Ok(FAILED)
}
