//! API keys: the seed's checks in order, credits (exactly one per success,
//! atomic under concurrency), rotation, rate limits, token separation,
//! persistence across restarts and across a kill -9.

use grabkit_store::KeyStore;
use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::{Mock, TestServer};
use serde_json::{Value, json};
use std::sync::Arc;

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

async fn setup() -> (Mock, TestServer) {
    TestServer::for_plugin("bilibili", HOSTS, upstream()).await
}

/// Create a key through the admin API; returns (id, token).
async fn key(s: &TestServer, body: Value) -> (i64, String) {
    let (status, v) = s.admin("POST", "/api/v1/admin/keys", Some(&body)).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["data"]["token"].as_str().unwrap().starts_with("gk_live_"));
    (
        v["data"]["id"].as_i64().unwrap(),
        v["data"]["token"].as_str().unwrap().to_string(),
    )
}

async fn parse_as(s: &TestServer, token: &str, url: &str) -> (u16, Value) {
    s.send_json("POST", "/api/v1/parse", token, Some(&json!({ "url": url })))
        .await
}

async fn credits(s: &TestServer, id: i64) -> Option<i64> {
    let (_, v) = s
        .admin("GET", &format!("/api/v1/admin/keys/{id}"), None)
        .await;
    v["data"]["credits"].as_i64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_in_the_seeds_order() {
    let (_m, s) = setup().await;
    let r = s
        .client
        .post(format!("{}/api/v1/parse", s.base))
        .header("content-type", "application/json")
        .body(json!({"url": VIDEO}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(
        (
            v["code"].as_str(),
            v["msg"].as_str().unwrap().starts_with("Unauthorized")
        ),
        (Some("missing_token"), true)
    );
    assert_eq!(
        parse_as(&s, "gk_live_0000", VIDEO).await.1["code"],
        "invalid_token"
    );

    // Disabled → invalid; re-enabled → fine.
    let (id, token) = key(
        &s,
        json!({"name": "d", "platforms": ["all"], "credits": null}),
    )
    .await;
    s.admin(
        "PATCH",
        &format!("/api/v1/admin/keys/{id}"),
        Some(&json!({"enabled": false})),
    )
    .await;
    assert_eq!(parse_as(&s, &token, VIDEO).await.1["code"], "invalid_token");
    s.admin(
        "PATCH",
        &format!("/api/v1/admin/keys/{id}"),
        Some(&json!({"enabled": true})),
    )
    .await;
    assert_eq!(parse_as(&s, &token, VIDEO).await.0, 200);

    // Expiry: at the boundary second the key is expired; a minute ahead it is not.
    let store = s.app.store();
    let now = grabkit_core::clock::now();
    for (offset, expired) in [(-1, true), (0, true), (60, false)] {
        let c = grabkit_core::key_admin::create(
            store.as_ref(),
            grabkit_store::keys::NewKey {
                name: "e".into(),
                expires_at: Some(now + offset),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let (status, v) = parse_as(&s, &c.token, VIDEO).await;
        if expired {
            assert_eq!(
                (status, v["code"].as_str()),
                (401, Some("token_expired")),
                "offset {offset}: {v}"
            );
        } else {
            assert_eq!(status, 200, "offset {offset}: {v}");
        }
    }
    let (_, v) = s
        .admin(
            "POST",
            "/api/v1/admin/keys",
            Some(&json!({"name": "x", "expiresAt": "tomorrow"})),
        )
        .await;
    assert_eq!(v["code"], "invalid_request");

    // Expired wins over platform and credits (order), platform wins over credits.
    let (_, t) = key(&s, json!({"name": "o", "expiresAt": "2001-01-01T00:00:00Z", "platforms": ["douyin"], "credits": 0})).await;
    assert_eq!(parse_as(&s, &t, VIDEO).await.1["code"], "token_expired");
    let (_, t) = key(
        &s,
        json!({"name": "o", "platforms": ["douyin"], "credits": 0}),
    )
    .await;
    assert_eq!(
        parse_as(&s, &t, VIDEO).await.1["code"],
        "platform_not_allowed"
    );
    let (_, t) = key(&s, json!({"name": "o", "credits": 0})).await;
    let (status, v) = parse_as(&s, &t, VIDEO).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (402, Some("insufficient_credits"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_restriction_for_each_platform() {
    let (_m, s) = setup().await;
    for p in [
        "tiktok",
        "douyin",
        "youtube",
        "twitter",
        "instagram",
        "xiaohongshu",
        "bilibili",
        "kuaishou",
        "weibo",
        "wechat_channels",
    ] {
        let (_, t) = key(&s, json!({"name": p, "platforms": [p]})).await;
        let (status, v) = parse_as(&s, &t, VIDEO).await;
        if p == "bilibili" {
            assert_eq!(status, 200, "{v}");
        } else {
            assert_eq!(
                (status, v["code"].as_str()),
                (403, Some("platform_not_allowed")),
                "{p}: {v}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_credit_per_success_and_nothing_for_failures() {
    let (_m, s) = setup().await;
    let (id, t) = key(&s, json!({"name": "c", "credits": 2})).await;
    for url in [
        "https://www.bilibili.com/video/BV1gone",
        "https://space.bilibili.com/1",
        "https://www.bilibili.com/video/BV1broken",
        "no link at all",
    ] {
        let (status, _) = parse_as(&s, &t, url).await;
        assert_ne!(status, 200);
    }
    assert_eq!(credits(&s, id).await, Some(2), "failures cost nothing");
    let r = s
        .client
        .post(format!("{}/api/v1/parse", s.base))
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "application/json")
        .body(json!({"url": VIDEO}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-credits-remaining"], "1");
    assert_eq!(parse_as(&s, &t, VIDEO).await.0, 200);
    assert_eq!(
        parse_as(&s, &t, VIDEO).await.1["code"],
        "insufficient_credits"
    );
    assert_eq!(credits(&s, id).await, Some(0));

    let (status, v) = s.send_json("GET", "/api/v1/usage", &t, None).await;
    assert_eq!(status, 200, "{v}");
    let d = &v["data"];
    assert_eq!(
        (
            d["total"]["requests"].as_u64(),
            d["total"]["charged"].as_u64()
        ),
        (Some(7), Some(2)),
        "{d}"
    );
    assert_eq!(d["byPlatform"]["bilibili"]["charged"], 2);
    assert_eq!(d["byOutcome"]["success"], 2);
    assert_eq!(d["byOutcome"]["insufficient_credits"], 1);
    assert_eq!(d["today"]["charged"], 2);

    // Credits admin: add, set, unlimited.
    let (_, v) = s
        .admin(
            "POST",
            &format!("/api/v1/admin/keys/{id}/credits"),
            Some(&json!({"add": 5})),
        )
        .await;
    assert_eq!(v["data"]["credits"], 5);
    let (_, v) = s
        .admin(
            "POST",
            &format!("/api/v1/admin/keys/{id}/credits"),
            Some(&json!({"set": null})),
        )
        .await;
    assert!(v["data"]["credits"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_charging_is_exact() {
    let (_m, s) = setup().await;
    let s = Arc::new(s);
    let (id, t) = key(&s, json!({"name": "race", "credits": 50})).await;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (s, t) = (s.clone(), t.clone());
        tasks.push(tokio::spawn(async move { parse_as(&s, &t, VIDEO).await }));
    }
    let mut ok = 0;
    let mut poor = 0;
    for task in tasks {
        match task.await.unwrap() {
            (200, _) => ok += 1,
            (402, _) => poor += 1,
            (status, v) => panic!("unexpected {status}: {v}"),
        }
    }
    assert_eq!((ok, poor), (50, 150));
    assert_eq!(credits(&s, id).await, Some(0));
    let (_, v) = s.send_json("GET", "/api/v1/usage", &t, None).await;
    assert_eq!(
        v["data"]["total"]["charged"], 50,
        "every success charged, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_rotates_the_token_and_keeps_settings() {
    let (_m, s) = setup().await;
    let (id, old) = key(&s, json!({"name": "r", "platforms": ["bilibili"], "credits": 7, "expiresAt": "2099-01-01T00:00:00Z"})).await;
    let (status, v) = s
        .admin("POST", &format!("/api/v1/admin/keys/{id}/reset"), None)
        .await;
    assert_eq!(status, 200);
    let new = v["data"]["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(
        (
            v["data"]["platforms"].clone(),
            v["data"]["credits"].as_i64(),
            v["data"]["expiresAt"].as_str()
        ),
        (json!(["bilibili"]), Some(7), Some("2099-01-01T00:00:00Z"))
    );
    assert_eq!(parse_as(&s, &old, VIDEO).await.1["code"], "invalid_token");
    assert_eq!(parse_as(&s, &new, VIDEO).await.0, 200);
    // Edit never touches the token; delete takes effect at once.
    s.admin(
        "PATCH",
        &format!("/api/v1/admin/keys/{id}"),
        Some(&json!({"name": "renamed", "platforms": ["all"]})),
    )
    .await;
    assert_eq!(parse_as(&s, &new, VIDEO).await.0, 200);
    let (status, _) = s
        .admin("DELETE", &format!("/api/v1/admin/keys/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(parse_as(&s, &new, VIDEO).await.1["code"], "invalid_token");
    let (status, v) = s
        .admin("DELETE", &format!("/api/v1/admin/keys/{id}"), None)
        .await;
    assert_eq!((status, v["code"].as_str()), (404, Some("key_not_found")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_per_key() {
    let (_m, s) = setup().await;
    let (_, t) = key(&s, json!({"name": "slow", "ratePerSec": 1, "rateBurst": 2})).await;
    assert_eq!(parse_as(&s, &t, VIDEO).await.0, 200);
    assert_eq!(parse_as(&s, &t, VIDEO).await.0, 200);
    let r = s
        .client
        .post(format!("{}/api/v1/parse", s.base))
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "application/json")
        .body(json!({"url": VIDEO}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["code"], "rate_limited");
    // Other keys are unaffected.
    assert_eq!(parse_as(&s, &s.token, VIDEO).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_api_tokens_never_stand_in_for_each_other() {
    let (_m, s) = setup().await;
    let (status, v) = parse_as(&s, &s.admin_token, VIDEO).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("invalid_token")));
    let (status, v) = s
        .send_json("GET", "/api/v1/admin/keys", &s.token, None)
        .await;
    assert_eq!((status, v["code"].as_str()), (401, Some("invalid_token")));
    let (status, v) = s
        .send_json("GET", "/api/v1/usage", &s.admin_token, None)
        .await;
    assert_eq!((status, v["code"].as_str()), (401, Some("invalid_token")));
    let (status, v) = s.admin("GET", "/api/v1/admin/keys", None).await;
    assert_eq!(status, 200);
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("token").is_none()),
        "lists never show tokens"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_restart() {
    let (_m, s) = setup().await;
    let (id, t) = key(&s, json!({"name": "keep", "credits": 3})).await;
    assert_eq!(parse_as(&s, &t, VIDEO).await.0, 200);
    let settings = grabkit::config::Settings {
        data_dir: s.data_dir.clone(),
        ..Default::default()
    };
    let store = grabkit::app::open_store(&settings).await.unwrap();
    let k = store.get(id).await.unwrap().unwrap();
    assert_eq!((k.name.as_str(), k.credits), ("keep", Some(2)));
    assert!(
        store
            .by_token_hash(&grabkit_store::keys::hash_token(&t))
            .await
            .unwrap()
            .is_some()
    );
}
