//! mise's `usage` specs (a TOML task's `usage`, a file task's `#USAGE` lines) as a
//! vx task's declared arguments (usage.jdx.dev, "Spec": KDL nodes, read by
//! [`super::kdl`]; what each node may say is usage-lib 5's, `SpecArg::parse` and
//! `SpecFlag::parse`, whose refusals mise reports as an invalid spec).

use super::super::ImportedArg;
use super::super::why::TaskError;
use super::kdl::{self, Node, Value};

/// Nodes of a spec that describe the command and run nothing: left out.
const ABOUT: &[&str] = &[
    "name",
    "bin",
    "about",
    "long_about",
    "about_long",
    "about_md",
    "version",
    "author",
    "license",
    "repository",
    "source_code_link_template",
    "usage",
    "before_help",
    "after_help",
    "before_long_help",
    "before_help_long",
    "after_long_help",
    "after_help_long",
    "example",
    "complete",
    "disable_help",
    "min_usage_version",
];

/// Nodes usage takes that vx has no counterpart for (subcommands, a config file).
const NO_COUNTERPART: &[&str] = &["cmd", "config", "include", "default_subcommand"];

/// What a node or a property of usage's only describes: left out.
const DESCRIBES: &[&str] = &[
    "long_help",
    "help_long",
    "help_md",
    "hide",
    "effect",
    "deprecated",
    "global",
    "allow_hyphen_values",
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
}

/// mise's `usage` spec: `arg "<name>"` (required) or `arg "[name]"` (optional), a
/// variadic `arg "<files>..."` (`…`, `var=#true`: every positional word left), `flag
/// "-f --force"` (a flag; `count=#true` counted, `negate="--no-force"` turned off),
/// `flag "--env <env>"` or `flag "--env" { arg "<env>" }` (an option, optional unless
/// `required=#true`), each with `help`, `default` and `env` (as properties or as
/// child nodes). A spec mise refuses (`option`, a key usage does not take) is
/// [`TaskError::UsageRefused`]; `choices` and what only describes the command or an
/// argument (`about`, `hide`, …) are left out, the first said in `ignored`; a node
/// vx has no counterpart for (`cmd`) cannot be mapped.
pub(super) fn spec(
    spec: &str,
    args: &mut Vec<ImportedArg>,
    ignored: &mut Vec<String>,
) -> Result<Declares, TaskError> {
    let nodes = kdl::parse(spec).map_err(|why| TaskError::UsageKdl { why })?;
    let mut declares = Declares::default();
    // A node vx cannot map: said unless mise refuses the spec anyway (a later node).
    let mut unmapped = None;
    for node in &nodes {
        let kind = node.name.as_str();
        let arg = match kind {
            _ if ABOUT.contains(&kind) => continue,
            "arg" => {
                declares.args = true;
                arg(node, ignored)
            }
            "flag" => {
                declares.flags = true;
                flag(node, ignored)
            }
            _ if NO_COUNTERPART.contains(&kind) => Err(TaskError::UsageLine {
                line: summary(node),
            }),
            other => Err(refused(format!("unsupported spec key {other}"))),
        };
        match arg {
            Ok(arg) if args.iter().all(|a| a.name != arg.name) => args.push(arg),
            Ok(_) => {}
            Err(refusal @ TaskError::UsageRefused { .. }) => return Err(refusal),
            Err(other) => {
                unmapped.get_or_insert(other);
            }
        }
    }
    match unmapped {
        Some(why) => Err(why),
        None => Ok(declares),
    }
}

/// A node's settings: its properties, then its children as properties are read
/// (`help "…"` as `help="…"`): each key, its value (a child's first argument) and the
/// child itself.
fn settings(node: &Node) -> Vec<(&str, Option<&Value>, Option<&Node>)> {
    let props = (node.props.iter()).map(|(key, value)| (key.as_str(), Some(value), None));
    let children =
        (node.children.iter()).map(|child| (child.name.as_str(), child.args.first(), Some(child)));
    props.chain(children).collect()
}

/// `arg "<name>"`: a positional argument.
fn arg(node: &Node, ignored: &mut Vec<String>) -> Result<ImportedArg, TaskError> {
    let what = (node.args.first().and_then(Value::text))
        .ok_or_else(|| refused("an `arg` without its name".to_owned()))?;
    let (name, mut required, mut variadic) = arg_name(what, ignored);
    let mut out = ImportedArg::new(&name, "positional");
    let mut default = None;
    for (key, value, child) in settings(node) {
        let is = if child.is_some() { "child" } else { "key" };
        match key {
            "choices" if child.is_some() => note(ignored, "usage's `choices` (not checked by vx)"),
            // `automatic`: once the argument has a word, every word after it is
            // positional, as usage-lib reads it (railwayapp/railpack's `retry`).
            "double_dash"
                if value
                    .filter(|_| child.is_none())
                    .is_some_and(|v| v.as_text() == "automatic") =>
            {
                out.rest = true;
            }
            "var_min" | "var_max" | "double_dash" => {
                note(ignored, &format!("usage's `{key}` (not checked by vx)"));
            }
            _ if DESCRIBES.contains(&key) => {}
            "help" | "required" | "var" | "default" | "env" => {
                let value =
                    value.ok_or_else(|| refused(format!("`{key}` of `arg` has no value")))?;
                match key {
                    "help" => out.help = Some(value.as_text()),
                    "required" => required = boolean(key, value)?,
                    "var" => variadic = boolean(key, value)?,
                    "default" => default = Some(one_default(value, child)?),
                    _ => out.env = Some(value.as_text()),
                }
            }
            other => return Err(refused(format!("unsupported arg {is} {other}"))),
        }
    }
    out.variadic = variadic;
    // Optional without a default: no value (no word, `$usage_NAME` unset).
    out.unset_without_value = default.is_none();
    out.default = match default {
        Some(default) => Some(default),
        None if !required => Some(String::new()),
        None => None,
    };
    Ok(out)
}

/// An `arg`'s name as usage reads it (usage-lib's `impl From<&str> for SpecArg`):
/// `<name>` required, `[name]` optional, `...` or `…` after it (or inside the
/// brackets) variadic, `-- ` first (it takes only words after `--`: said in
/// `ignored`).
fn arg_name(what: &str, ignored: &mut Vec<String>) -> (String, bool, bool) {
    let ellipsis = |name: &str| {
        (name.strip_suffix("...").or_else(|| name.strip_suffix('…'))).map(str::to_owned)
    };
    let mut name = what.to_owned();
    let mut variadic = false;
    if let Some(bare) = ellipsis(&name) {
        (name, variadic) = (bare, true);
    }
    let mut required = true;
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        (name, required) = (inner.to_owned(), false);
    } else if let Some(inner) = name.strip_prefix('<').and_then(|n| n.strip_suffix('>')) {
        name = inner.to_owned();
    }
    if !variadic && let Some(bare) = ellipsis(&name) {
        (name, variadic) = (bare, true);
    }
    if let Some(after) = name.strip_prefix("-- ") {
        note(
            ignored,
            "usage's `-- ` before an argument (not checked by vx)",
        );
        name = after.to_owned();
    }
    (name, required, variadic)
}

/// `flag "-f --force"`: a flag, counted (`count=#true`, or a repeated flag
/// `"-v…"`), or an option when it names a value (`"--env <env>"`, or a child `arg`).
fn flag(node: &Node, ignored: &mut Vec<String>) -> Result<ImportedArg, TaskError> {
    let what = (node.args.first().and_then(Value::text))
        .ok_or_else(|| refused("a `flag` without its name".to_owned()))?;
    let spelling = flag_spelling(what, node)?;
    let mut out = ImportedArg::new(&spelling.name, "flag");
    out.short = spelling.short;
    let (mut takes_value, mut repeated) = (spelling.value, spelling.repeated);
    let (mut count, mut required) = (false, false);
    let (mut default, mut value_default) = (None, None);
    for (key, value, child) in settings(node) {
        let is = if child.is_some() { "child" } else { "key" };
        match (key, child) {
            ("arg", Some(child)) => {
                let value = arg(child, ignored)?;
                takes_value = true;
                repeated |= value.variadic;
                value_default = (!value.unset_without_value)
                    .then_some(value.default)
                    .flatten();
            }
            ("choices", Some(_)) if takes_value => {
                note(ignored, "usage's `choices` (not checked by vx)");
            }
            ("choices", Some(_)) => {
                return Err(refused("flag must have value to have choices".to_owned()));
            }
            ("var_min" | "var_max", _) => {
                note(ignored, &format!("usage's `{key}` (not checked by vx)"))
            }
            _ if DESCRIBES.contains(&key) => {}
            ("help" | "required" | "var" | "count" | "default" | "env", _) | ("negate", None) => {
                let value =
                    value.ok_or_else(|| refused(format!("`{key}` of `flag` has no value")))?;
                match key {
                    "help" => out.help = Some(value.as_text()),
                    "required" => required = boolean(key, value)?,
                    "var" => repeated = boolean(key, value)?,
                    "count" => count = boolean(key, value)?,
                    "default" => default = Some(one_default(value, child)?),
                    "negate" => out.negate = Some(value.as_text()),
                    _ => out.env = Some(value.as_text()),
                }
            }
            (other, _) => return Err(refused(format!("unsupported flag {is} {other}"))),
        }
    }
    if takes_value {
        out.kind = "option";
        if repeated {
            note(
                ignored,
                &format!(
                    "usage's repeated `--{}` (vx takes its last value)",
                    out.name
                ),
            );
        }
        out.unset_without_value = default.is_none() && value_default.is_none();
        out.default = match default.or(value_default) {
            Some(default) => Some(default),
            None if required => None,
            None => Some(String::new()),
        };
    } else {
        // usage reads a flag's default as on when it is `1` or `true`, else off.
        let on = |d: String| matches!(d.as_str(), "1" | "true" | "True" | "TRUE").to_string();
        out.kind = if count || repeated { "count" } else { "flag" };
        out.unset_without_value = default.is_none();
        // Not given, a flag is `false` in mise's templates (`{{flag(name="x")}}`), and
        // its `$usage_NAME` unset; a negated one is `false` too, so one with `negate`
        // and no default keeps no value then, to tell the two apart.
        // A required one has no default: mise refuses a run without it.
        out.required = required && out.kind == "flag" && default.is_none();
        out.default = match default {
            Some(default) => Some(on(default)),
            None if out.required => None,
            None if out.kind == "flag" && out.negate.is_none() => Some("false".to_owned()),
            None => None,
        };
    }
    if out.kind != "flag"
        && let Some(negate) = out.negate.take()
    {
        note(
            ignored,
            &format!("usage's `negate=\"{negate}\"` of a flag that is no on/off flag"),
        );
    }
    Ok(out)
}

/// How a flag is spelled (usage-lib's `impl FromStr for SpecFlag`).
struct Spelling {
    /// Its name: its long form, else its short one.
    name: String,
    /// Its one-letter form.
    short: Option<char>,
    /// It names a value (`<env>`).
    value: bool,
    /// It is given more than once (`…`, `...`).
    repeated: bool,
}

/// The words of `flag "-e --env <env>"`: `-x`, `--long`, `<value>` or `[value]`, `…`.
fn flag_spelling(what: &str, node: &Node) -> Result<Spelling, TaskError> {
    let words = what.replace("...", "…").replace('…', " … ");
    let (mut long, mut short, mut value, mut repeated) = (None, None, false, false);
    for part in words.split_whitespace() {
        if let Some(name) = part.strip_prefix("--") {
            long.get_or_insert_with(|| name.to_owned());
        } else if let Some(letter) = part.strip_prefix('-') {
            let mut letters = letter.chars();
            let (Some(c), None) = (letters.next(), letters.next()) else {
                return Err(refused(format!(
                    "short flags must be a single character: -{letter}"
                )));
            };
            short.get_or_insert(c);
        } else if part == "…" {
            repeated = true;
        } else if part.starts_with('<') && part.ends_with('>')
            || part.starts_with('[') && part.ends_with(']')
        {
            value = true;
        } else if part.ends_with(':') {
            // A name of its own for `$usage_NAME` besides its spelling.
            return Err(TaskError::UsageLine {
                line: summary(node),
            });
        } else {
            return Err(refused(format!(
                "unexpected token {part} (expected -x, --long, <arg>, or [arg])"
            )));
        }
    }
    let name = long
        .or_else(|| short.map(String::from))
        .ok_or_else(|| refused("a flag without a name".to_owned()))?;
    Ok(Spelling {
        name,
        short,
        value,
        repeated,
    })
}

/// A `default`'s one value: a property's, or a child's (`default "x"`); a child of
/// several (`default { "a"; "b" }`) vx has no counterpart for.
fn one_default(value: &Value, child: Option<&Node>) -> Result<String, TaskError> {
    match child {
        Some(node) if !node.children.is_empty() => Err(TaskError::UsageLine {
            line: summary(node),
        }),
        _ => Ok(value.as_text()),
    }
}

/// `#true` or `#false`, as usage takes `required`, `var` and `count`.
fn boolean(key: &str, value: &Value) -> Result<bool, TaskError> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ => Err(refused(format!("`{key}` takes #true or #false"))),
    }
}

/// A node shortly, as said: its name and first argument (`cmd "sub"`).
fn summary(node: &Node) -> String {
    match node.args.first() {
        Some(first) => format!("{} {:?}", node.name, first.as_text()),
        None => node.name.clone(),
    }
}

/// mise refusing the spec, in usage's words.
fn refused(why: String) -> TaskError {
    TaskError::UsageRefused { why }
}

/// `what` in `ignored`, once.
fn note(ignored: &mut Vec<String>, what: &str) {
    if !ignored.iter().any(|said| said == what) {
        ignored.push(what.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's arguments as (name, kind, default, short, variadic).
    type Declared = (String, &'static str, Option<String>, Option<char>, bool);

    fn declared(text: &str) -> (Result<Declares, TaskError>, Vec<Declared>, Vec<String>) {
        let (mut args, mut ignored) = (Vec::new(), Vec::new());
        let declares = spec(text, &mut args, &mut ignored);
        let args = (args.into_iter())
            .map(|a| (a.name, a.kind, a.default, a.short, a.variadic))
            .collect();
        (declares, args, ignored)
    }

    fn one(name: &str, kind: &'static str, default: Option<&str>) -> Declared {
        (
            name.to_owned(),
            kind,
            default.map(str::to_owned),
            None,
            false,
        )
    }

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
        let got: Vec<Declared> = (args.iter().cloned())
            .map(|a| (a.name, a.kind, a.default, a.short, a.variadic))
            .collect();
        let with_short = |mut arg: Declared, c: char| {
            arg.3 = Some(c);
            arg
        };
        let mut files = one("files", "positional", None);
        files.4 = true;
        assert_eq!(
            got,
            [
                one("environment", "positional", None),
                one("tag", "positional", Some("")),
                with_short(one("force", "flag", Some("false")), 'f'),
                with_short(one("region", "option", Some("us-east-1")), 'r'),
                files,
            ]
        );
        assert_eq!(args[0].help.as_deref(), Some("Where to"));
        assert_eq!(ignored, ["usage's `choices` (not checked by vx)"]);
        assert!(spec("cmd \"sub\"\n", &mut args, &mut ignored).is_err());
        // Properties among the node's other words, as written on one line.
        let (_, args, _) = declared(
            "arg \"<env>\" help=\"Target environment\" choices \"dev\" \"prod\"\nflag \"--x <x>\" default=\"y\"\n",
        );
        assert_eq!(
            args,
            [
                one("env", "positional", None),
                one("x", "option", Some("y"))
            ]
        );
    }

    /// A variadic argument, spelled as usage spells it (`...`, `…`, inside the brackets
    /// since jdx/usage#481, `var=#true`), wherever it stands: required without a
    /// default (firezone's `grow.sh`: `arg "[libfuzzer_args]…" var=#true` after `arg
    /// "<target>"`), optional with none, its default one word.
    #[test]
    fn a_variadic_argument_is_declared_wherever_it_stands() {
        let variadic = |name: &str, default: Option<&str>| {
            (
                name.to_owned(),
                "positional",
                default.map(str::to_owned),
                None,
                true,
            )
        };
        for (text, want) in [
            ("arg \"<tools>...\"", variadic("tools", None)),
            (
                "arg \"[libfuzzer_args]…\" var=#true",
                variadic("libfuzzer_args", Some("")),
            ),
            (
                "arg \"[names...]\" help=\"Packages\"",
                variadic("names", Some("")),
            ),
            (
                "arg \"<test>…\" default=\"test\"",
                variadic("test", Some("test")),
            ),
            (
                "arg \"[x]\" var=#true default=\"a b\"",
                variadic("x", Some("a b")),
            ),
        ] {
            let (declares, args, _) = declared(&format!(
                "flag \"--grace-period\"\narg \"<target>\"\n{text}\n"
            ));
            assert!(declares.is_ok(), "{text}");
            assert_eq!(args[2], want, "{text}");
        }
    }

    /// A flag that names its value in a block (aaronmallen/dir_spec's `flag "--filter"
    /// { arg "<filter>" }`), on one line or several, is an option; its children say
    /// what properties say (`help`, `default`).
    #[test]
    fn a_flag_with_an_arg_in_its_block_is_an_option() {
        for text in [
            "flag \"--filter\" help=\"Filter tests\" {\n  arg \"<filter>\"\n}\n",
            "flag \"--filter\" { arg \"<filter>\" }",
            "flag \"--filter\" { help \"Filter\"; arg \"<filter>\"; }",
        ] {
            let (_, args, _) = declared(text);
            assert_eq!(args, [one("filter", "option", Some(""))], "{text}");
        }
        let (_, args, _) = declared("flag \"--level\" { arg \"<n>\" default=\"3\"; }");
        assert_eq!(args, [one("level", "option", Some("3"))]);
        let (_, args, _) = declared("flag \"--level <n>\" { default \"4\"; }");
        assert_eq!(args, [one("level", "option", Some("4"))]);
    }

    /// Values as mise gives them: a flag's `default=#false`/`#true` as `false`/`true`
    /// (any other text off), `default=""` kept apart from none, a counted flag, a
    /// negated one, `env` on an argument and a flag.
    #[test]
    fn defaults_counts_negations_and_variables_are_read_as_usage_reads_them() {
        let (mut args, mut ignored) = (Vec::new(), Vec::new());
        spec(
            "flag \"--check\" default=#false\nflag \"--on\" default=#true negate=\"--no-on\"\n\
             flag \"-v --verbose\" count=#true\nflag \"--name <text>\" default=\"\"\n\
             flag \"--yes\" default=\"yes\"\nflag \"--region <r>\" env=\"AWS_REGION\" default=\"us-east-1\"\n\
             arg \"[profile]\" env=\"COVERAGE_PROFILE\" default=\"coverage.out\"\narg \"[bare]\"\n\
             flag \"-q\"\nflag \"--off\" negate=\"--no-off\"\n",
            &mut args,
            &mut ignored,
        )
        .unwrap();
        let got: Vec<(&str, &str, Option<&str>, bool)> = (args.iter())
            .map(|a| {
                (
                    a.name.as_str(),
                    a.kind,
                    a.default.as_deref(),
                    a.unset_without_value,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("check", "flag", Some("false"), false),
                ("on", "flag", Some("true"), false),
                ("verbose", "count", None, true),
                ("name", "option", Some(""), false),
                ("yes", "flag", Some("false"), false),
                ("region", "option", Some("us-east-1"), false),
                ("profile", "positional", Some("coverage.out"), false),
                ("bare", "positional", Some(""), true),
                ("q", "flag", Some("false"), true),
                ("off", "flag", None, true),
            ]
        );
        assert_eq!(args[1].negate.as_deref(), Some("--no-on"));
        assert_eq!(args[5].env.as_deref(), Some("AWS_REGION"));
        assert_eq!(args[6].env.as_deref(), Some("COVERAGE_PROFILE"));
        assert_eq!(args[8].short, Some('q'));
        assert!(!args.iter().any(|a| a.required), "none is required");
        let mut args = Vec::new();
        spec(
            "flag \"--force\" required=#true\nflag \"--x\" required=#true default=#true",
            &mut args,
            &mut ignored,
        )
        .unwrap();
        let got: Vec<_> = (args.iter())
            .map(|a| (a.required, a.default.as_deref()))
            .collect();
        assert_eq!(
            got,
            [(true, None), (false, Some("true"))],
            "required, unless defaulted"
        );
    }

    /// What usage refuses is the spec refused, in its words (jdx/hk's
    /// `mise-tasks/pre-release`: `option "--version <version>"`), even after a node vx
    /// has no counterpart for; what usage takes and vx cannot map is said so.
    #[test]
    fn what_usage_refuses_is_told_from_what_vx_cannot_map() {
        let why = |text: &str| declared(text).0.unwrap_err().to_string();
        assert_eq!(
            why("option \"--version <version>\""),
            "mise refuses its usage spec (unsupported spec key option)"
        );
        assert_eq!(
            why("cmd \"sub\"\noption \"--version <version>\""),
            "mise refuses its usage spec (unsupported spec key option)"
        );
        assert!(why("flag \"--x\" nope=#true").contains("unsupported flag key nope"));
        assert!(why("arg \"<x>\" { nope \"1\" }").contains("unsupported arg child nope"));
        assert!(why("flag \"-xy\"").contains("short flags must be a single character"));
        assert!(why("flag \"--x\" { choices \"a\" }").contains("must have value"));
        assert_eq!(
            why("cmd \"sub\""),
            "usage's `cmd \"sub\"` has no vx counterpart"
        );
        assert!(why("arg \"<x>").starts_with("its usage spec is no KDL vx reads"));
    }

    /// What a spec declares besides `args`, which the task's templates then read.
    #[test]
    fn a_spec_says_which_kinds_it_declares() {
        let flags = declared("flag \"-f --force\"\nabout \"x\"\n").0.unwrap();
        assert_eq!((flags.args, flags.flags), (false, true));
        let args = declared("arg \"<a>\"\narg \"[rest]...\"\n").0.unwrap();
        assert_eq!((args.args, args.flags), (true, false));
    }
}
