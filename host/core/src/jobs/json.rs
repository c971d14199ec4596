//! The jobs' public JSON (the batch seed's field names), shared by the
//! HTTP API and the MCP tools.

use super::Accepted;
use crate::clock::format_time;
use grabkit_store::jobs::JobSummary;
use serde_json::{Value, json};

/// Where a job's events stream over HTTP.
pub fn stream_url(job_id: &str) -> String {
    format!("/api/v1/jobs/{job_id}/events")
}

/// What submitting a job answers: its id, its stream, each link's item.
pub fn accepted_json(job_id: &str, items: &[Accepted]) -> Value {
    json!({"job_id": job_id, "stream_url": stream_url(job_id), "items": items})
}

/// The public view of a job.
pub fn summary_json(j: &JobSummary) -> Value {
    json!({
        "job_id": j.id, "kind": j.kind, "created_at": format_time(j.created_at),
        "finished_at": j.finished_at.map(format_time), "cancelled": j.cancelled,
        "counts": j.counts, "total": j.counts.total(), "by_platform": j.by_platform,
        "webhook": j.webhook, "webhook_attempts": j.webhook_attempts,
        "last_event_id": j.last_event_id, "stream_url": stream_url(&j.id),
    })
}

/// One word for where a job is: `pending` (nothing finished yet),
/// `running`, `done` or `cancelled`.
pub fn job_state(j: &JobSummary) -> &'static str {
    let c = &j.counts;
    if j.cancelled {
        "cancelled"
    } else if c.settled() {
        "done"
    } else if c.running == 0 && c.done == 0 && c.failed == 0 {
        "pending"
    } else {
        "running"
    }
}
