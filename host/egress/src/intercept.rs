//! Interceptors: what may stand between a checked hop and the network. The
//! policy checks always run first; an interceptor then answers the hop
//! itself (replay) or watches what the network answered (record). The
//! cassette's two halves are the implementations we ship.

use crate::cassette::{Answer, Cassette, Recorder};
use crate::failure::HttpFailure;
use url::Url;

/// One outgoing hop, after the sandbox's checks.
pub struct Hop<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a [u8]>,
}

/// Stands between the sandbox and the network.
pub trait Interceptor: Send + Sync {
    /// Answer the hop instead of the network (`Some`), or let it through.
    fn answer(&self, hop: &Hop<'_>) -> Result<Option<Answer>, HttpFailure>;

    /// Whether [`Interceptor::observe`] wants the network's whole answer
    /// (the sandbox then reads the body under its size cap first).
    fn observes(&self) -> bool {
        false
    }

    /// See what the network answered to a hop that was let through.
    fn observe(&self, _hop: &Hop<'_>, _answer: &Answer) -> Result<(), HttpFailure> {
        Ok(())
    }

    /// Whether hosts get resolved at all (a replay never reaches DNS).
    fn reaches_network(&self) -> bool {
        true
    }

    /// Hops it was asked to answer and could not.
    fn misses(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Interceptor for Cassette {
    fn answer(&self, hop: &Hop<'_>) -> Result<Option<Answer>, HttpFailure> {
        let found = Cassette::answer(self, hop.method, hop.url, hop.body);
        found.map(Some).ok_or_else(|| {
            let (m, u) = (hop.method, hop.url);
            HttpFailure::Denied(format!("the cassette holds no answer for {m} {u}"))
        })
    }

    fn reaches_network(&self) -> bool {
        false
    }

    fn misses(&self) -> Vec<String> {
        Cassette::misses(self)
    }
}

impl Interceptor for Recorder {
    fn answer(&self, _hop: &Hop<'_>) -> Result<Option<Answer>, HttpFailure> {
        Ok(None)
    }

    fn observes(&self) -> bool {
        true
    }

    fn observe(&self, hop: &Hop<'_>, (status, headers, body): &Answer) -> Result<(), HttpFailure> {
        let (h, b) = (hop.headers, hop.body);
        self.write(hop.method, hop.url, h, b, *status, headers, body)
            .map_err(|e| HttpFailure::Transport(e.to_string()))
    }
}
