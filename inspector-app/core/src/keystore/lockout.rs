//! The wrong-PIN counter, persisted next to the key file.
//!
//! Policy: failures 1–4 cost nothing but the Argon2 time; the 5th and later lock unlocking for
//! 1 min, 5 min, 15 min, 1 h, 4 h; the 10th consecutive failure destroys the sealed key, and the
//! device must be enrolled again (its records already signed stay in the store and still sync).
//! A right PIN resets the counter.
//!
//! The lock is measured on the device clock. Setting the clock back only lengthens a lock;
//! setting it forward shortens one, which needs access to the tablet's settings. A counter file
//! that cannot be read counts as [`LOCK_AFTER`] failures, so the next wrong PIN locks.

use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::fsutil::write_atomic;

/// Failures after which each further failure locks unlocking for a while.
pub const LOCK_AFTER: u32 = 5;
/// Consecutive failures that destroy the key.
pub const WIPE_AFTER: u32 = 10;

/// Lock length after the 5th, 6th, ... failure (the last one repeats).
const DELAYS: [u64; 5] = [60, 5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60];

/// Whether unlocking is possible now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStatus {
    /// A PIN may be tried; `failures` wrong ones so far.
    Open { failures: u32 },
    /// Try again in `seconds`.
    Locked { seconds: u64, failures: u32 },
    /// The key was destroyed: enroll again.
    Wiped,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Attempts {
    pub(super) failures: u32,
    /// Unix seconds; 0 when not locked.
    pub(super) locked_until: u64,
    pub(super) wiped: bool,
}

fn unix(t: SystemTime) -> u64 {
    // A clock before 1970 counts as 1970: it can only make a lock longer.
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

impl Attempts {
    pub(super) fn status(&self, now: SystemTime) -> LockStatus {
        let now = unix(now);
        if self.wiped {
            LockStatus::Wiped
        } else if now < self.locked_until {
            LockStatus::Locked {
                seconds: self.locked_until - now,
                failures: self.failures,
            }
        } else {
            LockStatus::Open {
                failures: self.failures,
            }
        }
    }

    /// The state after one more failure at `now`.
    pub(super) fn fail(&self, now: SystemTime) -> Attempts {
        let failures = self.failures.saturating_add(1);
        let locked_until = match failures.checked_sub(LOCK_AFTER) {
            Some(i) => {
                let i = usize::try_from(i).unwrap_or(usize::MAX);
                let delay = DELAYS.get(i).or(DELAYS.last()).copied().unwrap_or(0);
                unix(now).saturating_add(delay)
            }
            None => 0,
        };
        Attempts {
            failures,
            locked_until,
            wiped: self.wiped,
        }
    }
}

pub(super) fn read(path: &Path) -> Attempts {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Attempts {
            failures: LOCK_AFTER,
            locked_until: 0,
            wiped: false,
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Attempts::default(),
        Err(_) => Attempts {
            failures: LOCK_AFTER,
            locked_until: 0,
            wiped: false,
        },
    }
}

pub(super) fn write(path: &Path, attempts: &Attempts) -> io::Result<()> {
    let json = serde_json::to_vec(attempts).map_err(io::Error::other)?;
    write_atomic(path, &json)
}

pub(super) fn reset(path: &Path) -> io::Result<()> {
    write(path, &Attempts::default())
}
