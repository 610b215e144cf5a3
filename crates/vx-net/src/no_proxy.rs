//! `NO_PROXY`: the hosts a request reaches directly although a proxy is set, and the
//! loopback rule: `localhost`, `*.localhost`, 127.0.0.0/8 and `::1` are never proxied,
//! whatever the settings (a developer's local servers and `vx sync --demo` must keep
//! working with a company's `HTTPS_PROXY` set; a proxy could not reach them anyway).

use std::net::IpAddr;

/// One `NO_PROXY` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Entry {
    /// `*`: every host.
    All,
    /// `corp.example`, `.corp.example` or `*.corp.example`: the domain and every
    /// sub-domain, optionally on one port only.
    Domain(String, Option<u16>),
    /// `10.1.2.3`, `::1`, `[::1]:8080`: one address, optionally on one port only.
    Address(IpAddr, Option<u16>),
    /// `10.0.0.0/8`, `fd00::/8`: a network.
    Network(IpAddr, u8),
}

/// The parsed `NO_PROXY` list. `Default`: empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct NoProxy {
    entries: Vec<Entry>,
}

impl NoProxy {
    /// Parses a comma-separated list (spaces around entries ignored, case-insensitive).
    /// An entry that is none of the forms above is taken as a host name, as curl does.
    pub(crate) fn parse(list: &str) -> NoProxy {
        let entries = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(parse_entry)
            .collect();
        NoProxy { entries }
    }

    /// Whether a request to `host` (lower case, no brackets) on `port` goes direct.
    pub(crate) fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        let ip = host.parse::<IpAddr>().ok();
        self.entries.iter().any(|entry| match entry {
            Entry::All => true,
            Entry::Domain(domain, on) => {
                on.is_none_or(|p| p == port)
                    && (host == domain
                        || host
                            .strip_suffix(domain.as_str())
                            .is_some_and(|rest| rest.ends_with('.')))
            }
            Entry::Address(address, on) => on.is_none_or(|p| p == port) && ip == Some(*address),
            Entry::Network(network, bits) => ip.is_some_and(|ip| in_network(ip, *network, *bits)),
        })
    }
}

/// Whether `host` (lower case, no brackets) is this machine's loopback, which is never
/// proxied.
pub fn is_loopback(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

fn parse_entry(entry: &str) -> Entry {
    let entry = entry.to_ascii_lowercase();
    if entry == "*" {
        return Entry::All;
    }
    if let Some((network, bits)) = entry.split_once('/') {
        let network = network.trim_start_matches('[').trim_end_matches(']');
        if let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u8>()) {
            let max = if network.is_ipv4() { 32 } else { 128 };
            return Entry::Network(network, bits.min(max));
        }
    }
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Entry::Address(address, None);
    }
    if let Some(rest) = entry.strip_prefix('[')
        && let Some((address, after)) = rest.split_once(']')
        && let Ok(address) = address.parse::<IpAddr>()
    {
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return Entry::Address(address, port);
    }
    let (host, port) = match entry.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => (host, port.parse().ok()),
        _ => (entry.as_str(), None),
    };
    if let Ok(address) = host.parse::<IpAddr>() {
        return Entry::Address(address, port);
    }
    let domain = host.trim_start_matches("*.").trim_start_matches('.');
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    Entry::Domain(domain.to_owned(), port)
}

/// Whether `ip` is in `network`/`bits` (an IPv4 network never holds an IPv6 address).
fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_domains_addresses_networks_and_ports_match() {
        let list = NoProxy::parse(
            " corp.example, .internal.net,*.svc, 10.0.0.0/8 ,fd00::/8, 192.0.2.7, \
             cache.io:8080, [2001:db8::1]:443, Files.Host ",
        );
        let direct = |host, port| list.matches(host, port);
        assert!(direct("corp.example", 443));
        assert!(direct("files.corp.example", 443));
        assert!(
            !direct("notcorp.example", 443),
            "a suffix must start at a dot"
        );
        assert!(direct("internal.net", 80));
        assert!(direct("a.b.internal.net", 80));
        assert!(direct("x.svc", 80));
        assert!(direct("10.200.3.4", 443));
        assert!(!direct("11.0.0.1", 443));
        assert!(direct("fd12::5", 443));
        assert!(!direct("fe80::1", 443));
        assert!(direct("192.0.2.7", 1));
        assert!(!direct("192.0.2.8", 1));
        assert!(direct("cache.io", 8080));
        assert!(!direct("cache.io", 443), "host:port matches that port only");
        assert!(direct("2001:db8::1", 443));
        assert!(!direct("2001:db8::1", 80));
        assert!(direct("files.host", 443), "case-insensitive");
        assert!(
            direct("corp.example.", 443),
            "a trailing dot is the same host"
        );
        assert!(!direct("github.com", 443));
        assert!(NoProxy::parse("*").matches("github.com", 443));
        assert!(!NoProxy::parse("").matches("github.com", 443));
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8", 53));
    }

    #[test]
    fn loopback_is_recognised_by_name_and_address() {
        for host in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "127.8.9.1",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["vm", "localhost.corp", "192.0.2.2", "::2", "10.0.0.1"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
