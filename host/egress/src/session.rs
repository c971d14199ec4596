//! The account a request runs as, seen from the door out: which cookies a
//! hop carries, what its `Set-Cookie` answers change, and the identity's
//! user agent and proxy. The egress asks on every hop, so a redirect to
//! another host is asked about anew (and a foreign host gets nothing); the
//! rules themselves live with the accounts, above the egress.

use url::Url;

pub trait Session: Send + Sync {
    /// The `Cookie` pairs this hop carries, `None` for none.
    fn cookie_header(&self, url: &Url) -> Option<String>;
    /// The hop at `url` answered with these `Set-Cookie` values.
    fn absorb(&self, url: &Url, set_cookies: &[String]);
    /// Sent instead of the plugin's, so identity and cookies match.
    fn user_agent(&self) -> Option<String>;
    /// The proxy this identity's traffic goes through.
    fn proxy(&self) -> Option<String>;
    /// Every live cookie as `name=value; …`, for a plugin that signs with
    /// one or puts one in a URL (what it reads as its `cookie` setting).
    fn cookie_pairs(&self) -> Option<String>;
    /// One live cookie's value (the contract's `account.cookie`).
    fn cookie_value(&self, name: &str) -> Option<String>;
}

/// The plugin's own `Cookie` value with the session's pairs added; a name
/// the plugin set itself keeps the plugin's value.
pub fn merge_cookies(plugin: Option<&str>, session: &str) -> String {
    let names: Vec<&str> = plugin
        .into_iter()
        .flat_map(|c| c.split(';'))
        .filter_map(|p| p.split_once('=').map(|(n, _)| n.trim()))
        .collect();
    let added = session
        .split("; ")
        .filter(|p| p.split_once('=').is_some_and(|(n, _)| !names.contains(&n)));
    plugin
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .into_iter()
        .chain(added)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::merge_cookies;

    #[test]
    fn the_plugins_own_pairs_win() {
        assert_eq!(merge_cookies(None, "a=1; b=2"), "a=1; b=2");
        assert_eq!(merge_cookies(Some("b=9"), "a=1; b=2"), "b=9; a=1");
        assert_eq!(merge_cookies(Some(" "), "a=1"), "a=1");
        assert_eq!(merge_cookies(Some("x=1;y=2"), "y=3; z=4"), "x=1;y=2; z=4");
    }
}
