//! The one place where failures become HTTP answers. Domain errors carry a
//! stable code (`grabkit_core::Coded`); [`CODES`] gives each code its HTTP
//! status, and README's error table lists exactly these codes (tested).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use grabkit_core::Coded;
use grabkit_core::code::wire_code;
use serde_json::json;

/// Every code a client can see, with its HTTP status.
pub const CODES: &[(&str, u16)] = &[
    // The link and the request.
    ("unsupported_link", 400),
    ("no_media", 200),
    ("missing_body", 400),
    ("invalid_json", 400),
    ("invalid_body", 400),
    ("missing_url", 400),
    ("invalid_url", 400),
    ("unsupported_scheme", 400),
    ("invalid_request", 400),
    ("payload_too_large", 413),
    ("unsupported_media_type", 415),
    ("no_route", 404),
    ("method_not_allowed", 405),
    ("invalid_path", 400),
    ("request_timeout", 408),
    ("too_many_connections", 503),
    // The data endpoints.
    ("capability_not_supported", 400),
    ("wrong_endpoint", 400),
    ("invalid_cursor", 400),
    ("feed_token_not_found", 404),
    // Keys, permissions, credits.
    ("missing_token", 401),
    ("invalid_token", 401),
    ("token_expired", 401),
    ("platform_not_allowed", 403),
    ("insufficient_credits", 402),
    ("rate_limited", 429),
    ("key_not_found", 404),
    ("credits_out_of_range", 400),
    // Batch jobs.
    ("too_many_items", 400),
    ("job_not_found", 404),
    ("queue_full", 503),
    ("store_failed", 500),
    // What the platform or the plugin said.
    ("not_found", 404),
    ("private", 403),
    ("login_required", 403),
    ("geo_blocked", 451),
    ("upstream_rate_limited", 429),
    ("upstream_failed", 502),
    ("parse_failed", 502),
    ("plugin_invalid_output", 502),
    ("plugin_timeout", 504),
    ("plugin_crashed", 500),
    ("plugin_memory_limit", 500),
    ("busy", 503),
    ("platform_unavailable", 503),
    ("no_account_available", 503),
    // Operating plugins.
    ("unknown_platform", 404),
    ("no_previous_version", 409),
    ("plugins_dir_unreadable", 500),
    // Platform accounts.
    ("account_not_found", 404),
    ("account_read_only", 409),
    ("invalid_cookies", 400),
    ("accounts_key_invalid", 500),
    ("account_unreadable", 500),
    // The download proxy.
    ("invalid_media_token", 403),
    ("media_token_expired", 403),
    ("media_host_denied", 403),
    ("upstream_timeout", 504),
    ("media_gone", 410),
    ("nothing_to_merge", 400),
    ("merge_unavailable", 501),
    ("merge_failed", 502),
    ("save_failed", 500),
];

/// The HTTP status of a code (500 for one missing from the table).
pub fn status_of(code: &str) -> StatusCode {
    CODES
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, s)| StatusCode::from_u16(*s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A failure on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: &'static str,
    pub msg: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The answer for any coded failure.
    pub fn of(e: &(impl Coded + ?Sized)) -> Self {
        ApiError {
            code: e.code(),
            msg: e.to_string(),
            retry_after: e.retry_after(),
        }
    }
}

impl<E: Coded> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError::of(&e)
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }

    /// The envelope of this failure.
    pub fn envelope(&self) -> serde_json::Value {
        json!({
            "status": self.status().as_u16(), "data": null, "msg": self.msg,
            "code": wire_code(self.code),
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status(), axum::Json(self.envelope())).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grabkit_core::auth::AuthError;
    use grabkit_core::gateway::GatewayError;
    use grabkit_core::key_admin::KeyAdminError;
    use grabkit_core::registry::RollbackError;
    use grabkit_core::service::{ExtractKind, ParseError};
    use grabkit_egress::HttpFailure;
    use grabkit_media::{ProxyError, TokenError};
    use grabkit_runtime::InvokeError;
    use grabkit_store::StoreError;
    use std::collections::BTreeMap;

    /// One failure of every kind the domain crates define.
    fn every_failure() -> Vec<Box<dyn Coded>> {
        use crate::RequestError as R;
        use grabkit_core::sessions as S;
        let kinds = [
            ExtractKind::NotFound,
            ExtractKind::Private,
            ExtractKind::LoginRequired,
            ExtractKind::GeoBlocked,
            ExtractKind::RateLimited,
            ExtractKind::UpstreamFailed,
            ExtractKind::ParseFailed,
        ];
        let mut all: Vec<Box<dyn Coded>> = vec![
            Box::new(ParseError::Input(grabkit_urlkit::FindError::Empty)),
            Box::new(ParseError::Input(grabkit_urlkit::FindError::Scheme(
                "file".into(),
            ))),
            Box::new(ParseError::Unsupported("x".into())),
            Box::new(ParseError::Busy(String::new())),
            Box::new(ParseError::NoMedia),
            Box::new(ParseError::NotSupported("x".into())),
            Box::new(ParseError::WrongEndpoint("x".into())),
            Box::new(ParseError::InvalidCursor("x".into())),
            Box::new(ParseError::UnknownPlatform("x".into())),
            Box::new(grabkit_core::feeds::FeedError::NotFound(1)),
            Box::new(ParseError::Unavailable {
                platform: "x".into(),
                retry_after: 1,
            }),
            Box::new(ParseError::Output(
                grabkit_core::service::media::OutputError::NoId,
            )),
            Box::new(ParseError::Plugin(
                InvokeError::Deadline(Default::default()),
            )),
            Box::new(ParseError::Plugin(InvokeError::Memory(1))),
            Box::new(ParseError::Plugin(InvokeError::Trap("t".into()))),
            Box::new(AuthError::MissingToken),
            Box::new(AuthError::InvalidToken),
            Box::new(AuthError::TokenExpired),
            Box::new(AuthError::Store(StoreError::Backend("b".into()))),
            Box::new(AuthError::RateLimited {
                per_sec: 1,
                burst: 1,
                retry_after: 1,
            }),
            Box::new(GatewayError::PlatformNotAllowed("x".into())),
            Box::new(GatewayError::InsufficientCredits),
            Box::new(GatewayError::Store(StoreError::NoSuchKey)),
            Box::new(KeyAdminError::Invalid("x".into())),
            Box::new(KeyAdminError::NotFound(1)),
            Box::new(ParseError::NoAccount {
                platform: "x".into(),
                retry_after: Some(1),
            }),
            Box::new(S::AccountError::NotFound(1)),
            Box::new(S::AccountError::ReadOnly(-1)),
            Box::new(S::AccountError::Invalid("proxy", "x".into())),
            Box::new(S::AccountError::Store(StoreError::Backend("b".into()))),
            Box::new(S::AccountError::Cookies(S::cookies::CookieError::Empty)),
            Box::new(S::vault::VaultError::BadKey),
            Box::new(S::vault::VaultError::Sealed),
            Box::new(RollbackError::UnknownPlatform("x".into())),
            Box::new(RollbackError::NoPrevious("x".into())),
            Box::new(StoreError::NoCredits),
            Box::new(StoreError::CreditsOutOfRange),
            Box::new(grabkit_core::jobs::JobError::TooManyItems(1)),
            Box::new(grabkit_core::jobs::JobError::NotFound),
            Box::new(grabkit_core::jobs::JobError::QueueFull),
            Box::new(grabkit_core::jobs::JobError::NoCredits),
            Box::new(grabkit_core::jobs::JobError::Invalid("x".into())),
            Box::new(R::Unreadable("x".into())),
            Box::new(R::TooLarge(1)),
            Box::new(R::NotJson),
            Box::new(R::Empty),
            Box::new(R::InvalidJson("x".into())),
            Box::new(R::MissingUrl("x")),
            Box::new(R::Invalid("x".into())),
            Box::new(R::NoRoute),
            Box::new(R::MethodNotAllowed),
            Box::new(R::PluginsDirUnreadable("x".into())),
            Box::new(R::HeadTimeout),
            Box::new(R::BodyTimeout(1)),
            Box::new(R::TooManyConnections),
            Box::new(R::InvalidPath("x".into())),
            Box::new(ProxyError::Token(TokenError::Expired)),
            Box::new(ProxyError::Token(TokenError::BadSignature)),
            Box::new(ProxyError::KeyRevoked),
            Box::new(ProxyError::PlatformGone("x".into())),
            Box::new(ProxyError::Denied("x".into())),
            Box::new(ProxyError::Upstream {
                status: 403,
                refreshed: true,
            }),
            Box::new(ProxyError::Transport(HttpFailure::Timeout)),
            Box::new(ProxyError::Transport(HttpFailure::Transport("x".into()))),
            Box::new(ProxyError::Gone("x".into())),
            Box::new(ProxyError::NothingToMerge),
            Box::new(ProxyError::RefreshRefused(AuthError::InvalidToken)),
            Box::new(ProxyError::NoFfmpeg("ffmpeg".into())),
            Box::new(ProxyError::Merge("x".into())),
            Box::new(ProxyError::Interrupted("x".into())),
            Box::new(ProxyError::Save("x".into())),
        ];
        for kind in kinds {
            all.push(Box::new(ParseError::Extract {
                kind,
                message: "m".into(),
            }));
        }
        all
    }

    #[test]
    fn every_domain_code_has_a_status_and_every_row_is_used() {
        let table: BTreeMap<&str, u16> = CODES.iter().copied().collect();
        assert_eq!(table.len(), CODES.len(), "a code listed twice");
        let mut used: Vec<&str> = every_failure().iter().map(|e| e.code()).collect();
        for code in &used {
            assert!(table.contains_key(code), "`{code}` is missing from CODES");
        }
        used.sort();
        used.dedup();
        let unused: Vec<_> = table.keys().filter(|c| !used.contains(c)).collect();
        assert!(unused.is_empty(), "rows no failure produces: {unused:?}");
    }

    /// README's "Errors" table: one row per code, `| \`code\` | status | when |`.
    fn readme_table() -> BTreeMap<String, u16> {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("\n### Errors\n")
            .nth(1)
            .expect("README has an Errors section");
        let section = section.split("\n#").next().unwrap_or_default();
        let mut rows = BTreeMap::new();
        for line in section.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells[1].split('`').nth(1).expect("a code in backticks");
            let status: u16 = cells[2].parse().expect("a status number");
            assert!(
                rows.insert(code.to_string(), status).is_none(),
                "`{code}` twice"
            );
        }
        rows
    }

    #[test]
    fn readme_error_table_matches_the_code() {
        let readme = readme_table();
        let code: BTreeMap<String, u16> = CODES.iter().map(|(c, s)| (c.to_string(), *s)).collect();
        for (c, s) in &code {
            assert_eq!(readme.get(c), Some(s), "README's row for `{c}`");
        }
        let stale: Vec<_> = readme.keys().filter(|c| !code.contains_key(*c)).collect();
        assert!(
            stale.is_empty(),
            "README rows for codes that do not exist: {stale:?}"
        );
    }

    #[test]
    fn link_errors_keep_the_seed_numbers() {
        assert_eq!(wire_code("unsupported_link"), json!(302));
        assert_eq!(wire_code("no_media"), json!(304));
        assert_eq!(wire_code("not_found"), json!("not_found"));
        assert_eq!(status_of("no_media"), StatusCode::OK);
        assert_eq!(status_of("no such code"), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
