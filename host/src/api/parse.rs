//! `POST /api/v1/parse`, `POST /api/v1/match`, `GET /api/v1/usage`.

use super::auth::store_error;
use super::{AppState, body, ok};
use crate::accounts::now;
use crate::error::ApiError;
use crate::store::keys::StoreError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// The seed's order: token (missing, invalid, expired) → rate → link →
/// platform permission → credit; one credit per success, nothing otherwise.
pub async fn parse(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let auth = &state.auth;
    let key = match auth
        .api_key(&headers, now())
        .and_then(|k| auth.rate_limit(&k).map(|_| k))
    {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let store = auth.store.clone();
    // Refusals before a credit is held are recorded, uncharged.
    let refuse = |platform: &str, e: ApiError| {
        let _ = store.record(
            key.id,
            platform,
            e.code_label(),
            started.elapsed().as_millis() as u64,
            now(),
        );
        e.into_response()
    };
    let url = match body::url_field(&headers, body).await {
        Ok(u) => u,
        Err(e) => return refuse("none", e),
    };
    let route = match state.service.route(&url) {
        Ok(r) => r,
        Err(e) => return refuse("none", e.into()),
    };
    if !key.allows(&route.platform) {
        return refuse(
            &route.platform,
            ApiError::new(
                StatusCode::FORBIDDEN,
                "platform_not_allowed",
                format!("this API key may not parse `{}` links", route.platform),
            ),
        );
    }
    let reservation = match store.reserve(key.id, &route.platform, now()) {
        Ok(r) => r,
        Err(StoreError::NoCredits) => {
            return refuse(
                &route.platform,
                ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    "insufficient_credits",
                    "no credits left on this API key",
                ),
            );
        }
        Err(e) => return store_error(e).into_response(),
    };
    let result = state.service.parse(&url).await;
    let outcome = match &result {
        Ok(_) => "success",
        Err(e) => ApiError::from_parse(e).code_label(),
    };
    let left = match store.settle(
        reservation,
        outcome,
        started.elapsed().as_millis() as u64,
        result.is_ok(),
    ) {
        Ok(l) => l,
        Err(e) => return store_error(e).into_response(),
    };
    let mut resp = match result {
        Ok(mut media) => {
            if wants_proxy(&uri, state.proxy.settings.default_on) {
                state
                    .proxy
                    .attach(&mut media, key.id, route.url.as_str(), &base_url(&headers));
            }
            ok(media).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    };
    if let Some(n) = left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    resp
}

/// Which platform and plugin would take a link; no upstream request, no charge.
pub async fn match_url(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let run = async {
        state.auth.api_key(&headers, now())?;
        let url = body::url_field(&headers, body).await?;
        let r = state.service.route(&url)?;
        Ok::<_, ApiError>(ok(
            serde_json::json!({"url": r.url.as_str(), "platform": r.platform, "plugin": r.plugin, "version": r.version}),
        ))
    };
    run.await.into_response()
}

/// `GET /api/v1/usage`: the calling key's own usage.
pub async fn usage(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let run = async {
        let key = state.auth.api_key(&headers, now())?;
        let t = now();
        let day_start = t - t.rem_euclid(86_400);
        let u = state
            .auth
            .store
            .usage(key.id, day_start)
            .map_err(store_error)?;
        Ok::<_, ApiError>(ok(
            serde_json::json!({"key": crate::accounts::key_json(&key), "credits": key.credits, "today": u.today, "total": u.total, "byPlatform": u.by_platform, "byOutcome": u.by_outcome}),
        ))
    };
    run.await.into_response()
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
