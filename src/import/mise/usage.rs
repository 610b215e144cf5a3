//! mise's `usage` specs (a TOML task's `usage`, a file task's `#USAGE` lines) as a
//! vx task's declared arguments.

use super::super::ImportedArg;
use super::super::why::TaskError;

/// mise's `usage` spec (KDL lines, usage.jdx.dev): `arg "<name>"` (required) or
/// `arg "[name]"`, `flag "-f --force"` (a flag) or `flag "--env <env>"` (an option),
/// each with `help="…"` and `default="…"`. Anything else cannot be mapped.
pub(super) fn spec(spec: &str, args: &mut Vec<ImportedArg>) -> Result<(), TaskError> {
    let no_counterpart = |line: &str| TaskError::UsageLine {
        line: line.to_owned(),
    };
    for line in spec
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
    {
        let (kind, rest) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| no_counterpart(line))?;
        let rest = rest.trim();
        let quoted = rest
            .strip_prefix('"')
            .and_then(|r| r.split_once('"'))
            .ok_or_else(|| no_counterpart(line))?;
        let (what, params) = quoted;
        let mut arg = ImportedArg {
            name: String::new(),
            kind: "positional",
            default: None,
            help: None,
        };
        for (key, value) in super::params_of(params.trim()).unwrap_or_default() {
            match key.as_str() {
                "help" => arg.help = Some(value),
                "default" => arg.default = Some(value),
                _ => {}
            }
        }
        match kind {
            "arg" => {
                arg.name = what.trim_matches(['<', '>', '[', ']', '.']).to_owned();
            }
            "flag" => {
                let long = what
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("--"))
                    .ok_or_else(|| TaskError::UsageFlag {
                        line: line.to_owned(),
                    })?;
                arg.name = long.to_owned();
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
