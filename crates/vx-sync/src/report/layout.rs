//! How a tool's result and its reason read as lines, in the progress lines and the
//! summary alike.
//!
//! A reason is one line of text (a child writes it as one line of its stderr, and JSON
//! keeps it so). A reason of several parts separates them with `; ` after a head that
//! ends in `: ` (`checksum mismatch: got sha256 …; expected …; from URL`); the lines
//! say the head after the result and each part on a line of its own, indented:
//!
//! ```text
//! vx: ripgrep 14.1.1: failed: checksum mismatch
//!     got sha256 0f4503e6…
//!     expected f41f3fa6…
//!     from https://…
//! ```
//!
//! A `; ` inside double quotes, backticks or brackets (a `post_install` command)
//! separates nothing. Lines are then wrapped at the width asked for, if any
//! ([`vx_tui::text::wrap`]: never cutting a hash or URL).

use vx_tui::text::{repeats, wrap};

/// Indentation of a reason's parts.
const PART_INDENT: &str = "    ";

/// `reason` as its head and its parts: `("checksum mismatch", ["got sha256 A",
/// "expected B", "from URL"])`; the whole reason and no part when it has one.
pub(crate) fn split(reason: &str) -> (&str, Vec<&str>) {
    let mut parts = top_level_parts(reason);
    if parts.len() < 2 {
        return (reason, Vec::new());
    }
    // The head is what comes before the first part's last `: `, when it has one.
    let first = parts[0];
    match first.rfind(": ") {
        Some(at) => {
            parts[0] = &first[at + 2..];
            (&first[..at], parts)
        }
        None => (first, parts.split_off(1)),
    }
}

/// `text` cut at each `; ` that is outside double quotes, backticks and brackets (not
/// single quotes: they are apostrophes as often).
fn top_level_parts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, ';') if depth == 0 && chars.peek().is_some_and(|&(_, n)| n == ' ') => {
                parts.push(&text[start..at]);
                start = at + 2;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The lines saying what happened to `who` (`vx: ripgrep 14.1.1`): `who: result:
/// reason`, or `who: reason` when there is no result word or the reason starts with
/// it; a reason's parts on lines of their own; every line kept within `width` when
/// given. All text must be sanitized already. No trailing newline.
pub(crate) fn outcome(
    who: &str,
    result: Option<&str>,
    reason: &str,
    width: Option<usize>,
) -> String {
    let (head, parts) = split(reason);
    let mut first = who.to_owned();
    if let Some(result) = result.filter(|r| !repeats(r, head)) {
        first.push_str(": ");
        first.push_str(result);
    }
    if !head.is_empty() {
        first.push_str(": ");
        first.push_str(head);
    }
    let mut lines = vec![first];
    lines.extend(parts.iter().map(|part| format!("{PART_INDENT}{part}")));
    let text = lines.join("\n");
    fit(&text, width)
}

/// Each line of `text` wrapped at `width` when one is given; `text` as it is otherwise.
pub(crate) fn fit(text: &str, width: Option<usize>) -> String {
    match width {
        Some(width) => {
            let lines: Vec<String> = text.lines().map(|line| wrap(line, width)).collect();
            lines.join("\n")
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_splits_into_its_head_and_parts() {
        assert_eq!(
            split("checksum mismatch: got sha256 A; expected B; from http://x/a.tgz"),
            (
                "checksum mismatch",
                vec!["got sha256 A", "expected B", "from http://x/a.tgz"]
            )
        );
        assert_eq!(
            split("http://x/a: no data for 30 s (after 0 bytes); the server stalled"),
            (
                "http://x/a",
                vec!["no data for 30 s (after 0 bytes)", "the server stalled"]
            )
        );
        assert_eq!(
            split("another vx is installing a 1; try again when it is done"),
            (
                "another vx is installing a 1",
                vec!["try again when it is done"]
            )
        );
        // One part: the reason as it is.
        assert_eq!(split("a: b: c"), ("a: b: c", vec![]));
        assert_eq!(split(""), ("", vec![]));
        // Quoted and bracketed `; ` separate nothing.
        let command = "post_install `make; make install` failed with exit status: 2";
        assert_eq!(split(command), (command, vec![]));
        assert_eq!(split("x (a; b) \"c; d\""), ("x (a; b) \"c; d\"", vec![]));
        assert_eq!(split("can't: a; b"), ("can't", vec!["a", "b"]));
    }

    #[test]
    fn the_result_is_said_once() {
        assert_eq!(
            outcome("vx: a 1", Some("cancelled"), "cancelled", None),
            "vx: a 1: cancelled"
        );
        assert_eq!(
            outcome(
                "vx: a 1",
                Some("cancelled"),
                "cancelled during download",
                None
            ),
            "vx: a 1: cancelled during download"
        );
        assert_eq!(
            outcome("vx: a 1", Some("failed"), "", None),
            "vx: a 1: failed"
        );
        assert_eq!(
            outcome(
                "vx: a 1",
                Some("cancelled"),
                "interrupted; child exited",
                None
            ),
            "vx: a 1: cancelled: interrupted\n    child exited"
        );
    }

    #[test]
    fn a_checksum_mismatch_reads_one_fact_a_line_within_the_width() {
        let (got, expected) = ("a".repeat(64), "b".repeat(64));
        let url = format!("https://example.com/{}/tool.tar.gz", "x".repeat(70));
        let reason =
            format!("checksum mismatch: got sha256 {got}; expected {expected}; from {url}");
        let text = outcome("vx: rg 14", Some("failed"), &reason, None);
        assert_eq!(
            text,
            format!(
                "vx: rg 14: failed: checksum mismatch\n    got sha256 {got}\n    expected {expected}\n    from {url}"
            )
        );
        let text = outcome("rg 14", None, &reason, Some(80));
        assert_eq!(
            text,
            format!(
                "rg 14: checksum mismatch\n    got sha256 {got}\n    expected {expected}\n    from\n        {url}"
            )
        );
        let narrow = outcome("rg 14", None, &reason, Some(40));
        for line in narrow.lines() {
            assert!(line.len() <= 40 || !line.trim().contains(' '), "{line:?}");
        }
        for fact in [&got, &expected, &url] {
            assert!(narrow.lines().any(|l| l.trim() == fact), "{fact}: {narrow}");
        }
    }
}
