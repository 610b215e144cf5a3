//! Arbitrary bytes as a kept task result's archive, restored as `vx run` restores it
//! (`cache::archive::unpack`) into a fresh project, for an output glob the first byte
//! chooses (`out/**`, `dist`, `build/*.js`); the same byte chooses whether the rest is
//! the archive as it is kept (a tar.zst) or a tar that is compressed here first, as
//! one would arrive, so the fuzzer reaches the tar reader past zstd's framing.
//!
//! Whatever the result (restored or refused), nothing may panic or hang, nothing is
//! written outside the project (the directory beside it stays as it was, no entry
//! appears beside the archive), every file or link written is one the glob matches
//! (`vx_base::glob::matches`), every directory one that may hold a match
//! (`vx_base::glob::may_hold`), and no link written points out of the project.
//!
//! With `VX_FUZZ_SEED_DIR` set, the corpus is seeded first (at initialisation, before
//! libFuzzer reads it) with real results made by `archive::pack_roots` and
//! `archive::pack`, for each glob and both ways in (scripts/fuzz-tasks.sh does).
#![no_main]

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vx_base::glob::{matches, may_hold};
use vx_tasks::cache::archive;

/// The output globs a result is restored for.
const GLOBS: [&str; 3] = ["out/**", "dist", "build/*.js"];

/// The directory every input is restored under (made again for each).
fn base() -> &'static Path {
    static BASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    BASE.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// Writes `bytes` at `rel` under `dir`, its directories made, with `mode`.
fn put(dir: &Path, rel: &str, bytes: &[u8], mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
    std::fs::write(&path, bytes).expect("written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("mode");
}

/// Seeds in `seeds`: each glob's files in a project, kept by `pack_roots` as a task
/// of `outputs = [glob]` would be (the tar.zst whole, and its tar for the other way
/// in), and an archive by `pack` that also holds what the glob does not name.
fn seed(seeds: &Path) {
    let work = tempfile::tempdir().expect("a temporary directory");
    let project = work.path().join("project");
    put(&project, "out/a.txt", b"a\n", 0o644);
    put(&project, "out/sub/b.bin", &[0, 1, 2, 255], 0o755);
    put(&project, "dist/index.html", b"<html></html>\n", 0o644);
    put(&project, "dist/x/y.js", b"export {}\n", 0o644);
    put(&project, "build/app.js", b"console.log(1)\n", 0o644);
    put(&project, "build/lib.js", b"\n", 0o600);
    put(&project, "build/app.js.map", b"{}\n", 0o644);
    put(&project, ".git/hooks/pre-commit", b"#!/bin/sh\n", 0o755);
    put(&project, "vx.toml", b"[tasks]\n", 0o644);
    std::os::unix::fs::symlink("a.txt", project.join("out/link")).expect("a link");
    std::os::unix::fs::symlink("../index.html", project.join("dist/x/up")).expect("a link");
    std::fs::create_dir_all(seeds).expect("the seeds' directory");
    let write = |name: String, which: u8, archive: &Path| {
        let mut bytes = std::fs::read(archive).expect("the archive");
        if which >= 3 {
            let mut tar = Vec::new();
            ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
                .expect("a zstd frame")
                .read_to_end(&mut tar)
                .expect("decompressed");
            bytes = tar;
        }
        bytes.insert(0, which);
        std::fs::write(seeds.join(name), bytes).expect("a seed");
    };
    for (g, glob) in GLOBS.iter().enumerate() {
        let kept = work.path().join(format!("kept-{g}"));
        std::fs::create_dir_all(&kept).expect("a result's directory");
        archive::pack_roots(&project, &[(*glob).to_owned()], &kept).expect("packed");
        let hostile = work.path().join(format!("hostile-{g}.tar.zst"));
        let mut files = archive::matched(&project, &[(*glob).to_owned()]);
        files.extend([PathBuf::from(".git/hooks/pre-commit"), "vx.toml".into()]);
        archive::pack(&project, &files, &hostile).expect("packed");
        for way in [0, 3] {
            let which = g as u8 + way;
            write(
                format!("seed-{g}-{way}-kept"),
                which,
                &kept.join(archive::root_file(0)),
            );
            write(format!("seed-{g}-{way}-hostile"), which, &hostile);
        }
    }
}

/// `target` of a link at `rel` (relative to the project), resolved by its words: `None`
/// when it leaves the project.
fn lands(rel: &Path, target: &Path) -> Option<PathBuf> {
    if target.is_absolute() {
        return None;
    }
    let mut at: Vec<Component<'_>> = rel.parent()?.components().collect();
    for part in target.components() {
        match part {
            Component::ParentDir => {
                at.pop()?;
            }
            Component::Normal(_) => at.push(part),
            _ => {}
        }
    }
    Some(at.iter().collect())
}

/// Every entry under `dir` (links not followed), relative to `root`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).expect("its metadata");
        let rel = path.strip_prefix(root).expect("below").to_owned();
        if meta.is_dir() {
            walk(root, &path, out);
        }
        out.push((rel, meta));
    }
}

fuzz_target!(
    init: {
        if let Some(seeds) = std::env::var_os("VX_FUZZ_SEED_DIR") {
            seed(Path::new(&seeds));
        }
    },
    |data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let glob = GLOBS[usize::from(which) % GLOBS.len()];
    let root = base().join("r");
    let _ = std::fs::remove_dir_all(&root);
    let project = root.join("project");
    let beside = root.join("beside");
    std::fs::create_dir_all(&project).expect("the project");
    put(&beside, "keep.txt", b"keep\n", 0o644);
    let file = root.join("result.tar.zst");
    if (which / 3) % 2 == 0 {
        std::fs::write(&file, rest).expect("the archive");
    } else {
        std::fs::write(
            &file,
            ruzstd::encoding::compress_to_vec(rest, ruzstd::encoding::CompressionLevel::Fastest),
        )
        .expect("the archive");
    }
    let outputs = [(*glob).to_owned()];
    let _ = archive::unpack(&file, &archive::Outputs::of(&outputs), glob, &project, &|_| {});

    let mut around: Vec<String> = std::fs::read_dir(&root)
        .expect("readable")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    around.sort();
    assert_eq!(around, ["beside", "project", "result.tar.zst"], "written beside the project");
    let mut kept = Vec::new();
    walk(&beside, &beside, &mut kept);
    assert_eq!(kept.len(), 1, "written into the directory beside the project");
    assert_eq!(std::fs::read(beside.join("keep.txt")).expect("kept"), b"keep\n");

    let mut written = Vec::new();
    walk(&project, &project, &mut written);
    for (rel, meta) in &written {
        if meta.is_dir() {
            assert!(may_hold(glob, rel), "directory {rel:?} for {glob}");
            continue;
        }
        assert!(matches(glob, rel), "{rel:?} written for {glob}");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(project.join(rel)).expect("a link");
            assert!(lands(rel, &target).is_some(), "{rel:?} -> {target:?} leads out");
        }
    }
});
