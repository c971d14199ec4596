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

/// An API key's token: `Authorization: Bearer …`, or the batch seed's
/// `X-API-Key: …` (API keys only; the admin token is never taken from it).
fn api_token(parts: &Parts) -> Option<Vec<u8>> {
    authorization(parts).map(<[u8]>::to_vec).or_else(|| {
        let key = parts.headers.get("x-api-key")?.as_bytes();
        Some([b"Bearer ".as_slice(), key].concat())
    })
}

/// A valid API key within its rate limit (`Authorization: Bearer gk_live_…`).
pub struct ApiKey(pub Key);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = api_token(parts);
        Ok(ApiKey(state.gateway.authorize(token.as_deref()).await?))
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

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let deadline = state.http.body_timeout;
        let v = crate::body::read_json_object(&parts.headers, body, deadline).await?;
        Ok(JsonObject(v))
    }
}

/// A path segment, parsed; a malformed one answers in our envelope.
pub struct PathParam<T>(pub T);

impl<T> FromRequestParts<AppState> for PathParam<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(PathParam(v)),
            Err(e) => Err(crate::RequestError::InvalidPath(e.body_text()).into()),
        }
    }
}

/// The peer's address (absent only when served without our listener).
pub struct Peer(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Peer(info.map(|c| c.0.ip())))
    }
}
