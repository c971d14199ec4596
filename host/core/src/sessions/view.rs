//! An account as the admin API shows it: cookie names, domains and expiry,
//! never a value; the proxy without its credentials; state and health.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Negative for the config file's cookie (read-only here).
    pub id: i64,
    pub platform: String,
    pub label: String,
    pub enabled: bool,
    /// `store` (imported) or `config` (the config file's `cookie`).
    pub source: &'static str,
    /// `ready`, `busy`, `cooling_down`, `expired` or `disabled`.
    pub state: &'static str,
    pub cookies: Vec<CookieView>,
    /// When the first cookie with an expiry runs out (RFC 3339).
    pub cookies_expire_at: Option<String>,
    pub user_agent: Option<String>,
    /// The proxy's scheme, host and port (credentials left out).
    pub proxy: Option<String>,
    pub health: HealthView,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// One cookie, its value masked.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CookieView {
    pub name: String,
    pub domain: Option<String>,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    pub expires_at: Option<String>,
    /// The value's length: enough to tell two imports apart.
    pub value_length: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthView {
    /// 0 to 1: what the chooser ranks by.
    pub score: f64,
    /// Successes over the recent window, `null` before the first use.
    pub success_rate: Option<f64>,
    pub uses: u64,
    pub in_flight: u32,
    pub last_used_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_failure_at: Option<String>,
    pub last_failure_code: Option<&'static str>,
    pub cooling_until: Option<String>,
}

/// How many of `views` each platform has in each state (one list read
/// serves both the counts and the rows beside them).
pub fn census(views: &[AccountView]) -> std::collections::BTreeMap<(&str, &'static str), u64> {
    let mut out = std::collections::BTreeMap::new();
    for v in views {
        *out.entry((v.platform.as_str(), v.state)).or_default() += 1;
    }
    out
}

/// `http://user:pw@10.0.0.2:3128` → `http://10.0.0.2:3128`.
pub(super) fn masked_proxy(p: &str) -> String {
    match url::Url::parse(p) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            match u.port() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Err(_) => "(unreadable)".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_proxy_shows_without_its_credentials() {
        let m = super::masked_proxy;
        assert_eq!(m("http://u:secret@10.0.0.2:3128"), "http://10.0.0.2:3128");
        assert_eq!(m("https://proxy.example"), "https://proxy.example");
    }
}
