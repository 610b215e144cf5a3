//! Serving a fleet: a project's locked downloads, the lock and an OCI image manifest
//! pushed to the OCI registry an organisation runs (`vx mirror push`), or written as an
//! OCI image layout for machines without a network (`vx bundle export`). Above both the
//! install engine (which fetches and checks each download) and [`vx_sources::mirror`] (the
//! registry client and the layout).

pub(crate) mod download;
pub(crate) mod environment;
pub(crate) mod error;
pub(crate) mod npm_files;
pub mod push;
