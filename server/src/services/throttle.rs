//! Throttling of failed attempts (logins, enrollment codes), each attempt counted under several
//! keys with their own limits.
//!
//! Kept in memory: a restart forgets failures, which only resets the window. Written by hand
//! because it counts failures over a sliding window with a reset on success and a growing delay;
//! a general rate limiter (e.g. `governor`) counts requests, not failures.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first delay once a [`Limit::growing`] key has used up its failures; it doubles with every
/// further failure, up to the window.
const FIRST_DELAY: Duration = Duration::from_secs(30);

/// One key an attempt is counted under.
#[derive(Debug, Clone)]
pub struct Limit {
    pub key: String,
    /// Failures allowed within the window.
    pub max: usize,
    /// Past `max`, each attempt waits [`FIRST_DELAY`] after the last failure, doubling per
    /// further failure (up to the window); otherwise the key is locked until its oldest failure
    /// leaves the window.
    pub growing: bool,
}

#[derive(Debug)]
pub struct Throttle {
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn wait(&self, limit: &Limit, times: &[Instant], now: Instant) -> Option<Duration> {
        let (Some(first), Some(last)) = (times.first(), times.last()) else {
            return None;
        };
        let over = times.len().checked_sub(limit.max)?;
        let left = if limit.growing {
            let delay = u32::try_from(over)
                .ok()
                .and_then(|n| FIRST_DELAY.checked_mul(1u32.checked_shl(n)?))
                .map_or(self.window, |d| d.min(self.window));
            delay.saturating_sub(now.duration_since(*last))
        } else {
            self.window.saturating_sub(now.duration_since(*first))
        };
        (!left.is_zero()).then_some(left)
    }

    /// `Err(seconds)` while any key must wait. Otherwise the attempt is counted as a failure
    /// under every key right away, so that parallel attempts cannot all pass the check while a
    /// password hashes; [`Self::record_success`] takes it back.
    pub fn check(&self, limits: &[Limit]) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for limit in limits {
            if let Some(times) = map.get_mut(&limit.key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if let Some(w) = self.wait(limit, times, now) {
                    wait = wait.max(w);
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait.as_secs().max(1));
        }
        // Bound the memory an attacker can make us use with random names.
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for limit in limits {
            map.entry(limit.key.clone()).or_default().push(now);
        }
        Ok(())
    }

    /// A successful attempt forgets the failures under `clear` and takes back the one
    /// [`Self::check`] reserved under each of `release`.
    pub fn record_success(&self, clear: &[&str], release: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in clear {
            map.remove(*key);
        }
        for key in release {
            if let Some(times) = map.get_mut(*key) {
                times.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(key: &str, max: usize, growing: bool) -> Limit {
        Limit {
            key: key.into(),
            max,
            growing,
        }
    }

    #[test]
    fn locks_after_the_limit_and_clears_on_success() {
        let t = Throttle::new(Duration::from_secs(60));
        let anna = [limit("anna", 3, false)];
        for _ in 0..3 {
            // Each check reserves a failure; without a success it stays one.
            assert!(t.check(&anna).is_ok());
        }
        assert!(t.check(&anna).is_err());
        assert!(t.check(&[limit("boris", 3, false)]).is_ok(), "per key");
        t.record_success(&["anna"], &[]);
        assert!(t.check(&anna).is_ok());
    }

    #[test]
    fn a_growing_key_waits_longer_after_each_failure() {
        let t = Throttle::new(Duration::from_secs(900));
        let pair = [limit("anna|10.0.0.1", 2, true)];
        assert!(t.check(&pair).is_ok());
        assert!(t.check(&pair).is_ok());
        let first = t.check(&pair).unwrap_err();
        assert!((29..=30).contains(&first), "{first}");
        // Three more failures recorded (as if each came after its delay): 30 s × 2³ = 240 s.
        {
            let mut map = t.failures.lock().unwrap();
            let times = map.get_mut("anna|10.0.0.1").unwrap();
            let now = Instant::now();
            times.extend([now, now, now]);
        }
        let later = t.check(&pair).unwrap_err();
        assert!((239..=240).contains(&later), "{later}");
        // Never past the window.
        {
            let mut map = t.failures.lock().unwrap();
            let times = map.get_mut("anna|10.0.0.1").unwrap();
            let now = Instant::now();
            times.extend(std::iter::repeat_n(now, 40));
        }
        assert!(t.check(&pair).unwrap_err() <= 900);
    }

    #[test]
    fn a_success_releases_what_the_check_reserved() {
        let t = Throttle::new(Duration::from_secs(60));
        let both = [limit("login:anna", 2, false), limit("addr:1", 2, false)];
        assert!(t.check(&both).is_ok());
        t.record_success(&[], &["login:anna", "addr:1"]);
        assert!(t.check(&both).is_ok());
        assert!(t.check(&both).is_ok(), "the first attempt was given back");
        assert!(t.check(&both).is_err());
    }
}
