//! `POST /api/v1/parse`, `POST /api/v1/match`, `GET /api/v1/usage`.

use super::extract::{AnyKey, ApiKey};
use super::{AppState, body, ok};
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use grabkit_core::Coded;
use grabkit_core::accounts::key_json;
use grabkit_core::auth::store_failed;
use grabkit_core::clock::now;
use std::time::Instant;

/// The seed's order: token (missing, invalid, expired) → rate → link →
/// platform permission → credit (the gateway's); one credit per success.
pub async fn parse(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let gateway = &state.gateway;
    let url = match body::url_field(&headers, body).await {
        Ok(u) => u,
        Err(e) => {
            gateway.refuse(&key, "none", e.code(), started).await;
            return ApiError::from(e).into_response();
        }
    };
    let billed = gateway.parse(&key, &url, started).await;
    let mut resp = match billed.result {
        Ok(mut parsed) => {
            if wants_proxy(&uri, state.proxy.settings.default_on) {
                let post = parsed.route.url.as_str();
                state
                    .proxy
                    .attach(&mut parsed.media, key.id, post, &base_url(&headers));
            }
            ok(parsed.media).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    };
    if let Some(n) = billed.credits_left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    resp
}

/// Which platform and plugin would take a link; no upstream request, no charge.
pub async fn match_url(
    State(state): State<AppState>,
    AnyKey(_): AnyKey,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let url = body::url_field(&headers, body).await?;
    let r = state.service().route(&url)?;
    Ok(ok(serde_json::json!({
        "url": r.url.as_str(), "platform": r.platform, "plugin": r.plugin, "version": r.version,
    })))
}

/// `GET /api/v1/usage`: the calling key's own usage.
pub async fn usage(
    State(state): State<AppState>,
    AnyKey(key): AnyKey,
) -> Result<impl IntoResponse, ApiError> {
    let t = now();
    let day_start = t - t.rem_euclid(86_400);
    let store = &state.auth().store;
    let u = store.usage(key.id, day_start).await.map_err(store_failed)?;
    Ok(ok(serde_json::json!({
        "key": key_json(&key), "credits": key.credits, "today": u.today, "total": u.total,
        "byPlatform": u.by_platform, "byOutcome": u.by_outcome,
    })))
}

/// `?proxy=1` (or `true`) asks for proxy links; `?proxy=0` turns off the configured default.
fn wants_proxy(uri: &Uri, default_on: bool) -> bool {
    let q = uri.query().unwrap_or_default();
    match url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "proxy") {
        Some((_, v)) => matches!(v.as_ref(), "1" | "true" | "yes" | ""),
        None => default_on,
    }
}

/// Our own address as the client sees it (a reverse proxy's forwarded
/// headers first).
fn base_url(headers: &HeaderMap) -> String {
    let get = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or_default().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let proto = get("x-forwarded-proto")
        .filter(|p| p == "https" || p == "http")
        .unwrap_or_else(|| "http".into());
    let host = get("x-forwarded-host")
        .or_else(|| get("host"))
        .unwrap_or_else(|| "localhost".into());
    format!("{proto}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_links_on_request_or_by_default() {
        let uri = |q: &str| q.parse::<Uri>().unwrap();
        assert!(wants_proxy(&uri("/api/v1/parse?proxy=1"), false));
        assert!(wants_proxy(&uri("/api/v1/parse?proxy=true"), false));
        assert!(!wants_proxy(&uri("/api/v1/parse"), false));
        assert!(
            wants_proxy(&uri("/api/v1/parse"), true),
            "the configured default"
        );
        assert!(
            !wants_proxy(&uri("/api/v1/parse?proxy=0"), true),
            "turned off per request"
        );
        assert!(!wants_proxy(&uri("/api/v1/parse?proxy=nonsense"), false));
    }

    #[test]
    fn links_point_where_the_client_reached_us() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(&h), "http://127.0.0.1:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("dl.example.com, inner.local"),
        );
        assert_eq!(
            base_url(&h),
            "https://dl.example.com",
            "a reverse proxy's view, first hop"
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("javascript"));
        assert_eq!(base_url(&h), "http://dl.example.com", "only http or https");
    }
}
