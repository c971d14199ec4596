//! Tool results: the endpoint's `data` as structured content, or a tool
//! error (`isError`) with the stable code, its message and, when the
//! caller should wait, `retryAfter` seconds.

use grabkit_core::Coded;
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

/// A success: `value` as structured content (and as its JSON text, for
/// clients that read only text).
pub fn ok(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

/// A failure, as a tool error the agent can read and act on.
pub fn failed(e: &(impl Coded + ?Sized)) -> CallToolResult {
    let mut v = json!({"code": e.code(), "message": e.to_string()});
    if let Some(s) = e.retry_after() {
        v["retryAfter"] = s.into();
    }
    CallToolResult::structured_error(v)
}
