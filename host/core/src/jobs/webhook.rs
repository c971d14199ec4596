//! Webhook deliveries: a job's summary (and, when asked, each item) POSTed
//! to the job's https URL through the sandbox, so the same address rules
//! hold (no private, loopback or metadata addresses, checked when it
//! connects). Signed with HMAC-SHA256 over `{timestamp}.{body}` when the
//! job has a secret; retried with doubling waits; every attempt recorded.

use grabkit_egress::{HostPolicy, Outbound, Sandbox};
use grabkit_store::jobs::JobStore;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// A webhook URL must be https with a host (checked again at delivery).
pub fn check_target(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|e| format!("`webhook.url` is not a URL: {e}"))?;
    if u.scheme() != "https" {
        return Err("`webhook.url` must be an https URL".into());
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err("`webhook.url` has no host".into());
    }
    Ok(())
}

/// `sha256=` + hex HMAC-SHA256 of `{timestamp}.{body}` under `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// One payload to deliver.
pub struct Delivery {
    pub sandbox: Arc<Sandbox>,
    pub store: Arc<dyn JobStore>,
    pub job_id: String,
    pub url: String,
    pub secret: Option<String>,
    /// `done` or `item`.
    pub kind: String,
    pub body: String,
    pub tries: u32,
    pub backoff: Duration,
}

impl Delivery {
    pub async fn run(self) {
        let host = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let policy = HostPolicy::new(vec![host], Vec::new(), Vec::new());
        let mut wait = self.backoff;
        for attempt in 1..=self.tries.max(1) {
            let at = crate::clock::now();
            let mut headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("User-Agent".to_string(), "grabkit-webhook".to_string()),
                ("X-Grabkit-Event".to_string(), self.kind.clone()),
                ("X-Grabkit-Job".to_string(), self.job_id.clone()),
                ("X-Grabkit-Timestamp".to_string(), at.to_string()),
            ];
            if let Some(secret) = &self.secret {
                let sig = signature(secret, at, self.body.as_bytes());
                headers.push(("X-Grabkit-Signature".to_string(), sig));
            }
            let req = Outbound {
                method: reqwest::Method::POST,
                url: self.url.clone(),
                headers,
                body: Some(self.body.clone().into_bytes()),
                follow_redirects: false,
                timeout: Some(Duration::from_secs(10)),
            };
            let result = self.sandbox.open(&policy, req).await;
            let (ok, record) = match result {
                Ok((resp, _)) => {
                    let status = resp.status().as_u16();
                    let ok = (200..300).contains(&status);
                    (
                        ok,
                        serde_json::json!({"attempt": attempt, "at": at, "event": self.kind, "status": status}),
                    )
                }
                Err(e) => (
                    false,
                    serde_json::json!({"attempt": attempt, "at": at, "event": self.kind, "error": e.to_string()}),
                ),
            };
            if let Err(e) = self
                .store
                .webhook_attempt(&self.job_id, &record.to_string())
                .await
            {
                tracing::warn!(error = %e, "recording a webhook attempt failed");
            }
            if ok {
                return;
            }
            // A refused address will not become acceptable by waiting.
            if record["error"]
                .as_str()
                .is_some_and(|e| e.contains("private") || e.contains("not allowed"))
            {
                return;
            }
            if attempt < self.tries {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_targets() {
        assert!(check_target("https://hooks.example.com/x").is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "ftp://x/y",
            "not a url",
            "https://",
        ] {
            assert!(check_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn signatures_cover_the_timestamp_and_the_body() {
        let a = signature("s3cret", 1_764_576_000, b"{\"a\":1}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64);
        assert_ne!(a, signature("s3cret", 1_764_576_001, b"{\"a\":1}"));
        assert_ne!(a, signature("other", 1_764_576_000, b"{\"a\":1}"));
        assert_eq!(a, signature("s3cret", 1_764_576_000, b"{\"a\":1}"));
    }
}
