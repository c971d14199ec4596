//! Route 3: the public embed page `www.instagram.com/p/{code}/embed/captioned/`.
//! Its script calls `…"init",[],[{…,"contextJSON":"…"}]`; `contextJSON` is a
//! JSON document in a string whose `gql_data.shortcode_media` is the post.
//! A page without it (the "simple" embed) means the embed withholds the post.

use crate::answer;
use crate::media;
use grabkit_sdk::prelude::*;

pub const HOST: &str = "www.instagram.com";

pub fn fetch(code: &str) -> Result<Media> {
    let resp = Client::new()
        .user_agent(ua::DESKTOP)
        .header(
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header("Sec-Fetch-Dest", "document")
        .header("Sec-Fetch-Mode", "navigate")
        .header("Sec-Fetch-Site", "none")
        .get(format!("https://{HOST}/p/{code}/embed/captioned/"))
        .send()?;
    let html = answer::check(resp, "embed page")?.text();
    let init = json_after(&html, r#""init",[],["#)?;
    let context = init["contextJSON"].as_str().ok_or_else(|| {
        Error::login_required("the embed page withholds this post (no contextJSON)")
    })?;
    let context: Value = serde_json::from_str(context)
        .map_err(|e| Error::parse(format!("embed contextJSON: {e}")))?;
    let node = &context["gql_data"]["shortcode_media"];
    if !node.is_object() {
        return Err(Error::login_required(
            "the embed page withholds this post (no gql_data)",
        ));
    }
    media::from_node(node, code)
}
