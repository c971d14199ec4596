//! Douyin's data capabilities against the mock: a post's author as a guest
//! (slidesinfo); comments, replies, profiles, posts, search and live rooms
//! through the web API with the operator's cookie; the honest refusals
//! without one, and when Douyin wants a signature grabkit does not compute.

use grabkit_tests::TestServer;
use grabkit_tests::douyin::{COOKIE, HOSTS, upstream};
use serde_json::{Value, json};

const POST: &str = "https://www.douyin.com/video/7468908569061100857";
const USER: &str = "https://www.douyin.com/user/MS4wLjABAAAAEKnfa654JAJ";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_cookie_every_capability_answers() {
    let config = [("cookie", COOKIE)];
    let (_mock, s) = TestServer::for_plugin_with_config("douyin", HOSTS, upstream(), &config).await;
    let first = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": "https://v.douyin.com/iP6Uu1Kh/" }),
        )
        .await;
    assert_eq!(first["postId"], "7468908569061100857");
    let c = &first["comments"][0];
    assert_eq!(
        (&c["text"], &c["likes"], &c["replyCount"]),
        (&json!("好看"), &json!(5), &json!(1))
    );
    assert_eq!(c["images"][0], "https://p3.douyinpic.com/c.jpeg");
    assert_eq!(c["createdAt"], "2025-02-06T00:01:40Z");
    let second = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": POST, "cursor": first["cursor"] }),
        )
        .await;
    assert_eq!(
        (&second["comments"][0]["text"], &second["hasMore"]),
        (&json!("第二页"), &json!(false))
    );
    let body = json!({ "url": POST, "commentId": "7400000000000000001" });
    let r = s.data_ok("/api/v1/comments/replies", body).await;
    assert_eq!(r["comments"][0]["text"], "三亚");

    let p = s.data_ok("/api/v1/profile", json!({ "url": USER })).await;
    assert_eq!(
        (&p["name"], &p["handle"], &p["followers"]),
        (&json!("海边的人"), &json!("haibian"), &json!(12345))
    );
    assert_eq!(
        (&p["likes"], &p["posts"], &p["verified"]),
        (&json!(456789), &json!(89), &json!(false))
    );
    let short = s
        .data_ok(
            "/api/v1/profile",
            json!({ "url": "https://v.douyin.com/UserPg/" }),
        )
        .await;
    assert_eq!(
        short["id"], "MS4wLjABAAAA",
        "a short link to a profile: {short}"
    );

    let page1 = s.data_ok("/api/v1/posts", json!({ "url": USER })).await;
    assert_eq!(page1["posts"][0]["url"], POST, "{page1}");
    assert_eq!(
        page1["posts"][0]["stats"]["views"],
        Value::Null,
        "0 plays means hidden"
    );
    let page2 = s
        .data_ok(
            "/api/v1/posts",
            json!({ "url": USER, "cursor": page1["cursor"] }),
        )
        .await;
    assert_eq!(page2["posts"][0]["kind"], "images");
    assert_eq!(
        page2["posts"][0]["url"],
        "https://www.douyin.com/note/7469411074119322899"
    );
    assert_eq!(page2["hasMore"], false);

    let v = s
        .data_ok(
            "/api/v1/search",
            json!({ "platform": "douyin", "query": "海边" }),
        )
        .await;
    assert_eq!(v["posts"][0]["id"], "7468908569061100857", "{v}");
    let body = json!({ "platform": "douyin", "query": "海边", "kind": "users" });
    let u = s.data_ok("/api/v1/search", body).await;
    assert_eq!(
        (&u["users"][0]["name"], &u["hasMore"]),
        (&json!("海边的人"), &json!(true))
    );

    let live = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.douyin.com/123456" }),
        )
        .await;
    assert_eq!(
        (&live["status"], &live["viewers"]),
        (&json!("live"), &json!(1024)),
        "{live}"
    );
    assert_eq!(
        live["streams"][0]["url"],
        "https://pull-flv-l1.douyincdn.com/stage/stream-1_or4.flv?k=1"
    );
    assert_eq!(live["streams"][2]["format"], "hls");
    let off = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.douyin.com/654321" }),
        )
        .await;
    assert_eq!(off["status"], "offline");
    let body = json!({ "url": "https://live.douyin.com/1" });
    s.data_fails("/api/v1/live", body, 404, "not_found").await;

    // Douyin's refusal of an unsigned request is said as such.
    let body = json!({ "url": "https://www.douyin.com/user/MS4wEMPTY" });
    let msg = s
        .data_fails("/api/v1/profile", body, 502, "upstream_failed")
        .await;
    assert!(msg.contains("a_bogus"), "{msg}");
    let body = json!({ "url": "https://www.douyin.com/user/MS4wNOBODY" });
    s.data_fails("/api/v1/profile", body, 404, "not_found")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cookie_only_the_author_answers() {
    let (_mock, s) = TestServer::for_plugin("douyin", HOSTS, upstream()).await;
    let a = s.data_ok("/api/v1/profile", json!({ "url": POST })).await;
    assert_eq!(
        (&a["id"], &a["name"]),
        (&json!("MS4wLjABAAAAEKnfa654JAJ"), &json!("海边的人")),
        "{a}"
    );
    let opened = "https://www.douyin.com/user/MS4wX?vid=7468908569061100857";
    let a = s.data_ok("/api/v1/profile", json!({ "url": opened })).await;
    assert_eq!(
        a["name"], "海边的人",
        "a video opened on a profile is the video's author"
    );
    for (path, body) in [
        ("/api/v1/comments", json!({ "url": POST })),
        ("/api/v1/profile", json!({ "url": USER })),
        ("/api/v1/posts", json!({ "url": USER })),
        (
            "/api/v1/search",
            json!({ "platform": "douyin", "query": "海边" }),
        ),
        (
            "/api/v1/live",
            json!({ "url": "https://live.douyin.com/123456" }),
        ),
    ] {
        let msg = s.data_fails(path, body, 403, "login_required").await;
        assert!(
            msg.contains("a_bogus") && msg.contains("cookie"),
            "{path}: {msg}"
        );
    }
}
