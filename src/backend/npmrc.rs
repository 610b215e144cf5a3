//! npm's registry.
