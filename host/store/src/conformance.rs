//! The behaviour every backend must show, as async suites: [`run`] for a
//! `KeyStore` (called with a function that opens a fresh, empty store) and
//! [`plugin_kv`] for a `PluginKv`. A failed expectation panics with what
//! differed.

use crate::keys::*;
use crate::kv::{MAX_KEY_BYTES, MAX_KEYS, MAX_VALUE_BYTES, PluginKv};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Run every check, each against a fresh store from `open`.
pub async fn run<S, F, Fut>(open: F)
where
    S: KeyStore + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    keys_round_trip(open().await).await;
    credit_operations(open().await).await;
    reserve_settle_refund_recover(open().await).await;
    credit_limits(open().await).await;
    reservations_recheck_the_key(open().await).await;
    usage_is_counted(open().await).await;
    tallies_are_read_back_at_once(open().await).await;
    concurrent_reservations_never_overdraw(Arc::new(open().await)).await;
    meta_values(open().await).await;
}

fn new_key(name: &str, credits: Option<i64>) -> NewKey {
    NewKey {
        name: name.into(),
        credits,
        ..Default::default()
    }
}

async fn keys_round_trip(s: impl KeyStore) {
    let a = s
        .create(&new_key("a", Some(3)), "hash-a", "gk_live_aaa", 10)
        .await
        .unwrap();
    let b = s
        .create(&new_key("b", None), "hash-b", "gk_live_bbb", 11)
        .await
        .unwrap();
    assert_ne!(a.id, b.id, "ids are distinct");
    assert_eq!(
        (a.name.as_str(), a.credits, a.enabled),
        ("a", Some(3), true)
    );
    assert_eq!(a.created_at, 10);
    assert_eq!(s.get(a.id).await.unwrap().as_ref(), Some(&a));
    let listed: Vec<i64> = s.list().await.unwrap().iter().map(|k| k.id).collect();
    assert_eq!(listed, vec![a.id, b.id], "listed in id order");

    let (found, hash) = s
        .by_token_hash("hash-b")
        .await
        .unwrap()
        .expect("found by hash");
    assert_eq!((found.id, hash.as_str()), (b.id, "hash-b"));
    assert!(s.by_token_hash("nope").await.unwrap().is_none());

    let patch = KeyPatch {
        name: Some("renamed".into()),
        expires_at: Some(Some(99)),
        platforms: Some(Some(vec!["bilibili".into(), "douyin".into()])),
        enabled: Some(false),
        rate_per_sec: Some(Some(5)),
        rate_burst: Some(Some(7)),
    };
    let edited = s.update(a.id, &patch).await.unwrap().expect("edited");
    assert_eq!(edited.name, "renamed");
    assert_eq!(edited.expires_at, Some(99));
    assert_eq!(
        edited.platforms.as_deref(),
        Some(&["bilibili".into(), "douyin".into()][..])
    );
    assert!(!edited.enabled);
    assert_eq!((edited.rate_per_sec, edited.rate_burst), (Some(5), Some(7)));
    assert!(edited.allows("douyin") && !edited.allows("tiktok"));
    let cleared = KeyPatch {
        expires_at: Some(None),
        platforms: Some(None),
        ..Default::default()
    };
    let edited = s.update(a.id, &cleared).await.unwrap().unwrap();
    assert_eq!(
        (edited.expires_at, edited.platforms),
        (None, None),
        "Some(None) clears"
    );
    assert!(
        s.update(999, &patch).await.unwrap().is_none(),
        "editing a missing key"
    );

    let rotated = s
        .rotate(a.id, "hash-a2", "gk_live_a22")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rotated.token_prefix, "gk_live_a22");
    assert!(
        s.by_token_hash("hash-a").await.unwrap().is_none(),
        "the old token is gone"
    );
    assert_eq!(
        s.by_token_hash("hash-a2").await.unwrap().unwrap().0.id,
        a.id
    );

    assert!(s.delete(a.id).await.unwrap());
    assert!(!s.delete(a.id).await.unwrap(), "deleting twice");
    assert!(s.get(a.id).await.unwrap().is_none());
}

async fn credit_operations(s: impl KeyStore) {
    let u = s.create(&new_key("u", None), "h1", "p1", 0).await.unwrap();
    for _ in 0..3 {
        let r = s.reserve(&u, "x", 0).await.unwrap();
        assert_eq!(
            s.settle(r, "success", 1, true).await.unwrap(),
            None,
            "unlimited"
        );
    }
    let add = s.credits(u.id, CreditOp::Add(5)).await.unwrap().unwrap();
    assert_eq!(add.credits, None, "unlimited stays unlimited");
    let set = s
        .credits(u.id, CreditOp::Set(Some(3)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(set.credits, Some(3));
    let add = s.credits(u.id, CreditOp::Add(2)).await.unwrap().unwrap();
    assert_eq!(add.credits, Some(5));
    let floor = s.credits(u.id, CreditOp::Add(-10)).await.unwrap().unwrap();
    assert_eq!(floor.credits, Some(0), "never negative");
    let back = s.credits(u.id, CreditOp::Set(None)).await.unwrap().unwrap();
    assert_eq!(back.credits, None, "set to unlimited");
    assert!(s.credits(999, CreditOp::Add(1)).await.unwrap().is_none());
}

/// Balances stay within 0..=MAX_CREDITS; an operation past it changes nothing.
async fn credit_limits(s: impl KeyStore) {
    let k = s
        .create(&new_key("l", Some(5)), "hl", "pl", 0)
        .await
        .unwrap();
    for op in [
        CreditOp::Add(i64::MAX),
        CreditOp::Add(MAX_CREDITS),
        CreditOp::Set(Some(MAX_CREDITS + 1)),
    ] {
        let r = s.credits(k.id, op).await;
        assert!(
            matches!(r, Err(StoreError::CreditsOutOfRange)),
            "{op:?}: {r:?}"
        );
        assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(5));
    }
    let low = s.credits(k.id, CreditOp::Add(i64::MIN)).await.unwrap();
    assert_eq!(low.unwrap().credits, Some(0), "floored, not wrapped");
    let top = s
        .credits(k.id, CreditOp::Set(Some(MAX_CREDITS)))
        .await
        .unwrap();
    assert_eq!(top.unwrap().credits, Some(MAX_CREDITS));
    assert_eq!(s.list().await.unwrap().len(), 1, "still readable");
    let big = new_key("big", Some(MAX_CREDITS + 1));
    assert!(matches!(
        s.create(&big, "hb", "pb", 0).await,
        Err(StoreError::CreditsOutOfRange)
    ));
}

/// A reservation re-checks the key it was handed.
async fn reservations_recheck_the_key(s: impl KeyStore) {
    let k = s
        .create(&new_key("r", Some(3)), "hr", "pr", 0)
        .await
        .unwrap();
    let patch = |enabled| KeyPatch {
        enabled: Some(enabled),
        ..Default::default()
    };
    s.update(k.id, &patch(false)).await.unwrap();
    assert!(matches!(
        s.reserve(&k, "x", 1).await,
        Err(StoreError::KeyInvalid)
    ));
    s.update(k.id, &patch(true)).await.unwrap();
    s.reserve(&k, "x", 1).await.expect("enabled again");
    let expiring = KeyPatch {
        expires_at: Some(Some(10)),
        ..Default::default()
    };
    s.update(k.id, &expiring).await.unwrap();
    assert!(matches!(
        s.reserve(&k, "x", 10).await,
        Err(StoreError::KeyExpired)
    ));
    s.rotate(k.id, "hr2", "pr2").await.unwrap();
    assert!(
        matches!(s.reserve(&k, "x", 1).await, Err(StoreError::KeyInvalid)),
        "the old token's copy of the key"
    );
    let fresh = s.by_token_hash("hr2").await.unwrap().unwrap().0;
    s.reserve(&fresh, "x", 1)
        .await
        .expect("the new token's copy");
    s.delete(k.id).await.unwrap();
    assert!(matches!(
        s.reserve(&fresh, "x", 1).await,
        Err(StoreError::KeyInvalid)
    ));
    assert_eq!(s.get(k.id).await.unwrap(), None);
}

/// Many refusals are counted, and read back as counts.
async fn usage_is_counted(s: impl KeyStore) {
    let k = s.create(&new_key("n", None), "hn", "pn", 0).await.unwrap();
    for i in 0..500 {
        let code = if i % 2 == 0 {
            "invalid_json"
        } else {
            "unsupported_link"
        };
        s.record(k.id, "none", code, 1, 86_400 + i).await.unwrap();
    }
    let r = s.reserve(&k, "bilibili", 86_400).await.unwrap();
    s.settle(r, "success", 1, true).await.unwrap();
    let u = s.usage(k.id, 86_400).await.unwrap();
    assert_eq!(
        u.total,
        Counts {
            requests: 501,
            charged: 1
        }
    );
    assert_eq!(u.today, u.total);
    assert_eq!(u.by_outcome["invalid_json"], 250);
    assert_eq!(u.by_platform["none"].requests, 500);
    let tomorrow = s.usage(k.id, 2 * 86_400).await.unwrap();
    assert_eq!(tomorrow.today.requests, 0);
    assert_eq!(tomorrow.total.requests, 501);
}

/// An unlimited key's tallies (however a backend batches them) are in
/// the very next read of usage and of the key; another key's stay apart.
async fn tallies_are_read_back_at_once(s: impl KeyStore) {
    let k = s.create(&new_key("t", None), "ht", "pt", 0).await.unwrap();
    let other = s.create(&new_key("o", None), "ho", "po", 0).await.unwrap();
    s.record(k.id, "none", "invalid_json", 1, 86_400)
        .await
        .unwrap();
    for i in 0..300 {
        let (outcome, charged) = match i % 3 {
            0 => ("upstream_failed", false),
            _ => ("success", true),
        };
        s.tally(k.id, "bilibili", outcome, charged, 86_400 + i)
            .await
            .unwrap();
    }
    s.tally(other.id, "weibo", "success", true, 5)
        .await
        .unwrap();
    let u = s.usage(k.id, 86_400).await.unwrap();
    assert_eq!(
        u.total,
        Counts {
            requests: 301,
            charged: 200
        }
    );
    assert_eq!(u.by_outcome["upstream_failed"], 100);
    assert_eq!(u.by_platform["bilibili"].charged, 200);
    let read = s.get(k.id).await.unwrap().unwrap();
    assert_eq!(read.last_used_at, Some(86_400 + 299));
    let listed = s.list().await.unwrap();
    assert_eq!(listed[1].last_used_at, Some(5));
    assert_eq!(s.usage(other.id, 0).await.unwrap().total.requests, 1);
}

async fn reserve_settle_refund_recover(s: impl KeyStore) {
    let k = s
        .create(&new_key("a", Some(2)), "h", "gk_live_abc", 0)
        .await
        .unwrap();
    let r1 = s.reserve(&k, "bilibili", 1).await.unwrap();
    let r2 = s.reserve(&k, "bilibili", 1).await.unwrap();
    assert!(matches!(
        s.reserve(&k, "bilibili", 1).await,
        Err(StoreError::NoCredits)
    ));
    let stranger = Key {
        id: 999,
        ..k.clone()
    };
    assert!(matches!(
        s.reserve(&stranger, "bilibili", 1).await,
        Err(StoreError::KeyInvalid)
    ));
    assert_eq!(s.settle(r1, "success", 5, true).await.unwrap(), Some(0));
    assert_eq!(
        s.settle(r2, "not_found", 5, false).await.unwrap(),
        Some(1),
        "failure refunds"
    );
    assert_eq!(
        s.settle(r2, "not_found", 5, false).await.unwrap(),
        Some(1),
        "settling twice"
    );
    let _open = s.reserve(&k, "bilibili", 2).await.unwrap();
    assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(0));
    assert_eq!(s.get(k.id).await.unwrap().unwrap().last_used_at, Some(2));
    assert_eq!(
        s.recover().await.unwrap(),
        1,
        "a crash's open reservation is refunded"
    );
    assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(1));
    assert_eq!(s.recover().await.unwrap(), 0, "recovering twice");
    s.record(k.id, "none", "invalid_url", 1, 86_400)
        .await
        .unwrap();
    let u = s.usage(k.id, 86_400).await.unwrap();
    assert_eq!((u.total.requests, u.total.charged), (4, 1));
    assert_eq!(
        (u.today.requests, u.today.charged),
        (1, 0),
        "only the record is today"
    );
    assert_eq!(u.by_outcome["interrupted"], 1);
    assert_eq!(u.by_outcome["success"], 1);
    assert_eq!(u.by_platform["bilibili"].requests, 3);
    assert_eq!(u.by_platform["bilibili"].charged, 1);
}

async fn concurrent_reservations_never_overdraw<S: KeyStore + 'static>(s: Arc<S>) {
    let k = s
        .create(&new_key("c", Some(10)), "hc", "pc", 0)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let (s, k) = (s.clone(), k.clone());
            tokio::spawn(async move {
                match s.reserve(&k, "x", 0).await {
                    Ok(r) => s.settle(r, "success", 1, true).await.map(|_| true),
                    Err(StoreError::NoCredits) => Ok(false),
                    Err(e) => Err(e),
                }
            })
        })
        .collect();
    let mut charged = 0;
    for t in tasks {
        charged += t.await.unwrap().unwrap() as u32;
    }
    assert_eq!(charged, 10, "exactly the credits there were");
    assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(0));
    assert_eq!(s.usage(k.id, 0).await.unwrap().total.charged, 10);
}

async fn meta_values(s: impl KeyStore) {
    assert_eq!(s.meta_get("x").await.unwrap(), None);
    s.meta_set("x", "1").await.unwrap();
    s.meta_set("x", "2").await.unwrap();
    assert_eq!(
        s.meta_get("x").await.unwrap().as_deref(),
        Some("2"),
        "overwritten"
    );
}

/// Namespaces, time to live, limits and deletion of a fresh `PluginKv`.
pub async fn plugin_kv(kv: impl PluginKv) {
    assert!(kv.set("a", "k", b"1".to_vec(), None).await.unwrap());
    assert_eq!(kv.get("a", "k").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(
        kv.get("b", "k").await.unwrap(),
        None,
        "namespaces are separate"
    );
    assert!(
        kv.set("a", "k", b"2".to_vec(), None).await.unwrap(),
        "overwrite"
    );
    assert_eq!(kv.get("a", "k").await.unwrap(), Some(b"2".to_vec()));
    let gone = Some(Duration::ZERO);
    assert!(kv.set("a", "t", b"x".to_vec(), gone).await.unwrap());
    assert_eq!(kv.get("a", "t").await.unwrap(), None, "expired");
    let later = Some(Duration::from_secs(3600));
    assert!(kv.set("a", "l", b"y".to_vec(), later).await.unwrap());
    assert_eq!(
        kv.get("a", "l").await.unwrap(),
        Some(b"y".to_vec()),
        "not yet expired"
    );
    let big = vec![0; MAX_VALUE_BYTES + 1];
    assert!(
        !kv.set("a", "big", big, None).await.unwrap(),
        "value too large"
    );
    let long_key = "k".repeat(MAX_KEY_BYTES + 1);
    assert!(
        !kv.set("a", &long_key, vec![1], None).await.unwrap(),
        "key too long"
    );
    for i in 0..MAX_KEYS {
        kv.set("full", &i.to_string(), vec![1], None).await.unwrap();
    }
    assert!(
        !kv.set("full", "one-more", vec![1], None).await.unwrap(),
        "namespace full"
    );
    assert!(
        kv.set("full", "0", vec![2], None).await.unwrap(),
        "overwriting still works"
    );
    assert!(
        kv.set("other", "k", vec![1], None).await.unwrap(),
        "other namespaces are not"
    );
    kv.delete("a", "k").await.unwrap();
    assert_eq!(kv.get("a", "k").await.unwrap(), None);
    kv.delete("a", "never-set").await.unwrap();
}

/// The behaviour every [`JobStore`](crate::jobs::JobStore) backend must show
/// (with its keys in the same backend): each check gets a fresh store.
pub async fn jobs<S, F, Fut>(open: F)
where
    S: KeyStore + crate::jobs::JobStore + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    job_lifecycle(open().await).await;
    urgent_items_go_first(open().await).await;
    cancel_and_purge(open().await).await;
    a_crash_neither_loses_nor_double_charges(open().await).await;
    keys_that_cannot_pay_fail_their_items(open().await).await;
}

/// The behaviour every [`FeedTokenStore`](crate::feeds::FeedTokenStore)
/// backend must show (with its keys in the same backend).
pub async fn feeds<S, F, Fut>(open: F)
where
    S: KeyStore + crate::feeds::FeedTokenStore + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    let s = open().await;
    let a = s
        .create(&new_key("a", None), "hash-a", "gk_live_aaa", 10)
        .await
        .unwrap();
    let b = s
        .create(&new_key("b", None), "hash-b", "gk_live_bbb", 10)
        .await
        .unwrap();
    assert!(matches!(
        s.create_feed_token(999, "x", "f-x", "gk_feed_x", 1).await,
        Err(StoreError::KeyInvalid)
    ));
    let t1 = s
        .create_feed_token(a.id, "reader", "f-1", "gk_feed_111", 20)
        .await
        .unwrap();
    let t2 = s
        .create_feed_token(a.id, "", "f-2", "gk_feed_222", 21)
        .await
        .unwrap();
    let t3 = s
        .create_feed_token(b.id, "b's", "f-3", "gk_feed_333", 22)
        .await
        .unwrap();
    assert_ne!(t1.id, t2.id);
    assert_eq!(
        (t1.key_id, t1.label.as_str(), t1.last_used_at),
        (a.id, "reader", None)
    );
    let listed = s.feed_tokens(a.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![t1.id, t2.id]
    );
    let used = s.use_feed_token("f-1", 30).await.unwrap().unwrap();
    assert_eq!(
        (used.id, used.key_id, used.last_used_at),
        (t1.id, a.id, Some(30))
    );
    assert_eq!(s.feed_tokens(a.id).await.unwrap()[0].last_used_at, Some(30));
    assert!(s.use_feed_token("f-nope", 30).await.unwrap().is_none());
    // Another key's token cannot be revoked through this key.
    assert!(!s.revoke_feed_token(a.id, t3.id).await.unwrap());
    assert!(s.revoke_feed_token(a.id, t1.id).await.unwrap());
    assert!(!s.revoke_feed_token(a.id, t1.id).await.unwrap());
    assert!(s.use_feed_token("f-1", 31).await.unwrap().is_none());
    // Deleting a key takes its tokens with it.
    assert!(s.delete(a.id).await.unwrap());
    assert!(s.use_feed_token("f-2", 32).await.unwrap().is_none());
    assert!(s.use_feed_token("f-3", 32).await.unwrap().is_some());
}

mod job_checks {
    use crate::jobs::*;

    pub fn job(id: &str, key_id: i64, at: i64) -> NewJob {
        NewJob {
            id: id.into(),
            key_id,
            kind: "parse".into(),
            created_at: at,
            webhook: None,
        }
    }

    pub fn item(url: &str) -> NewItem {
        NewItem {
            url: url.into(),
            platform: "bilibili".into(),
            ..Default::default()
        }
    }

    pub fn ok() -> Outcome {
        Outcome {
            ok: true,
            code: "success".into(),
            ..Default::default()
        }
    }

    pub fn failed() -> Outcome {
        Outcome {
            ok: false,
            code: "not_found".into(),
            ..Default::default()
        }
    }

    pub fn kinds(events: &[JobEvent]) -> Vec<&str> {
        events.iter().map(|e| e.kind.as_str()).collect()
    }
}

async fn job_lifecycle<S: KeyStore + crate::jobs::JobStore>(s: S) {
    use job_checks::*;
    let k = s
        .create(&new_key("j", Some(2)), "hj", "pj", 0)
        .await
        .unwrap();
    let refused = crate::jobs::NewItem {
        refused: Some(("unsupported_link".into(), "not a link".into())),
        meta: Some(r#"{"row":3}"#.into()),
        ..item("https://example.com/x")
    };
    let items = [item("https://b/1"), item("https://b/2"), refused];
    let ev = s.create_job(&job("job_a", k.id, 10), &items).await.unwrap();
    assert_eq!(kinds(&ev), ["item", "progress"], "the refused item at once");
    assert!(
        ev[0].data.contains(r#""row":3"#),
        "meta echoed: {}",
        ev[0].data
    );
    let (claimed, refused) = s.claim(10, 11).await.unwrap();
    assert!(refused.is_empty());
    assert_eq!(
        claimed.iter().map(|c| c.url.as_str()).collect::<Vec<_>>(),
        ["https://b/1", "https://b/2"]
    );
    assert_eq!(s.get(k.id).await.unwrap().unwrap().credits, Some(0), "held");
    assert!(
        s.claim(10, 11).await.unwrap().0.is_empty(),
        "nothing claimed twice"
    );
    let ev = s.finish(&claimed[0], &ok(), "{}", 12).await.unwrap();
    assert_eq!(kinds(&ev), ["item", "progress"]);
    assert!(
        s.finish(&claimed[0], &ok(), "{}", 12)
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let ev = s.finish(&claimed[1], &failed(), "{}", 13).await.unwrap();
    assert_eq!(kinds(&ev), ["item", "progress", "done"]);
    assert_eq!(
        s.get(k.id).await.unwrap().unwrap().credits,
        Some(1),
        "refunded"
    );
    let all = s.events("job_a", 0, 100).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        (1..=7).collect::<Vec<_>>()
    );
    assert_eq!(
        s.events("job_a", 5, 100).await.unwrap().len(),
        2,
        "replay after an id"
    );
    let sum = s.job("job_a").await.unwrap().unwrap();
    assert_eq!(
        (sum.counts.done, sum.counts.failed, sum.counts.total()),
        (1, 2, 3)
    );
    assert_eq!(sum.finished_at, Some(13));
    assert_eq!(sum.last_event_id, 7);
    assert_eq!(sum.by_platform["bilibili"].done, 1);
    assert!(s.job("job_nope").await.unwrap().is_none());
    let u = s.usage(k.id, 0).await.unwrap();
    assert_eq!(
        (u.total.requests, u.total.charged),
        (2, 1),
        "items show in usage"
    );
}

async fn urgent_items_go_first<S: KeyStore + crate::jobs::JobStore>(s: S) {
    use job_checks::*;
    let k = s.create(&new_key("u", None), "hu", "pu", 0).await.unwrap();
    let a = [item("a1"), item("a2"), item("a3")];
    s.create_job(&job("job_a", k.id, 1), &a).await.unwrap();
    s.create_job(&job("job_b", k.id, 2), &[item("b1")])
        .await
        .unwrap();
    assert_eq!(
        s.urgent("job_a", &["a3".into(), "zz".into()])
            .await
            .unwrap(),
        1
    );
    let urls = |c: Vec<crate::jobs::Claimed>| c.into_iter().map(|c| c.url).collect::<Vec<_>>();
    assert_eq!(urls(s.claim(1, 3).await.unwrap().0), ["a3"]);
    assert_eq!(urls(s.claim(10, 3).await.unwrap().0), ["a1", "a2", "b1"]);
    let q = s.queue().await.unwrap();
    assert_eq!(
        q["bilibili"],
        crate::jobs::QueueCounts {
            queued: 0,
            running: 4
        }
    );
    let page = s.jobs(k.id, None, 1).await.unwrap();
    assert_eq!(page[0].id, "job_b", "newest first");
    let next = s.jobs(k.id, Some("job_b"), 10).await.unwrap();
    assert_eq!(
        next.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["job_a"]
    );
}

async fn cancel_and_purge<S: KeyStore + crate::jobs::JobStore>(s: S) {
    use job_checks::*;
    let k = s
        .create(&new_key("c", Some(5)), "hc2", "pc2", 0)
        .await
        .unwrap();
    s.create_job(&job("job_c", k.id, 1), &[item("c1"), item("c2")])
        .await
        .unwrap();
    let (running, _) = s.claim(1, 2).await.unwrap();
    let ev = s.cancel("job_c", 3).await.unwrap();
    assert_eq!(kinds(&ev), ["progress"], "one still runs");
    assert!(
        s.claim(10, 3).await.unwrap().0.is_empty(),
        "cancelled items never run"
    );
    let ev = s.finish(&running[0], &ok(), "{}", 4).await.unwrap();
    assert_eq!(kinds(&ev), ["item", "progress", "done"]);
    assert!(ev[2].data.contains(r#""cancelled":true"#), "{}", ev[2].data);
    let sum = s.job("job_c").await.unwrap().unwrap();
    assert_eq!(
        (sum.counts.done, sum.counts.cancelled, sum.cancelled),
        (1, 1, true)
    );
    assert_eq!(
        s.get(k.id).await.unwrap().unwrap().credits,
        Some(4),
        "only what ran"
    );
    assert_eq!(
        s.purge_jobs(4).await.unwrap(),
        0,
        "finished at 4, not before"
    );
    assert_eq!(s.purge_jobs(5).await.unwrap(), 1);
    assert!(s.job("job_c").await.unwrap().is_none());
    assert!(s.events("job_c", 0, 10).await.unwrap().is_empty());
}

async fn a_crash_neither_loses_nor_double_charges<S: KeyStore + crate::jobs::JobStore>(s: S) {
    use job_checks::*;
    let k = s
        .create(&new_key("r", Some(3)), "hr3", "pr3", 0)
        .await
        .unwrap();
    s.create_job(&job("job_r", k.id, 1), &[item("r1")])
        .await
        .unwrap();
    s.claim(10, 2).await.unwrap();
    assert_eq!(
        s.recover_jobs().await.unwrap(),
        1,
        "the running item is queued again"
    );
    let (again, _) = s.claim(10, 3).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        s.get(k.id).await.unwrap().unwrap().credits,
        Some(2),
        "one hold, not two"
    );
    s.finish(&again[0], &ok(), "{}", 4).await.unwrap();
    assert_eq!(
        s.get(k.id).await.unwrap().unwrap().credits,
        Some(2),
        "charged once"
    );
    s.webhook_attempt("job_r", r#"{"status":200}"#)
        .await
        .unwrap();
    let sum = s.job("job_r").await.unwrap().unwrap();
    assert_eq!(
        sum.webhook_attempts,
        vec![serde_json::json!({"status": 200})]
    );
}

async fn keys_that_cannot_pay_fail_their_items<S: KeyStore + crate::jobs::JobStore>(s: S) {
    use job_checks::*;
    let k = s
        .create(&new_key("p", Some(1)), "hp", "pp", 0)
        .await
        .unwrap();
    s.create_job(&job("job_p", k.id, 1), &[item("p1"), item("p2")])
        .await
        .unwrap();
    let (claimed, failed) = s.claim(10, 2).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(kinds(&failed), ["item", "progress"]);
    assert!(
        failed[0].data.contains("insufficient_credits"),
        "{}",
        failed[0].data
    );
    let gone = s.create(&new_key("g", None), "hg", "pg", 0).await.unwrap();
    s.create_job(&job("job_g", gone.id, 3), &[item("g1")])
        .await
        .unwrap();
    s.delete(gone.id).await.unwrap();
    let (claimed, failed) = s.claim(10, 4).await.unwrap();
    assert!(claimed.is_empty());
    assert!(failed[0].data.contains("invalid_token"));
    assert_eq!(kinds(&failed), ["item", "progress", "done"]);
}

/// The behaviour every [`AccountStore`](crate::accounts::AccountStore)
/// backend must show: sealed bytes come back exactly, per platform, and
/// changes touch only what they name.
pub async fn accounts(s: impl crate::accounts::AccountStore) {
    use crate::accounts::{AccountPatch, NewAccount};
    let new = |platform: &str, label: &str, sealed: &[u8]| NewAccount {
        platform: platform.into(),
        label: label.into(),
        sealed: sealed.to_vec(),
    };
    let sealed: Vec<u8> = (0..=255).collect(); // every byte value survives
    let a = s
        .add_account(&new("bilibili", "main", &sealed), 10)
        .await
        .unwrap();
    let b = s.add_account(&new("youtube", "", b"y"), 11).await.unwrap();
    let c = s
        .add_account(&new("bilibili", "spare", b"c"), 12)
        .await
        .unwrap();
    assert!(a.id < b.id && b.id < c.id);
    assert_eq!(
        (
            a.platform.as_str(),
            a.label.as_str(),
            a.enabled,
            a.created_at,
            a.updated_at
        ),
        ("bilibili", "main", true, 10, 10)
    );
    assert_eq!(s.account(a.id).await.unwrap().unwrap().sealed, sealed);
    let ids = |v: Vec<crate::accounts::StoredAccount>| v.iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.accounts(Some("bilibili")).await.unwrap()),
        vec![a.id, c.id]
    );
    assert_eq!(ids(s.accounts(None).await.unwrap()), vec![a.id, b.id, c.id]);
    assert!(s.accounts(Some("weibo")).await.unwrap().is_empty());

    let off = AccountPatch {
        enabled: Some(false),
        ..Default::default()
    };
    let changed = s.update_account(a.id, &off, 20).await.unwrap().unwrap();
    assert_eq!((changed.enabled, changed.label.as_str()), (false, "main"));
    assert_eq!(
        (changed.sealed, changed.updated_at, changed.created_at),
        (sealed, 20, 10)
    );
    let resealed = AccountPatch {
        label: Some("renamed".into()),
        sealed: Some(b"new".to_vec()),
        ..Default::default()
    };
    let changed = s
        .update_account(a.id, &resealed, 21)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            changed.label.as_str(),
            changed.sealed.as_slice(),
            changed.enabled
        ),
        ("renamed", &b"new"[..], false)
    );
    assert!(s.update_account(999, &off, 22).await.unwrap().is_none());

    assert!(s.remove_account(b.id).await.unwrap());
    assert!(!s.remove_account(b.id).await.unwrap());
    assert!(s.account(b.id).await.unwrap().is_none());
    assert_eq!(ids(s.accounts(None).await.unwrap()), vec![a.id, c.id]);
}
