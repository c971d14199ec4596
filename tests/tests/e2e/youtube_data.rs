//! YouTube's data capabilities through the HTTP API, against the mock
//! innertube: comments (view-model and older layouts) and replies, channel
//! profiles and uploads, search for videos and channels, live rooms, and
//! the parse answer's audio tracks and captions.

use grabkit_tests::TestServer;
use grabkit_tests::youtube::{HOSTS, upstream};
use serde_json::{Value, json};

const VIDEO: &str = "https://www.youtube.com/watch?v=aqz-KE-bpKQ";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_in_both_layouts_then_replies() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let first = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": "https://youtu.be/aqz-KE-bpKQ" }),
        )
        .await;
    assert_eq!(first["postId"], "aqz-KE-bpKQ");
    let c = &first["comments"];
    assert_eq!(c.as_array().unwrap().len(), 2, "{first}");
    assert_eq!(c[0]["id"], "UgxAAA");
    assert_eq!(c[0]["text"], "What a bunny!");
    assert_eq!(c[0]["author"]["name"], "@alice");
    assert_eq!(c[0]["author"]["id"], "UCalice000000000000000001");
    assert_eq!(c[0]["likes"], 1200);
    assert_eq!(c[0]["replyCount"], 2);
    assert_eq!(
        c[0]["createdAt"],
        Value::Null,
        "only a relative time is shown"
    );
    assert_eq!(c[1]["replyCount"], Value::Null);
    assert_eq!(first["hasMore"], true);
    let second = s
        .data_ok(
            "/api/v1/comments",
            json!({ "url": VIDEO, "cursor": first["cursor"] }),
        )
        .await;
    assert_eq!(
        second["comments"][0]["text"], "Old layout still read",
        "{second}"
    );
    assert_eq!(second["comments"][0]["likes"], 7);
    assert_eq!(second["hasMore"], false);

    let replies = json!({ "url": VIDEO, "commentId": "UgxAAA" });
    let r = s.data_ok("/api/v1/comments/replies", replies).await;
    assert_eq!(r["comments"][0]["text"], "Agreed", "{r}");
    assert_eq!(r["comments"].as_array().unwrap().len(), 2);
    let unknown = json!({ "url": VIDEO, "commentId": "UgxZZZ" });
    s.data_fails("/api/v1/comments/replies", unknown, 404, "not_found")
        .await;
    let off = json!({ "url": "https://www.youtube.com/watch?v=OtherVideo1" });
    let msg = s
        .data_fails("/api/v1/comments", off, 404, "not_found")
        .await;
    assert!(msg.contains("turned off"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_by_every_link_form_and_their_uploads() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    for url in [
        "https://www.youtube.com/@GrabkitTest",
        "https://www.youtube.com/@GrabkitTest/videos",
        "https://www.youtube.com/channel/UCgrabkit000000000000001",
        "https://m.youtube.com/c/GrabkitTest",
        "https://www.youtube.com/user/grabkit",
    ] {
        let p = s.data_ok("/api/v1/profile", json!({ "url": url })).await;
        assert_eq!(p["id"], "UCgrabkit000000000000001", "{url}: {p}");
        assert_eq!(p["name"], "Grabkit Test Channel");
        assert_eq!(p["handle"], "@GrabkitTest");
        assert_eq!(p["followers"], 1_200_000);
        assert_eq!(p["posts"], 321);
        assert_eq!(p["avatar"], "https://yt3.googleusercontent.com/avatar=s900");
        assert_eq!(p["likes"], Value::Null);
    }
    // A video's author.
    let p = s.data_ok("/api/v1/profile", json!({ "url": VIDEO })).await;
    assert_eq!(p["id"], "UCSMOQeBJ2RAnuFungnQOxLg", "{p}");
    let gone = json!({ "url": "https://www.youtube.com/channel/UCgone00000000000000000001" });
    let msg = s
        .data_fails("/api/v1/profile", gone, 404, "not_found")
        .await;
    assert!(msg.contains("does not exist"), "{msg}");
    let nobody = json!({ "url": "https://www.youtube.com/@NoSuchHandle" });
    s.data_fails("/api/v1/profile", nobody, 404, "not_found")
        .await;

    let first = s
        .data_ok(
            "/api/v1/posts",
            json!({ "url": "https://www.youtube.com/@GrabkitTest" }),
        )
        .await;
    assert_eq!(first["user"]["name"], "Grabkit Test Channel");
    let posts = first["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 2, "{first}");
    assert_eq!(posts[0]["url"], VIDEO);
    assert_eq!(posts[0]["duration"], 635.0);
    assert_eq!(posts[0]["stats"]["views"], 1_234_567);
    assert_eq!(posts[1]["stats"]["views"], 0);
    assert_eq!(
        posts[0]["cover"],
        "https://i.ytimg.com/vi/aqz-KE-bpKQ/hqdefault.jpg"
    );
    let body = json!({ "url": "https://www.youtube.com/@GrabkitTest", "cursor": first["cursor"] });
    let second = s.data_ok("/api/v1/posts", body).await;
    assert_eq!(second["posts"][0]["kind"], "live", "{second}");
    assert_eq!(second["hasMore"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_videos_and_channels() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let v = s
        .data_ok(
            "/api/v1/search",
            json!({ "platform": "youtube", "query": "bunny" }),
        )
        .await;
    assert_eq!(
        v["posts"].as_array().unwrap().len(),
        1,
        "shelves skipped: {v}"
    );
    assert_eq!(v["posts"][0]["author"]["id"], "UCgrabkit000000000000001");
    let body = json!({ "platform": "youtube", "query": "bunny", "cursor": v["cursor"] });
    let v2 = s.data_ok("/api/v1/search", body).await;
    assert_eq!(v2["posts"][0]["id"], "OtherVideo1");
    assert_eq!(v2["hasMore"], false);
    let body = json!({ "platform": "youtube", "query": "bunny", "kind": "users" });
    let u = s.data_ok("/api/v1/search", body).await;
    assert_eq!(u["users"][0]["handle"], "@GrabkitTest", "{u}");
    assert_eq!(u["users"][0]["followers"], 1_200_000);
    assert_eq!(
        u["users"][0]["avatar"],
        "https://yt3.googleusercontent.com/avatar=s88"
    );
    let none = s
        .data_ok(
            "/api/v1/search",
            json!({ "platform": "youtube", "query": "zzz" }),
        )
        .await;
    assert_eq!(
        (&none["posts"], &none["hasMore"]),
        (&json!([]), &json!(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_rooms_from_a_channel_or_a_video() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let v = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://www.youtube.com/@GrabkitTest/live" }),
        )
        .await;
    assert_eq!(v["status"], "live", "{v}");
    assert_eq!(v["roomId"], "LiveNow0001");
    assert_eq!(v["streams"][0]["format"], "hls");
    assert!(
        v["streams"][0]["url"].as_str().unwrap().contains(".m3u8"),
        "{v}"
    );
    let url = "https://www.youtube.com/live/LiveNow0001?feature=share";
    let same = s.data_ok("/api/v1/live", json!({ "url": url })).await;
    assert_eq!(same["status"], "live");
    // A plain video link belongs to parse.
    let body = json!({ "url": "https://youtu.be/LiveNow0001" });
    s.data_fails("/api/v1/live", body, 400, "wrong_endpoint")
        .await;
    let off = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://www.youtube.com/@Quiet/live" }),
        )
        .await;
    assert_eq!(
        (&off["status"], &off["streams"]),
        (&json!("offline"), &json!([]))
    );
    let not_yet = s
        .data_ok(
            "/api/v1/live",
            json!({ "url": "https://www.youtube.com/live/Upcoming001" }),
        )
        .await;
    assert_eq!(not_yet["status"], "offline", "{not_yet}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_tracks_are_labelled_default_first_and_captions_listed() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let d = s.ok("https://www.youtube.com/watch?v=DubbedVid01").await;
    let a = &d["audios"];
    assert_eq!(a[0]["language"], "en", "{a}");
    assert_eq!(a[0]["label"], "English (original)");
    assert_eq!(a[0]["isDefault"], true);
    assert_eq!(a[1]["language"], "es");
    assert!(a[1].get("isDefault").is_none());
    let subs = d["subtitles"].as_array().unwrap();
    assert_eq!(subs.len(), 2, "{d}");
    assert_eq!(subs[0]["language"], "en");
    assert_eq!(subs[0]["format"], "vtt");
    assert!(
        subs[0]["url"]
            .as_str()
            .unwrap()
            .ends_with("lang=en&fmt=vtt"),
        "{subs:?}"
    );
    assert_eq!(subs[1]["autoGenerated"], true);
    assert_eq!(subs[1]["label"], "Spanish (auto-generated)");
    assert!(d["stats"]["views"].is_u64(), "{d}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clips_are_their_video_with_the_section() {
    let (_mock, s) = TestServer::for_plugin("youtube", HOSTS, upstream()).await;
    let d = s.ok("https://www.youtube.com/clip/UgyClip0001").await;
    assert_eq!(d["id"], "UgyClip0001");
    assert_eq!(d["clip"], json!({"start": 29.0, "end": 39.7}), "{d}");
    assert!(!d["videos"].as_array().unwrap().is_empty());
    let (status, v) = s.parse("https://www.youtube.com/clip/UgyGone0001").await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("not_found")),
        "{v}"
    );
}
