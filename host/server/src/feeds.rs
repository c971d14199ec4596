//! Feeds over HTTP: feed tokens (`/api/v1/feed-tokens`, with the API key),
//! the feed documents (`GET /api/v1/feeds/{platform}?url=…&format=atom|rss
//! &token=…`) and their enclosures (`GET /api/v1/feeds/{platform}/media?url=
//! …&token=…`: parse the post, then redirect to its download-proxy link).
//! Feed readers send no headers, so the two GET routes take the feed token
//! from the query; the API key never goes into a URL.

use super::body::RequestError;
use super::extract::{ApiKey, JsonObject, PathParam, Peer};
use super::{AppState, ok};
use crate::error::ApiError;
use crate::openapi::schemas::{Envelope, FeedTokenView, LabelBody, Revoked};
use crate::origin::base_url;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use grabkit_core::clock::format_time;
use grabkit_core::feeds::{FeedLinks, Feeds, Format};
use grabkit_core::service::cache::CacheUse;
use grabkit_store::feeds::FeedToken;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

fn feeds(state: &AppState) -> Result<&Arc<Feeds>, ApiError> {
    state
        .feeds
        .as_ref()
        .ok_or_else(|| RequestError::NoRoute.into())
}

fn token_json(t: &FeedToken) -> Value {
    json!({
        "id": t.id, "label": t.label, "prefix": t.prefix, "createdAt": format_time(t.created_at),
        "lastUsedAt": t.last_used_at.map(format_time),
    })
}

/// `POST /api/v1/feed-tokens` `{"label"?}`: a new token, shown once.
#[utoipa::path(post, path = "/api/v1/feed-tokens", tag = "feeds",
    security(("apiKey" = [])),
    request_body = LabelBody,
    responses(
        (status = 201, description = "The token, shown this once", body = Envelope<FeedTokenView>),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    if let Some(k) = body
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "label"))
    {
        return Err(RequestError::Invalid(format!("unknown field `{k}` (takes `label`)")).into());
    }
    let label = match body.get("label") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(RequestError::Invalid("`label` must be a string".into()).into()),
    };
    let (stored, token) = feeds(&state)?.create_token(&key, label.trim()).await?;
    let mut v = token_json(&stored);
    v["token"] = json!(token);
    Ok((StatusCode::CREATED, ok(v)).into_response())
}

/// `GET /api/v1/feed-tokens`: the calling key's feed tokens (never their values).
#[utoipa::path(get, path = "/api/v1/feed-tokens", tag = "feeds",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The key's feed tokens (never their values)", body = Envelope<Vec<FeedTokenView>>),
    ))]
pub async fn list(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
) -> Result<impl IntoResponse, ApiError> {
    let list = feeds(&state)?.tokens(&key).await?;
    Ok(ok(list.iter().map(token_json).collect::<Vec<_>>()))
}

/// `DELETE /api/v1/feed-tokens/{id}`.
#[utoipa::path(delete, path = "/api/v1/feed-tokens/{id}", tag = "feeds",
    security(("apiKey" = [])),
    params(("id" = i64, Path, description = "The feed token's id")),
    responses(
        (status = 200, description = "Revoked", body = Envelope<Revoked>),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiKey(key): ApiKey,
    PathParam(id): PathParam<i64>,
) -> Result<impl IntoResponse, ApiError> {
    feeds(&state)?.revoke(&key, id).await?;
    Ok(ok(json!({ "id": id, "revoked": true })))
}

#[derive(Deserialize)]
pub struct FeedQuery {
    url: Option<String>,
    format: Option<String>,
    token: Option<String>,
}

fn query_url(q: &FeedQuery) -> Result<&str, ApiError> {
    let url = q.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    url.ok_or_else(|| RequestError::MissingUrl("add `?url=` with a profile link").into())
}

/// `GET /api/v1/feeds/{platform}?url=…&format=atom|rss&token=…`.
#[utoipa::path(get, path = "/api/v1/feeds/{platform}", tag = "feeds",
    security(("feedToken" = [])),
    params(("platform" = String, Path, description = "Platform id"), ("url" = String, Query, description = "A profile link"), ("token" = String, Query, description = "A feed token"), ("format" = Option<String>, Query, description = "`atom` (default) or `rss`")),
    responses(
        (status = 200, description = "Atom 1.0 or RSS 2.0; `X-Cache`", content_type = "application/atom+xml"),
    ))]
pub async fn feed(
    State(state): State<AppState>,
    PathParam(platform): PathParam<String>,
    Peer(peer): Peer,
    Query(q): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let feeds = feeds(&state)?;
    let key = feeds.key_of(q.token.as_deref()).await?;
    let url = query_url(&q)?;
    let format = Format::parse(q.format.as_deref())
        .ok_or_else(|| RequestError::Invalid("`format` must be atom or rss".into()))?;
    let base = state
        .proxy
        .settings
        .public_url
        .clone()
        .or_else(|| base_url(&headers, peer, &state.http.trusted_proxies))
        .unwrap_or_default();
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    let token = enc(q.token.as_deref().unwrap_or_default());
    let media = format!("{base}/api/v1/feeds/{platform}/media?token={token}&url=");
    let links = FeedLinks {
        feed_url: format!(
            "{base}/api/v1/feeds/{platform}?url={}&format={}&token={token}",
            enc(url),
            format.name()
        ),
        enclosure: Box::new(move |post| format!("{media}{}", enc(post))),
    };
    let rendered = feeds.feed(&key, &platform, url, format, &links).await?;
    let mut resp = (
        [(header::CONTENT_TYPE, rendered.content_type)],
        rendered.body.as_str().to_string(),
    )
        .into_response();
    let cache = if rendered.cached { "hit" } else { "miss" };
    resp.headers_mut()
        .insert("x-cache", HeaderValue::from_static(cache));
    if let Some(n) = rendered.credits_left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    Ok(resp)
}

/// `GET /api/v1/feeds/{platform}/media?url=<post>&token=…`: parse the post
/// (one credit, or a cache hit) and redirect to its best download link.
#[utoipa::path(get, path = "/api/v1/feeds/{platform}/media", tag = "feeds",
    security(("feedToken" = [])),
    params(("platform" = String, Path, description = "Platform id"), ("url" = String, Query, description = "A post link"), ("token" = String, Query, description = "A feed token")),
    responses(
        (status = 302, description = "Redirect to the post's download-proxy link"),
    ))]
pub async fn media(
    State(state): State<AppState>,
    PathParam(platform): PathParam<String>,
    Peer(peer): Peer,
    Query(q): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = feeds(&state)?.key_of(q.token.as_deref()).await?;
    let url = query_url(&q)?;
    let billed = state
        .gateway
        .parse(&key, url, CacheUse::Normal, Instant::now())
        .await;
    let mut parsed = billed.result?;
    if parsed.route.platform != platform {
        let msg = format!("{url} is a {} link, not {platform}", parsed.route.platform);
        return Err(RequestError::Invalid(msg).into());
    }
    let base = base_url(&headers, peer, &state.http.trusted_proxies);
    let post = parsed.route.url.to_string();
    state
        .proxy
        .attach(&mut parsed.media, key.id, &post, base.as_deref());
    let m = &parsed.media;
    // A file with sound first (merged if need be), else the first picture.
    let target = m
        .videos
        .iter()
        .find_map(|v| {
            if v.has_audio {
                v.proxy_url.clone()
            } else {
                v.merged_url.clone()
            }
        })
        .or_else(|| m.audios.iter().find_map(|a| a.proxy_url.clone()))
        .or_else(|| m.images.iter().find_map(|i| i.proxy_url.clone()));
    let target = target.ok_or_else(|| {
        RequestError::Invalid("no downloadable file in this post for a feed reader".into())
    })?;
    let location = HeaderValue::from_str(&target)
        .map_err(|_| RequestError::Invalid("the download link is not a valid header".into()))?;
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}
