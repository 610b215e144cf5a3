//! The network settings a project's vx.toml may hold (`[settings] url_replacements` and
//! `mirrors`): never credentials. The effective settings they make with the
//! environment and the user config are [`vx_net::NetConfig`]'s.

use serde::{Deserialize, Serialize};

/// The network settings a project may hold (vx.toml's `[settings]`), never
/// credentials. A `vx sync` child receives them in its config frame.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectNet {
    /// `url_replacements`, in the file's order: (key, replacement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_replacements: Vec<(String, String)>,
    /// `mirrors`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<String>,
    /// `vx sync --mirror`: tried before every configured mirror, whatever
    /// `VX_MIRRORS` says (flags come before the environment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flag_mirrors: Vec<String>,
}

impl ProjectNet {
    /// Whether nothing is set.
    pub(crate) fn is_empty(&self) -> bool {
        self.url_replacements.is_empty() && self.mirrors.is_empty() && self.flag_mirrors.is_empty()
    }
}
