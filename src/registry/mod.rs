//! Tools by name: aqua's registry format, version constraints and aqua's expressions.

pub mod expr;
pub mod version;
