//! The mock Kuaishou: share-link redirects and share pages whose
//! `INIT_STATE` holds a video, an image set, a single picture, or an error.

use crate::mock::{Reply, Responder, Seen};
use std::sync::Arc;

pub const HOSTS: &[&str] = &[
    "v.kuaishou.com",
    "www.kuaishou.com",
    "v.m.chenzhongtech.com",
    "m.gifshow.com",
    "c.kuaishou.com",
    "live.kuaishou.com",
];

/// The web session cookie the GraphQL mock wants.
pub const COOKIE: &str = "did=web_1; userId=42; kuaishou.server.web_st=ChZr";

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/kuaishou/",
            $name
        ))
    };
}

pub fn upstream() -> Responder {
    Arc::new(|s: &Seen| {
        let ios = s
            .headers
            .get("user-agent")
            .and_then(|u| u.to_str().ok())
            .is_some_and(|u| u.contains("iPhone"));
        match (s.host.as_str(), s.path.as_str()) {
            ("www.kuaishou.com", "/graphql") if s.method == "POST" => graphql(s),
            ("live.kuaishou.com", "/live_api/liveroom/livedetail") => live(s),
            ("v.kuaishou.com", "/2yQz3k") => Reply::redirect(
                "https://v.m.chenzhongtech.com/fw/photo/3xfakework00001?fid=1&cc=share_copylink&shareToken=X&photoId=3xfakework00001",
            ),
            ("v.kuaishou.com", "/long1") => Reply::redirect(
                "https://v.m.chenzhongtech.com/fw/long-video/3xfakework00001?cc=share_copylink",
            ),
            ("v.kuaishou.com", "/toProfile") => {
                Reply::redirect("https://www.kuaishou.com/profile/3xfakeuser00001")
            }
            ("www.kuaishou.com", "/f/X3t3Ee6o1L7gqHe") => Reply::redirect(
                "https://v.m.chenzhongtech.com/fw/photo/3xfakeatlas0002?cc=share_copylink",
            ),
            (_, p) if p.starts_with("/fw/photo/") && !ios => {
                Reply::json(r#"{"result":2,"error_msg":null}"#)
            }
            (_, "/fw/photo/3xfakework00001") => Reply::html(fixture!("video.html")),
            (_, "/fw/photo/3xfakeatlas0002") => Reply::html(fixture!("atlas.html")),
            (_, "/fw/photo/3xfakesingle003") => Reply::html(fixture!("single.html")),
            (_, "/fw/photo/3xgone") => Reply::html(fixture!("gone.html")),
            (_, "/fw/photo/3xcaptcha") => Reply::redirect(
                "https://captcha.zt.kuaishou.com/mobile/h5/redirect/index.html?captchaSession=abc&type=1&bizName=ANTICRAWL_DEFAULT",
            ),
            (_, "/fw/long-video/3xfakework00001") => {
                Reply::html("<html>a long-video page without state</html>")
            }
            _ => Reply::status(404),
        }
    })
}

fn comment(id: &str, text: &str, subs: u64) -> serde_json::Value {
    serde_json::json!({"commentId": id, "authorId": "3xfan0001", "authorName": "路人ㅤ", "content": text,
        "headurl": "http://p4.a.yximgs.com/uhead/fan.jpg", "timestamp": 1786079200413_u64,
        "likedCount": 12, "subCommentCount": subs, "subCommentsPcursor": "sub1"})
}

/// `www.kuaishou.com/graphql`: answers a signed-in cookie only, by operation.
fn graphql(s: &Seen) -> Reply {
    let cookie = s
        .headers
        .get("cookie")
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default();
    if !cookie.contains("kuaishou.server.web_st=") {
        return Reply::json(
            r#"{"data":{"visionCommentList":null,"visionProfile":null,"visionProfilePhotoList":null}}"#,
        );
    }
    let b: serde_json::Value = serde_json::from_str(&s.body).unwrap_or_default();
    let v = &b["variables"];
    let pcursor = v["pcursor"].as_str().unwrap_or_default();
    let data = match (b["operationName"].as_str().unwrap_or_default(), pcursor) {
        ("commentListQuery", "") if v["photoId"] == "3xfakework00001" => {
            serde_json::json!({"visionCommentList": {
            "commentCount": 3, "pcursor": "c2",
            "rootComments": [comment("801", "好美的纸飞机", 1), comment("802", "想去", 0)]}})
        }
        ("commentListQuery", "c2") => serde_json::json!({"visionCommentList": {
            "commentCount": 3, "pcursor": "no_more", "rootComments": [comment("803", "第二页", 0)]}}),
        ("visionSubCommentList", "") if v["rootCommentId"] == "801" => {
            serde_json::json!({"visionSubCommentList": {
            "pcursor": "no_more", "subComments": [comment("8011", "谢谢", 0)]}})
        }
        // The second route, for a post whose share page is a captcha.
        ("visionVideoDetail", _) if v["photoId"] == "3xcaptcha" => {
            serde_json::json!({"visionVideoDetail": {
            "status": 1, "type": "VIDEO", "author": {"id": "3xfakeuser00001", "name": "旅行者小王", "headerUrl": "https://p66.a.kwimgs.com/u.jpg"},
            "photo": {"id": "3xcaptcha", "duration": 8783, "caption": "从第二条路来", "likeCount": "1.1万", "realLikeCount": 11922,
                "coverUrl": "https://p2.a.yximgs.com/upic/cover.jpg", "photoUrl": "https://v23-3.kwaicdn.com/upic/main.mp4",
                "photoH265Url": "https://v23-3.kwaicdn.com/upic/main_h265.mp4", "timestamp": 1786079100413_u64, "viewCount": 64716}}})
        }
        ("visionVideoDetail", _) => {
            serde_json::json!({"visionVideoDetail": {"status": 3, "photo": null}})
        }
        ("visionProfile", _) => match v["userId"].as_str() {
            Some("3xfakeuser00001") => {
                serde_json::json!({"visionProfile": {"result": 1, "userProfile": {
                "ownerCount": {"fan": 52000, "photo": 120, "follow": 33, "photo_public": 118},
                "profile": {"gender": "M", "user_name": "旅行者小王ㅤ", "user_id": "3xfakeuser00001",
                    "headurl": "https://p66.a.kwimgs.com/uhead/AB/2025/01/01/u_s.jpg", "user_text": "在路上"}}}})
            }
            Some("3xblocked") => serde_json::json!({"visionProfile": {"result": 2}}),
            _ => serde_json::json!({"visionProfile": {"result": 1, "userProfile": null}}),
        },
        ("visionProfilePhotoList", "") => {
            serde_json::json!({"visionProfilePhotoList": {"result": 1, "pcursor": "no_more",
            "feeds": [{"type": 1, "author": {"id": "3xfakeuser00001", "name": "旅行者小王", "headerUrl": "https://p66.a.kwimgs.com/u.jpg"},
                "photo": {"id": "3xfakework00001", "duration": 8783, "caption": "将旅途心愿化作纸飞机 #旅行", "likeCount": "1.1万",
                    "realLikeCount": 11922, "coverUrl": "https://p2.a.yximgs.com/upic/2026/01/01/cover.jpg", "timestamp": 1786079100413_u64,
                    "viewCount": 64716, "photoUrl": "https://v23-3.kwaicdn.com/a.mp4"}}]}})
        }
        _ => return Reply::json(r#"{"errors":[{"message":"bad request"}],"data":null}"#),
    };
    Reply::json(&serde_json::json!({ "data": data }).to_string())
}

/// The live detail route: 3xfakeuser00001 is live, 3xoffline is not.
fn live(s: &Seen) -> Reply {
    let principal = crate::mock::param(&s.query, "principalId").unwrap_or_default();
    let living = match principal.as_str() {
        "3xfakeuser00001" => true,
        "3xoffline" => false,
        _ => return Reply::json(r#"{"data":{"result":671,"error_msg":"用户不存在"}}"#),
    };
    let rep = |name: &str, url: &str| serde_json::json!({"name": name, "url": url, "level": 1});
    Reply::json(&serde_json::json!({"data": {"result": 1, "isLiving": living,
        "author": {"id": principal, "name": "旅行者小王", "avatar": "https://p66.a.kwimgs.com/u.jpg"},
        "liveStream": {"id": "live_abc", "caption": "今晚看海", "poster": "https://p2.a.yximgs.com/live/poster.jpg",
            "playUrls": [{"adaptationSet": {"representation": [
                rep("蓝光", "https://hw-origin.pull.yximgs.com/gifshow/live_abc_hd.flv?sign=1"),
                rep("高清", "https://hw-origin.pull.yximgs.com/gifshow/live_abc_sd.flv?sign=1")]}}],
            "hlsPlayUrl": "https://hw-origin.pull.yximgs.com/gifshow/live_abc.m3u8"}}}).to_string())
}
