//! Kuaishou's data capabilities against the mock: GraphQL comments, replies,
//! profiles and posts with the operator's cookie (and `login_required`
//! without one), a post's author as a guest, live rooms.

use grabkit_tests::TestServer;
use grabkit_tests::kuaishou::{COOKIE, HOSTS, upstream};
use serde_json::{Value, json};

const POST: &str = "https://www.kuaishou.com/short-video/3xfakework00001";
const PROFILE: &str = "https://www.kuaishou.com/profile/3xfakeuser00001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_session_comments_profiles_and_posts() {
    let config = [("cookie", COOKIE)];
    let (_mock, s) =
        TestServer::for_plugin_with_config("kuaishou", HOSTS, upstream(), &config).await;
    let first = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": "https://v.kuaishou.com/2yQz3k" }),
        )
        .await;
    assert_eq!(first["postId"], "3xfakework00001");
    let c = &first["comments"][0];
    assert_eq!(
        (&c["id"], &c["text"]),
        (&json!("801"), &json!("好美的纸飞机")),
        "{first}"
    );
    assert_eq!(c["author"]["name"], "路人", "the Hangul filler is stripped");
    assert_eq!(
        c["author"]["avatar"],
        "https://p4.a.yximgs.com/uhead/fan.jpg"
    );
    assert_eq!(c["createdAt"], "2026-08-07T05:06:40Z");
    assert_eq!((&c["likes"], &c["replyCount"]), (&json!(12), &json!(1)));
    let second = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": POST, "cursor": first["cursor"] }),
        )
        .await;
    assert_eq!(second["comments"][0]["text"], "第二页");
    assert_eq!(
        (&second["hasMore"], &second["cursor"]),
        (&json!(false), &Value::Null)
    );
    let r = s
        .data_ok(
            "/api/v1/comments/replies",
            json!({ "url": POST, "commentId": "801" }),
        )
        .await;
    assert_eq!(r["comments"][0]["text"], "谢谢");

    let p = s
        .data_ok("/api/v1/profile", json!({ "url": PROFILE }))
        .await;
    assert_eq!(p["name"], "旅行者小王");
    let short = s
        .data_ok(
            "/api/v1/profile",
            json!({ "url": "https://v.kuaishou.com/toProfile" }),
        )
        .await;
    assert_eq!(short["id"], "3xfakeuser00001", "a short link to a profile");
    assert_eq!(
        (&p["followers"], &p["following"], &p["posts"]),
        (&json!(52000), &json!(33), &json!(118))
    );
    assert_eq!(p["bio"], "在路上");
    let body = json!({ "url": "https://www.kuaishou.com/profile/3xnobody" });
    s.data_fails("/api/v1/profile", body, 404, "not_found")
        .await;

    let posts = s.data_ok("/api/v1/posts", json!({ "url": PROFILE })).await;
    let p0 = &posts["posts"][0];
    assert_eq!(p0["url"], POST, "{posts}");
    assert_eq!(
        (&p0["duration"], &p0["stats"]["likes"]),
        (&json!(8.783), &json!(11922))
    );
    assert_eq!(posts["hasMore"], false);
    // With a session, GraphQL is parse's second route (the share page asks a captcha).
    let d = s
        .ok("https://v.m.chenzhongtech.com/fw/photo/3xcaptcha")
        .await;
    assert_eq!(
        (&d["title"], &d["videos"][1]["quality"]),
        (&json!("从第二条路来"), &json!("h265"))
    );
    let (status, v) = s.parse(p0["url"].as_str().unwrap()).await;
    assert_eq!(status, 200, "each post link parses: {v}");
    assert_eq!(v["data"]["stats"]["comments"], 332);
    assert_eq!(v["data"]["publishedAt"], "2026-08-07T05:05:00Z");

    // A rate limit cools the (only) account down: a call that needs the
    // session then says so, with when to come back.
    let body = json!({ "url": "https://live.kuaishou.com/profile/3xblocked" });
    s.data_fails("/api/v1/profile", body, 429, "upstream_rate_limited")
        .await;
    let body = json!({ "url": PROFILE });
    s.data_fails("/api/v1/posts", body, 503, "no_account_available")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_they_say_so_and_guest_routes_answer() {
    let (_mock, s) = TestServer::for_plugin("kuaishou", HOSTS, upstream()).await;
    let msg = s
        .data_fails(
            "/api/v1/comments",
            json!({ "url": POST }),
            403,
            "login_required",
        )
        .await;
    assert!(msg.contains("cookie"), "{msg}");
    s.data_fails(
        "/api/v1/posts",
        json!({ "url": PROFILE }),
        403,
        "login_required",
    )
    .await;
    // A post's author comes from its share page.
    let a = s.data_ok("/api/v1/profile", json!({ "url": POST })).await;
    assert_eq!(
        (&a["id"], &a["name"]),
        (&json!("3xfakeuser00001"), &json!("旅行者小王"))
    );
    assert_eq!(a["followers"], Value::Null);

    let live = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.kuaishou.com/u/3xfakeuser00001" }),
        )
        .await;
    assert_eq!(
        (&live["status"], &live["title"]),
        (&json!("live"), &json!("今晚看海")),
        "{live}"
    );
    assert_eq!(live["streams"][0]["quality"], "蓝光");
    assert_eq!(live["streams"][0]["format"], "flv");
    assert_eq!(live["streams"][2]["format"], "hls");
    let off = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.kuaishou.com/u/3xoffline" }),
        )
        .await;
    assert_eq!(
        (&off["status"], &off["streams"]),
        (&json!("offline"), &json!([]))
    );
    let body = json!({ "url": "https://live.kuaishou.com/u/3xnone" });
    s.data_fails("/api/v1/live", body, 404, "not_found").await;
    // A profile link sent to parse names its endpoints.
    let (status, v) = s.parse(PROFILE).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("wrong_endpoint")),
        "{v}"
    );
}
