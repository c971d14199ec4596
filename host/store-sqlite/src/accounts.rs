//! [`AccountStore`] on SQLite (migration 5): the sealed secret as a BLOB.

use super::SqliteStore;
use grabkit_store::accounts::{AccountPatch, AccountStore, NewAccount, StoredAccount};
use grabkit_store::keys::StoreError;
use rusqlite::{OptionalExtension, Row, params};

const COLUMNS: &str = "id, platform, label, enabled, sealed, created_at, updated_at";

fn account(r: &Row<'_>) -> rusqlite::Result<StoredAccount> {
    Ok(StoredAccount {
        id: r.get(0)?,
        platform: r.get(1)?,
        label: r.get(2)?,
        enabled: r.get(3)?,
        sealed: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

#[async_trait::async_trait]
impl AccountStore for SqliteStore {
    async fn add_account(&self, new: &NewAccount, now: i64) -> Result<StoredAccount, StoreError> {
        let new = new.clone();
        self.blocking(move |db| {
            let sql = format!(
                "INSERT INTO accounts (platform, label, sealed, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4) RETURNING {COLUMNS}"
            );
            let args = params![new.platform, new.label, new.sealed, now];
            Ok(db.lock().query_row(&sql, args, account)?)
        })
        .await
    }

    async fn accounts(&self, platform: Option<&str>) -> Result<Vec<StoredAccount>, StoreError> {
        let platform = platform.map(str::to_string);
        self.blocking(move |db| {
            let conn = db.lock();
            let sql = format!(
                "SELECT {COLUMNS} FROM accounts WHERE ?1 IS NULL OR platform = ?1 ORDER BY id"
            );
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map([platform], account)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn account(&self, id: i64) -> Result<Option<StoredAccount>, StoreError> {
        self.blocking(move |db| {
            let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1");
            Ok(db.lock().query_row(&sql, [id], account).optional()?)
        })
        .await
    }

    async fn update_account(
        &self,
        id: i64,
        patch: &AccountPatch,
        now: i64,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let p = patch.clone();
        self.blocking(move |db| {
            let sql = format!(
                "UPDATE accounts SET label = coalesce(?2, label), \
                 enabled = coalesce(?3, enabled), sealed = coalesce(?4, sealed), \
                 updated_at = ?5 WHERE id = ?1 RETURNING {COLUMNS}"
            );
            let args = params![id, p.label, p.enabled, p.sealed, now];
            Ok(db.lock().query_row(&sql, args, account).optional()?)
        })
        .await
    }

    async fn remove_account(&self, id: i64) -> Result<bool, StoreError> {
        self.blocking(move |db| {
            Ok(db
                .lock()
                .execute("DELETE FROM accounts WHERE id = ?1", [id])?
                > 0)
        })
        .await
    }
}
