//! A file task's header as mise 2026.9.15 reads it (jdx/mise, src/task/mod.rs,
//! `scan_mise_header_entries` and `extract_usage_from_comments`; the spellings are
//! those of its patterns): a header line starts at the line's first column with a
//! comment (`#`, `//` or `::`), optional spaces, `MISE` or `[MISE]`, and one space
//! (`#MISE `, `# MISE `, `// [MISE] `). Such a line reading `key = value` starts an
//! entry, TOML, which goes on over the next header lines while a list, a table or a
//! multi-line string is open. The usage spec is the first run of lines starting
//! with a comment and `USAGE` or `[USAGE]` (spaces between allowed, `# USAGE`), or
//! `MISE` lines that are no entry; blank comment lines inside the run are passed
//! over, and any other line ends it.

/// What a file task's header holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Header {
    /// The TOML entries, each its text (several lines joined when it went on).
    pub(super) entries: Vec<String>,
    /// The usage spec, a line a node.
    pub(super) usage: String,
}

/// The comment markers a header or usage line starts with.
const COMMENTS: [&str; 3] = ["#", "//", "::"];

/// The header of the script `text` (a byte-order mark first is passed over).
pub(super) fn read(text: &str) -> Header {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut header = Header::default();
    // Each entry with its first and last line.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<(String, usize, Open)> = None;
    for (i, line) in lines.iter().enumerate() {
        let Some(content) = header_line(line) else {
            // A line that is no header ends an entry left open (its TOML then fails).
            if let Some((toml, start, _)) = open.take() {
                header.entries.push(toml);
                spans.push((start, i - 1));
            }
            continue;
        };
        let (mut toml, start, mut state) = match open.take() {
            Some((mut toml, start, state)) => {
                toml.push('\n');
                (toml, start, state)
            }
            None if is_entry(content) => (String::new(), i, Open::default()),
            None => continue,
        };
        toml.push_str(content);
        state.feed(content);
        if state.is_open() {
            open = Some((toml, start, state));
        } else {
            header.entries.push(toml);
            spans.push((start, i));
        }
    }
    if let Some((toml, start, _)) = open {
        header.entries.push(toml);
        spans.push((start, lines.len().saturating_sub(1)));
    }
    header.usage = usage(&lines, &spans);
    header
}

/// The usage spec of `lines`, the entries' lines (`spans`) passed over.
fn usage(lines: &[&str], spans: &[(usize, usize)]) -> String {
    let mut usage: Vec<&str> = Vec::new();
    let mut found = false;
    for (i, line) in lines.iter().enumerate() {
        if spans
            .iter()
            .any(|(start, end)| (*start..=*end).contains(&i))
        {
            continue;
        }
        match usage_line(line) {
            Some((true, content)) if key_then_equals(content.trim()).is_some() => {}
            Some((_, content)) => {
                usage.push(content.trim());
                found = true;
            }
            None if !found => {}
            None if after_comment(line).is_some_and(|rest| rest.trim().is_empty()) => {}
            None => break,
        }
    }
    usage.join("\n")
}

/// What follows a line's comment marker, when it starts with one.
fn after_comment(line: &str) -> Option<&str> {
    COMMENTS.iter().find_map(|c| line.strip_prefix(c))
}

/// `MISE` or `[MISE]` (`USAGE`, `[USAGE]` for `word` `USAGE`) after a comment and
/// spaces: what follows it.
fn marked<'l>(line: &'l str, word: &str) -> Option<&'l str> {
    let rest = after_comment(line)?.trim_start();
    rest.strip_prefix(word).or_else(|| {
        rest.strip_prefix('[')
            .and_then(|r| r.strip_prefix(word))
            .and_then(|r| r.strip_prefix(']'))
    })
}

/// A header line's content: what follows `MISE ` (or `[MISE] `), one space taken.
fn header_line(line: &str) -> Option<&str> {
    marked(line, "MISE")?.strip_prefix(' ')
}

/// A usage line's content, and whether it was marked `MISE` (not `USAGE`).
fn usage_line(line: &str) -> Option<(bool, &str)> {
    marked(line, "USAGE")
        .map(|c| (false, c))
        .or_else(|| marked(line, "MISE").map(|c| (true, c)))
}

/// Whether a header line starts an entry: `key = value`, the key bare, quoted or
/// dotted, the value not empty.
fn is_entry(content: &str) -> bool {
    key_then_equals(content).is_some_and(|value| !value.is_empty())
}

/// What follows `key =` at the start of `text` (spaces around each part allowed; a
/// key bare, `"quoted"`, `'literal'` or dotted), when it starts so.
fn key_then_equals(text: &str) -> Option<&str> {
    let mut rest = key(text.trim_start())?;
    loop {
        let after = rest.trim_start();
        match after.strip_prefix('.') {
            Some(dotted) => rest = key(dotted.trim_start())?,
            None => return after.strip_prefix('='),
        }
    }
}

/// What follows one key at the start of `text`.
fn key(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix('\'') {
        return rest.find('\'').map(|end| &rest[end + 1..]);
    }
    if let Some(rest) = text.strip_prefix('"') {
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next()?;
                }
                '"' => return Some(&rest[i + 1..]),
                _ => {}
            }
        }
        return None;
    }
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[end..])
}

/// Whether an entry's TOML is still open at the end of the lines fed: a list or an
/// inline table not closed, or a multi-line string.
#[derive(Debug, Default)]
struct Open {
    /// `[` not closed.
    brackets: usize,
    /// `{` not closed.
    braces: usize,
    /// The quote of an open `"""` or `'''` string.
    multiline: Option<char>,
}

impl Open {
    /// Reads one line of TOML.
    fn feed(&mut self, line: &str) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let tripled = |q: char, at: usize| chars.get(at..at + 3) == Some(&[q, q, q][..]);
            if let Some(q) = self.multiline {
                i += match c {
                    // A basic string's `\` escapes what follows it.
                    '\\' if q == '"' => 2,
                    _ if tripled(q, i) => {
                        self.multiline = None;
                        3
                    }
                    _ => 1,
                };
                continue;
            }
            match c {
                // The rest of the line is a comment.
                '#' => return,
                '[' => self.brackets += 1,
                ']' => self.brackets = self.brackets.saturating_sub(1),
                '{' => self.braces += 1,
                '}' => self.braces = self.braces.saturating_sub(1),
                '"' | '\'' if tripled(c, i) => {
                    self.multiline = Some(c);
                    i += 3;
                    continue;
                }
                '"' | '\'' => {
                    // A one-line string: on to its closing quote (or the line's end).
                    let mut j = i + 1;
                    while j < chars.len() && chars[j] != c {
                        j += if c == '"' && chars[j] == '\\' { 2 } else { 1 };
                    }
                    i = j + 1;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Whether the entry goes on over the next header line.
    fn is_open(&self) -> bool {
        self.brackets > 0 || self.braces > 0 || self.multiline.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spellings mise 2026.9.15 reads (checked against it: `# MISE`, `#\tMISE`,
    /// `//MISE`, `:: [MISE]`, `#[MISE]` are headers; `  #MISE`, `#MISEdescription`
    /// are not), and what a line that is no entry is: a usage line.
    #[test]
    fn header_lines_are_spelled_as_mise_spells_them() {
        for line in [
            "#MISE d=1",
            "# MISE d=1",
            "#\tMISE d=1",
            "//MISE d=1",
            "// MISE d=1",
            ":: [MISE] d=1",
            "#[MISE] d=1",
            "# [MISE] d=1",
        ] {
            assert_eq!(read(line).entries, ["d=1"], "{line}");
        }
        for line in ["  #MISE d=1", "#MISEd=1", "# MISE\td=1", "#MISE"] {
            assert!(read(line).entries.is_empty(), "{line}");
        }
        let header = read(
            "#!/bin/sh\n#MISE description \"Deploy\"\n# USAGE arg \"<x>\"\n#MISE alias = 'd'\n#USAGEflag \"--y\"\n",
        );
        assert_eq!(header.entries, ["alias = 'd'"]);
        assert_eq!(
            header.usage,
            "description \"Deploy\"\narg \"<x>\"\nflag \"--y\""
        );
    }

    /// An entry goes on while its list is open (`#MISE depends=[` … `#MISE ]`); the
    /// usage spec is one run of lines, blank comment lines inside it passed over.
    #[test]
    fn an_open_list_goes_on_and_usage_is_one_run() {
        let header = read(
            "#!/bin/sh\n#MISE depends=[\n#MISE   \"a\", # first\n#MISE ]\n#USAGE arg \"<a>\"\n#\n#USAGE arg \"<b>\"\n# note\n#USAGE arg \"<c>\"\n",
        );
        assert_eq!(header.entries, ["depends=[\n  \"a\", # first\n]"]);
        assert_eq!(header.usage, "arg \"<a>\"\narg \"<b>\"");
        let header = read("#MISE d=\"\"\"\n#MISE x = [\n#MISE \"\"\"\n#MISE e=1\necho\n");
        assert_eq!(header.entries, ["d=\"\"\"\nx = [\n\"\"\"", "e=1"]);
        assert_eq!(read("#MISE d=[1,\necho").entries, ["d=[1,"]);
        assert_eq!(
            read("\u{feff}#MISE \"a.b\" . c = 1").entries,
            ["\"a.b\" . c = 1"]
        );
    }
}
