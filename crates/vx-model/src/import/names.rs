//! From the tool names of asdf plugins, mise backends and aqua packages to what vx looks
//! up in its registries.
//!
//! A language runtime's name or alias (`nodejs`, `python`: `vx_sources::runtime`) is vx's
//! own runtime, before any registry. Another plain name (`ripgrep`) is looked up in
//! the registries first, by their own
//! rules (`vx add` and `vx search` use the same); only a name they do not answer to is
//! tried again as the package [`ALIASES`] gives it, a short table of plugin names
//! known to differ from any registry name (`golang` → `golang/go`). An `owner/repo`
//! (aqua, mise's `aqua:`, `github:` and `ubi:` backends) is looked up as that package
//! only. mise's `npm:`, `pipx:`, `cargo:` and `go:` entries are vx's own registry
//! tools (a release binary of the same tool in aqua's registry preferred, said in a
//! note); the other build backends are reported, never guessed at.

use super::why::LookupError;

/// Most bytes of a tool name worth looking up.
const MAX_NAME: usize = 200;

/// Well-known plugin names of asdf and mise, and the package of aqua's standard
/// registry each installs. Only names a registry lookup does not resolve by itself
/// need to be here; each was checked against the standard registry.
pub(crate) const ALIASES: &[(&str, &str)] = &[
    ("golang", "golang/go"),
    ("go", "golang/go"),
    ("kubectl", "kubernetes/kubernetes/kubectl"),
    ("terraform", "hashicorp/terraform"),
    ("ripgrep", "BurntSushi/ripgrep"),
    ("github-cli", "cli/cli"),
    ("gh", "cli/cli"),
    ("helm", "helm/helm"),
    ("jq", "jqlang/jq"),
    ("yq", "mikefarah/yq"),
    ("deno", "denoland/deno"),
    ("bun", "oven-sh/bun"),
    ("kind", "kubernetes-sigs/kind"),
    ("k9s", "derailed/k9s"),
    ("shellcheck", "koalaman/shellcheck"),
    ("shfmt", "mvdan/sh"),
    ("terragrunt", "gruntwork-io/terragrunt"),
    // mise's short names (its registry/*.toml, first `aqua:` backend) and asdf's
    // plugin names that a registry lookup alone misses or finds ambiguous.
    ("tofu", "opentofu/opentofu"),
    ("opentofu", "opentofu/opentofu"),
    ("taplo", "tamasfe/taplo"),
    ("npm", "npm/cli"),
    ("gotestsum", "gotestyourself/gotestsum"),
    ("golangci-lint", "golangci/golangci-lint"),
    ("cargo-msrv", "foresterre/cargo-msrv"),
    ("cargo-nextest", "nextest-rs/nextest/cargo-nextest"),
    ("nextest", "nextest-rs/nextest/cargo-nextest"),
    ("awscli", "aws/aws-cli"),
    ("aws-cli", "aws/aws-cli"),
    ("aws", "aws/aws-cli"),
    ("argocd", "argoproj/argo-cd"),
    ("protoc", "protocolbuffers/protobuf/protoc"),
    ("delta", "dandavison/delta"),
    ("usage", "jdx/usage"),
    ("cmake", "Kitware/CMake"),
    ("gradle", "gradle/gradle-distributions"),
    ("pipx", "pypa/pipx"),
    ("pre-commit", "pre-commit/pre-commit"),
    ("act", "nektos/act"),
    ("task", "go-task/task"),
    ("age", "FiloSottile/age"),
    ("sops", "getsops/sops"),
    ("just", "casey/just"),
    ("uv", "astral-sh/uv"),
    ("ruff", "astral-sh/ruff"),
    ("pnpm", "pnpm/pnpm"),
    ("biome", "biomejs/biome"),
    ("hugo", "gohugoio/hugo"),
    ("actionlint", "rhysd/actionlint"),
    ("lefthook", "evilmartians/lefthook"),
    ("goreleaser", "goreleaser/goreleaser"),
    ("bazelisk", "bazelbuild/bazelisk"),
];

/// Packages of mise's `go:`, `cargo:`, `npm:` and `pipx:` backends (which build from
/// a language's package registry) that the standard registry ships as a release
/// binary: `BACKEND:PACKAGE` as mise names it, and the registry package. Each checked
/// against mise's registry (the tool's `backends`) and aqua's standard registry.
pub(crate) const BACKEND_PACKAGES: &[(&str, &str)] = &[
    ("go:gotest.tools/gotestsum", "gotestyourself/gotestsum"),
    (
        "go:github.com/golangci/golangci-lint/cmd/golangci-lint",
        "golangci/golangci-lint",
    ),
    (
        "go:github.com/golangci/golangci-lint/v2/cmd/golangci-lint",
        "golangci/golangci-lint",
    ),
    (
        "go:golang.org/x/tools/cmd/goimports",
        "golang/tools/goimports",
    ),
    ("go:github.com/golang/mock/mockgen", "golang/mock"),
    ("go:go.uber.org/mock/mockgen", "uber-go/mock"),
    ("go:mvdan.cc/sh/v3/cmd/shfmt", "mvdan/sh"),
    ("go:github.com/mikefarah/yq/v4", "mikefarah/yq"),
    (
        "go:github.com/rhysd/actionlint/cmd/actionlint",
        "rhysd/actionlint",
    ),
    (
        "go:github.com/evilmartians/lefthook",
        "evilmartians/lefthook",
    ),
    (
        "go:github.com/goreleaser/goreleaser",
        "goreleaser/goreleaser",
    ),
    (
        "go:github.com/goreleaser/goreleaser/v2",
        "goreleaser/goreleaser",
    ),
    (
        "go:honnef.co/go/tools/cmd/staticcheck",
        "dominikh/go-tools/staticcheck",
    ),
    (
        "go:github.com/securego/gosec/v2/cmd/gosec",
        "securego/gosec",
    ),
    (
        "go:golang.org/x/vuln/cmd/govulncheck",
        "golang/vuln/govulncheck",
    ),
    ("go:github.com/air-verse/air", "air-verse/air"),
    ("go:github.com/sqlc-dev/sqlc/cmd/sqlc", "sqlc-dev/sqlc"),
    ("cargo:cargo-nextest", "nextest-rs/nextest/cargo-nextest"),
    ("cargo:cargo-msrv", "foresterre/cargo-msrv"),
    ("cargo:ripgrep", "BurntSushi/ripgrep"),
    ("cargo:fd-find", "sharkdp/fd"),
    ("cargo:bat", "sharkdp/bat"),
    ("cargo:git-delta", "dandavison/delta"),
    ("cargo:just", "casey/just"),
    ("cargo:taplo-cli", "tamasfe/taplo"),
    ("cargo:typos-cli", "crate-ci/typos"),
    ("cargo:watchexec-cli", "watchexec/watchexec"),
    ("cargo:cargo-binstall", "cargo-bins/cargo-binstall"),
    ("cargo:usage-cli", "jdx/usage"),
    ("cargo:cargo-deny", "EmbarkStudios/cargo-deny"),
    ("cargo:cargo-audit", "rustsec/rustsec/cargo-audit"),
    ("npm:pnpm", "pnpm/pnpm"),
    ("npm:npm", "npm/cli"),
    ("npm:@biomejs/biome", "biomejs/biome"),
    ("npm:@bazel/bazelisk", "bazelbuild/bazelisk"),
    ("pipx:uv", "astral-sh/uv"),
    ("pipx:ruff", "astral-sh/ruff"),
    ("pipx:pre-commit", "pre-commit/pre-commit"),
];

/// mise's short names whose registry entry (mise's `registry/NAME.toml`, its first
/// backend) is an npm or PyPI package and that aqua's registry has no release binary
/// of: read as that package (`prettier` → `npm:prettier`). (`yamllint` is not here:
/// aqua's `wasilibs/go-yamllint` ships it as a binary.)
pub(crate) const MISE_REGISTRY_BACKENDS: &[(&str, &str)] = &[
    ("prettier", "npm:prettier"),
    ("markdownlint-cli2", "npm:markdownlint-cli2"),
    ("ansible", "pipx:ansible"),
    ("poetry", "pipx:poetry"),
];

/// What a build backend's entry needs that vx does not do, for its skip line.
fn build_backend_needs(backend: &str) -> Option<&'static str> {
    Some(match backend {
        "go" => "builds it with `go install` (vx would need a Go toolchain to build it)",
        "cargo" => "builds it with `cargo install` (vx would need a Rust toolchain to build it)",
        "npm" => "installs it from npm (vx would need Node.js and npm)",
        "pipx" => "installs it from PyPI with pipx (vx would need Python and pipx)",
        "gem" => "installs it from RubyGems (vx would need Ruby)",
        "dotnet" => "installs it as a .NET tool (vx would need the .NET SDK)",
        "spm" => "builds it with Swift's package manager (vx would need Swift)",
        "conda" => "installs it from conda (vx would need conda)",
        _ => return None,
    })
}

/// The note an entry of a build backend gets when [`BACKEND_PACKAGES`] maps it to a
/// release binary (`cargo:cargo-nextest` → what it says it imports instead).
pub fn backend_note(name: &str) -> Option<String> {
    let (backend, package) = backend_package(name)?;
    Some(format!(
        "mise's `{backend}` backend builds it; vx installs the release binary of {package}"
    ))
}

/// `(backend, package)` of [`BACKEND_PACKAGES`] for `name` (a trailing `@version` and
/// tool options left out).
fn backend_package(name: &str) -> Option<(&str, &'static str)> {
    let bare = match name.find('[') {
        Some(at) if name.ends_with(']') => &name[..at],
        _ => name,
    };
    let (backend, rest) = bare.split_once(':')?;
    let rest = match rest.rfind('@') {
        Some(at) if at > 0 => &rest[..at],
        _ => rest,
    };
    BACKEND_PACKAGES
        .iter()
        .find(|(key, _)| {
            key.split_once(':')
                .is_some_and(|(b, p)| b == backend && p.eq_ignore_ascii_case(rest))
        })
        .map(|(_, package)| (backend, *package))
}

/// vx's language runtimes by every name they answer to (their own, then asdf's and
/// mise's), and the runtime each means: what files name, read below the runtimes
/// themselves (`vx_sources::runtime`, whose `aliases` a test holds to this table).
pub const RUNTIMES: &[(&str, &str)] = &[
    ("node", "node"),
    ("nodejs", "node"),
    ("python", "python"),
    ("cpython", "python"),
    ("go", "go"),
    ("golang", "go"),
    ("java", "java"),
    ("jdk", "java"),
    ("ruby", "ruby"),
    ("rust", "rust"),
    ("rustc", "rust"),
    ("erlang", "erlang"),
    ("otp", "erlang"),
    ("erlang-otp", "erlang"),
    ("elixir", "elixir"),
];

/// The runtime `name` means (`nodejs` → `node`), if it names one.
pub fn runtime_of(name: &str) -> Option<&'static str> {
    RUNTIMES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// What a tool is looked up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A plugin or tool name: the registries' rules, then [`ALIASES`].
    Plugin(String),
    /// A package's full name (`owner/repo`): that package only.
    Package(String),
    /// A language registry's package as vx names it (`npm:prettier`,
    /// `pypi:yamllint`: `vx_sources::backend`), resolved from that registry.
    Backend(String),
}

impl Lookup {
    /// The name asked of the registries.
    pub fn name(&self) -> &str {
        match self {
            Lookup::Plugin(name) | Lookup::Package(name) | Lookup::Backend(name) => name,
        }
    }

    /// The package [`ALIASES`] gives a plugin name, if any.
    pub fn alias(&self) -> Option<&'static str> {
        match self {
            Lookup::Plugin(name) => ALIASES
                .iter()
                .find(|(plugin, _)| plugin == name)
                .map(|(_, package)| *package),
            Lookup::Package(_) | Lookup::Backend(_) => None,
        }
    }
}

/// What the tool written `name` is looked up by, or why it cannot be: mise's backend
/// prefixes (`aqua:`, `github:`, `ubi:`, `core:`, `asdf:`) taken off, a tool option
/// (`ubi:owner/repo[exe=rg]`) left out.
pub(crate) fn lookup_of(name: &str) -> Result<Lookup, LookupError> {
    if name.is_empty() {
        return Err(LookupError::NoName);
    }
    if name.len() > MAX_NAME {
        return Err(LookupError::TooLong { limit: MAX_NAME });
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(LookupError::ControlCharacters);
    }
    let bare = match name.find('[') {
        Some(at) if name.ends_with(']') => &name[..at],
        _ => name,
    };
    let Some((backend, rest)) = bare.split_once(':') else {
        if let Some((_, package)) = MISE_REGISTRY_BACKENDS.iter().find(|(n, _)| *n == bare) {
            return lookup_of(package);
        }
        return Ok(if bare.contains('/') {
            Lookup::Package(package_name(bare)?)
        } else {
            Lookup::Plugin(bare.to_owned())
        });
    };
    match backend {
        "aqua" | "github" | "ubi" => Ok(Lookup::Package(package_name(rest)?)),
        "core" => Ok(Lookup::Plugin(rest.to_owned())),
        "asdf" | "vfox" => {
            // `asdf:mise-plugins/asdf-ripgrep` or a URL: the plugin's repository name.
            let last = rest
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(rest);
            let last = last.strip_suffix(".git").unwrap_or(last);
            let plugin = last
                .strip_prefix("asdf-")
                .or_else(|| last.strip_prefix("vfox-"))
                .unwrap_or(last);
            if plugin.is_empty() {
                return Err(LookupError::NoPlugin {
                    rest: rest.to_owned(),
                });
            }
            Ok(Lookup::Plugin(plugin.to_owned()))
        }
        _ if build_backend_needs(backend).is_some() => match backend_package(bare) {
            Some((_, package)) => Ok(Lookup::Package(package.to_owned())),
            None if OWN_BACKENDS.contains(&backend) => own_backend(backend, rest),
            None => {
                let tool = rest.rsplit('/').next().unwrap_or(rest);
                let tool = tool.split('@').next().unwrap_or(tool);
                Err(LookupError::BuildBackend {
                    backend: backend.to_owned(),
                    needs: build_backend_needs(backend).unwrap_or_default(),
                    rest: rest.to_owned(),
                    tool: tool.to_owned(),
                })
            }
        },
        other => Err(LookupError::NoCounterpart {
            backend: other.to_owned(),
        }),
    }
}

/// The language registries vx resolves packages from itself (npm, PyPI, crates.io and
/// Go modules; crates and modules built with the project's rust or go).
const OWN_BACKENDS: &[&str] = &["npm", "pipx", "pypi", "cargo", "go"];

/// `BACKEND:rest` as vx's own backend's package (`pipx:ruff` → `pypi:ruff`), a
/// trailing `@version` left out (mise's tool options, `pipx:black[extras=jupyter]`,
/// were taken off before: they are not extras).
fn own_backend(backend: &str, rest: &str) -> Result<Lookup, LookupError> {
    let rest = match rest.rfind('@') {
        Some(at) if at > 0 => &rest[..at],
        _ => rest,
    };
    let name = format!("{backend}:{rest}");
    match crate::package_name::Name::parse(&name) {
        Ok(Some(name)) => Ok(Lookup::Backend(name.to_string())),
        Ok(None) => Err(LookupError::NoPackage { name }),
        Err(e) => Err(e.into()),
    }
}

/// What an entry [`lookup_of`] swaps for a release binary ([`BACKEND_PACKAGES`]:
/// `npm:@biomejs/biome` → `biomejs/biome`) is as its own backend's package
/// (`npm:@biomejs/biome`), which vx installs too: what it keeps when the release
/// binary cannot be had, so the entry is never lost to the swap. `None` for any other
/// entry.
pub fn unswapped(name: &str) -> Option<Lookup> {
    let bare = match name.find('[') {
        Some(at) if name.ends_with(']') => &name[..at],
        _ => name,
    };
    let (backend, _) = backend_package(bare)?;
    if !OWN_BACKENDS.contains(&backend) {
        return None;
    }
    let (_, rest) = bare.split_once(':')?;
    own_backend(backend, rest).ok()
}

/// A tool of a mise project read in place, as a vx.toml short-form entry: its key,
/// constraint and `package`, decided from the entry alone (no registry is asked: the
/// lock resolves it, as it does vx.toml's), and the language-registry package to fall
/// back on when the release binary it is swapped for cannot be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InPlace {
    /// The `[tools]` key: a runtime's name, the name as written, a package's full
    /// name, or a language registry's package (`npm:@biomejs/biome`).
    pub key: String,
    /// The constraint.
    pub constraint: String,
    /// The package looked up, when not the key: an [`ALIASES`] package, or the
    /// release binary a build backend's entry is swapped for ([`BACKEND_PACKAGES`]).
    pub package: Option<String>,
    /// The entry's own backend package, taken when `package` cannot be resolved.
    pub fallback: Option<String>,
}

/// `entry` as [`InPlace`] reads it, or why it cannot be read: the same names and
/// versions `vx import` maps ([`lookup_of`], [`runtime_of`], [`unswapped`],
/// [`super::version::runtime_constraint`]).
pub(crate) fn in_place(entry: &super::Entry) -> Result<InPlace, String> {
    let lookup = entry.lookup.clone().map_err(|e| e.to_string())?;
    let version = || entry.version.clone().map_err(|e| e.to_string());
    Ok(match lookup {
        Lookup::Plugin(name) => match runtime_of(&name) {
            Some(runtime) => InPlace {
                key: runtime.to_owned(),
                constraint: super::version::runtime_constraint(entry).map_err(|e| e.to_string())?,
                package: None,
                fallback: None,
            },
            None => InPlace {
                package: Lookup::Plugin(name.clone()).alias().map(str::to_owned),
                key: name,
                constraint: version()?,
                fallback: None,
            },
        },
        Lookup::Package(package) => match unswapped(&entry.name) {
            Some(Lookup::Backend(own)) => InPlace {
                key: own.clone(),
                constraint: version()?,
                package: Some(package),
                fallback: Some(own),
            },
            _ => InPlace {
                key: package,
                constraint: version()?,
                package: None,
                fallback: None,
            },
        },
        Lookup::Backend(own) => InPlace {
            key: own,
            constraint: version()?,
            package: None,
            fallback: None,
        },
    })
}

/// `owner/repo` (or a longer registry name) as written, checked for its shape.
fn package_name(name: &str) -> Result<String, LookupError> {
    let name = name.trim_end_matches('/');
    if name.split('/').count() < 2 || name.split('/').any(str::is_empty) {
        return Err(LookupError::NotPackageName {
            name: name.to_owned(),
        });
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swapped_entry_keeps_its_own_backend_to_fall_back_on() {
        assert_eq!(
            unswapped("npm:@biomejs/biome"),
            Some(Lookup::Backend("npm:@biomejs/biome".into()))
        );
        assert_eq!(
            unswapped("pipx:ruff"),
            Some(Lookup::Backend("pypi:ruff".into()))
        );
        assert_eq!(
            unswapped("cargo:cargo-nextest"),
            Some(Lookup::Backend("cargo:cargo-nextest".into()))
        );
        assert_eq!(
            unswapped("go:gotest.tools/gotestsum"),
            Some(Lookup::Backend("go:gotest.tools/gotestsum".into()))
        );
        // Not swapped: nothing to fall back on.
        assert_eq!(unswapped("npm:prettier"), None);
        assert_eq!(unswapped("aqua:cli/cli"), None);
    }

    #[test]
    fn backends_are_taken_off_and_build_backends_reported() {
        assert_eq!(lookup_of("nodejs"), Ok(Lookup::Plugin("nodejs".into())));
        assert_eq!(lookup_of("core:node"), Ok(Lookup::Plugin("node".into())));
        assert_eq!(
            lookup_of("aqua:cli/cli"),
            Ok(Lookup::Package("cli/cli".into()))
        );
        assert_eq!(
            lookup_of("ubi:BurntSushi/ripgrep[exe=rg]"),
            Ok(Lookup::Package("BurntSushi/ripgrep".into()))
        );
        assert_eq!(
            lookup_of("github:sharkdp/fd"),
            Ok(Lookup::Package("sharkdp/fd".into()))
        );
        assert_eq!(
            lookup_of("asdf:mise-plugins/asdf-ripgrep"),
            Ok(Lookup::Plugin("ripgrep".into()))
        );
        assert_eq!(
            lookup_of("asdf:https://github.com/x/asdf-kubectl.git"),
            Ok(Lookup::Plugin("kubectl".into()))
        );
        assert_eq!(
            lookup_of("cargo:ripgrep"),
            Ok(Lookup::Package("BurntSushi/ripgrep".into()))
        );
        assert_eq!(
            lookup_of("go:gotest.tools/gotestsum"),
            Ok(Lookup::Package("gotestyourself/gotestsum".into()))
        );
        assert_eq!(
            lookup_of("npm:prettier@3"),
            Ok(Lookup::Backend("npm:prettier".into()))
        );
        assert_eq!(
            lookup_of("pipx:Black"),
            Ok(Lookup::Backend("pypi:black".into()))
        );
        assert_eq!(
            lookup_of("prettier"),
            Ok(Lookup::Backend("npm:prettier".into()))
        );
        assert_eq!(lookup_of("yamllint"), Ok(Lookup::Plugin("yamllint".into())));
        let why = lookup_of("npm:@scope").unwrap_err().to_string();
        assert!(why.contains("scoped as @scope/name"), "{why}");
        // A Go tool aqua has no binary of: vx's own go: tool, built with the project's go.
        assert_eq!(
            lookup_of("go:example.com/x/cmd/tool@v1.2.0"),
            Ok(Lookup::Backend("go:example.com/x/cmd/tool".into()))
        );
        let why = lookup_of("gem:rubocop").unwrap_err().to_string();
        assert!(why.contains("would need Ruby"), "{why}");
        assert!(why.contains("`vx search rubocop`"), "{why}");
        assert!(lookup_of("aqua:nothing").is_err());
        assert!(lookup_of("rip\x1b[2Jgrep").is_err());
    }

    #[test]
    fn entries_read_in_place_map_as_import_maps_them() {
        let read =
            |name: &str, version: &str| in_place(&crate::import::Entry::new(name, version, None));
        let node = read("nodejs", "lts/iron").unwrap();
        assert_eq!(
            (node.key.as_str(), node.constraint.as_str()),
            ("node", "lts/iron")
        );
        let rg = read("ripgrep", "14").unwrap();
        assert_eq!(rg.package.as_deref(), Some("BurntSushi/ripgrep"));
        let biome = read("npm:@biomejs/biome", "1.9.4").unwrap();
        assert_eq!(biome.key, "npm:@biomejs/biome");
        assert_eq!(biome.package.as_deref(), Some("biomejs/biome"));
        assert_eq!(biome.fallback.as_deref(), Some("npm:@biomejs/biome"));
        let prettier = read("npm:prettier", "3").unwrap();
        assert_eq!(
            (prettier.key.as_str(), prettier.fallback),
            ("npm:prettier", None)
        );
        assert_eq!(read("aqua:cli/cli", "2").unwrap().key, "cli/cli");
        assert!(read("node", "system").is_err());
        assert!(read("gem:rubocop", "1").is_err());
    }

    #[test]
    fn only_plugin_names_have_aliases() {
        assert_eq!(Lookup::Plugin("golang".into()).alias(), Some("golang/go"));
        assert_eq!(Lookup::Plugin("python".into()).alias(), None);
        assert_eq!(Lookup::Package("nodejs".into()).alias(), None);
    }
}
