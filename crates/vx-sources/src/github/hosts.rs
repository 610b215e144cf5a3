//! Where GitHub is: its web host (release downloads, source archives, raw files) and its
//! API host (releases, tags). `https://github.com` and `https://api.github.com` by
//! default; a GitHub Enterprise Server (or the tests' loopback fixture) when
//! `VX_GITHUB_URL` / `VX_GITHUB_API_URL` or the user config's `[github] url` /
//! `api_url` say so. Every URL vx builds for a registry package goes through here, so
//! one setting moves all of them, and a GitHub token is sent to these hosts only
//! ([`GithubHosts::is_github`]).

/// GitHub's web and API base URLs, without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GithubHosts {
    /// The web base: `https://github.com`, or a GitHub Enterprise Server's.
    pub web: String,
    /// The REST API base: `https://api.github.com`, or `https://HOST/api/v3`.
    pub api: String,
}

/// github.com's web base.
pub(crate) const GITHUB_WEB: &str = "https://github.com";
/// github.com's API base.
pub(crate) const GITHUB_API: &str = "https://api.github.com";
/// github.com's raw file host.
pub(crate) const GITHUB_RAW: &str = "https://raw.githubusercontent.com";

impl Default for GithubHosts {
    fn default() -> GithubHosts {
        GithubHosts {
            web: GITHUB_WEB.to_owned(),
            api: GITHUB_API.to_owned(),
        }
    }
}

impl GithubHosts {
    /// Hosts from a web base and an optional API base (default: `WEB/api/v3` for a
    /// server other than github.com, as GitHub Enterprise Server serves it).
    pub fn new(web: &str, api: Option<&str>) -> GithubHosts {
        let web = web.trim_end_matches('/').to_owned();
        let api = match api {
            Some(api) => api.trim_end_matches('/').to_owned(),
            None if web == GITHUB_WEB => GITHUB_API.to_owned(),
            None => format!("{web}/api/v3"),
        };
        GithubHosts { web, api }
    }

    /// Whether this is github.com itself.
    pub fn is_dot_com(&self) -> bool {
        self.web == GITHUB_WEB
    }

    /// A release asset's download URL.
    pub fn release_download(&self, owner: &str, repo: &str, tag: &str, asset: &str) -> String {
        format!(
            "{}/{owner}/{repo}/releases/download/{tag}/{asset}",
            self.web
        )
    }

    /// The source archive of a tag (`github_archive`), as a `.tar.gz`.
    pub(crate) fn archive(&self, owner: &str, repo: &str, tag: &str) -> String {
        format!("{}/{owner}/{repo}/archive/refs/tags/{tag}.tar.gz", self.web)
    }

    /// A file of a repository at a ref (`github_content`, the standard registry).
    /// github.com serves them from its raw host; another server under
    /// `WEB/OWNER/REPO/raw/REF/PATH`.
    pub(crate) fn raw(&self, owner: &str, repo: &str, git_ref: &str, path: &str) -> String {
        let path = path.trim_start_matches('/');
        if self.is_dot_com() {
            format!("{GITHUB_RAW}/{owner}/{repo}/{git_ref}/{path}")
        } else {
            format!("{}/{owner}/{repo}/raw/{git_ref}/{path}", self.web)
        }
    }

    /// The REST API's comparison of two refs of a repository (`base...head`): the
    /// commits between them and every changed file, with its patch.
    pub(crate) fn compare(&self, owner: &str, repo: &str, base: &str, head: &str) -> String {
        format!("{}/repos/{owner}/{repo}/compare/{base}...{head}", self.api)
    }

    /// Whether `url` is on one of these hosts (or github.com's raw and asset hosts when
    /// these are github.com's): only such URLs may carry a GitHub token.
    pub(crate) fn is_github(&self, url: &str) -> bool {
        let origin = |u: &str| -> Option<String> {
            let (scheme, rest) = u.split_once("://")?;
            let host = rest.split(['/', '?', '#']).next()?;
            Some(format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            ))
        };
        let Some(target) = origin(url) else {
            return false;
        };
        let mut hosts = vec![origin(&self.web), origin(&self.api)];
        if self.is_dot_com() {
            hosts.push(origin(GITHUB_RAW));
        }
        hosts.into_iter().flatten().any(|h| h == target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_dot_com_urls() {
        let h = GithubHosts::default();
        assert_eq!(
            h.release_download("BurntSushi", "ripgrep", "14.1.1", "rg.tar.gz"),
            "https://github.com/BurntSushi/ripgrep/releases/download/14.1.1/rg.tar.gz"
        );
        assert_eq!(
            h.raw("aquaproj", "aqua-registry", "v4.0.0", "registry.yaml"),
            "https://raw.githubusercontent.com/aquaproj/aqua-registry/v4.0.0/registry.yaml"
        );
        assert!(h.is_github("https://api.github.com/repos/a/b/releases"));
        assert!(h.is_github("https://raw.githubusercontent.com/a/b/c"));
        assert!(!h.is_github("https://github.com.evil.example/a"));
        assert!(!h.is_github("http://github.com/a"));
    }

    #[test]
    fn an_enterprise_server_moves_every_url() {
        let h = GithubHosts::new("http://127.0.0.1:8080/", None);
        assert_eq!(h.api, "http://127.0.0.1:8080/api/v3");
        assert_eq!(
            h.raw("o", "r", "v1", "/registry.yaml"),
            "http://127.0.0.1:8080/o/r/raw/v1/registry.yaml"
        );
        assert_eq!(
            h.archive("o", "r", "v1"),
            "http://127.0.0.1:8080/o/r/archive/refs/tags/v1.tar.gz"
        );
        assert!(h.is_github("http://127.0.0.1:8080/api/v3/repos/o/r"));
        assert!(!h.is_github("http://127.0.0.1:8081/o/r"));
        assert!(!h.is_github("https://raw.githubusercontent.com/o/r/v1/x"));
    }
}
