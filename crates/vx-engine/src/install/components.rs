//! The `merge_components` install option: the unpacked tree is a rust-installer
//! package (a `components` file naming one directory per component, each holding the
//! files it installs, relative to the install's root, and a `manifest.in`), and the
//! named components are merged into the tree's root, as the package's `install.sh`
//! would install them, but in Rust so it works where there is no shell (Windows).
//! Components not named are removed (rust's combined package carries its offline
//! documentation and more); the package's own top-level files stay.
//!
//! The option is a list of component directory names; one ending in `*` names every
//! component starting with the rest (`rust-std-*`: the target's std). A name that
//! matches no component of the package is an error: the install would lack commands
//! or libraries the lock promised.

use std::fs;
use std::path::{Path, PathBuf};

/// The option's key in a tool's `options`.
pub(crate) const OPTION: &str = "merge_components";

/// Why components could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum ComponentsError {
    /// The option is not a list of component names.
    #[error("`{OPTION}` must be a list of component names (`rustc`, `rust-std-*`): {0}")]
    Option(String),
    /// The tree is not a rust-installer package.
    #[error("the archive is not a rust-installer package: it has no `components` file")]
    NotAPackage,
    /// A component named by the option is not in the package.
    #[error("the archive has no component `{wanted}` (it has {has})")]
    Missing {
        /// The name asked for.
        wanted: String,
        /// The package's components.
        has: String,
    },
    /// A symbolic link that stayed inside its component leads outside the install
    /// once the component is merged one directory up.
    #[error("merged, the components hold a link that leaves the install: {0}")]
    LinkOutside(String),
    /// A file system operation failed.
    #[error("cannot merge components at {}: {source}", path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// The component names `value` (the option's value) asks for.
pub(crate) fn patterns(value: &serde_json::Value) -> Result<Vec<String>, ComponentsError> {
    let list = value
        .as_array()
        .ok_or_else(|| ComponentsError::Option("not a list".to_owned()))?;
    list.iter()
        .map(|v| {
            let name = v
                .as_str()
                .ok_or_else(|| ComponentsError::Option(format!("{v} is not a string")))?;
            let plain = name.trim_end_matches('*');
            if plain.is_empty()
                || plain == "."
                || plain == ".."
                || plain.contains(['/', '\\', '*', ':'])
            {
                return Err(ComponentsError::Option(format!("`{name}` is not a name")));
            }
            Ok(name.to_owned())
        })
        .collect()
}

/// Merges the components `wanted` names into `tree`'s root and removes the others.
pub(crate) fn merge(tree: &Path, wanted: &[String]) -> Result<(), ComponentsError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ComponentsError::Io { path, source }
    };
    let list = tree.join("components");
    let text = match fs::read_to_string(&list) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ComponentsError::NotAPackage);
        }
        Err(e) => return Err(io(&list)(e)),
    };
    // Only names that are plain directories of the package count.
    let components: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.contains(['/', '\\']) && *c != "." && *c != "..")
        .filter(|c| fs::symlink_metadata(tree.join(c)).is_ok_and(|m| m.file_type().is_dir()))
        .collect();
    let matches = |pattern: &str, c: &str| match pattern.strip_suffix('*') {
        Some(prefix) => c.starts_with(prefix),
        None => c == pattern,
    };
    for pattern in wanted {
        if !components.iter().any(|c| matches(pattern, c)) {
            return Err(ComponentsError::Missing {
                wanted: pattern.clone(),
                has: components.join(", "),
            });
        }
    }
    for component in &components {
        let dir = tree.join(component);
        if wanted.iter().any(|p| matches(p, component)) {
            let _ = fs::remove_file(dir.join("manifest.in"));
            move_into(&dir, tree).map_err(io(&dir))?;
        }
        fs::remove_dir_all(&dir).map_err(io(&dir))?;
    }
    // A component's files move up one directory, and a relative link with them: one
    // that climbed to its component's root (`cargo/up -> ..`) now climbs out of the
    // install. Each link is checked again, as unpacking checked it.
    links_stay_inside(tree, tree)
}

/// Checks every symbolic link under `dir` (inside `root`) as unpacking does.
fn links_stay_inside(root: &Path, dir: &Path) -> Result<(), ComponentsError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ComponentsError::Io { path, source }
    };
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_symlink() {
            let target = fs::read_link(&path).map_err(io(&path))?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            super::extract::check_symlink(rel, rel, &target)
                .map_err(|e| ComponentsError::LinkOutside(e.to_string()))?;
        } else if kind.is_dir() {
            links_stay_inside(root, &path)?;
        }
    }
    Ok(())
}

/// Moves everything in `from` into `to`, merging directories that both have.
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let source = entry.path();
        let dest = to.join(entry.file_name());
        let is_dir = entry.file_type()?.is_dir();
        match fs::symlink_metadata(&dest) {
            Ok(meta) if meta.file_type().is_dir() && is_dir => move_into(&source, &dest)?,
            Ok(meta) if meta.file_type().is_dir() => fs::remove_dir_all(&dest)?,
            Ok(_) => fs::remove_file(&dest)?,
            Err(_) => {}
        }
        if fs::symlink_metadata(&source).is_ok() && !dest.exists() {
            fs::rename(&source, &dest)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A package as rust's combined `rust` tarball is laid out (after its top
    /// directory is stripped).
    fn package(tree: &Path) {
        write(
            &tree.join("components"),
            "rustc\ncargo\nrust-std-x86_64-unknown-linux-gnu\nrust-docs\n",
        );
        write(&tree.join("install.sh"), "#!/bin/sh\n");
        write(&tree.join("rustc/bin/rustc"), "rustc");
        write(&tree.join("rustc/lib/rustlib/etc/gdb_load.py"), "py");
        write(&tree.join("rustc/manifest.in"), "file:bin/rustc\n");
        write(&tree.join("cargo/bin/cargo"), "cargo");
        write(
            &tree.join("rust-std-x86_64-unknown-linux-gnu/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib"),
            "std",
        );
        write(
            &tree.join("rust-docs/share/doc/rust/html/index.html"),
            "docs",
        );
    }

    /// A link that climbed to its component's root stayed inside when unpacked; merged
    /// one directory up it would leave the install: refused. One that stays inside
    /// merged is kept.
    #[cfg(unix)]
    #[test]
    fn a_link_that_leaves_the_install_once_merged_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        std::os::unix::fs::symlink("../bin/cargo", dir.path().join("cargo/bin/cargo-alias"))
            .unwrap();
        let wanted = patterns(&serde_json::json!(["rustc", "cargo"])).unwrap();
        merge(dir.path(), &wanted).unwrap();
        assert_eq!(
            fs::read_link(dir.path().join("bin/cargo-alias")).unwrap(),
            Path::new("../bin/cargo")
        );

        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        std::os::unix::fs::symlink("..", dir.path().join("cargo/up")).unwrap();
        let err = merge(dir.path(), &wanted).unwrap_err().to_string();
        assert!(err.contains("leaves the install"), "{err}");
    }

    #[test]
    fn the_named_components_become_one_tree() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        let wanted = patterns(&serde_json::json!(["rustc", "cargo", "rust-std-*"])).unwrap();
        merge(dir.path(), &wanted).unwrap();
        let read = |p: &str| fs::read_to_string(dir.path().join(p)).unwrap();
        assert_eq!(read("bin/rustc"), "rustc");
        assert_eq!(read("bin/cargo"), "cargo");
        assert_eq!(
            read("lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd.rlib"),
            "std"
        );
        assert_eq!(read("lib/rustlib/etc/gdb_load.py"), "py");
        for gone in ["rustc", "cargo", "rust-docs", "share", "manifest.in"] {
            assert!(!dir.path().join(gone).exists(), "{gone}");
        }
        assert!(dir.path().join("install.sh").exists());
    }

    #[test]
    fn a_missing_component_or_a_tree_that_is_no_package_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        let wanted = patterns(&serde_json::json!(["rustc", "clippy-preview"])).unwrap();
        let e = merge(dir.path(), &wanted).unwrap_err().to_string();
        assert!(
            e.contains("no component `clippy-preview` (it has rustc, cargo,"),
            "{e}"
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            merge(empty.path(), &wanted),
            Err(ComponentsError::NotAPackage)
        ));
        for bad in [
            serde_json::json!("rustc"),
            serde_json::json!(["../etc"]),
            serde_json::json!(["*"]),
            serde_json::json!([1]),
        ] {
            assert!(patterns(&bad).is_err(), "{bad}");
        }
    }
}
