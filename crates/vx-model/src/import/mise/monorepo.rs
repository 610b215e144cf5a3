//! mise's monorepo root (mise.jdx.dev, "Monorepo Tasks"): a root mise.toml with
//! `monorepo_root = true` (`experimental_monorepo_root`, its earlier name; either at the
//! top or under `[settings]`) and `[monorepo] config_roots`, the directories (globs of
//! one level, `services/*`) whose own mise.toml tasks are the monorepo's tasks
//! `//services/api:build`. Read here from the file's text; what the roots hold is read
//! by the in-place reader, as any mise project is.

use toml::de::{DeTable, DeValue};

use super::super::Malformed;

/// What a root mise.toml says of its monorepo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Root {
    /// `[monorepo] config_roots` as written (directories or one-level globs, relative
    /// to the root); empty when not given.
    pub config_roots: Vec<String>,
    /// Whether `config_roots` was given: without it mise walks the whole tree (a way
    /// its docs deprecate), which vx does not.
    pub listed: bool,
    /// `[monorepo.task_defaults]` and `[monorepo.projects]`.
    pub tables: super::monorepo_tables::Tables,
}

/// The monorepo a mise file's `text` declares, or `None` when it is no monorepo root.
pub(crate) fn root(text: &str) -> Result<Option<Root>, Malformed> {
    let table = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| super::super::line_of(text, s.start));
        Malformed::at(line, format!("invalid TOML: {}", e.message().trim()))
    })?;
    let table = table.get_ref();
    let settings = match table.get("settings").map(|s| s.get_ref()) {
        Some(DeValue::Table(settings)) => Some(settings),
        _ => None,
    };
    let on = |t: &DeTable<'_>| {
        ["monorepo_root", "experimental_monorepo_root"]
            .iter()
            .any(|key| {
                matches!(
                    t.get(*key).map(|v| v.get_ref()),
                    Some(DeValue::Boolean(true))
                )
            })
    };
    if !on(table) && !settings.is_some_and(on) {
        return Ok(None);
    }
    let mut root = Root::default();
    let Some(DeValue::Table(monorepo)) = table.get("monorepo").map(|m| m.get_ref()) else {
        return Ok(Some(root));
    };
    root.tables = super::monorepo_tables::read(monorepo);
    let Some(roots) = monorepo.get("config_roots") else {
        return Ok(Some(root));
    };
    let line = Some(super::super::line_of(text, roots.span().start));
    let DeValue::Array(list) = roots.get_ref() else {
        return Err(Malformed::at(
            line,
            "`monorepo.config_roots` must be a list of directories",
        ));
    };
    for item in list {
        match item.get_ref() {
            DeValue::String(dir) => root.config_roots.push(dir.to_string()),
            _ => {
                return Err(Malformed::at(
                    line,
                    "`monorepo.config_roots` must be a list of directories",
                ));
            }
        }
    }
    root.listed = true;
    Ok(Some(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_is_marked_at_the_top_or_in_settings_and_lists_its_config_roots() {
        let text = "experimental_monorepo_root = true\n[monorepo]\nconfig_roots = [\"packages/*\", \"tools/cli\"]\n";
        let found = root(text).unwrap().unwrap();
        assert_eq!(found.config_roots, ["packages/*", "tools/cli"]);
        assert!(found.listed);
        let found = root("[settings]\nmonorepo_root = true\n").unwrap().unwrap();
        assert!(!found.listed && found.config_roots.is_empty());
        assert_eq!(root("[tools]\nnode = \"20\"\n").unwrap(), None);
        assert_eq!(root("monorepo_root = false\n").unwrap(), None);
        let bad = root("monorepo_root = true\n[monorepo]\nconfig_roots = \"x\"\n").unwrap_err();
        assert_eq!(bad.line, Some(3));
    }
}
