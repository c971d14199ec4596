//! The SQLite key store: one file, WAL journal, schema migrations (files
//! under `migrations/`) counted by `user_version`. Calls run on tokio's
//! blocking pool, never on the async workers. Every balance change and its usage record commit in one
//! transaction, so a crash loses no committed charge and leaves no success
//! uncharged; reservations a crash leaves open are refunded at startup.
//! The statements of the parse path are prepared once per connection
//! (`prepare_cached`), not parsed again on every call. Counts that hold
//! no credit are batched ([`tally`]): an unlimited key's parse costs no
//! commit of its own.

mod accounts;
mod feeds;
mod jobs;
mod tally;

use grabkit_store::keys::*;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};
use tally::Tally;

/// A failure inside a blocking database call: SQLite's, or the store's own.
struct E(StoreError);
type R<T> = Result<T, E>;

impl From<rusqlite::Error> for E {
    fn from(e: rusqlite::Error) -> Self {
        E(StoreError::backend(e))
    }
}

/// Schema migrations, applied in order; `user_version` counts those done.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_keys_usage_meta.sql"),
    include_str!("../migrations/002_counted_usage_credit_range.sql"),
    include_str!("../migrations/003_jobs.sql"),
    include_str!("../migrations/004_feed_tokens.sql"),
    include_str!("../migrations/005_accounts.sql"),
];

/// The embedded default backend of [`KeyStore`].
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
}

/// The connection and the synchronous queries over it.
struct Db {
    conn: Mutex<Connection>,
    /// Counts added since the last flush (see [`tally`]).
    tally: Mutex<Tally>,
}

impl SqliteStore {
    /// Open (or create) the database file and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_db(path).map_err(|e| e.0)
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::in_memory_db().map_err(|e| e.0)
    }

    fn open_db(path: &Path) -> R<Self> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives a process crash (kill -9); only power loss can lose the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Self::wrap(conn))
    }

    fn in_memory_db() -> R<Self> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn)?;
        Ok(Self::wrap(conn))
    }

    fn wrap(conn: Connection) -> Self {
        // Keys, usage and jobs prepare a few dozen statements; keep them all.
        conn.set_prepared_statement_cache_capacity(128);
        let db = Arc::new(Db {
            conn: Mutex::new(conn),
            tally: Mutex::default(),
        });
        spawn_flusher(Arc::downgrade(&db));
        SqliteStore { db }
    }

    /// Run `f` on the blocking pool.
    async fn blocking<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Db) -> R<T> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db).map_err(|e| e.0))
            .await
            .map_err(StoreError::backend)?
    }
}

/// Commit the batched counts every [`tally::FLUSH_EVERY`] while the
/// store is open (a plain thread: the flush is blocking database work).
fn spawn_flusher(db: Weak<Db>) {
    let spawned = std::thread::Builder::new()
        .name("grabkit-usage-flush".into())
        .spawn(move || {
            loop {
                std::thread::sleep(tally::FLUSH_EVERY);
                let Some(db) = db.upgrade() else { return };
                drop(db.lock_flushed());
            }
        });
    if let Err(e) = spawned {
        // Reads and closing still flush; only the timer is missing.
        tracing::warn!(error = %e, "could not start the usage flusher thread");
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Err(e) = self.flush_in(&mut self.lock()) {
            tracing::warn!(error = %e, "usage counts lost on close");
        }
    }
}

fn migrate(conn: &mut Connection) -> R<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

const COLUMNS: &str = "id, name, token_prefix, created_at, expires_at, platforms, credits, \
    enabled, last_used_at, rate_per_sec, rate_burst, token_hash";

fn row_key(r: &rusqlite::Row<'_>) -> rusqlite::Result<Key> {
    let platforms: Option<String> = r.get(5)?;
    Ok(Key {
        id: r.get(0)?,
        name: r.get(1)?,
        token_prefix: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        platforms: platforms.map(|p| {
            p.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        }),
        credits: r.get(6)?,
        enabled: r.get::<_, i64>(7)? != 0,
        last_used_at: r.get(8)?,
        rate_per_sec: r.get(9)?,
        rate_burst: r.get(10)?,
        token_hash: r.get(11)?,
    })
}

fn join(p: &Option<Vec<String>>) -> Option<String> {
    p.as_ref().map(|v| v.join(","))
}

/// Count one settled request in its (key, day, platform, outcome) slot.
fn count(
    conn: &Connection,
    key_id: i64,
    at: i64,
    platform: &str,
    outcome: &str,
    charged: bool,
) -> R<()> {
    conn.prepare_cached(
        "INSERT INTO usage_daily (key_id, day, platform, outcome, requests, charged) \
         VALUES (?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT (key_id, day, platform, outcome) \
         DO UPDATE SET requests = requests + 1, charged = charged + excluded.charged",
    )?
    .execute(params![
        key_id,
        day_of(at),
        platform,
        outcome,
        charged as i64
    ])?;
    Ok(())
}

impl Db {
    fn get_in(conn: &Connection, id: i64) -> R<Option<Key>> {
        Ok(conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM keys WHERE id = ?1"))?
            .query_row([id], row_key)
            .optional()?)
    }
}

impl Db {
    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection, with the batched counts committed first: for every
    /// read that shows usage or `last_used_at`.
    fn lock_flushed(&self) -> std::sync::MutexGuard<'_, Connection> {
        let mut conn = self.lock();
        if let Err(e) = self.flush_in(&mut conn) {
            // The read goes ahead without them; they wait for the next try.
            tracing::warn!(error = %e, "usage counts not committed; kept for the next flush");
        }
        conn
    }

    /// Commit the batched counts (the caller holds the connection, so a
    /// read after this sees them); on failure they are put back.
    fn flush_in(&self, conn: &mut Connection) -> rusqlite::Result<()> {
        let tally = std::mem::take(&mut *self.tally());
        if tally.is_empty() {
            return Ok(());
        }
        tally.write(conn).inspect_err(|_| self.tally().merge(tally))
    }

    fn tally(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn create(&self, new: &NewKey, token_hash: &str, token_prefix: &str, now: i64) -> R<Key> {
        if new.credits.is_some_and(|c| !(0..=MAX_CREDITS).contains(&c)) {
            return Err(E(StoreError::CreditsOutOfRange));
        }
        let conn = self.lock();
        conn.execute(
            "INSERT INTO keys (name, token_hash, token_prefix, created_at, expires_at, platforms, credits, rate_per_sec, rate_burst) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![new.name, token_hash, token_prefix, now, new.expires_at, join(&new.platforms), new.credits, new.rate_per_sec, new.rate_burst],
        )?;
        Self::get_in(&conn, conn.last_insert_rowid())?.ok_or(E(StoreError::NoSuchKey))
    }

    fn list(&self) -> R<Vec<Key>> {
        let conn = self.lock_flushed();
        let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM keys ORDER BY id"))?;
        let keys = st.query_map([], row_key)?.collect::<Result<Vec<_>, _>>()?;
        Ok(keys)
    }

    fn get(&self, id: i64) -> R<Option<Key>> {
        Self::get_in(&self.lock_flushed(), id)
    }

    fn by_token_hash(&self, token_hash: &str) -> R<Option<(Key, String)>> {
        let conn = self.lock();
        let key = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM keys WHERE token_hash = ?1"))?
            .query_row([token_hash], row_key)
            .optional()?;
        Ok(key.map(|k| {
            let hash = k.token_hash.clone();
            (k, hash)
        }))
    }

    fn update(&self, id: i64, p: &KeyPatch) -> R<Option<Key>> {
        let mut conn = self.lock_flushed();
        let tx = conn.transaction()?;
        if let Some(n) = &p.name {
            tx.execute("UPDATE keys SET name = ?1 WHERE id = ?2", params![n, id])?;
        }
        if let Some(e) = &p.expires_at {
            tx.execute(
                "UPDATE keys SET expires_at = ?1 WHERE id = ?2",
                params![e, id],
            )?;
        }
        if let Some(pl) = &p.platforms {
            tx.execute(
                "UPDATE keys SET platforms = ?1 WHERE id = ?2",
                params![join(pl), id],
            )?;
        }
        if let Some(en) = p.enabled {
            tx.execute(
                "UPDATE keys SET enabled = ?1 WHERE id = ?2",
                params![en as i64, id],
            )?;
        }
        if let Some(r) = p.rate_per_sec {
            tx.execute(
                "UPDATE keys SET rate_per_sec = ?1 WHERE id = ?2",
                params![r, id],
            )?;
        }
        if let Some(b) = p.rate_burst {
            tx.execute(
                "UPDATE keys SET rate_burst = ?1 WHERE id = ?2",
                params![b, id],
            )?;
        }
        let key = Self::get_in(&tx, id)?;
        tx.commit()?;
        Ok(key)
    }

    fn rotate(&self, id: i64, token_hash: &str, token_prefix: &str) -> R<Option<Key>> {
        let conn = self.lock_flushed();
        conn.execute(
            "UPDATE keys SET token_hash = ?1, token_prefix = ?2 WHERE id = ?3",
            params![token_hash, token_prefix, id],
        )?;
        Self::get_in(&conn, id)
    }

    fn delete(&self, id: i64) -> R<bool> {
        Ok(self
            .lock_flushed()
            .execute("DELETE FROM keys WHERE id = ?1", [id])?
            > 0)
    }

    fn credits(&self, id: i64, op: CreditOp) -> R<Option<Key>> {
        let mut conn = self.lock_flushed();
        let tx = conn.transaction()?;
        let Some(key) = Self::get_in(&tx, id)? else {
            return Ok(None);
        };
        let next = apply_credits(key.credits, op).map_err(E)?;
        tx.execute(
            "UPDATE keys SET credits = ?1 WHERE id = ?2",
            params![next, id],
        )?;
        let key = Self::get_in(&tx, id)?;
        tx.commit()?;
        Ok(key)
    }

    fn reserve(&self, key: &Key, platform: &str, now: i64) -> R<Reservation> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let taken = tx
            .prepare_cached(
                "UPDATE keys SET credits = CASE WHEN credits IS NULL THEN NULL ELSE credits - 1 \
                 END, last_used_at = ?2 WHERE id = ?1 AND token_hash = ?3 AND enabled = 1 \
                 AND (expires_at IS NULL OR expires_at > ?2) AND (credits IS NULL OR credits > 0)",
            )?
            .execute(params![key.id, now, key.token_hash])?;
        if taken == 0 {
            let why = match Self::get_in(&tx, key.id)? {
                Some(k) if k.enabled && k.token_hash == key.token_hash => {
                    if k.expires_at.is_some_and(|t| now >= t) {
                        StoreError::KeyExpired
                    } else {
                        StoreError::NoCredits
                    }
                }
                _ => StoreError::KeyInvalid,
            };
            return Err(E(why));
        }
        let limited: bool = tx
            .prepare_cached("SELECT credits IS NOT NULL FROM keys WHERE id = ?1")?
            .query_row([key.id], |r| r.get(0))?;
        tx.prepare_cached(
            "INSERT INTO usage (key_id, at, platform, outcome, pending, reserved) \
             VALUES (?1, ?2, ?3, 'pending', 1, ?4)",
        )?
        .execute(params![key.id, now, platform, limited as i64])?;
        let usage_id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Reservation {
            usage_id,
            key_id: key.id,
        })
    }

    fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        _latency_ms: u64,
        success: bool,
    ) -> R<Option<i64>> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let open: Option<(bool, i64, String)> = tx
            .prepare_cached(
                "SELECT reserved, at, platform FROM usage WHERE id = ?1 AND pending = 1",
            )?
            .query_row([r.usage_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        if let Some((reserved, at, platform)) = open {
            if !success && reserved {
                tx.prepare_cached(
                    "UPDATE keys SET credits = credits + 1 WHERE id = ?1 AND credits IS NOT NULL",
                )?
                .execute([r.key_id])?;
            }
            tx.prepare_cached("DELETE FROM usage WHERE id = ?1")?
                .execute([r.usage_id])?;
            count(&tx, r.key_id, at, &platform, outcome, success)?;
        }
        let left: Option<i64> = tx
            .prepare_cached("SELECT credits FROM keys WHERE id = ?1")?
            .query_row([r.key_id], |row| row.get(0))
            .optional()?
            .flatten();
        tx.commit()?;
        Ok(left)
    }

    fn usage(&self, key_id: i64, day_start: i64) -> R<UsageSummary> {
        let conn = self.lock_flushed();
        let mut st = conn.prepare_cached(
            "SELECT platform, outcome, requests, charged, day >= ?2 FROM usage_daily \
             WHERE key_id = ?1",
        )?;
        let rows = st.query_map(params![key_id, day_of(day_start)], |r| {
            Ok(UsageRow {
                platform: r.get(0)?,
                outcome: r.get(1)?,
                counts: Counts {
                    requests: r.get::<_, i64>(2)?.max(0) as u64,
                    charged: r.get::<_, i64>(3)?.max(0) as u64,
                },
                today: r.get(4)?,
            })
        })?;
        Ok(UsageSummary::from_rows(
            rows.collect::<Result<Vec<_>, _>>()?,
        ))
    }

    fn recover(&self) -> R<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE keys SET credits = credits + (SELECT COUNT(*) FROM usage u \
             WHERE u.key_id = keys.id AND u.pending = 1 AND u.reserved = 1) \
             WHERE credits IS NOT NULL",
            [],
        )?;
        let open: Vec<(i64, i64, String)> = {
            let mut st = tx.prepare("SELECT key_id, at, platform FROM usage WHERE pending = 1")?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?
        };
        for (key_id, at, platform) in &open {
            count(&tx, *key_id, *at, platform, "interrupted", false)?;
        }
        tx.execute("DELETE FROM usage WHERE pending = 1", [])?;
        tx.commit()?;
        Ok(open.len())
    }

    fn meta_get(&self, name: &str) -> R<Option<String>> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn meta_set(&self, name: &str, value: &str) -> R<()> {
        self.lock().execute("INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value", params![name, value])?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl KeyStore for SqliteStore {
    async fn create(
        &self,
        new: &NewKey,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<Key, StoreError> {
        let (new, hash, prefix) = (new.clone(), token_hash.to_owned(), token_prefix.to_owned());
        self.blocking(move |db| db.create(&new, &hash, &prefix, now))
            .await
    }

    async fn list(&self) -> Result<Vec<Key>, StoreError> {
        self.blocking(|db| db.list()).await
    }

    async fn get(&self, id: i64) -> Result<Option<Key>, StoreError> {
        self.blocking(move |db| db.get(id)).await
    }

    async fn by_token_hash(&self, token_hash: &str) -> Result<Option<(Key, String)>, StoreError> {
        let hash = token_hash.to_owned();
        self.blocking(move |db| db.by_token_hash(&hash)).await
    }

    async fn update(&self, id: i64, patch: &KeyPatch) -> Result<Option<Key>, StoreError> {
        let patch = patch.clone();
        self.blocking(move |db| db.update(id, &patch)).await
    }

    async fn rotate(
        &self,
        id: i64,
        token_hash: &str,
        token_prefix: &str,
    ) -> Result<Option<Key>, StoreError> {
        let (hash, prefix) = (token_hash.to_owned(), token_prefix.to_owned());
        self.blocking(move |db| db.rotate(id, &hash, &prefix)).await
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        self.blocking(move |db| db.delete(id)).await
    }

    async fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError> {
        self.blocking(move |db| db.credits(id, op)).await
    }

    async fn reserve(
        &self,
        key: &Key,
        platform: &str,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        let (key, platform) = (key.clone(), platform.to_owned());
        self.blocking(move |db| db.reserve(&key, &platform, now))
            .await
    }

    async fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError> {
        let outcome = outcome.to_owned();
        self.blocking(move |db| db.settle(r, &outcome, latency_ms, success))
            .await
    }

    async fn tally(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        charged: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        // A map update: no database call, so none on the blocking pool.
        self.db.tally().add(key_id, now, platform, outcome, charged);
        Ok(())
    }

    async fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError> {
        self.blocking(move |db| db.usage(key_id, day_start)).await
    }

    async fn recover(&self) -> Result<usize, StoreError> {
        self.blocking(|db| db.recover()).await
    }

    async fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        let name = name.to_owned();
        self.blocking(move |db| db.meta_get(&name)).await
    }

    async fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let (name, value) = (name.to_owned(), value.to_owned());
        self.blocking(move |db| db.meta_set(&name, &value)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_the_conformance_suite() {
        grabkit_store::conformance::run(|| async { SqliteStore::in_memory().unwrap() }).await;
    }

    #[tokio::test]
    async fn passes_the_jobs_conformance_suite() {
        grabkit_store::conformance::jobs(|| async { SqliteStore::in_memory().unwrap() }).await;
    }

    #[tokio::test]
    async fn passes_the_feed_token_suite() {
        grabkit_store::conformance::feeds(|| async { SqliteStore::in_memory().unwrap() }).await;
        grabkit_store::conformance::accounts(SqliteStore::in_memory().unwrap()).await;
    }

    #[tokio::test]
    async fn a_reopened_file_keeps_keys_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grabkit.db");
        let id = {
            let s = SqliteStore::open(&path).unwrap();
            let new = NewKey {
                name: "kept".into(),
                credits: Some(4),
                ..Default::default()
            };
            s.create(&new, "h", "p", 0).await.unwrap().id
        };
        let s = SqliteStore::open(&path).unwrap();
        let k = s.get(id).await.unwrap().expect("the key survived");
        assert_eq!((k.name.as_str(), k.credits), ("kept", Some(4)));
    }

    #[tokio::test]
    async fn refusals_add_counts_not_rows() {
        let s = SqliteStore::in_memory().unwrap();
        let new = NewKey {
            name: "n".into(),
            ..Default::default()
        };
        let k = s.create(&new, "h", "p", 0).await.unwrap();
        for i in 0..2_000 {
            s.record(k.id, "none", "invalid_json", 1, i).await.unwrap();
        }
        let rows: i64 = s
            .blocking(|db| {
                let conn = db.lock_flushed();
                let n = conn.query_row(
                    "SELECT (SELECT COUNT(*) FROM usage) + (SELECT COUNT(*) FROM usage_daily)",
                    [],
                    |r| r.get(0),
                )?;
                Ok(n)
            })
            .await
            .unwrap();
        assert_eq!(rows, 1, "one counted slot for 2,000 refusals");
        assert_eq!(s.usage(k.id, 0).await.unwrap().total.requests, 2_000);
    }

    #[tokio::test]
    async fn batched_counts_are_committed_by_the_flusher_and_on_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        let s = SqliteStore::open(&path).unwrap();
        let k = s.create(&NewKey::default(), "h", "p", 0).await.unwrap();
        s.tally(k.id, "bilibili", "success", true, 10)
            .await
            .unwrap();
        // A second connection sees only what was committed; wait (bounded)
        // for it to reach `n`.
        async fn committed(path: &Path, n: i64) -> i64 {
            let read = || -> i64 {
                let c = Connection::open(path).unwrap();
                let sql = "SELECT COALESCE(SUM(requests), 0) FROM usage_daily";
                c.query_row(sql, [], |r| r.get(0)).unwrap()
            };
            let deadline = std::time::Instant::now() + 10 * tally::FLUSH_EVERY;
            while read() < n && std::time::Instant::now() < deadline {
                tokio::time::sleep(tally::FLUSH_EVERY / 10).await;
            }
            read()
        }
        assert_eq!(committed(&path, 1).await, 1, "the flusher committed it");
        for _ in 0..3 {
            s.tally(k.id, "bilibili", "success", true, 11)
                .await
                .unwrap();
        }
        // Closing commits the rest (at once, or as soon as a flush that
        // holds the store at that moment lets go of it).
        drop(s);
        assert_eq!(committed(&path, 4).await, 4, "closing committed the rest");
        let s = SqliteStore::open(&path).unwrap();
        let key = s.get(k.id).await.unwrap().unwrap();
        assert_eq!(key.last_used_at, Some(11));
    }

    #[tokio::test]
    async fn the_file_cannot_hold_a_balance_it_cannot_read_back() {
        let s = SqliteStore::in_memory().unwrap();
        let new = NewKey {
            name: "c".into(),
            credits: Some(5),
            ..Default::default()
        };
        let k = s.create(&new, "h", "p", 0).await.unwrap();
        for bad in ["9.3e18", "-1", "1000000000001", "'lots'"] {
            let sql = format!("UPDATE keys SET credits = {bad} WHERE id = {}", k.id);
            let r = s.blocking(move |db| Ok(db.lock().execute(&sql, [])?)).await;
            assert!(r.is_err(), "{bad} was stored");
        }
        assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(5));
    }

    #[tokio::test]
    async fn a_version_1_file_is_migrated_with_its_usage_and_a_broken_balance_mended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grabkit.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                "INSERT INTO keys (name, token_hash, token_prefix, created_at, credits) \
                 VALUES ('overflowed', 'h', 'p', 0, 9.3e18);
                 INSERT INTO usage (key_id, at, platform, outcome, charged) VALUES
                   (1, 10, 'bilibili', 'success', 1), (1, 20, 'bilibili', 'success', 1),
                   (1, 86410, 'none', 'invalid_json', 0);",
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        let keys = s.list().await.expect("the key reads back");
        assert_eq!(keys[0].credits, Some(MAX_CREDITS));
        let u = s.usage(1, 86_400).await.unwrap();
        assert_eq!(
            u.total,
            Counts {
                requests: 3,
                charged: 2
            }
        );
        assert_eq!(u.today.requests, 1);
    }
}
