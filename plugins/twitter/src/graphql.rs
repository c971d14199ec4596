//! Route 2: the web app's GraphQL `TweetResultByRestId`, as a logged-out
//! guest. A guest token comes from `1.1/guest/activate.json` (with the web
//! app's public bearer) and is kept in `kv` for its lifetime; a token the API
//! refuses is dropped and fetched again, once.
//!
//! Query ids rotate: the operator can set `graphql_query_id` in this plugin's
//! config without waiting for a new build.

use crate::tweet::Tweet;
use grabkit_sdk::prelude::*;
use std::time::Duration;

pub const HOST: &str = "api.x.com";
/// The bearer the x.com web app itself sends (public, the same for everyone).
const BEARER: &str = "Bearer AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA";
const QUERY_ID: &str = "2ICDjqPd81tulZcYrtpTuQ";
const TOKEN_KEY: &str = "guest-token";
/// Guest tokens last a few hours; renew well before.
const TOKEN_TTL: Duration = Duration::from_secs(60 * 60);

const FEATURES: &str = r#"{"creator_subscriptions_tweet_preview_api_enabled":true,"premium_content_api_read_enabled":false,"communities_web_enable_tweet_community_results_fetch":true,"c9s_tweet_anatomy_moderator_badge_enabled":true,"responsive_web_grok_analyze_button_fetch_trends_enabled":false,"articles_preview_enabled":true,"responsive_web_edit_tweet_api_enabled":true,"graphql_is_translatable_rweb_tweet_is_translatable_enabled":true,"view_counts_everywhere_api_enabled":true,"longform_notetweets_consumption_enabled":true,"responsive_web_twitter_article_tweet_consumption_enabled":true,"tweet_awards_web_tipping_enabled":false,"freedom_of_speech_not_reach_fetch_enabled":true,"standardized_nudges_misinfo":true,"tweet_with_visibility_results_prefer_gql_limited_actions_policy_enabled":true,"longform_notetweets_rich_text_read_enabled":true,"longform_notetweets_inline_media_enabled":true,"responsive_web_graphql_exclude_directive_enabled":true,"verified_phone_label_enabled":false,"responsive_web_graphql_skip_user_profile_image_extensions_enabled":false,"responsive_web_graphql_timeline_navigation_enabled":true,"responsive_web_enhance_cards_enabled":false}"#;

fn client() -> Client {
    Client::new()
        .user_agent(ua::DESKTOP)
        .header("Authorization", BEARER)
        .header("x-twitter-active-user", "yes")
        .header("x-twitter-client-language", "en")
}

pub fn fetch(id: &str) -> Result<Tweet> {
    if let Some(token) = kv::get_string(TOKEN_KEY) {
        if let Some(tweet) = query(id, &token)? {
            return Ok(tweet);
        }
        // The cached token expired early: drop it and try once with a fresh one.
        kv::delete(TOKEN_KEY);
    }
    query(id, &activate()?)?
        .ok_or_else(|| Error::upstream("GraphQL refused a freshly issued guest token"))
}

fn activate() -> Result<String> {
    let body: Value = client()
        .post(format!("https://{HOST}/1.1/guest/activate.json"))
        .send_ok()
        .context("guest token")?
        .json()
        .context("guest token")?;
    let token = body["guest_token"]
        .as_str()
        .required("guest_token")
        .context("guest token")?
        .to_string();
    kv::set(TOKEN_KEY, &token, Some(TOKEN_TTL));
    Ok(token)
}

/// The tweet, or `None` when the API refused the guest token.
fn query(id: &str, token: &str) -> Result<Option<Tweet>> {
    let query_id = config::get("graphql_query_id").unwrap_or_else(|| QUERY_ID.to_string());
    let variables = json!({ "tweetId": id, "withCommunity": false, "includePromotedContent": false, "withVoice": false });
    let resp = client()
        .get(format!(
            "https://{HOST}/graphql/{query_id}/TweetResultByRestId"
        ))
        .header("x-guest-token", token)
        .header("Cookie", format!("guest_id=v1%3A{token}"))
        .query(&[
            ("variables", variables.to_string().as_str()),
            ("features", FEATURES),
        ])
        .send()?;
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let code = body["errors"][0]["code"].as_u64();
    // 239 "Bad guest token", 401/403: the token is no good (any more).
    if matches!(code, Some(239)) || matches!(resp.status, 401 | 403) {
        return Ok(None);
    }
    if resp.status == 429 || code == Some(88) {
        return Err(Error::rate_limited("GraphQL rate limit for guests reached"));
    }
    let resp = resp.error_for_status()?;
    if body.is_null() {
        return Err(Error::parse(format!(
            "{}: response is not JSON",
            resp.final_url
        )));
    }
    let result = &body["data"]["tweetResult"]["result"];
    if result.is_null() {
        return Err(Error::not_found(format!("tweet {id} does not exist")));
    }
    read(result, id).map(Some)
}

/// A `result` node: a tweet, a tweet behind a visibility wrapper, or the reason there is none.
fn read(result: &Value, id: &str) -> Result<Tweet> {
    let t = match result["__typename"].as_str() {
        Some("TweetWithVisibilityResults") => &result["tweet"],
        Some("TweetTombstone") => {
            let why = result["tombstone"]["text"]["text"]
                .as_str()
                .unwrap_or("the tweet is unavailable")
                .to_string();
            return Err(
                if why.contains("Age-restricted") || why.contains("log in") {
                    Error::login_required(why)
                } else {
                    Error::private(why)
                },
            );
        }
        Some("TweetUnavailable") => {
            let reason = result["reason"].as_str().unwrap_or("Unavailable");
            return Err(match reason {
                "NsfwLoggedOut" => Error::login_required(
                    "age-restricted tweet: X shows it only to logged-in accounts",
                ),
                "Protected" => Error::private("the author's tweets are protected"),
                "Suspended" => Error::not_found("the author's account is suspended"),
                _ => Error::private(format!("tweet unavailable ({reason})")),
            });
        }
        _ => result,
    };
    let legacy = &t["legacy"];
    let user = &t["core"]["user_results"]["result"];
    let quoted = &t["quoted_status_result"]["result"];
    Ok(Tweet {
        id: t["rest_id"].as_str().unwrap_or(id).to_string(),
        text: t["note_tweet"]["note_tweet_results"]["result"]["text"]
            .as_str()
            .or(legacy["full_text"].as_str())
            .unwrap_or_default()
            .to_string(),
        author: user["core"]["name"]
            .as_str()
            .or(user["legacy"]["name"].as_str())
            .map(str::to_string),
        media: legacy["extended_entities"]["media"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        quoted: if quoted.is_object() {
            read(quoted, "").ok().map(Box::new)
        } else {
            None
        },
    })
}
