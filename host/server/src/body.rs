//! Reading a `{"url": "..."}` request body by hand, so every malformed
//! request gets our envelope with a precise message.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use grabkit_core::Coded;
use std::time::Duration;

/// What is wrong with a request before any work starts.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("reading the body failed: {0}")]
    Unreadable(String),
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("send the body as JSON with `Content-Type: application/json`")]
    NotJson,
    #[error("the body is empty; send {{\"url\": \"...\"}}")]
    Empty,
    #[error("{0}")]
    InvalidJson(String),
    #[error("{0}")]
    MissingUrl(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("no such endpoint")]
    NoRoute,
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,
    #[error("reading the plugins folder failed: {0}")]
    PluginsDirUnreadable(String),
    #[error("the request head did not arrive in time")]
    HeadTimeout,
    #[error("the request body did not arrive within {0} s")]
    BodyTimeout(u64),
    #[error("too many connections; try again shortly")]
    TooManyConnections,
    #[error("{0}")]
    InvalidPath(String),
}

impl Coded for RequestError {
    fn code(&self) -> &'static str {
        match self {
            RequestError::Unreadable(_) => "invalid_body",
            RequestError::TooLarge(_) => "payload_too_large",
            RequestError::NotJson => "unsupported_media_type",
            RequestError::Empty => "missing_body",
            RequestError::InvalidJson(_) => "invalid_json",
            RequestError::MissingUrl(_) => "missing_url",
            RequestError::Invalid(_) => "invalid_request",
            RequestError::NoRoute => "no_route",
            RequestError::MethodNotAllowed => "method_not_allowed",
            RequestError::PluginsDirUnreadable(_) => "plugins_dir_unreadable",
            RequestError::HeadTimeout | RequestError::BodyTimeout(_) => "request_timeout",
            RequestError::TooManyConnections => "too_many_connections",
            RequestError::InvalidPath(_) => "invalid_path",
        }
    }
}

/// Bodies past this are refused (a link is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 << 10;
/// A job's body holds up to `[jobs] max_items` links.
pub const MAX_JOB_BODY_BYTES: usize = 4 << 20;
/// An oversized body is read and dropped up to this much, so the client,
/// still uploading, receives our answer instead of a reset connection.
const DRAIN_BYTES: usize = 8 << 20;

/// The body, whole, within `deadline` (a client trickling bytes is cut off).
async fn read_capped(body: Body, deadline: Duration, cap: usize) -> Result<Vec<u8>, RequestError> {
    tokio::time::timeout(deadline, read_all(body, cap))
        .await
        .map_err(|_| RequestError::BodyTimeout(deadline.as_secs().max(1)))?
}

async fn read_all(body: Body, cap: usize) -> Result<Vec<u8>, RequestError> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let (mut kept, mut seen) = (Vec::new(), 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| RequestError::Unreadable(e.to_string()))?;
        seen += chunk.len();
        if seen <= cap {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > cap {
        return Err(RequestError::TooLarge(cap));
    }
    Ok(kept)
}

pub async fn url_field(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
) -> Result<String, RequestError> {
    Ok(url_and_body(headers, body, deadline).await?.0)
}

/// The `url` of a `{"url": …}` body, and the whole body.
pub async fn url_and_body(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
) -> Result<(String, serde_json::Value), RequestError> {
    let value = read_json_object_or_any(headers, body, deadline, MAX_BODY_BYTES).await?;
    let url = url_of(&value)?;
    Ok((url, value))
}

fn url_of(value: &serde_json::Value) -> Result<String, RequestError> {
    match value.get("url") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(serde_json::Value::String(_)) => Err(RequestError::MissingUrl("`url` is empty")),
        Some(_) => Err(RequestError::MissingUrl("`url` must be a string")),
        None if value.is_object() => Err(RequestError::MissingUrl("the body has no `url` field")),
        None => Err(RequestError::InvalidJson(
            "the body must be a JSON object like {\"url\": \"...\"}".into(),
        )),
    }
}

/// A JSON object body (admin requests).
pub async fn read_json_object(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
) -> Result<serde_json::Value, RequestError> {
    read_json_object_capped(headers, body, deadline, MAX_BODY_BYTES).await
}

/// A JSON object body of at most `cap` bytes.
pub async fn read_json_object_capped(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
    cap: usize,
) -> Result<serde_json::Value, RequestError> {
    let v = read_json_object_or_any(headers, body, deadline, cap).await?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(RequestError::InvalidJson(
            "the body must be a JSON object".into(),
        ))
    }
}

async fn read_json_object_or_any(
    headers: &HeaderMap,
    body: Body,
    deadline: Duration,
    cap: usize,
) -> Result<serde_json::Value, RequestError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(RequestError::NotJson);
        }
    }
    let bytes = read_capped(body, deadline, cap).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::Empty);
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| RequestError::InvalidJson(format!("the body is not valid JSON: {e}")))
}
