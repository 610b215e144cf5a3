use super::*;

fn versions(imported: &Imported) -> Vec<(String, Result<String, VersionError>)> {
    imported
        .tools
        .iter()
        .map(|e| (e.name.clone(), e.version.clone()))
        .collect()
}

#[test]
fn tool_versions_take_the_first_version_and_skip_comments() {
    let text = "# asdf\nnodejs 20.11.1 18.19.0 # fallback\n\npython   3.12.1\nterraform system\n";
    let imported = parse(Format::ToolVersions, text).unwrap();
    assert_eq!(imported.tools.len(), 3);
    assert_eq!(imported.tools[0].line, Some(2));
    assert_eq!(imported.tools[0].version, Ok("20.11.1".to_owned()));
    assert_eq!(
        imported.tools[0].notes,
        ["18.19.0 also listed; the first is imported"]
    );
    assert!(imported.tools[2].version.is_err());
    let err = parse(Format::ToolVersions, "nodejs 20\nruby\n").unwrap_err();
    assert_eq!(err.line, Some(2));
}

#[test]
fn mise_reads_every_value_form_and_env() {
    let text = r#"
[tools]
node = "20"
python = ["3.12", "3.11"]
"aqua:cli/cli" = { version = "2.40.0", os = ["linux"] }
"cargo:prettyplease" = "latest"
go = 1

[env]
NODE_ENV = "production"
TARGET = "{{config_root}}/target:{{env.HOME}}"
GONE = false
_.path = ["./bin"]
BAD = "{{ exec(command='x') }}"

[tasks.build]
run = "make"
"#;
    let imported = parse(Format::Mise, text).unwrap();
    let v = versions(&imported);
    assert_eq!(v[0], ("node".to_owned(), Ok("20".to_owned())));
    assert_eq!(v[1], ("python".to_owned(), Ok("3.12".to_owned())));
    assert_eq!(
        imported.tools[1].notes,
        ["3.11 also listed; the first is imported"]
    );
    assert_eq!(
        imported.tools[2].lookup,
        Ok(Lookup::Package("cli/cli".to_owned()))
    );
    assert_eq!(imported.tools[2].notes, ["mise options not imported: os"]);
    // A crate vx builds with the project's rust (aqua's registry has no binary of it).
    assert_eq!(
        imported.tools[3].lookup,
        Ok(Lookup::Backend("cargo:prettyplease".to_owned()))
    );
    assert!(imported.tools[4].version.is_err());
    assert_eq!(imported.tools[0].line, Some(3));
    let env: Vec<_> = imported
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.clone()))
        .collect();
    assert_eq!(
        env[0],
        ("NODE_ENV", Ok(EnvValue::Set("production".to_owned())))
    );
    assert_eq!(
        env[1],
        (
            "TARGET",
            Ok(EnvValue::Set("{project}/target:${HOME}".to_owned()))
        )
    );
    assert_eq!(env[2], ("GONE", Ok(EnvValue::Unset)));
    assert_eq!(env[3].0, "BAD");
    assert!(env[3].1.is_err());
    assert_eq!(env.len(), 4, "`_.path` is not a variable: {env:?}");
    // `_.path` is a project directory of [settings] path; the task is a script.
    assert_eq!(imported.path.len(), 1);
    assert_eq!(imported.path[0].1, Ok("bin".to_owned()));
    assert_eq!(imported.scripts.len(), 1);
    assert_eq!(
        imported.scripts[0].script.as_ref().map(|s| s.run.clone()),
        Ok(vec!["make".to_owned()])
    );
    let err = parse(Format::Mise, "[tools]\nnode = \n").unwrap_err();
    assert_eq!(err.line, Some(2));
}

#[test]
fn mise_env_files_become_project_relative_env_file_entries() {
    let files = |directive: &str| {
        let text = format!("[env]\n{directive}\n");
        let imported = parse(Format::Mise, &text).unwrap();
        let env: Vec<_> = imported.env.iter().map(|e| e.name.clone()).collect();
        let files: Vec<_> = imported
            .env_files
            .into_iter()
            .map(|(_, file, _)| file.map_err(|_| ()))
            .collect();
        (files, env)
    };
    assert_eq!(
        files("_.file = \".env\""),
        (vec![Ok(".env".to_owned())], vec![])
    );
    assert_eq!(
        files("_.file = [\"{{config_root}}/.env\", \"./config/.env.dev\"]"),
        (
            vec![Ok(".env".to_owned()), Ok("config/.env.dev".to_owned())],
            vec![]
        )
    );
    // The table form mise also takes: its `path`.
    assert_eq!(
        files("_.file = { path = \".env.local\", redact = true }"),
        (vec![Ok(".env.local".to_owned())], vec![])
    );
    // mise reads these by their extension; vx reads dotenv only.
    assert_eq!(
        files("_.file = [\".env.json\", \"env.yaml\", \".env.toml\"]").0,
        [Err(()), Err(()), Err(())]
    );
    // Outside the project or templated: refused, said by the import.
    assert_eq!(
        files("_.file = [\"/etc/secrets.env\", \"{{env.HOME}}/.env\", \"../.env\"]").0,
        [Err(()), Err(()), Err(())]
    );
    // `_.source` runs a script: no counterpart, said as an env entry.
    let (none, env) = files("_.source = \"./env.sh\"");
    assert!(none.is_empty());
    assert_eq!(env, ["_.source"]);
}

#[test]
fn nvmrc_and_node_version_name_node() {
    let imported = parse(Format::Nvmrc, "# team\nlts/iron\n").unwrap();
    assert_eq!(imported.tools[0].name, "node");
    assert_eq!(imported.tools[0].version, Ok("20".to_owned()));
    let imported = parse(Format::NodeVersion, "v20.1.0\n").unwrap();
    assert_eq!(imported.tools[0].version, Ok("20.1.0".to_owned()));
    assert!(
        parse(Format::Nvmrc, "lts/*").unwrap().tools[0]
            .version
            .is_err()
    );
    assert!(parse(Format::Nvmrc, "\n\n").is_err());
}

#[test]
fn python_version_takes_the_first_line() {
    let imported = parse(Format::PythonVersion, "3.12.1\n3.11\n").unwrap();
    assert_eq!(imported.tools[0].version, Ok("3.12.1".to_owned()));
    assert_eq!(
        imported.tools[0].notes,
        ["3.11 also listed; the first is imported"]
    );
}

#[test]
fn aqua_packages_by_tag_or_version() {
    let text = "registries:\n  - type: standard\n    ref: v4.155.0\npackages:\n  - name: cli/cli@v2.40.0\n  - name: BurntSushi/ripgrep\n    version: 14.1.1\n  - import: aqua/*.yaml\n  - name: acme/x@v1\n    registry: local\n";
    let parsed = super::aqua::parse_all(text).unwrap();
    let imported = &parsed.imported;
    assert_eq!(imported.tools[0].name, "cli/cli");
    assert_eq!(imported.tools[0].version, Ok("2.40.0".to_owned()));
    assert_eq!(imported.tools[0].line, Some(5));
    assert_eq!(imported.tools[1].version, Ok("14.1.1".to_owned()));
    assert_eq!(imported.tools[2].registry.as_deref(), Some("local"));
    assert_eq!(parsed.includes.len(), 1);
    assert_eq!(parsed.includes[0].pattern, "aqua/*.yaml");
    assert!(parsed.registries.is_empty(), "`standard` is aqua's own");
    let err = parse(Format::Aqua, "packages:\n  - name: [\n").unwrap_err();
    assert!(err.line.is_some(), "{err:?}");
}

#[test]
fn binary_and_oversized_input_is_refused() {
    assert!(parse(Format::ToolVersions, "node 20\n\0\x01").is_err());
    let many = "tool 1\n".repeat(MAX_ENTRIES + 1);
    assert!(parse(Format::ToolVersions, &many).is_err());
    assert_eq!(
        Format::of_file(Path::new("x/.tool-versions")),
        Some(Format::ToolVersions)
    );
    assert_eq!(Format::of_file(Path::new("x/other")), None);
}

#[test]
fn a_mise_config_kept_in_a_folder_of_mises_belongs_to_the_directory_above() {
    use std::path::Path;
    let root = |p: &str| super::config_root(Path::new(p)).to_owned();
    for file in [
        "/p/mise.toml",
        "/p/.mise.toml",
        "/p/.mise/config.toml",
        "/p/mise/config.toml",
        "/p/mise/config.dev.toml",
        "/p/.config/mise.toml",
        "/p/.config/mise/config.toml",
        "/p/.config/mise/conf.d/10-tools.toml",
    ] {
        assert_eq!(root(file), Path::new("/p"), "{file}");
    }
    // A project that happens to live in a folder named `mise` is its own root.
    assert_eq!(root("/src/mise/mise.toml"), Path::new("/src/mise"));
}

#[test]
fn a_mise_shell_is_split_into_words_and_leaves_errexit_and_usage_lines_to_sh() {
    let text = "[tasks.b]\nshell = \"bash -o pipefail -c\"\nrun = \"a\\nb\"\n\
                [tasks.n]\nshell = \"node -e\"\nusage = 'arg \"<who>\"'\nrun = 'console.log(process.env.usage_who)'\n\
                [tasks.s]\nshell = \"bash -c\"\nrun = [{ task = \"b\" }, \"echo x\"]\n";
    let imported = super::mise::parse(text).unwrap();
    let script = |name: &str| {
        let entry = imported.scripts.iter().find(|s| s.name == name).unwrap();
        entry.script.as_ref().unwrap().clone()
    };
    let b = script("b");
    assert_eq!(b.shell, ["bash", "-o", "pipefail", "-c"]);
    assert_eq!(b.run, ["a\nb"], "no `set -e` under its own shell");
    let n = script("n");
    assert_eq!(n.shell, ["node", "-e"]);
    assert_eq!(n.run, ["console.log(process.env.usage_who)"]);
    assert!(
        n.ignored.iter().any(|note| note.contains("no POSIX shell")),
        "{:?}",
        n.ignored
    );
    let s = script("s");
    assert!(s.shell.is_empty(), "a task running tasks keeps sh");
    assert!(
        s.ignored.iter().any(|note| note.contains("runs tasks")),
        "{:?}",
        s.ignored
    );
}

/// A task's `usage` field and the `{{arg()}}`/`{{option()}}`/`{{flag()}}` templates of
/// its `run`, merged as mise merges them: the field's arguments (flags) stand for the
/// templates' when it declares any, a name only a template gives being nothing
/// (`false` for a flag); a field without arguments (flags) leaves the templates to
/// declare theirs.
#[test]
fn a_mise_usage_fields_declarations_are_what_its_templates_read() {
    let text = "[tasks.greet]\nusage = 'arg \"<names>\" var=#true'\n\
                run = 'for n in {{arg(name=\"names\")}}; do echo \"$n\"; done'\n\
                [tasks.each]\nusage = '''arg \"[names]\" var=#true default=\"it's\"'''\n\
                run = 'echo {{arg(name=\"names\", default=\"t\")}}'\n\
                [tasks.pick]\nusage = 'arg \"[x]\" default=\"u\"'\n\
                run = 'echo {{arg(name=\"x\", default=\"t\")}} {{arg(name=\"y\")}} {{option(name=\"o\")}}'\n\
                [tasks.flags]\nusage = 'flag \"--f\"'\n\
                run = 'echo {{arg(name=\"x\")}} {{option(name=\"o\")}} {{flag(name=\"g\")}} {{flag(name=\"f\")}}'\n";
    let imported = super::mise::parse(text).unwrap();
    let script = |name: &str| {
        let entry = imported.scripts.iter().find(|s| s.name == name).unwrap();
        entry.script.as_ref().unwrap().clone()
    };
    let declared = |name: &str| -> Vec<(String, &'static str, Option<String>, bool)> {
        (script(name).args.iter())
            .map(|a| (a.name.clone(), a.kind, a.default.clone(), a.variadic))
            .collect()
    };
    let some = |s: &str| Some(s.to_owned());
    // The field's variadic argument: its words (or its default) where the template
    // stands, whatever the template's own default.
    assert_eq!(
        declared("greet"),
        [("names".to_owned(), "positional", None, true)]
    );
    let greet = script("greet");
    assert_eq!(
        greet.run,
        ["set -e; for n in {{read.names}}; do echo \"$n\"; done"]
    );
    assert_eq!(
        declared("each"),
        [("names".to_owned(), "positional", some("it's"), true)]
    );
    assert_eq!(script("each").run, ["echo {{read.names}}"]);
    assert_eq!(
        declared("pick"),
        [
            ("x".to_owned(), "positional", some("u"), false),
            ("o".to_owned(), "option", some(""), false)
        ]
    );
    assert_eq!(script("pick").run, ["echo {{read.x}}  {{read.o}}"]);
    // A flag not given is `false` where a template names it, as mise renders it.
    assert_eq!(
        declared("flags"),
        [
            ("f".to_owned(), "flag", some("false"), false),
            ("x".to_owned(), "positional", None, false)
        ]
    );
    assert_eq!(script("flags").run, ["echo {{read.x}}  false {{read.f}}"]);
}
