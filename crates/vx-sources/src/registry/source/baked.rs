//! The standard registry vx pins ([`STANDARD_REF`]) shipped inside the binary,
//! xz-compressed (3.3 MB of YAML in 0.2 MB), as uv ships its Python download list: on
//! the first run, and offline with an empty cache, every name of the standard registry
//! is known without asking GitHub. GitHub is asked only for another ref (a lock or the
//! user config pinning one, `vx registry update`).
//!
//! The file is aqua-registry's `registry.yaml` at that ref, byte for byte
//! (`git show v4.554.0:registry.yaml | xz -9e`), checked against [`STANDARD_SHA256`]
//! when decoded, so a ref bumped without its file is caught by this module's test, and
//! a file that does not decode to the pinned bytes is never used. aqua-registry is
//! MIT-licensed; its notice is `assets/aqua-registry/LICENSE`.

use std::io::Read;

use super::{MAX_BYTES, STANDARD_REF, STANDARD_SHA256, sha256_hex};

/// `registry.yaml` at [`STANDARD_REF`], xz-compressed.
const SHIPPED: &[u8] =
    include_bytes!("../../../../../assets/aqua-registry/registry-v4.554.0.yaml.xz");

/// The standard registry's bytes at `git_ref`, when they are the ones shipped (and
/// decode to [`STANDARD_SHA256`]).
pub(crate) fn standard(git_ref: &str) -> Option<Vec<u8>> {
    if git_ref != STANDARD_REF {
        return None;
    }
    let mut bytes = Vec::new();
    liblzma::read::XzDecoder::new(SHIPPED)
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (sha256_hex(&bytes) == STANDARD_SHA256).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_registry_is_the_pinned_one() {
        let bytes = standard(STANDARD_REF).expect("the shipped file decodes to the pin");
        assert!(bytes.windows(9).any(|w| w == b"packages:"), "aqua's format");
        assert!(standard("v0.0.1").is_none(), "another ref is fetched");
    }
}
