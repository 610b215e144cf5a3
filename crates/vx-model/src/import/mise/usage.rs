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

/// mise's `usage` spec: `arg "<name>"` (required) or `arg "[name]"` (optional, empty
/// when not given), `flag "-f --force"` (a flag) or `flag "--env <env>"` (an option,
/// optional unless `required=#true`), each with `help="…"` and `default="…"`. A variadic argument (`"<files>..."`, `var=#true`) is
/// not declared: the words reach the task as they are (`{args}`); when it is the
/// spec's only argument it is `only` (name, default), whose value is every word given
/// (`$usage_NAME`). A node mise refuses (`option`) is [`TaskError::UsageRefused`].
/// A node's block of children (`{ choices "a" "b" }`)
/// and the nodes that only describe the command (`about`, `name`, …) are left out,
/// each said in `ignored`; any other node cannot be mapped.
pub(super) fn spec(
    spec: &str,
    args: &mut Vec<ImportedArg>,
    only: &mut Option<(String, String)>,
    ignored: &mut Vec<String>,
) -> Result<(), TaskError> {
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
                // The one argument of the spec, variadic: every word given (or its
                // default) is its value, `usage_NAME` ([`super::usage_variables`]).
                let plain = arg.default.as_deref().is_none_or(super::plain_word);
                if variadic && args.is_empty() && variadic_alone(spec) && plain {
                    *only = Some((arg.name.clone(), arg.default.clone().unwrap_or_default()));
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
    Ok(())
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
        let mut variadic = None;
        spec(
            "about \"Deploy\"\n\
             arg \"<environment>\" help=\"Where to\" {\n  choices \"dev\" \"prod\"\n}\n\
             arg \"[tag]\"\n\
             flag \"-f --force\" help=\"Skip checks\"\n\
             flag \"-r --region <region>\" default=\"us-east-1\"\n\
             arg \"<files>...\"\n",
            &mut args,
            &mut variadic,
            &mut ignored,
        )
        .unwrap();
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
        assert!(spec("cmd \"sub\"\n", &mut args, &mut variadic, &mut ignored).is_err());
        assert_eq!(variadic, None);
        let mut alone = Vec::new();
        spec(
            "arg \"<test>...\" default=\"test\"\n",
            &mut alone,
            &mut variadic,
            &mut ignored,
        )
        .unwrap();
        assert!(alone.is_empty());
        assert_eq!(variadic, Some(("test".to_owned(), "test".to_owned())));
        // The ellipsis inside the brackets, as usage reads it since jdx/usage#481
        // (KnickKnackLabs/shiv's `.mise/tasks/outdated`: `arg "[names...]"`).
        variadic = None;
        spec(
            "arg \"[names...]\" help=\"Packages\"\n",
            &mut alone,
            &mut variadic,
            &mut ignored,
        )
        .unwrap();
        assert!(alone.is_empty());
        assert_eq!(variadic, Some(("names".to_owned(), String::new())));
        // Properties among the node's other words, as written on one line.
        spec(
            "arg \"<env>\" help=\"Target environment\" choices \"dev\" \"prod\"\nflag \"--x <x>\" xdefault=\"no\" default=\"y\"\n",
            &mut args,
            &mut variadic,
            &mut ignored,
        )
        .unwrap();
        assert_eq!(args[0].help.as_deref(), Some("Target environment"));
        assert_eq!(args[1].default.as_deref(), Some("y"));
    }
}
