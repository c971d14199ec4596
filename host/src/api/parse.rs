//! `POST /api/v1/parse` and `POST /api/v1/match`.

use super::{AppState, auth, body, ok};
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

pub async fn parse(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let run = async {
        auth::check(&headers, state.api_token.as_deref())?;
        let url = body::url_field(&headers, body).await?;
        let media = state.service.parse(&url).await?;
        Ok::<_, ApiError>(ok(media))
    };
    run.await.into_response()
}

/// Which platform and plugin would take a link; no upstream request.
pub async fn match_url(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let run = async {
        auth::check(&headers, state.api_token.as_deref())?;
        let url = body::url_field(&headers, body).await?;
        let r = state.service.route(&url)?;
        Ok::<_, ApiError>(ok(serde_json::json!({"url": r.url.as_str(), "platform": r.platform, "plugin": r.plugin, "version": r.version})))
    };
    run.await.into_response()
}
