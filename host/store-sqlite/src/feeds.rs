//! [`FeedTokenStore`] on SQLite: one table next to the keys (migration 4);
//! a trigger removes a deleted key's tokens.

use super::{E, SqliteStore};
use grabkit_store::feeds::{FeedToken, FeedTokenStore};
use grabkit_store::keys::StoreError;
use rusqlite::{OptionalExtension, Row, params};

const COLUMNS: &str = "id, key_id, label, prefix, created_at, last_used_at";

fn token(r: &Row<'_>) -> rusqlite::Result<FeedToken> {
    Ok(FeedToken {
        id: r.get(0)?,
        key_id: r.get(1)?,
        label: r.get(2)?,
        prefix: r.get(3)?,
        created_at: r.get(4)?,
        last_used_at: r.get(5)?,
    })
}

#[async_trait::async_trait]
impl FeedTokenStore for SqliteStore {
    async fn create_feed_token(
        &self,
        key_id: i64,
        label: &str,
        token_hash: &str,
        prefix: &str,
        now: i64,
    ) -> Result<FeedToken, StoreError> {
        let (label, hash, prefix) = (
            label.to_string(),
            token_hash.to_string(),
            prefix.to_string(),
        );
        self.blocking(move |db| {
            let conn = db.lock();
            let known: Option<i64> = conn
                .query_row("SELECT id FROM keys WHERE id = ?1", [key_id], |r| r.get(0))
                .optional()?;
            if known.is_none() {
                return Err(E(StoreError::KeyInvalid));
            }
            let sql = format!(
                "INSERT INTO feed_tokens (key_id, label, token_hash, prefix, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING {COLUMNS}"
            );
            Ok(conn.query_row(&sql, params![key_id, label, hash, prefix, now], token)?)
        })
        .await
    }

    async fn feed_tokens(&self, key_id: i64) -> Result<Vec<FeedToken>, StoreError> {
        self.blocking(move |db| {
            let conn = db.lock();
            let sql = format!("SELECT {COLUMNS} FROM feed_tokens WHERE key_id = ?1 ORDER BY id");
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map([key_id], token)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn revoke_feed_token(&self, key_id: i64, id: i64) -> Result<bool, StoreError> {
        self.blocking(move |db| {
            let sql = "DELETE FROM feed_tokens WHERE id = ?1 AND key_id = ?2";
            Ok(db.lock().execute(sql, params![id, key_id])? > 0)
        })
        .await
    }

    async fn use_feed_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<FeedToken>, StoreError> {
        let hash = token_hash.to_string();
        self.blocking(move |db| {
            let sql = format!(
                "UPDATE feed_tokens SET last_used_at = ?2 WHERE token_hash = ?1 RETURNING {COLUMNS}"
            );
            let conn = db.lock();
            Ok(conn.query_row(&sql, params![hash, now], token).optional()?)
        })
        .await
    }
}
