//! Kuaishou's web GraphQL API (`www.kuaishou.com/graphql`, the route amagi
//! and MediaCrawler use): comments, replies, profiles and a user's posts.
//! It answers only with a leased account's web session; without one the
//! capabilities say so (`login_required`) instead of trying.

use grabkit_sdk::prelude::*;

const ENDPOINT: &str = "https://www.kuaishou.com/graphql";

pub const COMMENTS: &str = "query commentListQuery($photoId: String, $pcursor: String) {
  visionCommentList(photoId: $photoId, pcursor: $pcursor) {
    commentCount pcursor
    rootComments { commentId authorId authorName content headurl timestamp likedCount
      subCommentCount subCommentsPcursor }
  }
}";

pub const REPLIES: &str = "query visionSubCommentList($photoId: String, $rootCommentId: String, $pcursor: String) {
  visionSubCommentList(photoId: $photoId, rootCommentId: $rootCommentId, pcursor: $pcursor) {
    pcursor
    subComments { commentId authorId authorName content headurl timestamp likedCount replyToUserName }
  }
}";

pub const PROFILE: &str = "query visionProfile($userId: String) {
  visionProfile(userId: $userId) {
    result
    userProfile {
      ownerCount { fan photo follow photo_public }
      profile { gender user_name user_id headurl user_text }
    }
  }
}";

pub const POSTS: &str =
    "query visionProfilePhotoList($pcursor: String, $userId: String, $page: String) {
  visionProfilePhotoList(pcursor: $pcursor, userId: $userId, page: $page) {
    result pcursor
    feeds { type
      author { id name headerUrl }
      photo { id duration caption likeCount realLikeCount coverUrl timestamp viewCount photoUrl }
    }
  }
}";

pub const DETAIL: &str = "query visionVideoDetail($photoId: String, $type: String, $page: String, $webPageArea: String) {
  visionVideoDetail(photoId: $photoId, type: $type, page: $page, webPageArea: $webPageArea) {
    status type
    author { id name headerUrl }
    photo { id duration caption likeCount realLikeCount coverUrl photoUrl photoH265Url timestamp viewCount }
  }
}";

/// Whether the host leased an account (the GraphQL routes are worth trying).
pub fn has_session() -> bool {
    account::present()
}

/// Run `query` and return `data.{field}`.
pub fn call(
    what: &str,
    operation: &str,
    query: &str,
    variables: Value,
    field: &str,
) -> Result<Value> {
    account::require("kuaishou", what)?;
    let body = json!({ "operationName": operation, "variables": variables, "query": query });
    let resp: Value = Client::new()
        .user_agent(ua::DESKTOP)
        .post(ENDPOINT)
        .header("Referer", "https://www.kuaishou.com/new-reco")
        .header("Origin", "https://www.kuaishou.com")
        .json(&body)
        .json_response()
        .context(what)?;
    if let Some(e) = resp["errors"].as_array().and_then(|e| e.first()) {
        let msg = e["message"].as_str().unwrap_or("error");
        return Err(Error::upstream(format!("{what}: GraphQL said: {msg}")));
    }
    let data = &resp["data"][field];
    match data["result"].as_i64() {
        Some(2) | Some(50) => Err(Error::rate_limited(format!(
            "{what}: Kuaishou refused the session (result {}: anti-bot, or the cookie expired)",
            data["result"]
        ))),
        Some(r) if r != 1 => Err(Error::not_found(format!("{what}: result {r}"))),
        _ if data.is_null() => Err(Error::login_required(format!(
            "{what}: no data (the cookie is not a signed-in session, or expired)"
        ))),
        _ => Ok(data.clone()),
    }
}
