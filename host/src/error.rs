//! Every failure a client can see, mapped in this one place to an HTTP
//! status and the Easydown envelope's `code` and `msg`.

use crate::proxy::{ProxyError, TokenError};
use crate::runtime::InvokeError;
use crate::sandbox::HttpFailure;
use crate::service::{ExtractKind, ParseError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The envelope's `code`: the seed uses names (`missing_token`) and, for
/// link errors, numbers (302 unsupported link, 304 no downloadable media).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Name(&'static str),
    Number(u16),
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub msg: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code: Code::Name(code),
            msg: msg.into(),
            retry_after: None,
        }
    }

    fn numbered(status: StatusCode, code: u16, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code: Code::Number(code),
            msg: msg.into(),
            retry_after: None,
        }
    }

    fn retry(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn missing_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "Unauthorized: send `Authorization: Bearer <token>`",
        )
    }
    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Unauthorized: the token is not valid",
        )
    }
    pub fn bad_request(code: &'static str, msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, msg)
    }

    /// The one mapping from parse failures to answers.
    pub fn from_parse(e: &ParseError) -> Self {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            ParseError::Input(grabkit_urlkit::FindError::Scheme(_)) => {
                Self::new(S::BAD_REQUEST, "unsupported_scheme", msg)
            }
            ParseError::Input(_) => Self::new(S::BAD_REQUEST, "invalid_url", msg),
            ParseError::Unsupported(_) => Self::numbered(S::BAD_REQUEST, 302, msg),
            ParseError::NoMedia => Self::numbered(S::OK, 304, msg),
            ParseError::Busy(_) => Self::new(S::SERVICE_UNAVAILABLE, "busy", msg).retry(1),
            ParseError::Extract { kind, .. } => match kind {
                ExtractKind::NotFound => Self::new(S::NOT_FOUND, "not_found", msg),
                ExtractKind::Private => Self::new(S::FORBIDDEN, "private", msg),
                ExtractKind::LoginRequired => Self::new(S::FORBIDDEN, "login_required", msg),
                ExtractKind::GeoBlocked => {
                    Self::new(S::UNAVAILABLE_FOR_LEGAL_REASONS, "geo_blocked", msg)
                }
                ExtractKind::RateLimited => {
                    Self::new(S::TOO_MANY_REQUESTS, "upstream_rate_limited", msg).retry(30)
                }
                ExtractKind::UpstreamFailed => Self::new(S::BAD_GATEWAY, "upstream_failed", msg),
                ExtractKind::ParseFailed => Self::new(S::BAD_GATEWAY, "parse_failed", msg),
            },
            ParseError::Plugin(InvokeError::Deadline(_)) => {
                Self::new(S::GATEWAY_TIMEOUT, "plugin_timeout", msg)
            }
            ParseError::Plugin(InvokeError::Memory(_)) => {
                Self::new(S::INTERNAL_SERVER_ERROR, "plugin_memory_limit", msg)
            }
            ParseError::Plugin(InvokeError::Trap(_)) => {
                Self::new(S::INTERNAL_SERVER_ERROR, "plugin_crashed", msg)
            }
            ParseError::Output(_) => Self::new(S::BAD_GATEWAY, "plugin_invalid_output", msg),
        }
    }

    /// A short label for metrics and logs.
    pub fn code_label(&self) -> &'static str {
        match self.code {
            Code::Name(n) => n,
            Code::Number(302) => "unsupported_link",
            Code::Number(304) => "no_media",
            Code::Number(_) => "other",
        }
    }
}

impl From<ProxyError> for ApiError {
    /// The download proxy's failures.
    fn from(e: ProxyError) -> Self {
        use StatusCode as S;
        let msg = e.to_string();
        match e {
            ProxyError::Token(TokenError::Expired) => {
                Self::new(S::FORBIDDEN, "media_token_expired", msg)
            }
            ProxyError::Token(_) | ProxyError::KeyRevoked => {
                Self::new(S::FORBIDDEN, "invalid_media_token", msg)
            }
            ProxyError::Denied(_) => Self::new(S::FORBIDDEN, "media_host_denied", msg),
            ProxyError::PlatformGone(_) => Self::new(S::NOT_FOUND, "not_found", msg),
            ProxyError::Upstream { .. } => Self::new(S::BAD_GATEWAY, "upstream_failed", msg),
            ProxyError::Transport(HttpFailure::Timeout) => {
                Self::new(S::GATEWAY_TIMEOUT, "upstream_timeout", msg)
            }
            ProxyError::Transport(_) => Self::new(S::BAD_GATEWAY, "upstream_failed", msg),
            ProxyError::Refresh(p) => {
                let mut e = Self::from_parse(&p);
                e.msg = msg;
                e
            }
            ProxyError::Gone(_) => Self::new(S::GONE, "media_gone", msg),
            ProxyError::NothingToMerge => Self::bad_request("nothing_to_merge", msg),
            ProxyError::NoFfmpeg(_) => Self::new(S::NOT_IMPLEMENTED, "merge_unavailable", msg),
            ProxyError::Merge(_) => Self::new(S::BAD_GATEWAY, "merge_failed", msg),
            ProxyError::Interrupted(_) => Self::new(S::BAD_GATEWAY, "upstream_failed", msg),
            ProxyError::Save(_) => Self::new(S::INTERNAL_SERVER_ERROR, "save_failed", msg),
        }
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        ApiError::from_parse(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = match self.code {
            Code::Name(n) => json!(n),
            Code::Number(n) => json!(n),
        };
        let body =
            json!({"status": self.status.as_u16(), "data": null, "msg": self.msg, "code": code});
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}
