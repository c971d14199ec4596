//! Platform sessions (issue 16's accounts pool): reading the cookie files
//! operators bring ([`cookies`]), which cookies a request carries and what
//! `Set-Cookie` changes ([`jar`]), choosing the account a parse uses, with
//! cooldowns and expiry ([`health`]), and sealing accounts' secrets at
//! rest ([`vault`]); the pool that holds them all ([`pool`]), a parse's
//! hold on one ([`lease`], what the egress asks), and the admin's view of
//! one ([`view`]).

pub mod cookies;
pub mod health;
pub mod jar;
pub mod lease;
pub mod pool;
pub mod vault;
pub mod view;

pub use pool::{AccountError, Change, Import, Leased, Pool};
