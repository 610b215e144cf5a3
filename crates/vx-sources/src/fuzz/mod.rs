//! The fuzz targets' entries into this crate (`fuzz/`, built by `cargo +nightly fuzz`),
//! so what they read with stays the crate's own: each takes the target's bytes and
//! asserts what vx promises of them. The tests run each entry over its seeds in
//! `fuzz/seeds/`, so an entry builds and holds with every change of the crate.
//!
//! - [`runtime_index`](runtime_index()): a runtime publisher's index;
//! - [`registry`](registry()): an aqua registry file, indexed and resolved;
//! - [`template`](template()): an aqua template and a `version_constraint`;
//! - [`language_registry`](language_registry()): a language registry's document or a
//!   package manager's configuration.

mod language_registry;
mod registry;
mod runtime_index;
mod template;

pub use {
    language_registry::language_registry, registry::registry, runtime_index::runtime_index,
    template::template,
};

/// A target whose first byte chooses the document: that byte, and the rest as text
/// (none when it is not UTF-8: what vx reads is text).
fn choice_and_text(data: &[u8]) -> Option<(u8, &str)> {
    let (&which, rest) = data.split_first()?;
    Some((which, std::str::from_utf8(rest).ok()?))
}

#[cfg(test)]
mod tests {
    /// Every seed of a target: publishers' real answers (fuzz/seeds/), so the
    /// promises hold on them too.
    fn seeds(target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/seeds")
            .join(target);
        let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect();
        seeds.sort();
        seeds
    }

    #[test]
    fn each_entry_keeps_its_promises_on_its_seeds() {
        for (target, entry, at_least) in [
            ("runtime_index", super::runtime_index as fn(&[u8]), 10),
            ("template", super::template, 4),
            ("language_registry", super::language_registry, 7),
        ] {
            let seeds = seeds(target);
            assert!(seeds.len() >= at_least, "{target}: {} seeds", seeds.len());
            for seed in &seeds {
                entry(seed);
            }
        }
    }

    /// The registry target has no seed directory (scripts/fuzz-registry.sh starts it
    /// from aqua's registry): the tests' registry files stand in.
    #[test]
    fn the_registry_entry_keeps_its_promises_on_the_tests_registries() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for file in ["tests/data/registry.yaml", "tests/data/registry/names.yaml"] {
            super::registry(&std::fs::read(root.join(file)).unwrap());
        }
    }
}
