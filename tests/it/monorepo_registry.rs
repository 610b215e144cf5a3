//! A monorepo's package tasks through the team's registry (issue 77: "the cache hit per
//! package in a fresh clone from the registry"): the pnpm + turbo workspace of
//! [`super::monorepo`] with a vx.toml at its root naming the registry and the key it
//! trusts, a real registry on loopback and real minisign keys, as
//! [`super::tasks_cache_remote`] has them. CI's clone builds every package and pushes
//! each package's result signed; a fresh clone elsewhere, with an empty cache, restores
//! each package's build with no command run, and a change to one package runs that one
//! and its dependents only.

use std::path::Path;

use crate::common::Work;
use crate::common::registry_server::Registry;

use super::monorepo::{order, workspace};
use super::tasks_cache_remote::{Signers, cache_env};

/// A clone of the workspace whose root vx.toml names `registry`'s `team/mono` and
/// trusts `public`.
fn clone(registry: &Registry, public: &str) -> (Work, std::path::PathBuf) {
    let (work, repo) = workspace();
    std::fs::write(
        repo.join("vx.toml"),
        format!(
            "[settings]\ntask_cache = \"{}\"\ntask_cache_keys = [\"{public}\"]\n",
            registry.mirror("team/mono")
        ),
    )
    .unwrap();
    (work, repo)
}

/// `vx run build` at `repo`'s root, pushing signed with `signer` when given; it must
/// exit 0. What it said.
fn build(work: &Work, repo: &Path, signer: Option<&Path>) -> String {
    let home = work.dir.path().join("home");
    let push: &[&str] = if signer.is_some() { &["--push"] } else { &[] };
    let args = [&["run", "--output", "prefix"], push, &["build"]].concat();
    let (code, stdout, stderr) = work.outcome_with(&args, |cmd| {
        cache_env(cmd, &home, &home.join("docker"), signer).current_dir(repo);
    });
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

fn read(repo: &Path, rel: &str) -> String {
    std::fs::read_to_string(repo.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_fresh_clone_of_a_monorepo_restores_each_packages_build_from_the_registry() {
    let registry = Registry::start();
    let signers = Signers::new();
    let (public, secret) = signers.key("ci");

    let (ci, ci_repo) = clone(&registry, &public);
    let said = build(&ci, &ci_repo, Some(&secret));
    let mut built = order(&ci_repo);
    built.sort();
    assert_eq!(built, ["docs", "ui", "web"], "{said}");
    for task in ["@acme/ui#build", "web#build", "docs#build"] {
        let pushed = said
            .lines()
            .any(|l| l.contains(&format!("`{task}` kept (key ")) && l.contains("pushed to oci://"));
        assert!(pushed, "{task} was pushed: {said}");
    }

    let (laptop, repo) = clone(&registry, &public);
    let said = build(&laptop, &repo, None);
    assert_eq!(
        order(&repo),
        Vec::<String>::new(),
        "no package built: {said}"
    );
    for task in ["@acme/ui#build", "web#build", "docs#build"] {
        assert!(
            said.contains(&format!("`{task}` restored from the registry (key ")),
            "{task} came from the registry: {said}"
        );
    }
    for output in [
        "packages/ui/dist/ui.txt",
        "apps/web/dist/web.txt",
        "apps/docs/dist/docs.txt",
    ] {
        assert_eq!(read(&repo, output), read(&ci_repo, output), "{output}");
    }

    // A change to the shared package: it and the package that uses it build again, and
    // say why; the other, restored before, is up to date.
    std::fs::write(repo.join("packages/ui/src/ui.txt"), "ui two\n").unwrap();
    let said = build(&laptop, &repo, None);
    assert_eq!(order(&repo), ["ui", "web"], "{said}");
    assert_eq!(read(&repo, "apps/web/dist/web.txt"), "ui two\n");
    assert!(said.contains("`docs#build` is up to date"), "{said}");
    assert!(
        said.contains("`web#build` miss: dependency @acme/ui#build changed"),
        "{said}"
    );
}
