//! Circuit breakers, one per platform: when most of a platform's recent
//! parses fail upstream (`upstream_failed`, `upstream_rate_limited`), its
//! parses fail fast for a cool-off instead of hammering a platform that is
//! down or throttling us; then a few probe parses decide whether to close.
//! Pure logic over explicit instants, so it is table-tested.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Operator settings (`[breaker]`).
#[derive(Debug, Clone)]
pub struct BreakerSettings {
    /// The window recent outcomes are counted over.
    pub window: Duration,
    /// Outcomes in the window before the breaker may open.
    pub min_requests: usize,
    /// Share of upstream failures in the window that opens it.
    pub failure_ratio: f64,
    /// How long it stays open.
    pub cool_off: Duration,
    /// Probe parses let through when half open; all must succeed to close.
    pub probes: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            window: Duration::from_secs(60),
            min_requests: 20,
            failure_ratio: 0.5,
            cool_off: Duration::from_secs(30),
            probes: 3,
        }
    }
}

/// How a parse ended, as far as the breaker cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The platform failed or throttled us.
    UpstreamFailure,
    /// Anything else: success, or an answer about the post.
    Fine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { probes_left: u32, passed: u32 },
}

impl State {
    pub fn label(&self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half_open",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Breaker {
    pub state: State,
    recent: Recent,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            state: State::Closed,
            recent: Recent::default(),
        }
    }
}

/// Slices of a window: outcomes are counted in [`SLICES`] buckets, so a
/// record costs the same at 10 parses a second as at 10,000 and the
/// memory does not grow with the rate. An outcome leaves the window up
/// to one slice early.
const SLICES: u32 = 64;

/// The outcomes in the window, bucketed, with running totals.
#[derive(Debug, Clone, Default)]
struct Recent {
    /// (slice start, upstream failures, outcomes), oldest first.
    slices: VecDeque<(Instant, usize, usize)>,
    failures: usize,
    total: usize,
}

impl Recent {
    fn push(&mut self, window: Duration, now: Instant, outcome: Outcome) {
        let failed = usize::from(outcome == Outcome::UpstreamFailure);
        let width = window / SLICES;
        match self.slices.back_mut() {
            Some((start, f, t)) if now.duration_since(*start) < width => {
                *f += failed;
                *t += 1;
            }
            _ => self.slices.push_back((now, failed, 1)),
        }
        self.failures += failed;
        self.total += 1;
        while let Some(&(start, f, t)) = self.slices.front() {
            if now.duration_since(start) <= window {
                break;
            }
            self.slices.pop_front();
            self.failures -= f;
            self.total -= t;
        }
    }

    fn clear(&mut self) {
        *self = Recent::default();
    }
}

impl Breaker {
    /// May a parse go ahead now? `Err(seconds)` says when to come back.
    pub fn admit(&mut self, s: &BreakerSettings, now: Instant) -> Result<(), u64> {
        match self.state {
            State::Closed => Ok(()),
            State::Open { until } if now < until => {
                Err((until - now).as_secs_f64().ceil().max(1.0) as u64)
            }
            State::Open { .. } => {
                self.state = State::HalfOpen {
                    probes_left: s.probes.max(1) - 1,
                    passed: 0,
                };
                Ok(())
            }
            State::HalfOpen { probes_left: 0, .. } => Err(1),
            State::HalfOpen {
                probes_left,
                passed,
            } => {
                self.state = State::HalfOpen {
                    probes_left: probes_left - 1,
                    passed,
                };
                Ok(())
            }
        }
    }

    /// Count how an admitted parse ended.
    pub fn record(&mut self, s: &BreakerSettings, now: Instant, outcome: Outcome) {
        match self.state {
            State::HalfOpen {
                probes_left,
                passed,
            } => {
                if outcome == Outcome::UpstreamFailure {
                    self.state = State::Open {
                        until: now + s.cool_off,
                    };
                } else if passed + 1 >= s.probes.max(1) {
                    self.state = State::Closed;
                    self.recent.clear();
                } else {
                    self.state = State::HalfOpen {
                        probes_left,
                        passed: passed + 1,
                    };
                }
            }
            State::Open { .. } => {}
            State::Closed => {
                self.recent.push(s.window, now, outcome);
                let (failures, total) = self.counts();
                if total >= s.min_requests.max(1)
                    && failures as f64 >= s.failure_ratio * total as f64
                {
                    self.state = State::Open {
                        until: now + s.cool_off,
                    };
                    self.recent.clear();
                }
            }
        }
    }

    /// An admitted parse ended in a way that says nothing about the
    /// platform (the host was busy): a probe's place is given back.
    pub fn forget(&mut self) {
        if let State::HalfOpen {
            probes_left,
            passed,
        } = self.state
        {
            self.state = State::HalfOpen {
                probes_left: probes_left + 1,
                passed,
            };
        }
    }

    /// Upstream failures and outcomes in the window.
    pub fn counts(&self) -> (usize, usize) {
        (self.recent.failures, self.recent.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::{Fine, UpstreamFailure as Bad};

    fn settings() -> BreakerSettings {
        BreakerSettings {
            window: Duration::from_secs(10),
            min_requests: 4,
            failure_ratio: 0.5,
            cool_off: Duration::from_secs(5),
            probes: 2,
        }
    }

    /// Feed outcomes one second apart; the state label after each.
    fn run(b: &mut Breaker, t0: Instant, steps: &[(u64, Outcome)]) -> Vec<&'static str> {
        let s = settings();
        steps
            .iter()
            .map(|(at, o)| {
                let now = t0 + Duration::from_secs(*at);
                if b.admit(&s, now).is_ok() {
                    b.record(&s, now, *o);
                }
                b.state.label()
            })
            .collect()
    }

    #[test]
    fn opens_on_a_failing_majority_only_with_enough_requests() {
        let t0 = Instant::now();
        let mut b = Breaker::default();
        assert_eq!(
            run(&mut b, t0, &[(0, Bad), (1, Bad), (2, Bad)]),
            ["closed", "closed", "closed"],
            "three is below min_requests"
        );
        assert_eq!(run(&mut b, t0, &[(3, Fine)]), ["open"], "3 of 4 failed");
        let mut b = Breaker::default();
        let mixed = [(0, Bad), (1, Fine), (2, Fine), (3, Fine), (4, Bad)];
        assert_eq!(run(&mut b, t0, &mixed).last(), Some(&"closed"), "2 of 5");
        let mut b = Breaker::default();
        let spread = [(0, Bad), (11, Bad), (22, Bad), (33, Bad)];
        assert_eq!(
            run(&mut b, t0, &spread).last(),
            Some(&"closed"),
            "outside the window"
        );
    }

    #[test]
    fn open_then_half_open_then_closed_or_open_again() {
        let s = settings();
        let t0 = Instant::now();
        let mut b = Breaker::default();
        run(&mut b, t0, &[(0, Bad), (0, Bad), (0, Bad), (0, Bad)]);
        assert_eq!(
            b.admit(&s, t0 + Duration::from_secs(2)),
            Err(3),
            "come back in 3 s"
        );
        assert_eq!(
            run(&mut b, t0, &[(5, Fine)]),
            ["half_open"],
            "the first probe passed"
        );
        let later = t0 + Duration::from_secs(6);
        assert!(b.admit(&s, later).is_ok(), "the second probe");
        assert_eq!(b.admit(&s, later), Err(1), "no third while probing");
        b.record(&s, later, Fine);
        assert_eq!(b.state.label(), "closed");

        let mut b = Breaker::default();
        run(&mut b, t0, &[(0, Bad), (0, Bad), (0, Bad), (0, Bad)]);
        assert_eq!(
            run(&mut b, t0, &[(5, Bad)]),
            ["open"],
            "a failed probe reopens it"
        );
        assert_eq!(b.admit(&s, t0 + Duration::from_secs(6)), Err(4));
    }

    #[test]
    fn a_busy_window_keeps_exact_totals_in_bounded_slices() {
        let s = settings();
        let t0 = Instant::now();
        let mut b = Breaker::default();
        // 10,000 outcomes over 20 s, one in ten a failure: too few to open.
        for i in 0..10_000u64 {
            let now = t0 + Duration::from_millis(i * 2);
            let o = if i % 10 == 0 { Bad } else { Fine };
            b.record(&s, now, o);
        }
        assert_eq!(b.state.label(), "closed");
        let (failures, total) = b.counts();
        // The last 10 s (5,001 outcomes), less at most one slice's worth.
        let slice = 5_000 / SLICES as usize + 1;
        assert!((5_001 - slice..=5_001).contains(&total), "{total}");
        assert!(
            (500 - slice / 10 - 1..=501).contains(&failures),
            "{failures}"
        );
        assert!(b.recent.slices.len() <= SLICES as usize + 1);
    }
}
