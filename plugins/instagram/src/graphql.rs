//! Route 4: the web app's GraphQL, logged out. The post page
//! (`www.instagram.com/p/{code}/`) hands out the `csrftoken` cookie and the
//! page's `LSD` token; the query `PolarisPostActionLoadPostQueryQuery`
//! answers `data.xdt_shortcode_media`, the same node the embed page holds.
//! Document ids rotate: `graphql_doc_id` in the plugin's config overrides ours.

use crate::answer;
use crate::embed::HOST;
use crate::media;
use grabkit_sdk::prelude::*;

const DOC_ID: &str = "8845758582119845";
const APP_ID: &str = "936619743392459";

pub fn fetch(code: &str) -> Result<Media> {
    let client = Client::new()
        .user_agent(ua::DESKTOP)
        .header("Accept-Language", "en-US,en;q=0.9");
    let page = answer::check(
        client.get(format!("https://{HOST}/p/{code}/")).send()?,
        "post page",
    )?;
    let csrf = page.cookie("csrftoken").unwrap_or_default();
    let lsd = lsd_token(&page.text()).unwrap_or_default();
    let variables = json!({ "shortcode": code, "fetch_tagged_user_count": null, "hoisted_comment_id": null, "hoisted_reply_id": null });
    let doc_id = config::get("graphql_doc_id").unwrap_or_else(|| DOC_ID.to_string());
    let mut request = client
        .post(format!("https://{HOST}/graphql/query"))
        .header("X-IG-App-ID", APP_ID)
        .header("X-FB-Friendly-Name", "PolarisPostActionLoadPostQueryQuery")
        .header("X-CSRFToken", csrf.as_str())
        .header("X-FB-LSD", lsd.as_str())
        .header("Origin", format!("https://{HOST}"))
        .header("Referer", format!("https://{HOST}/p/{code}/"))
        .header("Sec-Fetch-Site", "same-origin");
    // The account's cookies go with it (the host adds them); the token
    // goes too when the account has none of its own.
    if !csrf.is_empty() && account::cookie("csrftoken").is_none() {
        request = request.header("Cookie", format!("csrftoken={csrf}"));
    }
    let resp = request
        .form(&[
            ("lsd", lsd.as_str()),
            ("fb_api_caller_class", "RelayModern"),
            (
                "fb_api_req_friendly_name",
                "PolarisPostActionLoadPostQueryQuery",
            ),
            ("variables", &variables.to_string()),
            ("server_timestamps", "true"),
            ("doc_id", &doc_id),
        ])
        .send()?;
    let body: Value = answer::check(resp, "web GraphQL")?.json()?;
    let node = &body["data"]["xdt_shortcode_media"];
    if node.is_object() {
        return media::from_node(node, code);
    }
    match body["errors"][0]["message"].as_str() {
        Some(m) => Err(Error::upstream(format!("web GraphQL: {m}"))),
        None if body["data"].is_object() => Err(Error::not_found(
            "web GraphQL: no such post (xdt_shortcode_media is null)",
        )),
        None => Err(Error::parse("web GraphQL: response has no `data`")),
    }
}

/// The page's LSD token: `["LSD",[],{"token":"…"}`.
fn lsd_token(html: &str) -> Option<String> {
    let after = &html[html.find(r#""LSD",[],{"token":""#)? + r#""LSD",[],{"token":""#.len()..];
    Some(after[..after.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn lsd_from_page() {
        assert_eq!(
            super::lsd_token(r#"x["LSD",[],{"token":"AVq5abc_12"},323],y"#).as_deref(),
            Some("AVq5abc_12")
        );
        assert_eq!(super::lsd_token("<html></html>"), None);
    }
}
