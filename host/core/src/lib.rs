//! grabkit's use cases, without HTTP: the plugin registry and hot reload,
//! the parse service and its unified media model, the gateway (authorize →
//! route → reserve a credit → run → settle) that every surface shares, key
//! administration, platform accounts (sessions), feeds, and metrics. Every
//! error here has a stable `code()`; surfaces map codes to their own answers.

pub mod auth;
pub mod clock;
pub mod code;
pub mod feeds;
pub mod gateway;
pub mod jobs;
pub mod key_admin;
pub mod pipeline;
pub mod registry;
pub mod service;
pub mod sessions;
pub mod telemetry;

pub use code::Coded;
