//! The grabkit host: loads extractor plugins (WebAssembly components), runs
//! them in a sandbox whose only door out is a policed HTTP capability, and
//! serves the unified parse API.
//!
//! Map: `runtime/` loads and runs plugins · `sandbox/` outbound HTTP rules ·
//! `registry/` which plugins are loaded and which takes a URL · `service`
//! the parse pipeline · `proxy/` the media download proxy · `api/` the HTTP
//! surface · `store/` plugin state ·
//! `config` settings · `error` every failure mapped to an API answer.

pub mod accounts;
pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod download;
pub mod error;
pub mod kit;
pub mod proxy;
pub mod registry;
pub mod runtime;
pub mod sandbox;
pub mod service;
pub mod store;
pub mod telemetry;
