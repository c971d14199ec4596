//! Refreshing a link's expired media URLs at most once per interval: the
//! refreshed streams are kept for the link's next requests, and a refresh
//! that failed is not tried again until the interval has passed, so one
//! link whose host keeps refusing cannot make us re-parse on every request.

use crate::token::{Stream, Ticket};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A link's identity: the digest of the ticket its token carried.
pub type LinkId = [u8; 32];

/// The streams a refresh found.
#[derive(Debug, Clone)]
pub struct Fresh {
    main: Stream,
    audio: Option<Stream>,
    headers: BTreeMap<String, String>,
}

impl Fresh {
    pub fn of(t: &Ticket) -> Self {
        Fresh {
            main: t.main.clone(),
            audio: t.audio.clone(),
            headers: t.headers.clone(),
        }
    }

    pub fn apply(&self, t: &mut Ticket) {
        t.main = self.main.clone();
        t.audio = self.audio.clone();
        t.headers = self.headers.clone();
    }
}

/// Recent refreshes: `Some` with what was found, `None` for one that failed.
pub struct Refreshes {
    recent: moka::sync::Cache<LinkId, Option<Arc<Fresh>>>,
}

impl Refreshes {
    /// Remember each refresh for `interval`, at most `capacity` links.
    pub fn new(interval: Duration, capacity: u64) -> Self {
        Refreshes {
            recent: moka::sync::Cache::builder()
                .time_to_live(interval)
                .max_capacity(capacity)
                .build(),
        }
    }

    pub fn id(t: &Ticket) -> LinkId {
        let json = serde_json::to_vec(t).unwrap_or_default();
        Sha256::digest(&json).into()
    }

    /// What the last refresh of `id` within the interval gave, if any.
    pub fn recent(&self, id: &LinkId) -> Option<Option<Arc<Fresh>>> {
        self.recent.get(id)
    }

    pub fn remember(&self, id: LinkId, fresh: Option<Fresh>) {
        self.recent.insert(id, fresh.map(Arc::new));
    }
}
