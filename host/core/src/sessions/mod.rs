//! Platform sessions (issue 16's accounts pool): reading the cookie files
//! operators bring ([`cookies`]), which cookies a request carries and what
//! `Set-Cookie` changes ([`jar`]), choosing the account a parse uses, with
//! cooldowns and expiry ([`health`]), and sealing accounts' secrets at
//! rest ([`vault`]). The admin API, the CLI and the egress side build on
//! these.

pub mod cookies;
pub mod health;
pub mod jar;
pub mod vault;
