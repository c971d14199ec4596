//! The tools. Each is a few lines over `grabkit-core`: the same gateway
//! calls (and so the same keys, permissions, rate limits and credits) and
//! the same JSON as the HTTP endpoint it mirrors.

use crate::answer::{failed, ok};
use crate::caller::Caller;
use crate::params::{
    GetBatchArgs, LinkArgs, PagedLinkArgs, Priority, RepliesArgs, SearchArgs, SubmitBatchArgs,
};
use grabkit_core::Coded;
use grabkit_core::gateway::Gateway;
use grabkit_core::jobs::json::{accepted_json, job_state, summary_json};
use grabkit_core::jobs::{ItemRequest, JobError, JobRequest, Jobs};
use grabkit_core::service::cache::CacheUse;
use grabkit_core::service::data_body::{DataEndpoint, data_request};
use grabkit_store::Key;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// grabkit's MCP server: the tools over one gateway (and jobs service).
#[derive(Clone)]
pub struct Grabkit {
    gateway: Gateway,
    jobs: Option<Arc<Jobs>>,
    caller: Caller,
    tool_router: ToolRouter<Self>,
}

impl Grabkit {
    pub fn new(gateway: Gateway, jobs: Option<Arc<Jobs>>, caller: Caller) -> Self {
        Grabkit {
            gateway,
            jobs,
            caller,
            tool_router: Self::tool_router(),
        }
    }

    /// The caller's key, or the tool error that refuses the call.
    async fn key(&self, ctx: &RequestContext<RoleServer>) -> Result<Key, CallToolResult> {
        self.caller
            .key(&self.gateway, ctx)
            .await
            .map_err(|e| failed(&e))
    }

    /// A data endpoint's call: the arguments as its body, checked by the
    /// HTTP endpoint's rules, then the gateway (one credit per page).
    async fn data(
        &self,
        ctx: &RequestContext<RoleServer>,
        endpoint: DataEndpoint,
        args: impl Serialize,
    ) -> CallToolResult {
        let started = Instant::now();
        let key = match self.key(ctx).await {
            Ok(k) => k,
            Err(refused) => return refused,
        };
        let body = serde_json::to_value(args).unwrap_or(Value::Null);
        let req = match data_request(endpoint, &body) {
            Ok(r) => r,
            Err(e) => {
                self.gateway.refuse(&key, "none", e.code(), started).await;
                return failed(&e);
            }
        };
        match self.gateway.data(&key, &req, started).await.result {
            Ok((_, data)) => ok(json!(data)),
            Err(e) => failed(&e),
        }
    }

    fn jobs(&self) -> Result<&Arc<Jobs>, CallToolResult> {
        self.jobs.as_ref().ok_or_else(|| {
            failed(&JobError::Invalid(
                "batch jobs are not running on this server".into(),
            ))
        })
    }
}

#[tool_router]
impl Grabkit {
    #[tool(
        description = "Parse a public post link (or share text containing one) into grabkit's unified media JSON: title, author, images, videos and audios with their direct URLs and the headers a download must send; one credit per success.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn parse_link(
        &self,
        Parameters(a): Parameters<LinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let started = Instant::now();
        let key = match self.key(&ctx).await {
            Ok(k) => k,
            Err(refused) => return refused,
        };
        let billed = self
            .gateway
            .parse(&key, &a.url, CacheUse::Normal, started)
            .await;
        match billed.result {
            Ok(parsed) => ok(json!(parsed.media)),
            Err(e) => failed(&e),
        }
    }

    #[tool(
        description = "Tell which platform and plugin would take a link, without fetching anything and without spending a credit.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn match_link(
        &self,
        Parameters(a): Parameters<LinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        if let Err(refused) = self.key(&ctx).await {
            return refused;
        }
        match self.gateway.service.route(&a.url) {
            Ok(route) => ok(route.match_json()),
            Err(e) => failed(&e),
        }
    }

    #[tool(
        description = "List the loaded platforms: each one's id, the link patterns it takes and what it offers (parse, comments, profile, posts, search, live).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_platforms(&self) -> CallToolResult {
        // An object, not a bare list: MCP's structured content is one.
        ok(json!({"platforms": self.gateway.service.platforms_json()}))
    }

    #[tool(
        description = "Get one page of a post's comments; pass the answer's cursor back for the next page while hasMore is true; one credit per page.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_comments(
        &self,
        Parameters(a): Parameters<PagedLinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Comments, a).await
    }

    #[tool(
        description = "Get one page of the replies to one comment of a post, by the comment id get_comments answered; one credit per page.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_comment_replies(
        &self,
        Parameters(a): Parameters<RepliesArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Replies, a).await
    }

    #[tool(
        description = "Get a user's profile (name, bio, followers, counts) from a profile link, or from a post link for its author; one credit.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_profile(
        &self,
        Parameters(a): Parameters<LinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Profile, a).await
    }

    #[tool(
        description = "Get one page of a user's posts, newest first, from a profile link; each post's url can go to parse_link; one credit per page.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_user_posts(
        &self,
        Parameters(a): Parameters<PagedLinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Posts, a).await
    }

    #[tool(
        description = "Search one platform (an id from list_platforms that offers search) by keywords for posts or users, a page at a time; one credit per page.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search(
        &self,
        Parameters(a): Parameters<SearchArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Search, a).await
    }

    #[tool(
        description = "Get a live room's state (live or offline), title, viewers and stream URLs from its link; one credit.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_live(
        &self,
        Parameters(a): Parameters<LinkArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        self.data(&ctx, DataEndpoint::Live, a).await
    }

    #[tool(
        description = "Queue many links to be parsed in the background and answer at once with a job_id and state \"pending\"; then poll get_batch for the results; one credit per link parsed.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            open_world_hint = true
        )
    )]
    async fn submit_batch(
        &self,
        Parameters(a): Parameters<SubmitBatchArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let key = match self.key(&ctx).await {
            Ok(k) => k,
            Err(refused) => return refused,
        };
        let jobs = match self.jobs() {
            Ok(j) => j,
            Err(refused) => return refused,
        };
        let req = JobRequest {
            items: a
                .items
                .into_iter()
                .map(|i| ItemRequest {
                    url: i.url,
                    meta: i.meta,
                })
                .collect(),
            urgent: matches!(a.priority, Some(Priority::Urgent)),
            webhook: None,
        };
        match jobs.submit(&key, req).await {
            Ok((id, items)) => {
                let mut v = accepted_json(&id, &items);
                v["state"] = "pending".into();
                ok(v)
            }
            Err(e) => failed(&e),
        }
    }

    #[tool(
        description = "Get a batch job's state (pending, running, done or cancelled), its counts, and its events after the event id `after`: one `item` event per finished link with its media `result` or `error`, then `done`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_batch(
        &self,
        Parameters(a): Parameters<GetBatchArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> CallToolResult {
        let key = match self.key(&ctx).await {
            Ok(k) => k,
            Err(refused) => return refused,
        };
        let jobs = match self.jobs() {
            Ok(j) => j,
            Err(refused) => return refused,
        };
        let after = a.after.unwrap_or(0).max(0);
        let (job, events) = match jobs.job(&key, &a.job_id).await {
            Ok(job) => match jobs.events(&key, &a.job_id, after).await {
                Ok(events) => (job, events),
                Err(e) => return failed(&e),
            },
            Err(e) => return failed(&e),
        };
        let next_after = events.last().map_or(after, |e| e.id);
        let events: Vec<Value> = events
            .iter()
            .map(|e| {
                let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                json!({"id": e.id, "kind": e.kind, "data": data})
            })
            .collect();
        let mut v = summary_json(&job);
        v["state"] = job_state(&job).into();
        v["events"] = events.into();
        v["next_after"] = next_after.into();
        ok(v)
    }
}

#[tool_handler(
    router = self.tool_router,
    name = "grabkit",
    instructions = "grabkit turns public media links (Bilibili, Douyin, Kuaishou, Xiaohongshu, Weibo, WeChat Channels, X, TikTok, Instagram, YouTube…) into one unified JSON. Use parse_link for a post's media, match_link to check a link for free, list_platforms for what each platform offers, the get_* tools and search for comments, profiles, posts and live rooms, and submit_batch/get_batch for many links. Failures are tool errors with a stable `code`."
)]
impl ServerHandler for Grabkit {}
