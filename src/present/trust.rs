//! What `vx trust` says a trusted vx.toml brings ([`vx_engine::trust`]): the parts of its
//! environment the hook and the shims now apply, counted.

use vx_model::manifest::environment::ProjectEnvironment;
use vx_text::count;

/// What trusting a manifest with `env` applies, in words.
pub(crate) fn applies(env: &ProjectEnvironment) -> String {
    let mut applies = Vec::new();
    if !env.vars.is_empty() {
        applies.push(format!(
            "[env] ({})",
            count(env.vars.len() as u64, "variable")
        ));
    }
    if !env.env_files.is_empty() {
        applies.push(count(env.env_files.len() as u64, "env file"));
    }
    if !env.path.is_empty() {
        let dirs = match env.path.len() {
            1 => "1 directory".to_owned(),
            n => format!("{n} directories"),
        };
        applies.push(format!("[settings] path ({dirs})"));
    }
    if let Some(venv) = &env.python_venv {
        applies.push(format!(
            "virtual environment {venv} ([settings] python_venv)"
        ));
    }
    if applies.is_empty() {
        "it declares no environment of its own yet".to_owned()
    } else {
        format!("the hook and the shims apply its {}", applies.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 63, item 9: trusting a project also activates its virtual environment in
    /// the hook and the shims, and `vx trust` says so.
    #[test]
    fn trusting_names_the_virtual_environment_it_activates() {
        let env = ProjectEnvironment {
            python_venv: Some(".venv".to_owned()),
            ..ProjectEnvironment::default()
        };
        assert_eq!(
            applies(&env),
            "the hook and the shims apply its virtual environment .venv ([settings] python_venv)"
        );
    }
}
