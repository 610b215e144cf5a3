//! Which packing of a download to fetch when the lock names several: nodejs.org packs
//! each build as `.tar.xz` and `.tar.gz`, the same tree; xz is about half the bytes
//! and several times slower to unpack. Which arrives unpacked sooner depends on the
//! link: on node's official archives xz pays off below about 130–170 Mbit/s on a
//! 2-core machine (docs/BENCHMARKS.md §18), so a link slower than [`FAST_LINK`]
//! (160 Mbit/s) takes xz and a faster one (a LAN mirror, a CI runner's) gzip.
//!
//! The link's speed is what vx saw of it: each download from an origin records the
//! host's bytes per second of network wait (time spent blocked on the socket, not on
//! the unpacker, so a link faster than the decoder reads as fast) in `.links.json` in
//! the store, a small map that a later install reads. A host never seen is taken as
//! fast when it is this machine or a private network's address (a mirror on the LAN),
//! else as slow: the smallest packing, what vx always took before. `VX_DOWNLOAD_FORMAT`
//! (`smallest`, `fastest`, `auto`) overrides the rule, for a CI job that knows its link.
//!
//! Whatever is picked, the lock is the same: every packing is pinned by its sha256 from
//! the publisher's checksum file, and the receipt records the one installed.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use vx_base::format::ArchiveFormat;
use vx_model::spec::ToolSpec;

/// The variable that overrides the rule: `smallest`, `fastest` or `auto`.
pub(crate) const PREFERENCE_ENV: &str = "VX_DOWNLOAD_FORMAT";

/// Bytes per second from which a link is fast enough that the quickest packing to
/// unpack wins over the smallest (measured: xz's decoder on node's archive).
pub(crate) const FAST_LINK: f64 = 20_000_000.0;

/// The file in the store that remembers each host's speed.
const LINKS_FILE: &str = ".links.json";

/// The most hosts remembered (the oldest entries go first).
const MAX_HOSTS: usize = 256;

/// Downloads smaller than this say little about a link (the connection's start
/// dominates): not recorded.
const MIN_MEASURED: u64 = 4 << 20;

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Preference {
    /// By the link's speed.
    Auto,
    /// The fewest bytes.
    Smallest,
    /// The quickest to unpack.
    Fastest,
}

impl Preference {
    /// The preference `VX_DOWNLOAD_FORMAT` names (`auto` when unset); an unknown value
    /// is the error that names the variable and the values.
    pub(crate) fn from_env() -> Result<Preference, PreferenceError> {
        match std::env::var(PREFERENCE_ENV).as_deref() {
            Err(_) | Ok("" | "auto") => Ok(Preference::Auto),
            Ok("smallest") => Ok(Preference::Smallest),
            Ok("fastest") => Ok(Preference::Fastest),
            Ok(other) => Err(PreferenceError {
                value: other.to_owned(),
            }),
        }
    }
}

/// A [`PREFERENCE_ENV`] that names no preference.
#[derive(Debug, thiserror::Error)]
#[error(
    "{PREFERENCE_ENV}={}: expected smallest, fastest or auto",
    vx_base::validate::shorten(value)
)]
pub struct PreferenceError {
    /// The value as set.
    pub value: String,
}

/// How many bytes a packing usually takes for the same tree (lower: fewer).
fn size_rank(format: ArchiveFormat) -> u8 {
    match format {
        ArchiveFormat::TarXz | ArchiveFormat::Xz => 0,
        ArchiveFormat::TarZst | ArchiveFormat::Zst => 1,
        ArchiveFormat::TarBz2 | ArchiveFormat::Bz2 => 2,
        ArchiveFormat::TarGz | ArchiveFormat::Gz | ArchiveFormat::Zip => 3,
        ArchiveFormat::Tar | ArchiveFormat::Raw => 4,
    }
}

/// How long a packing usually takes to unpack (lower: sooner).
fn unpack_rank(format: ArchiveFormat) -> u8 {
    match format {
        ArchiveFormat::Tar | ArchiveFormat::Raw => 0,
        ArchiveFormat::TarZst | ArchiveFormat::Zst => 1,
        ArchiveFormat::TarGz | ArchiveFormat::Gz | ArchiveFormat::Zip => 2,
        ArchiveFormat::TarXz | ArchiveFormat::Xz => 3,
        ArchiveFormat::TarBz2 | ArchiveFormat::Bz2 => 4,
    }
}

/// Whether `host` is this machine or an address of a private network (a mirror on the
/// LAN): taken as fast before any download from it was measured.
fn is_near(host: &str) -> bool {
    if vx_net::no_proxy::is_loopback(host) {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_private() || ip.is_link_local(),
        Ok(IpAddr::V6(ip)) => ip.is_unique_local() || ip.is_unicast_link_local(),
        Err(_) => false,
    }
}

/// Each host's remembered speed, as the store keeps it.
#[derive(Debug, Default)]
pub(crate) struct Links {
    speeds: BTreeMap<String, f64>,
}

impl Links {
    /// What `store` remembers; nothing when the file is absent, unreadable or not what
    /// vx writes (it is a hint: a bad one is ignored, and replaced by the next record).
    pub(crate) fn read(store: &Path) -> Links {
        let speeds = vx_base::bounded_read::read(&store.join(LINKS_FILE), 64 << 10)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<BTreeMap<String, f64>>(&bytes).ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|(host, speed)| speed.is_finite() && *speed > 0.0 && host.len() <= 255)
            .take(MAX_HOSTS)
            .collect();
        Links { speeds }
    }

    /// Whether the link to `url`'s host is fast (see the module's rule).
    pub(crate) fn is_fast(&self, url: &str) -> bool {
        let Some(host) = vx_net::url::host(url) else {
            return false;
        };
        match self.speeds.get(&host) {
            Some(speed) => *speed >= FAST_LINK,
            None => is_near(&host),
        }
    }

    /// Records in `store` that `bytes` came from `url`'s host with `waited` of network
    /// wait, averaged with what was known. Best effort: a store that cannot take the
    /// file keeps installing.
    pub(crate) fn record(store: &Path, url: &str, bytes: u64, waited: Duration) {
        let Some(host) = vx_net::url::host(url) else {
            return;
        };
        if bytes < MIN_MEASURED {
            return;
        }
        let speed = bytes as f64 / waited.as_secs_f64().max(0.001);
        let mut links = Links::read(store);
        let known = links.speeds.get(&host).copied();
        let speed = known.map_or(speed, |before| (before + speed) / 2.0);
        links.speeds.insert(host, speed);
        while links.speeds.len() > MAX_HOSTS {
            let first = links.speeds.keys().next().cloned();
            if let Some(first) = first {
                links.speeds.remove(&first);
            }
        }
        if let Ok(json) = serde_json::to_vec(&links.speeds) {
            let _ = vx_base::atomic::write_cache(&store.join(LINKS_FILE), &json);
        }
    }
}

/// The packing of `spec` to fetch: `None` keeps the one it names, `Some(i)` takes its
/// alternative `i` ([`ToolSpec::take_alternative`]). `fetched_from` is where its URL
/// is fetched from (after the user's `url_replacements`: a company mirror's host).
pub(crate) fn choose(
    spec: &ToolSpec,
    fetched_from: &str,
    preference: Preference,
    links: &Links,
) -> Option<usize> {
    let first = spec.format?;
    if spec.alternatives.is_empty() || spec.sha256.is_none() {
        return None;
    }
    let fastest = match preference {
        Preference::Smallest => false,
        Preference::Fastest => true,
        Preference::Auto => links.is_fast(fetched_from),
    };
    let rank = |format: ArchiveFormat| {
        if fastest {
            (unpack_rank(format), size_rank(format))
        } else {
            (size_rank(format), unpack_rank(format))
        }
    };
    let (best, _) = spec
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, a)| (Some(i), rank(a.format)))
        .fold((None, rank(first)), |kept, next| {
            if next.1 < kept.1 { next } else { kept }
        });
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_model::spec::Alternative;

    const XZ: &str = "https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz";
    const GZ: &str = "https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.gz";

    fn spec(url: &str) -> ToolSpec {
        let mut spec = ToolSpec::new("node", "20.11.1", url);
        spec.sha256 = Some("a".repeat(64));
        spec.format = Some(ArchiveFormat::TarXz);
        spec.alternatives = vec![Alternative {
            url: url.replace(".tar.xz", ".tar.gz"),
            sha256: "b".repeat(64),
            format: ArchiveFormat::TarGz,
        }];
        spec
    }

    #[test]
    fn a_slow_or_unknown_public_link_keeps_the_smallest_and_a_fast_one_takes_gzip() {
        let none = Links::default();
        assert_eq!(choose(&spec(XZ), XZ, Preference::Auto, &none), None);
        let mut fast = Links::default();
        fast.speeds.insert("nodejs.org".into(), 90e6);
        assert_eq!(choose(&spec(XZ), XZ, Preference::Auto, &fast), Some(0));
        let mut slow = Links::default();
        slow.speeds.insert("nodejs.org".into(), 5e6);
        assert_eq!(choose(&spec(XZ), XZ, Preference::Auto, &slow), None);
        // Forced either way, whatever the link.
        assert_eq!(choose(&spec(XZ), XZ, Preference::Fastest, &slow), Some(0));
        assert_eq!(choose(&spec(XZ), XZ, Preference::Smallest, &fast), None);
    }

    #[test]
    fn a_mirror_on_this_machine_or_the_lan_is_fast_before_it_was_measured() {
        let none = Links::default();
        for url in [
            "http://127.0.0.1:8080/node.tar.xz",
            "http://localhost/node.tar.xz",
            "http://10.1.2.3/node.tar.xz",
            "http://192.168.1.9:81/node.tar.xz",
            "http://[::1]:9/node.tar.xz",
            "http://user:pw@172.16.0.1/node.tar.xz",
        ] {
            assert_eq!(
                choose(&spec(url), url, Preference::Auto, &none),
                Some(0),
                "{url}"
            );
        }
        assert_eq!(
            choose(
                &spec("http://8.8.8.8/node.tar.xz"),
                "http://8.8.8.8/node.tar.xz",
                Preference::Auto,
                &none
            ),
            None
        );
    }

    #[test]
    fn taking_the_alternative_swaps_the_packings_so_either_receipt_matches() {
        let mut spec = spec(XZ);
        spec.verified = Some("minisign:ABC".into());
        spec.take_alternative(0);
        assert_eq!(spec.url, GZ);
        assert_eq!(spec.format, Some(ArchiveFormat::TarGz));
        assert_eq!(spec.sha256.as_deref(), Some("b".repeat(64).as_str()));
        assert_eq!(spec.alternatives[0].url, XZ);
        assert_eq!(spec.verified, None, "a record of the other file");
        assert!(spec.packs_as(&"a".repeat(64)) && spec.packs_as(&"b".repeat(64)));
    }

    #[test]
    fn the_store_remembers_each_hosts_speed_and_ignores_a_broken_file() {
        let store = tempfile::tempdir().unwrap();
        Links::record(store.path(), XZ, 40 << 20, Duration::from_millis(500));
        assert!(Links::read(store.path()).is_fast(GZ));
        // Small downloads are not measured.
        Links::record(
            store.path(),
            "https://slow.example/x.tar.xz",
            1000,
            Duration::from_secs(9),
        );
        assert!(
            !Links::read(store.path())
                .speeds
                .contains_key("slow.example")
        );
        std::fs::write(store.path().join(LINKS_FILE), b"{not json").unwrap();
        assert!(!Links::read(store.path()).is_fast(GZ));
        std::fs::write(
            store.path().join(LINKS_FILE),
            br#"{"nodejs.org": -1, "x": "y"}"#,
        )
        .unwrap();
        assert!(!Links::read(store.path()).is_fast(GZ));
    }
}
