//! `POST /api/v1/parse`, `POST /api/v1/match`, `GET /api/v1/usage`.

use super::extract::{ApiKey, Peer};
use super::{AppState, body, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{Envelope, MatchAnswer, ParseBody, UrlBody, UsageAnswer};
use crate::origin::base_url;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use grabkit_core::Coded;
use grabkit_core::auth::store_failed;
use grabkit_core::clock::now;
use grabkit_core::key_admin::key_json;
use grabkit_core::service::cache::CacheUse;
use grabkit_core::service::media::MediaJson;
use grabkit_core::service::with_pinned_account;
use std::time::Instant;

/// The seed's order: token (missing, invalid, expired) → rate → link →
/// platform permission → credit (the gateway's); one credit per success.
#[utoipa::path(post, path = "/api/v1/parse", tag = "parse",
    security(("apiKey" = [])),
    request_body = ParseBody,
    params(("proxy" = Option<bool>, Query, description = "Add download-proxy links (`proxyUrl`, `mergedUrl`)"), ("refresh" = Option<bool>, Query, description = "Parse again even if cached"), ("account" = Option<i64>, Query, description = "Parse as this platform account (admins only: send the admin token as `X-Admin-Token`); never from the cache")),
    responses(
        (status = 200, description = "The link's media; `X-Cache`, `X-Credits-Remaining`", body = Envelope<MediaJson>),
    ))]
pub async fn parse(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    Peer(peer): Peer,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let gateway = &state.gateway;
    let read = body::url_and_body(&headers, body, state.http.body_timeout).await;
    let (url, how) = match read.and_then(|(url, v)| Ok((url, cache_use(&uri, &v)?))) {
        Ok(got) => got,
        Err(e) => {
            gateway.refuse(&key, "none", e.code(), started).await;
            return ApiError::from(e).into_response();
        }
    };
    let billed = match pinned_account(&state, &uri, &headers) {
        Ok(None) => gateway.parse(&key, &url, how, started).await,
        // A pinned parse runs: a cached answer would say nothing of the account.
        Ok(Some(id)) => {
            let run = gateway.parse(&key, &url, CacheUse::Refresh, started);
            with_pinned_account(id, run).await
        }
        Err(e) => {
            gateway.refuse(&key, "none", e.code, started).await;
            return e.into_response();
        }
    };
    let mut resp = match billed.result {
        Ok(mut parsed) => {
            let trusted = &state.http.trusted_proxies;
            let base = base_url(&headers, peer, trusted);
            if wants_proxy(&uri, state.proxy.settings.default_on) {
                let post = parsed.route.url.as_str();
                let proxy = &state.proxy;
                proxy.attach(&mut parsed.media, key.id, post, base.as_deref());
            }
            ok(parsed.media).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    };
    if let Some(n) = billed.credits_left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    let cache = if billed.cached { "hit" } else { "miss" };
    resp.headers_mut()
        .insert("x-cache", HeaderValue::from_static(cache));
    resp
}

/// `?account=<id>`, allowed only with the admin token in `X-Admin-Token`.
fn pinned_account(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<i64>, ApiError> {
    let q = uri.query().unwrap_or_default();
    let Some((_, v)) = url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "account")
    else {
        return Ok(None);
    };
    let admin = headers
        .get("x-admin-token")
        .map(|t| [b"Bearer ", t.as_bytes()].concat());
    state.auth().admin(admin.as_deref())?;
    let id = v.parse::<i64>().map_err(|_| {
        body::RequestError::Invalid(format!("`account` must be an account id, not `{v}`"))
    })?;
    Ok(Some(id))
}

/// The body's `"cache": "yes" | "no"` (the gateway seed's) and `?refresh=1`.
fn cache_use(uri: &Uri, body: &serde_json::Value) -> Result<CacheUse, body::RequestError> {
    let q = uri.query().unwrap_or_default();
    let refresh = url::form_urlencoded::parse(q.as_bytes())
        .any(|(k, v)| k == "refresh" && matches!(v.as_ref(), "1" | "true" | "yes" | ""));
    match body.get("cache") {
        None | Some(serde_json::Value::Null) if refresh => Ok(CacheUse::Refresh),
        None | Some(serde_json::Value::Null) => Ok(CacheUse::Normal),
        Some(serde_json::Value::String(s)) if s == "yes" && refresh => Ok(CacheUse::Refresh),
        Some(serde_json::Value::String(s)) if s == "yes" => Ok(CacheUse::Normal),
        Some(serde_json::Value::String(s)) if s == "no" => Ok(CacheUse::Bypass),
        Some(_) => Err(body::RequestError::Invalid(
            "`cache` must be \"yes\" or \"no\"".into(),
        )),
    }
}

/// Which platform and plugin would take a link; no upstream request, no charge.
#[utoipa::path(post, path = "/api/v1/match", tag = "parse",
    security(("apiKey" = [])),
    request_body = UrlBody,
    responses(
        (status = 200, description = "The platform and plugin that take the link", body = Envelope<MatchAnswer>),
    ))]
pub async fn match_url(
    State(state): State<AppState>,
    ApiKey(_): ApiKey,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let url = body::url_field(&headers, body, state.http.body_timeout).await?;
    Ok(ok(state.service().route(&url)?.match_json()))
}

/// `GET /api/v1/usage`: the calling key's own usage.
#[utoipa::path(get, path = "/api/v1/usage", tag = "parse",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The calling key's usage and balance", body = Envelope<UsageAnswer>),
    ))]
pub async fn usage(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
) -> Result<impl IntoResponse, ApiError> {
    let t = now();
    let day_start = t - t.rem_euclid(86_400);
    let store = &state.auth().store;
    let u = store.usage(key.id, day_start).await.map_err(store_failed)?;
    // The door's copy may come from the key cache: read the balance and
    // last use as they stand.
    let key = store
        .get(key.id)
        .await
        .map_err(store_failed)?
        .unwrap_or(key);
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
}
