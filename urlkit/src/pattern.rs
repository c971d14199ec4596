//! The URL pattern language of `descriptor.url-patterns`.
//!
//! `host/seg/seg?key={cap}&key=literal`
//! - host: exact name, or `*.example.com` for that domain and any subdomain;
//! - segment: `*` (any one), `**` (the rest, last only), or a literal holding
//!   at most one capture `{name}` / `{name:num}` with literal prefix/suffix;
//! - query: each listed key must be present; its value matches like a segment.
//!
//! Literals compare ASCII case-insensitively (`BV1x` and `bv1x` are one video)
//! and empty path segments are ignored (a trailing slash changes nothing).

use std::fmt;
use url::Url;

/// Why a pattern string is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URL pattern `{pattern}`: {reason}")]
pub struct PatternError {
    pub pattern: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Exact(String),
    /// `*.suffix`: the suffix itself or any subdomain of it.
    Domain(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaptureKind {
    Any,
    Num,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// `prefix{name}suffix`, or a plain literal when `capture` is None.
    Literal {
        prefix: String,
        capture: Option<(String, CaptureKind)>,
        suffix: String,
    },
    AnyOne,
    Rest,
}

/// One compiled URL pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    host: Host,
    path: Vec<Piece>,
    query: Vec<(String, Piece)>,
}

/// Named values captured by a successful match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures(Vec<(String, String)>);

impl Captures {
    /// The value captured as `name`, if the pattern had it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl Pattern {
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let err = |reason| PatternError {
            pattern: source.to_string(),
            reason,
        };
        let s = source.trim();
        if s.contains("://") {
            return Err(err("write the pattern without a scheme"));
        }
        let (before_query, query) = match s.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (s, None),
        };
        let (host, path) = match before_query.split_once('/') {
            Some((h, p)) => (h, p),
            None => (before_query, ""),
        };
        let host = parse_host(host).ok_or_else(|| err("host must be a name or `*.domain`"))?;
        let mut pieces = Vec::new();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segs.iter().enumerate() {
            let piece = parse_piece(seg)
                .ok_or_else(|| err("bad segment (one `{name}` or `{name:num}` at most)"))?;
            if piece == Piece::Rest && i + 1 != segs.len() {
                return Err(err("`**` may only be the last segment"));
            }
            pieces.push(piece);
        }
        let mut q = Vec::new();
        if let Some(query) = query {
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| err("query items must be `key=value`"))?;
                let piece = parse_piece(v).ok_or_else(|| err("bad query value"))?;
                if piece == Piece::Rest || k.is_empty() {
                    return Err(err("bad query item"));
                }
                q.push((k.to_string(), piece));
            }
        }
        Ok(Pattern {
            source: source.to_string(),
            host,
            path: pieces,
            query: q,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Match a parsed URL; http and https only.
    pub fn matches(&self, url: &Url) -> Option<Captures> {
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
        let host_ok = match &self.host {
            Host::Exact(h) => *h == host,
            Host::Domain(d) => domain_matches(d, &host),
        };
        if !host_ok {
            return None;
        }
        let mut caps = Vec::new();
        let segs: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let mut i = 0;
        for piece in &self.path {
            match piece {
                Piece::Rest => {
                    i = segs.len();
                    break;
                }
                _ => {
                    let seg = segs.get(i)?;
                    match_piece(piece, seg, &mut caps)?;
                    i += 1;
                }
            }
        }
        if i != segs.len() {
            return None;
        }
        for (key, piece) in &self.query {
            let value = url
                .query_pairs()
                .find(|(k, _)| k == key.as_str())
                .map(|(_, v)| v.into_owned())?;
            match_piece(piece, &value, &mut caps)?;
        }
        Some(Captures(caps))
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// An ordered list of patterns; the first that matches wins.
#[derive(Debug, Clone, Default)]
pub struct PatternSet(Vec<Pattern>);

impl PatternSet {
    pub fn parse<S: AsRef<str>>(sources: &[S]) -> Result<Self, PatternError> {
        sources
            .iter()
            .map(|s| Pattern::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(PatternSet)
    }

    /// Index of the first matching pattern and its captures.
    pub fn find(&self, url: &Url) -> Option<(usize, Captures)> {
        self.0
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.matches(url).map(|c| (i, c)))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Pattern> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The allowlist rule: `rule` is an exact host name or `*.suffix` (the suffix
/// domain and its subdomains). Host names compare case-insensitively.
pub fn host_matches(rule: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let rule = rule.trim().to_ascii_lowercase();
    match rule.strip_prefix("*.") {
        Some(domain) => domain_matches(domain, &host),
        None => rule == host,
    }
}

/// `host` is `domain` or one of its subdomains (both lowercase): the
/// allowlist's `*.` rule and RFC 6265's cookie domain match.
pub fn domain_matches(domain: &str, host: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

fn parse_host(h: &str) -> Option<Host> {
    let h = h.to_ascii_lowercase();
    let valid = |s: &str| {
        !s.is_empty()
            && s.contains('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    match h.strip_prefix("*.") {
        Some(d) if valid(d) => Some(Host::Domain(d.to_string())),
        None if valid(&h) => Some(Host::Exact(h)),
        _ => None,
    }
}

fn parse_piece(seg: &str) -> Option<Piece> {
    match seg {
        "*" => return Some(Piece::AnyOne),
        "**" => return Some(Piece::Rest),
        _ => {}
    }
    let Some(open) = seg.find('{') else {
        return (!seg.contains('}')).then(|| Piece::Literal {
            prefix: seg.to_string(),
            capture: None,
            suffix: String::new(),
        });
    };
    let close = seg[open..].find('}')? + open;
    let (prefix, inner, suffix) = (&seg[..open], &seg[open + 1..close], &seg[close + 1..]);
    if suffix.contains(['{', '}']) || prefix.contains('}') {
        return None;
    }
    let (name, kind) = match inner.split_once(':') {
        Some((n, "num")) => (n, CaptureKind::Num),
        Some(_) => return None,
        None => (inner, CaptureKind::Any),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some(Piece::Literal {
        prefix: prefix.to_string(),
        capture: Some((name.to_string(), kind)),
        suffix: suffix.to_string(),
    })
}

fn match_piece(piece: &Piece, value: &str, caps: &mut Vec<(String, String)>) -> Option<()> {
    match piece {
        Piece::AnyOne => (!value.is_empty()).then_some(()),
        Piece::Rest => Some(()),
        Piece::Literal {
            prefix,
            capture: None,
            ..
        } => value.eq_ignore_ascii_case(prefix).then_some(()),
        Piece::Literal {
            prefix,
            capture: Some((name, kind)),
            suffix,
        } => {
            if value.len() < prefix.len() + suffix.len() {
                return None;
            }
            let (head, rest) = value.split_at_checked(prefix.len())?;
            let (mid, tail) = rest.split_at_checked(rest.len() - suffix.len())?;
            if !head.eq_ignore_ascii_case(prefix)
                || !tail.eq_ignore_ascii_case(suffix)
                || mid.is_empty()
            {
                return None;
            }
            if *kind == CaptureKind::Num && !mid.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            caps.push((name.clone(), mid.to_string()));
            Some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, u: &str) -> Option<Captures> {
        Pattern::parse(p).unwrap().matches(&Url::parse(u).unwrap())
    }

    #[test]
    fn domain_wildcard_takes_apex_and_subdomains_only() {
        assert!(
            m(
                "*.bilibili.com/video/BV{id}",
                "https://www.bilibili.com/video/BV1xx"
            )
            .is_some()
        );
        assert!(
            m(
                "*.bilibili.com/video/BV{id}",
                "https://bilibili.com/video/BV1xx"
            )
            .is_some()
        );
        assert!(
            m(
                "*.bilibili.com/video/BV{id}",
                "https://evilbilibili.com/video/BV1xx"
            )
            .is_none()
        );
        assert!(
            m(
                "*.bilibili.com/video/BV{id}",
                "https://bilibili.com.evil.io/video/BV1xx"
            )
            .is_none()
        );
        assert!(m("b23.tv/{code}", "https://www.b23.tv/abc").is_none());
    }

    #[test]
    fn captures_prefix_suffix_and_case() {
        let c = m(
            "*.bilibili.com/video/BV{bvid}",
            "https://m.bilibili.com/video/bv1Ab/?p=2",
        )
        .unwrap();
        assert_eq!(c.get("bvid"), Some("1Ab"));
        let c = m(
            "*.bilibili.com/bangumi/play/ep{ep:num}",
            "http://www.bilibili.com/bangumi/play/ep123",
        )
        .unwrap();
        assert_eq!(c.get("ep"), Some("123"));
        assert!(
            m(
                "*.bilibili.com/bangumi/play/ep{ep:num}",
                "https://www.bilibili.com/bangumi/play/epx1"
            )
            .is_none()
        );
        assert!(
            m("x.com/{id}.html", "https://x.com/abc.html")
                .unwrap()
                .get("id")
                == Some("abc")
        );
        assert!(m("x.com/{id}.html", "https://x.com/.html").is_none());
    }

    #[test]
    fn segment_count_wildcards_and_query() {
        assert!(m("a.com/video/{id}", "https://a.com/video/1/extra").is_none());
        assert!(m("a.com/video/{id}/**", "https://a.com/video/1/extra/more").is_some());
        assert!(m("a.com/video/{id}/**", "https://a.com/video/1").is_some());
        let c = m(
            "*.bilibili.com/list/*?bvid=BV{bvid}",
            "https://www.bilibili.com/list/123?sid=1&bvid=BV1q",
        )
        .unwrap();
        assert_eq!(c.get("bvid"), Some("1q"));
        assert!(
            m(
                "*.bilibili.com/list/*?bvid=BV{bvid}",
                "https://www.bilibili.com/list/123?sid=1"
            )
            .is_none()
        );
        assert!(m("a.com/x", "ftp://a.com/x").is_none());
    }

    #[test]
    fn bad_patterns_are_refused() {
        for p in [
            "https://a.com/x",
            "a/x",
            "*.com",
            "a.com/**/x",
            "a.com/{a}{b}",
            "a.com/{a:hex}",
            "a.com/{}",
            "a.com/x?y",
        ] {
            assert!(Pattern::parse(p).is_err(), "{p}");
        }
    }

    #[test]
    fn allowlist_rule() {
        assert!(host_matches("api.bilibili.com", "API.bilibili.com"));
        assert!(!host_matches("api.bilibili.com", "x.api.bilibili.com"));
        assert!(host_matches("*.bilivideo.com", "upos-sz.bilivideo.com"));
        assert!(host_matches("*.bilivideo.com", "bilivideo.com"));
        assert!(!host_matches("*.bilivideo.com", "xbilivideo.com"));
    }
}
