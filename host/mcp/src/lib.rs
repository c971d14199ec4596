//! grabkit's MCP surface (rmcp): tools over streamable HTTP and stdio.
//!
//! The tools are thin like the HTTP handlers: every call goes through
//! `grabkit-core`'s gateway (key, platform permission, rate limit, one
//! credit per success) and the jobs service, and answers the same JSON as
//! the matching HTTP endpoint's `data`. A failure is a tool error
//! (`isError`) carrying the stable `code` and its message.
//!
//! Transports: [`http::service`] is the stateless streamable-HTTP service
//! the server mounts at `/mcp` (the server checks the key first);
//! [`stdio::serve`] runs over stdin/stdout for `grabkit mcp`.

mod answer;
mod caller;
pub mod http;
mod params;
pub mod stdio;
mod tools;

pub use caller::Caller;
pub use tools::Grabkit;
