//! The accounts pool: every platform's accounts with their secrets opened
//! in memory and their health, kept in step with the store. Admin changes
//! go through here and apply at once; a parse leases the healthiest ready
//! account and hands it back with its outcome; a jar a `Set-Cookie`
//! changed is sealed and stored again. An operator's static
//! `[plugins.<p>] config = { cookie = … }` is one more account, kept in
//! memory only.

use super::cookies::{self, CookieError};
use super::health::{self, Candidate, Health, Outcome, Policy};
use super::lease::{Lease, SharedSecret};
use super::vault::{Secret, Vault, VaultError};
use super::view::{AccountView, CookieView, HealthView, masked_proxy};
use crate::clock::rfc3339;
use crate::code::Coded;
use grabkit_store::accounts::{AccountPatch, AccountStore, NewAccount, StoredAccount};
use grabkit_store::keys::StoreError;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Cookies(#[from] CookieError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no account {0}")]
    NotFound(i64),
    #[error("account {0} comes from the config file; change it there")]
    ReadOnly(i64),
    #[error("`{0}`: {1}")]
    Invalid(&'static str, String),
}

impl Coded for AccountError {
    fn code(&self) -> &'static str {
        match self {
            AccountError::Cookies(e) => e.code(),
            AccountError::Vault(e) => e.code(),
            AccountError::Store(_) => "store_failed",
            AccountError::NotFound(_) => "account_not_found",
            AccountError::ReadOnly(_) => "account_read_only",
            AccountError::Invalid(..) => "invalid_request",
        }
    }
}

/// An account to import.
#[derive(Debug, Clone, Default)]
pub struct Import {
    pub platform: String,
    /// In any of the four forms [`cookies::parse`] reads.
    pub cookies: String,
    pub label: Option<String>,
    pub user_agent: Option<String>,
    pub proxy: Option<String>,
}

/// An admin change; `None` fields stay. `proxy: Some(None)` removes it.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub label: Option<String>,
    pub enabled: Option<bool>,
    pub proxy: Option<Option<String>>,
}

/// What a parse gets from the pool.
pub enum Leased {
    Account(Arc<Lease>),
    /// The platform has no accounts: the parse goes on without.
    NoneConfigured,
    /// It has some, none ready; `retry_after` is when one may be.
    NoneReady {
        retry_after: Option<i64>,
    },
}

/// One account as the pool holds it.
struct Entry {
    platform: String,
    label: String,
    enabled: bool,
    from_config: bool,
    created_at: i64,
    updated_at: i64,
    secret: SharedSecret,
    health: Health,
}

impl Entry {
    fn cookies_expire(&self) -> Option<i64> {
        let s = self.secret.lock().unwrap_or_else(|p| p.into_inner());
        cookies::expiry(&s.cookies)
    }
}

#[derive(Default)]
struct Accounts {
    by_id: BTreeMap<i64, Entry>,
    /// The config file's cookie per platform: (its account id, the text).
    from_config: BTreeMap<String, (i64, String)>,
    next_config_id: i64,
}

pub struct Pool {
    store: Arc<dyn AccountStore>,
    vault: Vault,
    pub policy: Policy,
    accounts: Mutex<Accounts>,
}

impl Pool {
    /// Open every stored account. One that does not open (another key) is
    /// left out of the pool, with a warning, and stays in the store.
    pub async fn open(
        store: Arc<dyn AccountStore>,
        vault: Vault,
        policy: Policy,
    ) -> Result<Pool, AccountError> {
        let mut accounts = Accounts::default();
        for a in store.accounts(None).await? {
            match vault.open(&a.platform, &a.sealed) {
                Ok(secret) => {
                    accounts.by_id.insert(a.id, entry(&a, secret));
                }
                Err(e) => {
                    tracing::warn!(account = a.id, platform = %a.platform, error = %e, "account left out")
                }
            }
        }
        Ok(Pool {
            store,
            vault,
            policy,
            accounts: Mutex::new(accounts),
        })
    }

    /// A pool with nothing stored (one-shot commands): only the config
    /// file's cookies, under a key that lives as long as the process.
    pub fn in_memory(policy: Policy) -> Pool {
        Pool {
            store: Arc::new(grabkit_store::MemoryStore::default()),
            vault: Vault::ephemeral(),
            policy,
            accounts: Mutex::default(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Accounts) -> T) -> T {
        f(&mut self.accounts.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub async fn import(&self, new: Import, now: i64) -> Result<AccountView, AccountError> {
        let (_, jar) = cookies::parse(&new.cookies)?;
        let proxy = new.proxy.map(check_proxy).transpose()?;
        let secret = Secret {
            cookies: jar,
            user_agent: new.user_agent.filter(|u| !u.trim().is_empty()),
            proxy,
        };
        let label = new.label.unwrap_or_default();
        let sealed = self.vault.seal(&new.platform, &secret);
        let add = NewAccount {
            platform: new.platform,
            label,
            sealed,
        };
        let stored = self.store.add_account(&add, now).await?;
        let id = stored.id;
        self.with(|a| a.by_id.insert(id, entry(&stored, secret)));
        self.view(id, now).ok_or(AccountError::NotFound(id))
    }

    pub fn list(&self, platform: Option<&str>, now: i64) -> Vec<AccountView> {
        self.with(|a| {
            let of = a.by_id.iter();
            let of = of.filter(|(_, e)| platform.is_none_or(|p| e.platform == p));
            of.map(|(id, e)| view_of(*id, e, now, &self.policy))
                .collect()
        })
    }

    pub fn view(&self, id: i64, now: i64) -> Option<AccountView> {
        self.with(|a| {
            let e = a.by_id.get(&id)?;
            Some(view_of(id, e, now, &self.policy))
        })
    }

    pub async fn change(&self, id: i64, c: Change, now: i64) -> Result<AccountView, AccountError> {
        let proxy = match c.proxy {
            Some(Some(p)) => Some(Some(check_proxy(p)?)),
            other => other,
        };
        // Change memory and build the store's patch under one lock.
        let patch = self.with(|a| {
            let e = a.by_id.get_mut(&id).ok_or(AccountError::NotFound(id))?;
            if e.from_config {
                return Err(AccountError::ReadOnly(id));
            }
            let mut patch = AccountPatch {
                label: c.label.clone(),
                enabled: c.enabled,
                sealed: None,
            };
            if let Some(p) = proxy {
                let mut s = e.secret.lock().unwrap_or_else(|p| p.into_inner());
                s.proxy = p;
                patch.sealed = Some(self.vault.seal(&e.platform, &s));
            }
            if let Some(l) = c.label {
                e.label = l;
            }
            if let Some(on) = c.enabled {
                // Turned on again: a fresh start, cooldown and expiry gone.
                if on && !e.enabled {
                    e.health.reset();
                }
                e.enabled = on;
            }
            e.updated_at = now;
            Ok(patch)
        })?;
        self.store
            .update_account(id, &patch, now)
            .await?
            .ok_or(AccountError::NotFound(id))?;
        self.view(id, now).ok_or(AccountError::NotFound(id))
    }

    pub async fn remove(&self, id: i64) -> Result<(), AccountError> {
        self.with(|a| match a.by_id.get(&id) {
            None => Err(AccountError::NotFound(id)),
            Some(e) if e.from_config => Err(AccountError::ReadOnly(id)),
            Some(_) => Ok(()),
        })?;
        self.store.remove_account(id).await?;
        self.with(|a| a.by_id.remove(&id));
        Ok(())
    }

    /// Keep the config file's cookie for `platform` as one account: added
    /// when it appears, replaced (health reset) when it changes.
    pub fn bridge_config(&self, platform: &str, cookie: Option<&str>, now: i64) {
        let cookie = cookie.map(str::trim).filter(|c| !c.is_empty());
        self.with(|a| {
            let known = a.from_config.get(platform).cloned();
            match (known, cookie) {
                (Some((_, old)), Some(c)) if old == c => {}
                (known, Some(c)) => {
                    let Ok((_, jar)) = cookies::parse(c) else {
                        tracing::warn!(%platform, "the config file's cookie does not read as cookies");
                        return;
                    };
                    let id = match known {
                        Some((id, _)) => id,
                        None => {
                            a.next_config_id -= 1;
                            a.next_config_id
                        }
                    };
                    let secret = Secret {
                        cookies: jar,
                        ..Secret::default()
                    };
                    let e = Entry {
                        platform: platform.to_string(),
                        label: "config file".into(),
                        enabled: true,
                        from_config: true,
                        created_at: now,
                        updated_at: now,
                        secret: Arc::new(Mutex::new(secret)),
                        health: Health::default(),
                    };
                    a.by_id.insert(id, e);
                    a.from_config.insert(platform.to_string(), (id, c.to_string()));
                }
                (Some((id, _)), None) => {
                    a.by_id.remove(&id);
                    a.from_config.remove(platform);
                }
                (None, None) => {}
            }
        });
    }

    /// An account for a parse of `platform`: `pin` when an admin named one
    /// (used whatever its state, so it can be checked), else the chooser's.
    pub fn lease(
        &self,
        platform: &str,
        declared: &[String],
        pin: Option<i64>,
        now: i64,
    ) -> Result<Leased, AccountError> {
        self.with(|a| {
            let id = match pin {
                Some(id) if a.by_id.get(&id).is_some_and(|e| e.platform == platform) => id,
                Some(id) => return Err(AccountError::NotFound(id)),
                None => {
                    let candidates: Vec<Candidate> = a
                        .by_id
                        .iter()
                        .filter(|(_, e)| e.platform == platform)
                        .map(|(id, e)| Candidate {
                            id: *id,
                            health: &e.health,
                            disabled: !e.enabled,
                            cookies_expire: e.cookies_expire(),
                        })
                        .collect();
                    if candidates.is_empty() {
                        return Ok(Leased::NoneConfigured);
                    }
                    match health::choose(&candidates, now, &self.policy) {
                        Some(id) => id,
                        None => {
                            let retry_after = health::retry_after(&candidates, now, &self.policy);
                            return Ok(Leased::NoneReady { retry_after });
                        }
                    }
                }
            };
            let e = a
                .by_id
                .get_mut(&id)
                .expect("checked or chosen from the map");
            e.health.lease(now);
            let lease = Lease::new(id, platform, e.secret.clone(), declared);
            Ok(Leased::Account(Arc::new(lease)))
        })
    }

    /// The parse ended: `outcome` is `None` when the answer says nothing
    /// about the account (a missing post, a plugin crash). A jar the parse
    /// changed is sealed and stored again.
    pub async fn release(&self, lease: &Lease, outcome: Option<Outcome>, now: i64) {
        if let Some(sealed) = self.settle(lease, outcome, now) {
            self.store_sealed(lease.id, sealed, now).await;
        }
    }

    /// The in-memory part of a release: health, and the jar sealed again
    /// when a `Set-Cookie` changed it (for the store).
    fn settle(&self, lease: &Lease, outcome: Option<Outcome>, now: i64) -> Option<Vec<u8>> {
        self.with(|a| {
            let e = a.by_id.get_mut(&lease.id)?;
            match outcome {
                Some(o) => e.health.record(o, now, &self.policy),
                None => e.health.unlease(),
            }
            let changed = lease.changed.swap(false, Ordering::Relaxed);
            if !changed || e.from_config {
                return None;
            }
            e.updated_at = now;
            let s = e.secret.lock().unwrap_or_else(|p| p.into_inner());
            Some(self.vault.seal(&e.platform, &s))
        })
    }

    async fn store_sealed(&self, id: i64, sealed: Vec<u8>, now: i64) {
        let patch = AccountPatch {
            sealed: Some(sealed),
            ..AccountPatch::default()
        };
        if let Err(e) = self.store.update_account(id, &patch, now).await {
            tracing::warn!(account = id, error = %e, "refreshed cookies not stored");
        }
    }
}

/// A parse's hold on a leased account. Released with the parse's outcome;
/// dropped unreleased (the client went away mid-parse), it still gives the
/// account back, counting nothing, so a cancelled parse never leaves an
/// account busy.
pub struct Hold {
    pool: Arc<Pool>,
    pub lease: Arc<Lease>,
    open: bool,
}

impl Hold {
    pub fn new(pool: Arc<Pool>, lease: Arc<Lease>) -> Hold {
        Hold {
            pool,
            lease,
            open: true,
        }
    }

    pub async fn release(mut self, outcome: Option<Outcome>, now: i64) {
        self.open = false;
        self.pool.release(&self.lease, outcome, now).await;
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let now = crate::clock::now();
        let Some(sealed) = self.pool.settle(&self.lease, None, now) else {
            return;
        };
        let (pool, id) = (self.pool.clone(), self.lease.id);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { pool.store_sealed(id, sealed, now).await });
        }
    }
}

/// The admin's view of entry `id` at `now`.
fn view_of(id: i64, e: &Entry, now: i64, p: &Policy) -> AccountView {
    let expire = e.cookies_expire();
    let state = e.health.state(now, p, !e.enabled, expire).name();
    let s = e.secret.lock().unwrap_or_else(|p| p.into_inner());
    let h = &e.health;
    AccountView {
        id,
        platform: e.platform.clone(),
        label: e.label.clone(),
        enabled: e.enabled,
        source: if e.from_config { "config" } else { "store" },
        state,
        cookies: s
            .cookies
            .iter()
            .map(|c| CookieView {
                name: c.name.clone(),
                domain: c.domain.clone(),
                path: c.path.clone(),
                secure: c.secure,
                http_only: c.http_only,
                expires_at: c.expires.and_then(rfc3339),
                value_length: c.value.len(),
            })
            .collect(),
        cookies_expire_at: expire.and_then(rfc3339),
        user_agent: s.user_agent.clone(),
        proxy: s.proxy.as_deref().map(masked_proxy),
        health: HealthView {
            score: (h.score() * 1000.0).round() / 1000.0,
            success_rate: h.success_rate().map(|r| (r * 1000.0).round() / 1000.0),
            uses: h.uses,
            in_flight: h.in_flight,
            last_used_at: h.last_used.and_then(rfc3339),
            last_success_at: h.last_success.and_then(rfc3339),
            last_failure_at: h.last_failure.and_then(|(t, _)| rfc3339(t)),
            last_failure_code: h.last_failure_code(),
            cooling_until: h.cooling_until.filter(|&u| u > now).and_then(rfc3339),
        },
        created_at: rfc3339(e.created_at),
        updated_at: rfc3339(e.updated_at),
    }
}

fn entry(a: &StoredAccount, secret: Secret) -> Entry {
    Entry {
        platform: a.platform.clone(),
        label: a.label.clone(),
        enabled: a.enabled,
        from_config: false,
        created_at: a.created_at,
        updated_at: a.updated_at,
        secret: Arc::new(Mutex::new(secret)),
        health: Health::default(),
    }
}

/// A proxy URL the egress can use: http or https, with a host.
fn check_proxy(p: String) -> Result<String, AccountError> {
    let bad = |why: &str| AccountError::Invalid("proxy", why.to_string());
    let url = url::Url::parse(p.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(p.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use grabkit_egress::Session;

    fn hosts() -> Vec<String> {
        vec!["*.example.com".into()]
    }

    fn import(platform: &str, cookies: &str) -> Import {
        Import {
            platform: platform.into(),
            cookies: cookies.into(),
            ..Import::default()
        }
    }

    fn leased(l: Leased) -> Arc<Lease> {
        match l {
            Leased::Account(l) => l,
            Leased::NoneConfigured => panic!("none configured"),
            Leased::NoneReady { .. } => panic!("none ready"),
        }
    }

    async fn pool(max_in_flight: u32) -> (Arc<grabkit_store::MemoryStore>, Pool) {
        let store = Arc::new(grabkit_store::MemoryStore::default());
        let policy = Policy {
            max_in_flight,
            ..Policy::default()
        };
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        (
            store.clone(),
            Pool::open(store, vault, policy).await.unwrap(),
        )
    }

    #[tokio::test]
    async fn each_account_runs_at_most_its_in_flight_cap() {
        let (_, p) = pool(1).await;
        let a = p.import(import("x", "a=1"), 100).await.unwrap();
        let b = p.import(import("x", "b=2"), 100).await.unwrap();
        let first = leased(p.lease("x", &hosts(), None, 100).unwrap());
        let second = leased(p.lease("x", &hosts(), None, 100).unwrap());
        assert_ne!(first.id, second.id, "the busy one is skipped");
        assert!(matches!(
            p.lease("x", &hosts(), None, 100).unwrap(),
            Leased::NoneReady {
                retry_after: Some(1)
            }
        ));
        assert!(matches!(
            p.lease("y", &hosts(), None, 100).unwrap(),
            Leased::NoneConfigured
        ));
        p.release(&first, None, 101).await;
        let again = leased(p.lease("x", &hosts(), None, 101).unwrap());
        assert_eq!(again.id, first.id);
        assert_eq!(p.view(a.id, 101).unwrap().platform, "x");
        assert_eq!(p.view(b.id, 101).unwrap().health.in_flight, 1);
    }

    #[tokio::test]
    async fn a_hold_dropped_mid_parse_gives_the_account_back() {
        let (_, p) = pool(1).await;
        let p = Arc::new(p);
        let a = p.import(import("x", "a=1"), 100).await.unwrap();
        let hold = Hold::new(
            p.clone(),
            leased(p.lease("x", &hosts(), None, 100).unwrap()),
        );
        assert_eq!(p.view(a.id, 100).unwrap().state, "busy");
        drop(hold);
        let v = p.view(a.id, 100).unwrap();
        assert_eq!((v.state, v.health.in_flight), ("ready", 0));
        let hold = Hold::new(
            p.clone(),
            leased(p.lease("x", &hosts(), None, 100).unwrap()),
        );
        hold.release(Some(Outcome::Success), 101).await;
        assert_eq!(p.view(a.id, 101).unwrap().health.success_rate, Some(1.0));
    }

    #[tokio::test]
    async fn a_pin_takes_that_account_of_that_platform_only() {
        let (_, p) = pool(1).await;
        let a = p.import(import("x", "a=1"), 100).await.unwrap();
        let _busy = leased(p.lease("x", &hosts(), None, 100).unwrap());
        // Pinned: used even while at its cap (an admin is checking it).
        let pinned = leased(p.lease("x", &hosts(), Some(a.id), 100).unwrap());
        assert_eq!(pinned.id, a.id);
        assert!(matches!(
            p.lease("other", &hosts(), Some(a.id), 100),
            Err(AccountError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn a_refreshed_jar_is_sealed_and_stored_on_release() {
        let (store, p) = pool(2).await;
        let a = p.import(import("x", "sid=old"), 100).await.unwrap();
        let l = leased(p.lease("x", &hosts(), None, 100).unwrap());
        let url = url::Url::parse("https://api.example.com/v1").unwrap();
        assert_eq!(l.cookie_header(&url).as_deref(), Some("sid=old"));
        l.absorb(&url, &["sid=new; Path=/".into()]);
        l.absorb(&url, &["stray=1; Domain=evil.com".into()]);
        p.release(&l, Some(Outcome::Success), 101).await;
        // Reopened from the store alone: the new value, no foreign cookie.
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let again = Pool::open(store, vault, Policy::default()).await.unwrap();
        let l = leased(again.lease("x", &hosts(), Some(a.id), 102).unwrap());
        let sent = l.cookie_header(&url).unwrap();
        assert!(
            sent.contains("sid=new") && !sent.contains("stray"),
            "{sent}"
        );
    }

    #[tokio::test]
    async fn an_account_under_another_key_is_left_out_not_lost() {
        let (store, p) = pool(2).await;
        p.import(import("x", "a=1"), 100).await.unwrap();
        let other = Vault::from_hex(&"22".repeat(32)).unwrap();
        let p2 = Pool::open(store.clone(), other, Policy::default())
            .await
            .unwrap();
        assert!(p2.list(None, 100).is_empty());
        assert_eq!(store.accounts(None).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_config_cookie_follows_the_file() {
        let p = Pool::in_memory(Policy::default());
        p.bridge_config("x", Some("c=1"), 100);
        let v = p.list(Some("x"), 100);
        assert_eq!((v.len(), v[0].id, v[0].source), (1, -1, "config"));
        p.bridge_config("x", Some("c=1"), 101);
        assert_eq!(p.list(None, 101).len(), 1, "unchanged: kept");
        p.bridge_config("x", Some("c=2"), 102);
        let v = p.list(None, 102);
        assert_eq!((v.len(), v[0].id), (1, -1), "changed: replaced in place");
        assert!(matches!(
            p.remove(-1).await,
            Err(AccountError::ReadOnly(-1))
        ));
        p.bridge_config("x", None, 103);
        assert!(p.list(None, 103).is_empty(), "removed from the file: gone");
    }
}
