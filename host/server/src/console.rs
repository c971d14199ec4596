//! The operator's web page: `GET /admin` (keys, plugins, platforms, a
//! "try a link" form) and `GET /` leading to it. One self-contained page
//! built into the binary; it talks only to this server's API.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

const PAGE: &str = include_str!("../assets/admin.html");

/// Scripts and styles only from the page itself; previews may show media
/// from the platforms' hosts.
const POLICY: &str = "default-src 'self'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; img-src * data:; media-src *; frame-ancestors 'none'";

/// A built-in page with its content policy.
pub fn page(html: &'static str) -> Response {
    let mut resp = html_answer(html);
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    resp
}

fn html_answer(html: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `GET /admin`: the admin page (it asks for the admin token itself).
#[utoipa::path(get, path = "/admin", tag = "admin",
    responses((status = 200, description = "The admin web page", content_type = "text/html")))]
pub async fn admin() -> Response {
    page(PAGE)
}

/// `GET /`: to the admin page.
#[utoipa::path(get, path = "/", tag = "ops",
    responses((status = 303, description = "To /admin")))]
pub async fn root() -> Redirect {
    Redirect::to("/admin")
}
