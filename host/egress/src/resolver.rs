//! DNS for the sandbox's HTTP client: every answer is checked against the
//! address rules before a connection is made, so a declared host name that
//! points at 10.0.0.1 or 169.254.169.254 is refused (and so is a name that
//! changes its answer between checks: the client connects only to what we
//! checked). Operator overrides (`--resolve host=ip[:port]`) go through the
//! same check.

use super::address::{Blocked, permitted};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A name resolved to an address the sandbox refuses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {ip}, a {} address", reason.as_str())]
pub struct AddressDenied {
    pub host: String,
    pub ip: IpAddr,
    pub reason: Blocked,
}

#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    overrides: Arc<HashMap<String, Vec<SocketAddr>>>,
    allow_loopback: bool,
}

impl GuardedResolver {
    pub fn new(overrides: HashMap<String, Vec<SocketAddr>>, allow_loopback: bool) -> Self {
        GuardedResolver {
            overrides: Arc::new(overrides),
            allow_loopback,
        }
    }

    /// Resolve and check `host`; port 0 in an answer means "the URL's port".
    pub async fn lookup(
        &self,
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let addrs: Vec<SocketAddr> = match self.overrides.get(&host) {
            Some(a) => a.clone(),
            None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
        };
        if addrs.is_empty() {
            return Err(format!("{host} has no addresses").into());
        }
        self.check(&host, &addrs)?;
        Ok(addrs)
    }

    /// Refuse the whole answer if any address is not permitted.
    pub fn check(&self, host: &str, addrs: &[SocketAddr]) -> Result<(), AddressDenied> {
        for a in addrs {
            permitted(a.ip(), self.allow_loopback).map_err(|reason| AddressDenied {
                host: host.to_string(),
                ip: a.ip(),
                reason,
            })?;
        }
        Ok(())
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.lookup(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Parse `host=ip` or `host=ip:port` (the `--resolve` flag).
pub fn parse_override(s: &str) -> Result<(String, SocketAddr), String> {
    let (host, addr) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected HOST=IP[:PORT]"))?;
    let addr = addr.trim();
    let sock = addr
        .parse::<SocketAddr>()
        .or_else(|_| {
            addr.trim_matches(['[', ']'])
                .parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, 0))
        })
        .map_err(|_| format!("`{s}`: `{addr}` is not an IP address"))?;
    Ok((host.trim().to_ascii_lowercase(), sock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_syntax() {
        assert_eq!(
            parse_override("a.com=127.0.0.1:8443").unwrap(),
            ("a.com".into(), "127.0.0.1:8443".parse().unwrap())
        );
        assert_eq!(
            parse_override("A.com=::1").unwrap().1,
            "[::1]:0".parse().unwrap()
        );
        assert!(parse_override("a.com").is_err());
        assert!(parse_override("a.com=nope").is_err());
    }

    #[tokio::test]
    async fn overrides_are_checked_too() {
        let mut o = HashMap::new();
        o.insert(
            "meta.test".to_string(),
            vec!["169.254.169.254:0".parse().unwrap()],
        );
        o.insert("lo.test".to_string(), vec!["127.0.0.1:0".parse().unwrap()]);
        let r = GuardedResolver::new(o.clone(), false);
        assert!(r.lookup("meta.test").await.is_err());
        assert!(r.lookup("lo.test").await.is_err());
        let r = GuardedResolver::new(o, true);
        assert!(r.lookup("lo.test").await.is_ok());
        assert!(r.lookup("meta.test").await.is_err());
    }
}
