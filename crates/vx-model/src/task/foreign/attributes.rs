//! A justfile's recipe attributes (`[private]`, `[linux]`, `[group('ci'), unix]`):
//! their names, and whether the operating-system ones let a recipe run here, as
//! `just` decides it (just.systems, "Attributes": a recipe marked with one or more
//! of `[linux]`, `[macos]`, `[windows]`, `[unix]`, `[openbsd]`, `[freebsd]`,
//! `[netbsd]`, `[dragonfly]`, `[android]` is enabled only where one of them matches).

/// The operating-system attributes `just` knows.
const OS_ATTRIBUTES: &[&str] = &[
    "linux",
    "macos",
    "windows",
    "unix",
    "openbsd",
    "freebsd",
    "netbsd",
    "dragonfly",
    "android",
];

/// The machine a recipe would run on: `std::env::consts::OS` and `FAMILY`
/// (`linux`/`unix`, `windows`/`windows`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Host<'a> {
    /// `linux`, `macos`, `windows`, `freebsd`, …
    pub os: &'a str,
    /// `unix` or `windows`.
    pub family: &'a str,
}

impl Host<'static> {
    /// The machine vx runs on.
    pub(crate) fn current() -> Host<'static> {
        Host {
            os: std::env::consts::OS,
            family: std::env::consts::FAMILY,
        }
    }
}

/// The names of the attributes in the text inside one `[…]` line (`group('ci'),
/// private` → `group`, `private`): each item up to its first character that is not
/// part of a name; quoted arguments never count as names.
pub(crate) fn names(inner: &str) -> Vec<&str> {
    let inner = inner.trim_end().strip_suffix(']').unwrap_or(inner);
    let mut items = Vec::new();
    let (mut start, mut quote, mut depth) = (0, None, 0usize);
    for (at, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                items.push(&inner[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .map(|item| {
            let item = item.trim_start();
            let end = item
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(item.len());
            &item[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Whether a recipe with attributes `names` runs on `host`: yes without an
/// operating-system attribute, else when one of them names its system (`unix` any
/// Unix).
pub(crate) fn runs_on(names: &[String], host: Host<'_>) -> bool {
    let mut systems = names
        .iter()
        .filter(|n| OS_ATTRIBUTES.contains(&n.as_str()))
        .peekable();
    if systems.peek().is_none() {
        return true;
    }
    systems.any(|n| n == host.os || (n == "unix" && host.family == "unix"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX: Host<'static> = Host {
        os: "linux",
        family: "unix",
    };
    const WINDOWS: Host<'static> = Host {
        os: "windows",
        family: "windows",
    };

    fn owned(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn names_leave_quoted_arguments_out() {
        assert_eq!(names("group('linux, ci'), private]"), ["group", "private"]);
        assert_eq!(names("linux, macos]"), ["linux", "macos"]);
        assert_eq!(names("doc(\"for [windows]\")]"), ["doc"]);
        assert_eq!(names("]"), Vec::<&str>::new());
    }

    #[test]
    fn an_os_attribute_limits_the_recipe_to_its_systems() {
        assert!(runs_on(&owned(&["group", "private"]), LINUX));
        assert!(runs_on(&owned(&["linux"]), LINUX));
        assert!(runs_on(&owned(&["unix"]), LINUX));
        assert!(!runs_on(&owned(&["windows"]), LINUX));
        assert!(!runs_on(&owned(&["macos"]), LINUX));
        assert!(runs_on(&owned(&["macos", "linux"]), LINUX));
        assert!(runs_on(&owned(&["windows"]), WINDOWS));
        assert!(!runs_on(&owned(&["unix"]), WINDOWS));
    }
}
