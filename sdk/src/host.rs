//! The host's small services: a private key-value store, operator config,
//! the account (session) the host leased, and the log. Thin, typed
//! wrappers over the imports.

use crate::bindings::grabkit::plugin::{
    account as session, config as cfg, kv as store, log as logger,
};
use std::time::Duration;

/// The plugin's private key-value store, shared by all its instances.
///
/// Meant for small things worth keeping between parses (tokens, signing
/// keys). Other plugins cannot see it. Values are bytes; `&str` and
/// `String` work as values directly.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
/// use std::time::Duration;
///
/// fn guest_token(client: &Client) -> Result<String> {
///     if let Some(token) = kv::get_string("guest_token") {
///         return Ok(token);
///     }
///     let resp: Value = client.post("https://api.example.com/guest/activate").json_response()?;
///     let token = resp["guest_token"].as_str().required("guest_token")?.to_string();
///     kv::set("guest_token", &token, Some(Duration::from_secs(3 * 3600)));
///     Ok(token)
/// }
/// ```
pub mod kv {
    use super::*;

    /// The raw value stored under `key`, if any (and not expired).
    pub fn get(key: &str) -> Option<Vec<u8>> {
        store::get(key)
    }

    /// The value as UTF-8 text, if present and valid. A value that is not
    /// UTF-8 reads as `None`.
    pub fn get_string(key: &str) -> Option<String> {
        get(key).and_then(|v| String::from_utf8(v).ok())
    }

    /// Store `value` under `key`, replacing any previous one; it disappears
    /// after `ttl` when given. The TTL is whole seconds: fractions are
    /// dropped and anything shorter than a second counts as one.
    pub fn set(key: &str, value: impl AsRef<[u8]>, ttl: Option<Duration>) {
        let ttl = ttl.map(|d| d.as_secs().clamp(1, u32::MAX as u64) as u32);
        store::set(key, value.as_ref(), ttl)
    }

    /// Remove `key` (e.g. a token the platform no longer accepts). Removing
    /// a missing key is not an error.
    pub fn delete(key: &str) {
        store::delete(key)
    }
}

/// Read-only settings the operator gave this plugin (a query id, a
/// visitor token). Sessions are not settings: see [`account`].
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// const DEFAULT_QUERY_ID: &str = "abc123";
/// let query_id = config::get("graphql_query_id").unwrap_or_else(|| DEFAULT_QUERY_ID.to_string());
/// ```
pub mod config {
    use super::*;

    /// The operator's setting `key`. Unset and blank (whitespace-only)
    /// settings both read as `None`.
    pub fn get(key: &str) -> Option<String> {
        cfg::get(key).filter(|v| !v.trim().is_empty())
    }
}

/// The platform account (session) the host leased for this call.
///
/// The host already sends the account's cookies (by their domain and path
/// rules, to the platform's hosts only) and its user agent on every
/// request, and keeps the cookies the platform sets. Read a value only to
/// sign with it or to put it in a URL or a body (a CSRF token).
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// fn comments() -> Result<()> {
///     account::require("bilibili", "comments")?;
///     let csrf = account::cookie("bili_jct").unwrap_or_default();
///     # let _ = csrf;
///     Ok(())
/// }
/// ```
pub mod account {
    use super::*;

    /// Whether the call runs with an account.
    pub fn present() -> bool {
        session::present()
    }

    /// The value of the account's live cookie `name`.
    pub fn cookie(name: &str) -> Option<String> {
        session::cookie(name).filter(|v| !v.is_empty())
    }

    /// The account's user agent, when the operator gave one.
    pub fn user_agent() -> Option<String> {
        session::user_agent()
    }

    /// `Ok` with an account, else the `login-required` answer that tells
    /// the operator how to give `platform` one (what needs it: `what`).
    pub fn require(platform: &str, what: &str) -> crate::Result<()> {
        if present() {
            return Ok(());
        }
        Err(crate::Error::login_required(format!(
            "{what} needs a signed-in {platform} session: import an account \
             (`grabkit accounts import {platform} cookies.txt`, or POST \
             /api/v1/admin/accounts)"
        )))
    }
}

/// Lines in the host's log, tagged with the plugin and request.
///
/// There are shortcuts for the common levels; use [`log()`](log::log) with a
/// [`Level`](log::Level) for `Trace` and `Error`. Keep secrets (cookies,
/// tokens) out of messages.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// log::info("answered by the embed route");
/// log::debug(&format!("oEmbed failed: {}", "HTTP 404"));
/// log::log(log::Level::Error, "signing key rejected");
/// ```
pub mod log {
    use super::*;
    /// Severity of a log line, from `Trace` to `Error`.
    pub use logger::Level;

    /// Write one line at `level` (to stderr when a plugin's code runs
    /// natively, as in its unit tests).
    pub fn log(level: Level, message: &str) {
        #[cfg(target_arch = "wasm32")]
        logger::log(level, message);
        #[cfg(not(target_arch = "wasm32"))]
        eprintln!("[{level:?}] {message}");
    }
    /// Write one line at [`Level::Debug`].
    pub fn debug(message: &str) {
        log(Level::Debug, message)
    }
    /// Write one line at [`Level::Info`].
    pub fn info(message: &str) {
        log(Level::Info, message)
    }
    /// Write one line at [`Level::Warn`].
    pub fn warn(message: &str) {
        log(Level::Warn, message)
    }
}
