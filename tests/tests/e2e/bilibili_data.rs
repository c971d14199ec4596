//! Bilibili's data capabilities through the HTTP API, against the mock:
//! comments and replies paged to the end, a space's profile and uploads,
//! search for videos and users, live rooms, and the errors around them
//! (wrong endpoint, bad cursor, missing capability, closed comments).

use grabkit_tests::bilibili::{HOSTS, upstream};
use grabkit_tests::server::shipped_plugin;
use grabkit_tests::{Mock, TestServer, TestSettings};
use serde_json::{Value, json};

async fn serve() -> (Mock, TestServer) {
    let mock = Mock::start(HOSTS, upstream()).await;
    let server = TestServer::start(
        &mock,
        TestSettings {
            plugins: vec![shipped_plugin("bilibili"), shipped_plugin("twitter")],
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            ..Default::default()
        },
    )
    .await;
    (mock, server)
}

const VIDEO: &str = "https://www.bilibili.com/video/BV117411r7R1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_page_to_the_end_then_replies() {
    let (_mock, s) = serve().await;
    let share = format!("【当我给拜年祭的快板加了电音配乐…】 {VIDEO}?share_source=copy");
    let first = s.data_ok("/api/v1/comments", json!({ "url": share })).await;
    assert_eq!(first["platform"], "bilibili");
    assert_eq!(first["postId"], "85440373");
    let c = first["comments"].as_array().unwrap();
    assert_eq!(c.len(), 3, "pinned first, then the page: {first}");
    assert_eq!(c[0]["id"], "237300000");
    assert_eq!(c[1]["text"], "前排！快板加电音太上头了");
    assert_eq!(c[1]["author"]["name"], "路人甲");
    assert_eq!(c[1]["author"]["id"], "111");
    assert_eq!(
        c[1]["author"]["avatar"],
        "https://i0.hdslb.com/bfs/face/111.jpg"
    );
    assert_eq!(c[1]["likes"], 1520);
    assert_eq!(c[1]["replyCount"], 2);
    assert_eq!(c[1]["createdAt"], "2023-11-14T22:15:00Z");
    assert_eq!(
        c[1]["images"][0],
        "https://i0.hdslb.com/bfs/new_dyn/abc.jpg"
    );
    assert_eq!(first["hasMore"], true);
    let cursor = first["cursor"].as_str().unwrap().to_string();

    let second = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": VIDEO, "cursor": cursor }),
        )
        .await;
    assert_eq!(second["comments"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(second["comments"][0]["text"], "第二页的评论");
    assert_eq!(
        (&second["hasMore"], &second["cursor"]),
        (&json!(false), &Value::Null)
    );

    // Replies page by number: 2 then 1.
    let body = json!({ "url": VIDEO, "commentId": "237300001", "count": 2 });
    let r1 = s.data_ok("/api/v1/comments/replies", body).await;
    assert_eq!(r1["comments"].as_array().unwrap().len(), 2, "{r1}");
    assert_eq!(r1["hasMore"], true);
    let body =
        json!({ "url": VIDEO, "commentId": "237300001", "count": 2, "cursor": r1["cursor"] });
    let r2 = s.data_ok("/api/v1/comments/replies", body).await;
    assert_eq!(r2["comments"][0]["text"], "回复 2", "{r2}");
    assert_eq!(r2["hasMore"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursors_are_checked() {
    let (_mock, s) = serve().await;
    let body = json!({ "url": VIDEO, "cursor": "not-a-cursor" });
    s.data_fails("/api/v1/comments", body, 400, "invalid_cursor")
        .await;
    // A posts cursor is refused by comments.
    let space = "https://space.bilibili.com/66606350";
    let page = s
        .data_ok("/api/v1/posts", json!({ "url": space, "count": 2 }))
        .await;
    let body = json!({ "url": VIDEO, "cursor": page["cursor"] });
    let msg = s
        .data_fails("/api/v1/comments", body, 400, "invalid_cursor")
        .await;
    assert!(msg.contains("posts of bilibili"), "{msg}");
    let body = json!({ "url": VIDEO, "count": 51 });
    s.data_fails("/api/v1/comments", body, 400, "invalid_request")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_from_a_space_link_a_video_or_a_short_link() {
    let (_mock, s) = serve().await;
    for url in [
        "https://space.bilibili.com/66606350",
        "https://space.bilibili.com/66606350/video?tid=0",
        "https://m.bilibili.com/space/66606350",
        VIDEO,
        "https://b23.tv/toSpace",
    ] {
        let p = s.data_ok("/api/v1/profile", json!({ "url": url })).await;
        assert_eq!(p["platform"], "bilibili", "{url}");
        assert_eq!(p["id"], "66606350", "{url}");
        assert_eq!(p["name"], "陈楒潼桶桶桶");
        assert_eq!(p["avatar"], "https://i1.hdslb.com/bfs/face/66606350.jpg");
        assert_eq!(p["bio"], "做音乐的桶");
        assert_eq!(p["followers"], 182345);
        assert_eq!(p["following"], 211);
        assert_eq!(p["posts"], 3);
        assert_eq!(p["likes"], 1234567);
        assert_eq!(p["verified"], false);
        assert_eq!(p["handle"], Value::Null, "unknown is null, not empty");
        assert_eq!(p["url"], "https://space.bilibili.com/66606350");
    }
    let body = json!({ "url": "https://space.bilibili.com/1" });
    s.data_fails("/api/v1/profile", body, 404, "not_found")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_page_to_the_end_and_each_link_parses() {
    let (_mock, s) = serve().await;
    let space = "https://space.bilibili.com/66606350";
    let first = s
        .data_ok("/api/v1/posts", json!({ "url": space, "count": 2 }))
        .await;
    assert_eq!(first["user"]["name"], "陈楒潼桶桶桶", "{first}");
    let posts = first["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["id"], "BV117411r7R1");
    assert_eq!(posts[0]["kind"], "video");
    assert_eq!(posts[0]["duration"], 209.0);
    assert_eq!(posts[1]["duration"], 3723.0);
    assert_eq!(posts[0]["createdAt"], "2023-11-14T22:13:20Z");
    assert_eq!(posts[0]["stats"]["views"], 2400000);
    assert_eq!(posts[0]["stats"]["likes"], Value::Null);
    assert_eq!(
        posts[0]["cover"],
        "https://i2.hdslb.com/bfs/archive/BV117411r7R1.jpg"
    );
    let second = s
        .data_ok(
            "/api/v1/posts",
            json!({ "url": space, "count": 2, "cursor": first["cursor"] }),
        )
        .await;
    assert_eq!(second["posts"].as_array().unwrap().len(), 1);
    assert_eq!(second["hasMore"], false);
    assert_eq!(
        second["user"],
        Value::Null,
        "only the first page says whose"
    );
    // Every post link is one parse takes.
    let (status, v) = s.parse(posts[0]["url"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{v}");
    // Risk control on the space route is said as such.
    let body = json!({ "url": "https://space.bilibili.com/2" });
    s.data_fails("/api/v1/posts", body, 429, "upstream_rate_limited")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_videos_and_users() {
    let (mock, s) = serve().await;
    let body = json!({ "platform": "bilibili", "query": "快板" });
    let v = s.data_ok("/api/v1/search", body).await;
    let p = &v["posts"][0];
    assert_eq!(
        p["title"], "当我给拜年祭的快板加了电音配乐…",
        "highlights removed: {v}"
    );
    assert_eq!(p["url"], VIDEO);
    assert_eq!(p["cover"], "https://i1.hdslb.com/bfs/archive/ea0dd.jpg");
    assert_eq!(p["author"]["name"], "陈楒潼桶桶桶");
    assert_eq!(p["stats"]["likes"], 99000);
    assert_eq!((&v["hasMore"], &v["users"]), (&json!(false), &json!([])));
    let body = json!({ "platform": "bilibili", "query": "桶桶", "kind": "users" });
    let u = s.data_ok("/api/v1/search", body).await;
    assert_eq!(u["users"][0]["name"], "陈楒潼桶桶桶", "{u}");
    assert_eq!(u["users"][0]["id"], "66606350");
    assert_eq!(u["hasMore"], true);
    // The guest cookie was fetched once and reused.
    assert_eq!(mock.seen_path("/x/frontend/finger/spi").len(), 1);
    let body = json!({ "platform": "twitter", "query": "x" });
    let msg = s
        .data_fails("/api/v1/search", body, 400, "capability_not_supported")
        .await;
    assert!(msg.contains("offers: parse"), "{msg}");
    let body = json!({ "platform": "nope", "query": "x" });
    s.data_fails("/api/v1/search", body, 404, "unknown_platform")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_rooms_live_and_offline() {
    let (_mock, s) = serve().await;
    let v = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.bilibili.com/6?spm=x" }),
        )
        .await;
    assert_eq!(v["roomId"], "21452505");
    assert_eq!(v["status"], "live");
    assert_eq!(v["title"], "深夜电音快板");
    assert_eq!(v["viewers"], 45678);
    assert_eq!(v["author"]["id"], "66606350");
    let streams = v["streams"].as_array().unwrap();
    assert_eq!(streams[0]["format"], "flv", "{v}");
    assert_eq!(
        streams[0]["url"],
        "https://cn-gotcha01.bilivideo.com/live-bvc/live_21452505.flv?expires=1&sign=a"
    );
    assert_eq!(streams[0]["quality"], "原画");
    assert!(streams.iter().any(|s| s["format"] == "hls"));
    let off = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://live.bilibili.com/7" }),
        )
        .await;
    assert_eq!(
        (&off["status"], &off["streams"]),
        (&json!("offline"), &json!([]))
    );
    assert_eq!(off["viewers"], Value::Null);
    let body = json!({ "url": "https://live.bilibili.com/99" });
    s.data_fails("/api/v1/live", body, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_of_the_wrong_kind_name_their_endpoint() {
    let (_mock, s) = serve().await;
    let msg = s
        .data_fails(
            "/api/v1/live",
            json!({ "url": VIDEO }),
            400,
            "wrong_endpoint",
        )
        .await;
    assert!(msg.contains("/api/v1/parse"), "{msg}");
    let space = json!({ "url": "https://space.bilibili.com/66606350" });
    let msg = s
        .data_fails("/api/v1/parse", space.clone(), 400, "wrong_endpoint")
        .await;
    assert!(msg.contains("/api/v1/profile"), "{msg}");
    let msg = s
        .data_fails("/api/v1/comments", space, 400, "wrong_endpoint")
        .await;
    assert!(msg.contains("/api/v1/posts"), "{msg}");
    let room = json!({ "url": "https://live.bilibili.com/6" });
    let msg = s
        .data_fails("/api/v1/comments", room, 400, "wrong_endpoint")
        .await;
    assert!(msg.contains("/api/v1/live"), "{msg}");
    // X offers parse only (for now).
    let tweet = json!({ "url": "https://x.com/someone/status/1800000000000000000" });
    let msg = s
        .data_fails("/api/v1/comments", tweet, 400, "capability_not_supported")
        .await;
    assert!(msg.contains("twitter does not offer comments"), "{msg}");
    // Closed comments, and a bangumi episode (no comments route here).
    let av = json!({ "url": "https://www.bilibili.com/video/av170001" });
    let msg = s.data_fails("/api/v1/comments", av, 404, "not_found").await;
    assert!(msg.contains("closed"), "{msg}");
    let ep = json!({ "url": "https://www.bilibili.com/bangumi/play/ep702596" });
    s.data_fails("/api/v1/comments", ep, 400, "capability_not_supported")
        .await;
    s.data_fails(
        "/api/v1/profile",
        json!({ "url": "nothing here" }),
        400,
        "invalid_url",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platforms_list_capabilities_and_pages_cost_one_credit_each() {
    let (_mock, s) = serve().await;
    let (status, v) = s
        .send_json("GET", "/api/v1/platforms", &s.token, None)
        .await;
    assert_eq!(status, 200);
    let b = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "bilibili")
        .unwrap();
    assert_eq!(
        b["offers"],
        json!(["parse", "comments", "profile", "posts", "search", "live"])
    );
    assert_eq!(b["contract"], "0.4.0");
    let live = b["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "live")
        .unwrap();
    assert!(
        live["urlPatterns"][0]
            .as_str()
            .unwrap()
            .starts_with("live.bilibili.com/")
    );
    let d = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "twitter")
        .unwrap();
    assert_eq!(d["offers"], json!(["parse"]));

    // Credits: one per successful page, none for a refusal.
    let (status, k) = s
        .admin(
            "POST",
            "/api/v1/admin/keys",
            Some(&json!({"name": "limited", "credits": 2})),
        )
        .await;
    assert_eq!(status, 200, "{k}");
    let token = k["data"]["token"].as_str().unwrap().to_string();
    let call = |body: Value| {
        let (s, token) = (&s, token.clone());
        async move {
            s.send_json("POST", "/api/v1/profile", &token, Some(&body))
                .await
        }
    };
    let (st, _) = call(json!({ "url": "https://space.bilibili.com/66606350" })).await;
    assert_eq!(st, 200);
    let (st, _) = call(json!({ "url": "https://space.bilibili.com/1" })).await;
    assert_eq!(st, 404);
    let (st, _) = call(json!({ "url": "https://space.bilibili.com/66606350" })).await;
    assert_eq!(st, 200);
    let (st, v) = call(json!({ "url": "https://space.bilibili.com/66606350" })).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (402, Some("insufficient_credits")),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_captions_with_a_session_and_danmaku_always() {
    let (mock, s) = serve().await;
    let d = s.ok(VIDEO).await;
    let subs = d["subtitles"].as_array().unwrap();
    assert_eq!(subs.len(), 1, "a guest gets the danmaku only: {subs:?}");
    assert_eq!(subs[0]["format"], "xml");
    assert!(
        mock.seen_path("/x/player/wbi/v2").is_empty(),
        "no request a guest cannot use"
    );

    let config = [("cookie", "SESSDATA=abc123; bili_jct=x; buvid3=y")];
    let (_mock, s) =
        TestServer::for_plugin_with_config("bilibili", HOSTS, upstream(), &config).await;
    let d = s.ok(VIDEO).await;
    let subs = d["subtitles"].as_array().unwrap();
    assert_eq!(subs.len(), 3, "{subs:?}");
    assert_eq!(
        (&subs[0]["language"], &subs[0]["format"]),
        (&json!("zh-CN"), &json!("bcc"))
    );
    assert_eq!(
        subs[0]["url"],
        "https://aisubtitle.hdslb.com/bfs/subtitle/zh.json?auth_key=1"
    );
    assert_eq!(
        (&subs[1]["language"], &subs[1]["autoGenerated"]),
        (&json!("en"), &json!(true))
    );
    assert_eq!(subs[2]["label"], "弹幕 (danmaku)");
}
