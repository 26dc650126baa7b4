//! Exponential backoff with full jitter (the AWS architecture blog's "full jitter": a random
//! wait between zero and the capped exponential), so that a fleet of tablets coming back
//! online after an outage does not hammer the server in step.

use std::time::Duration;

use rand_core::{OsRng, RngCore as _};

/// Retry delays after consecutive failures.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    /// Delays start at `base` and double up to `cap`.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            failures: 0,
        }
    }

    /// The capped exponential ceiling after the failures so far.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(20)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Counts a failure and returns how long to wait before the next attempt: uniform in
    /// `[ceiling / 2, ceiling]` so that a retry never comes at once after a failure.
    pub fn fail(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        let span = u64::try_from((ceiling - half).as_millis()).unwrap_or(u64::MAX);
        let jitter = if span == 0 {
            0
        } else {
            OsRng.next_u64() % (span + 1)
        };
        half + Duration::from_millis(jitter)
    }

    /// A success resets the delays.
    pub fn succeed(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_with_jitter_and_reset() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
        let mut ceilings = Vec::new();
        for _ in 0..8 {
            let ceiling = b.ceiling();
            let d = b.fail();
            assert!(
                d >= ceiling / 2 && d <= ceiling,
                "{d:?} outside [{:?}, {ceiling:?}]",
                ceiling / 2
            );
            ceilings.push(ceiling.as_secs());
        }
        assert_eq!(ceilings, [2, 4, 8, 16, 32, 60, 60, 60]);
        b.succeed();
        assert_eq!(b.ceiling(), Duration::from_secs(2));
        // Jitter: many draws at one ceiling are not all equal.
        let draws: std::collections::HashSet<Duration> = (0..50)
            .map(|_| {
                let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
                b.fail();
                b.fail();
                b.fail()
            })
            .collect();
        assert!(draws.len() > 5, "{draws:?}");
    }
}
