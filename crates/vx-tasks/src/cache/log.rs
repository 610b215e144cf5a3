//! A kept log as any machine may replay it (issue 75): the project's directory and the
//! home directory of the machine that ran the task are replaced by markers when the log
//! is kept, and by the reader's own when it is replayed. A log restored in a fresh clone
//! says `> @acme/web build /home/me/src/acme/apps/web`, not the CI runner's path (nor
//! does the registry learn where CI keeps its checkouts).

use std::path::{Path, PathBuf};

/// What stands for the project's directory in a kept log.
const PROJECT: &[u8] = b"\x00vx:project\x00";
/// What stands for the home directory in a kept log.
const HOME: &[u8] = b"\x00vx:home\x00";

/// `log` as it is kept: each of the project's paths (as given and as resolved), then the
/// home directory, replaced by its marker. The project first: it usually lies in the
/// home directory.
pub(crate) fn portable(log: &[u8], project: &Path) -> Vec<u8> {
    let mut out = log.to_vec();
    for dir in project_paths(project) {
        out = replace(&out, path_bytes(&dir).as_slice(), PROJECT);
    }
    if let Some(home) = home() {
        out = replace(&out, path_bytes(&home).as_slice(), HOME);
    }
    out
}

/// A kept `log` as this machine replays it: the markers replaced by this project's
/// directory and this user's home.
pub(crate) fn local(log: &[u8], project: &Path) -> Vec<u8> {
    let out = replace(log, PROJECT, &path_bytes(project));
    match home() {
        Some(home) => replace(&out, HOME, &path_bytes(&home)),
        None => replace(&out, HOME, b"~"),
    }
}

/// A kept log this machine did not make (restored from a registry, now or before) as a
/// terminal may show it: text from outside. Colours pass; each line shows what its last
/// carriage return left (a progress bar its last state); every other control character
/// (a window title, OSC 52's clipboard, a cursor move) is shown escaped. A log a run here
/// made is replayed as the task wrote it.
pub(crate) fn made_safe(log: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(log);
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

    #[test]
    fn a_foreign_log_keeps_its_colours_and_lines_and_loses_every_other_escape() {
        let log = b"\x1b]0;owned\x07\x1b[31mred\x1b[0m\n10%\r20%\r\nplain\tcol\r\nlast";
        let safe = String::from_utf8(made_safe(log)).unwrap();
        assert_eq!(
            safe,
            "\\x1b]0;owned\\x07\x1b[31mred\x1b[0m\n20%\nplain\tcol\nlast"
        );
        assert_eq!(made_safe(b"as written\n"), b"as written\n");
    }

    #[test]
    fn a_log_kept_on_one_machine_names_the_readers_paths() {
        let made = Path::new("/runner/work/acme");
        let log = b"> @acme/web build /runner/work/acme/apps/web\nok /runner/work/acme\n";
        let kept = portable(log, made);
        assert!(!kept.windows(17).any(|w| w == b"/runner/work/acme"));
        let read = local(&kept, Path::new("/home/me/src/acme"));
        assert_eq!(
            String::from_utf8(read).unwrap(),
            "> @acme/web build /home/me/src/acme/apps/web\nok /home/me/src/acme\n"
        );
    }

    #[test]
    fn a_log_without_paths_is_kept_as_it_is() {
        let log = b"no problems found\n\x00binary\xff";
        assert_eq!(portable(log, Path::new("/p/q")), log);
        assert_eq!(local(log, Path::new("/p/q")), log);
    }
}
