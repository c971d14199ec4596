//! Who a tool call is for: the API key behind it, found per transport.

use grabkit_core::auth::AuthError;
use grabkit_core::gateway::Gateway;
use grabkit_store::Key;
use rmcp::RoleServer;
use rmcp::service::RequestContext;
use std::sync::Arc;

/// Where a call's key comes from.
#[derive(Clone)]
pub enum Caller {
    /// Streamable HTTP: the server checked the request's `Authorization`
    /// (and its rate limit) and left the [`Key`] in the request's extensions.
    Http,
    /// stdio: one token for the whole process, checked again on every call
    /// so expiry, disabling and the rate limit apply as they do over HTTP.
    Token(Arc<str>),
}

impl Caller {
    pub async fn key(
        &self,
        gateway: &Gateway,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<Key, AuthError> {
        match self {
            Caller::Http => ctx
                .extensions
                .get::<http::request::Parts>()
                .and_then(|p| p.extensions.get::<Key>())
                .cloned()
                .ok_or(AuthError::MissingToken),
            Caller::Token(token) => {
                let bearer = format!("Bearer {token}");
                gateway.authorize(Some(bearer.as_bytes())).await
            }
        }
    }
}
