//! Untrusted text and closed pipes: what an archive, a server or a board file says never
//! reaches the terminal as control sequences, and a reader that goes away is no failure.

use crate::common;

use std::io::Write;
use std::process::Stdio;

use common::*;
use vx_base::format::{ARCHIVE_FORMATS, ArchiveFormat};
use vx_fixture::{Item, Route, TestServer, archive_bytes, noise, sha256_hex, tar_bytes};
use vx_shm::{Board, Phase, ToolEntry};

/// Control bytes a hostile party would like a terminal to act on: set the window title,
/// clear the screen, return the cursor, a C1 CSI, a NUL.
const EVIL: &str = "\x1b]0;PWNED\x07\x1b[2J\r\u{9b}31m\0";

/// Fails when `text` holds a C0 control other than newline, DEL, or a C1 control.
fn assert_no_controls(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || c == '\u{7f}')
        .collect();
    assert!(
        bad.is_empty(),
        "control characters {bad:?} reached output:\n{text}"
    );
}

/// A board whose label, tool name and message are hostile, dumped to a file.
fn hostile_dump(work: &Work) -> std::path::PathBuf {
    let tool = format!("tool{EVIL}");
    let board = Board::create(
        &work.boards(),
        &format!("label{EVIL}"),
        &[ToolEntry {
            name: &tool,
            version: "1\x1b[31m",
        }],
    )
    .unwrap();
    board.writer(0).unwrap().update(|r| {
        r.set_phase(Phase::Failed);
        r.set_message(&format!("forged{EVIL}"));
    });
    board.finish(false);
    let dump = work.dir.path().join("evil.dump");
    board.reader().dump_to(&dump).unwrap();
    dump
}

#[test]
fn a_hostile_dump_is_printed_escaped_by_board_dump_and_exactly_by_json() {
    let work = Work::new();
    let dump = hostile_dump(&work);

    let out = stdout_of(work.vx().args(["board", "dump"]).arg(&dump), 0);
    let text = String::from_utf8(out).unwrap();
    assert_no_controls(&text);
    assert!(text.contains(r"label\x1b]0;PWNED\x07"), "{text}");
    assert!(text.contains(r"forged\x1b"), "{text}");

    let json = work.dump_json(&dump);
    assert_eq!(
        json["label"],
        format!("label{EVIL}"),
        "JSON keeps the exact text"
    );
    let tools = tools_by_name(&json);
    let tool = &tools[&format!("tool{EVIL}")];
    assert_eq!(tool["message"], format!("forged{EVIL}"));
}

#[test]
fn a_live_board_with_a_hostile_label_is_listed_escaped() {
    let work = Work::new();
    let board = Board::create(
        &work.boards(),
        &format!("label{EVIL}"),
        &[ToolEntry {
            name: "t",
            version: "1",
        }],
    )
    .unwrap();
    let out = stdout_of(work.vx().args(["board", "ls"]), 0);
    let text = String::from_utf8(out).unwrap();
    assert_no_controls(&text);
    assert!(text.contains(board.id()), "{text}");
    assert!(text.contains(r"label\x1b]0;PWNED\x07"), "{text}");
}

/// A `.tar.gz` whose first header's size field holds `EVIL`: the tar crate's error text
/// quotes it, so it travels into the slot message and the child's stderr.
fn tar_with_hostile_header() -> Vec<u8> {
    let mut tar = tar_bytes(&[Item::File("pkg/x", b"x".to_vec(), 0o644)]);
    let size = &mut tar[124..136];
    size.fill(0);
    size[..EVIL.len().min(11)].copy_from_slice(&EVIL.as_bytes()[..EVIL.len().min(11)]);
    // A valid header checksum, so the size field is what the tar crate complains about.
    tar[148..156].fill(b' ');
    let sum: u32 = tar[..512].iter().map(|&b| u32::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_hostile_archive_header_reaches_the_headless_lines_and_summary_escaped() {
    let work = Work::new();
    let body = tar_with_hostile_header();
    let _server = work.serve_one("evil", body);
    let output = work
        .sync(&["--headless"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_no_controls(&stdout);
    assert_no_controls(&stderr);
    assert!(
        stdout.contains(r"\x1b]0;PWN") || stderr.contains(r"\x1b]0;PWN"),
        "the hostile text is shown, escaped:\n{stdout}\n{stderr}"
    );
    assert!(!work.store().join("evil").exists());
}

/// The hostile entries of the archive table, by kind: each one escapes the install or
/// is of a refused type, and `tar` only says which a zip cannot hold.
fn hostile_entries() -> Vec<(&'static str, Item, bool)> {
    vec![
        (
            "dotdot",
            Item::File("pkg/../../evil", b"x".to_vec(), 0o644),
            false,
        ),
        (
            "absolute",
            Item::File("/tmp/vx-hostile-abs", b"x".to_vec(), 0o644),
            false,
        ),
        ("symlink", Item::Symlink("pkg/link", "../../outside"), false),
        ("hardlink", Item::HardLink("pkg/h", "/etc/passwd"), true),
        ("device", Item::CharDevice("pkg/dev"), true),
    ]
}

/// Every archive format against every hostile entry, in one sync: each tool fails with
/// the archive's refusal (exit 1), and nothing is written outside the store.
#[test]
fn hostile_entries_in_every_archive_format_are_refused_by_sync() {
    let work = Work::new();
    let mut served = Vec::new();
    for format in ARCHIVE_FORMATS {
        for (kind, entry, tar_only) in hostile_entries() {
            if tar_only && format == ArchiveFormat::Zip {
                continue;
            }
            let body = archive_bytes(format, &[Item::Dir("pkg/"), entry]);
            let name = format!("{kind}-{}", format.name().replace('.', ""));
            let path = format!("/{name}.{}", format.name());
            served.push((name, path, body));
        }
    }
    let server = TestServer::start(
        served
            .iter()
            .map(|(_, path, body)| (path.clone(), Route::Ok(body.clone()))),
    );
    let manifest: String = served
        .iter()
        .map(|(name, path, body)| tool_toml(name, "1", &server.url(path), &sha256_hex(body)))
        .collect();
    work.write_manifest(&manifest);
    let names: Vec<&String> = served.iter().map(|(name, ..)| name).collect();

    let summary = work.sync_summary(&["-j", "4"], 1);
    assert_eq!(summary.len(), names.len());
    for name in names {
        let tool = &summary[name];
        assert_eq!(tool["result"], "failed", "{name}: {tool}");
        assert_eq!(tool["exit_code"], 13, "{name}: {tool}");
        let message = tool["message"].as_str().unwrap();
        assert!(
            message.contains("refusing archive entry"),
            "{name}: {message}"
        );
    }
    let outside: Vec<String> = std::fs::read_dir(work.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["boards", "store", "vx.toml", "vx.lock"].contains(&n.as_str()))
        .collect();
    assert!(outside.is_empty(), "written outside the store: {outside:?}");
    assert!(!std::path::Path::new("/tmp/vx-hostile-abs").exists());
    let installed: Vec<String> = std::fs::read_dir(work.store())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(installed.is_empty(), "{installed:?}");
}

/// Runs `vx ARGS` with stdout (and stderr) read by nobody: the pipes are closed before
/// `vx` writes. Returns the exit status.
fn with_closed_pipes(work: &Work, args: &[&str]) -> std::process::ExitStatus {
    let mut child = work
        .vx_process(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    wait_exit(&mut child)
}

#[test]
fn a_sync_whose_reader_went_away_still_installs_and_exits_0() {
    let work = Work::new();
    let payload = noise(10_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let _server = work.serve_one("quiet", body);
    let manifest = work.manifest();
    let store = work.store();
    let status = with_closed_pipes(
        &work,
        &[
            "sync",
            "--headless",
            "--manifest",
            manifest.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
        ],
    );
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(work.installed("quiet", "1"), expected_tree(&payload));
}

#[test]
fn the_demo_with_its_output_closed_runs_to_its_end_and_exits_0() {
    let work = Work::new();
    let status = with_closed_pipes(&work, &["sync", "--demo", "--headless"]);
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn board_commands_into_a_closed_pipe_exit_0() {
    let work = Work::new();
    let dump = hostile_dump(&work);
    let _live = Board::create(
        &work.boards(),
        "live",
        &[ToolEntry {
            name: "t",
            version: "1",
        }],
    )
    .unwrap();
    for args in [
        vec!["board", "ls"],
        vec!["board", "ls", "--json"],
        vec!["board", "dump", dump.to_str().unwrap()],
        vec!["board", "dump", "--json", dump.to_str().unwrap()],
    ] {
        let status = with_closed_pipes(&work, &args);
        assert_eq!(status.code(), Some(0), "vx {args:?}: {status:?}");
    }
}

#[test]
fn a_slot_left_half_written_in_a_dump_keeps_its_name() {
    let work = Work::new();
    let board = Board::create(
        &work.boards(),
        "torn",
        &[
            ToolEntry {
                name: "steady",
                version: "1",
            },
            ToolEntry {
                name: "torn-tool",
                version: "2.5",
            },
        ],
    )
    .unwrap();
    board.writer(1).unwrap().update(|r| {
        r.set_phase(Phase::Downloading);
        r.set_message("half");
    });
    let dump = work.dir.path().join("torn.dump");
    board.reader().dump_to(&dump).unwrap();
    // Slot 1's sequence word made odd: a writer that died between its two stores.
    let mut bytes = std::fs::read(&dump).unwrap();
    let seq_at = vx_shm::layout::HEADER_SIZE + vx_shm::layout::SLOT_SIZE;
    bytes[seq_at] |= 1;
    std::fs::write(&dump, &bytes).unwrap();

    let tools = work.dump_tools(&dump);
    let torn = &tools["torn-tool"];
    assert_eq!(torn["result"], "unreadable", "{torn}");
    assert_eq!(torn["version"], "2.5", "{torn}");
    let out = stdout_of(work.vx().args(["board", "dump"]).arg(&dump), 0);
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().any(|l| l.starts_with("torn-tool")), "{text}");
}

/// Issue 65: a tool's `[tools.T.options]` are the user's keys, passed through to the
/// receipt unchanged; the names vx once carried its build plan under
/// (`vx_build_with`, `vx_installer`) steer nothing: no other download is fetched, and
/// nothing is installed first.
#[test]
fn an_option_named_as_vxs_build_plan_installs_nothing_else() {
    let work = Work::new();
    let other = archive(ArchiveFormat::TarGz, noise(50));
    let other_sha = sha256_hex(&other);
    let other_server = TestServer::start([("/other.tar.gz", Route::Ok(other))]);
    let server = work.serve_one("mine", archive(ArchiveFormat::TarGz, noise(100)));
    let manifest = std::fs::read_to_string(work.manifest()).unwrap();
    let mut with_options = manifest.clone();
    for key in ["vx_build_with", "vx_installer"] {
        with_options.push_str(&format!(
            "[tools.mine.options.{key}]\nname = \"other\"\nversion = \"1\"\nurl = \"{}\"\nsha256 = \"{other_sha}\"\nstrip_components = 1\noptions = {{}}\n\n",
            other_server.url("/other.tar.gz")
        ));
    }
    work.write_manifest(&with_options);
    let summary = work.sync_summary(&[], 0);
    assert_eq!(summary["mine"]["exit_code"], 0, "{}", summary["mine"]);
    assert_eq!(server.hits(), 1);
    assert_eq!(other_server.hits(), 0, "the option's download was fetched");
    assert!(!has_tree(work.store(), "other", "1"));
    let tree = tree_in(work.store(), "mine", "1");
    let receipt = vx_engine::store::read_receipt(&tree).unwrap();
    assert!(receipt.options.contains_key("vx_build_with"), "{receipt:?}");
}
