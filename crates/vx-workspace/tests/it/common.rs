//! What the integration tests share: the real workspaces of tests/data (made by
//! tests/data/make.sh with the real tools) and small workspaces written on the spot.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use vx_workspace::{Graph, Workspace};

/// The directory of the fixture `name` under tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The fixture `name`, discovered.
pub fn workspace(name: &str) -> Workspace {
    vx_workspace::discover(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Each package's name and the names of its direct dependencies, sorted.
pub fn edges(ws: &Workspace) -> Vec<(String, Vec<String>)> {
    let g = Graph::new(ws);
    let mut out: Vec<(String, Vec<String>)> = (0..g.len())
        .map(|i| {
            let mut deps: Vec<String> = g
                .dependencies(i)
                .map(|d| ws.packages[d].name.clone())
                .collect();
            deps.sort();
            (ws.packages[i].name.clone(), deps)
        })
        .collect();
    out.sort();
    out
}

/// `(name, [deps])` pairs from literals.
pub fn want(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = pairs
        .iter()
        .map(|(n, d)| (n.to_string(), d.iter().map(|s| s.to_string()).collect()))
        .collect();
    out.sort();
    out
}

/// A scratch directory holding `files` (path, content).
pub fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    dir
}
