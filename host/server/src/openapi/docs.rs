//! `GET /docs`: the document rendered by one self-contained page (built
//! into the binary; it fetches nothing but `/openapi.json`).

use axum::response::Response;

const PAGE: &str = include_str!("../../assets/docs.html");

/// `GET /docs`: the API reference, rendered from `/openapi.json`.
#[utoipa::path(get, path = "/docs", tag = "ops",
    responses((status = 200, description = "The API reference page", content_type = "text/html")))]
pub async fn page() -> Response {
    crate::console::page(PAGE)
}
