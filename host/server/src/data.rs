//! The data endpoints: `POST /api/v1/comments`, `/comments/replies`,
//! `/profile`, `/posts`, `/search`, `/live`. Same keys, permissions and
//! credits as parse (one credit per successful page); each takes share text
//! where it takes a link.

use super::extract::ApiKey;
use super::{AppState, body, ok};
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use grabkit_core::service::data_body::{DataEndpoint as Endpoint, data_request};
use std::time::Instant;

use crate::openapi::schemas::{Envelope, PagedBody, RepliesBody, SearchBody, UrlBody};
use grabkit_core::service::data_json::{
    CommentsJson, LiveJson, PostsJson, ProfileJson, SearchJson,
};

async fn serve(
    state: AppState,
    key: ApiKey,
    headers: HeaderMap,
    body: Body,
    e: Endpoint,
) -> Response {
    let ApiKey(key) = key;
    let started = Instant::now();
    let gateway = &state.gateway;
    let read = body::read_json_object(&headers, body, state.http.body_timeout).await;
    let read = read.map_err(ApiError::from);
    let req = match read.and_then(|v| data_request(e, &v).map_err(ApiError::from)) {
        Ok(r) => r,
        Err(err) => {
            gateway.refuse(&key, "none", err.code, started).await;
            return err.into_response();
        }
    };
    let billed = gateway.data(&key, &req, started).await;
    let mut resp = match billed.result {
        Ok((_, json)) => ok(json).into_response(),
        Err(err) => ApiError::from(err).into_response(),
    };
    if let Some(n) = billed.credits_left {
        resp.headers_mut()
            .insert("x-credits-remaining", HeaderValue::from(n));
    }
    resp
}

macro_rules! endpoint {
    ($name:ident, $e:expr, $path:literal, $body:ty, $answer:ty, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "data", security(("apiKey" = [])),
            request_body = $body,
            responses(
                (status = 200, description = "One page; `X-Credits-Remaining`", body = Envelope<$answer>),
                            ))]
        pub async fn $name(
            State(state): State<AppState>,
            key: ApiKey,
            headers: HeaderMap,
            body: Body,
        ) -> Response {
            serve(state, key, headers, body, $e).await
        }
    };
}

endpoint!(
    comments,
    Endpoint::Comments,
    "/api/v1/comments",
    PagedBody,
    CommentsJson,
    "A post's comments, a page at a time."
);
endpoint!(
    replies,
    Endpoint::Replies,
    "/api/v1/comments/replies",
    RepliesBody,
    CommentsJson,
    "One comment's replies."
);
endpoint!(
    profile,
    Endpoint::Profile,
    "/api/v1/profile",
    UrlBody,
    ProfileJson,
    "A user, from a profile link or one of their posts."
);
endpoint!(
    posts,
    Endpoint::Posts,
    "/api/v1/posts",
    PagedBody,
    PostsJson,
    "A user's posts, newest first."
);
endpoint!(
    search,
    Endpoint::Search,
    "/api/v1/search",
    SearchBody,
    SearchJson,
    "Keyword search on one platform (posts or users)."
);
endpoint!(
    live,
    Endpoint::Live,
    "/api/v1/live",
    UrlBody,
    LiveJson,
    "A live room: status, viewers and its streams."
);
