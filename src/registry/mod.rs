//! Registries of tools in aqua's format (`registry.yaml` of aquaproj/aqua-registry):
//! what lets a user name a tool instead of writing its URL.
//!
//! This room holds the format's pieces, each independent of installing: [`template`],
//! the Go `text/template` language of `asset`, `url` and `files[].src`; [`version`],
//! what a user's constraint (`14`, `^1.2`, `latest`) picks among a tool's release tags;
//! [`expr`], aqua's expressions of `version_constraint` and `version_overrides`;
//! [`package`], the registry file's data model (`packages: [...]`, typed, with what vx
//! cannot install faithfully reported per package).
//! Resolution (name and constraint to a URL and checksum per platform) will sit above
//! `install`, which never knows a tool came from here.

pub mod checksum;
pub mod expr;
pub mod hosts;
pub mod package;
pub mod resolve;
pub mod template;
pub mod version;
