//! aqua's declarations of what binds a release asset's digest to its publisher:
//! `github_artifact_attestations` (GitHub's attestations API) and `slsa_provenance`
//! (an SLSA provenance file), at the top level, in `overrides` and in
//! `version_overrides` alike.
//!
//! A value of the wrong shape is kept as [`Declared::Malformed`] rather than failing
//! the document: the declaration does not change what is downloaded, so one package's
//! typo must not take the standard registry down; resolution then names it as
//! declared but not checkable, and the lock records nothing for it.

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FileRef;

/// The key a malformed declaration is written under in the registry's index, so that
/// it reads back as the same [`Declared::Malformed`].
const MALFORMED: &str = "$malformed";

/// A declaration as the registry wrote it.
#[derive(Clone, Debug)]
pub enum Declared<T> {
    /// Read in the shape aqua documents.
    Read(T),
    /// Not in that shape: why, for the user.
    Malformed(String),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Declared<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Declared<T>, D::Error> {
        let Loose(value) = Loose::deserialize(de)?;
        if let Some(map) = value.as_object()
            && map.len() == 1
            && let Some(reason) = map.get(MALFORMED).and_then(|r| r.as_str())
        {
            return Ok(Declared::Malformed(reason.to_owned()));
        }
        Ok(match serde_json::from_value::<T>(value) {
            Ok(read) => Declared::Read(read),
            Err(e) => Declared::Malformed(e.to_string()),
        })
    }
}

impl<T: Serialize> Serialize for Declared<T> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Declared::Read(read) => read.serialize(ser),
            Declared::Malformed(reason) => {
                use serde::ser::SerializeMap;
                let mut map = ser.serialize_map(Some(1))?;
                map.serialize_entry(MALFORMED, reason)?;
                map.end()
            }
        }
    }
}

/// Any YAML value, as JSON: scalars of every type, sequences and mappings whose keys
/// are scalars (read as their text). Only a mapping key that is itself a collection
/// fails, as it would for every other field.
struct Loose(serde_json::Value);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Loose, D::Error> {
        de.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose(v.into()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose(v.into()))
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose(serde_json::Value::Null))
    }
    fn visit_none<E>(self) -> Result<Loose, E> {
        Ok(Loose(serde_json::Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Loose, D::Error> {
        Loose::deserialize(de)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(Loose(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Loose(serde_json::Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((super::Scalar(key), Loose(value))) = map.next_entry()? {
            out.insert(key, value);
        }
        Ok(Loose(serde_json::Value::Object(out)))
    }
}

/// `github_artifact_attestations`: GitHub's attestations of the asset's digest, in the
/// package's repository.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AttestationsDecl {
    /// `false` turns it off; absent is on (aqua's `GetEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The workflow that must have signed, a regular expression over
    /// `owner/repo/path` (as `gh attestation verify --signer-workflow` takes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_workflow: Option<String>,
    /// aqua's deprecated spelling of `signer_workflow`.
    #[serde(
        default,
        rename = "signer-workflow",
        skip_serializing_if = "Option::is_none"
    )]
    pub signer_workflow_legacy: Option<String>,
    /// The in-toto predicate type required (default: SLSA provenance v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
}

impl AttestationsDecl {
    /// Whether it is on.
    pub(crate) fn enabled(&self) -> bool {
        self.enabled != Some(false)
    }

    /// The signer workflow pattern, from either spelling (the current one first).
    pub(crate) fn signer_workflow(&self) -> Option<&str> {
        [&self.signer_workflow, &self.signer_workflow_legacy]
            .into_iter()
            .find_map(|s| s.as_deref().filter(|s| !s.is_empty()))
    }
}

/// `slsa_provenance`: an SLSA provenance file naming the asset's digest, published as
/// a release asset or at a URL.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct SlsaDecl {
    /// `false` turns it off; absent is on when a `type` is given (aqua's
    /// `GetEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The repository the artifact must have been built from (`github.com/o/r`);
    /// default the provenance's repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_uri: Option<String>,
    /// The tag it must have been built from (default the version's). Read, not
    /// checked: see docs/guide/verification.md, "Registry signatures".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_tag: Option<String>,
    /// Where the provenance file is (`type`, `asset`, `url`, `repo_owner`,
    /// `repo_name`).
    #[serde(flatten)]
    pub file: FileRef,
}

impl SlsaDecl {
    /// Whether it is on.
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
            .unwrap_or_else(|| self.file.kind.as_deref().is_some_and(|k| !k.is_empty()))
    }
}
