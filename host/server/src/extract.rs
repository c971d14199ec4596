//! Request extractors: who is calling. A rejection is an [`ApiError`], so
//! it answers in the envelope like every other failure.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use grabkit_store::Key;

/// The raw `Authorization` value.
fn authorization(parts: &Parts) -> Option<&[u8]> {
    parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes())
}

/// A valid API key within its rate limit (`Authorization: Bearer gk_live_…`).
pub struct ApiKey(pub Key);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ApiKey(state.gateway.authorize(authorization(parts)).await?))
    }
}

/// A valid API key, rate limit not taken (endpoints that cost nothing).
pub struct AnyKey(pub Key);

impl FromRequestParts<AppState> for AnyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let now = grabkit_core::clock::now();
        Ok(AnyKey(
            state.auth().api_key(authorization(parts), now).await?,
        ))
    }
}

/// The admin token (`Authorization: Bearer gk_admin_…`).
pub struct AdminToken;

impl FromRequestParts<AppState> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.auth().admin(authorization(parts))?;
        Ok(AdminToken)
    }
}

/// A JSON object body, read under the size cap with a precise error.
pub struct JsonObject(pub serde_json::Value);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let v = crate::body::read_json_object(&parts.headers, body).await?;
        Ok(JsonObject(v))
    }
}
