//! Which IP addresses a plugin may reach: public unicast only. Loopback can
//! be allowed for development and tests; private, link-local (cloud
//! metadata), CGNAT, multicast and reserved ranges never are.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    Loopback,
    Private,
    LinkLocal,
    SharedCgnat,
    Unspecified,
    Multicast,
    Reserved,
}

impl Blocked {
    pub fn as_str(self) -> &'static str {
        match self {
            Blocked::Loopback => "loopback",
            Blocked::Private => "private",
            Blocked::LinkLocal => "link-local/metadata",
            Blocked::SharedCgnat => "shared (CGNAT)",
            Blocked::Unspecified => "unspecified",
            Blocked::Multicast => "multicast/broadcast",
            Blocked::Reserved => "reserved",
        }
    }
}

/// `None` for a public address, else why it is blocked.
pub fn classify(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether the sandbox lets a plugin connect to `ip`.
pub fn permitted(ip: IpAddr, allow_loopback: bool) -> Result<(), Blocked> {
    match classify(ip) {
        None => Ok(()),
        Some(Blocked::Loopback) if allow_loopback => Ok(()),
        Some(b) => Err(b),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Blocked> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, ..) => Blocked::Unspecified,
        (127, ..) => Blocked::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => Blocked::Private,
        (169, 254, _) => Blocked::LinkLocal,
        (100, 64..=127, _) => Blocked::SharedCgnat,
        (224..=239, ..) | (255, 255, 255) => Blocked::Multicast,
        // IETF protocol assignments, documentation, benchmarking, class E.
        (192, 0, 0)
        | (192, 0, 2)
        | (198, 51, 100)
        | (203, 0, 113)
        | (198, 18..=19, _)
        | (240..=255, ..) => Blocked::Reserved,
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<Blocked> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    Some(match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => Blocked::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => Blocked::Loopback,
        // IPv4-compatible (deprecated) and NAT64 forms carry an IPv4 address.
        [0, 0, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => {
            return Some(
                classify_v4(Ipv4Addr::from(((s[6] as u32) << 16) | s[7] as u32))
                    .unwrap_or(Blocked::Reserved),
            );
        }
        // 6to4 embeds an IPv4 address in bits 16..48.
        [0x2002, hi, lo, ..] => {
            return classify_v4(Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
        }
        [x, ..] if x & 0xfe00 == 0xfc00 => Blocked::Private,
        [x, ..] if x & 0xffc0 == 0xfe80 || x & 0xffc0 == 0xfec0 => Blocked::LinkLocal,
        [x, ..] if x & 0xff00 == 0xff00 => Blocked::Multicast,
        [0x2001, 0xdb8, ..] | [0x100, 0, 0, 0, ..] => Blocked::Reserved,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Option<Blocked> {
        classify(s.parse().unwrap())
    }

    #[test]
    fn v4_ranges() {
        assert_eq!(c("127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(c("10.0.0.1"), Some(Blocked::Private));
        assert_eq!(c("172.20.1.1"), Some(Blocked::Private));
        assert_eq!(c("192.168.1.1"), Some(Blocked::Private));
        assert_eq!(c("169.254.169.254"), Some(Blocked::LinkLocal));
        assert_eq!(c("100.100.100.200"), Some(Blocked::SharedCgnat));
        assert_eq!(c("0.0.0.0"), Some(Blocked::Unspecified));
        assert_eq!(c("224.0.0.1"), Some(Blocked::Multicast));
        assert_eq!(c("255.255.255.255"), Some(Blocked::Multicast));
        assert_eq!(c("8.8.8.8"), None);
        assert_eq!(c("172.32.0.1"), None);
    }

    #[test]
    fn v6_ranges_and_embedded_v4() {
        assert_eq!(c("::1"), Some(Blocked::Loopback));
        assert_eq!(c("::"), Some(Blocked::Unspecified));
        assert_eq!(c("::ffff:127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(c("::ffff:10.1.2.3"), Some(Blocked::Private));
        assert_eq!(c("::ffff:169.254.169.254"), Some(Blocked::LinkLocal));
        assert_eq!(c("64:ff9b::a9fe:a9fe"), Some(Blocked::LinkLocal));
        assert_eq!(c("2002:a00:1::"), Some(Blocked::Private));
        assert_eq!(c("fd00:ec2::254"), Some(Blocked::Private));
        assert_eq!(c("fe80::1"), Some(Blocked::LinkLocal));
        assert_eq!(c("ff02::1"), Some(Blocked::Multicast));
        assert_eq!(c("2606:4700::1111"), None);
        assert_eq!(c("::ffff:8.8.8.8"), None);
    }

    #[test]
    fn loopback_switch_only_opens_loopback() {
        assert!(permitted("127.0.0.1".parse().unwrap(), true).is_ok());
        assert!(permitted("::1".parse().unwrap(), true).is_ok());
        assert!(permitted("127.0.0.1".parse().unwrap(), false).is_err());
        assert!(permitted("10.0.0.1".parse().unwrap(), true).is_err());
        assert!(permitted("169.254.169.254".parse().unwrap(), true).is_err());
    }
}
