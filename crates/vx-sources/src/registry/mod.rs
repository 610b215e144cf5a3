//! Registries of tools in aqua's format (`registry.yaml` of aquaproj/aqua-registry):
//! what lets a user name a tool instead of writing its URL.
//!
//! This room holds the format's pieces, each independent of installing: [`template`],
//! the Go `text/template` language of `asset`, `url` and `files[].src`; what a user's
//! constraint (`14`, `^1.2`, `latest`) picks among a tool's release tags is the leaf
//! [`vx_base::version`] (vx's syntax, not aqua's: the manifest reads it too);
//! [`expr`], aqua's expressions of `version_constraint` and `version_overrides`;
//! [`package`], the registry file's data model (`packages: [...]`, typed, with what vx
//! cannot install faithfully reported per package); [`index`], a registry's compact
//! index cached on disk (names, descriptions, each definition readable on its own);
//! [`parallel`], parsing a large registry on several cores (for indexing it);
//! [`names`], finding a package by the name a user types, and searching; [`source`],
//! where registries come from (the standard one pinned in vx, a project's by path or
//! URL) and their cache; [`set`], a project's registries in search order, the standard
//! one fetched only when needed; [`resolve`], aqua's rules for one package, version
//! and platform (URL, format, commands, checksum file); [`checksum`], reading a
//! published checksum file.
//! Resolution (name and constraint to a URL and checksum per platform, recorded in the
//! lock) is `vx_engine::resolution`, above this room; `install` never knows a tool came
//! from here. Where GitHub is and its REST client are [`crate::github`], beside this
//! room: a package's URLs are built on its hosts.

pub mod checksum;
pub(crate) mod expr;
pub mod index;
pub mod names;
pub mod package;
pub(crate) mod parallel;
pub mod resolve;
pub mod set;
pub mod source;
pub(crate) mod template;
