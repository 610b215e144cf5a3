//! Parsing a large registry on several cores: the standard registry is 3 MB of YAML, a
//! quarter of a second on one core, most of the cost of indexing it.
//!
//! A registry is one list (`packages:`) of independent items, so the document is cut
//! at the lines that start an item (`- ` at the list's indentation) into a few
//! contiguous runs, each parsed as a registry of its own on its own thread, and the
//! packages put back in order. Only a document of that plain shape is cut (comments and
//! `---` before `packages:`, nothing after the list); anything else, and any run that
//! fails to parse or yields another number of packages than the items it holds (an
//! alias to an anchor in another run, a quoted string spanning a cut), falls back to
//! parsing the whole document at once, which also gives errors their true lines.

use std::path::Path;

use super::package::{MAX_BYTES, Registry, RegistryError};

/// Below this size one thread is as fast as several.
const MIN_SPLIT_BYTES: usize = 256 * 1024;

/// At most this many threads.
const MAX_THREADS: usize = 8;

/// Parses a registry document, on several threads when it is large (see the module).
pub(crate) fn parse(bytes: &[u8], file: &Path) -> Result<Registry, RegistryError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    parse_with(bytes, file, threads.min(MAX_THREADS), MIN_SPLIT_BYTES)
}

fn parse_with(
    bytes: &[u8],
    file: &Path,
    threads: usize,
    min_bytes: usize,
) -> Result<Registry, RegistryError> {
    if threads < 2 || bytes.len() < min_bytes || bytes.len() > MAX_BYTES {
        return Registry::from_slice(bytes, file);
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| parse_runs(text, file, threads))
        .map_or_else(|| Registry::from_slice(bytes, file), Ok)
}

/// `text` parsed in runs on `threads` threads, or `None` when it is not of the shape
/// cut or a run does not parse into as many packages as it has items.
fn parse_runs(text: &str, file: &Path, threads: usize) -> Option<Registry> {
    let starts = item_starts(text)?;
    let runs = runs(text.len(), &starts, threads);
    let parsed: Vec<Option<Registry>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|&(from, to, items)| {
                scope.spawn(move || {
                    let run = format!("packages:\n{}", &text[from..to]);
                    Registry::from_str(&run, file)
                        .ok()
                        .filter(|r| r.packages.len() == items)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let parsed: Option<Vec<Registry>> = parsed.into_iter().collect();
    Some(Registry {
        packages: parsed?.into_iter().flat_map(|r| r.packages).collect(),
    })
}

/// The byte offsets of the lines that start an item of the `packages:` list, when the
/// document has the plain shape this module cuts; `None` otherwise.
fn item_starts(text: &str) -> Option<Vec<usize>> {
    let mut lines = text.split_inclusive('\n').scan(0usize, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    });
    for (_, line) in lines.by_ref() {
        let line = line.trim_end();
        if line == "packages:" {
            break;
        }
        if !(line.is_empty() || line.starts_with('#') || line == "---") {
            return None;
        }
    }
    let mut indent = None;
    let mut starts = Vec::new();
    for (at, line) in lines {
        let content = line.trim_start_matches(' ');
        let body = content.trim_end();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let n = line.len() - content.len();
        let item = body == "-" || content.starts_with("- ");
        match indent {
            None if item => indent = Some(n),
            None => return None,
            Some(i) if n < i || (n == i && !item) => return None,
            Some(_) => {}
        }
        if Some(n) == indent {
            starts.push(at);
        }
    }
    (starts.len() > 1).then_some(starts)
}

/// About `threads` contiguous runs of items of similar byte size: `(from, to, items)`.
fn runs(len: usize, starts: &[usize], threads: usize) -> Vec<(usize, usize, usize)> {
    let first = starts[0];
    let share = (len - first).div_ceil(threads).max(1);
    let mut runs = Vec::new();
    let (mut from, mut items) = (first, 0);
    for (i, &start) in starts.iter().enumerate() {
        if items > 0 && start - from >= share {
            runs.push((from, start, items));
            (from, items) = (start, 0);
        }
        items += 1;
        if i == starts.len() - 1 {
            runs.push((from, len, items));
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../../../tests/data/registry/names.yaml");

    fn same(a: &Registry, b: &Registry) -> bool {
        format!("{:?}", a.packages) == format!("{:?}", b.packages)
    }

    #[test]
    fn a_registry_cut_in_runs_parses_as_a_whole() {
        let whole = Registry::from_str(FIXTURE, Path::new("r.yaml")).unwrap();
        let starts = item_starts(FIXTURE).unwrap();
        assert_eq!(starts.len(), whole.packages.len());
        for threads in [2, 3, 4, 14, 40] {
            let cut = parse_runs(FIXTURE, Path::new("r.yaml"), threads).unwrap();
            assert!(same(&cut, &whole), "{threads} threads");
            let parsed = parse_with(FIXTURE.as_bytes(), Path::new("r.yaml"), threads, 0).unwrap();
            assert!(same(&parsed, &whole), "{threads} threads");
        }
    }

    #[test]
    fn runs_cover_every_item_once_in_order() {
        let starts = [10, 20, 30, 100, 110];
        for threads in 1..8 {
            let runs = runs(200, &starts, threads);
            assert_eq!(runs.first().unwrap().0, 10);
            assert_eq!(runs.last().unwrap().1, 200);
            assert!(runs.windows(2).all(|w| w[0].1 == w[1].0));
            assert_eq!(runs.iter().map(|r| r.2).sum::<usize>(), starts.len());
            assert!(runs.len() <= threads.max(1) + 1, "{threads}: {runs:?}");
        }
    }

    #[test]
    fn an_alias_across_runs_falls_back_to_the_whole_document() {
        let yaml = "packages:\n  - type: http\n    name: a/a\n    url: &u https://x.example/a\n  \
                    - type: http\n    name: b/b\n    url: https://x.example/b\n  \
                    - type: http\n    name: c/c\n    url: *u\n";
        let whole = Registry::from_str(yaml, Path::new("r.yaml")).unwrap();
        assert!(parse_runs(yaml, Path::new("r.yaml"), 3).is_none());
        let cut = parse_with(yaml.as_bytes(), Path::new("r.yaml"), 3, 0).unwrap();
        assert!(same(&cut, &whole));
        assert_eq!(
            cut.packages[2].fields.url.as_deref(),
            Some("https://x.example/a")
        );
    }

    #[test]
    fn an_error_keeps_its_line_in_the_whole_document() {
        let yaml = format!("{FIXTURE}  - type: http\n    name: z/z\n    files: 3\n");
        let whole = Registry::from_str(&yaml, Path::new("r.yaml")).unwrap_err();
        let cut = parse_with(yaml.as_bytes(), Path::new("r.yaml"), 4, 0).unwrap_err();
        assert_eq!(cut.to_string(), whole.to_string());
        let line = FIXTURE.lines().count() + 3;
        assert!(cut.to_string().contains(&format!(":{line}:")), "{cut}");
    }

    #[test]
    fn other_shapes_are_not_cut() {
        for yaml in [
            "packages: []\n",
            "other: 1\npackages:\n  - name: a\n  - name: b\n",
            "packages:\n  - name: a\n  - name: b\nother: 1\n",
            "packages:\n  - name: a\n  key: 1\n  - name: b\n",
            "packages:\n  - name: a\n",
        ] {
            assert_eq!(item_starts(yaml), None, "{yaml}");
        }
        assert_eq!(
            item_starts("# c\n---\npackages:\n# c\n- name: a\n  x: 1\n\n- name: b\n"),
            Some(vec![22, 40])
        );
    }
}
