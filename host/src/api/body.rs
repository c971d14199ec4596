//! Reading a `{"url": "..."}` request body by hand, so every malformed
//! request gets our envelope with a precise message.

use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};

/// Bodies past this are refused (a link is a few hundred bytes).
pub const MAX_BODY_BYTES: usize = 64 << 10;
/// An oversized body is read and dropped up to this much, so the client,
/// still uploading, receives our answer instead of a reset connection.
const DRAIN_BYTES: usize = 8 << 20;

async fn read_capped(body: Body) -> Result<Vec<u8>, ApiError> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let (mut kept, mut seen) = (Vec::new(), 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("invalid_body", format!("reading the body failed: {e}"))
        })?;
        seen += chunk.len();
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        ));
    }
    Ok(kept)
}

pub async fn url_field(headers: &HeaderMap, body: Body) -> Result<String, ApiError> {
    let value = read_json_object_or_any(headers, body).await?;
    match value.get("url") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(serde_json::Value::String(_)) => {
            Err(ApiError::bad_request("missing_url", "`url` is empty"))
        }
        Some(_) => Err(ApiError::bad_request(
            "missing_url",
            "`url` must be a string",
        )),
        None if value.is_object() => Err(ApiError::bad_request(
            "missing_url",
            "the body has no `url` field",
        )),
        None => Err(ApiError::bad_request(
            "invalid_json",
            "the body must be a JSON object like {\"url\": \"...\"}",
        )),
    }
}

/// A JSON object body (admin requests).
pub async fn read_json_object(
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, ApiError> {
    let v = read_json_object_or_any(headers, body).await?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(ApiError::bad_request(
            "invalid_json",
            "the body must be a JSON object",
        ))
    }
}

async fn read_json_object_or_any(
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
    }
    let bytes = read_capped(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "missing_body",
            "the body is empty; send {\"url\": \"...\"}",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
    })
}
