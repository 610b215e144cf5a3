//! Registries of tools in aqua's format (`registry.yaml` of aquaproj/aqua-registry):
//! what lets a user name a tool instead of writing its URL.
//!
//! This room holds the format's pieces, each independent of installing: [`template`],
//! the Go `text/template` language of `asset`, `url` and `files[].src`; the version
//! rules and aqua's expressions join it. Resolution (name and constraint to a URL and
//! checksum per platform) sits above `install`, which never knows a tool came from here.

pub mod template;
