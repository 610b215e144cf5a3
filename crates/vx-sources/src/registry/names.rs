//! Finding a package by the name a user types, in one registry's [`Index`], and
//! searching it.
//!
//! The rules, first that matches wins: the package's full name exactly (its `name`,
//! e.g. `kubernetes/kubernetes/kubectl`, else `owner/repo`); then an alias; then a
//! `repo_name` or last name segment that one package alone has; then a command name
//! (`files[].name`) that one package alone installs. A name several packages share at
//! the step that matched is ambiguous and lists them; a name nothing matches is unknown,
//! with the closest names as suggestions.

use thiserror::Error;

use super::index::{Entry, Index};

/// How many suggestions an unknown name gets at most.
pub(crate) const MAX_SUGGESTIONS: usize = 5;

/// The least Jaro-Winkler similarity (of lowercased names) worth suggesting.
const SUGGESTION_THRESHOLD: f64 = 0.85;

/// Which rule found a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedBy {
    /// Its full name.
    FullName,
    /// One of its aliases.
    Alias,
    /// Its `repo_name` or the last segment of its name.
    ShortName,
    /// A command it installs.
    Command,
}

/// A package found by name: its position in the index and the rule that found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// The package's position ([`Index::entry`], [`Index::package`]).
    pub entry: usize,
    /// The rule that matched.
    pub by: MatchedBy,
}

/// Why a name finds no single package.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum NameError {
    /// Several packages answer to the name.
    #[error("`{name}` is ambiguous: it could be {}", candidates.join(", "))]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The full names of the packages it matches.
        candidates: Vec<String>,
    },
    /// No package answers to the name.
    #[error("no package is named `{name}`{}", did_you_mean_text(did_you_mean))]
    Unknown {
        /// The name asked for.
        name: String,
        /// Full names of packages with a close name, closest first.
        did_you_mean: Vec<String>,
    },
}

fn did_you_mean_text(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(", "))
    }
}

/// Whether a package answers to a name by one rule.
type Rule = fn(&Entry<'_>, &str) -> bool;

/// Finds the package `name` designates in `index` (see the module's rules).
pub fn lookup(index: &Index, name: &str) -> Result<Match, NameError> {
    if let Some(entry) = index.entries().position(|e| e.full_name() == name) {
        return Ok(Match {
            entry,
            by: MatchedBy::FullName,
        });
    }
    let steps: [(MatchedBy, Rule); 3] = [
        (MatchedBy::Alias, |e, n| e.aliases().any(|a| a == n)),
        (MatchedBy::ShortName, |e, n| {
            e.short_name() == n || e.repo_name() == Some(n)
        }),
        (MatchedBy::Command, |e, n| e.commands().any(|c| c == n)),
    ];
    for (by, matches) in steps {
        let found: Vec<usize> = index
            .entries()
            .enumerate()
            .filter(|(_, e)| matches(e, name))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [] => continue,
            [entry] => return Ok(Match { entry: *entry, by }),
            several
                if by == MatchedBy::Command
                    && let Some(entry) = original(index, several) =>
            {
                return Ok(Match { entry, by });
            }
            several => {
                return Err(NameError::Ambiguous {
                    name: name.to_owned(),
                    candidates: several
                        .iter()
                        .filter_map(|&i| index.entry(i))
                        .map(|e| e.full_name().to_owned())
                        .collect(),
                });
            }
        }
    }
    Err(NameError::Unknown {
        name: name.to_owned(),
        did_you_mean: suggestions(index, name)
            .into_iter()
            .map(|(_, n)| n)
            .collect(),
    })
}

/// Of packages that share a command, the one the others are named after: its short
/// name starts each other's (`rg`: BurntSushi/ripgrep, not microsoft's
/// `ripgrep-prebuilt`, a rebuild of it). `None` when no one is.
fn original(index: &Index, several: &[usize]) -> Option<usize> {
    let short = |i: usize| index.entry(i).map(|e| e.short_name().to_owned());
    let mut originals = several.iter().copied().filter(|&i| {
        let Some(name) = short(i) else {
            return false;
        };
        several
            .iter()
            .filter(|&&j| j != i)
            .all(|&j| short(j).is_some_and(|other| other != name && other.starts_with(&name)))
    });
    let first = originals.next()?;
    originals.next().is_none().then_some(first)
}

/// The full names of packages one of whose names is close to `name`, with their
/// similarity, closest first (at most [`MAX_SUGGESTIONS`]). Comparison ignores case, so
/// a name typed in the wrong case is suggested first.
pub(crate) fn suggestions(index: &Index, name: &str) -> Vec<(f64, String)> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = index
        .entries()
        .filter_map(|e| {
            let best = names_of(&e)
                .map(|n| strsim::jaro_winkler(&wanted, &n.to_lowercase()))
                .fold(0.0, f64::max);
            (best >= SUGGESTION_THRESHOLD).then(|| (best, e.full_name()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.truncate(MAX_SUGGESTIONS);
    scored.into_iter().map(|(s, n)| (s, n.to_owned())).collect()
}

/// Every name a package answers to.
fn names_of<'a>(e: &Entry<'a>) -> impl Iterator<Item = &'a str> + 'a {
    [e.full_name(), e.short_name()]
        .into_iter()
        .chain(e.repo_name())
        .chain(e.aliases())
        .chain(e.commands())
}

/// How well a search term matched; better ranks sort first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A name (full, short, `repo_name`, alias or command) equals the term.
    Exact,
    /// A name starts with the term (or a full name's segment does).
    Prefix,
    /// A name contains the term.
    Name,
    /// Only the description contains the term.
    Description,
}

/// A package a search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The package's position in the index.
    pub entry: usize,
    /// Its full name.
    pub full_name: String,
    /// Its short name.
    pub short_name: String,
    /// Its description.
    pub description: Option<String>,
    /// Why vx cannot install it, if so.
    pub unsupported: Option<String>,
    /// How well it matched.
    pub rank: Rank,
}

/// The packages whose names, aliases, commands or description contain `term` (ignoring
/// case), exact name matches first, then names starting with it, then names containing
/// it, then descriptions; within a rank, shorter full names first, then by name. An
/// empty term finds nothing.
pub(crate) fn search(index: &Index, term: &str) -> Vec<Hit> {
    let term = term.trim().to_lowercase();
    if term.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Hit> = index
        .entries()
        .enumerate()
        .filter_map(|(i, e)| {
            let rank = rank(&e, &term)?;
            Some(Hit {
                entry: i,
                full_name: e.full_name().to_owned(),
                short_name: e.short_name().to_owned(),
                description: e.description().map(str::to_owned),
                unsupported: e.unsupported().map(str::to_owned),
                rank,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        (a.rank, a.full_name.len(), &a.full_name).cmp(&(b.rank, b.full_name.len(), &b.full_name))
    });
    hits
}

/// The best rank of `e` for a lowercased `term`, or `None` when nothing contains it.
fn rank(e: &Entry<'_>, term: &str) -> Option<Rank> {
    rank_of(names_of(e), e.description(), term)
}

/// The best rank of something known by `names` and described by `description` for a
/// lowercased `term`, ranked as [`search`] ranks packages (vx's runtimes are ranked
/// by it too, beside them); `None` when nothing contains the term.
pub fn rank_of<'n>(
    names: impl Iterator<Item = &'n str>,
    description: Option<&str>,
    term: &str,
) -> Option<Rank> {
    let by_name = names
        .filter_map(|name| {
            let name = name.to_lowercase();
            if name == term {
                Some(Rank::Exact)
            } else if name.starts_with(term) || name.split('/').any(|s| s.starts_with(term)) {
                Some(Rank::Prefix)
            } else {
                name.contains(term).then_some(Rank::Name)
            }
        })
        .min();
    by_name.or_else(|| {
        description
            .filter(|d| d.to_lowercase().contains(term))
            .map(|_| Rank::Description)
    })
}

#[cfg(test)]
mod tests;
