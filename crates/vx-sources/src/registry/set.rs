//! A project's registries in search order: its extra registries as listed, then the
//! standard one. Each is opened on first need, so the standard registry is fetched
//! only when a name is not found in the others.
//!
//! A name resolves in the first registry that knows it; a name ambiguous there is
//! reported as such (the candidates are that registry's). `REGISTRY:NAME` (what the
//! lock records, `standard:BurntSushi/ripgrep`) looks in that registry only.

use thiserror::Error;

use super::index::IndexError;
use super::names::{self, Hit, MatchedBy, NameError};
use super::package::Package;
use super::source::{self, Context, Opened, RegistryId, Source, SourceError};

/// A package found by name.
#[derive(Clone, Debug)]
pub struct Found {
    /// The registry it came from, at which content.
    pub registry: RegistryId,
    /// Its full name (`BurntSushi/ripgrep`).
    pub full_name: String,
    /// Its short name, the tool's name in the store and on the board (`ripgrep`).
    pub short_name: String,
    /// The rule that found it.
    pub by: MatchedBy,
    /// Why vx cannot install it, if so.
    pub unsupported: Option<String>,
    /// Its definition.
    pub package: Package,
}

impl Found {
    /// `REGISTRY:FULL_NAME`, as the lock records it (`standard:BurntSushi/ripgrep`).
    pub fn qualified_name(&self) -> String {
        format!("{}:{}", self.registry.name, self.full_name)
    }
}

/// A package a search found, and in which registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetHit {
    /// The registry's name.
    pub registry: String,
    /// The package and how well it matched.
    pub hit: Hit,
}

/// Why a name finds no package.
#[derive(Debug, Error)]
pub enum LookupError {
    /// A registry cannot be opened.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The name is ambiguous in a registry, or unknown in all of them.
    #[error("{error}{}", registry.as_ref().map(|r| format!(" (registry `{r}`)")).unwrap_or_default())]
    Name {
        /// The registry the name is ambiguous in; `None` when it is unknown everywhere.
        registry: Option<String>,
        /// What is wrong with the name.
        error: NameError,
    },
    /// `REGISTRY:NAME` names no registry of the project.
    #[error("no registry is named `{registry}`; the project's are {}", known.join(", "))]
    UnknownRegistry {
        /// The registry asked for.
        registry: String,
        /// The project's registries.
        known: Vec<String>,
    },
    /// A package's definition cannot be read back from its index, even rebuilt.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Two registries of a project with one name.
#[derive(Debug, Error)]
#[error("two registries are named `{0}`; each needs its own name")]
pub struct DuplicateRegistry(pub String);

/// A project's registries in search order, opened lazily.
pub struct RegistrySet<'a> {
    cx: Context<'a>,
    slots: Vec<Slot>,
}

struct Slot {
    source: Source,
    opened: Option<Opened>,
    /// Why it could not be opened in this run: asked again, it says so without
    /// fetching again (one unreachable registry, one attempt and one message).
    failed: Option<(String, bool)>,
}

impl<'a> RegistrySet<'a> {
    /// `extras` in order, then `standard` (usually [`Source::standard`], or the ref the
    /// lock pins). Names must be unique.
    pub fn new(
        cx: Context<'a>,
        extras: Vec<Source>,
        standard: Source,
    ) -> Result<RegistrySet<'a>, DuplicateRegistry> {
        let mut slots: Vec<Slot> = Vec::new();
        for source in extras.into_iter().chain([standard]) {
            if slots.iter().any(|s| s.source.name() == source.name()) {
                return Err(DuplicateRegistry(source.name().to_owned()));
            }
            slots.push(Slot {
                source,
                opened: None,
                failed: None,
            });
        }
        Ok(RegistrySet { cx, slots })
    }

    /// The registries' names, in search order.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.source.name()).collect()
    }

    /// The package `name` designates: `REGISTRY:NAME` in that registry, else the first
    /// registry (in search order) that knows it.
    pub fn lookup(&mut self, name: &str) -> Result<Found, LookupError> {
        if let Some((registry, bare)) = name.split_once(':') {
            let i = self.position(registry)?;
            return match self.lookup_in(i, bare)? {
                Ok(found) => Ok(found),
                Err(error) => Err(LookupError::Name {
                    registry: Some(registry.to_owned()),
                    error,
                }),
            };
        }
        let mut suggestions: Vec<(f64, String)> = Vec::new();
        for i in 0..self.slots.len() {
            match self.lookup_in(i, name)? {
                Ok(found) => return Ok(found),
                Err(NameError::Unknown { .. }) => {
                    let index = &self.opened(i)?.index;
                    suggestions.extend(names::suggestions(index, name));
                }
                Err(error) => {
                    return Err(LookupError::Name {
                        registry: Some(self.slots[i].source.name().to_owned()),
                        error,
                    });
                }
            }
        }
        suggestions.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut did_you_mean: Vec<String> = Vec::new();
        for (_, n) in suggestions {
            if !did_you_mean.contains(&n) && did_you_mean.len() < names::MAX_SUGGESTIONS {
                did_you_mean.push(n);
            }
        }
        Err(LookupError::Name {
            registry: None,
            error: NameError::Unknown {
                name: name.to_owned(),
                did_you_mean,
            },
        })
    }

    /// The packages of every registry matching `term` (see [`names::search`]), best
    /// first; among equals, earlier registries first. Opens every
    /// registry; one that cannot be opened (the standard one offline and not cached)
    /// is returned with the reason and does not hide the others' results.
    pub fn search(&mut self, term: &str) -> (Vec<SetHit>, Vec<SourceError>) {
        let mut all = Vec::new();
        let mut problems = Vec::new();
        for i in 0..self.slots.len() {
            let opened = match self.opened(i) {
                Ok(opened) => opened,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            all.extend(
                names::search(&opened.index, term)
                    .into_iter()
                    .map(|hit| SetHit {
                        registry: opened.id.name.clone(),
                        hit,
                    }),
            );
        }
        all.sort_by(|a, b| {
            let key = |h: &SetHit| (h.hit.rank, h.hit.full_name.len());
            key(a).cmp(&key(b))
        });
        (all, problems)
    }

    fn position(&self, registry: &str) -> Result<usize, LookupError> {
        self.slots
            .iter()
            .position(|s| s.source.name() == registry)
            .ok_or_else(|| LookupError::UnknownRegistry {
                registry: registry.to_owned(),
                known: self.names().into_iter().map(str::to_owned).collect(),
            })
    }

    fn opened(&mut self, i: usize) -> Result<&Opened, SourceError> {
        let slot = &mut self.slots[i];
        if let Some((message, unreachable)) = &slot.failed {
            return Err(SourceError::Failed {
                message: message.clone(),
                unreachable: *unreachable,
            });
        }
        let opened = match slot.opened.take() {
            Some(opened) => opened,
            None => source::open(&slot.source, &self.cx).inspect_err(|e| {
                slot.failed = Some((e.to_string(), e.unreachable()));
            })?,
        };
        Ok(slot.opened.insert(opened))
    }

    /// `name` in the `i`-th registry: the package found, or why the name finds none.
    /// A definition that does not read back (a corrupt index) is indexed again once.
    fn lookup_in(&mut self, i: usize, name: &str) -> Result<Result<Found, NameError>, LookupError> {
        match self.try_lookup_in(i, name) {
            Err(LookupError::Index(IndexError::Invalid { .. })) => {
                if let Some(opened) = self.slots[i].opened.take() {
                    source::discard(opened);
                }
                self.try_lookup_in(i, name)
            }
            other => other,
        }
    }

    fn try_lookup_in(
        &mut self,
        i: usize,
        name: &str,
    ) -> Result<Result<Found, NameError>, LookupError> {
        let opened = self.opened(i)?;
        let index = &opened.index;
        let m = match names::lookup(index, name) {
            Ok(m) => m,
            Err(e) => return Ok(Err(e)),
        };
        // `package` fails for an entry that does not exist, so the names are there.
        let package = index.package(m.entry)?;
        let (full_name, short_name, unsupported) = index
            .entry(m.entry)
            .map(|e| {
                let unsupported = e.unsupported().map(str::to_owned);
                (
                    e.full_name().to_owned(),
                    e.short_name().to_owned(),
                    unsupported,
                )
            })
            .unwrap_or_default();
        Ok(Ok(Found {
            registry: opened.id.clone(),
            full_name,
            short_name,
            by: m.by,
            unsupported,
            package,
        }))
    }
}

#[cfg(test)]
mod tests;
