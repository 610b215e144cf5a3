//! From the tool names of asdf plugins, mise backends and aqua packages to what vx looks
//! up in its registries.
//!
//! A language runtime's name or alias (`nodejs`, `python`: `crate::runtime`) is vx's
//! own runtime, before any registry. Another plain name (`ripgrep`) is looked up in
//! the registries first, by their own
//! rules (`vx add` and `vx search` use the same); only a name they do not answer to is
//! tried again as the package [`ALIASES`] gives it, a short table of plugin names
//! known to differ from any registry name (`golang` → `golang/go`). An `owner/repo`
//! (aqua, mise's `aqua:`, `github:` and `ubi:` backends) is looked up as that package
//! only. mise's backends that build from a language's package registry (`cargo:`,
//! `npm:`, `pipx:`, `go:`…) are reported, never guessed at.

/// Most bytes of a tool name worth looking up.
const MAX_NAME: usize = 200;

/// Well-known plugin names of asdf and mise, and the package of aqua's standard
/// registry each installs. Only names a registry lookup does not resolve by itself
/// need to be here; each was checked against the standard registry.
pub const ALIASES: &[(&str, &str)] = &[
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
];

/// vx's language runtimes by every name they answer to (their own, then asdf's and
/// mise's), and the runtime each means: what files name, read below the runtimes
/// themselves (`crate::runtime`, whose `aliases` a test holds to this table).
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
}

impl Lookup {
    /// The name asked of the registries.
    pub fn name(&self) -> &str {
        match self {
            Lookup::Plugin(name) | Lookup::Package(name) => name,
        }
    }

    /// The package [`ALIASES`] gives a plugin name, if any.
    pub fn alias(&self) -> Option<&'static str> {
        match self {
            Lookup::Plugin(name) => ALIASES
                .iter()
                .find(|(plugin, _)| plugin == name)
                .map(|(_, package)| *package),
            Lookup::Package(_) => None,
        }
    }
}

/// What the tool written `name` is looked up by, or why it cannot be: mise's backend
/// prefixes (`aqua:`, `github:`, `ubi:`, `core:`, `asdf:`) taken off, a tool option
/// (`ubi:owner/repo[exe=rg]`) left out.
pub fn lookup_of(name: &str) -> Result<Lookup, String> {
    if name.is_empty() {
        return Err("the tool has no name".to_owned());
    }
    if name.len() > MAX_NAME {
        return Err(format!("the name is over {MAX_NAME} bytes"));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("the name holds control or space characters".to_owned());
    }
    let bare = match name.find('[') {
        Some(at) if name.ends_with(']') => &name[..at],
        _ => name,
    };
    let Some((backend, rest)) = bare.split_once(':') else {
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
                return Err(format!("`{rest}` names no plugin"));
            }
            Ok(Lookup::Plugin(plugin.to_owned()))
        }
        "cargo" | "npm" | "pipx" | "go" | "gem" | "dotnet" | "spm" | "conda" => Err(format!(
            "mise's `{backend}` backend installs from {backend}'s own package registry; vx installs release binaries from its registries (`vx search` may find the tool there)"
        )),
        other => Err(format!("mise's `{other}` backend has no counterpart in vx")),
    }
}

/// `owner/repo` (or a longer registry name) as written, checked for its shape.
fn package_name(name: &str) -> Result<String, String> {
    let name = name.trim_end_matches('/');
    if name.split('/').count() < 2 || name.split('/').any(str::is_empty) {
        return Err(format!(
            "`{name}` is not a package name such as `owner/repo`"
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(lookup_of("cargo:ripgrep").unwrap_err().contains("cargo"));
        assert!(lookup_of("npm:prettier").unwrap_err().contains("npm"));
        assert!(lookup_of("aqua:nothing").is_err());
        assert!(lookup_of("rip\x1b[2Jgrep").is_err());
    }

    #[test]
    fn only_plugin_names_have_aliases() {
        assert_eq!(Lookup::Plugin("golang".into()).alias(), Some("golang/go"));
        assert_eq!(Lookup::Plugin("python".into()).alias(), None);
        assert_eq!(Lookup::Package("nodejs".into()).alias(), None);
    }
}
