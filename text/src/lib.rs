//! Human text, the one place for it: sizes, rates, durations and counts as people read
//! them, cutting or wrapping text to a width, and [`sanitize`] for any text from outside (archives,
//! servers, boards, children) before it reaches a terminal. Used by the dashboard, the
//! headless reporter, the summary table, `vx board` and `vx install`.
//!
//! A leaf crate (it needs only `unicode-width`), so the network layer, the signature
//! checks, the registry and the install engine sanitize what they say without
//! depending on the dashboard; `vx-tui` re-exports it as `vx_tui::text`.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `1536` → `"1.5 KiB"`; bytes below 1 KiB are shown exactly.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A rate in bytes per second, e.g. `"2.4 MiB/s"`.
pub fn rate(bytes_per_sec: f64) -> String {
    if !bytes_per_sec.is_finite() || bytes_per_sec < 1.0 {
        return "—".into();
    }
    format!("{}/s", bytes(bytes_per_sec as u64))
}

/// Seconds as `"42s"`, `"3m07s"` or `"2h05m"`.
pub fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// How long ago something happened, coarsely: `"just now"`, `"5 min ago"`,
/// `"3 h ago"`, `"12 days ago"` (`vx list`'s INSTALLED column).
pub fn age(secs: u64) -> String {
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        86_400..172_800 => "1 day ago".into(),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// Milliseconds with a tenth of a second below a minute: `"1.2s"`, `"2m05s"` (the
/// summary table's TIME column, where runs are short).
pub fn duration_ms(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// `n` things: `count(1, "tool")` is `"1 tool"`, `count(3, "tool")` is `"3 tools"`
/// (nouns whose plural takes an `s`, as every count `vx` prints).
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Text from outside made safe to print on a terminal: every control character (C0,
/// DEL and C1, including ESC, BEL, CR, NUL and a bare newline) is shown escaped as
/// `\x1b`, `\u{9b}` and the like, never emitted, so a hostile tar header, server
/// message or board label cannot move the cursor, retitle the window, clear the screen
/// or forge a line. A backslash is kept as is; ordinary text is returned unchanged
/// without copying. JSON output does not need this: serde escapes control characters.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !c.is_control() {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// The length in bytes of the SGR colour sequence (`ESC [` digits and `;` then `m`)
/// that `text` starts with, if it starts with one. The one test of "a colour, not some
/// other escape" that every view of task output shares.
pub fn sgr_len(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\x1b[")?;
    let n = params.len()
        - params
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == ';')
            .len();
    (params.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

/// What a terminal shows of one line of output that carriage returns rewrote (a
/// progress bar's `10%\r20%\r`): the last part a `\r` did not leave empty, the one
/// rule every replay of task output without a terminal's own cursor shares.
pub fn last_state(line: &str) -> &str {
    line.rsplit('\r')
        .find(|part| !part.is_empty())
        .unwrap_or("")
}

/// A child's output (task output, a log) made safe for a terminal that should still
/// show its colours: newlines, tabs and SGR colour sequences ([`sgr_len`]) pass, every
/// other control character is shown escaped as [`sanitize`] shows it, so a task cannot
/// retitle the window, write the clipboard (OSC 52), move the cursor or clear the
/// screen. Carriage returns are the caller's to resolve first (each view treats them
/// its own way); one left here is escaped.
pub fn sanitize_keeping_colours(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = match c {
            '\n' | '\t' => {
                out.push(c);
                1
            }
            '\x1b' => match sgr_len(rest) {
                Some(n) => {
                    out.push_str(&rest[..n]);
                    n
                }
                None => {
                    out.push_str("\\x1b");
                    1
                }
            },
            c if c.is_control() => {
                out.push_str(&sanitize(c.encode_utf8(&mut [0; 4])));
                c.len_utf8()
            }
            c => {
                out.push(c);
                c.len_utf8()
            }
        };
        rest = &rest[len..];
    }
    Cow::Owned(out)
}

/// A plain-text table: `header` then `rows`, each column padded to its widest cell
/// with two spaces between columns, the last column left unpadded; one line each,
/// trailing spaces trimmed. Cells are printed as given: sanitize outside text first.
pub fn columns<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(width);
    for row in rows {
        for (column, cell) in widths.iter_mut().zip(row) {
            *column = (*column).max(width(cell));
        }
    }
    let header = header.map(str::to_owned);
    let mut text = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                // Padded by display width: `format!`'s padding counts chars.
                line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Columns `text` takes on a terminal (wide characters count two, combining marks
/// none).
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The longest prefix of `text` that fits `room` columns.
fn head(text: &str, room: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > room {
            return &text[..at];
        }
    }
    text
}

/// The longest suffix of `text` that fits `room` columns.
fn tail(text: &str, room: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used > room {
            return &text[at + c.len_utf8()..];
        }
    }
    text
}

/// `line` broken at spaces into lines of at most `columns` terminal columns, joined
/// with `\n`; each line after the first is indented four columns more than `line`
/// is. Nothing is cut: a word wider than the room (a hash, a URL) is a line of its
/// own, whole, and may overflow. Runs of spaces between the words of a broken line
/// become one. Text from outside must be sanitized first (no newlines or controls).
pub fn wrap(line: &str, columns: usize) -> String {
    if width(line) <= columns {
        return line.to_owned();
    }
    let body = line.trim_start_matches(' ');
    let lead = &line[..line.len() - body.len()];
    let indent = format!("{lead}    ");
    let mut out = String::with_capacity(line.len() + 16);
    let mut current = lead.to_owned();
    let mut empty = true;
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        if empty {
            empty = false;
        } else if width(&current) + 1 + width(word) <= columns {
            current.push(' ');
        } else {
            out.push_str(&current);
            out.push('\n');
            current.clone_from(&indent);
        }
        current.push_str(word);
    }
    out.push_str(&current);
    out
}

/// Cuts `text` to at most `columns` terminal columns (wide characters count two),
/// marking a cut with `…`.
pub fn truncate(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    if columns == 0 {
        return String::new();
    }
    format!("{}…", head(text, columns - 1))
}

/// Cuts `text` to at most `columns` terminal columns by dropping its middle, so names
/// that share a long prefix (`cargo-nextest`, `cargo-deny`) stay distinguishable.
pub fn truncate_middle(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    if columns < 5 {
        return truncate(text, columns);
    }
    let back = columns / 2;
    let front = columns - 1 - back;
    format!("{}…{}", head(text, front), tail(text, back))
}

/// Whether `reason` starts with the word `result` (`cancelled`, `cancelled during
/// download` for a `cancelled` tool): said after the result, it would say it twice.
/// Every output that prints a result and its reason asks it (the headless lines, the
/// inline view), so none says `cancelled: cancelled`.
pub fn repeats(result: &str, reason: &str) -> bool {
    reason
        .get(..result.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(result))
        && reason[result.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_rates_and_durations_read_naturally() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 << 20), "5.0 MiB");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(u64::MAX), "16.0 EiB");
        assert_eq!(rate(0.0), "—");
        assert_eq!(rate(f64::NAN), "—");
        assert_eq!(rate(2.5 * 1048576.0), "2.5 MiB/s");
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(187), "3m07s");
        assert_eq!(duration(7500), "2h05m");
        assert_eq!(duration_ms(1234), "1.2s");
        assert_eq!(
            columns(
                ["A", "LONG"],
                &[["xyz".into(), "1".into()], ["".into(), "".into()]]
            ),
            "A    LONG\nxyz  1\n\n"
        );
        assert_eq!(
            columns(["名前", "V"], &[["ab".into(), "1".into()]]),
            "名前  V\nab    1\n"
        );
        assert_eq!(age(59), "just now");
        assert_eq!(age(3599), "59 min ago");
        assert_eq!(age(7200), "2 h ago");
        assert_eq!(age(90_000), "1 day ago");
        assert_eq!(age(30 * 86_400), "30 days ago");
        assert_eq!(duration_ms(125_000), "2m05s");
        assert_eq!(count(0, "tool"), "0 tools");
        assert_eq!(count(1, "tool"), "1 tool");
        assert_eq!(count(2, "version"), "2 versions");
    }

    #[test]
    fn a_reason_that_starts_with_the_result_word_repeats_it() {
        assert!(repeats("cancelled", "cancelled"));
        assert!(repeats("cancelled", "cancelled during download"));
        assert!(repeats("cancelled", "Cancelled: by the user"));
        assert!(!repeats("cancelled", "cancelledness"));
        assert!(!repeats("failed", "checksum mismatch"));
        assert!(!repeats("failed", ""));
    }

    #[test]
    fn colours_survive_the_output_sanitizer_and_other_escapes_do_not() {
        assert_eq!(sgr_len("\x1b[1;31mx"), Some(7));
        assert_eq!(sgr_len("\x1b]0;t\x07"), None);
        assert_eq!(sanitize_keeping_colours("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            sanitize_keeping_colours(
                "\x1b]0;title\x07\x1b]52;c;aGk=\x07\x1b[31mred\x1b[0m\x1b[2J\r\u{9b}"
            ),
            "\\x1b]0;title\\x07\\x1b]52;c;aGk=\\x07\x1b[31mred\x1b[0m\\x1b[2J\\x0d\\u{9b}"
        );
    }

    #[test]
    fn sanitize_shows_control_characters_escaped() {
        assert!(matches!(sanitize("plain — ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            sanitize("a\x1b]0;PWNED\x07b\x1b[2J\r\0\n"),
            "a\\x1b]0;PWNED\\x07b\\x1b[2J\\x0d\\x00\\x0a"
        );
        assert_eq!(sanitize("\u{9b}31m\u{7f}"), "\\u{9b}31m\\x7f");
        assert!(!sanitize("\x1b\x07\r").chars().any(char::is_control));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_never_cuts_a_word() {
        assert_eq!(wrap("short enough", 12), "short enough");
        assert_eq!(
            wrap("vx: a line of several words", 12),
            "vx: a line\n    of\n    several\n    words"
        );
        // Indented lines continue four columns further in.
        assert_eq!(wrap("  from http://x/y", 10), "  from\n      http://x/y");
        // A word wider than the room is a line of its own, whole.
        let hash = "f".repeat(64);
        let wrapped = wrap(&format!("got sha256 {hash} ok"), 20);
        assert_eq!(wrapped, format!("got sha256\n    {hash}\n    ok"));
        for line in wrap(&format!("{hash} {hash} a b c d e f"), 30).lines() {
            assert!(width(line) <= 30 || !line.trim().contains(' '), "{line:?}");
        }
        // Columns are display columns: wide characters count two.
        assert_eq!(wrap("工具 工具 工具", 9), "工具 工具\n    工具");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("ripgrep", 10), "ripgrep");
        assert_eq!(truncate("a-very-long-tool-name", 8), "a-very-…");
        assert_eq!(truncate("héllo", 3), "hé…");
        assert_eq!(truncate("x", 0), "");
        assert_eq!(
            truncate_middle("a-rather-long-tool-name-01", 14),
            "a-rath…name-01"
        );
        assert_eq!(truncate_middle("short", 14), "short");
        assert_eq!(truncate_middle("abcdefgh", 4), "abc…");
        // Wide characters take two columns: cut by what the terminal shows.
        assert_eq!(truncate("工具名前です", 7), "工具名…");
        assert_eq!(width(&truncate("工具名前です", 6)), 5);
        assert_eq!(truncate_middle("工具-abcdef-名前", 9), "工具…名前");
    }
}
