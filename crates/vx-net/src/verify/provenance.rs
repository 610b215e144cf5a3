//! Provenance loss: a tool whose locked version was verified, about to be locked at a
//! version that offers no verification or other signers (issue 29). URL tools are
//! judged from their `verify` keys before any download
//! ([`vx_project::plan::provenance_losses`]); registry tools when the resolver has
//! checked the new version's checksum file.

/// Whether `offered` (what the new version verified with, comma-separated records)
/// keeps every record of `locked`.
pub fn keeps(locked: &[&str], offered: Option<&str>) -> bool {
    let offered: Vec<&str> = offered.map_or(Vec::new(), |r| r.split(',').collect());
    locked.iter().all(|record| offered.contains(record))
}

/// A tool whose locked version was verified, about to be locked at another version
/// that offers no verification, or other signers: refused unless the user allows it
/// (`--allow-provenance-loss`), and then recorded in the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenanceLoss {
    /// The tool.
    pub tool: String,
    /// The version locked now.
    pub locked_version: String,
    /// What verified it (`minisign:KEYID`, comma-separated).
    pub locked_by: String,
    /// The version vx.toml now asks for.
    pub new_version: String,
    /// What the new version would be verified with; `None`: nothing.
    pub new_by: Option<String>,
}

impl std::fmt::Display for ProvenanceLoss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} was verified with {}; {} would be verified with {}",
            self.tool,
            self.locked_version,
            self.locked_by,
            self.new_version,
            self.new_by.as_deref().unwrap_or("nothing")
        )
    }
}

impl ProvenanceLoss {
    /// What the lock records of an allowed loss:
    /// `minisign:1F4DC68D4C9CC05 (1.0) → nothing (2.0)`.
    pub fn record(&self) -> String {
        format!(
            "{} ({}) → {} ({})",
            self.locked_by,
            self.locked_version,
            self.new_by.as_deref().unwrap_or("nothing"),
            self.new_version
        )
    }
}
