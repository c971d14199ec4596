//! Typed extraction errors: what went wrong, in the contract's terms, with
//! enough context for an operator reading the log.

use crate::bindings::grabkit::plugin::types::ExtractError;
use std::fmt;

/// The kinds of failure the host knows how to answer (see `extract-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    UnsupportedUrl,
    NotFound,
    Private,
    LoginRequired,
    GeoBlocked,
    RateLimited,
    UpstreamFailed,
    ParseFailed,
}

/// An extraction error: a kind plus a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

/// The result type of plugin code.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnsupportedUrl, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn private(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Private, message)
    }
    pub fn login_required(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::LoginRequired, message)
    }
    pub fn geo_blocked(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::GeoBlocked, message)
    }
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RateLimited, message)
    }
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UpstreamFailed, message)
    }
    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ParseFailed, message)
    }

    /// Prefix the message with what we were doing: `"view API: <message>"`.
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
pub trait Context<T> {
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T> Context<T> for Result<T> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| e.context(what))
    }
}

/// Turn a missing value into a parse failure: `data.get("cid").required("cid")?`.
pub trait Required<T> {
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
        }
    }
}
