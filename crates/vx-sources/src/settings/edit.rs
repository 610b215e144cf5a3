//! `vx config set KEY VALUE` and `vx config unset KEY`: the user config edited in
//! place with `toml_edit`, so its comments, order and layout stay as the user wrote
//! them. The key is checked against the reader's keys ([`check_key`]) and the edited
//! text is read back by the reader itself ([`UserConfig::parse`]), its network and
//! GitHub settings made as every command makes them
//! ([`crate::settings::network::check_user`]), before anything is written: an unknown
//! key, a wrong type or a value vx would refuse gets the reader's own message, and a
//! file vx would refuse is never written. The edit starts from a file that parses, even
//! one whose network settings are refused (written by hand): an edit may leave such a
//! problem, never add one ([`problems`]), so `unset` is the way out, one key at a
//! time. The file is replaced whole ([`vx_base::atomic::write`], through a dotfiles
//! link to its target). No value is ever quoted back: one may be a token.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::settings::network::problems;
use vx_model::user_config::{MAX_CONFIG_BYTES, UserConfig, UserConfigError, check_key, split_key};

/// Why the user config was not edited (it is as it was).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The key is not one the reader knows, or not written as a TOML dotted key.
    #[error("{key}: {problem}")]
    Key {
        /// The key as given (sanitized).
        key: String,
        /// Why.
        problem: String,
    },
    /// The file as edited would not be read: the reader's reason.
    #[error("{key}: {problem}; {} is unchanged", path.display())]
    Refused {
        /// The key as given (sanitized).
        key: String,
        /// The user config.
        path: PathBuf,
        /// The reader's reason (no value quoted).
        problem: String,
    },
    /// The file as it is cannot be read or parsed: fix it first.
    #[error(transparent)]
    Current(#[from] UserConfigError),
    /// The file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The user config.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl EditError {
    /// Whether the user's input (key, value, the file as it is) is at fault (exit 2)
    /// rather than the machine (exit 1).
    pub(crate) fn is_usage(&self) -> bool {
        !matches!(
            self,
            EditError::Write { .. } | EditError::Current(UserConfigError::Read { .. })
        )
    }
}

/// Sets `key` to `value` in the user config at `path` (created with its directory if
/// missing). `value` is a string, or a TOML array when it starts with `[` (for
/// `mirrors`, `http.ca_certificates`, `self_update.keys`).
pub fn set(path: &Path, key: &str, value: &str) -> Result<(), EditError> {
    let keys = parse_key(key)?;
    let (mut doc, before) = current(path)?;
    let new = match value.trim_start().starts_with('[') {
        true => value.parse::<Value>().map_err(|e| EditError::Key {
            key: clean(key),
            problem: format!(
                "the value is not a TOML array: {}",
                first_line(&e.to_string())
            ),
        })?,
        false => Value::from(value),
    };
    let (leaf, parents) = keys.split_last().expect("parse_key gives one key or more");
    let table = descend(doc.as_table_mut(), parents).ok_or_else(|| EditError::Key {
        key: clean(key),
        problem: "a part of it is set to a value, not a table".to_owned(),
    })?;
    let mut new = new;
    match table.get_mut(leaf.as_str()) {
        Some(Item::Value(old)) => {
            // The comment after the old value stays after the new one.
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        Some(Item::None) | None => {
            table.insert(leaf.as_str(), Item::Value(new));
        }
        Some(_) => {
            return Err(EditError::Key {
                key: clean(key),
                problem: "it is a table; set the keys inside it".to_owned(),
            });
        }
    }
    save(path, key, &doc, &before)
}

/// Removes `key` from the user config at `path` (a table left empty by it goes too);
/// `false` when it was not set there (nothing is written).
pub fn unset(path: &Path, key: &str) -> Result<bool, EditError> {
    let keys = parse_key(key)?;
    if !path.exists() {
        return Ok(false);
    }
    let (mut doc, before) = current(path)?;
    let Some(orphan) = remove(doc.as_table_mut(), &keys) else {
        return Ok(false);
    };
    // A top-level key's comment with no value left at the top: above the first table,
    // else at the end.
    if let Some(comment) = orphan {
        let first = doc
            .as_table_mut()
            .iter_mut()
            .filter_map(|(_, item)| item.as_table_mut())
            .filter(|t| t.position().is_some())
            .min_by_key(|t| t.position());
        match first {
            Some(table) => {
                let decor = table.decor_mut();
                let above = raw(decor.prefix());
                decor.set_prefix(format!("{comment}{above}"));
            }
            None => {
                let trailing = doc.trailing().as_str().unwrap_or("").to_owned();
                doc.set_trailing(format!("{comment}{trailing}"));
            }
        }
    }
    save(path, key, &doc, &before)?;
    Ok(true)
}

/// `key` as a TOML dotted key (`http.headers."artifacts.corp".Authorization`,
/// [`split_key`]), checked against the reader's keys.
fn parse_key(key: &str) -> Result<Vec<String>, EditError> {
    let err = |problem: String| EditError::Key {
        key: clean(key),
        problem,
    };
    let keys = split_key(key).map_err(|e| err(e.to_string()))?;
    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
    check_key(&names).map_err(|e| err(e.to_string()))?;
    Ok(keys)
}

/// The user config as it is (empty when missing), which must read cleanly (an edit
/// never starts from a file the reader refuses), and the network settings of it that
/// vx refuses ([`problems`]: an edit may leave them, never add one).
fn current(path: &Path) -> Result<(DocumentMut, Vec<String>), EditError> {
    let invalid = |problem: &str| UserConfigError::Invalid {
        path: path.to_owned(),
        location: None,
        problem: problem.to_owned(),
    };
    let text = match vx_base::bounded_read::read(path, MAX_CONFIG_BYTES) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| invalid("the file is not valid UTF-8"))?
        }
        Err(e) if e.is_not_found() => String::new(),
        Err(_) => {
            // The reader's own message for what is wrong with it.
            UserConfig::load_from(path)?;
            return Err(invalid("cannot be read").into());
        }
    };
    let before = problems(&UserConfig::parse(path, &text)?);
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|_| invalid("invalid TOML"))?;
    Ok((doc, before))
}

/// The table at `keys` under `table`, created (implicit, so an intermediate one gets
/// no header of its own) where missing; `None` when a part is a value.
fn descend<'t>(mut table: &'t mut dyn TableLike, keys: &[String]) -> Option<&'t mut dyn TableLike> {
    let mut inline = false;
    for key in keys {
        if table.get(key.as_str()).is_none() {
            let item = match inline {
                true => Item::Value(Value::InlineTable(InlineTable::new())),
                false => {
                    let mut new = Table::new();
                    new.set_implicit(true);
                    Item::Table(new)
                }
            };
            table.insert(key.as_str(), item);
        }
        let item = table.get_mut(key.as_str())?;
        inline = item.is_inline_table();
        table = item.as_table_like_mut()?;
    }
    Some(table)
}

/// Removes `keys` under `table`, and each table it leaves empty (but one whose header
/// carries a comment, or keeps the comment of the key removed); `None` when it was not
/// there, else the comment lines of the key that found no place in `table` (for the
/// caller to keep).
fn remove(table: &mut dyn TableLike, keys: &[String]) -> Option<Option<String>> {
    let (first, rest) = keys.split_first()?;
    if rest.is_empty() {
        return remove_keeping_comments(table, first);
    }
    let inner = table
        .get_mut(first.as_str())
        .and_then(Item::as_table_like_mut)?;
    let mut orphan = remove(inner, rest)?;
    // The comment of a table's last key, removed: kept under the table's header.
    if let Some(comment) = orphan.take() {
        match table.get_mut(first.as_str()) {
            Some(Item::Table(t)) => {
                let decor = t.decor_mut();
                let suffix = raw(decor.suffix());
                decor.set_suffix(format!("{suffix}\n{}", comment.trim_end()));
            }
            _ => orphan = Some(comment),
        }
    }
    // A table left empty goes, unless a comment of the user's sits on its header.
    let commented = match table.get(first.as_str()) {
        Some(Item::Table(t)) => [t.decor().prefix(), t.decor().suffix()]
            .into_iter()
            .any(|part| {
                part.and_then(|p| p.as_str())
                    .is_some_and(|p| p.contains('#'))
            }),
        _ => false,
    };
    if !commented
        && table
            .get(first.as_str())
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.is_empty())
    {
        table.remove(first.as_str());
    }
    Some(orphan)
}

/// The text of a decor part, empty when unset.
fn raw(part: Option<&toml_edit::RawString>) -> String {
    part.and_then(|p| p.as_str()).unwrap_or("").to_owned()
}

/// Removes `key` from `table`; the comment lines above it (the section's, as a user
/// wrote them: `# our mirror`) stay: above the value that follows it, else below the
/// value before it (issue 66, item 19: the comment above a section's last key went
/// with it). `None` when it was not there; else the comment when `table` has no value
/// left to keep it by.
fn remove_keeping_comments(table: &mut dyn TableLike, key: &str) -> Option<Option<String>> {
    let index = table.iter().position(|(k, _)| k == key)?;
    let comment = table
        .key(key)
        .and_then(|k| k.leaf_decor().prefix())
        .and_then(|p| p.as_str())
        .filter(|p| p.contains('#'))
        .map(|p| {
            // The comment lines, not the blank lines and indentation around them.
            let lines: Vec<&str> = p
                .lines()
                .filter(|l| l.trim_start().starts_with('#'))
                .collect();
            format!("{}\n", lines.join("\n"))
        });
    table.remove(key)?;
    let Some(comment) = comment else {
        return Some(None);
    };
    // Only a value is written where it stands: a table below is written under its own
    // header, elsewhere.
    if let Some((mut next, _)) = table
        .iter_mut()
        .skip(index)
        .find(|(_, item)| item.is_value())
    {
        let decor = next.leaf_decor_mut();
        let below = raw(decor.prefix());
        decor.set_prefix(format!("{comment}{below}"));
        return Some(None);
    }
    if let Some((_, item)) = table
        .iter_mut()
        .take(index)
        .filter(|(_, item)| item.is_value())
        .last()
        && let Some(value) = item.as_value_mut()
    {
        let decor = value.decor_mut();
        let after = raw(decor.suffix());
        decor.set_suffix(format!("{after}\n{}", comment.trim_end()));
        return Some(None);
    }
    Some(Some(comment))
}

/// Reads the edited text back as vx would, then writes it: refused when the reader
/// refuses it, or when its network settings hold a problem `before` (the file's as it
/// was) did not.
fn save(path: &Path, key: &str, doc: &DocumentMut, before: &[String]) -> Result<(), EditError> {
    let text = doc.to_string();
    let refused = |problem: String| EditError::Refused {
        key: clean(key),
        path: path.to_owned(),
        problem,
    };
    let user = UserConfig::parse(path, &text).map_err(|err| {
        refused(match err {
            UserConfigError::Invalid { problem, .. } => problem,
            other => other.to_string(),
        })
    })?;
    // The network and GitHub settings as every command makes them.
    if let Some(new) = problems(&user).into_iter().find(|p| !before.contains(p)) {
        return Err(refused(new));
    }
    let write_err = |source| EditError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    vx_base::atomic::write(path, text.as_bytes()).map_err(write_err)
}

fn clean(text: &str) -> String {
    vx_text::sanitize(&vx_base::validate::shorten(text)).into_owned()
}

fn first_line(text: &str) -> String {
    clean(
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(text)
            .trim(),
    )
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // The user config could not be edited (`vx config set`, `unset`).
    EditError => |e| by_kind(e.is_usage(), e);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edited(before: &str, key: &str, value: Option<&str>) -> Result<String, EditError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        if !before.is_empty() {
            std::fs::write(&path, before).unwrap();
        }
        match value {
            Some(value) => set(&path, key, value)?,
            None => {
                unset(&path, key)?;
            }
        }
        Ok(std::fs::read_to_string(&path).unwrap_or_default())
    }

    #[test]
    fn a_new_key_gets_its_table_and_the_comments_stay() {
        let before = "# my settings\nmirrors = [] # none yet\n\n[github]\n# GHE\nurl = \"https://a\" # old\n";
        let after = edited(before, "github.url", Some("https://ghe.corp")).unwrap();
        assert_eq!(
            after,
            "# my settings\nmirrors = [] # none yet\n\n[github]\n# GHE\nurl = \"https://ghe.corp\" # old\n"
        );
        let after = edited(
            before,
            "http.headers.\"art.corp\".Authorization",
            Some("Bearer ${T}"),
        )
        .unwrap();
        assert!(
            after.ends_with("[http.headers.\"art.corp\"]\nAuthorization = \"Bearer ${T}\"\n"),
            "{after}"
        );
        assert!(!after.contains("[http]\n"), "{after}");
        let after = edited(before, "mirrors", Some("[\"file:///mnt/vx\"]")).unwrap();
        assert!(
            after.contains("mirrors = [\"file:///mnt/vx\"] # none yet"),
            "{after}"
        );
    }

    /// Issue 66, item 19: the comment above an unset key stays (it was removed with
    /// the key, though it is the user's note on the section).
    #[test]
    fn unset_keeps_the_comment_lines_above_the_key() {
        let before = "[github]\n# our mirror, since 2024\nurl = \"https://a\"\ntoken = \"x\"\n";
        let after = edited(before, "github.url", None).unwrap();
        assert_eq!(after, "[github]\n# our mirror, since 2024\ntoken = \"x\"\n");
    }

    #[test]
    fn unset_removes_the_key_and_the_table_it_empties() {
        let before =
            "# top\n[github]\nurl = \"https://a\"\n\n[verify]\ntrusted_root = \"r.json\"\n";
        let after = edited(before, "github.url", None).unwrap();
        assert_eq!(
            after,
            "# top\n[github]\n\n[verify]\ntrusted_root = \"r.json\"\n"
        );
        let after = edited(&after, "verify.trusted_root", None).unwrap();
        assert_eq!(after, "# top\n[github]\n");
    }

    #[test]
    fn what_the_reader_refuses_is_refused_with_its_message_and_nothing_written() {
        let err = edited("", "github.toke", Some("x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `token`"), "{err}");
        let err = edited("", "mirrors", Some("oops")).unwrap_err().to_string();
        assert!(
            err.contains("invalid type") && !err.contains("oops"),
            "{err}"
        );
        let err = edited("", "registry.standard_ref", Some("v4"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs both"), "{err}");
        let err = edited("", "github.url.x", Some("v4"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a table"), "{err}");
    }
}
