//! Who the client is: the connection's peer, or the address a trusted reverse proxy names; and
//! whether the request came over TLS. Headers from anyone but a configured proxy are ignored, so
//! a client cannot pick the address its failed logins are counted under.
//!
//! Written by hand: a few lines over `ipnet`, and crates that read `X-Forwarded-For` take the
//! header's word without checking who sent it.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context as _;
use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

use crate::config::HttpConfig;

/// Headers by which a proxy says who the client is; a request bearing one was forwarded.
const FORWARDING: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

#[derive(Debug, Clone)]
pub struct Proxies {
    trusted: Vec<IpNet>,
    header: HeaderName,
}

impl Proxies {
    pub fn from_config(cfg: &HttpConfig) -> anyhow::Result<Self> {
        let trusted = cfg
            .trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .with_context(|| {
                        format!("http.trusted_proxies: {p:?} is not an address or network")
                    })
            })
            .collect::<anyhow::Result<_>>()?;
        let header = HeaderName::try_from(cfg.client_ip_header.as_str())
            .with_context(|| format!("http.client_ip_header: {:?}", cfg.client_ip_header))?;
        Ok(Self { trusted, header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    /// address in its header that is not itself a trusted proxy (proxies append, so what is
    /// left of an untrusted hop could be made up by the client).
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        // A dual-stack listener sees IPv4 peers as `::ffff:a.b.c.d`: compare them as IPv4.
        let peer = peer?.to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = headers
            .get_all(&self.header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                return Some(nearest);
            };
            nearest = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        Some(nearest)
    }

    /// Whether the client reached us over TLS: a trusted proxy says `X-Forwarded-For`'s sibling
    /// `X-Forwarded-Proto: https` (or `Forwarded: proto=https`).
    pub fn over_tls(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        if !peer.is_some_and(|p| self.trusts(p.to_canonical())) {
            return false;
        }
        let proto = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        let forwarded = headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split([';', ',']))
            .any(|kv| kv.trim().eq_ignore_ascii_case("proto=https"));
        proto || forwarded
    }
}

/// The key failed attempts from `ip` are counted under: the address, or for IPv6 its /64 (one
/// subscriber's network: a client there can take a new address for every attempt).
pub fn throttle_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let net = ipnet::Ipv6Net::new(v6, 64).map(|n| n.trunc());
            net.map_or_else(|_| ip.to_owned(), |n| n.to_string())
        }
        _ => ip.to_owned(),
    }
}

/// Whether a proxy forwarded the request (it then is not "from this machine", whatever the peer).
pub fn forwarded(headers: &HeaderMap) -> bool {
    FORWARDING.iter().any(|h| headers.contains_key(*h))
}

/// `203.0.113.7`, `203.0.113.7:5100`, `2001:db8::1` or `[2001:db8::1]:5100`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(trusted: &[&str]) -> Proxies {
        Proxies::from_config(&HttpConfig {
            trusted_proxies: trusted.iter().map(|s| (*s).to_owned()).collect(),
            ..HttpConfig::default()
        })
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let p = proxies(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "198.51.100.9")]);
        assert_eq!(p.client(ip("203.0.113.1"), &h), ip("203.0.113.1"));
        assert_eq!(p.client(ip("10.1.2.3"), &h), ip("198.51.100.9"));
        assert_eq!(p.client(ip("10.1.2.3"), &HeaderMap::new()), ip("10.1.2.3"));
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.0/8", "192.0.2.1"]);
        // The client made up the first entry; the edge proxy appended the real one.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.9:4000, 192.0.2.1")]);
        assert_eq!(p.client(ip("10.0.0.2"), &h), ip("198.51.100.9"));
        let junk = headers(&[("x-forwarded-for", "garbage, 192.0.2.1")]);
        assert_eq!(p.client(ip("10.0.0.2"), &junk), ip("192.0.2.1"));
    }

    #[test]
    fn tls_is_what_a_trusted_proxy_says() {
        let p = proxies(&["127.0.0.1"]);
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(p.over_tls(ip("127.0.0.1"), &h));
        assert!(!p.over_tls(ip("127.0.0.2"), &h));
        let f = headers(&[("forwarded", "for=198.51.100.9;proto=https")]);
        assert!(p.over_tls(ip("127.0.0.1"), &f));
        assert!(forwarded(&f));
        assert!(!forwarded(&HeaderMap::new()));
    }

    #[test]
    fn mapped_addresses_and_ipv6_networks() {
        let p = proxies(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "::ffff:198.51.100.9")]);
        assert_eq!(p.client(ip("::ffff:10.1.2.3"), &h), ip("198.51.100.9"));
        assert_eq!(throttle_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(throttle_key("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(throttle_key("198.51.100.9"), "198.51.100.9");
    }

    #[test]
    fn bad_configuration_is_an_error() {
        let bad = HttpConfig {
            trusted_proxies: vec!["10.0.0.0/33".into()],
            ..HttpConfig::default()
        };
        assert!(Proxies::from_config(&bad).is_err());
    }
}
