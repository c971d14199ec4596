//! Route 1: `cdn.syndication.twimg.com/tweet-result`, the embed widget's
//! endpoint. No login and no guest token; it may miss some tweets (and some
//! media), which is what the GraphQL route is for.

use crate::token;
use crate::tweet::Tweet;
use grabkit_sdk::prelude::*;

pub const HOST: &str = "cdn.syndication.twimg.com";

pub fn fetch(id: &str) -> Result<Tweet> {
    let resp = Client::new()
        .user_agent("Googlebot")
        .get(format!("https://{HOST}/tweet-result"))
        .query(&[("id", id), ("lang", "en"), ("token", &token::for_id(id))])
        .send()?;
    let empty = resp.body.iter().all(u8::is_ascii_whitespace) || resp.body == b"{}";
    if resp.status == 404 || (resp.status == 200 && empty) {
        return Err(Error::not_found(format!(
            "tweet {id} does not exist or is not public"
        )));
    }
    let tweet: Value = resp.error_for_status()?.json()?;
    if tweet["__typename"] == "TweetTombstone" {
        let why = tweet["tombstone"]["text"]["text"]
            .as_str()
            .unwrap_or("the tweet is unavailable");
        return Err(
            if why.contains("Age-restricted") || why.contains("log in") {
                Error::login_required(why.to_string())
            } else {
                Error::private(why.to_string())
            },
        );
    }
    Ok(read(&tweet, id))
}

fn read(t: &Value, id: &str) -> Tweet {
    Tweet {
        id: t["id_str"].as_str().unwrap_or(id).to_string(),
        text: t["text"].as_str().unwrap_or_default().to_string(),
        author: t["user"]["name"].as_str().map(str::to_string),
        media: t["mediaDetails"].as_array().cloned().unwrap_or_default(),
        quoted: t["quoted_tweet"]
            .is_object()
            .then(|| Box::new(read(&t["quoted_tweet"], ""))),
    }
}
