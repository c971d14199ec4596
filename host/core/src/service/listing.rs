//! The public views of routing, shared by every surface: the loaded
//! platforms (`GET /api/v1/platforms`) and which plugin takes a link
//! (`POST /api/v1/match`).

use super::{ParseService, RouteInfo};
use serde_json::{Value, json};

impl ParseService {
    /// Every loaded plugin: id, version, contract, link patterns, what it
    /// offers, allowed hosts, its breaker, canary health and accounts.
    pub fn platforms_json(&self) -> Vec<Value> {
        let table = self.registry.table();
        let accounts = self.accounts().list(None, crate::clock::now());
        table
            .plugins
            .iter()
            .map(|p| {
                let (state, failures, recent) = self.breaker(&p.platform);
                let breaker =
                    json!({"state": state, "upstreamFailures": failures, "recent": recent});
                let caps: Vec<_> = p
                    .capabilities
                    .iter()
                    .map(|c| json!({"name": c.name(), "urlPatterns": c.pattern_sources}))
                    .collect();
                let offers = super::data::offers(p);
                let mine = accounts.iter().filter(|a| a.platform == p.platform);
                let (total, ready) = mine.fold((0, 0), |(t, r), a| {
                    (t + 1, r + u64::from(a.state == "ready"))
                });
                let accounts = json!({"total": total, "ready": ready});
                json!({
                    "id": p.platform, "plugin": p.name, "version": p.version,
                    "contract": p.contract.to_string(), "urlPatterns": p.pattern_sources,
                    "offers": offers, "capabilities": caps, "allowedHosts": p.effective_hosts(),
                    "breaker": breaker, "health": self.canaries.status(&p.platform),
                    "accounts": accounts,
                })
            })
            .collect()
    }
}

impl RouteInfo {
    /// A match: the link as routed, its platform and plugin.
    pub fn match_json(&self) -> Value {
        json!({
            "url": self.url.as_str(), "platform": self.platform, "plugin": self.plugin,
            "version": self.version,
        })
    }
}
