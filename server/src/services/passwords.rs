//! Password hashing and checks with Argon2id (the crate's defaults follow OWASP's
//! recommendation), in a bounded set of slots that each own their 19 MiB of working memory.
//!
//! Why slots with their own memory: each check needs 19 MiB. Unbounded, 40 failed logins at
//! once took the process from 113 to 813 MB. Bounded but allocating per check, the memory still
//! stayed: every blocking thread's malloc arena kept its freed 19 MiB (a 40-wide flood left the
//! process at 307 MiB). So a slot's memory is allocated once and handed to
//! `hash_password_into_with_memory` on every use: the process never holds more than
//! slots × 19 MiB for passwords, however wide the flood.

use std::sync::Mutex;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::OsRng;
use subtle::ConstantTimeEq as _;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{ApiError, ApiResult};

/// How long a login waits for a password slot before it is told to come back.
const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

struct Pool {
    permits: Semaphore,
    /// Working memory of the slots not in use (at most one per permit).
    memory: Mutex<Vec<Vec<Block>>>,
}

/// Sized to the cores (at most 8): more checks at once would not finish sooner.
fn slots() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    cores.clamp(1, 8)
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| Pool {
        permits: Semaphore::new(slots()),
        memory: Mutex::new(Vec::new()),
    })
}

/// A password slot: a permit and its working memory, given back when dropped.
struct Slot {
    _permit: SemaphorePermit<'static>,
    memory: Vec<Block>,
}

impl Slot {
    /// Takes a slot, or refuses with 503 and Retry-After when all stay taken.
    async fn take() -> ApiResult<Slot> {
        let pool = pool();
        let permit = match tokio::time::timeout(WAIT, pool.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(ApiError::Busy(WAIT.as_secs().max(1))),
        };
        let memory = pool
            .memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        Ok(Slot {
            _permit: permit,
            memory,
        })
    }

    /// Argon2 into `out`, in this slot's memory (grown once to what the parameters need).
    fn hash_into(
        &mut self,
        argon: &Argon2<'_>,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> argon2::Result<()> {
        let need = argon.params().block_count();
        if self.memory.len() != need {
            self.memory = vec![Block::default(); need];
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut self.memory)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        if !memory.is_empty() {
            pool()
                .memory
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(memory);
        }
    }
}

/// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`, off the async
/// runtime.
pub async fn hash(password: String) -> ApiResult<String> {
    let mut slot = Slot::take().await?;
    tokio::task::spawn_blocking(move || {
        let argon = Argon2::default();
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let raw_salt = salt
            .as_salt()
            .decode_b64(&mut salt_bytes)
            .map_err(internal)?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        slot.hash_into(&argon, password.as_bytes(), raw_salt, &mut out)
            .map_err(internal)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon.params()).map_err(internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(internal)?),
        };
        Ok(phc.to_string())
    })
    .await
    .map_err(internal)?
}

/// Whether `password` matches the PHC string `hash` (false for a hash that does not parse).
/// 503 when every slot stays taken.
pub async fn verify(hash: String, password: String) -> ApiResult<bool> {
    let mut slot = Slot::take().await?;
    tokio::task::spawn_blocking(move || matches(&mut slot, &hash, password.as_bytes()))
        .await
        .map_err(internal)
}

fn matches(slot: &mut Slot, hash: &str, password: &[u8]) -> bool {
    let mut check = || -> Option<bool> {
        let phc = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(phc.algorithm).ok()?;
        let version = phc
            .version
            .map(Version::try_from)
            .transpose()
            .ok()?
            .unwrap_or_default();
        let params = Params::try_from(&phc).ok()?;
        let expected = phc.hash?;
        let mut salt_bytes = [0u8; 64];
        let salt = phc.salt?.decode_b64(&mut salt_bytes).ok()?;
        let mut out = vec![0u8; expected.len()];
        let argon = Argon2::new(algorithm, version, params);
        slot.hash_into(&argon, password, salt, &mut out).ok()?;
        Some(bool::from(out.ct_eq(expected.as_bytes())))
    };
    check().unwrap_or(false)
}

/// A hash to verify against when the login does not exist, so that timing does not tell. Made
/// once; if the slots are all busy the first time, the login is told to come back and the next
/// one tries again (an empty hash cached would answer unknown logins at once).
pub async fn dummy_hash() -> ApiResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash("not a real password".into()))
        .await
        .cloned()
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("argon2: {e}"))
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    /// The tests share the process's slots; one holds them all on purpose, so they take turns.
    static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// Ours and the crate's own hashing agree both ways, so stored hashes keep working.
    #[tokio::test]
    async fn hashes_agree_with_the_crates_own() {
        let _turn = TURNS.lock().await;
        let ours = hash("correct horse battery".into()).await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(
            verify(theirs.clone(), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(theirs, "correct horse batterY".into())
                .await
                .unwrap()
        );
        assert!(!verify(ours, "wrong".into()).await.unwrap());
        assert!(!verify("not a hash".into(), "x".into()).await.unwrap());
    }

    /// Security finding 2: password checks are bounded; when every slot stays taken, a login is
    /// told to come back (503 with Retry-After) instead of taking another 19 MiB; and the
    /// working memory is reused, never more buffers than slots.
    #[tokio::test]
    async fn password_checks_are_bounded_and_reuse_their_memory() {
        let _turn = TURNS.lock().await;
        let pool = pool();
        // Other tests in this process may hold a slot for a moment: count them all.
        let all = u32::try_from(slots()).unwrap();
        assert!((1..=8).contains(&all));
        let hash = dummy_hash().await.unwrap(); // made before the slots are all taken
        let held = pool.permits.acquire_many(all).await.unwrap();
        let refused = verify(hash.clone(), "wrong password".into()).await;
        assert!(
            matches!(refused, Err(ApiError::Busy(s)) if s >= 1),
            "{refused:?}"
        );
        drop(held);
        let checks = (0..3 * all).map(|_| verify(hash.clone(), "wrong password".into()));
        for r in futures_util::future::join_all(checks).await {
            assert!(!r.unwrap());
        }
        let buffers = pool.memory.lock().unwrap().len();
        assert!(
            (1..=all as usize).contains(&buffers),
            "{buffers} buffers for {all} slots"
        );
    }
}
