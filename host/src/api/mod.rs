//! The HTTP surface. Every answer, errors included, is the Easydown
//! envelope `{"status","data","msg"[,"code"]}`; nothing falls through to a
//! framework's plain-text error.

mod admin;
mod auth;
mod body;
mod keys;
mod media;
mod ops;
mod parse;

use crate::error::ApiError;
use crate::service::ParseService;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;
use std::sync::Arc;

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    pub service: Arc<ParseService>,
    /// API keys, the admin token, rate limits.
    pub auth: Arc<auth::Auth>,
    /// Signs media links and serves them.
    pub proxy: Arc<crate::proxy::Proxy>,
}

pub use admin::status_json;
pub use auth::Auth;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/api/v1/parse",
            post(parse::parse).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/match",
            post(parse::match_url).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/usage",
            get(parse::usage).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/platforms",
            get(ops::platforms).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys",
            post(keys::create)
                .get(keys::list)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}",
            get(keys::get)
                .patch(keys::edit)
                .delete(keys::delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}/reset",
            post(keys::reset).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/admin/keys/{id}/credits",
            post(keys::credits).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins",
            get(admin::list).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins/reload",
            post(admin::reload).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/plugins/{platform}/rollback",
            post(admin::rollback).fallback(method_not_allowed),
        )
        .route(
            "/api/v1/media/{token}",
            get(media::file)
                .head(media::file)
                .options(media::preflight)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v1/media/{token}/merged",
            get(media::merged)
                .head(media::merged)
                .options(media::preflight)
                .fallback(method_not_allowed),
        )
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .with_state(state)
}

/// A success envelope.
pub fn ok<T: Serialize>(data: T) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({"status": 200, "data": data, "msg": "success"}))
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    )
}
