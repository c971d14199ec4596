//! `grabkit keys …`: key administration on the data dir's database directly.

use crate::cli::KeysCommand;
use crate::config::Settings;
use grabkit_store::KeyStore;
use std::process::ExitCode;

/// `grabkit keys …`: works on the data dir's database directly.
pub async fn keys(action: KeysCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use grabkit_core::key_admin::{self, key_json, parse_platforms, parse_time};
    use grabkit_store::keys::{CreditOp, KeyPatch, NewKey};
    let store = crate::app::open_store(settings).await?;
    let store = store.as_ref();
    // Shipped platforms, and any a `[plugins.<p>]` section names.
    let known = |p: &str| settings.plugins.contains_key(p);
    let with_token = |c: key_admin::Created| {
        let mut j = key_json(&c.key);
        j["token"] = c.token.into();
        j
    };
    let out = match action {
        KeysCommand::Create {
            name,
            expires,
            platforms,
            credits,
            rate_per_sec,
            rate_burst,
        } => with_token(
            key_admin::create(
                store,
                NewKey {
                    name,
                    expires_at: parse_time(expires.as_deref())?,
                    platforms: parse_platforms(platforms, &known)?,
                    credits,
                    rate_per_sec,
                    rate_burst,
                },
            )
            .await?,
        ),
        KeysCommand::List => {
            serde_json::Value::Array(store.list().await?.iter().map(key_json).collect())
        }
        KeysCommand::Edit {
            id,
            name,
            expires,
            platforms,
            enable,
            disable,
        } => {
            let expires_at = match expires.as_deref() {
                None => None,
                Some("never") => Some(None),
                Some(t) => Some(parse_time(Some(t))?),
            };
            let patch = KeyPatch {
                name,
                expires_at,
                platforms: platforms
                    .map(|p| parse_platforms(Some(p), &known))
                    .transpose()?,
                enabled: (enable || disable).then_some(enable),
                ..Default::default()
            };
            key_json(&key_admin::edit(store, id, patch).await?)
        }
        KeysCommand::Reset { id } => with_token(key_admin::reset(store, id).await?),
        KeysCommand::Delete { id } => {
            key_admin::delete(store, id).await?;
            serde_json::json!({"id": id, "deleted": true})
        }
        KeysCommand::Credits {
            id,
            add,
            set,
            unlimited,
        } => {
            let op = match (add, set, unlimited) {
                (Some(n), _, _) => CreditOp::Add(n),
                (_, Some(n), _) => CreditOp::Set(Some(n)),
                (_, _, true) => CreditOp::Set(None),
                _ => anyhow::bail!("give --add N, --set N or --unlimited"),
            };
            key_json(&key_admin::credits(store, id, op).await?)
        }
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}
