//! One `--filter` selector parsed as turbo parses it:
//!
//! ```text
//! [!] [...[^]] ( NAME? [{DIR}]? [[...]\[REF[...REF]\]]? | ./DIR | ../DIR | . ) [[^]...]
//! ```
//!
//! `!` excludes; a trailing `...` adds the matched packages' dependencies, a leading
//! `...` their dependents, a `^` beside either leaves the matched packages themselves
//! out; `{DIR}` (or a bare `./DIR`) matches by directory glob; `[REF]` matches the
//! packages changed since REF (`[A...B]` between two refs); `NAME...[REF]` matches the
//! NAME packages that changed or whose dependencies did.

use super::FilterError;

/// A parsed selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    /// The selector as written.
    pub raw: String,
    /// `!`: what it matches is taken away from what the others select.
    pub exclude: bool,
    /// `^`: the matched packages themselves are left out (their dependencies or
    /// dependents stay).
    pub exclude_self: bool,
    /// A trailing `...`: the matched packages' dependencies, all the way down.
    pub include_dependencies: bool,
    /// A leading `...`: the packages that depend on the matched ones, all the way up.
    pub include_dependents: bool,
    /// `NAME...[REF]`: a NAME package matches when it or one of its dependencies changed.
    pub match_dependencies: bool,
    /// The package name or name pattern (`web`, `@acme/*`); empty for none.
    pub name: String,
    /// The directory glob, relative to the root (`apps/*`; `.` for the root).
    pub dir: Option<String>,
    /// `[REF]`: the ref changes are counted from.
    pub from_ref: Option<String>,
    /// `[A...B]`: the ref changes are counted to (else the working tree, as the caller
    /// decides).
    pub to_ref: Option<String>,
}

impl std::str::FromStr for Selector {
    type Err = FilterError;

    fn from_str(raw: &str) -> Result<Selector, FilterError> {
        parse(raw)
    }
}

/// Parses one selector.
pub(crate) fn parse(raw: &str) -> Result<Selector, FilterError> {
    let mut sel = Selector {
        raw: raw.to_owned(),
        ..Selector::default()
    };
    let mut rest = raw.trim();
    if let Some(r) = rest.strip_prefix('!') {
        sel.exclude = true;
        rest = r;
    }
    if let Some(r) = rest.strip_suffix("...") {
        sel.include_dependencies = true;
        rest = r;
        if let Some(r) = rest.strip_suffix('^') {
            sel.exclude_self = true;
            rest = r;
        }
    }
    if let Some(r) = rest.strip_prefix("...") {
        sel.include_dependents = true;
        rest = r;
        if let Some(r) = rest.strip_prefix('^') {
            sel.exclude_self = true;
            rest = r;
        }
    }
    if rest.is_empty() {
        return Err(FilterError::Empty(raw.to_owned()));
    }
    match split(rest) {
        Some((name, dir, commits)) => {
            sel.name = name.to_owned();
            if let Some(dir) = dir {
                if dir.is_empty() {
                    return Err(FilterError::EmptyDirectory(raw.to_owned()));
                }
                sel.dir = Some(normalise_dir(raw, dir)?);
            }
            if let Some(commits) = commits {
                let refs = match commits.strip_prefix("...") {
                    Some(c) => {
                        if sel.name.is_empty() && sel.dir.is_none() {
                            return Err(FilterError::MatchDependenciesWithout(raw.to_owned()));
                        }
                        sel.match_dependencies = true;
                        c
                    }
                    None => commits,
                };
                let inner = &refs[1..refs.len() - 1];
                match inner.split_once("...") {
                    Some((from, to)) => {
                        sel.from_ref = Some(from.to_owned());
                        sel.to_ref = Some(to.to_owned()).filter(|t| !t.is_empty());
                    }
                    None => sel.from_ref = Some(inner.to_owned()),
                }
            }
        }
        None if by_location(rest) => {
            // turbo keeps no `^` for a bare directory.
            sel.exclude_self = false;
            sel.dir = Some(normalise_dir(raw, rest)?);
        }
        None => sel.name = rest.to_owned(),
    }
    Ok(sel)
}

/// `NAME? {DIR}? (...)?[REFS]?`, each part as turbo's grammar allows it; `None` when
/// the text is not of that shape.
fn split(text: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    let mut rest = text;
    let mut commits = None;
    if rest.ends_with(']') {
        let open = rest.rfind('[')?;
        let inner = &rest[open + 1..rest.len() - 1];
        if inner.is_empty() || inner.contains(']') {
            return None;
        }
        let mut start = open;
        if rest[..open].ends_with("...") {
            start -= 3;
        }
        commits = Some(&rest[start..]);
        rest = &rest[..start];
    }
    let mut dir = None;
    if rest.ends_with('}') {
        let open = rest.rfind('{')?;
        dir = Some(&rest[open + 1..rest.len() - 1]);
        rest = &rest[..open];
    }
    let name_ok = match rest.chars().count() {
        0 => true,
        1 => !rest.starts_with('.'),
        _ => {
            let bad = |c: char| matches!(c, '{' | '}' | '[' | ']');
            !rest.starts_with('.') && !rest[1..].contains(bad) && !rest.ends_with('.')
        }
    };
    name_ok.then_some((rest, dir, commits))
}

/// Whether a selector is a path (`.`, `..`, `./x`, `../x`).
fn by_location(text: &str) -> bool {
    matches!(text, "." | "..")
        || ["./", ".\\", "../", "..\\"]
            .iter()
            .any(|p| text.starts_with(p))
}

/// A directory as a glob relative to the root: `./apps/*` is `apps/*`, `.` the root.
fn normalise_dir(raw: &str, dir: &str) -> Result<String, FilterError> {
    let dir = dir.replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(FilterError::OutsideRoot(raw.to_owned()));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(raw: &str) -> Selector {
        parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn the_forms_turbo_documents() {
        let s = sel("web");
        assert_eq!(
            (
                s.name.as_str(),
                s.include_dependencies,
                s.include_dependents
            ),
            ("web", false, false)
        );
        let s = sel("web...");
        assert!(s.include_dependencies && !s.exclude_self && s.name == "web");
        let s = sel("...web");
        assert!(s.include_dependents && s.name == "web");
        let s = sel("...web...");
        assert!(s.include_dependents && s.include_dependencies);
        let s = sel("web^...");
        assert!(s.include_dependencies && s.exclude_self && s.name == "web");
        let s = sel("...^web");
        assert!(s.include_dependents && s.exclude_self && s.name == "web");
        assert_eq!(sel("./apps/*").dir.as_deref(), Some("apps/*"));
        assert_eq!(sel(".").dir.as_deref(), Some("."));
        let s = sel("...{./packages/ui}");
        assert!(
            s.include_dependents && s.dir.as_deref() == Some("packages/ui") && s.name.is_empty()
        );
        let s = sel("!@acme/*");
        assert!(s.exclude && s.name == "@acme/*");
        let s = sel("[main]");
        assert_eq!(
            (s.from_ref.as_deref(), s.to_ref.as_deref()),
            (Some("main"), None)
        );
        let s = sel("[a...b]");
        assert_eq!(
            (s.from_ref.as_deref(), s.to_ref.as_deref()),
            (Some("a"), Some("b"))
        );
        let s = sel("pattern{foo}[master]");
        assert_eq!(
            (s.name.as_str(), s.dir.as_deref(), s.from_ref.as_deref()),
            ("pattern", Some("foo"), Some("master"))
        );
        let s = sel("...[master]...");
        assert!(
            s.include_dependents
                && s.include_dependencies
                && s.from_ref.as_deref() == Some("master")
        );
        let s = sel("foo...[master]...");
        assert!(s.match_dependencies && s.include_dependencies && s.name == "foo");
        let s = sel("{foo}...[master]");
        assert!(s.match_dependencies && s.dir.as_deref() == Some("foo"));
        let s = sel("[HEAD^1]");
        assert_eq!(s.from_ref.as_deref(), Some("HEAD^1"));
    }

    #[test]
    fn what_turbo_refuses() {
        assert!(matches!(parse("{}"), Err(FilterError::EmptyDirectory(_))));
        assert!(matches!(
            parse("......[master]"),
            Err(FilterError::MatchDependenciesWithout(_))
        ));
        assert!(matches!(parse("..."), Err(FilterError::Empty(_))));
        assert!(matches!(parse("!"), Err(FilterError::Empty(_))));
        assert!(matches!(parse("../../x"), Err(FilterError::OutsideRoot(_))));
    }
}
