//! The SQLite key store: one file, WAL journal, schema migrations by
//! `user_version`. Every balance change and its usage record commit in one
//! transaction, so a crash loses no committed charge and leaves no success
//! uncharged; reservations a crash leaves open are refunded at startup.

use super::keys::*;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

const MIGRATIONS: &[&str] = &[
    // 1: keys, usage, meta
    "CREATE TABLE keys (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        token_prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        platforms TEXT,
        credits INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        last_used_at INTEGER,
        rate_per_sec INTEGER,
        rate_burst INTEGER
    );
    CREATE TABLE usage (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        platform TEXT NOT NULL,
        outcome TEXT NOT NULL,
        latency_ms INTEGER NOT NULL DEFAULT 0,
        charged INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        reserved INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX usage_key_at ON usage(key_id, at);
    CREATE INDEX usage_pending ON usage(pending) WHERE pending = 1;
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode survives a process crash (kill -9); only power loss can lose the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

const COLUMNS: &str = "id, name, token_prefix, created_at, expires_at, platforms, credits, enabled, last_used_at, rate_per_sec, rate_burst";

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
    })
}

fn join(p: &Option<Vec<String>>) -> Option<String> {
    p.as_ref().map(|v| v.join(","))
}

impl SqliteStore {
    fn get_in(conn: &Connection, id: i64) -> Result<Option<Key>, StoreError> {
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM keys WHERE id = ?1"),
                [id],
                row_key,
            )
            .optional()?)
    }
}

impl KeyStore for SqliteStore {
    fn create(
        &self,
        new: &NewKey,
        token_hash: &str,
        token_prefix: &str,
        now: i64,
    ) -> Result<Key, StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "INSERT INTO keys (name, token_hash, token_prefix, created_at, expires_at, platforms, credits, rate_per_sec, rate_burst) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![new.name, token_hash, token_prefix, now, new.expires_at, join(&new.platforms), new.credits, new.rate_per_sec, new.rate_burst],
        )?;
        Self::get_in(&conn, conn.last_insert_rowid())?.ok_or(StoreError::NoSuchKey)
    }

    fn list(&self) -> Result<Vec<Key>, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM keys ORDER BY id"))?;
        let keys = st.query_map([], row_key)?.collect::<Result<Vec<_>, _>>()?;
        Ok(keys)
    }

    fn get(&self, id: i64) -> Result<Option<Key>, StoreError> {
        Self::get_in(&self.conn.lock().unwrap(), id)
    }

    fn by_token_hash(&self, token_hash: &str) -> Result<Option<(Key, String)>, StoreError> {
        let conn = self.conn.lock().unwrap();
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS}, token_hash FROM keys WHERE token_hash = ?1"),
                [token_hash],
                |r| Ok((row_key(r)?, r.get::<_, String>(11)?)),
            )
            .optional()?)
    }

    fn update(&self, id: i64, p: &KeyPatch) -> Result<Option<Key>, StoreError> {
        let mut conn = self.conn.lock().unwrap();
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

    fn rotate(
        &self,
        id: i64,
        token_hash: &str,
        token_prefix: &str,
    ) -> Result<Option<Key>, StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute(
            "UPDATE keys SET token_hash = ?1, token_prefix = ?2 WHERE id = ?3",
            params![token_hash, token_prefix, id],
        )?;
        Self::get_in(&conn, id)
    }

    fn delete(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .lock()
            .unwrap()
            .execute("DELETE FROM keys WHERE id = ?1", [id])?
            > 0)
    }

    fn credits(&self, id: i64, op: CreditOp) -> Result<Option<Key>, StoreError> {
        let conn = self.conn.lock().unwrap();
        match op {
            // Adding to an unlimited key leaves it unlimited.
            CreditOp::Add(n) => conn.execute("UPDATE keys SET credits = MAX(credits + ?1, 0) WHERE id = ?2 AND credits IS NOT NULL", params![n, id])?,
            CreditOp::Set(v) => conn.execute("UPDATE keys SET credits = ?1 WHERE id = ?2", params![v.map(|n| n.max(0)), id])?,
        };
        Self::get_in(&conn, id)
    }

    fn reserve(&self, key_id: i64, platform: &str, now: i64) -> Result<Reservation, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let taken = tx.execute("UPDATE keys SET credits = CASE WHEN credits IS NULL THEN NULL ELSE credits - 1 END, last_used_at = ?2 WHERE id = ?1 AND (credits IS NULL OR credits > 0)", params![key_id, now])?;
        if taken == 0 {
            return Err(if Self::get_in(&tx, key_id)?.is_some() {
                StoreError::NoCredits
            } else {
                StoreError::NoSuchKey
            });
        }
        let limited: bool = tx.query_row(
            "SELECT credits IS NOT NULL FROM keys WHERE id = ?1",
            [key_id],
            |r| r.get(0),
        )?;
        tx.execute("INSERT INTO usage (key_id, at, platform, outcome, pending, reserved) VALUES (?1, ?2, ?3, 'pending', 1, ?4)", params![key_id, now, platform, limited as i64])?;
        let usage_id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Reservation { usage_id, key_id })
    }

    fn settle(
        &self,
        r: Reservation,
        outcome: &str,
        latency_ms: u64,
        success: bool,
    ) -> Result<Option<i64>, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        let reserved: bool = tx
            .query_row(
                "SELECT reserved FROM usage WHERE id = ?1 AND pending = 1",
                [r.usage_id],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(false);
        if !success && reserved {
            tx.execute(
                "UPDATE keys SET credits = credits + 1 WHERE id = ?1 AND credits IS NOT NULL",
                [r.key_id],
            )?;
        }
        tx.execute("UPDATE usage SET outcome = ?1, latency_ms = ?2, charged = ?3, pending = 0 WHERE id = ?4", params![outcome, latency_ms as i64, success as i64, r.usage_id])?;
        let left: Option<i64> = tx
            .query_row(
                "SELECT credits FROM keys WHERE id = ?1",
                [r.key_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        tx.commit()?;
        Ok(left)
    }

    fn record(
        &self,
        key_id: i64,
        platform: &str,
        outcome: &str,
        latency_ms: u64,
        now: i64,
    ) -> Result<(), StoreError> {
        let conn = self.conn.lock().unwrap();
        conn.execute("INSERT INTO usage (key_id, at, platform, outcome, latency_ms) VALUES (?1, ?2, ?3, ?4, ?5)", params![key_id, now, platform, outcome, latency_ms as i64])?;
        conn.execute(
            "UPDATE keys SET last_used_at = ?1 WHERE id = ?2",
            params![now, key_id],
        )?;
        Ok(())
    }

    fn usage(&self, key_id: i64, day_start: i64) -> Result<UsageSummary, StoreError> {
        let conn = self.conn.lock().unwrap();
        let mut out = UsageSummary::default();
        let mut st = conn.prepare("SELECT platform, outcome, charged, at >= ?2 FROM usage WHERE key_id = ?1 AND pending = 0")?;
        let rows = st.query_map(params![key_id, day_start], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        for row in rows {
            let (platform, outcome, charged, today) = row?;
            let bump = |c: &mut Counts| {
                c.requests += 1;
                c.charged += charged as u64;
            };
            bump(&mut out.total);
            if today {
                bump(&mut out.today);
            }
            bump(out.by_platform.entry(platform).or_default());
            *out.by_outcome.entry(outcome).or_default() += 1;
        }
        Ok(out)
    }

    fn recover(&self) -> Result<usize, StoreError> {
        let mut conn = self.conn.lock().unwrap();
        let tx = conn.transaction()?;
        tx.execute("UPDATE keys SET credits = credits + (SELECT COUNT(*) FROM usage u WHERE u.key_id = keys.id AND u.pending = 1 AND u.reserved = 1) WHERE credits IS NOT NULL", [])?;
        let n = tx.execute(
            "UPDATE usage SET pending = 0, outcome = 'interrupted', charged = 0 WHERE pending = 1",
            [],
        )?;
        tx.commit()?;
        Ok(n)
    }

    fn meta_get(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .lock()
            .unwrap()
            .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn meta_set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.conn.lock().unwrap().execute("INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET value = excluded.value", params![name, value])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_settle_refund_and_recover() {
        let s = SqliteStore::in_memory().unwrap();
        let k = s
            .create(
                &NewKey {
                    name: "a".into(),
                    credits: Some(2),
                    ..Default::default()
                },
                "h",
                "gk_live_abc",
                0,
            )
            .unwrap();
        let r1 = s.reserve(k.id, "bilibili", 1).unwrap();
        let r2 = s.reserve(k.id, "bilibili", 1).unwrap();
        assert!(matches!(
            s.reserve(k.id, "bilibili", 1),
            Err(StoreError::NoCredits)
        ));
        assert_eq!(s.settle(r1, "success", 5, true).unwrap(), Some(0));
        assert_eq!(
            s.settle(r2, "not_found", 5, false).unwrap(),
            Some(1),
            "failure refunds"
        );
        let _open = s.reserve(k.id, "bilibili", 2).unwrap();
        assert_eq!(s.get(k.id).unwrap().unwrap().credits, Some(0));
        assert_eq!(
            s.recover().unwrap(),
            1,
            "a crash's open reservation is refunded"
        );
        assert_eq!(s.get(k.id).unwrap().unwrap().credits, Some(1));
        let u = s.usage(k.id, 0).unwrap();
        assert_eq!((u.total.requests, u.total.charged), (3, 1));
        assert_eq!(u.by_outcome["interrupted"], 1);
    }

    #[test]
    fn unlimited_keys_and_credit_ops() {
        let s = SqliteStore::in_memory().unwrap();
        let k = s
            .create(
                &NewKey {
                    name: "u".into(),
                    ..Default::default()
                },
                "h",
                "p",
                0,
            )
            .unwrap();
        for _ in 0..5 {
            let r = s.reserve(k.id, "x", 0).unwrap();
            assert_eq!(s.settle(r, "success", 1, true).unwrap(), None);
        }
        assert_eq!(
            s.credits(k.id, CreditOp::Add(5)).unwrap().unwrap().credits,
            None,
            "unlimited stays unlimited"
        );
        assert_eq!(
            s.credits(k.id, CreditOp::Set(Some(3)))
                .unwrap()
                .unwrap()
                .credits,
            Some(3)
        );
        assert_eq!(
            s.credits(k.id, CreditOp::Add(-10))
                .unwrap()
                .unwrap()
                .credits,
            Some(0),
            "never negative"
        );
    }
}
