//! Choosing an account for a parse, and what the parse's answer does to it.
//! Pure: callers pass the time (Unix seconds), so the rules are tested as
//! tables. The healthiest ready account wins: success share over a recent
//! window, with rate-limit and login answers counting against it; after one
//! of those the account cools down (doubling, capped); repeated login
//! failures, or cookies past their expiry, mark it expired.

use std::collections::VecDeque;

/// The operator's knobs (`[accounts]`).
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How many recent answers the score looks at.
    pub window: usize,
    /// Parses one account runs at once.
    pub max_in_flight: u32,
    pub cooldown_base_secs: i64,
    pub cooldown_cap_secs: i64,
    /// Login-required answers in a row after which the account is expired.
    pub expire_after_login_failures: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: 20,
            max_in_flight: 2,
            cooldown_base_secs: 30,
            cooldown_cap_secs: 30 * 60,
            expire_after_login_failures: 3,
        }
    }
}

/// What a parse with the account answered, as far as the account goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `upstream_rate_limited`: this identity is asking too often.
    RateLimited,
    /// `login_required`: the platform no longer takes the session.
    LoginRequired,
    /// Any other upstream failure: counts in the score, no cooldown.
    Failed,
}

impl Outcome {
    /// The parse's error code for each failure (a success has none).
    pub fn code(self) -> Option<&'static str> {
        match self {
            Outcome::Success => None,
            Outcome::RateLimited => Some("upstream_rate_limited"),
            Outcome::LoginRequired => Some("login_required"),
            Outcome::Failed => Some("upstream_failed"),
        }
    }

    /// What a parse that ended with `code` (`None`: it succeeded) says
    /// about its account; `None` when nothing (a missing post, a crash).
    pub fn of(code: Option<&str>) -> Option<Outcome> {
        let all = [
            Outcome::Success,
            Outcome::RateLimited,
            Outcome::LoginRequired,
            Outcome::Failed,
        ];
        all.into_iter().find(|o| o.code() == code)
    }
}

/// Whether an account can take a parse now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ready,
    /// At its in-flight limit.
    Busy,
    CoolingDown {
        until: i64,
    },
    Expired,
    Disabled,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Busy => "busy",
            State::CoolingDown { .. } => "cooling_down",
            State::Expired => "expired",
            State::Disabled => "disabled",
        }
    }
}

/// One account's record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Health {
    recent: VecDeque<Outcome>,
    pub in_flight: u32,
    /// Cooldowns in a row (the doubling's exponent).
    pub cooldowns: u32,
    pub cooling_until: Option<i64>,
    /// Login-required answers in a row.
    pub login_failures: u32,
    pub expired: bool,
    pub uses: u64,
    pub last_used: Option<i64>,
    pub last_success: Option<i64>,
    pub last_failure: Option<(i64, Outcome)>,
}

impl Health {
    /// From 0 to 1: successes over the window (an unused account starts at
    /// one half plus, so it gets tried), rate-limit and login answers
    /// counting twice against it.
    pub fn score(&self) -> f64 {
        let n = self.recent.len() as f64;
        let ok = self
            .recent
            .iter()
            .filter(|o| **o == Outcome::Success)
            .count() as f64;
        let bad = self
            .recent
            .iter()
            .filter(|o| matches!(o, Outcome::RateLimited | Outcome::LoginRequired))
            .count() as f64;
        ((ok + 1.0 - bad) / (n + 2.0)).clamp(0.0, 1.0)
    }

    /// The share of successes in the window (for display), `None` if unused.
    pub fn success_rate(&self) -> Option<f64> {
        let ok = self
            .recent
            .iter()
            .filter(|o| **o == Outcome::Success)
            .count();
        (!self.recent.is_empty()).then(|| ok as f64 / self.recent.len() as f64)
    }

    /// The state at `now`, given whether the operator disabled it and when
    /// its cookies expire.
    pub fn state(
        &self,
        now: i64,
        p: &Policy,
        disabled: bool,
        cookies_expire: Option<i64>,
    ) -> State {
        if disabled {
            State::Disabled
        } else if self.expired || cookies_expire.is_some_and(|t| t <= now) {
            State::Expired
        } else if let Some(until) = self.cooling_until.filter(|&u| u > now) {
            State::CoolingDown { until }
        } else if self.in_flight >= p.max_in_flight.max(1) {
            State::Busy
        } else {
            State::Ready
        }
    }

    /// A parse took the account.
    pub fn lease(&mut self, now: i64) {
        self.in_flight += 1;
        self.uses += 1;
        self.last_used = Some(now);
    }

    /// The parse ended with `outcome`.
    pub fn record(&mut self, outcome: Outcome, now: i64, p: &Policy) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.recent.push_back(outcome);
        while self.recent.len() > p.window.max(1) {
            self.recent.pop_front();
        }
        match outcome {
            Outcome::Success => {
                self.last_success = Some(now);
                self.cooldowns = 0;
                self.login_failures = 0;
                self.cooling_until = None;
            }
            Outcome::Failed => self.last_failure = Some((now, outcome)),
            Outcome::RateLimited | Outcome::LoginRequired => {
                self.last_failure = Some((now, outcome));
                self.cooldowns += 1;
                let doubled = p
                    .cooldown_base_secs
                    .saturating_mul(1 << (self.cooldowns - 1).min(20));
                self.cooling_until = Some(now + doubled.min(p.cooldown_cap_secs));
                if outcome == Outcome::LoginRequired {
                    self.login_failures += 1;
                    self.expired |= self.login_failures >= p.expire_after_login_failures.max(1);
                }
            }
        }
    }

    /// The parse ended with an answer that says nothing about the account.
    pub fn unlease(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The outcome of the last failure, for display.
    pub fn last_failure_code(&self) -> Option<&'static str> {
        self.last_failure.and_then(|(_, o)| o.code())
    }

    /// An operator re-enabled or re-imported it: a fresh start.
    pub fn reset(&mut self) {
        *self = Health {
            in_flight: self.in_flight,
            uses: self.uses,
            last_used: self.last_used,
            ..Health::default()
        };
    }
}

/// An account as the chooser sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub id: i64,
    pub health: &'a Health,
    pub disabled: bool,
    pub cookies_expire: Option<i64>,
}

/// The account a parse should use: the best score among the ready ones;
/// ties go to fewer parses in flight, then the least recently used.
pub fn choose(accounts: &[Candidate], now: i64, p: &Policy) -> Option<i64> {
    let ready = accounts
        .iter()
        .filter(|a| a.health.state(now, p, a.disabled, a.cookies_expire) == State::Ready);
    ready
        .max_by(|a, b| {
            let (ha, hb) = (a.health, b.health);
            ha.score()
                .total_cmp(&hb.score())
                .then(hb.in_flight.cmp(&ha.in_flight))
                .then(
                    hb.last_used
                        .unwrap_or(i64::MIN)
                        .cmp(&ha.last_used.unwrap_or(i64::MIN)),
                )
                .then(b.id.cmp(&a.id))
        })
        .map(|a| a.id)
}

/// With none ready: seconds until one may be (the earliest cooldown's end;
/// one second when some are only busy), `None` when none ever will.
pub fn retry_after(accounts: &[Candidate], now: i64, p: &Policy) -> Option<i64> {
    accounts
        .iter()
        .filter_map(
            |a| match a.health.state(now, p, a.disabled, a.cookies_expire) {
                State::Ready => Some(0),
                State::Busy => Some(1),
                State::CoolingDown { until } => Some(until - now),
                State::Expired | State::Disabled => None,
            },
        )
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    #[test]
    fn a_parses_code_says_what_it_means_for_the_account() {
        let of = Outcome::of;
        assert_eq!(of(None), Some(Success));
        assert_eq!(of(Some("upstream_rate_limited")), Some(RateLimited));
        assert_eq!(of(Some("login_required")), Some(LoginRequired));
        assert_eq!(of(Some("upstream_failed")), Some(Failed));
        for neutral in ["not_found", "plugin_crashed", "private", ""] {
            assert_eq!(of(Some(neutral)), None, "{neutral}");
        }
    }

    const P: Policy = Policy {
        window: 5,
        max_in_flight: 2,
        cooldown_base_secs: 30,
        cooldown_cap_secs: 100,
        expire_after_login_failures: 3,
    };

    fn after(outcomes: &[Outcome]) -> Health {
        let mut h = Health::default();
        for (t, o) in outcomes.iter().enumerate() {
            h.lease(t as i64);
            h.record(*o, t as i64, &P);
        }
        h
    }

    #[test]
    fn scores_favour_recent_successes() {
        let cases: &[(&[Outcome], f64)] = &[
            (&[], 0.5),
            (&[Success], 2.0 / 3.0),
            (&[Success, Success, Success], 0.8),
            (&[Failed, Failed], 0.25),
            (&[Success, RateLimited], 0.25),
            (&[RateLimited, RateLimited], 0.0),
            // Only the window (5) counts: the old failures are forgotten.
            (
                &[
                    Failed, Failed, Failed, Success, Success, Success, Success, Success,
                ],
                6.0 / 7.0,
            ),
        ];
        for (outcomes, want) in cases {
            let got = after(outcomes).score();
            assert!((got - want).abs() < 1e-9, "{outcomes:?}: {got}, not {want}");
        }
    }

    #[test]
    fn cooldowns_double_up_to_the_cap_and_a_success_clears_them() {
        let mut h = Health::default();
        let mut ends = Vec::new();
        for t in [0, 100, 300, 600] {
            h.lease(t);
            h.record(RateLimited, t, &P);
            ends.push(h.cooling_until.unwrap() - t);
        }
        assert_eq!(ends, [30, 60, 100, 100]);
        assert_eq!(
            h.state(601, &P, false, None),
            State::CoolingDown { until: 700 }
        );
        assert_eq!(h.state(700, &P, false, None), State::Ready);
        h.lease(700);
        h.record(Success, 700, &P);
        assert_eq!((h.cooldowns, h.cooling_until), (0, None));
        h.lease(701);
        h.record(RateLimited, 701, &P);
        assert_eq!(h.cooling_until, Some(731), "back to the base");
    }

    #[test]
    fn states_in_their_order_of_precedence() {
        let cooling = after(&[RateLimited]);
        let expired = after(&[LoginRequired, LoginRequired, LoginRequired]);
        let mut busy = Health::default();
        busy.lease(0);
        busy.lease(0);
        let cases: &[(&Health, bool, Option<i64>, State)] = &[
            (&Health::default(), false, None, State::Ready),
            (&Health::default(), true, None, State::Disabled),
            (&expired, true, None, State::Disabled),
            (&expired, false, None, State::Expired),
            (&Health::default(), false, Some(10), State::Expired),
            (&Health::default(), false, Some(11), State::Ready),
            (&cooling, false, None, State::CoolingDown { until: 30 }),
            (&busy, false, None, State::Busy),
        ];
        for (h, disabled, expires, want) in cases {
            assert_eq!(h.state(10, &P, *disabled, *expires), *want, "{h:?}");
        }
        let two = after(&[LoginRequired, LoginRequired]);
        assert!(!two.expired, "two login failures: cooling, not expired");
        let healed = after(&[LoginRequired, LoginRequired, Success, LoginRequired]);
        assert!(!healed.expired, "a success in between resets the count");
        let mut again = expired.clone();
        again.reset();
        assert_eq!(again.state(1000, &P, false, None), State::Ready);
    }

    #[test]
    fn the_healthiest_ready_account_is_chosen() {
        let good = after(&[Success, Success, Success]);
        let fair = after(&[Success, Failed]);
        let cooling = after(&[Success, Success, Success, Success, RateLimited]);
        let mut busy = after(&[Success, Success, Success, Success]);
        busy.lease(5);
        busy.lease(5);
        let fresh = Health::default();
        fn c(id: i64, health: &Health, disabled: bool, expire: Option<i64>) -> Candidate<'_> {
            Candidate {
                id,
                health,
                disabled,
                cookies_expire: expire,
            }
        }
        let cases: Vec<(Vec<Candidate>, Option<i64>)> = vec![
            (
                vec![c(1, &fair, false, None), c(2, &good, false, None)],
                Some(2),
            ),
            (
                vec![c(1, &good, true, None), c(2, &fair, false, None)],
                Some(2),
            ),
            (
                vec![c(1, &good, false, Some(6)), c(2, &fair, false, None)],
                Some(2),
            ),
            (
                vec![c(1, &cooling, false, None), c(2, &fresh, false, None)],
                Some(2),
            ),
            (
                vec![c(1, &busy, false, None), c(2, &fair, false, None)],
                Some(2),
            ),
            (
                vec![c(1, &busy, false, None), c(2, &cooling, false, None)],
                None,
            ),
            (vec![], None),
        ];
        for (accounts, want) in &cases {
            assert_eq!(choose(accounts, 6, &P), *want, "{accounts:?}");
        }
        // Ties: fewer in flight, then the least recently used.
        let (mut a, mut b) = (after(&[Success]), after(&[Success]));
        a.last_used = Some(50);
        b.last_used = Some(40);
        assert_eq!(
            choose(&[c(1, &a, false, None), c(2, &b, false, None)], 60, &P),
            Some(2)
        );
        a.uses += 1;
        b.in_flight = 1;
        assert_eq!(
            choose(&[c(1, &a, false, None), c(2, &b, false, None)], 60, &P),
            Some(1)
        );
    }

    #[test]
    fn retry_after_tells_when_one_comes_back() {
        let cooling = after(&[RateLimited]); // until 30
        let mut busy = Health::default();
        busy.lease(0);
        busy.lease(0);
        let expired = after(&[LoginRequired, LoginRequired, LoginRequired]);
        let c = |id, health| Candidate {
            id,
            health,
            disabled: false,
            cookies_expire: None,
        };
        assert_eq!(retry_after(&[c(1, &cooling)], 10, &P), Some(20));
        assert_eq!(retry_after(&[c(1, &cooling), c(2, &busy)], 10, &P), Some(1));
        assert_eq!(retry_after(&[c(1, &expired)], 10, &P), None);
        assert_eq!(retry_after(&[], 10, &P), None);
    }
}
