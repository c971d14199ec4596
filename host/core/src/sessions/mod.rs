//! Platform sessions (issue 16's accounts pool), the parts without I/O:
//! reading the cookie files operators bring ([`cookies`]), which cookies a
//! request carries and what `Set-Cookie` changes ([`jar`]), and choosing which
//! account a parse uses, with cooldowns and expiry ([`health`]). Storage,
//! encryption and the egress side build on these.

pub mod cookies;
pub mod health;
pub mod jar;
