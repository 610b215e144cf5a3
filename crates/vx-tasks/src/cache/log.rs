//! A kept log as any machine may replay it (issue 75): the project's directory and the
//! home directory of the machine that ran the task are replaced by markers when the log
//! is kept, and by the reader's own when it is replayed. A log restored in a fresh clone
//! says `> @acme/web build /home/me/src/acme/apps/web`, not the CI runner's path (nor
//! does the registry learn where CI keeps its checkouts). Each chunk keeps its stream
//! ([`Log`]): what is done here is done to each chunk's bytes.

use std::path::{Path, PathBuf};

use super::super::events::Stream;
use super::streams::Log;

/// What stands for the project's directory in a kept log.
const PROJECT: &[u8] = b"\x00vx:project\x00";
/// What stands for the home directory in a kept log.
const HOME: &[u8] = b"\x00vx:home\x00";

/// `log` as it is kept: each of the project's paths (as given and as resolved), then the
/// home directory, replaced by its marker. The project first: it usually lies in the
/// home directory.
pub(crate) fn portable(log: &Log, project: &Path) -> Log {
    let paths = project_paths(project);
    let home = home();
    log.map(|bytes| {
        let mut out = bytes.to_vec();
        for dir in &paths {
            out = replace(&out, path_bytes(dir).as_slice(), PROJECT);
        }
        if let Some(home) = &home {
            out = replace(&out, path_bytes(home).as_slice(), HOME);
        }
        out
    })
}

/// A kept `log` as this machine replays it: the markers replaced by this project's
/// directory and this user's home.
pub(crate) fn local(log: &Log, project: &Path) -> Log {
    let home = home().map_or_else(|| b"~".to_vec(), |home| path_bytes(&home));
    log.map(|bytes| {
        let out = replace(bytes, PROJECT, &path_bytes(project));
        replace(&out, HOME, &home)
    })
}

/// A kept log this machine did not make (restored from a registry, now or before) as a
/// terminal may show it: text from outside. Colours pass; each line shows what its last
/// carriage return left (a progress bar its last state); every other control character
/// (a window title, OSC 52's clipboard, a cursor move) is shown escaped. A log a run here
/// made is replayed as the task wrote it.
///
/// Each stream's lines are made safe whole: a line the other stream cut in two (its
/// chunks on either side of the other's) goes out where it ends, so a character, an
/// escape or a carriage return is never judged by half.
pub(crate) fn made_safe(log: &Log) -> Log {
    let mut out = Log::default();
    // Per stream (stdout, stderr): its unfinished line.
    let mut held: [Vec<u8>; 2] = Default::default();
    let slot = |stream| match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    };
    for chunk in log.chunks() {
        let line = &mut held[slot(chunk.stream)];
        line.extend_from_slice(&chunk.bytes);
        if let Some(end) = line.iter().rposition(|&b| b == b'\n') {
            let rest = line.split_off(end + 1);
            out.push(chunk.stream, &safe_lines(line));
            *line = rest;
        }
    }
    // The unfinished lines, the stream written last going last.
    let last = log.chunks().last().map_or(Stream::Stderr, |c| c.stream);
    let other = match last {
        Stream::Stdout => Stream::Stderr,
        Stream::Stderr => Stream::Stdout,
    };
    for stream in [other, last] {
        let line = &held[slot(stream)];
        if !line.is_empty() {
            out.push(stream, &safe_lines(line));
        }
    }
    out
}

/// `bytes` made safe line by line ([`made_safe`]).
fn safe_lines(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&vx_text::sanitize_keeping_colours(vx_text::last_state(
            line,
        )));
    }
    out.into_bytes()
}

/// The project's directory as given and, when it differs, as resolved (`/tmp` behind a
/// link on macOS), longest first; never the root alone (every path would match).
fn project_paths(project: &Path) -> Vec<PathBuf> {
    let mut paths = vec![project.to_owned()];
    if let Ok(real) = project.canonicalize()
        && real != project
    {
        paths.push(real);
    }
    paths.retain(|p| p.parent().is_some());
    paths.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    paths
}

/// The home directory, when it is one a log can name (not `/`).
fn home() -> Option<PathBuf> {
    vx_base::platform::fs::home_dir().filter(|home| home.parent().is_some())
}

fn path_bytes(path: &Path) -> Vec<u8> {
    path.as_os_str().as_encoded_bytes().to_vec()
}

/// `text` with every `from` replaced by `to`, in one pass (linear in the log's length).
fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memmem::find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of one stream's `bytes`.
    fn out(bytes: &[u8]) -> Log {
        Log::plain(bytes)
    }

    /// Each chunk as (stream, text).
    fn texts(log: &Log) -> Vec<(Stream, String)> {
        log.chunks()
            .iter()
            .map(|c| (c.stream, String::from_utf8_lossy(&c.bytes).into_owned()))
            .collect()
    }

    #[test]
    fn a_foreign_log_keeps_its_colours_and_lines_and_loses_every_other_escape() {
        let log = out(b"\x1b]0;owned\x07\x1b[31mred\x1b[0m\n10%\r20%\r\nplain\tcol\r\nlast");
        let safe = String::from_utf8(made_safe(&log).flattened()).unwrap();
        assert_eq!(
            safe,
            "\\x1b]0;owned\\x07\x1b[31mred\x1b[0m\n20%\nplain\tcol\nlast"
        );
        assert_eq!(made_safe(&out(b"as written\n")), out(b"as written\n"));
    }

    /// A foreign log's streams stay apart once made safe, each line on its stream; a
    /// line the other stream cut in two is made safe whole (its escape, its carriage
    /// return and its character judged as one), where it ends.
    #[test]
    fn a_foreign_logs_streams_are_made_safe_line_by_line_each_on_its_own() {
        let mut log = Log::default();
        log.push(Stream::Stdout, b"one\n10%\r\x1b[3");
        log.push(Stream::Stderr, b"warn \xc3");
        log.push(Stream::Stdout, b"2mok\x1b[0m \xc3");
        log.push(Stream::Stderr, b"\xa9\x1b]0;t\x07\n");
        log.push(Stream::Stdout, b"\xa9\n");
        log.push(Stream::Stderr, b"tail");
        assert_eq!(
            texts(&made_safe(&log)),
            [
                (Stream::Stdout, "one\n".to_owned()),
                (Stream::Stderr, "warn é\\x1b]0;t\\x07\n".to_owned()),
                (Stream::Stdout, "\x1b[32mok\x1b[0m é\n".to_owned()),
                (Stream::Stderr, "tail".to_owned()),
            ]
        );
    }

    #[test]
    fn a_log_kept_on_one_machine_names_the_readers_paths() {
        let made = Path::new("/runner/work/acme");
        let mut log = Log::default();
        log.push(
            Stream::Stdout,
            b"> @acme/web build /runner/work/acme/apps/web\n",
        );
        log.push(Stream::Stderr, b"ok /runner/work/acme\n");
        let kept = portable(&log, made);
        assert!(
            !kept
                .flattened()
                .windows(17)
                .any(|w| w == b"/runner/work/acme")
        );
        let read = local(&kept, Path::new("/home/me/src/acme"));
        assert_eq!(
            texts(&read),
            [
                (
                    Stream::Stdout,
                    "> @acme/web build /home/me/src/acme/apps/web\n".to_owned()
                ),
                (Stream::Stderr, "ok /home/me/src/acme\n".to_owned()),
            ]
        );
    }

    #[test]
    fn a_log_without_paths_is_kept_as_it_is() {
        let log = out(b"no problems found\n\x00binary\xff");
        assert_eq!(portable(&log, Path::new("/p/q")), log);
        assert_eq!(local(&log, Path::new("/p/q")), log);
    }
}
