use std::collections::BTreeMap;
use std::fs;

use vx_shm::Phase;

use super::*;
use crate::install::testutil::{
    Item, RecordingSink, archive_bytes, entries, noise, tar_gz, tar_xz, tree, zip_bytes,
};
use vx_base::format::ARCHIVE_FORMATS;

/// A fresh root holding `bytes` as `root/archive` and an empty destination directory
/// `root/out` beside it: the root, the archive's path and the destination's.
fn staged(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("archive");
    fs::write(&archive, bytes).unwrap();
    let dest = root.path().join("out");
    fs::create_dir(&dest).unwrap();
    (root, archive, dest)
}

/// Writes `bytes` as an archive next to (not inside) a fresh destination directory
/// `root/out`, unpacks it, and returns the root so tests can check nothing was written
/// outside `out`.
fn unpack(
    bytes: &[u8],
    format: Option<ArchiveFormat>,
    strip: u32,
    limits: ExtractLimits,
    sink: &mut RecordingSink,
) -> (tempfile::TempDir, Result<ExtractStats, ExtractError>) {
    let (root, archive, dest) = staged(bytes);
    let result = extract(&archive, format, &dest, strip, "tool", limits, sink);
    (root, result)
}

fn build(format: ArchiveFormat, items: &[Item]) -> Vec<u8> {
    archive_bytes(format, items)
}

/// The tar formats, compressed and plain.
fn tar_formats() -> impl Iterator<Item = ArchiveFormat> {
    ARCHIVE_FORMATS.into_iter().filter(|f| f.streams())
}

/// [`unpack`] of `bytes` (an archive of a format told by its bytes) whole (no strip)
/// within `limits`, its sink's events dropped.
fn unpack_whole(
    bytes: &[u8],
    limits: ExtractLimits,
) -> (tempfile::TempDir, Result<ExtractStats, ExtractError>) {
    unpack(bytes, None, 0, limits, &mut RecordingSink::default())
}

/// The tree `bytes` unpacks to whole within the default limits, which must succeed.
fn unpacked(bytes: &[u8]) -> BTreeMap<String, String> {
    let (root, result) = unpack_whole(bytes, ExtractLimits::default());
    result.unwrap();
    root_tree(root.path())
}

/// The tree under `root` minus the archive itself: `out/...` entries only, so an
/// escape would show up as an extra key.
fn root_tree(root: &Path) -> BTreeMap<String, String> {
    let mut t = tree(root);
    t.remove("archive");
    t
}

fn sample_items() -> Vec<Item> {
    vec![
        Item::Dir("pkg-1.0/"),
        Item::Dir("pkg-1.0/bin/"),
        Item::File("pkg-1.0/bin/tool", b"#!/bin/sh\necho hi\n".to_vec(), 0o755),
        Item::File("pkg-1.0/README", b"read me".to_vec(), 0o644),
        Item::File(
            "pkg-1.0/share/doc/a.txt",
            b"nested, no dir entry".to_vec(),
            0o640,
        ),
        Item::Symlink("pkg-1.0/tool", "bin/tool"),
        Item::Symlink("pkg-1.0/share/doc/up", "../../README"),
        Item::File("top-level-file", b"stripped away".to_vec(), 0o644),
    ]
}

fn expected_stripped() -> BTreeMap<String, String> {
    entries(&[
        ("out", "dir"),
        ("out/bin", "dir"),
        ("out/bin/tool", "file(755):#!/bin/sh\necho hi\n"),
        ("out/README", "file(644):read me"),
        ("out/share", "dir"),
        ("out/share/doc", "dir"),
        ("out/share/doc/a.txt", "file(640):nested, no dir entry"),
        ("out/tool", "link:bin/tool"),
        ("out/share/doc/up", "link:../../README"),
    ])
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn every_format_unpacks_exactly_the_right_tree_with_strip_components() {
    for format in ARCHIVE_FORMATS {
        let bytes = build(format, &sample_items());
        let mut sink = RecordingSink::default();
        let (root, result) = unpack(&bytes, Some(format), 1, ExtractLimits::default(), &mut sink);
        let stats = result.unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(root_tree(root.path()), expected_stripped(), "{format}");
        assert_eq!(stats.format, Some(format));
        assert_eq!(stats.entries, 8, "{format}");
        let written: usize = ["#!/bin/sh\necho hi\n", "read me", "nested, no dir entry"]
            .iter()
            .map(|s| s.len())
            .sum();
        assert_eq!(
            stats.bytes, written as u64,
            "{format}: stripped file not written"
        );
        // Progress is archive bytes read, out of the archive's size, ending complete.
        let progress = sink.progress_in(Phase::Queued);
        let total = bytes.len() as u64;
        assert!(!progress.is_empty(), "{format}");
        assert!(progress.iter().all(|(_, t)| *t == Some(total)), "{format}");
        assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0), "{format}");
        if format != ArchiveFormat::Zip {
            assert_eq!(progress.last().unwrap().0, total, "{format}");
        }
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn without_strip_the_tree_keeps_its_top_directory_and_formats_are_sniffed() {
    for format in ARCHIVE_FORMATS {
        let bytes = build(format, &sample_items());
        let (root, result) = unpack_whole(&bytes, ExtractLimits::default());
        assert_eq!(result.unwrap().format, Some(format), "sniffed {format}");
        let t = root_tree(root.path());
        assert_eq!(t["out/pkg-1.0/bin/tool"], "file(755):#!/bin/sh\necho hi\n");
        assert_eq!(t["out/top-level-file"], "file(644):stripped away");
    }
}

#[test]
fn strip_deeper_than_the_archive_is_refused_as_nothing_to_install() {
    let bytes = tar_gz(&sample_items());
    let (root, result) = unpack(
        &bytes,
        None,
        5,
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    let err = result.expect_err("an empty install is no install");
    assert!(
        matches!(err, ExtractError::NothingLeft { strip_components: 5, entries } if entries > 0),
        "{err}"
    );
    assert!(err.to_string().contains("strip_components = 5"), "{err}");
    assert_eq!(
        root_tree(root.path()),
        BTreeMap::from([("out".to_owned(), "dir".to_owned())])
    );
}

#[test]
fn unknown_and_corrupt_archives_fail_cleanly() {
    let page = b"<html><body>404 Not Found</body></html>".repeat(20);
    let (_r, result) = unpack_whole(&page, ExtractLimits::default());
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ExtractError::UnknownFormat { head } if head[..] == page[..UNKNOWN_HEAD]),
        "{err}"
    );
    let msg = err.to_string();
    for named in [
        "tar.bz2",
        "tar.zst",
        "zip",
        "ELF",
        "Mach-O",
        "PE",
        "#! script",
    ] {
        assert!(msg.contains(named), "{msg} should name {named}");
    }

    for format in ARCHIVE_FORMATS {
        let mut bytes = build(format, &sample_items());
        bytes.truncate(bytes.len() / 2);
        let (_r, result) = unpack(
            &bytes,
            Some(format),
            0,
            ExtractLimits::default(),
            &mut RecordingSink::default(),
        );
        let err = result.unwrap_err();
        assert!(
            matches!(err, ExtractError::Corrupt { .. }),
            "{format}: {err}"
        );
    }
    // A zip claimed to be a tar.gz.
    let zip = zip_bytes(&sample_items());
    let (_r, result) = unpack(
        &zip,
        Some(ArchiveFormat::TarGz),
        0,
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    assert!(
        matches!(result, Err(ExtractError::Corrupt { .. })),
        "{result:?}"
    );
}

/// Unpacks a hostile archive and checks it was refused with `reason_part` in the
/// message, and that nothing exists outside `out/` afterwards.
fn assert_refused(bytes: &[u8], strip: u32, reason_part: &str) {
    let (root, result) = unpack(
        bytes,
        None,
        strip,
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    let err = result.expect_err("hostile archive must be refused");
    let msg = err.to_string();
    assert!(matches!(err, ExtractError::Unsafe { .. }), "{msg}");
    assert!(
        msg.contains(reason_part),
        "{msg:?} should mention {reason_part:?}"
    );
    for key in root_tree(root.path()).keys() {
        assert!(key == "out" || key.starts_with("out/"), "escaped: {key}");
    }
    // Also nothing next to the temp root (a `../` one level further up).
    let parent = root.path().parent().unwrap();
    assert!(!parent.join("evil").exists() && !parent.join("pwned").exists());
}

#[test]
fn absolute_paths_are_refused() {
    for bytes in [
        tar_gz(&[Item::File("/tmp/vx-evil-abs", b"x".to_vec(), 0o644)]),
        zip_bytes(&[Item::File("/tmp/vx-evil-abs", b"x".to_vec(), 0o644)]),
    ] {
        assert_refused(&bytes, 0, "absolute");
    }
    assert!(!Path::new("/tmp/vx-evil-abs").exists());
}

#[test]
fn parent_components_are_refused_even_when_stripped() {
    for bytes in [
        tar_gz(&[Item::File("../evil", b"x".to_vec(), 0o644)]),
        tar_xz(&[Item::File("a/../../evil", b"x".to_vec(), 0o644)]),
        zip_bytes(&[Item::File("../../pwned", b"x".to_vec(), 0o644)]),
    ] {
        assert_refused(&bytes, 0, "`..`");
    }
    assert_refused(
        &tar_gz(&[Item::File("../x/evil", b"x".to_vec(), 0o644)]),
        2,
        "`..`",
    );
}

#[test]
fn escaping_symlinks_are_refused() {
    for (name, target, why) in [
        ("link", "/etc/passwd", "absolute"),
        ("link", "..", "outside"),
        ("a/link", "../../evil", "outside"),
        ("a/link", "b/../../evil", "after a directory name"),
    ] {
        assert_refused(&tar_gz(&[Item::Symlink(name, target)]), 0, why);
        assert_refused(&zip_bytes(&[Item::Symlink(name, target)]), 0, why);
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn writing_through_a_symlink_is_refused() {
    // A link that stays inside, followed by an entry that would write through it.
    let items = [
        Item::Dir("d/"),
        Item::Symlink("l", "d"),
        Item::File("l/file", b"through the link".to_vec(), 0o644),
    ];
    assert_refused(&tar_gz(&items), 0, "symbolic link");
    assert_refused(&zip_bytes(&items), 0, "symbolic link");
    // A file entry replacing a symlink replaces the link, not its target.
    let items = [
        Item::File("target", b"original".to_vec(), 0o644),
        Item::Symlink("l", "target"),
        Item::File("l", b"replacement".to_vec(), 0o644),
    ];
    let t = unpacked(&tar_gz(&items));
    assert_eq!(t["out/target"], "file(644):original");
    assert_eq!(t["out/l"], "file(644):replacement");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn hard_links_must_point_at_files_inside() {
    // The refusal names the entry, not its target.
    assert_refused(
        &tar_gz(&[Item::HardLink("h", "/etc/passwd")]),
        0,
        "entry \"h\": hard link target is absolute",
    );
    assert_refused(&tar_gz(&[Item::HardLink("h", "../outside")]), 0, "`..`");
    assert_refused(
        &tar_gz(&[Item::HardLink("h", "missing")]),
        0,
        "not a file unpacked earlier",
    );
    assert_refused(
        &tar_gz(&[Item::Symlink("s", "x"), Item::HardLink("h", "s")]),
        0,
        "not a file unpacked earlier",
    );
    let items = [
        Item::File("pkg/a", b"shared".to_vec(), 0o644),
        Item::HardLink("pkg/b", "pkg/a"),
    ];
    let (root, result) = unpack(
        &tar_gz(&items),
        None,
        1,
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    result.unwrap();
    let t = root_tree(root.path());
    assert_eq!(
        t["out/b"], "file(644):shared",
        "target stripped like the entry"
    );
}

#[test]
fn devices_and_fifos_are_refused() {
    assert_refused(&tar_gz(&[Item::CharDevice("dev")]), 0, "device");
    assert_refused(&tar_gz(&[Item::Fifo("fifo")]), 0, "fifo");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn a_directory_is_never_replaced_by_a_file() {
    let items = [Item::Dir("d/"), Item::File("d", b"x".to_vec(), 0o644)];
    assert_refused(&tar_gz(&items), 0, "replace a directory");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn special_permission_bits_and_others_write_are_dropped() {
    let items = [
        Item::File("suid", b"x".to_vec(), 0o4755),
        Item::File("open", b"y".to_vec(), 0o777),
        Item::File("shared", b"z".to_vec(), 0o664),
    ];
    let tree = unpacked(&tar_gz(&items));
    assert_eq!(tree["out/suid"], "file(755):x");
    assert_eq!(tree["out/open"], "file(755):y");
    assert_eq!(tree["out/shared"], "file(644):z");
}

#[test]
fn decompression_bombs_stop_at_the_byte_cap() {
    let limits = ExtractLimits {
        max_bytes: 1 << 20,
        max_entries: 100,
    };
    // 8 MiB of zeros compresses to a few KiB in every compressed format (a plain tar
    // is no bomb, but its size is capped all the same).
    let bomb = [Item::File("zeros", vec![0u8; 8 << 20], 0o644)];
    for format in ARCHIVE_FORMATS {
        let bytes = build(format, &bomb);
        if format != ArchiveFormat::Tar {
            assert!(bytes.len() < 100 << 10, "{format}: {} bytes", bytes.len());
        }
        let (root, result) = unpack(
            &bytes,
            Some(format),
            0,
            limits,
            &mut RecordingSink::default(),
        );
        let err = result.unwrap_err();
        assert!(
            matches!(err, ExtractError::TooLarge { limit } if limit == 1 << 20),
            "{format}: {err}"
        );
        assert!(err.to_string().contains("decompression bomb"));
        let written = fs::metadata(root.path().join("out/zeros")).map_or(0, |m| m.len());
        assert!(written <= 1 << 20, "{format}: wrote {written}");
    }
    // Many small files add up too, and the entry count has its own cap.
    let many: Vec<Item> = (0..200)
        .map(|i| {
            Item::File(
                Box::leak(format!("f{i}").into_boxed_str()),
                vec![1u8; 10_000],
                0o644,
            )
        })
        .collect();
    let (_r, result) = unpack_whole(&tar_gz(&many), limits);
    assert!(
        matches!(result, Err(ExtractError::TooManyEntries { limit: 100 })),
        "{result:?}"
    );
    let loose = ExtractLimits {
        max_bytes: 1 << 20,
        max_entries: 1000,
    };
    let (_r, result) = unpack_whole(&tar_gz(&many), loose);
    assert!(
        matches!(result, Err(ExtractError::TooLarge { .. })),
        "{result:?}"
    );
}

#[test]
fn cancel_stops_extraction() {
    // Incompressible-ish data so the archive spans several 64 KiB reads.
    let data: Vec<u8> = noise(1_000_000);
    for format in ARCHIVE_FORMATS {
        let bytes = build(format, &[Item::File("big", data.clone(), 0o644)]);
        let mut sink = RecordingSink::cancelling_after(Phase::Queued, 2);
        let (_r, result) = unpack(&bytes, Some(format), 0, ExtractLimits::default(), &mut sink);
        assert!(
            matches!(result, Err(ExtractError::Cancelled)),
            "{format}: {result:?}"
        );
        assert!(
            sink.progress_in(Phase::Queued).len() <= 3,
            "{format}: stopped promptly"
        );
    }
}

#[test]
fn a_missing_archive_is_a_read_error() {
    let dest = tempfile::tempdir().unwrap();
    let result = extract(
        &dest.path().join("absent.tar.gz"),
        None,
        dest.path(),
        0,
        "tool",
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    let err = result.unwrap_err();
    assert!(matches!(err, ExtractError::ReadArchive { .. }), "{err}");
    assert!(err.to_string().contains("absent.tar.gz"), "{err}");
}

/// A zip of `items` with every `from` in the names replaced by `to` (same length), in
/// the local headers and the central directory: the writer refuses duplicate names,
/// a hostile archive need not.
fn zip_renamed(items: &[Item], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut bytes = zip_bytes(items);
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut i = 0;
    let mut patched = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            patched += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(patched >= 2, "{patched} names patched");
    bytes
}

/// A zip of `items` whose central-directory entries all claim the Unix file type
/// `file_type` (e.g. a character device): the writer only makes files, dirs, links.
fn zip_with_file_type(items: &[Item], file_type: u32) -> Vec<u8> {
    let mut bytes = zip_bytes(items);
    let mut i = 0;
    let mut patched = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == *b"PK\x01\x02" {
            bytes[i + 5] = 3; // made by: Unix
            let attr = i + 38;
            let mut ext = u32::from_le_bytes(bytes[attr..attr + 4].try_into().unwrap());
            ext = (ext & 0x0000_ffff) | (((file_type | 0o644) & 0xffff) << 16);
            bytes[attr..attr + 4].copy_from_slice(&ext.to_le_bytes());
            patched += 1;
            i += 46;
        } else {
            i += 1;
        }
    }
    assert_eq!(patched, items.len());
    bytes
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn every_format_refuses_escaping_paths_and_links() {
    for format in ARCHIVE_FORMATS {
        for name in ["/tmp/vx-evil-abs2", "/evil"] {
            let bytes = build(format, &[Item::File(name, b"x".to_vec(), 0o644)]);
            assert_refused(&bytes, 0, "absolute");
        }
        for name in ["../evil", "a/../../evil", "./../pwned", "a/b/../../../evil"] {
            let bytes = build(format, &[Item::File(name, b"x".to_vec(), 0o644)]);
            assert_refused(&bytes, 0, "`..`");
            // Stripping does not launder a `..`.
            assert_refused(&bytes, 1, "`..`");
        }
        for (name, target, why) in [
            ("link", "/etc/passwd", "absolute"),
            ("a/b/link", "../../../evil", "outside"),
            ("link", "./..", "outside"),
        ] {
            let bytes = build(format, &[Item::Symlink(name, target)]);
            assert_refused(&bytes, 0, why);
        }
        // A directory entry through a link planted earlier.
        let items = [
            Item::Dir("d/"),
            Item::Symlink("l", "d"),
            Item::Dir("l/sub/"),
        ];
        assert_refused(&build(format, &items), 0, "symbolic link");
    }
    assert!(!Path::new("/tmp/vx-evil-abs2").exists());
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn every_tar_format_refuses_outside_hard_links_and_devices() {
    for format in tar_formats() {
        let tar = |items: &[Item]| build(format, items);
        assert_refused(&tar(&[Item::HardLink("h", "/etc/passwd")]), 0, "absolute");
        assert_refused(&tar(&[Item::HardLink("h", "a/../../x")]), 0, "`..`");
        assert_refused(
            &tar(&[
                Item::Dir("d/"),
                Item::Symlink("l", "d"),
                Item::HardLink("h", "l/x"),
            ]),
            0,
            "symbolic link",
        );
        assert_refused(&tar(&[Item::CharDevice("dev")]), 0, "device");
        assert_refused(&tar(&[Item::Fifo("fifo")]), 0, "fifo");
    }
}

#[test]
fn zip_device_fifo_and_socket_entries_are_refused() {
    for file_type in [0o020000, 0o060000, 0o010000, 0o140000] {
        let bytes = zip_with_file_type(&[Item::File("dev", Vec::new(), 0o644)], file_type);
        assert_refused(&bytes, 0, "device, fifo and socket");
        // The lock's listing walks the same entries: it refuses them too.
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let limits = ExtractLimits::default();
        let listed = crate::install::listing::list(file.path(), None, 0, "dev", limits);
        let err = listed.unwrap_err().to_string();
        assert!(err.contains("device, fifo and socket"), "{err}");
    }
}

#[test]
fn zip_entries_named_with_dot_dot_or_absolute_after_patching_are_refused() {
    // Names the writer would not normally produce, patched in afterwards.
    assert_refused(
        &zip_renamed(&[Item::File("XX/evil", b"x".to_vec(), 0o644)], "XX", ".."),
        0,
        "`..`",
    );
    assert_refused(
        &zip_renamed(
            &[Item::File("a/XX/XX/evil", b"x".to_vec(), 0o644)],
            "XX",
            "..",
        ),
        0,
        "`..`",
    );
    assert_refused(
        &zip_renamed(
            &[Item::File("Xetc/evil", b"x".to_vec(), 0o644)],
            "Xetc",
            "/etc",
        ),
        0,
        "absolute",
    );
}

/// Duplicate entries (the same path twice) are allowed, as `tar` allows them: the later
/// entry replaces an earlier file or link — by removing it first, never writing through
/// it — and may never replace a directory or reach outside. Every format alike.
#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn duplicate_entries_replace_files_and_links_but_never_write_through_them() {
    for format in ARCHIVE_FORMATS {
        // Duplicate names cannot be written by the zip writer: patched in afterwards.
        let dup = |items: &[Item]| match format {
            ArchiveFormat::Zip => zip_renamed(items, "dupB", "dupA"),
            _ => build(format, &renamed(items)),
        };
        // The same file twice: the later one wins.
        let t = unpacked(&dup(&[
            Item::File("dupA", b"first".to_vec(), 0o644),
            Item::File("dupB", b"second".to_vec(), 0o755),
        ]));
        assert_eq!(t["out/dupA"], "file(755):second", "{format}");
        assert_eq!(t.len(), 2, "{format}: {t:?}");

        // A link to a file inside, then a file of the same name: the link is replaced,
        // its target keeps its bytes.
        let t = unpacked(&dup(&[
            Item::File("target", b"original".to_vec(), 0o644),
            Item::Symlink("dupA", "target"),
            Item::File("dupB", b"replacement".to_vec(), 0o644),
        ]));
        assert_eq!(t["out/target"], "file(644):original", "{format}");
        assert_eq!(t["out/dupA"], "file(644):replacement", "{format}");

        // A file, then a link of the same name pointing outside: refused.
        assert_refused(
            &dup(&[
                Item::File("dupA", b"x".to_vec(), 0o644),
                Item::Symlink("dupB", "../../evil"),
            ]),
            0,
            "outside",
        );
        // A link to a directory inside, then a directory of the same name: refused
        // (later entries would go through the link).
        assert_refused(
            &dup(&[
                Item::Dir("d/"),
                Item::Symlink("dupA", "d"),
                Item::Dir("dupB/"),
                Item::File("dupB/f", b"x".to_vec(), 0o644),
            ]),
            0,
            "replace a file or link",
        );
        // A directory, then a file of the same name: refused.
        assert_refused(
            &dup(&[Item::Dir("dupA/"), Item::File("dupB", b"x".to_vec(), 0o644)]),
            0,
            "replace a directory",
        );
    }
    // Tar: a hard link, then a file of the link's name; the first file is untouched.
    for format in tar_formats() {
        let t = unpacked(&build(
            format,
            &[
                Item::File("a", b"shared".to_vec(), 0o644),
                Item::HardLink("b", "a"),
                Item::File("b", b"new".to_vec(), 0o644),
            ],
        ));
        assert_eq!(t["out/a"], "file(644):shared");
        assert_eq!(t["out/b"], "file(644):new");
    }
}

/// `items` with `dupB` renamed to `dupA` (tar writes duplicates as they are).
fn renamed(items: &[Item]) -> Vec<Item> {
    let fix = |n: &'static str| -> &'static str {
        if n.contains("dupB") {
            Box::leak(n.replace("dupB", "dupA").into_boxed_str())
        } else {
            n
        }
    };
    items
        .iter()
        .map(|item| match item {
            Item::File(n, d, m) => Item::File(fix(n), d.clone(), *m),
            Item::Dir(n) => Item::Dir(fix(n)),
            Item::Symlink(n, t) => Item::Symlink(fix(n), t),
            Item::HardLink(n, t) => Item::HardLink(fix(n), t),
            Item::CharDevice(n) => Item::CharDevice(fix(n)),
            Item::Fifo(n) => Item::Fifo(fix(n)),
        })
        .collect()
}

/// A small ELF-looking file (the magic, then text) and a `#!` script: what the raw
/// tests install.
const ELF: &[u8] = b"\x7fELF\x02\x01\x01\x00 not really a program";
const SCRIPT: &[u8] = b"#!/bin/sh\necho hi\n";

/// Installs `bytes` as a bare executable at `name` (`format` given or sniffed).
fn unpack_raw(
    bytes: &[u8],
    format: Option<ArchiveFormat>,
    name: &str,
    limits: ExtractLimits,
) -> (tempfile::TempDir, Result<ExtractStats, ExtractError>) {
    let (root, archive, dest) = staged(bytes);
    // strip_components does not apply to a bare executable.
    let mut sink = RecordingSink::default();
    let result = extract(&archive, format, &dest, 3, name, limits, &mut sink);
    (root, result)
}

#[test]
fn a_bare_executable_becomes_the_named_file_with_mode_755() {
    for (bytes, format) in [
        (ELF, None),
        (SCRIPT, None),
        (ELF, Some(ArchiveFormat::Raw)),
        // Named raw, whatever the bytes look like.
        (&b"\x00\x01 data"[..], Some(ArchiveFormat::Raw)),
    ] {
        let (root, result) = unpack_raw(bytes, format, "jq", ExtractLimits::default());
        let stats = result.unwrap();
        assert_eq!(
            stats,
            ExtractStats {
                format: Some(ArchiveFormat::Raw),
                entries: 1,
                bytes: bytes.len() as u64,
                unpacked: 1,
                executable: Some("jq".to_owned()),
            }
        );
        assert_eq!(fs::read(root.path().join("out/jq")).unwrap(), bytes);
        #[cfg(unix)]
        {
            let t = root_tree(root.path());
            assert_eq!(t.len(), 2, "{t:?}");
            assert!(t["out/jq"].starts_with("file(755):"), "{t:?}");
        }
    }
}

#[test]
fn a_bare_executable_may_go_into_a_sub_directory_but_never_outside() {
    let (root, result) = unpack_raw(ELF, None, "bin/tool", ExtractLimits::default());
    assert_eq!(result.unwrap().executable.as_deref(), Some("bin/tool"));
    assert_eq!(fs::read(root.path().join("out/bin/tool")).unwrap(), ELF);
    for (name, why) in [
        ("../evil", "`..`"),
        ("a/../../evil", "`..`"),
        ("/evil", "absolute"),
    ] {
        let (root, result) = unpack_raw(ELF, None, name, ExtractLimits::default());
        let err = result.unwrap_err();
        assert!(matches!(err, ExtractError::Unsafe { .. }), "{name}: {err}");
        assert!(err.to_string().contains(why), "{name}: {err}");
        assert_eq!(root_tree(root.path()).len(), 1, "{name}: only out/ itself");
        assert!(!root.path().parent().unwrap().join("evil").exists());
    }
}

#[test]
fn a_bare_executable_over_the_byte_cap_is_refused() {
    let limits = ExtractLimits {
        max_bytes: 1000,
        max_entries: 10,
    };
    let mut big = ELF.to_vec();
    big.resize(5000, 0);
    let (root, result) = unpack_raw(&big, None, "tool", limits);
    assert!(
        matches!(result, Err(ExtractError::TooLarge { limit: 1000 })),
        "{result:?}"
    );
    assert!(
        !root.path().join("out/tool").exists(),
        "refused before writing"
    );
}

#[test]
fn a_windows_binary_gets_exe_on_windows_only() {
    let pe = b"MZ\x90\x00\x03\x00\x00\x00";
    assert_eq!(executable_path("jq", pe, true), "jq.exe");
    assert_eq!(executable_path("bin/jq", pe, true), "bin/jq.exe");
    assert_eq!(executable_path("jq.EXE", pe, true), "jq.EXE");
    assert_eq!(executable_path("jq", pe, false), "jq");
    assert_eq!(executable_path("jq", ELF, true), "jq");
    assert_eq!(executable_path("jq", SCRIPT, true), "jq");
    // And through extract: `.exe` is added when vx runs on Windows.
    let (root, result) = unpack_raw(pe, None, "jq", ExtractLimits::default());
    let want = if cfg!(windows) { "jq.exe" } else { "jq" };
    assert_eq!(result.unwrap().executable.as_deref(), Some(want));
    assert_eq!(fs::read(root.path().join("out").join(want)).unwrap(), pe);
}

/// Every compressed tar format decodes what its reference tool writes, several
/// streams or frames included: the fixtures here are made by the crates that test
/// fixtures use, so a `.tar.bz2` of two streams (as `pbzip2` writes) checks the
/// multi-stream reading that real archives need.
#[test]
fn a_bzip2_archive_of_several_streams_unpacks_whole() {
    let tar = crate::install::testutil::tar_bytes(&[
        Item::File("pkg/a", b"first".repeat(10_000), 0o644),
        Item::File("pkg/b", b"second".to_vec(), 0o644),
    ]);
    let half = tar.len() / 2;
    let mut bytes = Vec::new();
    for part in [&tar[..half], &tar[half..]] {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        std::io::Write::write_all(&mut enc, part).unwrap();
        bytes.extend(enc.finish().unwrap());
    }
    let (root, result) = unpack(
        &bytes,
        None,
        1,
        ExtractLimits::default(),
        &mut RecordingSink::default(),
    );
    assert_eq!(result.unwrap().format, Some(ArchiveFormat::TarBz2));
    assert_eq!(
        fs::read(root.path().join("out/a")).unwrap(),
        b"first".repeat(10_000)
    );
    assert_eq!(fs::read(root.path().join("out/b")).unwrap(), b"second");
}

/// The streaming install's stop flag, raised from its thread, ends an extraction at
/// the next entry: one chunk of a download can hold thousands of small entries, which
/// were all written before a cancel was seen.
#[test]
fn a_raised_stop_flag_ends_a_streamed_extraction_at_the_next_entry() {
    let items: Vec<Item> = (0..2000)
        .map(|n| {
            Item::File(
                Box::leak(format!("f{n}").into_boxed_str()),
                Vec::new(),
                0o644,
            )
        })
        .collect();
    let body = tar_gz(&items);
    let dest = tempfile::tempdir().unwrap();
    let cancelled = Cell::new(false);
    let stop = std::sync::atomic::AtomicBool::new(true);
    let result = extract_tar_stream(
        std::io::Cursor::new(body),
        ArchiveFormat::TarGz,
        dest.path(),
        0,
        ExtractLimits::default(),
        &cancelled,
        &stop,
    );
    assert!(matches!(result, Err(ExtractError::Cancelled)), "{result:?}");
    assert_eq!(std::fs::read_dir(dest.path()).unwrap().count(), 0);
}

/// Files bigger than all the buffers between the thread that inflates and the one that
/// writes come through whole, in every tar format and a zip: a file of exactly a
/// buffer's multiple (its last piece empty), one just over, a large one of noise and
/// an empty one, in archive order with small files between them.
#[test]
fn files_larger_than_the_pipelines_buffers_are_written_whole() {
    let exact = noise(4 * pipe::BUFFER);
    let over = noise(3 * pipe::BUFFER + 1);
    let large = noise(6 << 20);
    let items = [
        Item::File("d/exact", exact.clone(), 0o644),
        Item::File("d/small", b"s".to_vec(), 0o644),
        Item::File("d/large", large.clone(), 0o755),
        Item::File("d/empty", Vec::new(), 0o644),
        Item::File("d/over", over.clone(), 0o644),
    ];
    for format in tar_formats().chain([ArchiveFormat::Zip]) {
        let (root, result) = unpack(
            &build(format, &items),
            Some(format),
            1,
            ExtractLimits::default(),
            &mut RecordingSink::default(),
        );
        let stats = result.unwrap_or_else(|e| panic!("{format}: {e}"));
        let total = (exact.len() + over.len() + large.len() + 1) as u64;
        assert_eq!(stats.bytes, total, "{format}");
        let out = root.path().join("out");
        assert!(fs::read(out.join("exact")).unwrap() == exact, "{format}");
        assert!(fs::read(out.join("over")).unwrap() == over, "{format}");
        assert!(fs::read(out.join("large")).unwrap() == large, "{format}");
        assert_eq!(fs::read(out.join("small")).unwrap(), b"s", "{format}");
        assert_eq!(fs::read(out.join("empty")).unwrap(), b"", "{format}");
    }
}

/// The writer's refusal of an earlier entry wins over the judge's of a later one, as
/// when one thread did both: the error names the first bad entry of the archive.
#[test]
fn the_first_refused_entry_is_the_one_reported() {
    let items = [
        Item::File("a", b"a file".to_vec(), 0o644),
        Item::File("a/b", b"under a file".to_vec(), 0o644),
        Item::File("../evil", b"x".to_vec(), 0o644),
    ];
    for bytes in [tar_gz(&items), zip_bytes(&items)] {
        assert_refused(&bytes, 0, "a parent of the path is a file");
    }
}

/// A cancel while the writer has pieces of a large file in hand still ends as
/// cancelled, with the writer stopped before the extraction returns.
#[test]
fn a_cancel_with_pieces_in_flight_is_a_cancel() {
    let items = [Item::File("big", noise(8 << 20), 0o644)];
    for format in tar_formats() {
        let mut sink = RecordingSink::cancelling_after(Phase::Queued, 3);
        let (root, result) = unpack(
            &build(format, &items),
            Some(format),
            0,
            ExtractLimits::default(),
            &mut sink,
        );
        assert!(
            matches!(result, Err(ExtractError::Cancelled)),
            "{format}: {result:?}"
        );
        let written = fs::metadata(root.path().join("out/big")).map_or(0, |m| m.len());
        assert!(written < 8 << 20, "{format}: wrote {written}");
    }
}

/// `items` behind enough entries, in enough directories, that the second writer thread
/// has started and holds some of them when `items` come (`pipe::SECOND_WRITER_AFTER`):
/// what two writers must do exactly as one did.
fn behind_two_writers(items: &[Item]) -> Vec<Item> {
    let mut all = Vec::new();
    for dir in 0..8 {
        all.push(Item::Dir(Box::leak(format!("w{dir}/").into_boxed_str())));
        for file in 0..5 {
            let name = Box::leak(format!("w{dir}/f{file}").into_boxed_str());
            all.push(Item::File(name, vec![b'w'; 100 * file], 0o644));
        }
    }
    all.extend_from_slice(items);
    all
}

/// With two writer threads, every refusal of the hostile archives above holds, and
/// what later entries replace is replaced as with one (`route`: what an earlier entry
/// made waits for it).
#[test]
#[cfg_attr(
    windows,
    ignore = "Unix fixtures: symbolic links (which Wine does not create), mode bits and `/`-separated tree keys"
)]
fn two_writers_keep_every_rule_of_one() {
    let refused: [(Vec<Item>, &str); 6] = [
        (
            vec![
                Item::Dir("d/"),
                Item::Symlink("l", "d"),
                Item::File("l/file", b"through the link".to_vec(), 0o644),
            ],
            "symbolic link",
        ),
        (
            vec![Item::Dir("d/"), Item::File("d", b"x".to_vec(), 0o644)],
            "replace a directory",
        ),
        (
            vec![Item::File("w3/f1/x", b"x".to_vec(), 0o644)],
            "a parent of the path is a file",
        ),
        (
            vec![Item::Symlink("s", "w1"), Item::HardLink("h", "s")],
            "not a file unpacked earlier",
        ),
        (
            vec![
                Item::Symlink("w5", "w4"),
                Item::File("w5/f9", b"x".to_vec(), 0o644),
            ],
            "replace a directory",
        ),
        (
            vec![
                Item::File("a", b"a file".to_vec(), 0o644),
                Item::File("a/b", b"under a file".to_vec(), 0o644),
                Item::File("../evil", b"x".to_vec(), 0o644),
            ],
            "a parent of the path is a file",
        ),
    ];
    for (items, why) in refused {
        for format in tar_formats() {
            assert_refused(&build(format, &behind_two_writers(&items)), 0, why);
        }
        if !items.iter().any(|item| matches!(item, Item::HardLink(..))) {
            assert_refused(&zip_bytes(&behind_two_writers(&items)), 0, why);
        }
    }

    for format in tar_formats() {
        let t = unpacked(&build(
            format,
            &behind_two_writers(&[
                // A file of the other writer's directory, hard-linked at once.
                Item::HardLink("w6/h", "w7/f4"),
                // A link replaced by a file; a file replaced by a file.
                Item::Symlink("l", "w0/f1"),
                Item::File("l", b"replacement".to_vec(), 0o644),
                Item::File("w2/f2", b"second".to_vec(), 0o755),
                // Parents made by whichever writer comes first.
                Item::File("n/e/w", b"deep".to_vec(), 0o644),
                Item::Dir("n/"),
                Item::Dir("n/e/"),
            ]),
        ));
        assert_eq!(t["out/w6/h"], format!("file(644):{}", "w".repeat(400)));
        assert_eq!(t["out/w0/f1"], format!("file(644):{}", "w".repeat(100)));
        assert_eq!(t["out/l"], "file(644):replacement");
        assert_eq!(t["out/w2/f2"], "file(755):second");
        assert_eq!(t["out/n/e/w"], "file(644):deep");
        assert_eq!(t.len(), 1 + 8 * 6 + 5, "{format}: {t:?}");
    }
}
