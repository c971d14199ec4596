//! The sandbox's one door out: outbound HTTP for plugins, checked at every
//! step (allowlist, scheme, resolved addresses, every redirect hop, size,
//! time and count).

pub mod address;
pub mod cassette;
mod failure;
mod fetch;
pub mod intercept;
pub mod policy;
pub mod resolver;
pub mod session;

pub use cassette::{Replay, TapeMode};
pub use failure::HttpFailure;
pub use fetch::{Budget, Outbound, OutboundResponse, Sandbox, SandboxSettings, transport};
pub use intercept::{Hop, Interceptor};
pub use policy::HostPolicy;
pub use session::Session;
