//! Tools from the language registries (docs/guide/language-registries.md):
//! `npm:PKG`, `pypi:PKG` (mise's `pipx:PKG`, with extras `pypi:black[jupyter]`),
//! `cargo:CRATE` and `go:MODULE/PATH`, resolved from each registry's own metadata and
//! locked with its own hashes (npm's `integrity`, PyPI's sha256), for every platform,
//! without downloading a package.
//!
//! This room knows the registries' formats only, one job per file: [`vx_model::package_name`] reads what
//! users write, [`npm`] reads packuments, [`pypi`] reads PEP 691/503 indexes, [`cargo`]
//! reads crates.io's sparse index, [`go`] a Go module proxy (a module hashed as `go.sum` does:
//! [`vx_net::verify::gosum`]).
//! `vx_engine::resolution::backend` turns their answers into lock entries of the same
//! shape as every other tool's; the install engine never learns where a download came
//! from.

pub mod binstall;
pub mod cargo;
pub mod environment;
pub mod go;
pub mod npm;
pub mod npmrc;
pub mod pipconf;
pub mod pypi;

pub use vx_model::package_name::{Kind, Name, NameError};
