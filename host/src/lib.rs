//! The grabkit host: loads extractor plugins (WebAssembly components), runs
//! them in a sandbox whose only door out is a policed HTTP capability, and
//! serves the unified parse API.
//!
//! Map: `runtime/` loads and runs plugins · `sandbox/` outbound HTTP rules ·
//! `registry/` which plugins are loaded and which takes a URL · `service`
//! the parse pipeline · `proxy/` the media download proxy · `api/` the HTTP
//! surface · `store/` plugin state ·
//! `config` settings · `error` every failure mapped to an API answer.

pub mod runtime;
pub mod sandbox;
pub mod store;
pub mod api;
pub mod error;
pub mod registry;
pub mod service;
pub mod proxy;
pub mod download;
pub mod kit;
pub mod telemetry;
pub mod app;
pub mod config;
pub mod cli;
pub mod accounts;
