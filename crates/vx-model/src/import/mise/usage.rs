//! mise's `usage` specs (a TOML task's `usage`, a file task's `#USAGE` lines) as a
//! vx task's declared arguments (usage.jdx.dev, "Spec": KDL nodes, one a line).

use super::super::ImportedArg;
use super::super::why::TaskError;

/// Nodes of a spec that describe the command and run nothing: left out.
const ABOUT: &[&str] = &[
    "name",
    "bin",
    "about",
    "long_about",
    "version",
    "author",
    "usage",
    "before_help",
    "after_help",
    "before_long_help",
    "after_long_help",
    "example",
    "complete",
];

/// What a usage spec declares besides the arguments it puts in `args`, for the
/// templates of the same task (`{{arg()}}`, `{{option()}}`, `{{flag()}}`): mise merges
/// the two with usage-lib's `SpecCommand::merge`, which takes the spec's `arg`s in place
/// of every template `arg()` when it declares any, and its `flag`s in place of every
/// `option()` and `flag()` when it declares any (a template naming one of them reads
/// the spec's declaration, whatever its own `var` or `default` say).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Declares {
    /// The spec declares an `arg`: the templates' `arg()`s declare nothing.
    pub(super) args: bool,
    /// The spec declares a `flag`: the templates' `option()`s and `flag()`s declare
    /// nothing.
    pub(super) flags: bool,
    /// The spec's one argument when it is variadic: its name and its default (none:
    /// no `default`), every word given its value (`$usage_NAME`,
    /// [`super::usage_variables`]).
    pub(super) variadic: Option<(String, Option<String>)>,
}

/// mise's `usage` spec: `arg "<name>"` (required) or `arg "[name]"` (optional, empty
/// when not given), `flag "-f --force"` (a flag) or `flag "--env <env>"` (an option,
/// optional unless `required=#true`), each with `help="…"` and `default="…"`. A variadic
/// argument (`"<files>..."`, `var=#true`) is not declared: the words reach the task as
/// they are (`{args}`); when it is the spec's only argument it is the returned
/// [`Declares::variadic`]. A node mise refuses (`option`) is [`TaskError::UsageRefused`].
/// A node's block of children (`{ choices "a" "b" }`)
/// and the nodes that only describe the command (`about`, `name`, …) are left out,
/// each said in `ignored`; any other node cannot be mapped.
pub(super) fn spec(
    spec: &str,
    args: &mut Vec<ImportedArg>,
    ignored: &mut Vec<String>,
) -> Result<Declares, TaskError> {
    let mut declares = Declares::default();
    let no_counterpart = |line: &str| TaskError::UsageLine {
        line: line.to_owned(),
    };
    // How deep in a node's `{ … }` children the line is.
    let mut depth = 0usize;
    for line in spec
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
    {
        if depth > 0 {
            depth = (depth + line.matches('{').count()).saturating_sub(line.matches('}').count());
            if let Some(child) = line.split_whitespace().next().filter(|c| *c != "}") {
                note(ignored, format!("usage's `{child}` (not checked by vx)"));
            }
            continue;
        }
        let (line, opens) = match line.strip_suffix('{') {
            Some(head) => (head.trim_end(), true),
            None => (line, false),
        };
        if opens {
            depth = 1;
        }
        let (kind, rest) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| no_counterpart(line))?;
        if ABOUT.contains(&kind) {
            continue;
        }
        let rest = rest.trim();
        let (what, params) = rest
            .strip_prefix('"')
            .and_then(|r| r.split_once('"'))
            .ok_or_else(|| no_counterpart(line))?;
        let mut arg = ImportedArg {
            name: String::new(),
            kind: "positional",
            default: None,
            help: None,
            short: None,
        };
        arg.help = param(params, "help");
        arg.default = param(params, "default");
        // `<name>...`, and (usage's parser since jdx/usage#481) `[name...]`.
        let variadic = what.trim_end_matches([']', '>']).ends_with("...")
            || param(params, "var").as_deref() == Some("#true");
        if params.split_whitespace().any(|word| word == "choices") {
            note(ignored, "usage's `choices` (not checked by vx)".to_owned());
        }
        match kind {
            "arg" => {
                let name = what.replace("...", "");
                arg.name = name.trim_matches(['<', '>', '[', ']']).to_owned();
                declares.args = true;
                // The one argument of the spec, variadic: every word given (or its
                // default, any text but a control character, quoted where it is used)
                // is its value, `usage_NAME` ([`super::usage_variables`]).
                let fits = (arg.default.as_deref()).is_none_or(|d| !d.contains(char::is_control));
                if variadic && args.is_empty() && variadic_alone(spec) && fits {
                    declares.variadic = Some((arg.name.clone(), arg.default.clone()));
                    continue;
                }
                if variadic {
                    note(
                        ignored,
                        format!(
                            "usage's variadic `{}` (the words reach the task as given)",
                            arg.name
                        ),
                    );
                    continue;
                }
                // `[name]` is optional: empty when not given, as usage leaves it.
                if name.starts_with('[') && arg.default.is_none() {
                    arg.default = Some(String::new());
                }
            }
            // mise refuses the node (`unsupported spec key option`) when the task runs.
            "option" => return Err(TaskError::UsageRefused { key: "option" }),
            "flag" => {
                declares.flags = true;
                let long = what
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("--"))
                    .ok_or_else(|| TaskError::UsageFlag {
                        line: line.to_owned(),
                    })?;
                arg.name = long.to_owned();
                arg.short = short_form(what);
                arg.kind = if what.contains('<') { "option" } else { "flag" };
                // Optional unless the spec says `required=#true`, as usage reads it.
                if arg.kind == "option"
                    && arg.default.is_none()
                    && !params.contains("required=#true")
                {
                    arg.default = Some(String::new());
                }
            }
            _ => return Err(no_counterpart(line)),
        }
        if args.iter().all(|a| a.name != arg.name) {
            args.push(arg);
        }
    }
    Ok(declares)
}

/// Whether `spec` declares nothing but its one `arg` (no other `arg`, `flag` or
/// `option`): the words given are all that argument's.
fn variadic_alone(spec: &str) -> bool {
    spec.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|kind| matches!(*kind, "arg" | "flag" | "option"))
        .count()
        == 1
}

/// The value of a node's property `key=VALUE` (`help="Where to"`, `var=#true`), a
/// quoted string or a bare word, among whatever else the node says (`choices "a" "b"`).
fn param(params: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=");
    let mut from = 0;
    while let Some(found) = params[from..].find(&needle) {
        let at = from + found;
        from = at + needle.len();
        let bounded = params[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if !bounded {
            continue;
        }
        let value = &params[from..];
        return Some(match value.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap_or_default().to_owned(),
            None => value
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    None
}

/// The one-letter form a flag's words name (`-n` in `"-n --dry-run"`), if any.
fn short_form(what: &str) -> Option<char> {
    what.split_whitespace().find_map(|word| {
        let mut chars = word.strip_prefix('-')?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        }
    })
}

/// `what` in `ignored`, once.
fn note(ignored: &mut Vec<String>, what: String) {
    if !ignored.contains(&what) {
        ignored.push(what);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_tasks_usage_header_declares_its_arguments() {
        let mut args = Vec::new();
        let mut ignored = Vec::new();
        let declares = spec(
            "about \"Deploy\"\n\
             arg \"<environment>\" help=\"Where to\" {\n  choices \"dev\" \"prod\"\n}\n\
             arg \"[tag]\"\n\
             flag \"-f --force\" help=\"Skip checks\"\n\
             flag \"-r --region <region>\" default=\"us-east-1\"\n\
             arg \"<files>...\"\n",
            &mut args,
            &mut ignored,
        )
        .unwrap();
        assert_eq!((declares.args, declares.flags), (true, true));
        let got: Vec<(&str, &str, Option<&str>, Option<char>)> = args
            .iter()
            .map(|a| (a.name.as_str(), a.kind, a.default.as_deref(), a.short))
            .collect();
        assert_eq!(
            got,
            [
                ("environment", "positional", None, None),
                ("tag", "positional", Some(""), None),
                ("force", "flag", None, Some('f')),
                ("region", "option", Some("us-east-1"), Some('r')),
            ]
        );
        assert_eq!(args[0].help.as_deref(), Some("Where to"));
        assert_eq!(
            ignored,
            [
                "usage's `choices` (not checked by vx)",
                "usage's variadic `files` (the words reach the task as given)"
            ]
        );
        let mut args = Vec::new();
        assert_eq!(declares.variadic, None);
        assert!(spec("cmd \"sub\"\n", &mut args, &mut ignored).is_err());
        let mut alone = Vec::new();
        let declares = spec(
            "arg \"<test>...\" default=\"test\"\n",
            &mut alone,
            &mut ignored,
        )
        .unwrap();
        assert!(alone.is_empty());
        let test = ("test".to_owned(), Some("test".to_owned()));
        assert_eq!(declares.variadic, Some(test));
        // The ellipsis inside the brackets, as usage reads it since jdx/usage#481
        // (KnickKnackLabs/shiv's `.mise/tasks/outdated`: `arg "[names...]"`).
        let declares = spec(
            "arg \"[names...]\" help=\"Packages\"\n",
            &mut alone,
            &mut ignored,
        )
        .unwrap();
        assert!(alone.is_empty());
        assert_eq!(declares.variadic, Some(("names".to_owned(), None)));
        // Properties among the node's other words, as written on one line.
        spec(
            "arg \"<env>\" help=\"Target environment\" choices \"dev\" \"prod\"\nflag \"--x <x>\" xdefault=\"no\" default=\"y\"\n",
            &mut args,
            &mut ignored,
        )
        .unwrap();
        assert_eq!(args[0].help.as_deref(), Some("Target environment"));
        assert_eq!(args[1].default.as_deref(), Some("y"));
    }

    /// What a spec declares besides `args`, which the task's templates then read: an
    /// `arg` (a variadic one too), a `flag`, and its only variadic argument with its
    /// default as written (none without one, `""` kept apart from none).
    #[test]
    fn a_spec_says_which_kinds_it_declares_and_its_variadic_default() {
        let mut ignored = Vec::new();
        let declared =
            |text: &str, ignored: &mut Vec<String>| spec(text, &mut Vec::new(), ignored).unwrap();
        let flags = declared("flag \"-f --force\"\nabout \"x\"\n", &mut ignored);
        assert_eq!(
            (flags.args, flags.flags, flags.variadic),
            (false, true, None)
        );
        let args = declared("arg \"<a>\"\narg \"[rest]...\"\n", &mut ignored);
        assert_eq!((args.args, args.flags, args.variadic), (true, false, None));
        for (default, read) in [
            ("", None),
            (" default=\"x y\"", Some("x y")),
            (" default=\"\"", Some("")),
        ] {
            let text = format!("arg \"[names]\" var=#true{default}\n");
            let only = declared(&text, &mut ignored).variadic;
            assert_eq!(only, Some(("names".to_owned(), read.map(str::to_owned))));
        }
    }
}
