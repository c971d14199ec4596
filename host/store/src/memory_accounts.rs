//! The in-memory `AccountStore`, in the `MemoryStore`'s one mutex.

use crate::accounts::{AccountPatch, AccountStore, NewAccount, StoredAccount};
use crate::keys::StoreError;
use crate::memory::MemoryStore;

#[async_trait::async_trait]
impl AccountStore for MemoryStore {
    async fn add_account(&self, new: &NewAccount, now: i64) -> Result<StoredAccount, StoreError> {
        self.with(|m| {
            m.next_account += 1;
            let a = StoredAccount {
                id: m.next_account,
                platform: new.platform.clone(),
                label: new.label.clone(),
                enabled: true,
                sealed: new.sealed.clone(),
                created_at: now,
                updated_at: now,
            };
            m.accounts.insert(a.id, a.clone());
            Ok(a)
        })
    }

    async fn accounts(&self, platform: Option<&str>) -> Result<Vec<StoredAccount>, StoreError> {
        self.with(|m| {
            let all = m.accounts.values();
            let of = all.filter(|a| platform.is_none_or(|p| a.platform == p));
            Ok(of.cloned().collect())
        })
    }

    async fn account(&self, id: i64) -> Result<Option<StoredAccount>, StoreError> {
        self.with(|m| Ok(m.accounts.get(&id).cloned()))
    }

    async fn update_account(
        &self,
        id: i64,
        patch: &AccountPatch,
        now: i64,
    ) -> Result<Option<StoredAccount>, StoreError> {
        self.with(|m| {
            let Some(a) = m.accounts.get_mut(&id) else {
                return Ok(None);
            };
            if let Some(l) = &patch.label {
                a.label = l.clone();
            }
            if let Some(e) = patch.enabled {
                a.enabled = e;
            }
            if let Some(s) = &patch.sealed {
                a.sealed = s.clone();
            }
            a.updated_at = now;
            Ok(Some(a.clone()))
        })
    }

    async fn remove_account(&self, id: i64) -> Result<bool, StoreError> {
        self.with(|m| Ok(m.accounts.remove(&id).is_some()))
    }
}
