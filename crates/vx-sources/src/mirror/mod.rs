//! Content-addressed mirrors, fleets and bundles: the bytes of a locked download found
//! by their sha256 somewhere closer than the origin.
//!
//! - [`source`]: one mirror as written (`oci://HOST/REPO`, `https://…/{sha256}`,
//!   `file:///DIR`), parsed;
//! - [`oci`]: a small blocking OCI distribution client over [`vx_net::Client`]
//!   (blobs, manifests, anonymous/basic/bearer auth) with [`docker_config`]'s
//!   credentials;
//! - [`artifacts`]: a lock's downloads as the layers of an OCI image manifest;
//! - [`layout`]: an OCI image layout on disk (a directory or a tar) and vx's blob cache.
//!
//! An install's download tries vx's blob cache, then each mirror in order, then the
//! origin: that order is the install engine's (`install::sources`), and pushing to a
//! registry or exporting a bundle is `fleet`'s; both stand above this room.

pub mod artifacts;
pub(crate) mod docker_config;
pub mod layout;
pub(crate) mod layout_error;
pub(crate) mod named;
pub mod oci;
pub mod source;

pub use source::{OciRef, Source, SourceError};
