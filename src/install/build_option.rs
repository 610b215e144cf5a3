//! The `options` key that carries the runtime a tool builds with
//! ([`super::build_with`]), apart from it so the receipt's comparison
//! ([`super::store`]) can leave it out without naming the build.

use std::collections::BTreeMap;

/// The `options` key holding the runtime's spec (JSON).
pub const OPTION: &str = "vx_build_with";

/// `options` without [`OPTION`]: what a receipt records and is compared with.
pub fn without(
    options: &BTreeMap<String, serde_json::Value>,
) -> BTreeMap<String, serde_json::Value> {
    let mut options = options.clone();
    options.remove(OPTION);
    options
}
