//! One parse's hold on an account: what the egress asks on every hop (the
//! cookies for this URL, by the jar's rules; `Set-Cookie` written back into
//! the account's jar at once, so a refreshed token is what the next parse
//! sends).

use super::jar;
use super::vault::Secret;
use grabkit_egress::Session;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use url::Url;

/// The account's secret, shared by the pool and every lease of it.
pub type SharedSecret = Arc<Mutex<Secret>>;

pub struct Lease {
    pub id: i64,
    pub platform: String,
    pub(super) secret: SharedSecret,
    /// The platform's hosts: the only ones cookies go to.
    declared: Vec<String>,
    /// A `Set-Cookie` changed the jar (the pool re-seals it on release).
    pub(super) changed: AtomicBool,
}

impl Lease {
    pub(super) fn new(id: i64, platform: &str, secret: SharedSecret, declared: &[String]) -> Self {
        Lease {
            id,
            platform: platform.to_string(),
            secret,
            declared: declared.to_vec(),
            changed: AtomicBool::new(false),
        }
    }

    fn secret(&self) -> std::sync::MutexGuard<'_, Secret> {
        self.secret.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Session for Lease {
    fn cookie_header(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?.to_ascii_lowercase();
        let https = url.scheme() == "https";
        let jar = &self.secret().cookies;
        let now = crate::clock::now();
        jar::header_for(jar, &host, url.path(), https, now, &self.declared)
    }

    fn absorb(&self, url: &Url, set_cookies: &[String]) {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return;
        };
        let now = crate::clock::now();
        let mut secret = self.secret();
        for line in set_cookies {
            if jar::apply_set_cookie(&mut secret.cookies, line, &host, now, &self.declared) {
                self.changed.store(true, Ordering::Relaxed);
            }
        }
    }

    fn user_agent(&self) -> Option<String> {
        self.secret().user_agent.clone()
    }

    fn proxy(&self) -> Option<String> {
        self.secret().proxy.clone()
    }

    fn cookie_pairs(&self) -> Option<String> {
        let now = crate::clock::now();
        let s = self.secret();
        let live = s.cookies.iter().filter(|c| c.live(now));
        let pairs: Vec<String> = live.map(|c| format!("{}={}", c.name, c.value)).collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    fn cookie_value(&self, name: &str) -> Option<String> {
        let now = crate::clock::now();
        let s = self.secret();
        let mut live = s.cookies.iter().filter(|c| c.live(now));
        live.find(|c| c.name == name).map(|c| c.value.clone())
    }
}
