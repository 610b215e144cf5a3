//! From the versions other managers write to vx's constraints (docs/guide/registries.md,
//! "Versions"): an exact version stays exact (`20.11.1`, a `v` taken off), a prefix is the newest
//! matching (`20`, mise's `prefix:20`), `latest` (asdf's `latest:20` is `20`), nvm's
//! `node` and `stable` are `latest`, and an LTS line named by its code name
//! (`lts/iron`) is its major. What vx cannot install or pin is reported with why:
//! `system`, `ref:`, `path:`, `lts` and `lts/*` (the newest LTS moves; vx pins a
//! major).

use super::why::VersionError;
use vx_base::version::Constraint;

/// Node.js LTS code names and their majors (nodejs.org/en/about/previous-releases).
const NODE_LTS: &[(&str, &str)] = &[
    ("argon", "4"),
    ("boron", "6"),
    ("carbon", "8"),
    ("dubnium", "10"),
    ("erbium", "12"),
    ("fermium", "14"),
    ("gallium", "16"),
    ("hydrogen", "18"),
    ("iron", "20"),
    ("jod", "22"),
    ("krypton", "24"),
];

/// The constraint a runtime's entry is written with (`vx import`) or read as (a mise
/// project read in place): an LTS line in the runtime's own words (`lts` for nvm's
/// `lts/*`, `lts/iron`), else the entry's mapped version ([`map`]).
pub fn runtime_constraint(entry: &super::Entry) -> Result<String, VersionError> {
    let written = entry.written.trim().to_ascii_lowercase();
    match written.as_str() {
        "lts" | "lts/*" => Ok("lts".to_owned()),
        lts if lts.starts_with("lts/") && entry.version.is_ok() => Ok(lts.to_owned()),
        _ => entry.version.clone(),
    }
}

/// The vx constraint for `written`, or why there is none.
pub(crate) fn map(written: &str) -> Result<String, VersionError> {
    let text = written.trim();
    if text.is_empty() {
        return Err(VersionError::Missing);
    }
    if text.chars().any(char::is_control) {
        return Err(VersionError::ControlCharacters);
    }
    let lower = text.to_ascii_lowercase();
    let mapped = match lower.as_str() {
        "system" => {
            return Err(VersionError::System);
        }
        "lts" | "lts/*" | "lts/-1" | "lts/-2" => {
            return Err(VersionError::MovingLts {
                written: text.to_owned(),
            });
        }
        "latest" | "node" | "stable" => "latest".to_owned(),
        _ => {
            if let Some(rest) = lower.strip_prefix("lts/") {
                match NODE_LTS.iter().find(|(name, _)| *name == rest) {
                    Some((_, major)) => (*major).to_owned(),
                    None => {
                        return Err(VersionError::UnknownLts {
                            written: text.to_owned(),
                        });
                    }
                }
            } else if lower.starts_with("ref:") {
                return Err(VersionError::GitRef);
            } else if lower.starts_with("path:") {
                return Err(VersionError::LocalDirectory);
            } else if let Some(rest) = text
                .strip_prefix("prefix:")
                .or_else(|| text.strip_prefix("latest:"))
            {
                rest.trim().to_owned()
            } else if text.starts_with(['v', 'V'])
                && text[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                text[1..].to_owned()
            } else {
                text.to_owned()
            }
        }
    };
    Constraint::parse(&mapped)?;
    Ok(mapped)
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn exact_versions_stay_exact_and_prefixes_and_aliases_map() {
        assert_eq!(map("20.11.1"), Ok("20.11.1".to_owned()));
        assert_eq!(map("v20.1.0"), Ok("20.1.0".to_owned()));
        assert_eq!(map("20"), Ok("20".to_owned()));
        assert_eq!(map("3.12"), Ok("3.12".to_owned()));
        assert_eq!(map("prefix:1.22"), Ok("1.22".to_owned()));
        assert_eq!(map("latest:18"), Ok("18".to_owned()));
        assert_eq!(map("latest"), Ok("latest".to_owned()));
        assert_eq!(map("node"), Ok("latest".to_owned()));
        assert_eq!(map("lts/iron"), Ok("20".to_owned()));
    }

    #[test]
    fn what_vx_cannot_pin_is_refused_with_why() {
        assert!(
            map("lts/*")
                .unwrap_err()
                .to_string()
                .contains("pins a major")
        );
        assert!(map("lts").unwrap_err().to_string().contains("pins a major"));
        assert!(map("system").unwrap_err().to_string().contains("system"));
        assert!(
            map("ref:v1.2.3")
                .unwrap_err()
                .to_string()
                .contains("git ref")
        );
        assert!(
            map("path:/opt/node")
                .unwrap_err()
                .to_string()
                .contains("local directory")
        );
        assert!(map("lts/unknown").is_err());
        assert!(map("").is_err());
        assert!(map("not a version").is_err());
    }
}
