//! The tools' arguments. Field names are the HTTP bodies' (`commentId`…),
//! so the data tools hand their arguments, as JSON, to the same body
//! checks the HTTP endpoints run (`grabkit_core::service::data_body`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A link and nothing else.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkArgs {
    /// The link, or share text that contains one.
    pub url: String,
}

/// A link and a page of what it holds.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagedLinkArgs {
    /// The link, or share text that contains one.
    pub url: String,
    /// The `cursor` of the previous answer, for the next page; omit for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 50 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50))]
    pub count: Option<u32>,
}

/// One comment's replies.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RepliesArgs {
    /// The post's link, or share text that contains it.
    pub url: String,
    /// The comment's `id`, as `get_comments` answered it.
    pub comment_id: String,
    /// The `cursor` of the previous answer, for the next page; omit for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 50 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50))]
    pub count: Option<u32>,
}

/// What a search looks for.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    Posts,
    Users,
}

/// A keyword search on one platform.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// The platform id, as `list_platforms` names it (e.g. `bilibili`).
    pub platform: String,
    /// The keywords, at most 200 characters.
    pub query: String,
    /// `posts` (default) or `users`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SearchKind>,
    /// The `cursor` of the previous answer, for the next page; omit for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Items per page, 1 to 50 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 50))]
    pub count: Option<u32>,
}

/// One link of a batch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    /// A post link, or share text that contains one.
    pub url: String,
    /// Any JSON; echoed back with this link's result.
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
}

/// How soon a batch's links run.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Normal,
    Urgent,
}

/// A batch of links to parse in the background.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBatchArgs {
    /// The links (the server's `[jobs] max_items`, 500 by default, at most).
    pub items: Vec<BatchItem>,
    /// `urgent` runs these links ahead of normal ones (default `normal`).
    #[serde(default)]
    pub priority: Option<Priority>,
}

/// A batch to look at.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetBatchArgs {
    /// The `job_id` that `submit_batch` answered.
    pub job_id: String,
    /// The last event id already seen (`next_after` of the previous
    /// answer); only later events are returned. Default 0: from the start.
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub after: Option<i64>,
}
