//! `GET|HEAD /api/v1/media/{token}` and `/api/v1/media/{token}/merged`:
//! the download proxy. The signed token is the credential; nothing else is
//! needed, so a browser can use the link as is.

use super::AppState;
use crate::error::ApiError;
use crate::extract::PathParam;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use grabkit_core::clock::now;
use grabkit_media::{Part, ProxyError, Ticket, Want, filename};

/// Upstream answer headers a client needs, passed through as they are.
const PASSED: [header::HeaderName; 6] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
    header::ACCEPT_RANGES,
    header::ETAG,
    header::LAST_MODIFIED,
];

#[utoipa::path(method(get, head), path = "/api/v1/media/{token}", tag = "media",
    params(("token" = String, Path, description = "The signed media token from a parse answer: it is the credential"), ("Range" = Option<String>, Header, description = "Byte range")),
    responses(
        (status = 200, description = "The file, streamed (206 for a range; HEAD gives headers only)", content_type = "application/octet-stream"),
    ))]
pub async fn file(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    serve_file(&state, &token, method == Method::HEAD, &headers)
        .await
        .unwrap_or_else(|e| ApiError::from(e).into_response())
}

#[utoipa::path(method(get, head), path = "/api/v1/media/{token}/merged", tag = "media",
    params(("token" = String, Path, description = "The signed media token from a parse answer")),
    responses(
        (status = 200, description = "Video and audio (or the parts) joined into one MP4 by ffmpeg", content_type = "video/mp4"),
    ))]
pub async fn merged(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
    method: Method,
) -> Response {
    serve_merged(&state, &token, method == Method::HEAD)
        .await
        .unwrap_or_else(|e| ApiError::from(e).into_response())
}

/// Verify the token and that its API key still stands.
async fn open(state: &AppState, token: &str) -> Result<Ticket, ProxyError> {
    let t = now();
    let ticket = state.proxy.signer.open(token, t)?;
    match state.auth().store.get(ticket.key).await {
        Ok(Some(k)) if k.enabled && k.expires_at.is_none_or(|e| t < e) => Ok(ticket),
        _ => Err(ProxyError::KeyRevoked),
    }
}

async fn serve_file(
    state: &AppState,
    token: &str,
    head: bool,
    headers: &HeaderMap,
) -> Result<Response, ProxyError> {
    let mut ticket = open(state, token).await?;
    let text = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let want = Want {
        head,
        range: text(header::RANGE),
        if_range: text(header::IF_RANGE),
    };
    let upstream = state.proxy.fetch(&mut ticket, Part::Main, &want).await?;
    let status =
        StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut resp = Response::builder().status(status);
    for name in PASSED {
        if let Some(v) = upstream.headers().get(&name) {
            resp = resp.header(name, v.clone());
        }
    }
    if !upstream.headers().contains_key(header::CONTENT_TYPE) && !ticket.main.mime.is_empty() {
        resp = resp.header(header::CONTENT_TYPE, &ticket.main.mime);
    }
    let mut resp = if head {
        resp.body(Body::empty())
    } else {
        resp.body(Body::from_stream(state.proxy.main_body(&ticket, upstream)))
    }
    .map_err(|e| ProxyError::Transport(grabkit_egress::HttpFailure::Transport(e.to_string())))?;
    finish(&mut resp, &ticket.name);
    Ok(resp)
}

async fn serve_merged(state: &AppState, token: &str, head: bool) -> Result<Response, ProxyError> {
    let mut ticket = open(state, token).await?;
    let body = if head {
        state.proxy.can_merge(&ticket).await?;
        Body::empty()
    } else {
        Body::from_stream(state.proxy.merged(&mut ticket).await?)
    };
    let mut resp = (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "video/mp4"),
            (header::ACCEPT_RANGES, "none"),
        ],
        body,
    )
        .into_response();
    finish(&mut resp, &ticket.name);
    Ok(resp)
}

/// CORS preflight: a page may send `Range`/`If-Range` from any origin.
#[utoipa::path(options, path = "/api/v1/media/{token}", tag = "media",
    params(("token" = String, Path, description = "The signed media token")),
    responses(
        (status = 204, description = "CORS preflight"),
    ))]
pub async fn preflight() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Range, If-Range"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    resp
}

#[utoipa::path(options, path = "/api/v1/media/{token}/merged", tag = "media",
    params(("token" = String, Path, description = "The signed media token")),
    responses((status = 204, description = "CORS preflight")))]
/// CORS preflight of a merged link.
pub async fn preflight_merged() -> Response {
    preflight().await
}

/// File name and the headers a browser page needs to read the answer.
fn finish(resp: &mut Response, name: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&filename::content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "Content-Length, Content-Range, Content-Disposition, Accept-Ranges",
        ),
    );
}
