//! Content-addressed mirrors, fleets and bundles: the bytes of a locked download found
//! by their sha256 somewhere closer than the origin.
//!
//! - [`source`]: one mirror as written (`oci://HOST/REPO`, `https://…/{sha256}`,
//!   `file:///DIR`), parsed;
//! - [`fetch`]: an install's download from vx's blob cache, then each mirror in order,
//!   then the origin, through the install engine (so the bytes are always checked
//!   against the sha256);
//! - [`oci`]: a small blocking OCI distribution client over [`crate::net::Client`]
//!   (blobs, manifests, anonymous/basic/bearer auth) with [`docker_config`]'s
//!   credentials;
//! - [`artifacts`]: a lock's downloads as the layers of an OCI image manifest;
//! - [`layout`]: an OCI image layout on disk (a directory or a tar) and vx's blob cache;
//! - [`push`]: `vx mirror push` and `vx bundle export`, the same content to a registry
//!   or a layout.

pub mod artifacts;
pub mod docker_config;
pub mod fetch;
pub mod layout;
pub mod oci;
pub mod push;
pub mod source;

pub use source::{OciRef, Source, SourceError};
