//! `vx import` and `vx init` (issue 30, items 4 and 5), end to end with the real
//! binary: one file of each kind other managers keep (`tests/data/import/`, written
//! from each tool's documentation), resolved against a registry in aqua's format
//! served as the standard one by a loopback GitHub; what is imported, what is skipped
//! and why, the exit code, vx.toml (an existing one's comments kept byte for byte) and
//! vx.lock. Hostile files get a clear error and change nothing.

use crate::common;

use std::path::PathBuf;

use common::*;
use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::sha256_hex;

/// A release `tag` of a raw executable `stem-OS-ARCH` per platform a new vx.toml
/// lists (and those the lock tests lock).
fn release(stem: &str, tag: &str) -> FixtureRelease {
    let mut release = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    let mut platforms = locked_platforms();
    for platform in vx_model::manifest::platform::default_set() {
        if !platforms.contains(&platform.to_string()) {
            platforms.push(platform.to_string());
        }
    }
    for platform in platforms {
        let (os, arch) = go_names(&platform);
        let body = format!("#!/bin/sh\necho {stem} {tag}\n").into_bytes();
        // aqua's packages add `.exe` on Windows (the registry's `format: raw`).
        let exe = if os == "windows" { ".exe" } else { "" };
        release = release.asset(&format!("{stem}-{os}-{arch}{exe}"), body);
    }
    release
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

/// A project directory, its own cache, config and store, the loopback GitHub and
/// nodejs.org (node is a runtime, read from its publisher).
struct World {
    work: Work,
    github: GithubFixture,
    _nodejs: vx_fixture::TestServer,
    _go: vx_fixture::TestServer,
    _npm: vx_fixture::TestServer,
}

impl World {
    fn new() -> World {
        let registry = std::fs::read(data("registry.yaml")).unwrap();
        let sha = sha256_hex(&registry);
        let github = standard_registry(GithubFixture::builder(), registry)
            .release("nodejs", "node", release("node", "v20.12.0"))
            .release("nodejs", "node", release("node", "v20.11.1"))
            .release("nodejs", "node", release("node", "v18.19.0"))
            .release("golang", "go", release("go", "go1.22.0"))
            .release("BurntSushi", "ripgrep", release("rg", "14.1.1"))
            .release("cli", "cli", release("gh", "v2.40.0"))
            .release("hashicorp", "terraform", release("terraform", "v1.9.0"))
            .release("sharkdp", "fd", release("fd", "v10.2.0"))
            .release("other", "fd", release("fd", "v1.0.0"))
            .release("opentofu", "opentofu", release("tofu", "v1.8.0"))
            .release("tamasfe", "taplo", release("taplo", "0.9.3"))
            .release(
                "gotestyourself",
                "gotestsum",
                release("gotestsum", "v1.12.0"),
            )
            .release(
                "nextest-rs",
                "nextest",
                release("cargo-nextest", "cargo-nextest-0.9.85"),
            )
            .release("wasilibs", "go-yamllint", release("yamllint", "v1.35.1"))
            .release("acme", "inhouse", release("inhouse", "v1.2.0"))
            .start()
            .unwrap();
        let work = Work::new();
        pin_standard_registry(&work.dir.path().join("config"), &sha);
        let nodejs = publishers::node::serve(&[
            publishers::node::Release::listed("20.12.0", Some("Iron")),
            publishers::node::Release::listed("20.11.1", Some("Iron")),
            publishers::node::Release::listed("18.19.0", Some("Hydrogen")),
        ]);
        // go.dev serves go; builds.hex.pm (elixir, erlang) answers nothing here.
        let go = publishers::go::serve(&[publishers::go::Release::listed("go1.22.0")]);
        let config = work.dir.path().join("config/vx/config.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&publishers::node::config(&nodejs));
        text.push_str(publishers::go::config(&go).trim_start_matches("[url_replacements]\n"));
        text.push_str(&publishers::replacement(
            "https://builds.hex.pm/",
            &go.url("/hexpm/"),
        ));
        // registry.npmjs.org serves npm's real documents (npm: entries).
        let npm = publishers::npm::serve();
        text.push_str(publishers::npm::config(&npm).trim_start_matches("[url_replacements]\n"));
        std::fs::write(&config, text).unwrap();
        World {
            work,
            github,
            _nodejs: nodejs,
            _go: go,
            _npm: npm,
        }
    }

    /// pypi.org's real page of ruff served on loopback, and the user config sending
    /// pypi.org there: the server, kept while the test runs.
    fn serve_pypi(&self) -> vx_fixture::TestServer {
        let pypi = publishers::pypi::serve();
        let config = self.path("config/vx/config.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(publishers::pypi::config(&pypi).trim_start_matches("[url_replacements]\n"));
        std::fs::write(&config, text).unwrap();
        pypi
    }

    /// Copies `tests/data/import/FROM` into the project as `to`.
    fn file(&self, from: &str, to: &str) {
        std::fs::copy(data(from), self.path(to)).unwrap();
    }

    fn path(&self, name: &str) -> PathBuf {
        self.work.dir.path().join(name)
    }

    fn vx(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    /// `vx ARGS` against the fixture, not yet run.
    fn command(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.args(args)
            .env("VX_GITHUB_URL", self.github.web_url())
            .env("VX_CACHE_DIR", self.path("cache"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("VX_OFFLINE")
            .env_remove("VX_MANIFEST");
        cmd
    }

    fn toml(&self) -> String {
        std::fs::read_to_string(self.work.manifest()).unwrap()
    }

    /// The locked version of each tool.
    fn locked(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.path("vx.lock")).unwrap();
        let lock: toml::Table = text.parse().unwrap();
        let tools = lock["tools"].as_table().unwrap();
        tools
            .iter()
            .map(|(name, t)| (name.clone(), t["version"].as_str().unwrap().to_owned()))
            .collect()
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn both(out: &std::process::Output) -> String {
    format!(
        "{}\n--- stderr:\n{}",
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn tool_versions_are_imported_into_an_existing_vx_toml_keeping_its_comments() {
    let w = World::new();
    let existing = "# Our project's tools.\n[settings]\n# CI runs on Linux only\nplatforms = [\"linux-x86_64\"]\n\n[tools]\n# pinned by the team\nripgrep = \"14\"   # do not bump\n";
    w.work.write_manifest(existing);
    w.file("tool-versions", ".tool-versions");
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    let text = stdout(&out);
    assert!(
        text.contains(
            "imported node 20.11.1 from .tool-versions (18.19.0 also listed; the first is imported)"
        ),
        "{all}"
    );
    assert!(
        text.contains("imported go 1.22.0 from .tool-versions"),
        "{all}"
    );
    assert!(
        text.contains(
            "skipped python 3.12.1 from .tool-versions:4: the GitHub releases of astral-sh/python-build-standalone"
        ),
        "{all}"
    );
    assert!(
        text.contains("skipped terraform system from .tool-versions:5: `system`"),
        "{all}"
    );
    assert!(
        text.contains("skipped ripgrep latest from .tool-versions:6: vx.toml lists it already"),
        "{all}"
    );
    assert_eq!(
        w.toml(),
        format!(
            "{existing}node = {{ version_file = \".tool-versions\" }}\ngo = {{ version_file = \".tool-versions\" }}\n"
        ),
        "every comment and entry kept, the new entries pinned by the file they come from"
    );
    assert_eq!(
        w.locked(),
        pairs(&[("go", "1.22.0"), ("node", "20.11.1"), ("ripgrep", "14.1.1")])
    );
}

#[test]
fn mise_toml_brings_every_value_form_and_its_env_into_a_new_vx_toml() {
    let w = World::new();
    w.file("mise.toml", "mise.toml");
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    // Every entry has a counterpart: `_.file` is [settings] env_file.
    assert_eq!(out.status.code(), Some(0), "{all}");
    let text = stdout(&out);
    for line in [
        "imported node 20 from mise.toml (18 also listed; the first is imported)",
        "imported cli 2.40.0 from mise.toml (mise options not imported: os)",
        "imported sharkdp/fd latest from mise.toml",
        "imported ripgrep 14.1.1 from mise.toml",
        "imported cargo-nextest latest from mise.toml (mise's `cargo` backend builds it; vx installs the release binary of nextest-rs/nextest/cargo-nextest)",
        "imported env NODE_ENV from mise.toml",
        "imported env CACHE_DIR from mise.toml",
        "imported task build from mise.toml",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{all}");
    }
    assert!(
        text.contains("imported path bin from mise.toml into [settings] path"),
        "{all}"
    );
    assert!(
        text.contains("imported env file .env from mise.toml into [settings] env_file"),
        "{all}"
    );
    let toml = w.toml();
    assert!(
        toml.starts_with("# vx.toml: this project's tools."),
        "the header vx init writes:\n{toml}"
    );
    assert!(
        toml.contains(&format!(
            "[settings]\n# what `vx lock` locks; a machine not listed locks its own on first use\nplatforms = {}\npath = [\"bin\"]\nenv_file = [{{ path = \".env\", optional = true }}]\n",
            default_set()
        )),
        "{toml}"
    );
    assert!(
        toml.contains(
            "[tools]\nnode = { version_file = \"mise.toml\" }\ncli = \"2.40.0\"\n\"sharkdp/fd\" = \"latest\"\ncargo-nextest = \"latest\"\nripgrep = { version_file = \"mise.toml\" }\n\n[env]\nNODE_ENV = \"production\"\nCACHE_DIR = \"{project}/.cache\"\n\n[tasks]\nbuild = { run = \"npm run build\", dir = \".\" }\n"
        ),
        "{toml}"
    );
    assert_eq!(
        w.locked(),
        pairs(&[
            ("cargo-nextest", "0.9.85"),
            ("cli", "2.40.0"),
            ("fd", "10.2.0"),
            ("node", "20.12.0"),
            ("ripgrep", "14.1.1")
        ])
    );
}

#[test]
fn nvm_node_version_python_version_and_aqua_files_are_found_in_order() {
    let w = World::new();
    w.file("aqua.yaml", "aqua.yaml");
    w.file("nvmrc", ".nvmrc");
    w.file("node-version", ".node-version");
    w.file("python-version", ".python-version");
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    let text = stdout(&out);
    for line in [
        "imported cli 2.40.0 from aqua.yaml",
        "imported ripgrep 14.1.1 from aqua.yaml",
        "skipped acme/nothing v1.0.0 from aqua.yaml:12: no package is named `acme/nothing`",
        "skipped aqua/*.yaml from aqua.yaml:13: `import: aqua/*.yaml` matches no file",
        "imported node lts/iron from .nvmrc",
        "skipped node v20.11.1 from .node-version:1: node is imported from .nvmrc, which comes first",
        "skipped python 3.12.1 from .python-version:1: the GitHub releases of astral-sh/python-build-standalone",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{all}");
    }
    assert_eq!(
        w.toml()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect::<Vec<_>>(),
        [
            "[settings]",
            &format!("platforms = {}", default_set()),
            "[tools]",
            "cli = \"2.40.0\"",
            "ripgrep = \"14.1.1\"",
            "node = { version_file = \".nvmrc\" }"
        ]
    );

    // One file named: only it, and everything maps: exit 0.
    let w = World::new();
    w.file("node-version", ".node-version");
    w.file("python-version", ".python-version");
    let out = w.vx(&["import", ".node-version"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("imported") || l.starts_with("skipped"))
            .collect::<Vec<_>>(),
        ["imported node 20.11.1 from .node-version"]
    );
    assert_eq!(w.locked(), pairs(&[("node", "20.11.1")]));
}

#[test]
fn vx_init_writes_a_commented_vx_toml_imports_and_refuses_to_overwrite() {
    let w = World::new();
    w.file("nvmrc", ".nvmrc");
    let out = w.vx(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let toml = w.toml();
    for table in [
        "[settings]",
        "[env]",
        "[tasks]",
        "[tools.mytool]",
        "ripgrep = \"14\"",
    ] {
        assert!(
            toml.contains(&format!("# {table}")),
            "{table} explained:\n{toml}"
        );
    }
    assert!(
        toml.ends_with("\n[tools]\nnode = { version_file = \".nvmrc\" }\n"),
        "{toml}"
    );
    assert_eq!(w.locked(), pairs(&[("node", "20.12.0")]));

    let out = w.vx(&["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
    assert_eq!(w.toml(), toml, "untouched");

    // Nothing to import: the commented file alone.
    let w = World::new();
    let out = w.vx(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(w.toml().starts_with("# vx.toml"));
    assert!(
        w.toml()
            .contains(&format!("\nplatforms = {}\n", default_set())),
        "{}",
        w.toml()
    );
    assert!(!w.path("vx.lock").exists());
}

#[test]
fn hostile_files_get_a_clear_error_and_change_nothing() {
    let w = World::new();
    let existing = "[tools]\nripgrep = \"14\" # ours\n";
    let check = |file: &str, bytes: &[u8], code: i32, says: &str| {
        w.work.write_manifest(existing);
        std::fs::write(w.path(file), bytes).unwrap();
        let out = w.vx(&["import", file]);
        let all = both(&out);
        assert_eq!(out.status.code(), Some(code), "{file}: {all}");
        assert!(all.contains(says), "{file}: {says:?} missing:\n{all}");
        assert!(!all.contains('\x1b'), "{file}: raw escape printed:\n{all}");
        assert_eq!(w.toml(), existing, "{file}: vx.toml untouched");
        std::fs::remove_file(w.path(file)).unwrap();
    };
    let huge = "nodejs 20\n".repeat(200_000);
    check(
        ".tool-versions",
        huge.as_bytes(),
        2,
        ".tool-versions: over 1048576 bytes",
    );
    check(
        ".tool-versions",
        b"nodejs 20\n\xff\xfe\x00garbage",
        2,
        ".tool-versions:2: the file is not valid UTF-8",
    );
    check(".nvmrc", b"20\0\x01\x02", 2, ".nvmrc:1: a NUL byte");
    check(
        "mise.toml",
        b"[tools]\nnode = \"20\"\nbad = [\n",
        2,
        "mise.toml:3: invalid TOML",
    );
    check("aqua.yaml", b"packages:\n  - name: [\n", 2, "aqua.yaml:");
    check(
        ".tool-versions",
        b"node\x1b[31m 20\n",
        1,
        "skipped node\\x1b[31m 20 from .tool-versions:1: the name holds control",
    );
    // Nested a million deep: refused, not a stack overflow.
    let deep = format!("[tools]\nnode = {}", "[".repeat(500_000));
    check("mise.toml", deep.as_bytes(), 2, "mise.toml:");
    let deep = format!("packages:\n  - name: {}", "[".repeat(500_000));
    check("aqua.yaml", deep.as_bytes(), 2, "aqua.yaml:");
    // A file whose name says nothing: refused, unless --format says what it is.
    check("versions.txt", b"nodejs 20.11.1\n", 2, "pass --format");
    std::fs::write(w.path("versions.txt"), "nodejs 20.11.1\n").unwrap();
    let out = w.vx(&["import", "versions.txt", "--format", "asdf"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(stdout(&out).contains("imported node 20.11.1 from versions.txt"));
    // A vx.toml without `[settings] platforms` gets the documented set (issue 49).
    assert_eq!(
        w.toml(),
        format!(
            "{existing}node = \"20.11.1\"\n\n[settings]\nplatforms = {}\n",
            default_set()
        )
    );
    assert!(stdout(&out).contains("in [settings] platforms (what `vx lock` locks)"));
}

/// `[settings] platforms` as `vx init` and `vx import` write it on this machine: the
/// documented four, and this machine's when it is not one of them.
fn default_set() -> String {
    let names: Vec<String> = vx_model::manifest::platform::default_set()
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect();
    format!("[{}]", names.join(", "))
}

#[test]
fn offline_import_uses_the_cache_only() {
    let w = World::new();
    w.file("node-version", ".node-version");
    // Nothing cached: the index cannot be read; the exact pin is written all the same
    // and the lock left for later.
    let out = w.vx(&["import", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        w.toml()
            .contains("node = { version_file = \".node-version\" }"),
        "{}",
        both(&out)
    );
    assert!(!w.path("vx.lock").exists(), "{}", both(&out));
    std::fs::remove_file(w.work.manifest()).unwrap();
    // Cached by an online import, an offline one in another project asks GitHub nothing.
    let out = w.vx(&["import"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    std::fs::remove_file(w.work.manifest()).unwrap();
    std::fs::remove_file(w.path("vx.lock")).unwrap();
    w.github.clear_requests();
    let out = w.vx(&["import", "--offline"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(w.locked(), pairs(&[("node", "20.11.1")]));
    assert_eq!(w.github.requests().len(), 0, "{:?}", w.github.requests());
}

/// Writes `text` at `name` under the project, making its directories.
fn write(w: &World, name: &str, text: &str) {
    let path = w.path(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Lines of `out` that say what happened to an entry.
fn said(out: &std::process::Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter(|l| l.starts_with("imported") || l.starts_with("skipped"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn aqua_yaml_imports_import_dir_and_local_registries_are_followed() {
    let w = World::new();
    // aqua's "Split the list of packages": `import:` globs and `import_dir` (≡
    // `import: imports/*.yml` and `imports/*.yaml`), relative to aqua.yaml; a
    // `type: local` registry whose packages name it.
    write(
        &w,
        "aqua.yaml",
        "registries:\n  - type: standard\n    ref: v4.155.0\n  - name: inhouse\n    type: local\n    path: registry/inhouse.yaml\nimport_dir: imports\npackages:\n  - import: aqua/*.yaml\n  - name: acme/inhouse@v1.2.0\n    registry: inhouse\n  - name: acme/other@v1.0.0\n    registry: elsewhere\n",
    );
    write(
        &w,
        "aqua/ops.yaml",
        "packages:\n  - name: hashicorp/terraform@v1.9.0\n",
    );
    write(&w, "aqua/notes.txt", "not a package list\n");
    write(
        &w,
        "imports/dev.yml",
        "packages:\n  - name: sharkdp/fd@v10.2.0\n",
    );
    write(
        &w,
        "imports/more.yaml",
        "packages:\n  - name: BurntSushi/ripgrep\n    version: 14.1.1\n  - import: ../aqua/*.yaml\n",
    );
    write(
        &w,
        "registry/inhouse.yaml",
        "packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: inhouse\n    asset: inhouse-{{.OS}}-{{.Arch}}\n    format: raw\n",
    );
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    assert_eq!(
        said(&out),
        [
            "imported registry inhouse (registry/inhouse.yaml) from aqua.yaml into [settings] registries",
            "imported inhouse 1.2.0 from aqua.yaml",
            "skipped acme/other v1.0.0 from aqua.yaml:12: from aqua's registry `elsewhere`, which the aqua.yaml does not declare",
            "imported terraform 1.9.0 from aqua/ops.yaml",
            "imported sharkdp/fd 10.2.0 from imports/dev.yml",
            "imported ripgrep 14.1.1 from imports/more.yaml",
        ],
        "{all}"
    );
    let toml = w.toml();
    assert!(
        toml.contains("registries = [{ name = \"inhouse\", path = \"registry/inhouse.yaml\" }]"),
        "{toml}"
    );
    assert_eq!(
        w.locked(),
        pairs(&[
            ("fd", "10.2.0"),
            ("inhouse", "1.2.0"),
            ("ripgrep", "14.1.1"),
            ("terraform", "1.9.0")
        ])
    );

    // An imported file that is not aqua's format: exit 2, nothing written.
    let w = World::new();
    write(&w, "aqua.yaml", "import_dir: imports\n");
    write(&w, "imports/bad.yaml", "packages:\n  - name: [\n");
    let out = w.vx(&["import"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("imports/bad.yaml:"),
        "{}",
        both(&out)
    );
    assert!(!w.work.manifest().exists());
}

#[test]
fn short_names_and_build_backends_import_as_the_package_users_mean() {
    let w = World::new();
    write(
        &w,
        ".tool-versions",
        "tofu 1.8.0\ntaplo 0.9.3\nelixir 1.15 1.18\n",
    );
    write(
        &w,
        "mise.toml",
        "[tools]\n\"go:gotest.tools/gotestsum\" = \"1.12.0\"\nyamllint = \"1.35\"\n",
    );
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    let lines = said(&out);
    for line in [
        "imported gotestsum 1.12.0 from mise.toml (mise's `go` backend builds it; vx installs the release binary of gotestyourself/gotestsum)",
        "imported go-yamllint 1.35 from mise.toml (`yamllint` matched only a command of standard:wasilibs/go-yamllint: check that it is the tool meant)",
        "imported opentofu 1.8.0 from .tool-versions",
        "imported taplo 0.9.3 from .tool-versions",
    ] {
        assert!(lines.iter().any(|l| l == line), "{line:?} missing:\n{all}");
    }
    let elixir = lines
        .iter()
        .find(|l| l.starts_with("skipped elixir 1.15 from .tool-versions:3"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        elixir.contains("builds.hex.pm"),
        "the runtime's publisher: {elixir}"
    );
    assert_eq!(
        w.locked(),
        pairs(&[
            ("go-yamllint", "1.35.1"),
            ("gotestsum", "1.12.0"),
            ("opentofu", "1.8.0"),
            ("taplo", "0.9.3")
        ])
    );
}

#[test]
fn a_name_no_registry_answers_offline_is_skipped_and_the_others_import() {
    let w = World::new();
    // The project's own registry has ripgrep; the standard one was never fetched.
    write(
        &w,
        "registry/ours.yaml",
        "packages:\n  - type: github_release\n    repo_owner: BurntSushi\n    repo_name: ripgrep\n    asset: rg-{{.OS}}-{{.Arch}}\n    format: raw\n    files:\n      - name: rg\n",
    );
    let project = "[settings]\nregistries = [{ name = \"ours\", path = \"registry/ours.yaml\" }]\n";
    w.work.write_manifest(project);
    // Online once: ripgrep's releases are cached (the standard registry is not).
    write(&w, ".tool-versions", "ripgrep 14.1.1\n");
    let out = w.vx(&["import"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    w.work.write_manifest(project);
    std::fs::remove_file(w.path("vx.lock")).unwrap();
    w.github.clear_requests();

    write(&w, ".tool-versions", "nosuchtool 1.0\nripgrep 14.1.1\n");
    let out = w.vx(&["import", "--offline"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    let lines = said(&out);
    assert_eq!(lines.len(), 2, "{all}");
    assert!(
        lines[0].starts_with("skipped nosuchtool 1.0 from .tool-versions:1: "),
        "{all}"
    );
    assert!(
        lines[0].contains("standard"),
        "the reason names the registry: {all}"
    );
    assert_eq!(
        lines[1], "imported ripgrep 14.1.1 from .tool-versions",
        "{all}"
    );
    assert_eq!(w.locked(), pairs(&[("ripgrep", "14.1.1")]));
    assert_eq!(w.github.requests().len(), 0, "{:?}", w.github.requests());
}

/// Without GitHub (issue 43, item 8): `vx init` beside a `.tool-versions` writes what
/// can be written (node comes from its publisher, not GitHub), skips the rest, says
/// once what failed and what helps, and suggests no token (none would help).
#[test]
fn vx_init_without_github_writes_what_it_can_and_says_once_what_failed() {
    let w = World::new();
    w.file("tool-versions", ".tool-versions");
    // A loopback port nothing listens on: the connection is refused.
    let closed = { common::net::free_port() };
    let out = w
        .command(&["init"])
        .env("VX_GITHUB_URL", format!("http://127.0.0.1:{closed}"))
        .output()
        .unwrap();
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "written, the skips said: {all}");
    let toml = w.toml();
    assert!(
        toml.contains("node = { version_file = \".tool-versions\" }"),
        "{toml}\n{all}"
    );
    assert!(
        toml.contains("go = { version_file = \".tool-versions\" }"),
        "{toml}\n{all}"
    );
    assert!(
        stdout(&out).contains("skipped ripgrep latest from .tool-versions:6"),
        "{all}"
    );
    assert!(!all.contains("GITHUB_TOKEN"), "no token would help: {all}");
    assert!(all.contains("--offline"), "{all}");
    assert!(all.contains("url_replacements"), "{all}");
    // Each line names the address it could not reach once, not once per layer of the
    // error (nor again for the second name it tried).
    let host = format!("127.0.0.1:{closed}");
    for line in all.lines() {
        assert!(line.matches(&host).count() <= 1, "said once: {line}");
    }
    assert!(!all.contains("; nor "), "{all}");
    // The network's failure is said once (the operation said it, then the command
    // again).
    let failed = "the network failed (nothing answered)";
    assert_eq!(all.matches(failed).count(), 1, "{all}");
}

/// mise's tasks become vx's `[tasks]` (issue 43 item 10, issue 51 item 8), from a
/// mise.toml shaped like the real ones (a depends-only `lint` over a glob, a `run`
/// array with `env`, `dir` under `{{config_root}}`, `sources`/`outputs`,
/// `depends_post`, `alias`, `hide`, a `usage` spec and `{{arg()}}`/`{{option()}}`
/// templates, a `.mise/tasks/` file task with `#MISE` and `#USAGE` headers): each
/// imported, what vx has no counterpart for named with the reason, and `vx run` runs
/// the graph from the project's directory as mise would.
#[test]
fn mise_tasks_become_scripts_that_vx_run_runs() {
    let w = World::new();
    std::fs::create_dir_all(w.path("web")).unwrap();
    std::fs::create_dir_all(w.path("src")).unwrap();
    std::fs::write(w.path("src/main.txt"), "source\n").unwrap();
    std::fs::write(
        w.path("mise.toml"),
        r#"[tools]
ripgrep = "14.1.1"

[tasks."lint:a"]
run = "echo lint-a >> order.txt"

[tasks."lint:b"]
run = "echo lint-b >> order.txt"
hide = true

[tasks.lint]
depends = ["lint:*"]

[tasks.test]
run = ["echo first >> order.txt", "echo then-$GREETING >> order.txt"]
depends = ["build"]
env = { GREETING = "hello" }
description = "runs the tests"
alias = "t"

[tasks.build]
run = "pwd > built-in.txt; cp ../src/main.txt ../out.txt"
dir = "{{config_root}}/web"
sources = ["src/**/*.txt"]
outputs = ["out.txt"]
timeout = "5m"

[tasks.ci]
depends = ["lint", "test"]
depends_post = ["notify"]

[tasks.notify]
run = "echo notified >> order.txt"

[tasks.greet]
run = "echo {{option(name='greeting', default='hello')}} {{arg(name='who', default='world')}} >> greet.txt"

[tasks.serve]
usage = '''
arg "<port>" help="the port"
flag "-v --verbose"
'''
run = "echo serving {{usage.port}} {{usage.verbose}} >> serve.txt"

[tasks.weird]
run = "echo {{exec(command='date')}}"

[tasks.fetch]
run = "echo fetch"
depends = ["build --release"]
"#,
    )
    .unwrap();
    std::fs::create_dir_all(w.path(".mise/tasks")).unwrap();
    let deploy = w.path(".mise/tasks/deploy");
    std::fs::write(
        &deploy,
        "#!/bin/sh\n#MISE description=\"Deploy the site\"\n#MISE depends=[\"build\"]\n#USAGE arg \"[target]\" default=\"staging\"\necho \"deployed $VX_ARG_TARGET $*\" >> deploy.txt\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&deploy, std::fs::Permissions::from_mode(0o755)).unwrap();

    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "one skipped, the rest written: {all}"
    );
    assert!(
        all.contains("1 entry was skipped (the lines above say why)"),
        "{all}"
    );
    for line in [
        "imported task test from mise.toml\n",
        // Its `timeout = "5m"` is taken (vx.toml's `timeout`).
        "imported task build from mise.toml\n",
        "imported task lint from mise.toml\n",
        "imported task ci from mise.toml\n",
        "imported task greet from mise.toml\n",
        "imported task serve from mise.toml\n",
        // A file task: named by its own file.
        "imported task deploy from .mise/tasks/deploy\n",
        "skipped task weird from mise.toml:",
        "the template `{{exec(command='date')}}` has no vx counterpart",
        // A dependency with arguments runs first, as a command (issue 64).
        "imported task fetch from mise.toml\n",
    ] {
        assert!(all.contains(line), "{line:?} missing:\n{all}");
    }
    let manifest = w.toml();
    assert!(manifest.contains("[tasks]"), "{manifest}");
    assert!(manifest.contains(r#"timeout = "5m""#), "{manifest}");

    let run = w.vx(&["run", "ci"]);
    assert_eq!(run.status.code(), Some(0), "{}", both(&run));
    let order = std::fs::read_to_string(w.path("order.txt")).unwrap();
    let lines: Vec<&str> = order.lines().collect();
    assert_eq!(lines.len(), 5, "{order}");
    assert_eq!(
        lines.last(),
        Some(&"notified"),
        "depends_post last: {order}"
    );
    assert!(order.contains("first\nthen-hello\n"), "{order}");
    let built = std::fs::read_to_string(w.path("web/built-in.txt")).unwrap();
    assert!(
        built.trim_end().ends_with("/web"),
        "build ran first, in web/: {built}"
    );
    // The templates' arguments, the usage spec and the file task.
    let greet = w.vx(&["run", "greet", "you", "--greeting", "hi"]);
    assert_eq!(greet.status.code(), Some(0), "{}", both(&greet));
    assert_eq!(
        std::fs::read_to_string(w.path("greet.txt")).unwrap(),
        "hi you\n"
    );
    let serve = w.vx(&["run", "serve", "8080", "--verbose"]);
    assert_eq!(serve.status.code(), Some(0), "{}", both(&serve));
    // usage's `-v` of `flag "-v --verbose"` is kept in vx.toml (`short = "v"`).
    assert!(manifest.contains(r#"short = "v""#), "{manifest}");
    let serve = w.vx(&["run", "serve", "-v", "8081"]);
    assert_eq!(serve.status.code(), Some(0), "{}", both(&serve));
    assert_eq!(
        std::fs::read_to_string(w.path("serve.txt")).unwrap(),
        "serving 8080 true\nserving 8081 true\n"
    );
    let help = stdout(&w.vx(&["run", "serve", "--help"]));
    assert!(help.contains("the port (required)"), "{help}");
    assert!(help.contains("-v, --verbose"), "{help}");
    let deployed = w.vx(&["run", "deploy", "prod"]);
    assert_eq!(deployed.status.code(), Some(0), "{}", both(&deployed));
    assert_eq!(
        std::fs::read_to_string(w.path("deploy.txt")).unwrap(),
        "deployed prod prod\n"
    );
    let list = stdout(&w.vx(&["run"]));
    assert!(
        list.contains("(alias: t)") && !list.contains("lint:b"),
        "{list}"
    );
}

/// A tool vx.toml lists in the long form (a URL tool: no registry knows its name) is
/// left alone, as any listed tool is; it was looked up, named unknown ("did you mean
/// …?") and the import exited 1.
#[test]
fn a_url_tool_vx_toml_lists_already_is_left_alone() {
    let w = World::new();
    let existing =
        "[tools.greet]\nversion = \"1.0.0\"\nurl = \"http://127.0.0.1:9/greet-{version}.tar.gz\"\n";
    w.work.write_manifest(existing);
    std::fs::write(w.path(".tool-versions"), "greet 2.0.0\n").unwrap();
    let out = w.vx(&["import", ".tool-versions"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("vx.toml lists it already"), "{all}");
    assert_eq!(w.toml(), existing);
}

/// Offline with nothing cached (issue 48, item 4): an exact pin is written as the file
/// gives it, the lock is left to `vx lock` (said, with how), and the import exits 0;
/// a range, which needs the publisher's index, is still skipped with the index's URL.
#[test]
fn offline_import_writes_exact_pins_and_leaves_the_lock_for_later() {
    let w = World::new();
    write(&w, ".nvmrc", "v20.11.1\n");
    let out = w.vx(&["import", "--offline"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        w.toml().contains("node = { version_file = \".nvmrc\" }"),
        "{}\n{all}",
        w.toml()
    );
    assert!(
        stdout(&out).contains(
            "imported node 20.11.1 from .nvmrc (not checked: node's publisher could not be read)"
        ),
        "{all}"
    );
    assert!(
        all.contains("run `vx lock` when"),
        "says how the lock is filled later: {all}"
    );
    // Online, `vx lock` fills it.
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(w.locked(), pairs(&[("node", "20.11.1")]));

    let w = World::new();
    write(&w, ".nvmrc", "20\n");
    let out = w.vx(&["import", "--offline"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    let skipped = said(&out);
    assert!(
        skipped[0].starts_with("skipped node 20 from .nvmrc:1: ")
            && skipped[0].contains("/dist/index.json"),
        "{all}"
    );
    assert!(
        !w.path("vx.toml").exists() || !w.toml().contains("node"),
        "{all}"
    );
}

/// `lts` and `lts/iron` (issue 48, item 3) import as `vx add` takes them: the
/// runtime's own words, locked to the newest of the line.
#[test]
fn lts_lines_import_as_vx_add_takes_them() {
    // `lts/iron` stays in .nvmrc, the pin; nvm's `lts/*` is written as vx takes it.
    for (written, constraint, pin) in [
        ("lts/iron", "lts/iron", "{ version_file = \".nvmrc\" }"),
        ("lts/*", "lts", "\"lts\""),
    ] {
        let w = World::new();
        write(&w, ".nvmrc", &format!("{written}\n"));
        let out = w.vx(&["import"]);
        let all = both(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        assert!(
            w.toml().contains(&format!("node = {pin}")),
            "{}\n{all}",
            w.toml()
        );
        assert!(
            stdout(&out).contains(&format!("imported node {constraint} from .nvmrc")),
            "{all}"
        );
        assert_eq!(w.locked(), pairs(&[("node", "20.12.0")]), "{written}");
    }
}

/// A near miss of a runtime's name (issue 49, item 8): `vx add nodee` suggests the
/// runtime `node` first, not only the registry's closest package.
#[test]
fn a_near_miss_of_a_runtime_suggests_the_runtime() {
    let w = World::new();
    w.work.write_manifest("[tools]\n");
    let out = w.vx(&["add", "nodee"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("no runtime or package is named `nodee`; did you mean the runtime `node`?"),
        "{all}"
    );
    assert_eq!(w.toml(), "[tools]\n");
    // The same near miss written in vx.toml by hand (issue 63, item 9): `vx lock`
    // and `vx sync` say it too, at its line.
    w.work.write_manifest("[tools]\nnodee = \"20\"\n");
    for command in ["lock", "sync"] {
        let out = w.vx(&[command]);
        let all = both(&out);
        assert_ne!(out.status.code(), Some(0), "{all}");
        assert!(
            all.contains("vx.toml:2:1") && all.contains("did you mean the runtime `node`?"),
            "{command}: {all}"
        );
    }
}

/// Issue 49, item 7: mise's virtual environment — a python's `virtualenv` option and
/// the `_.python.venv` directive (a path, or a table with `path`) — becomes
/// `[settings] python_venv`, not a dropped option; a vx.toml that names one already
/// keeps its own.
#[test]
fn mise_virtual_environments_become_the_projects_python_venv() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tools]\nripgrep = \"14.1.1\"\n\n[env]\n_.python.venv = { path = \"{{config_root}}/.venv\", create = true }\n",
    );
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert!(
        stdout(&out).contains(
            "imported virtual environment .venv from mise.toml into [settings] python_venv"
        ),
        "{all}"
    );
    let manifest: toml::Table = w.toml().parse().unwrap();
    assert_eq!(
        manifest["settings"]["python_venv"].as_str(),
        Some(".venv"),
        "{}",
        w.toml()
    );

    // A python's own option, into a vx.toml that names none yet.
    std::fs::remove_file(w.work.manifest()).unwrap();
    let _ = std::fs::remove_file(w.path("vx.lock"));
    write(
        &w,
        "mise.toml",
        "[tools]\npython = { version = \"3.12\", virtualenv = \"venvs/app\" }\n",
    );
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert!(
        stdout(&out).contains(
            "imported virtual environment venvs/app from mise.toml into [settings] python_venv"
        ),
        "{all}"
    );
    assert!(
        !all.contains("mise options not imported: virtualenv"),
        "{all}"
    );
    let manifest: toml::Table = w.toml().parse().unwrap();
    assert_eq!(
        manifest["settings"]["python_venv"].as_str(),
        Some("venvs/app")
    );

    // vx.toml's own choice stays.
    write(&w, "mise.toml", "[env]\n_.python.venv = \".other\"\n");
    w.vx(&["import", "mise.toml"]);
    let manifest: toml::Table = w.toml().parse().unwrap();
    assert_eq!(
        manifest["settings"]["python_venv"].as_str(),
        Some("venvs/app")
    );
}

#[test]
fn mise_local_toml_goes_into_the_persons_layer_and_its_own_lock() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tools]\nnode = \"20\"\nripgrep = \"14.1.1\"\n\n[env]\nTEAM = \"team\"\n",
    );
    write(
        &w,
        "mise.local.toml",
        "[tools]\nnode = \"18\"\nterraform = \"1.9.0\"\n\n[env]\nMINE = \"mine\"\n_.path = [\"mybin\"]\n\n[tasks]\nmine = \"echo mine\"\n",
    );
    let out = w.vx(&["import"]);
    let all = both(&out);
    // What the layer cannot hold is said, with where it belongs (exit 0: the rest is
    // written).
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(
        said(&out),
        [
            "imported node 20 from mise.toml",
            "imported ripgrep 14.1.1 from mise.toml",
            "imported env TEAM from mise.toml",
            "imported node 18 from mise.local.toml",
            "imported terraform 1.9.0 from mise.local.toml",
            "imported env MINE from mise.local.toml",
            "skipped task mine from mise.local.toml:10: vx.local.toml holds only [tools] and [env]; the team's settings and tasks belong in vx.toml",
            "skipped path mybin from mise.local.toml:7: vx.local.toml holds only [tools] and [env]; the team's settings and tasks belong in vx.toml",
        ],
        "{all}"
    );
    // The team's files hold the team's file only.
    let team = w.toml();
    assert!(
        team.contains("node = { version_file = \"mise.toml\" }") && team.contains("TEAM"),
        "{team}"
    );
    assert!(
        !team.contains("terraform") && !team.contains("MINE"),
        "{team}"
    );
    assert_eq!(
        w.locked(),
        pairs(&[("node", "20.12.0"), ("ripgrep", "14.1.1")])
    );
    // The person's layer and its lock.
    let layer = std::fs::read_to_string(w.path("vx.local.toml")).unwrap();
    assert!(
        layer
            .ends_with("[tools]\nnode = \"18\"\nterraform = \"1.9.0\"\n\n[env]\nMINE = \"mine\"\n"),
        "{layer}"
    );
    let local: toml::Table = std::fs::read_to_string(w.path("vx.local.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let versions: Vec<(String, String)> = local["tools"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(name, t)| (name.clone(), t["version"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        versions,
        pairs(&[("node", "18.19.0"), ("terraform", "1.9.0")])
    );
    // Every command reads the layer over the team's file.
    let out = w.vx(&["lock", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

#[test]
fn mise_local_toml_without_a_vx_toml_is_refused_and_nothing_is_written() {
    let w = World::new();
    write(&w, "mise.local.toml", "[tools]\nnode = \"18\"\n");
    let out = w.vx(&["import", "mise.local.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mise.local.toml: a person's file is imported into vx.local.toml, a layer over the project's vx.toml, and there is none at"),
        "{err}"
    );
    for name in ["vx.toml", "vx.local.toml", "vx.lock", "vx.local.lock"] {
        assert!(!w.path(name).exists(), "{name} written");
    }
    // `vx init` makes the team's vx.toml and leaves the person's file alone.
    write(&w, "mise.toml", "[tools]\nnode = \"20\"\n");
    let out = w.vx(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(!w.toml().contains("\"18\""), "{}", w.toml());
    assert!(!w.path("vx.local.toml").exists());
}

/// An import whose lock cannot be read (here: a vx.local.lock that is not a lock) puts
/// back everything the command wrote: the person's layer, and the team's vx.toml and
/// vx.lock its first part had written (an unreadable lock once left vx.toml written).
#[test]
fn an_import_whose_lock_cannot_be_read_leaves_every_file_as_it_was() {
    let w = World::new();
    write(&w, "mise.toml", "[tools]\nnode = \"20\"\n");
    write(&w, "mise.local.toml", "[tools]\nnode = \"18\"\n");
    write(&w, "vx.toml", "[tools]\nripgrep = \"14.1.1\"\n");
    write(&w, "vx.local.lock", "this is [not a lock\n");
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("vx.local.lock"), "the file is named: {all}");
    assert!(
        all.contains("are as they were before this command"),
        "{all}"
    );
    assert_eq!(w.toml(), "[tools]\nripgrep = \"14.1.1\"\n", "{all}");
    assert!(!w.path("vx.local.toml").exists(), "{all}");
    assert_eq!(
        std::fs::read_to_string(w.path("vx.local.lock")).unwrap(),
        "this is [not a lock\n"
    );
}

/// Issue 64, items 3, 4, 5 and 6: a mise project's tasks run as mise runs them once
/// imported. Its `_.file = ".env"` is optional, as mise takes it (a fresh clone has no
/// `.env`, and every task failed on it); a task of several lines stops at its first
/// failing line (mise runs `sh -o errexit -c`; vx ran the next line and exited 0); a
/// task's own `tools` are kept (they were dropped); and a mise task vx cannot take is
/// never replaced by package.json's script of the same name (`vx run test` ran
/// `npm run test`, silently).
#[test]
fn a_mise_projects_tasks_run_as_mise_runs_them() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[env]\n_.file = \".env\"\n\n\
         [tasks.hi]\nrun = \"echo hi\"\n\n\
         [tasks.check]\nrun = \"\"\"\nfalse\necho after-the-failure\n\"\"\"\n\n\
         [tasks.fmt]\nrun = \"echo fmt\"\ntools = { ripgrep = \"14.1.1\" }\n\n\
         [tasks.test]\nrun = \"echo {{exec(command='date')}}\"\n",
    );
    write(
        &w,
        "package.json",
        "{\"name\": \"demo\", \"scripts\": {\"test\": \"echo package-json-test\"}}",
    );
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert!(all.contains("skipped task test from mise.toml:"), "{all}");
    let manifest: toml::Table = w.toml().parse().unwrap();
    assert_eq!(
        manifest["settings"]["env_file"][0]["optional"].as_bool(),
        Some(true),
        "{}",
        w.toml()
    );
    assert_eq!(
        manifest["tasks"]["fmt"]["tools"]["ripgrep"].as_str(),
        Some("14.1.1"),
        "{}",
        w.toml()
    );
    assert!(!w.path(".env").exists());

    let hi = w.vx(&["run", "hi"]);
    assert_eq!(hi.status.code(), Some(0), "{}", both(&hi));
    assert_eq!(stdout(&hi).trim(), "hi");

    let check = w.vx(&["run", "check"]);
    assert_ne!(check.status.code(), Some(0), "{}", both(&check));
    assert!(
        !both(&check).contains("after-the-failure"),
        "{}",
        both(&check)
    );

    let test = w.vx(&["run", "test"]);
    let all = both(&test);
    assert_eq!(test.status.code(), Some(2), "{all}");
    assert!(!all.contains("package-json-test"), "{all}");
    assert!(
        all.contains("`test` is a task of mise.toml that")
            && all.contains("vx cannot take it as written"),
        "{all}"
    );
}

/// Issue 64, items 2 and 7: mise's `[vars]` (`{{vars.NAME}}`), `{{config_root}}` and
/// `{{env.NAME}}` in a task's commands, and an `{{option()}}` without a default
/// (optional and empty, as mise takes it), were refused; each runs as mise runs it.
#[test]
fn a_mise_tasks_vars_config_root_env_and_optional_options_run_as_mise_runs_them() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[vars]\ngreeting = \"hello from vars\"\n\n\
         [tasks.show]\nrun = \"echo '{{vars.greeting}}' {{config_root}} $GREETED-{{env.GREETED}} [{{option(name='extra')}}]\"\n",
    );
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert!(all.contains("imported task show from mise.toml"), "{all}");
    let show = w
        .command(&["run", "show"])
        .env("GREETED", "you")
        .output()
        .unwrap();
    let all = both(&show);
    assert_eq!(show.status.code(), Some(0), "{all}");
    let project = w.work.dir.path().canonicalize().unwrap();
    assert_eq!(
        stdout(&show).trim(),
        format!("hello from vars {} you-you []", project.display()),
        "{all}"
    );
    let given = w
        .command(&["run", "show", "--extra", "x"])
        .env("GREETED", "you")
        .output()
        .unwrap();
    assert!(stdout(&given).trim().ends_with("[x]"), "{}", both(&given));
}

/// Issue 64, item 1: `[task_config] includes` (a TOML file of tasks, a directory of
/// file tasks, relative to the config) was ignored, silently; its tasks import, and
/// the default file-task directories give way to it, as mise reads them.
#[test]
fn a_mise_files_task_includes_are_imported() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[task_config]\nincludes = [\"tasks.toml\", \"scripts/tasks\"]\n\n[tasks.own]\nrun = \"echo own\"\n",
    );
    write(
        &w,
        "tasks.toml",
        "[lint]\nrun = \"echo linted\"\n\n[fmt]\nrun = \"echo formatted\"\ndescription = \"Format\"\n",
    );
    write(
        &w,
        "scripts/tasks/release",
        "#!/bin/sh\necho released \"$@\"\n",
    );
    write(&w, "mise-tasks/ignored", "#!/bin/sh\necho not-included\n");
    for script in ["scripts/tasks/release", "mise-tasks/ignored"] {
        std::fs::set_permissions(w.path(script), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    // Each named by the file it is written in.
    for task in [
        "own from mise.toml",
        "lint from tasks.toml",
        "fmt from tasks.toml",
        "release from scripts/tasks/release",
    ] {
        assert!(
            all.contains(&format!("imported task {task}")),
            "{task}: {all}"
        );
    }
    assert!(
        !all.contains("ignored"),
        "the default directories give way: {all}"
    );
    for (task, said) in [
        ("lint", "linted"),
        ("fmt", "formatted"),
        ("release", "released now"),
    ] {
        let args: Vec<&str> = match task {
            "release" => vec!["run", task, "now"],
            _ => vec!["run", task],
        };
        let run = w.vx(&args);
        assert_eq!(run.status.code(), Some(0), "{}", both(&run));
        assert_eq!(stdout(&run).trim(), said, "{}", both(&run));
    }
}

/// Issue 64, item 7: a description of several lines and a variadic `{{arg(var=true)}}`
/// were refused; the first line is the description (what mise lists), and the
/// variadic argument takes every word given.
#[test]
fn a_mise_tasks_long_description_and_variadic_argument_import() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.each]\ndescription = \"\"\"\nEcho each file\n\nThen stop.\n\"\"\"\nrun = \"printf '<%s>' {{arg(name='files', var=true)}}\"\n",
    );
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    assert!(all.contains("imported task each from mise.toml"), "{all}");
    let manifest: toml::Table = w.toml().parse().unwrap();
    assert_eq!(
        manifest["tasks"]["each"]["description"].as_str(),
        Some("Echo each file")
    );
    let run = w.vx(&["run", "each", "a b", "c"]);
    assert_eq!(run.status.code(), Some(0), "{}", both(&run));
    assert_eq!(stdout(&run), "<a b><c>");
}

/// `vx import mise.toml`, each of `tasks` said imported (from mise.toml, or from the
/// file a `NAME from FILE` entry names: a file task's own): all it printed.
fn import_tasks(w: &World, tasks: &[&str]) -> String {
    let out = w.vx(&["import", "mise.toml"]);
    let all = both(&out);
    for task in tasks {
        let from = match task.contains(" from ") {
            true => String::new(),
            false => " from mise.toml".to_owned(),
        };
        assert!(
            all.contains(&format!("imported task {task}{from}")),
            "{task}: {all}"
        );
    }
    all
}

/// Issue 64, item 7: a task whose `depends` names a task the file lacks was refused at
/// import; it is imported and listed, running it fails naming the missing task (as
/// mise does), and the file's other tasks run.
#[test]
fn a_mise_task_depending_on_a_missing_task_is_listed_and_fails_when_run() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.ci]\nrun = \"echo ci\"\ndepends = [\"lint\", \"missing\"]\n\n[tasks.lint]\nrun = \"echo linted\"\n",
    );
    let all = import_tasks(&w, &["ci"]);
    assert!(
        all.contains("task ci depends on `missing`, which is no task here: it is listed, and running it fails naming it (as in mise)"),
        "{all}"
    );
    let list = w.vx(&["run"]);
    assert_eq!(list.status.code(), Some(0), "{}", both(&list));
    assert!(
        stdout(&list).lines().any(|l| l.starts_with("ci ")),
        "{}",
        both(&list)
    );
    let ci = w.vx(&["run", "ci"]);
    let all = both(&ci);
    assert_eq!(ci.status.code(), Some(2), "{all}");
    assert!(
        all.contains("task `missing` (needed by ci) does not exist"),
        "{all}"
    );
    assert!(!stdout(&ci).contains("ci\n"), "ci did not run: {all}");
    let lint = w.vx(&["run", "lint"]);
    assert_eq!(lint.status.code(), Some(0), "{}", both(&lint));
    assert_eq!(stdout(&lint).trim(), "linted");
}

/// Issue 64, item 2: `dir = "{{cwd}}"` and `{{cwd}}` in `run` were refused; a task with
/// that `dir` runs where the user ran `vx run` (a file task too, its file found from
/// the project), and `{{cwd}}` in a command is that directory wherever the task runs.
#[test]
fn a_mise_tasks_cwd_is_where_the_user_ran_it() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.here]\ndir = \"{{cwd}}\"\nrun = \"pwd -P\"\n\n\
         [tasks.where]\nrun = \"echo from={{cwd}} in=$(pwd -P)\"\n",
    );
    write(
        &w,
        "mise-tasks/file-here",
        "#!/bin/sh\n#MISE dir=\"{{ cwd }}\"\necho file-in=$(pwd -P)\n",
    );
    std::fs::set_permissions(
        w.path("mise-tasks/file-here"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::create_dir_all(w.path("sub")).unwrap();
    import_tasks(
        &w,
        &["here", "where", "file-here from mise-tasks/file-here"],
    );
    let project = w.work.dir.path().canonicalize().unwrap();
    let sub = project.join("sub");
    let from_sub = |task: &str| {
        let out = w
            .command(&["run", task])
            .current_dir(w.path("sub"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{task}: {}", both(&out));
        stdout(&out).trim().to_owned()
    };
    assert_eq!(from_sub("here"), sub.display().to_string());
    assert_eq!(
        from_sub("where"),
        format!("from={} in={}", sub.display(), project.display())
    );
    assert_eq!(from_sub("file-here"), format!("file-in={}", sub.display()));
}

/// Issue 64, item 7: `run = [{ task = … }]` steps were refused; `{ task = "NAME" }`
/// runs the task (with what it depends on) at that point of the list and `{ tasks =
/// [...] }` runs several at once, as mise runs them; a failing step stops the list.
#[test]
fn a_mise_tasks_task_steps_run_at_their_point() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.prepare]\nrun = \"echo prepared\"\n\n\
         [tasks.build]\nrun = \"echo built\"\ndepends = [\"prepare\"]\n\n\
         [tasks.lint]\nrun = \"echo linted\"\n\n\
         [tasks.test]\nrun = \"echo tested\"\n\n\
         [tasks.fails]\nrun = \"exit 3\"\n\n\
         [tasks.ci]\nrun = [\"echo start\", { task = \"build\" }, { tasks = [\"lint\", \"test\"] }, \"echo end\"]\n\n\
         [tasks.broken]\nrun = [{ task = \"fails\" }, \"echo never\"]\n",
    );
    import_tasks(&w, &["ci", "broken"]);
    let ci = w.vx(&["run", "ci"]);
    let all = both(&ci);
    assert_eq!(ci.status.code(), Some(0), "{all}");
    let out = stdout(&ci);
    let at = |word: &str| {
        let found: Vec<usize> = out.match_indices(word).map(|(i, _)| i).collect();
        assert_eq!(found.len(), 1, "{word} once: {all}");
        found[0]
    };
    let (start, prepared, built, end) = (at("start"), at("prepared"), at("built"), at("end"));
    let (linted, tested) = (at("linted"), at("tested"));
    assert!(start < prepared && prepared < built, "{all}");
    assert!(built < linted && built < tested, "{all}");
    assert!(linted < end && tested < end, "{all}");

    let broken = w.vx(&["run", "broken"]);
    let all = both(&broken);
    assert_eq!(broken.status.code(), Some(3), "{all}");
    assert!(!all.contains("never"), "{all}");
}

/// Issue 64, item 8: mise's file tasks are named without their extension (as mise
/// 2026.9 lists `update-version.sh`: `update-version`) and answer to the name with it
/// too, a group's `_default` is the
/// group (`docs`), and a `#USAGE` header declares the task's arguments (an optional
/// `[tag]`, a flag, an option with a default; a block of `choices` left to the
/// script) and gives the script their values as `$usage_NAME`, as mise does; `#MISE`
/// lines are its keys (`alias`, `description`).
#[test]
fn mise_file_tasks_are_named_and_take_their_usage_as_mise_does() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    write(&w, "mise.toml", "[tasks.docs-site]\nrun = \"echo site\"\n");
    let files = [
        (
            "mise-tasks/update-version.sh",
            "#!/bin/sh\necho updating \"$@\"\n",
        ),
        ("mise-tasks/docs/_default", "#!/bin/sh\necho docs-default\n"),
        ("mise-tasks/docs/build", "#!/bin/sh\necho docs-build\n"),
        (
            ".mise/tasks/deploy",
            "#!/bin/sh\n\
             #MISE description=\"Deploy it\"\n\
             #MISE alias=\"d\"\n\
             #USAGE arg \"<environment>\" help=\"Where to\" {\n\
             #USAGE   choices \"dev\" \"staging\" \"prod\"\n\
             #USAGE }\n\
             #USAGE arg \"[tag]\"\n\
             #USAGE flag \"-f --force\" help=\"Skip checks\"\n\
             #USAGE flag \"--region <region>\" default=\"us-east-1\"\n\
             echo \"env=$usage_environment tag=$usage_tag force=$usage_force region=$usage_region args=$*\"\n",
        ),
    ];
    for (path, text) in files {
        write(&w, path, text);
        std::fs::set_permissions(w.path(path), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let all = import_tasks(
        &w,
        &[
            "update-version from mise-tasks/update-version.sh",
            "docs from mise-tasks/docs/_default",
            "docs:build from mise-tasks/docs/build",
            "deploy from .mise/tasks/deploy",
        ],
    );
    assert!(!all.contains("docs:_default"), "no task so named: {all}");
    let run = |args: &[&str]| {
        let out = w.vx(&[&["run"], args].concat());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", both(&out));
        stdout(&out).trim().to_owned()
    };
    assert_eq!(run(&["update-version", "1.2"]), "updating 1.2");
    assert_eq!(run(&["update-version.sh", "1.3"]), "updating 1.3");
    assert_eq!(run(&["docs"]), "docs-default");
    assert_eq!(run(&["docs:build"]), "docs-build");
    assert_eq!(
        run(&["deploy", "prod", "--force"]),
        "env=prod tag= force=true region=us-east-1 args=prod --force"
    );
    assert_eq!(
        run(&["d", "staging", "v1", "--region", "eu"]),
        "env=staging tag=v1 force= region=eu args=staging v1 --region eu"
    );
    let help = w.vx(&["run", "deploy", "--help"]);
    assert!(stdout(&help).contains("Deploy it"), "{}", both(&help));
    // The environment is required, as the usage says.
    let bare = w.vx(&["run", "deploy"]);
    assert_eq!(bare.status.code(), Some(2), "{}", both(&bare));
}

/// Issue 64, item 9: `pipx:ruff` was swapped for the release binary `astral-sh/ruff`
/// and, where the project's registry has no such package, skipped (lost); vx installs
/// PyPI's ruff itself, so the entry keeps its backend and imports as `pypi:ruff`
/// (pypi.org's real page of ruff on loopback), saying why.
#[test]
fn a_swapped_backend_entry_keeps_its_backend_when_the_release_binary_is_not_had() {
    let w = World::new();
    let _pypi = w.serve_pypi();
    write(&w, "mise.toml", "[tools]\n\"pipx:ruff\" = \"0.8\"\n");
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let lines = said(&out);
    assert_eq!(lines.len(), 1, "{all}");
    assert!(
        lines[0].starts_with("imported pypi:ruff 0.8 from mise.toml (kept as pypi:ruff: the release binary of astral-sh/ruff is not to be had ("),
        "{all}"
    );
    assert!(
        !lines[0].contains("vx installs the release binary"),
        "{all}"
    );
    assert_eq!(w.locked(), pairs(&[("ruff", "0.8.4")]));
}

/// Issue 64, item 7: a TOML task's `usage` values reach its commands as `$usage_NAME`,
/// as mise gives them (they were empty); `-` in a name is `_`.
#[test]
fn a_mise_tasks_usage_values_reach_its_commands_as_variables() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.greet]\nusage = '''\narg \"<name>\"\nflag \"--dry-run\"\n'''\nrun = 'echo \"hello ${usage_name} dry=${usage_dry_run:-no}\"'\n",
    );
    import_tasks(&w, &["greet"]);
    let run = w.vx(&["run", "greet", "you it"]);
    assert_eq!(run.status.code(), Some(0), "{}", both(&run));
    assert_eq!(stdout(&run).trim(), "hello you it dry=no");
    let run = w.vx(&["run", "greet", "me", "--dry-run"]);
    assert_eq!(stdout(&run).trim(), "hello me dry=true", "{}", both(&run));
}

/// Issue 64: a dependency with arguments (`depends = ["greet --loud"]`) was refused; it
/// runs before the task's commands, with its arguments, as mise runs it. vx.toml gets
/// it as a `depends` table, `{ task = "greet", args = ["--loud"] }` (a task of the run
/// of its own), not as a command `"$VX" run greet --loud` prepended to `ship`'s.
#[test]
fn a_mise_dependency_with_arguments_runs_first_with_them() {
    let w = World::new();
    write(
        &w,
        "mise.toml",
        "[tasks.greet]\nrun = \"echo greeted\"\n\n\
         [tasks.ship]\nrun = \"echo shipped\"\ndepends = [\"greet --loud\", \"greet\"]\n",
    );
    import_tasks(&w, &["greet", "ship"]);
    let written = std::fs::read_to_string(w.path("vx.toml")).unwrap();
    let manifest: toml::Table = written.parse().unwrap();
    let ship = &manifest["tasks"]["ship"];
    assert_eq!(ship["run"].as_str(), Some("echo shipped"), "{written}");
    let depends = ship["depends"].as_array().unwrap();
    assert_eq!(depends[0].as_str(), Some("greet"), "{written}");
    assert_eq!(depends[1]["task"].as_str(), Some("greet"), "{written}");
    assert_eq!(depends[1]["args"][0].as_str(), Some("--loud"), "{written}");
    assert!(!written.contains("$VX"), "{written}");
    let run = w.vx(&["run", "ship"]);
    let all = both(&run);
    assert_eq!(run.status.code(), Some(0), "{all}");
    let out = stdout(&run);
    let loud = out
        .find("greeted --loud")
        .unwrap_or_else(|| panic!("{all}"));
    let shipped = out.find("shipped").unwrap_or_else(|| panic!("{all}"));
    assert!(loud < shipped, "{all}");
}

/// Issue 64: a mise project read in place (no vx.toml) maps its entries as `vx import`
/// does and locks them where they stand: a swapped entry is the release binary where
/// the registry has it (`cargo:ripgrep` → BurntSushi/ripgrep) and its own backend where
/// not (`pipx:ruff` → PyPI's ruff, pypi.org's real page on loopback); a second lock
/// pins both as they are; no vx.toml is written.
#[test]
fn a_mise_project_read_in_place_locks_swapped_entries_as_import_maps_them() {
    let w = World::new();
    let _pypi = w.serve_pypi();
    let mise = "[tools]\n\"pipx:ruff\" = \"0.8\"\n\"cargo:ripgrep\" = \"14\"\n";
    write(&w, "mise.toml", mise);
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(!w.path("vx.toml").exists(), "a vx.toml was written");
    assert_eq!(std::fs::read_to_string(w.path("mise.toml")).unwrap(), mise);
    let mut locked = w.locked();
    locked.sort();
    assert_eq!(locked, pairs(&[("ripgrep", "14.1.1"), ("ruff", "0.8.4")]));
    let lock_text = std::fs::read_to_string(w.path("vx.lock")).unwrap();
    let lock: toml::Table = lock_text.parse().unwrap();
    assert_eq!(lock["tools"]["ruff"]["package"].as_str(), Some("pypi:ruff"));
    assert!(
        lock["tools"]["ripgrep"]["package"]
            .as_str()
            .is_some_and(|p| p.ends_with("BurntSushi/ripgrep")),
        "{lock_text}"
    );
    let again = w.vx(&["lock"]);
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
    assert_eq!(
        std::fs::read_to_string(w.path("vx.lock")).unwrap(),
        lock_text,
        "the lock did not pin what it locked"
    );
}

/// Issue 79, item 1: an import keeps what it can. One tool whose lock fails (node's
/// `SHASUMS256.txt` answers 404, as a host blocked behind a company proxy does) is
/// skipped with its reason, as a name that cannot be looked up is; the others are
/// written and locked (it rolled every one back: "vx.toml is as it was"). `vx init`
/// alike. Only when nothing could be kept are the files put back.
#[test]
fn a_tool_whose_lock_fails_is_skipped_and_the_others_are_kept_and_locked() {
    let w = World::new();
    // nodejs.org's index lists 20.11.1; its checksum file is not there (404).
    let index = serde_json::json!([{
        "version": "v20.11.1", "date": "2024-02-14",
        "files": ["linux-arm64", "linux-x64", "osx-arm64-tar", "osx-x64-tar", "win-x64-zip"],
        "npm": "10.2.4", "lts": "Iron", "security": false,
    }]);
    let blocked = vx_fixture::TestServer::start([(
        "/dist/index.json",
        vx_fixture::Route::Tagged(serde_json::to_vec(&index).unwrap()),
    )]);
    let config = w.path("config/vx/config.toml");
    let text: String = std::fs::read_to_string(&config)
        .unwrap()
        .lines()
        .map(|line| {
            if line.starts_with("\"https://nodejs.org/dist/\"") {
                publishers::replacement("https://nodejs.org/dist/", &blocked.url("/dist/"))
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    std::fs::write(&config, text).unwrap();
    write(
        &w,
        ".tool-versions",
        "golang 1.22.0\nnodejs 20.11.1\nripgrep 14.1.1\n",
    );
    for command in ["init", "import"] {
        let _ = std::fs::remove_file(w.work.manifest());
        let _ = std::fs::remove_file(w.path("vx.lock"));
        let out = w.vx(&[command]);
        let all = both(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}: written, the skip said: {all}"
        );
        assert!(
            !all.contains("as it was before this command"),
            "{command}: {all}"
        );
        let lines = said(&out);
        assert_eq!(lines.len(), 3, "{command}: {all}");
        assert_eq!(
            lines[0], "imported go 1.22.0 from .tool-versions",
            "{command}: {all}"
        );
        assert!(
            lines[1].starts_with("skipped nodejs 20.11.1 from .tool-versions:2: "),
            "{command}: {all}"
        );
        assert!(lines[1].contains("SHASUMS256.txt"), "the reason: {all}");
        assert_eq!(
            lines[2], "imported ripgrep 14.1.1 from .tool-versions",
            "{command}: {all}"
        );
        assert!(all.contains("1 entry was skipped"), "{command}: {all}");
        let toml = w.toml();
        assert!(
            toml.contains("go = { version_file = \".tool-versions\" }"),
            "{command}: {toml}"
        );
        assert!(
            toml.contains("ripgrep = { version_file = \".tool-versions\" }"),
            "{command}: {toml}"
        );
        assert!(!toml.contains("node = "), "{command}: {toml}");
        assert!(w.path("vx.lock").exists(), "{command}: {all}");
        assert_eq!(
            w.locked(),
            pairs(&[("go", "1.22.0"), ("ripgrep", "14.1.1")]),
            "{command}: {all}"
        );
        // The project is whole: the lock is up to date.
        let out = w.vx(&["lock", "--check"]);
        assert_eq!(out.status.code(), Some(0), "{command}: {}", both(&out));
    }

    // Nothing could be kept: the files as they were, and exit 1.
    std::fs::remove_file(w.path("vx.lock")).unwrap();
    w.work.write_manifest("[tools]\n");
    write(&w, ".tool-versions", "nodejs 20.11.1\n");
    let out = w.vx(&["import"]);
    let all = both(&out);
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("as it was before this command"), "{all}");
    assert_eq!(w.toml(), "[tools]\n", "{all}");
    assert!(!w.path("vx.lock").exists(), "{all}");
}

/// Issue 79, item 3: an imported version file stays the pin. A tool whose version
/// comes from one file (`.nvmrc`, `.tool-versions`, a mise.toml's pin) is written
/// `{ version_file = "…" }`, so editing the file later moves the version (it was
/// written `node = "20.11.1"`, and the file drifted from vx.toml silently); `vx
/// doctor` names a pin of vx.toml that differs from a version file beside it.
#[test]
fn an_imported_version_file_stays_the_pin_and_doctor_names_a_drifted_one() {
    let w = World::new();
    write(&w, ".nvmrc", "20.11.1\n");
    write(&w, ".tool-versions", "ripgrep 14.1.1\n");
    write(&w, "mise.toml", "[tools]\ngo = \"1.22.0\"\n");
    let out = w.vx(&["init"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let toml = w.toml();
    for line in [
        "node = { version_file = \".nvmrc\" }",
        "ripgrep = { version_file = \".tool-versions\" }",
        "go = { version_file = \"mise.toml\" }",
    ] {
        assert!(toml.contains(line), "{line}: {toml}\n{all}");
    }
    assert!(
        stdout(&out).contains("imported node 20.11.1 from .nvmrc"),
        "{all}"
    );
    assert_eq!(
        w.locked(),
        pairs(&[("go", "1.22.0"), ("node", "20.11.1"), ("ripgrep", "14.1.1")]),
        "{all}"
    );
    // The file decides: the lock follows an edit of it.
    write(&w, ".nvmrc", "18.19.0\n");
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        w.locked()
            .contains(&("node".to_owned(), "18.19.0".to_owned())),
        "{}",
        both(&out)
    );
    let doctor = |w: &World| {
        let out = w.vx(&["doctor", "--offline", "--json"]);
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(&out)));
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "pins")
            .map(|f| f["what"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(doctor(&w), Vec::<String>::new(), "the files are the pins");
    // A pin written in vx.toml that the file beside it contradicts is named.
    w.work
        .write_manifest("[tools]\nnode = \"20.11.1\"\nripgrep = \"14\"\n");
    let found = doctor(&w);
    assert_eq!(
        found,
        vec!["node: vx.toml pins 20.11.1, and .nvmrc beside it says 18.19.0".to_owned()],
        "ripgrep 14 agrees with 14.1.1"
    );
}
