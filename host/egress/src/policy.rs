//! A plugin's outbound policy: the hosts it declared, narrowed (never
//! widened) by the operator, and which of them may be reached over http.

use grabkit_urlkit::host_matches;

#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// Declared rules (`exact` or `*.suffix`).
    declared: Vec<String>,
    /// Operator's narrowing rules; empty means "all declared".
    narrowed: Vec<String>,
    /// Declared hosts that may use plain http.
    insecure: Vec<String>,
}

impl HostPolicy {
    pub fn new(declared: Vec<String>, narrowed: Vec<String>, insecure: Vec<String>) -> Self {
        HostPolicy {
            declared,
            narrowed,
            insecure,
        }
    }

    /// May the plugin contact `host` at all?
    pub fn allows(&self, host: &str) -> bool {
        self.declared.iter().any(|r| host_matches(r, host))
            && (self.narrowed.is_empty() || self.narrowed.iter().any(|r| host_matches(r, host)))
    }

    /// May it use plain http with `host`?
    pub fn allows_http(&self, host: &str) -> bool {
        self.allows(host) && self.insecure.iter().any(|r| host_matches(r, host))
    }

    /// The rules in force, for display.
    pub fn effective(&self) -> Vec<String> {
        if self.narrowed.is_empty() {
            self.declared.clone()
        } else {
            self.narrowed
                .iter()
                .filter(|n| {
                    self.declared
                        .iter()
                        .any(|d| host_matches(d, n.trim_start_matches("*.")))
                })
                .cloned()
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_narrows_never_widens() {
        let p = HostPolicy::new(
            vec!["api.a.com".into(), "*.cdn.a.com".into()],
            vec![],
            vec![],
        );
        assert!(p.allows("api.a.com") && p.allows("x.cdn.a.com") && !p.allows("evil.com"));
        let p = HostPolicy::new(
            vec!["api.a.com".into(), "*.cdn.a.com".into()],
            vec!["api.a.com".into(), "evil.com".into()],
            vec![],
        );
        assert!(p.allows("api.a.com"));
        assert!(!p.allows("x.cdn.a.com"), "narrowed away");
        assert!(!p.allows("evil.com"), "operator cannot widen");
        assert_eq!(p.effective(), vec!["api.a.com".to_string()]);
    }

    #[test]
    fn http_only_where_declared() {
        let p = HostPolicy::new(vec!["*.a.com".into()], vec![], vec!["plain.a.com".into()]);
        assert!(p.allows_http("plain.a.com"));
        assert!(!p.allows_http("api.a.com"));
    }
}
