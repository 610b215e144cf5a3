//! What `vx hook-env` leaves in the shell between prompts: the project it applied, the
//! stamps of what that answer came from, and what it changed (each variable's value
//! before, the `PATH` entries it put in front and `PATH` before).
//!
//! The state travels in one exported variable, [`STATE_VAR`]: JSON, deflated, in
//! URL-safe base64 behind a format tag. It comes from the environment, so it is never
//! trusted blindly: a value that does not decode, is of another format, names a
//! variable no shell can hold or a relative path, is treated as "nothing applied".

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::{Deserialize, Serialize};

use vx_model::manifest::environment::valid_var_name;
use vx_project::toolchain::activation::Stamp;

/// The exported variable holding the state.
pub const STATE_VAR: &str = "__VX_STATE";

/// The tag of the encoding; a value with another is ignored.
const TAG: &str = "vx1.";

/// The most a state may inflate to: a value that claims more is not vx's.
const MAX_DECODED: u64 = 4 << 20;

/// A path the answer depends on and its stamp when it was read (`None`: it did not
/// exist; its appearing is a change too, as when `vx sync` installs a missing tool).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched(pub PathBuf, pub Option<Stamp>);

impl Watched {
    /// `path` as it is now.
    pub(crate) fn now(path: PathBuf) -> Watched {
        let stamp = Stamp::of(&path);
        Watched(path, stamp)
    }

    /// Whether `path` is as it was.
    fn unchanged(&self) -> bool {
        Stamp::of(&self.0) == self.1
    }
}

/// What vx changed in the shell, to be undone on leaving the project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// The directories put in front of `PATH`, in order (tools' bins, `[settings]
    /// path`); empty when `PATH` was left alone.
    #[serde(default, rename = "p")]
    pub path_added: Vec<PathBuf>,
    /// `PATH` before (`None`: unset), when `path_added` is not empty.
    #[serde(default, rename = "b")]
    pub path_before: Option<String>,
    /// Each variable set or unset, once, with its value before (`None`: unset).
    #[serde(default, rename = "v")]
    pub vars: Vec<(String, Option<String>)>,
}

impl Applied {
    /// Whether nothing was changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.path_added.is_empty() && self.vars.is_empty()
    }
}

/// The state between two prompts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The manifest of the project the shell was in (`None`: none).
    #[serde(default, rename = "m")]
    pub manifest: Option<PathBuf>,
    /// What the answer for that project came from: vx.toml, vx.lock, the tools'
    /// directories.
    #[serde(default, rename = "w")]
    pub watched: Vec<Watched>,
    /// What is applied now.
    #[serde(default, rename = "a")]
    pub applied: Applied,
}

impl State {
    /// Whether the shell holds no state at all (the variable can go).
    pub(crate) fn is_empty(&self) -> bool {
        self.manifest.is_none() && self.watched.is_empty() && self.applied.is_empty()
    }

    /// Whether this state still answers for a shell whose project is `manifest`: the
    /// same project, and everything its answer came from unchanged (one `stat` each).
    pub fn is_current(&self, manifest: Option<&Path>) -> bool {
        self.manifest.as_deref() == manifest && self.watched.iter().all(Watched::unchanged)
    }

    /// The state as the variable's value.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        // Writing into a Vec cannot fail.
        let _ = deflate.write_all(&json);
        let packed = deflate.finish().unwrap_or_default();
        format!(
            "{TAG}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
        )
    }

    /// The state a variable's value holds, `None` when it is not one vx wrote (see the
    /// module docs).
    pub fn decode(text: &str) -> Option<State> {
        let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.strip_prefix(TAG)?)
            .ok()?;
        let mut json = Vec::new();
        flate2::read::DeflateDecoder::new(packed.as_slice())
            .take(MAX_DECODED + 1)
            .read_to_end(&mut json)
            .ok()?;
        if json.len() as u64 > MAX_DECODED {
            return None;
        }
        let state: State = serde_json::from_slice(&json).ok()?;
        state.is_sound().then_some(state)
    }

    /// Whether every name could be a variable of a shell and every path is absolute.
    fn is_sound(&self) -> bool {
        let absolute = |p: &Path| p.is_absolute();
        self.manifest.as_deref().is_none_or(absolute)
            && self.watched.iter().all(|w| absolute(&w.0))
            && self.applied.path_added.iter().all(|p| absolute(p))
            && self
                .applied
                .vars
                .iter()
                .all(|(name, _)| valid_var_name(name) && name != "PATH" && name != STATE_VAR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(root: &Path) -> State {
        State {
            manifest: Some(root.join("vx.toml")),
            watched: vec![
                Watched::now(root.join("vx.toml")),
                Watched::now(root.join("gone")),
            ],
            applied: Applied {
                path_added: vec![root.join("store/rg/14/bin")],
                path_before: Some("/usr/bin:/bin".into()),
                vars: vec![
                    ("A".into(), Some("it's $HOME\n\"x\"".into())),
                    ("B".into(), None),
                ],
            },
        }
    }

    #[test]
    fn a_state_survives_its_encoding() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vx.toml"), "").unwrap();
        let state = sample(dir.path());
        let text = state.encode();
        assert!(text.starts_with(TAG));
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "needs no quoting in any shell: {text}"
        );
        assert_eq!(State::decode(&text), Some(state));
    }

    #[test]
    fn corrupt_or_foreign_values_are_nothing_applied() {
        let dir = tempfile::tempdir().unwrap();
        let good = sample(dir.path()).encode();
        let truncated = &good[..good.len() / 2];
        let mut flipped = good.clone().into_bytes();
        let last = flipped.len() - 3;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        let b64 = |bytes: &[u8]| {
            format!(
                "{TAG}{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
            )
        };
        let deflated = |json: &str| {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            e.write_all(json.as_bytes()).unwrap();
            b64(&e.finish().unwrap())
        };
        for value in [
            "",
            "garbage",
            "vx1.",
            "vx1.!!!",
            "vx2.AAAA",
            truncated,
            flipped.as_str(),
            &b64(b"not deflate at all"),
            &deflated("[1,2,3]"),
            // Names no shell can hold, or that vx never saves, and relative paths.
            &deflated(r#"{"a":{"v":[["A;rm -rf ~",null]]}}"#),
            &deflated(r#"{"a":{"v":[["PATH","x"]]}}"#),
            &deflated(r#"{"a":{"p":["relative/bin"]}}"#),
            &deflated(r#"{"m":"vx.toml"}"#),
        ] {
            assert_eq!(State::decode(value), None, "{value:?} accepted");
        }
        // A bomb: a small value inflating past the bound.
        let zeros = deflated(&format!("\"{}\"", "0".repeat(MAX_DECODED as usize + 10)));
        assert!(zeros.len() < 20_000);
        assert_eq!(State::decode(&zeros), None);
    }

    #[test]
    fn a_state_is_current_until_a_watched_path_changes() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("vx.toml");
        std::fs::write(&manifest, "a").unwrap();
        let state = sample(dir.path());
        assert!(state.is_current(Some(&manifest)));
        assert!(!state.is_current(None), "left the project");
        assert!(!state.is_current(Some(&dir.path().join("sub/vx.toml"))));
        std::fs::write(dir.path().join("gone"), "now here").unwrap();
        assert!(
            !state.is_current(Some(&manifest)),
            "a missing path appeared"
        );
        let state = sample(dir.path());
        std::fs::write(&manifest, "ab").unwrap();
        assert!(!state.is_current(Some(&manifest)), "vx.toml edited");
    }
}
