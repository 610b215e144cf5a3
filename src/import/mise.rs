//! mise's `mise.toml` / `.mise.toml` (mise.jdx.dev, "Configuration"): `[tools]`, whose
//! values are a version (`"20"`), several (`["20", "18"]` or `"20 18"`: the first is
//! imported, the rest noted), or a table with `version` (its other options noted), its
//! keys a tool or `BACKEND:TOOL` ([`super::names`]); and `[env]`, whose strings become
//! vx's `[env]` (mise's `{{config_root}}` as `{project}`, `{{env.VAR}}` as `${VAR}`),
//! `false` unsets, and directives (`_.path`, `_.file`) are reported. Other tables
//! (`[tasks]`, `[settings]`) are mise's own and left out.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Entry, EnvEntry, EnvValue, Imported, Malformed};

/// Parses a `mise.toml`.
pub fn parse(text: &str) -> Result<Imported, Malformed> {
    let root = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| super::line_of(text, s.start));
        let message = e.message().trim().replace('\n', "; ");
        Malformed::at(line, format!("invalid TOML: {message}"))
    })?;
    let root = root.get_ref();
    let mut imported = Imported::default();
    if let Some(tools) = root.get("tools") {
        let line = super::line_of(text, tools.span().start);
        let DeValue::Table(tools) = tools.get_ref() else {
            return Err(Malformed::at(Some(line), "`tools` must be a table"));
        };
        // The table is sorted by key; the file's order is the spans'.
        let mut tools: Vec<_> = tools.iter().collect();
        tools.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in tools {
            let line = Some(super::line_of(text, key.span().start));
            imported.tools.push(tool(key.get_ref(), value, line));
        }
    }
    if let Some(env) = root.get("env") {
        let line = super::line_of(text, env.span().start);
        let DeValue::Table(env) = env.get_ref() else {
            return Err(Malformed::at(Some(line), "`env` must be a table"));
        };
        let mut env: Vec<_> = env.iter().collect();
        env.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in env {
            let line = Some(super::line_of(text, key.span().start));
            imported.env.push(EnvEntry {
                name: key.get_ref().to_string(),
                value: env_value(key.get_ref(), value.get_ref()),
                line,
            });
        }
    }
    Ok(imported)
}

/// One `[tools]` entry.
fn tool(name: &str, value: &Spanned<DeValue<'_>>, line: Option<usize>) -> Entry {
    let not_a_version = |what: &str| {
        let mut entry = Entry::new(name, "", line);
        entry.version = Err(format!("{what}; mise's versions are strings"));
        entry
    };
    match value.get_ref() {
        DeValue::String(s) => {
            let versions: Vec<&str> = s.split_whitespace().collect();
            match versions.split_first() {
                Some((first, others)) => Entry::new(name, first, line).also_listed(others),
                None => Entry::new(name, "", line),
            }
        }
        DeValue::Array(items) => {
            let versions: Vec<Option<String>> =
                items.iter().map(|v| version_of(v.get_ref())).collect();
            match versions.split_first() {
                Some((Some(first), others)) => {
                    let others: Vec<&str> = others.iter().flatten().map(String::as_str).collect();
                    Entry::new(name, first, line).also_listed(&others)
                }
                Some((None, _)) => not_a_version("the first version is not a string"),
                None => Entry::new(name, "", line),
            }
        }
        DeValue::Table(table) => match table.get("version").map(|v| v.get_ref()) {
            Some(DeValue::String(version)) => {
                let mut entry = Entry::new(name, version, line);
                let options: Vec<&str> = table
                    .keys()
                    .map(|k| k.get_ref().as_ref())
                    .filter(|k| *k != "version")
                    .collect();
                if !options.is_empty() {
                    entry
                        .notes
                        .push(format!("mise options not imported: {}", options.join(", ")));
                }
                entry
            }
            Some(_) => not_a_version("`version` is not a string"),
            None => not_a_version("a table without `version`"),
        },
        _ => not_a_version("the version is not a string"),
    }
}

/// A version in an array: a string or a table's `version`.
fn version_of(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Table(t) => match t.get("version").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// One `[env]` variable as vx's `[env]` holds it, or why it cannot be.
fn env_value(name: &str, value: &DeValue<'_>) -> Result<EnvValue, String> {
    if name == "_" {
        return Err(
            "mise's directives (`_.path`, `_.file`, `_.source`) have no counterpart here; `_.path` is vx's [settings] path"
                .to_owned(),
        );
    }
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid || name.len() > 200 {
        return Err("not an environment variable name (letters, digits and `_`)".to_owned());
    }
    match value {
        DeValue::String(s) => templates(s).map(EnvValue::Set),
        DeValue::Integer(i) => Ok(EnvValue::Set(i.as_str().to_owned())),
        DeValue::Boolean(false) => Ok(EnvValue::Unset),
        DeValue::Boolean(true) => Ok(EnvValue::Set("true".to_owned())),
        DeValue::Table(t) => match t.get("value").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => templates(s).map(EnvValue::Set),
            _ => Err("a table without a string `value`".to_owned()),
        },
        _ => Err("a value vx's [env] cannot hold (a string, or false to unset)".to_owned()),
    }
}

/// mise's templates in an env value as vx's: `{{config_root}}` → `{project}`,
/// `{{env.VAR}}` → `${VAR}`; any other template, or a control character, refused.
fn templates(value: &str) -> Result<String, String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err("the value holds control characters".to_owned());
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            return Err("an unclosed `{{` template".to_owned());
        };
        let inner = rest[start + 2..start + end].trim();
        match inner.strip_prefix("env.") {
            _ if inner == "config_root" => out.push_str("{project}"),
            Some(var)
                if !var.is_empty()
                    && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(&format!("${{{var}}}"));
            }
            _ => {
                return Err(format!(
                    "mise's template `{{{{ {inner} }}}}`; vx's [env] knows {{project}}, ${{VAR}} and ${{VAR:-default}}"
                ));
            }
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
