//! Bearer-token check for the parse endpoints (a static token from config
//! until API keys arrive). Comparison in constant time.

use crate::error::ApiError;
use axum::http::HeaderMap;
use subtle::ConstantTimeEq;

pub fn check(headers: &HeaderMap, expected: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = expected else { return Ok(()) };
    let value = headers.get(axum::http::header::AUTHORIZATION).ok_or_else(ApiError::missing_token)?;
    let value = value.to_str().map_err(|_| ApiError::invalid_token())?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim).filter(|t| !t.is_empty()).ok_or_else(ApiError::missing_token)?;
    if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) { Ok(()) } else { Err(ApiError::invalid_token()) }
}
