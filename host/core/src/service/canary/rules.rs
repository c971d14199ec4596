//! Canaries (issue 16): operator-chosen links parsed on a jittered schedule
//! to tell a platform's health before users do, and right after a hot swap
//! to decide whether the new build stays. Pure: callers run the parses and
//! pass the results and the time.

/// When the next round runs: every `every_secs`, moved by up to
/// `jitter_secs` either way so that many hosts do not probe in step.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub every_secs: i64,
    pub jitter_secs: i64,
}

impl Schedule {
    /// The next round after one at `last`; `seed` is any per-platform,
    /// per-round number (a hash of both), so the jitter is spread but
    /// reproducible.
    pub fn next(&self, last: i64, seed: u64) -> i64 {
        let every = self.every_secs.max(1);
        let jitter = self.jitter_secs.clamp(0, every / 2);
        let span = 2 * jitter + 1;
        let offset = (seed % span as u64) as i64 - jitter;
        last + every + offset
    }
}

/// One canary link's last result: `None` passed, else its error code.
pub type Outcome = Option<String>;

/// A platform's health from its canaries' latest round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Every canary passed.
    Ok,
    /// Some failed.
    Degraded,
    /// All failed.
    Down,
    /// No canaries configured, or none has run.
    Unknown,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Degraded => "degraded",
            Health::Down => "down",
            Health::Unknown => "unknown",
        }
    }
}

pub fn health(round: &[Outcome]) -> Health {
    let failed = round.iter().filter(|r| r.is_some()).count();
    match (round.len(), failed) {
        (0, _) => Health::Unknown,
        (_, 0) => Health::Ok,
        (n, f) if f == n => Health::Down,
        _ => Health::Degraded,
    }
}

/// After a swap: roll back when a canary the previous build passed now
/// fails with the new one; the reason names the link and the code. A link
/// failing for both builds is the platform's doing, not the build's.
pub fn regression(links: &[String], before: &[Outcome], after: &[Outcome]) -> Option<String> {
    links
        .iter()
        .zip(before.iter().zip(after))
        .find_map(|(link, (b, a))| match (b, a) {
            (None, Some(code)) => Some(format!(
                "canary {link} passed with the previous build and fails with this one ({code})"
            )),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One round's outcomes, as written in a table.
    type Round<'a> = &'a [Option<&'a str>];

    fn r(codes: Round) -> Vec<Outcome> {
        codes.iter().map(|c| c.map(String::from)).collect()
    }

    #[test]
    fn rounds_are_spread_around_the_period() {
        let s = Schedule {
            every_secs: 600,
            jitter_secs: 60,
        };
        let nexts: Vec<i64> = (0..500).map(|seed| s.next(1000, seed)).collect();
        assert!(nexts.iter().all(|t| (1540..=1660).contains(t)), "{nexts:?}");
        assert!(
            nexts.contains(&1540) && nexts.contains(&1660),
            "the whole span is used"
        );
        assert_eq!(s.next(1000, 7), s.next(1000, 7), "reproducible");
        let wild = Schedule {
            every_secs: 10,
            jitter_secs: 1000,
        };
        assert!(
            (0..50).all(|seed| (15..=25).contains(&wild.next(10, seed))),
            "jitter at most half"
        );
        let none = Schedule {
            every_secs: 0,
            jitter_secs: 0,
        };
        assert_eq!(none.next(5, 3), 6, "at least a second apart");
    }

    #[test]
    fn health_of_a_round() {
        let cases: &[(Round, Health)] = &[
            (&[], Health::Unknown),
            (&[None, None], Health::Ok),
            (&[None, Some("upstream_failed")], Health::Degraded),
            (
                &[Some("login_required"), Some("upstream_failed")],
                Health::Down,
            ),
        ];
        for (round, want) in cases {
            assert_eq!(health(&r(round)), *want, "{round:?}");
        }
    }

    #[test]
    fn only_a_new_failure_rolls_back() {
        let links = vec![
            "https://b23.tv/a".to_string(),
            "https://b23.tv/b".to_string(),
        ];
        let cases: &[(Round, Round, Option<&str>)] = &[
            (&[None, None], &[None, None], None),
            (&[None, Some("not_found")], &[None, Some("not_found")], None),
            (
                &[Some("upstream_failed"), None],
                &[Some("upstream_failed"), None],
                None,
            ),
            (&[Some("upstream_failed"), None], &[None, None], None),
            (
                &[None, None],
                &[None, Some("parse_failed")],
                Some("https://b23.tv/b"),
            ),
            (
                &[None, None],
                &[Some("plugin_crashed"), None],
                Some("(plugin_crashed)"),
            ),
        ];
        for (before, after, want) in cases {
            let got = regression(&links, &r(before), &r(after));
            match want {
                None => assert_eq!(got, None, "{before:?} → {after:?}"),
                Some(w) => assert!(got.as_deref().is_some_and(|g| g.contains(w)), "{got:?}"),
            }
        }
    }
}
