//! A declared runtime's version index read: a JSON array of objects (fields by dotted
//! path), a text file of one release a line, or a GitHub repository's releases. Each
//! listed id becomes a [`Release`] when, its prefix taken off, it is a version
//! ([`crate::runtime::version::Numeric`]); other entries are skipped, as a publisher's
//! index may list things that are not releases.

use super::format::Versions;
use crate::runtime::version::Numeric;
use crate::runtime::{Context, Release, RuntimeError};

/// The most bytes one entry of a json-list index may take.
pub(crate) const MAX_ENTRY_BYTES: usize = 1 << 20;

/// One release as the index lists it, with the platforms it says were built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Listed {
    /// The release.
    pub release: Release,
    /// The `builds` field's entries (empty when the index has none).
    pub builds: Vec<String>,
}

/// Every release `versions` lists at `url` (for json-list and lines; github-releases
/// ignores it), in the index's order; `what` names the index in errors (`node release
/// index`).
pub(crate) fn read(
    cx: &Context,
    versions: &Versions,
    url: &str,
    what: &str,
) -> Result<Vec<Listed>, RuntimeError> {
    match versions {
        Versions::JsonList { .. } | Versions::Lines { .. } => {
            parse(versions, &cx.text(url)?, url, what)
        }
        Versions::GithubReleases { repo, strip_prefix } => {
            let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
            let listed = cx.github().releases(owner, name).map_err(|e| {
                RuntimeError::from_github(format!("the GitHub releases of {repo}"), &e)
            })?;
            Ok(listed
                .iter()
                .filter(|r| !r.draft)
                .filter_map(|r| {
                    let mut release = release(&r.tag, strip_prefix)?;
                    release.prerelease |= r.prerelease;
                    release.published_at = r.published_at.clone();
                    Some(Listed {
                        release,
                        builds: Vec::new(),
                    })
                })
                .collect())
        }
    }
}

/// The releases the index `text` (json-list or lines, fetched from `url`) lists, in
/// its order, as [`read`] gives them; `what` names the index in errors. A
/// github-releases index is no text: it lists nothing here.
pub(crate) fn parse(
    versions: &Versions,
    text: &str,
    url: &str,
    what: &str,
) -> Result<Vec<Listed>, RuntimeError> {
    match versions {
        Versions::JsonList {
            list,
            version,
            strip_prefix,
            lts,
            date,
            builds,
            ..
        } => {
            let format = |reason: String| RuntimeError::Format {
                url: url.to_owned(),
                what: what.to_owned().into(),
                reason,
            };
            // The list is reached and split without a tree of the whole file (a 32 MiB
            // index made one of about a gigabyte): each entry is read on its own.
            let entries = raw_list(text, list)
                .map_err(|e| format(e.to_string()))?
                .ok_or_else(|| format(format!("no array at `{}`", shown_path(list))))?;
            let mut out = Vec::with_capacity(entries.len());
            for (n, raw) in entries.into_iter().enumerate() {
                // An entry is read as a tree, about thirty times its bytes in memory:
                // one is bounded (a node release's takes about 500 bytes; one whose
                // `files` held 8.3 million strings cost a gigabyte, issue 66, item 15).
                if raw.get().len() > MAX_ENTRY_BYTES {
                    return Err(format(format!(
                        "entry {} takes {} bytes, over the {} KiB an entry may take",
                        n + 1,
                        raw.get().len(),
                        MAX_ENTRY_BYTES >> 10
                    )));
                }
                let entry: serde_json::Value =
                    serde_json::from_str(raw.get()).map_err(|e| format(e.to_string()))?;
                let entry = &entry;
                let Some(id) = field(entry, version).and_then(serde_json::Value::as_str) else {
                    continue;
                };
                let Some(mut release) = release(id, strip_prefix) else {
                    continue;
                };
                let text_of = |path: &Option<String>| {
                    path.as_deref()
                        .and_then(|p| field(entry, p))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                };
                release.lts = text_of(lts);
                release.published_at = text_of(date);
                let builds = builds
                    .as_deref()
                    .and_then(|p| field(entry, p))
                    .and_then(serde_json::Value::as_array)
                    .map(|all| {
                        all.iter()
                            .filter_map(|b| b.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(Listed { release, builds });
            }
            Ok(out)
        }
        Versions::Lines { strip_prefix, .. } => Ok(text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_whitespace().next())
            .filter_map(|id| release(id, strip_prefix))
            .map(|release| Listed {
                release,
                builds: Vec::new(),
            })
            .collect()),
        Versions::GithubReleases { .. } => Ok(Vec::new()),
    }
}

/// `id` as a release: its version is `id` without `strip_prefix`; `None` when it lacks
/// the prefix or is then not a version vx can name.
fn release(id: &str, strip_prefix: &str) -> Option<Release> {
    let version = id.strip_prefix(strip_prefix)?;
    let numeric = Numeric::parse(version)?;
    vx_base::validate::version(version).ok()?;
    let prerelease = !numeric.is_release();
    Some(Release::named(
        version.to_owned(),
        id.to_owned(),
        prerelease,
    ))
}

/// The entries of the array at `path` (dotted; empty: the top) of the JSON `text`, each
/// left unparsed; `None` when there is no array there. Only the objects on the way
/// are split, never parsed whole.
fn raw_list<'t>(
    text: &'t str,
    path: &str,
) -> Result<Option<Vec<&'t serde_json::value::RawValue>>, serde_json::Error> {
    let mut at: &'t serde_json::value::RawValue = serde_json::from_str(text)?;
    if !path.is_empty() {
        for key in path.split('.') {
            if !at.get().trim_start().starts_with('{') {
                return Ok(None);
            }
            let object: std::collections::HashMap<String, &'t serde_json::value::RawValue> =
                serde_json::from_str(at.get())?;
            match object.get(key) {
                Some(inner) => at = inner,
                None => return Ok(None),
            }
        }
    }
    if !at.get().trim_start().starts_with('[') {
        return Ok(None);
    }
    serde_json::from_str(at.get()).map(Some)
}

/// The value at a dotted `path` (empty: `value` itself).
fn field<'v>(value: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// A path as an error shows it.
fn shown_path(path: &str) -> String {
    if path.is_empty() {
        "the top".to_owned()
    } else {
        vx_base::validate::shorten(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_versions_or_are_skipped() {
        let r = release("v20.11.1", "v").unwrap();
        assert_eq!((r.version.as_str(), r.id.as_str()), ("20.11.1", "v20.11.1"));
        assert!(!r.prerelease);
        assert!(release("20.11.1", "v").is_none());
        assert!(release("vnext", "v").is_none());
        assert!(release("v21.0.0-rc.1", "v").unwrap().prerelease);
    }

    #[test]
    fn a_list_is_found_by_dotted_path_without_parsing_the_rest() {
        let text = r#"{"meta":{"n":2},"data":{"releases":[{"v":"1.0"},{"v":"2.0"}]}}"#;
        let list = raw_list(text, "data.releases").unwrap().unwrap();
        let versions: Vec<&str> = list.iter().map(|r| r.get()).collect();
        assert_eq!(versions, [r#"{"v":"1.0"}"#, r#"{"v":"2.0"}"#]);
        assert_eq!(raw_list(r#"[1,2]"#, "").unwrap().unwrap().len(), 2);
        for (text, path) in [
            (text, "data.missing"),
            (text, "meta.n"),
            (text, "meta.n.x"),
            ("{}", ""),
        ] {
            assert!(raw_list(text, path).unwrap().is_none(), "{path}");
        }
        assert!(raw_list("[1,", "").is_err());
    }

    #[test]
    fn fields_are_found_by_dotted_path() {
        let doc: serde_json::Value =
            serde_json::from_str(r#"{"data":{"releases":[{"v":"1.0"}]}}"#).unwrap();
        let list = field(&doc, "data.releases").unwrap().as_array().unwrap();
        assert_eq!(field(&list[0], "v").unwrap(), "1.0");
        assert!(field(&doc, "data.missing").is_none());
        assert_eq!(field(&doc, ""), Some(&doc));
    }
}
