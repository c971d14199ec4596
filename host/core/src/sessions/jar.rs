//! Which of an account's cookies a request carries, and what a
//! `Set-Cookie` answer changes (RFC 6265's domain, path, secure and expiry
//! rules). A cookie only ever goes to a host the platform declared: a
//! redirect to another domain, or a cookie whose domain lies outside the
//! platform, carries nothing.

use super::cookies::Cookie;
use grabkit_urlkit::domain_matches;

/// `path` is under the cookie's `prefix` (RFC 6265 5.1.4).
fn path_match(path: &str, prefix: &str) -> bool {
    path == prefix
        || (path.starts_with(prefix)
            && (prefix.ends_with('/') || path[prefix.len()..].starts_with('/')))
}

/// The platform's hosts, as its descriptor lists them (`api.bilibili.com`,
/// `*.bilivideo.com`): whether `host` is one of them.
pub fn platform_host(host: &str, declared: &[String]) -> bool {
    declared.iter().any(|d| match d.strip_prefix("*.") {
        Some(base) => domain_matches(base, host) && host != base,
        None => host == d,
    })
}

/// Whether the cookie belongs to `host`: one without a domain (imported
/// as a header or `name=value` lines) to every declared host, one with a
/// domain where it matches (exactly, when host-only).
fn applies(c: &Cookie, host: &str) -> bool {
    match &c.domain {
        None => true,
        Some(d) if c.host_only => host == d,
        Some(d) => domain_matches(d, host),
    }
}

/// The `Cookie` header value for a request, `None` when nothing applies.
/// `host` must be lowercase; `https` says whether the request is secure.
pub fn header_for(
    jar: &[Cookie],
    host: &str,
    path: &str,
    https: bool,
    now: i64,
    declared: &[String],
) -> Option<String> {
    if !platform_host(host, declared) {
        return None;
    }
    let mut chosen: Vec<&Cookie> = jar
        .iter()
        .filter(|c| applies(c, host) && path_match(path, &c.path))
        .filter(|c| https || !c.secure)
        .filter(|c| c.live(now))
        .collect();
    // Longer paths first, as browsers send them.
    chosen.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
    let pairs: Vec<String> = chosen
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

/// What one `Set-Cookie` from `host` does to the jar: add or replace the
/// cookie, or remove it when it is already expired. Ignored when `host` is
/// not the platform's or the cookie names a domain `host` may not set.
/// Returns whether the jar changed.
pub fn apply_set_cookie(
    jar: &mut Vec<Cookie>,
    set_cookie: &str,
    host: &str,
    now: i64,
    declared: &[String],
) -> bool {
    if !platform_host(host, declared) {
        return false;
    }
    let Ok(parsed) = cookie::Cookie::parse(set_cookie) else {
        return false;
    };
    let (domain, host_only) = match parsed
        .domain()
        .map(|d| d.trim_start_matches('.').to_ascii_lowercase())
    {
        Some(d) if domain_matches(&d, host) => (d, false),
        Some(_) => return false,
        None => (host.to_string(), true),
    };
    let path = parsed
        .path()
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/")
        .to_string();
    let expires = match (parsed.max_age(), parsed.expires_datetime()) {
        (Some(age), _) => Some(now + age.whole_seconds()),
        (None, Some(at)) => Some(at.unix_timestamp()),
        (None, None) => None,
    };
    let same = |c: &Cookie| {
        c.name == parsed.name() && c.path == path && c.domain.as_deref().is_none_or(|d| d == domain)
    };
    let before = jar.len();
    let old = jar.iter().position(same);
    if expires.is_some_and(|t| t <= now) {
        jar.retain(|c| !same(c));
        return jar.len() != before;
    }
    let fresh = Cookie {
        name: parsed.name().to_string(),
        value: parsed.value().to_string(),
        domain: Some(domain),
        host_only,
        path,
        secure: parsed.secure().unwrap_or(false),
        http_only: parsed.http_only().unwrap_or(false),
        expires,
    };
    match old {
        Some(i) if jar[i] == fresh => false,
        Some(i) => {
            jar[i] = fresh;
            true
        }
        None => {
            jar.push(fresh);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::cookies::parse;

    fn hosts() -> Vec<String> {
        ["api.bilibili.com", "www.bilibili.com", "*.bilivideo.com"]
            .map(String::from)
            .to_vec()
    }

    fn jar() -> Vec<Cookie> {
        let txt = "\
.bilibili.com\tTRUE\t/\tTRUE\t2000000000\tSESSDATA\ts1
www.bilibili.com\tFALSE\t/\tFALSE\t0\twww_only\tw
.bilibili.com\tTRUE\t/x/player\tFALSE\t0\tdeep\td
.bilibili.com\tTRUE\t/\tFALSE\t100\told\to
.evil.com\tTRUE\t/\tFALSE\t0\tstray\tz";
        parse(txt).unwrap().1
    }

    #[test]
    fn only_the_platforms_hosts_get_cookies_and_only_matching_ones() {
        let j = jar();
        let h = hosts();
        let at = |host: &str, path: &str, https: bool| header_for(&j, host, path, https, 500, &h);
        let cases: &[(&str, &str, bool, Option<&str>)] = &[
            (
                "api.bilibili.com",
                "/x/player/wbi/playurl",
                true,
                Some("deep=d; SESSDATA=s1"),
            ),
            (
                "api.bilibili.com",
                "/x/web-interface/view",
                true,
                Some("SESSDATA=s1"),
            ),
            ("api.bilibili.com", "/x/web-interface/view", false, None),
            (
                "www.bilibili.com",
                "/video/BV1",
                true,
                Some("SESSDATA=s1; www_only=w"),
            ),
            ("api.bilibili.com", "/x/playerx", true, Some("SESSDATA=s1")),
            // Not declared: a redirect there, or a stray domain, carries nothing.
            ("space.bilibili.com", "/", true, None),
            ("evil.com", "/", true, None),
            ("bilibili.com.evil.com", "/", true, None),
            ("upos-sz.bilivideo.com", "/", true, None),
        ];
        for (host, path, https, want) in cases {
            assert_eq!(at(host, path, *https).as_deref(), *want, "{host}{path}");
        }
        let header_jar = parse("SESSDATA=abc; bili_jct=j").unwrap().1;
        let got = header_for(&header_jar, "api.bilibili.com", "/", true, 0, &h);
        assert_eq!(
            got.as_deref(),
            Some("SESSDATA=abc; bili_jct=j"),
            "a header goes to every declared host"
        );
        assert_eq!(header_for(&header_jar, "other.com", "/", true, 0, &h), None);
    }

    #[test]
    fn set_cookie_refreshes_adds_and_removes() {
        let h = hosts();
        let mut j = jar();
        let from = "api.bilibili.com";
        assert!(apply_set_cookie(
            &mut j,
            "SESSDATA=s2; Domain=.bilibili.com; Path=/; Secure; Max-Age=3600",
            from,
            500,
            &h
        ));
        let s = j.iter().find(|c| c.name == "SESSDATA").unwrap();
        assert_eq!((s.value.as_str(), s.expires), ("s2", Some(4100)));
        assert_eq!(
            j.iter().filter(|c| c.name == "SESSDATA").count(),
            1,
            "replaced, not added"
        );
        assert!(
            !apply_set_cookie(
                &mut j,
                "SESSDATA=s2; Domain=.bilibili.com; Path=/; Secure; Max-Age=3600",
                from,
                500,
                &h
            ),
            "no change"
        );
        assert!(apply_set_cookie(
            &mut j,
            "bili_ticket=t; Path=/",
            from,
            500,
            &h
        ));
        let t = j.iter().find(|c| c.name == "bili_ticket").unwrap();
        assert!(t.host_only && t.domain.as_deref() == Some("api.bilibili.com"));
        assert!(apply_set_cookie(
            &mut j,
            "deep=; Domain=bilibili.com; Path=/x/player; Max-Age=0",
            from,
            500,
            &h
        ));
        assert!(j.iter().all(|c| c.name != "deep"), "removed");
        // Refused: a host that is not the platform's, a domain it may not set, junk.
        assert!(!apply_set_cookie(&mut j, "x=1", "evil.com", 500, &h));
        assert!(!apply_set_cookie(
            &mut j,
            "x=1; Domain=evil.com",
            from,
            500,
            &h
        ));
        assert!(!apply_set_cookie(
            &mut j,
            "x=1; Domain=www.bilibili.com",
            from,
            500,
            &h
        ));
        assert!(!apply_set_cookie(&mut j, "no equals sign", from, 500, &h));
        assert!(j.iter().all(|c| c.name != "x"));
    }

    #[test]
    fn domain_and_path_rules() {
        assert!(domain_matches("b.com", "a.b.com") && domain_matches("b.com", "b.com"));
        assert!(!domain_matches("b.com", "ab.com") && !domain_matches("b.com", "com"));
        assert!(path_match("/x/y", "/x") && path_match("/x/", "/x/") && path_match("/x", "/x"));
        assert!(!path_match("/xy", "/x") && !path_match("/", "/x"));
        let h = hosts();
        assert!(platform_host("a.bilivideo.com", &h) && !platform_host("bilivideo.com", &h));
    }
}
