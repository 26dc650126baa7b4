//! Throttling of failed attempts (logins, enrollment codes), per name and per client address.
//!
//! Kept in memory: a restart forgets failures, which only resets the window. Written by hand
//! because it is a sliding window over two keys with a reset on success, a few lines; a
//! general rate limiter (e.g. `governor`) counts requests, not failures.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures as usize,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(login: &str, address: Option<&str>) -> Vec<String> {
        let mut keys = vec![format!("login:{}", login.to_lowercase())];
        if let Some(a) = address {
            keys.push(format!("addr:{a}"));
        }
        keys
    }

    /// `Err(seconds)` when either key has used up its failures in the window. Otherwise the
    /// attempt is counted as a failure right away, so that parallel attempts cannot all pass the
    /// check while the password hashes; [`Self::record_success`] takes it back.
    pub fn check(&self, login: &str, address: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for key in Self::keys(login, address) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= self.max_failures {
                    let oldest = times[0];
                    let left = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.unwrap_or(0).max(left.as_secs().max(1)));
                }
            }
        }
        if let Some(w) = wait {
            return Err(w);
        }
        // Bound the memory an attacker can make us use with random names.
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for key in Self::keys(login, address) {
            map.entry(key).or_default().push(now);
        }
        Ok(())
    }

    /// A successful attempt clears the name's failures and takes back the address's reserved one.
    pub fn record_success(&self, login: &str, address: Option<&str>) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("login:{}", login.to_lowercase()));
        if let Some(times) = address.and_then(|a| map.get_mut(&format!("addr:{a}"))) {
            times.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_clears_on_success() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            // Each check reserves a failure; without a success it stays one.
            assert!(t.check("anna", Some("10.0.0.1")).is_ok());
        }
        assert!(t.check("anna", Some("10.0.0.2")).is_err(), "per login");
        assert!(t.check("boris", Some("10.0.0.1")).is_err(), "per address");
        assert!(t.check("boris", Some("10.0.0.2")).is_ok());
        t.record_success("anna", Some("10.0.0.2"));
        assert!(t.check("anna", Some("10.0.0.2")).is_ok());
    }
}
