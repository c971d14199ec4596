//! Trying a platform's routes in order, so that one route changing does not
//! take a platform down. The first route that answers wins (the log says
//! which); when none does, the verdict is the most telling refusal, and its
//! message lists what every route said.
//!
//! ```rust,no_run
//! use grabkit_sdk::prelude::*;
//!
//! fn api(id: &str) -> Result<Media> { Err(Error::upstream("empty answer")) }
//! fn page(id: &str) -> Result<Media> { Err(Error::private("only its author sees it")) }
//!
//! let id = "42";
//! let err = first_answer(&[("API", &|| api(id)), ("share page", &|| page(id))]).unwrap_err();
//! assert_eq!(err.kind, ErrorKind::Private);
//! assert!(err.message.contains("API: empty answer"));
//! ```

use crate::error::{Error, ErrorKind, Result};

/// One way to the answer, named for the log and the verdict.
pub type Route<'a, T> = (&'a str, &'a dyn Fn() -> Result<T>);

/// Try `routes` in order; the first answer, or [`verdict`] of every refusal.
pub fn first_answer<T>(routes: &[Route<'_, T>]) -> Result<T> {
    let mut failures = Vec::new();
    for (name, route) in routes {
        match route() {
            Ok(answer) => {
                if routes.len() > 1 {
                    crate::log::info(&format!("answered by the {name} route"));
                }
                return Ok(answer);
            }
            Err(e) => {
                crate::log::debug(&format!("{name}: {}", e.message));
                failures.push((*name, e));
            }
        }
    }
    Err(verdict(failures))
}

/// How much a refusal tells: what the platform said about the post beats a
/// route's own trouble, which must never pass for "the post is missing".
fn weight(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Private | ErrorKind::GeoBlocked | ErrorKind::LoginRequired => 6,
        ErrorKind::NotFound => 5,
        ErrorKind::RateLimited => 4,
        ErrorKind::ParseFailed => 3,
        ErrorKind::UpstreamFailed => 2,
        ErrorKind::InvalidCursor => 1,
        ErrorKind::UnsupportedUrl | ErrorKind::NotSupported => 0,
    }
}

/// The most telling of `failures` (the earliest among equals), its message
/// followed by what the other routes said.
pub fn verdict(failures: Vec<(&str, Error)>) -> Error {
    let Some(best) = failures
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, e))| (weight(e.kind), std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
    else {
        return Error::upstream("no route to try");
    };
    let said = |(route, e): &(&str, Error)| format!("{route}: {}", e.message);
    let others: Vec<String> = failures
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, f)| said(f))
        .collect();
    let (_, top) = &failures[best];
    let mut message = said(&failures[best]);
    if !others.is_empty() {
        message = format!("{message} (also tried {})", others.join("; "));
    }
    Error::new(top.kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_answer_wins_and_later_routes_do_not_run() {
        let ran = std::cell::Cell::new(0);
        let second = || {
            ran.set(ran.get() + 1);
            Ok(2)
        };
        let r = first_answer(&[
            ("a", &|| Err(Error::upstream("x"))),
            ("b", &|| Ok(1)),
            ("c", &second),
        ]);
        assert_eq!(r.unwrap(), 1);
        assert_eq!(ran.get(), 0);
    }

    #[test]
    fn the_verdict_is_the_most_telling_refusal() {
        let v = verdict(vec![
            ("api", Error::parse("odd shape")),
            ("page", Error::not_found("deleted")),
            ("mirror", Error::upstream("HTTP 500")),
        ]);
        assert_eq!(v.kind, ErrorKind::NotFound);
        assert!(
            v.message
                .starts_with("page: deleted (also tried api: odd shape; mirror")
        );
        let v = verdict(vec![
            ("a", Error::upstream("1")),
            ("b", Error::upstream("2")),
        ]);
        assert!(v.message.starts_with("a: 1"), "the earliest among equals");
        let v = verdict(vec![
            ("a", Error::not_found("?")),
            ("b", Error::private("p")),
        ]);
        assert_eq!(v.kind, ErrorKind::Private);
    }
}
