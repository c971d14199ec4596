//! `grabkit accounts …`: the admin account endpoints of the running
//! server, so an import or a change applies at once, with no restart.

use crate::cli::{AccountsCommand, RemoteArgs};
use serde_json::{Value, json};
use std::io::Read;
use std::process::ExitCode;

pub async fn accounts(action: AccountsCommand, args: &RemoteArgs) -> anyhow::Result<ExitCode> {
    let (base, token) = args.resolve()?;
    if token.is_empty() {
        anyhow::bail!("no admin token: set GRABKIT_ADMIN_TOKEN (or --admin-token)");
    }
    let api = Admin {
        client: reqwest::Client::new(),
        base: format!("{base}/api/v1/admin/accounts"),
        token,
    };
    let answer = match action {
        AccountsCommand::Import {
            platform,
            file,
            label,
            user_agent,
            proxy,
        } => {
            let cookies = read_input(&file)?;
            let body = json!({"platform": platform, "cookies": cookies, "label": label,
                "userAgent": user_agent, "proxy": proxy});
            api.call(reqwest::Method::POST, "", Some(body)).await?
        }
        AccountsCommand::List { platform, json } => {
            let q = platform
                .map(|p| format!("?platform={p}"))
                .unwrap_or_default();
            let all = api.call(reqwest::Method::GET, &q, None).await?;
            if !json {
                print_table(&all);
                return Ok(ExitCode::SUCCESS);
            }
            all
        }
        AccountsCommand::Edit {
            id,
            label,
            enable,
            disable,
        } => {
            let mut body = json!({});
            if let Some(l) = label {
                body["label"] = l.into();
            }
            if enable || disable {
                body["enabled"] = enable.into();
            }
            api.call(reqwest::Method::PATCH, &format!("/{id}"), Some(body))
                .await?
        }
        AccountsCommand::Remove { id } => {
            api.call(reqwest::Method::DELETE, &format!("/{id}"), None)
                .await?
        }
        AccountsCommand::Check { id, url } => {
            let body = json!({"url": url});
            let got = api
                .call(reqwest::Method::POST, &format!("/{id}/check"), Some(body))
                .await?;
            println!("{}", serde_json::to_string_pretty(&got)?);
            let passed = got["passed"].as_bool().unwrap_or(false);
            return Ok(if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
    };
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(ExitCode::SUCCESS)
}

struct Admin {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    /// One call; the envelope's `data`, or its error as the failure.
    async fn call(
        &self,
        m: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut req = self.client.request(m, &url).bearer_auth(&self.token);
        if let Some(b) = body {
            let b = strip_nulls(b);
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot reach the server at {url}: {e}"))?;
        let text = resp.text().await?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|_| anyhow::anyhow!("the server did not answer JSON: {text}"))?;
        if v["status"] != 200 {
            anyhow::bail!("{} ({})", v["msg"].as_str().unwrap_or("failed"), v["code"]);
        }
        Ok(v["data"].clone())
    }
}

/// Absent flags are left out, not sent as `null` (which would clear).
fn strip_nulls(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, x| !x.is_null());
    }
    v
}

fn read_input(file: &std::path::Path) -> anyhow::Result<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        return Ok(s);
    }
    std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))
}

fn print_table(all: &Value) {
    println!(
        "{:>5}  {:<16} {:<20} {:<13} {:>6} {:>6}  expires",
        "id", "platform", "label", "state", "uses", "score"
    );
    for a in all.as_array().into_iter().flatten() {
        println!(
            "{:>5}  {:<16} {:<20} {:<13} {:>6} {:>6}  {}",
            a["id"],
            a["platform"].as_str().unwrap_or(""),
            a["label"].as_str().unwrap_or(""),
            a["state"].as_str().unwrap_or(""),
            a["health"]["uses"],
            a["health"]["score"],
            a["cookiesExpireAt"].as_str().unwrap_or("-"),
        );
    }
}
