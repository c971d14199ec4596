//! Our own address as a client sees it, for the proxy links we hand out:
//! the configured public URL first; else the request's `Host`, or the
//! `X-Forwarded-Proto`/`X-Forwarded-Host` of a reverse proxy we trust.
//! A host is used only when it is a plain `host[:port]`, so no header can
//! move a signed token into another site's URL.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The base URL for links in an answer to `peer`, or `None` when the
/// request names no usable host.
pub fn base_url(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpNet]) -> Option<String> {
    let get = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let forwarded = peer.is_some_and(|p| trusted.iter().any(|net| net.contains(&p)));
    let (proto, host) = if forwarded {
        let proto = get("x-forwarded-proto").filter(|p| p == "https" || p == "http");
        (proto, get("x-forwarded-host").or_else(|| get("host")))
    } else {
        (None, get("host"))
    };
    let host = host.filter(|h| is_authority(h))?;
    Some(format!("{}://{host}", proto.as_deref().unwrap_or("http")))
}

/// A trusted proxy as configured: an address (`10.0.0.2`) or a range (`10.0.0.0/24`).
pub fn parse_trusted(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{s}` is neither an IP address nor a CIDR range"))
}

/// `name[:port]`, `a.b.c.d[:port]` or `[v6][:port]`, nothing else.
pub fn is_authority(s: &str) -> bool {
    let (host, port) = match s.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, tail)) if v6.parse::<std::net::Ipv6Addr>().is_ok() => match tail {
                "" => return true,
                t => ("v6", t.strip_prefix(':')),
            },
            _ => return false,
        },
        None => match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        },
    };
    let port_ok = match port {
        None => true,
        Some(p) => !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok_and(|n| n > 0),
    };
    let host_ok = host == "v6" && s.starts_with('[')
        || !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
            });
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn links_point_where_the_client_reached_us() {
        let h = headers(&[("host", "127.0.0.1:8080")]);
        assert_eq!(
            base_url(&h, None, &[]).as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let h = headers(&[
            ("host", "inner.local:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "dl.example.com, inner.local"),
        ]);
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        assert_eq!(
            base_url(&h, Some(proxy), &trusted).as_deref(),
            Some("https://dl.example.com"),
            "a trusted reverse proxy's view, first hop"
        );
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            base_url(&h, Some(stranger), &trusted).as_deref(),
            Some("http://inner.local:8080"),
            "anyone else's forwarded headers are ignored"
        );
    }

    #[test]
    fn a_host_that_is_not_host_and_port_is_never_used() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        for bad in [
            "evil.example/phish?t=",
            "evil.example@good",
            "a b",
            "host:",
            "host:99999",
            "host:0",
            "-lead.example",
            "[::1",
            "[zz]:80",
        ] {
            let h = headers(&[("x-forwarded-host", bad), ("host", "ok.example")]);
            let got = base_url(&h, Some(proxy), &trusted);
            assert_eq!(got, None, "{bad}");
        }
        for good in [
            "dl.example.com",
            "dl.example.com:8443",
            "[::1]:8080",
            "[::1]",
            "10.1.2.3",
        ] {
            assert!(is_authority(good), "{good}");
        }
    }
}
