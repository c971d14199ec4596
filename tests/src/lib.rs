//! Test support: a mock upstream on 127.0.0.1 (TLS with a certificate made
//! per run, so plugins request the real `https://` URLs) serving fixtures we
//! wrote from the platforms' documented response shapes, and a grabkit
//! server wired to it.

pub mod bilibili;
pub mod mock;
pub mod server;

pub use mock::{Mock, Reply};
pub use server::{TestServer, TestSettings};
