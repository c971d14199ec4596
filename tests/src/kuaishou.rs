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
];

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
