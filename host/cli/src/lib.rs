//! The `grabkit` command's library half: settings (defaults ← TOML file ←
//! `GRABKIT_*` environment ← flags), the command line, and the wiring that
//! turns settings into a running server (store backend, auth, gateway,
//! proxy, folder watch). The crates it wires, in dependency order:
//! `grabkit-server` → `grabkit-media` → `grabkit-core` → `grabkit-runtime`
//! → `grabkit-egress`, with `grabkit-store` (+ `-sqlite`) beside core.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
