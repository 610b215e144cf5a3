//! What an `aqua.yaml` pulls in: the files its `import:` entries and `import_dir`
//! name (relative to the file naming them; `*` and `?` in the file name), read and
//! parsed as aqua's package lists, and its packages of a `registry:` other than
//! `standard` bound to the registries it declares. Bounded: at most
//! [`MAX_INCLUDED`] files, [`MAX_DEPTH`] levels of imports, each file read once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::aqua::{DeclaredRegistry, Parsed};
use super::{Entry, ImportError, Imported, Lookup, LookupError, Registries};

/// Most files one aqua.yaml may pull in.
pub(crate) const MAX_INCLUDED: usize = 256;

/// Most levels of `import:` in imported files.
pub(crate) const MAX_DEPTH: usize = 8;

/// `imported` (read from `path`) with the files it imports followed and its
/// packages' registries bound; a file it imports that does not follow aqua's format
/// is an error, a pattern that names nothing an entry's skip reason.
pub(crate) fn aqua(path: &Path, parsed: Parsed) -> Result<(Imported, Registries), ImportError> {
    let Parsed {
        mut imported,
        includes,
        mut registries,
    } = parsed;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let shown_base = canonical(&base);
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    seen.insert(canonical(path));
    let mut pending: Vec<(PathBuf, super::Include, Option<String>, usize)> = includes
        .into_iter()
        .map(|i| (base.clone(), i, None, 0))
        .collect();
    pending.reverse();
    let mut included = 0usize;
    while let Some((dir, include, from, depth)) = pending.pop() {
        let skip = |why: LookupError| {
            let mut entry = Entry::new(&include.pattern, "", include.line);
            entry.lookup = Err(why);
            entry.file = from.clone();
            entry
        };
        let files = match expand(&dir, &include.pattern) {
            Ok(files) => files,
            Err(why) => {
                imported.tools.push(skip(why));
                continue;
            }
        };
        if files.is_empty() && !include.optional {
            imported.tools.push(skip(LookupError::NoFile {
                pattern: include.pattern.clone(),
            }));
        }
        for file in files {
            if !seen.insert(canonical(&file)) {
                continue;
            }
            included += 1;
            if included > MAX_INCLUDED || depth >= MAX_DEPTH {
                imported.tools.push(skip(LookupError::TooManyImports {
                    files: MAX_INCLUDED,
                    levels: MAX_DEPTH,
                }));
                break;
            }
            let list = super::aqua_file(&file)?;
            let shown = shown(&shown_base, &file);
            for mut entry in list.imported.tools {
                entry.file = Some(shown.clone());
                imported.tools.push(entry);
            }
            let here = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let mut nested: Vec<_> = list
                .includes
                .into_iter()
                .map(|i| (here.clone(), i, Some(shown.clone()), depth + 1))
                .collect();
            nested.reverse();
            pending.extend(nested);
        }
    }
    for (_, declared) in &mut registries {
        if let DeclaredRegistry::Local(p) = declared {
            *p = base.join(&*p).display().to_string();
        }
    }
    for entry in &mut imported.tools {
        let Some(registry) = entry.registry.clone() else {
            continue;
        };
        let declared = registries.iter().find(|(name, _)| *name == registry);
        entry.lookup = match (declared, &entry.lookup) {
            (_, Err(why)) => Err(why.clone()),
            (Some((_, DeclaredRegistry::Local(_))), Ok(lookup)) => {
                Ok(Lookup::Package(format!("{registry}:{}", lookup.name())))
            }
            (Some((_, DeclaredRegistry::Other(kind))), _) => Err(LookupError::RegistryType {
                registry: registry.clone(),
                kind: kind.clone(),
            }),
            (None, _) => Err(LookupError::UndeclaredRegistry {
                registry: registry.clone(),
            }),
        };
    }
    Ok((imported, registries))
}

/// The files `pattern` names in `dir`: a path, or one whose last segment holds `*`
/// or `?`, sorted by name; directories and hidden files left out of a glob.
fn expand(dir: &Path, pattern: &str) -> Result<Vec<PathBuf>, LookupError> {
    let (parent, name) = match pattern.rsplit_once('/') {
        Some((parent, name)) => (dir.join(parent), name),
        None => (dir.to_path_buf(), pattern),
    };
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if pattern.rsplit_once('/').is_some_and(|(p, _)| wild(p)) {
        return Err(LookupError::WildDirectory {
            pattern: pattern.to_owned(),
        });
    }
    if !wild(name) {
        let path = parent.join(name);
        return Ok(if path.is_file() {
            vec![path]
        } else {
            Vec::new()
        });
    }
    let Ok(listing) = std::fs::read_dir(&parent) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let file = e.file_name().to_str()?.to_owned();
            (!file.starts_with('.') && matches(name.as_bytes(), file.as_bytes())).then(|| e.path())
        })
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    Ok(found)
}

/// Whether `name` matches the glob `pattern` (`*`: any run, `?`: one byte).
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// `file` as the import lines show it: relative to the aqua.yaml's directory.
fn shown(base: &Path, file: &Path) -> String {
    let file = canonical(file);
    file.strip_prefix(base)
        .unwrap_or(&file)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_as_a_shell_does_in_one_directory() {
        assert!(matches(b"*.yaml", b"conftest.yaml"));
        assert!(!matches(b"*.yaml", b"conftest.yml"));
        assert!(matches(b"a?c*", b"abcdef"));
        assert!(matches(b"*", b"x"));
        assert!(!matches(b"x*y", b"xay.z"));
    }
}
