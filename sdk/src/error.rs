//! Typed extraction errors: what went wrong, in the contract's terms, with
//! enough context for an operator reading the log.

use crate::bindings::grabkit::plugin::types::ExtractError;
use std::fmt;

/// The kinds of failure the host knows how to answer (see `extract-error`).
///
/// The kind decides what the user is told (and whether retrying can help);
/// pick the most specific one. Each has a constructor on [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The link is not a single post this plugin handles (profile, search,
    /// live room, another site...). See [`Error::unsupported`].
    UnsupportedUrl,
    /// The post does not exist or was deleted. See [`Error::not_found`].
    NotFound,
    /// The post exists but is not public. See [`Error::private`].
    Private,
    /// The platform wants a logged-in session; the operator can configure a
    /// cookie. See [`Error::login_required`].
    LoginRequired,
    /// Not available from the host's region. See [`Error::geo_blocked`].
    GeoBlocked,
    /// The platform throttled or challenged us. See [`Error::rate_limited`].
    RateLimited,
    /// The platform answered with an error or could not be reached
    /// (including requests the host refused). See [`Error::upstream`].
    UpstreamFailed,
    /// The platform answered, but not in a shape the plugin understands.
    /// See [`Error::parse`].
    ParseFailed,
    /// The plugin does not offer this capability for this link. The SDK
    /// answers so for a [`Plugin`](crate::Plugin) method left at its default.
    /// See [`Error::not_supported`].
    NotSupported,
    /// A cursor the host passed back is not one this plugin made.
    /// See [`Error::invalid_cursor`].
    InvalidCursor,
}

/// An extraction error: a kind plus a human message.
///
/// Build one with the constructor named after its kind, and add what the
/// plugin was doing with [`Error::context`] (or [`Context::context`] on a
/// `Result`). `serde_json` errors convert into `ParseFailed` and
/// `url::ParseError` into `UnsupportedUrl`, so `?` works on both.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// fn check(status: i64, msg: &str) -> Result<()> {
///     match status {
///         0 => Ok(()),
///         -404 => Err(Error::not_found(format!("video is gone: {msg}"))),
///         -403 => Err(Error::login_required("members-only video")),
///         -412 => Err(Error::rate_limited(msg.to_string())),
///         _ => Err(Error::upstream(format!("API code {status}: {msg}")).context("view API")),
///     }
/// }
///
/// let e = check(-404, "deleted").unwrap_err();
/// assert_eq!(e.kind, ErrorKind::NotFound);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What kind of failure this is; decides what the host reports.
    pub kind: ErrorKind,
    /// What happened, for a human reading the answer or the log.
    pub message: String,
}

/// The result type of plugin code; the error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of any kind; the named constructors below are shorter.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    /// [`ErrorKind::UnsupportedUrl`]: not a link form this plugin handles.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnsupportedUrl, message)
    }
    /// [`ErrorKind::NotFound`]: the post does not exist or was deleted.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    /// [`ErrorKind::Private`]: the post exists but is not public.
    pub fn private(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Private, message)
    }
    /// [`ErrorKind::LoginRequired`]: the platform wants a logged-in session.
    pub fn login_required(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::LoginRequired, message)
    }
    /// [`ErrorKind::GeoBlocked`]: not available from the host's region.
    pub fn geo_blocked(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::GeoBlocked, message)
    }
    /// [`ErrorKind::RateLimited`]: throttled, or a captcha/challenge page.
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RateLimited, message)
    }
    /// [`ErrorKind::UpstreamFailed`]: the platform failed or was unreachable.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UpstreamFailed, message)
    }
    /// [`ErrorKind::ParseFailed`]: the answer is not in the expected shape.
    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ParseFailed, message)
    }

    /// [`ErrorKind::NotSupported`]: no such capability for this link.
    pub fn not_supported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotSupported, message)
    }
    /// [`ErrorKind::InvalidCursor`]: a paging cursor this plugin cannot read.
    pub fn invalid_cursor(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidCursor, message)
    }

    /// Prefix the message with what we were doing: `"view API: <message>"`.
    /// The kind is kept.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

/// Add context to any fallible step: `resp.json().context("playurl")?`.
///
/// Implemented for [`Result<T>`](Result) with the SDK's [`Error`]; turn other
/// errors into an [`Error`] first (e.g. with `?` or `map_err`).
pub trait Context<T> {
    /// On error, prefix its message with `what` (see [`Error::context`]).
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T> Context<T> for Result<T> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| e.context(what))
    }
}

/// Turn a missing value into a parse failure: `data.get("cid").required("cid")?`.
///
/// Implemented for `Option<T>`; handy with `serde_json::Value` lookups,
/// which yield `None` for a missing key or a value of the wrong type.
///
/// ```rust,no_run
/// use grabkit_sdk::prelude::*;
///
/// let data = json!({ "cid": 42, "title": "hello" });
/// let cid = data["cid"].as_u64().required("cid")?;
/// let title = data["title"].as_str().required("title")?;
/// assert_eq!((cid, title), (42, "hello"));
///
/// let e = data["owner"]["name"].as_str().required("owner.name").unwrap_err();
/// assert_eq!(e.kind, ErrorKind::ParseFailed); // "response has no `owner.name`"
/// # Ok::<(), Error>(())
/// ```
pub trait Required<T> {
    /// The value, or an [`ErrorKind::ParseFailed`] error naming `what`.
    fn required(self, what: &str) -> Result<T>;
}

impl<T> Required<T> for Option<T> {
    fn required(self, what: &str) -> Result<T> {
        self.ok_or_else(|| Error::parse(format!("response has no `{what}`")))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::parse(format!("unexpected JSON: {e}"))
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Error::unsupported(format!("not a valid URL: {e}"))
    }
}

impl From<Error> for ExtractError {
    fn from(e: Error) -> Self {
        let m = e.message;
        match e.kind {
            ErrorKind::UnsupportedUrl => ExtractError::UnsupportedUrl(m),
            ErrorKind::NotFound => ExtractError::NotFound(m),
            ErrorKind::Private => ExtractError::Private(m),
            ErrorKind::LoginRequired => ExtractError::LoginRequired(m),
            ErrorKind::GeoBlocked => ExtractError::GeoBlocked(m),
            ErrorKind::RateLimited => ExtractError::RateLimited(m),
            ErrorKind::UpstreamFailed => ExtractError::UpstreamFailed(m),
            ErrorKind::ParseFailed => ExtractError::ParseFailed(m),
            ErrorKind::NotSupported => ExtractError::NotSupported(m),
            ErrorKind::InvalidCursor => ExtractError::InvalidCursor(m),
        }
    }
}
