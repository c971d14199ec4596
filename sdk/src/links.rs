//! Link handling: one table of URL patterns that is both the plugin's
//! self-description and its router, share-text URL finding, and short-link
//! resolution through the host (each hop re-checked by the sandbox).
//!
//! Patterns use grabkit's URL pattern syntax: `host/path?query`, where the
//! host may start with `*.` (that domain and any subdomain), a path segment
//! may be `*` (any one segment) or `**` (the rest of the path, last only),
//! and a literal may hold one `{name}` capture (`{name:num}` for digits
//! only), e.g. `*.example.com/video/BV{bvid}` or `*.example.com/list/*?bvid={bvid}`.
//!
//! ```rust,no_run
//! use grabkit_sdk::prelude::*;
//!
//! #[derive(Debug, Clone, Copy, PartialEq)]
//! enum Link { Video, Gallery }
//!
//! // The same table feeds `Descriptor::url_patterns` and the router.
//! const LINKS: Links<Link> = &[
//!     (Link::Video, "*.example.com/video/{id:num}"),
//!     (Link::Gallery, "*.example.com/p/{code}"),
//! ];
//!
//! let link = route("Look at this! https://www.example.com/video/42?t=30 (via app)", LINKS)?;
//! assert_eq!(link.kind, Link::Video);
//! assert_eq!(link.cap("id"), "42");
//! assert_eq!(link.query("t").as_deref(), Some("30"));
//!
//! assert_eq!(kind_of("example.com/p/Abc", LINKS), Some(Link::Gallery));
//! assert_eq!(patterns(LINKS), ["*.example.com/video/{id:num}", "*.example.com/p/{code}"]);
//! # Ok::<(), Error>(())
//! ```

use crate::error::{Error, Result};
use crate::http::Client;
/// Named values a pattern captured; usually read through [`Matched::cap`].
pub use grabkit_urlkit::Captures;
use grabkit_urlkit::Pattern;
use url::Url;

/// A plugin's link forms: `(kind, pattern)` pairs, first match wins.
/// `kind` is the plugin's own enum naming each form. Declare it as a
/// `const` so it can serve both [`patterns`] and [`route`].
pub type Links<K> = &'static [(K, &'static str)];

/// The patterns of a link table, in order, for
/// [`Descriptor::url_patterns`](crate::Descriptor::url_patterns).
pub fn patterns<K>(links: Links<K>) -> Vec<String> {
    links.iter().map(|(_, p)| p.to_string()).collect()
}

/// A link recognised by [`route`].
#[derive(Debug, Clone)]
pub struct Matched<K> {
    /// Which form of the table matched (the first that did).
    pub kind: K,
    /// The pattern's `{name}` captures; see [`cap`](Self::cap).
    pub captures: Captures,
    /// The link itself, as found in the input.
    pub url: Url,
}

impl<K> Matched<K> {
    /// A capture the pattern guarantees (empty when the pattern lacks it).
    pub fn cap(&self, name: &str) -> &str {
        self.captures.get(name).unwrap_or("")
    }

    /// A query parameter of the link (decoded), whether or not the pattern
    /// mentions it. The first one wins when the key repeats.
    pub fn query(&self, key: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// Find the link in `input` (share text allowed) and match it against the table.
///
/// Input without a link, or a link no pattern matches, is
/// [`ErrorKind::UnsupportedUrl`](crate::ErrorKind::UnsupportedUrl). Does no
/// network I/O; see [`route_following`] for short links.
pub fn route<K: Copy>(input: &str, links: Links<K>) -> Result<Matched<K>> {
    let url = find_url(input)?;
    route_url(url, links)
}

/// Route `input`; when it matches a short-link form (`is_short`), follow the
/// redirects to the first URL that is not a short link and route that.
/// A short link that leads elsewhere is an unsupported link.
///
/// The short-link host must be in the descriptor's `allowed_hosts`, since
/// the redirects are fetched through `client`. See the [`Plugin`](crate::Plugin)
/// example for typical use.
pub fn route_following<K: Copy>(
    input: &str,
    links: Links<K>,
    client: &Client,
    is_short: impl Fn(K) -> bool,
) -> Result<Matched<K>> {
    let link = route(input, links)?;
    if !is_short(link.kind) {
        return Ok(link);
    }
    let target = resolve_short_link(client, &link.url, |u| {
        route_url(u.clone(), links).is_ok_and(|m| is_short(m.kind))
    })?;
    route_url(target.clone(), links).map_err(|_| {
        Error::unsupported(format!(
            "{} leads to {target}, which is not a single post this plugin handles",
            link.url
        ))
    })
}

/// Route `input` against a second table (`targets`: profile or live links),
/// following it when it is one of `links`' short links that leads there.
/// `None` when `input` is another link of `links` (a post: the caller
/// takes it from there); unsupported when it is neither.
///
/// ```rust,ignore
/// // A space link, or b23.tv/… leading to one: the user; a video link: None.
/// match route_through_short(input, USER_LINKS, LINKS, &client, |k| k == Link::Short)? {
///     Some(user) => profile(user.cap("mid")),
///     None => author_of_video(input),
/// }
/// ```
pub fn route_through_short<T: Copy, K: Copy>(
    input: &str,
    targets: Links<T>,
    links: Links<K>,
    client: &Client,
    is_short: impl Fn(K) -> bool,
) -> Result<Option<Matched<T>>> {
    if let Ok(t) = route(input, targets) {
        return Ok(Some(t));
    }
    let link = route(input, links)?;
    if !is_short(link.kind) {
        return Ok(None);
    }
    let target = resolve_short_link(client, &link.url, |u| {
        route_url(u.clone(), links).is_ok_and(|m| is_short(m.kind))
    })?;
    Ok(route_url(target, targets).ok())
}

/// Which form of the table `input` is, if any (handy in a plugin's tests).
/// Like [`route`], without the error or the captures.
pub fn kind_of<K: Copy>(input: &str, links: Links<K>) -> Option<K> {
    route(input, links).ok().map(|m| m.kind)
}

/// Match an already parsed URL against the table, in order: the first
/// form that matches wins. Patterns are parsed as they are tried (an
/// instance lives for one call, so nothing is kept): a malformed one
/// reached before a match fails with
/// [`ErrorKind::ParseFailed`](crate::ErrorKind::ParseFailed). A table
/// given as the descriptor's or a capability's patterns is checked whole
/// by the host when it loads the plugin.
pub fn route_url<K: Copy>(url: Url, links: Links<K>) -> Result<Matched<K>> {
    for (kind, source) in links {
        let pattern = Pattern::parse(source).map_err(|e| Error::parse(e.to_string()))?;
        if let Some(captures) = pattern.matches(&url) {
            return Ok(Matched {
                kind: *kind,
                captures,
                url,
            });
        }
    }
    Err(Error::unsupported(format!(
        "{url} is not a link form this plugin handles"
    )))
}

/// The first http(s) link in a pasted text: a bare URL, one without a
/// scheme (`ex.am/abc`), or an app's share text around it. No link, or a
/// link of another scheme, is [`ErrorKind::UnsupportedUrl`](crate::ErrorKind::UnsupportedUrl).
pub fn find_url(input: &str) -> Result<Url> {
    grabkit_urlkit::find_url(input).map_err(|e| Error::unsupported(e.to_string()))
}

/// Follow a short link's redirects hop by hop while the URL is still a
/// short link (`is_short`), without fetching the page it finally points to.
/// Returns the first URL that is not a short link.
///
/// At most 8 hops. A 2xx interstitial page is followed through its first
/// `<a href>`. A 404/410 is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound);
/// other statuses and redirect loops are
/// [`ErrorKind::UpstreamFailed`](crate::ErrorKind::UpstreamFailed). Use it
/// directly when the short link is not part of your [`Links`] table;
/// otherwise [`route_following`] does this for you.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let client = Client::new().user_agent(ua::IOS);
/// let short = Url::parse("https://v.example.cn/AbCdEf/")?;
/// let target = resolve_short_link(&client, &short, |u| u.host_str() == Some("v.example.cn"))?;
/// println!("{short} -> {target}");
/// # Ok::<(), Error>(())
/// ```
pub fn resolve_short_link(
    client: &Client,
    url: &Url,
    is_short: impl Fn(&Url) -> bool,
) -> Result<Url> {
    const MAX_HOPS: usize = 8;
    let mut current = url.clone();
    for _ in 0..MAX_HOPS {
        if !is_short(&current) {
            return Ok(current);
        }
        let resp = client.get(current.as_str()).no_redirects().send()?;
        match resp.status {
            300..=399 => {
                let loc = resp.header("location").ok_or_else(|| {
                    Error::upstream(format!("{current}: redirect without Location"))
                })?;
                current = current
                    .join(loc)
                    .map_err(|e| Error::upstream(format!("{current}: bad redirect target: {e}")))?;
            }
            404 | 410 => return Err(Error::not_found(format!("short link {url} does not exist"))),
            200..=299 => {
                // Some short-link services answer 200 with a page that links on.
                if let Some(next) = first_href(&resp.text()).and_then(|h| current.join(&h).ok())
                    && next != current
                {
                    current = next;
                    continue;
                }
                return Ok(current);
            }
            s => {
                return Err(Error::upstream(format!(
                    "short link {url} answered HTTP {s}"
                )));
            }
        }
    }
    if !is_short(&current) {
        Ok(current)
    } else {
        Err(Error::upstream(format!(
            "short link {url} redirects too often"
        )))
    }
}

/// The first `<a href="…">` of an HTML page (short-link interstitials).
fn first_href(html: &str) -> Option<String> {
    let start = html.find("<a href=\"")? + 9;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

/// `url` over https: platforms hand out `http://` and protocol-relative
/// (`//host/…`) CDN links that their CDNs also serve over https, and
/// clients on https pages cannot load mixed content.
pub fn https(url: &str) -> String {
    match url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("//"))
    {
        Some(rest) => format!("https://{rest}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum K {
        Video,
        Short,
    }
    const LINKS: Links<K> = &[
        (K::Video, "*.example.com/video/{id:num}"),
        (K::Short, "ex.am/{code}"),
    ];

    #[test]
    fn routes_share_text_and_reports_unsupported() {
        let m = route("look: https://www.example.com/video/42?t=1 !", LINKS).unwrap();
        assert_eq!(
            (m.kind, m.cap("id"), m.query("t").as_deref()),
            (K::Video, "42", Some("1"))
        );
        assert_eq!(route("ex.am/Zz9", LINKS).unwrap().kind, K::Short);
        let e = route("https://www.example.com/user/42", LINKS).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::UnsupportedUrl);
        assert_eq!(
            route("no link here", LINKS).unwrap_err().kind,
            crate::ErrorKind::UnsupportedUrl
        );
        assert_eq!(
            patterns(LINKS),
            vec!["*.example.com/video/{id:num}", "ex.am/{code}"]
        );
    }

    #[test]
    fn href_of_interstitial() {
        assert_eq!(
            first_href("<html><a href=\"https://x.com/a?b=1&amp;c=2\">x</a>").as_deref(),
            Some("https://x.com/a?b=1&c=2")
        );
        assert_eq!(first_href("<html>nothing</html>"), None);
    }
}
