//! Schemas of the bodies and answers whose JSON the handlers build by hand
//! (checked field by field, or written with `json!`). They exist for the
//! document; the OpenAPI test validates real answers against them, so a
//! shape that drifts from its schema fails there.

#![allow(dead_code)] // fields are read by the schema derive only

use grabkit_core::jobs::{PlatformFigures, PlatformTotals};
use serde_json::Value;
use utoipa::ToSchema;

/// The Easydown envelope of a success: `status` 200 (201 on a create),
/// the answer in `data`, `msg` "success".
#[derive(ToSchema)]
pub struct Envelope<T: ToSchema> {
    #[schema(example = 200)]
    pub status: u16,
    pub data: T,
    #[schema(example = "success")]
    pub msg: String,
}

/// The envelope of a failure: `data` is null and `code` is one of the
/// stable codes (the table in the document's description gives each one's
/// HTTP status).
#[derive(ToSchema)]
pub struct ErrorAnswer {
    pub status: u16,
    /// Always `null`.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
    pub msg: String,
    pub code: ErrorCode,
}

/// A stable error code (the full list is filled in from the server's table).
#[derive(ToSchema)]
pub struct ErrorCode(String);

/// A link, or text that contains one (share text works).
#[derive(ToSchema)]
pub struct ParseBody {
    #[schema(example = "https://www.bilibili.com/video/BV117411r7R1")]
    pub url: String,
    /// `"no"` skips the result cache for this parse.
    #[schema(value_type = Option<String>, pattern = "^(yes|no)$")]
    pub cache: Option<String>,
}

#[derive(ToSchema)]
pub struct UrlBody {
    pub url: String,
}

/// A page request: a link, and the cursor of the previous page.
#[derive(ToSchema)]
pub struct PagedBody {
    pub url: String,
    /// `cursor` of the previous answer; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 50.
    #[schema(minimum = 1, maximum = 50)]
    pub count: Option<u32>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct RepliesBody {
    /// The post's link.
    pub url: String,
    pub comment_id: String,
    pub cursor: Option<String>,
    #[schema(minimum = 1, maximum = 50)]
    pub count: Option<u32>,
}

#[derive(ToSchema)]
pub struct SearchBody {
    #[schema(example = "bilibili")]
    pub platform: String,
    #[schema(max_length = 200)]
    pub query: String,
    /// `posts` (default) or `users`.
    #[schema(pattern = "^(posts|users)$")]
    pub kind: Option<String>,
    pub cursor: Option<String>,
    #[schema(minimum = 1, maximum = 50)]
    pub count: Option<u32>,
}

/// Which platform and plugin take a link (no upstream request, no credit).
#[derive(ToSchema)]
pub struct MatchAnswer {
    pub url: String,
    pub platform: String,
    pub plugin: String,
    pub version: String,
}

/// An API key as the API shows it (never its token, except `token` once
/// on create and reset).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct KeyView {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    /// RFC 3339.
    pub created_at: String,
    pub expires_at: Option<String>,
    /// Platform ids, or `["all"]`.
    pub platforms: Vec<String>,
    /// `null` is unlimited.
    pub credits: Option<i64>,
    pub enabled: bool,
    pub last_used_at: Option<String>,
    pub rate_per_sec: Option<u32>,
    pub rate_burst: Option<u32>,
    /// Only in the answer to a create or a reset: the token, shown once.
    pub token: Option<String>,
    /// Only in `GET /api/v1/admin/keys/{id}`: requests and charges.
    pub usage: Option<KeyUsage>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct KeyUsage {
    pub today: Counts,
    pub total: Counts,
    pub by_platform: std::collections::BTreeMap<String, Counts>,
    pub by_outcome: std::collections::BTreeMap<String, u64>,
}

#[derive(ToSchema)]
pub struct Counts {
    pub requests: u64,
    /// Requests that cost a credit.
    pub charged: u64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct UsageAnswer {
    pub key: KeyView,
    pub credits: Option<i64>,
    #[serde(flatten)]
    pub usage: KeyUsage,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct FeedTokenView {
    pub id: i64,
    pub label: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Only in the answer to a create: the token, shown once.
    pub token: Option<String>,
}

#[derive(ToSchema)]
pub struct LabelBody {
    pub label: Option<String>,
}

#[derive(ToSchema)]
pub struct Revoked {
    pub id: i64,
    pub revoked: bool,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct BreakerView {
    /// `closed`, `open` or `half_open`.
    pub state: String,
    pub upstream_failures: u64,
    pub recent: u64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct CapabilityView {
    /// `comments`, `profile`, `posts`, `search` or `live`.
    pub name: String,
    pub url_patterns: Vec<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PlatformView {
    pub id: String,
    pub plugin: String,
    pub version: String,
    /// The WIT contract the plugin was built against, e.g. `0.4.0`.
    pub contract: String,
    pub url_patterns: Vec<String>,
    /// Every endpoint the platform answers (`parse`, `comments`, …).
    pub offers: Vec<String>,
    pub capabilities: Vec<CapabilityView>,
    pub allowed_hosts: Vec<String>,
    pub breaker: BreakerView,
    /// From the canaries' latest round (`unknown` without canaries).
    pub health: grabkit_core::service::canary::CanaryStatus,
    pub accounts: AccountsSummary,
}

/// What a delete answers.
#[derive(serde::Serialize, ToSchema)]
pub struct Deleted {
    pub id: i64,
    pub deleted: bool,
}

/// A platform's accounts: how many, and how many can take a parse now.
#[derive(ToSchema)]
pub struct AccountsSummary {
    pub total: u64,
    pub ready: u64,
}

/// One account check (`POST /api/v1/admin/accounts/{id}/check`).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountCheck {
    pub url: String,
    pub passed: bool,
    /// The failure's code, when it failed.
    pub code: Option<&'static str>,
    pub message: Option<String>,
    pub elapsed_ms: u64,
    /// The account after the check (its health counts it).
    pub account: grabkit_core::sessions::view::AccountView,
    /// The parse's media, when it passed.
    pub media: Option<grabkit_core::service::MediaJson>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PluginView {
    pub name: String,
    pub version: String,
    pub platform: String,
    pub digest: String,
    pub contract: String,
    /// RFC 3339.
    pub loaded_at: String,
    pub source: String,
    pub url_patterns: Vec<String>,
    pub allowed_hosts: Vec<String>,
    pub last_load_error: Option<String>,
    pub can_roll_back: bool,
    pub parses: u64,
    pub plugin_failures: u64,
}

/// What the last load of one plugin file did.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct FileView {
    pub source: String,
    pub digest: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub error: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
}

#[derive(ToSchema)]
pub struct CacheCounters {
    pub hits: u64,
    pub compiles: u64,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PluginsAnswer {
    pub plugins: Vec<PluginView>,
    pub files: Vec<FileView>,
    pub compile_cache: CacheCounters,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Health {
    pub healthy: bool,
    pub plugins: u64,
    pub load_failures: u64,
}

/// A job's state (field names as the batch seed's, snake_case).
#[derive(ToSchema)]
pub struct JobView {
    pub job_id: String,
    pub kind: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub cancelled: bool,
    /// Items by state: `queued`, `running`, `done`, `failed`, `cancelled`.
    #[schema(value_type = Object)]
    pub counts: Value,
    pub total: u64,
    #[schema(value_type = Object)]
    pub by_platform: Value,
    #[schema(value_type = Option<Object>)]
    pub webhook: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub webhook_attempts: Vec<Value>,
    pub last_event_id: i64,
    /// Server-sent events of the job (`Last-Event-ID` resumes).
    pub stream_url: String,
}

#[derive(ToSchema)]
pub struct JobList {
    pub jobs: Vec<JobView>,
    /// Opaque; pass as `?cursor=` for the next page.
    pub cursor: Option<String>,
    pub has_more: bool,
}

/// A job taken: its id, where its events stream, and each item's id (or
/// why it was refused at once).
#[derive(ToSchema)]
pub struct JobAccepted {
    pub job_id: String,
    pub stream_url: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

#[derive(ToSchema)]
pub struct Moved {
    pub job_id: String,
    pub moved: u64,
}

#[derive(ToSchema)]
pub struct PoolAnswer {
    pub platforms: std::collections::BTreeMap<String, PlatformFigures>,
    pub totals: PlatformTotals,
}

#[derive(ToSchema)]
pub struct PoolPlatform {
    pub platform: String,
    pub figures: PlatformFigures,
}
