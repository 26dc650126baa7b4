//! The app as its commands see it: one device profile, its store, the key unlocked for the
//! session, and background sync. The Tauri crate calls these methods and nothing else; they
//! take and return the plain views of [`views`], never a key.

mod act;
mod act_document;
mod assignment;
mod autosync;
#[cfg(test)]
mod connection_tests;
mod error;
#[cfg(test)]
mod evidence_tests;
mod fieldwork;
mod interaction;
#[cfg(test)]
mod interaction_tests;
#[cfg(test)]
mod legal_tests;
mod order;
mod photos;
mod present;
#[cfg(test)]
mod tests;
pub mod views;
mod visit;
#[cfg(test)]
mod visit_tests;
mod warning;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use knd_shared::DeviceKey;
use knd_shared::record::Timestamp;

pub use error::{AppError, AppResult, ErrorKind};
pub use photos::{PHOTO_WARNING_KINDS, all_photo_warnings};
use views::AppStatus;

use crate::keystore::{self, KdfParams, KeyStore, LockStatus, Pin, Unlocked};
use crate::store::{Profile, Store};
use crate::sync::{Api, SyncConfig};

/// How the app runs: key-derivation cost, batch sizes and the automatic sync's rhythm.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub kdf: KdfParams,
    pub sync: SyncConfig,
    /// How often to pull when there is nothing to push.
    pub pull_every: Duration,
    /// First and largest retry delay after a failed sync.
    pub retry_base: Duration,
    pub retry_cap: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            kdf: KdfParams::DEFAULT,
            sync: SyncConfig::default(),
            pull_every: Duration::from_secs(60),
            retry_base: Duration::from_secs(2),
            retry_cap: Duration::from_secs(300),
        }
    }
}

/// One device profile, opened.
#[derive(Debug)]
pub struct App {
    dir: PathBuf,
    config: AppConfig,
    store: Mutex<Store>,
    key: Mutex<Option<Unlocked>>,
    sync: autosync::SyncControl,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl App {
    /// Opens the profile in `dir` (creating an empty one), as at every start of the app.
    pub fn open(dir: &Path, config: AppConfig) -> AppResult<Self> {
        let store = Store::open(dir)?;
        Ok(Self {
            dir: dir.to_owned(),
            config,
            store: Mutex::new(store),
            key: Mutex::new(None),
            sync: autosync::SyncControl::default(),
        })
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        locked(&self.store)
    }

    /// Runs `f` with the unlocked key, or refuses.
    pub(crate) fn with_key<T>(&self, f: impl FnOnce(&Unlocked) -> AppResult<T>) -> AppResult<T> {
        let key = locked(&self.key);
        let key = key.as_ref().ok_or_else(AppError::not_unlocked)?;
        f(key)
    }

    /// Enrolled? Unlocked? The PIN counter.
    pub fn status(&self) -> AppResult<AppStatus> {
        let profile = self.store().profile().cloned();
        let unlocked = locked(&self.key).is_some();
        let (mut failures, mut locked_for, mut wiped) = (0, None, false);
        if let Some(p) = &profile {
            match KeyStore::open(&self.dir, p.device) {
                Ok(ks) => match ks.status() {
                    LockStatus::Open { failures: f } => failures = f,
                    LockStatus::Locked {
                        seconds,
                        failures: f,
                    } => {
                        failures = f;
                        locked_for = Some(seconds);
                    }
                    LockStatus::Wiped => wiped = true,
                },
                Err(keystore::KeyStoreError::Wiped) => wiped = true,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(AppStatus {
            enrolled: profile.is_some(),
            unlocked,
            device_name: profile.as_ref().map(|p| p.device_name.clone()),
            server_url: profile.as_ref().map(|p| p.server_url.clone()),
            device_id: profile.as_ref().map(|p| p.device.to_string()),
            failures,
            locked_for_seconds: locked_for,
            wipe_after: crate::keystore::WIPE_AFTER,
            wiped,
        })
    }

    /// Enrolls this device: a new Ed25519 key, the one-time code sent with its public half,
    /// the key sealed by the PIN, the profile and token saved. The session stays unlocked.
    pub async fn enroll(
        &self,
        server_url: &str,
        code: &str,
        device_name: &str,
        pin: &str,
    ) -> AppResult<AppStatus> {
        if self.store().profile().is_some() {
            if self.status()?.wiped {
                // The records signed before the wipe stay and keep syncing with the token; a
                // new key on top of them would mix two chains in one profile.
                return Err(AppError::new(
                    ErrorKind::KeyWiped,
                    "ключ уничтожен; подписанные записи сохранены и будут отправлены, для новой регистрации обратитесь к администратору / the key was destroyed; the signed records are kept and will be synced, ask an administrator to set the device up again",
                ));
            }
            return Err(crate::store::StoreError::AlreadyEnrolled.into());
        }
        let pin = Pin::parse(pin).map_err(keystore::KeyStoreError::from)?;
        let name = device_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid(
                "укажите название устройства (до 200 знаков) / give the device a name (up to 200 characters)",
            ));
        }
        let code = code.trim();
        if code.is_empty() {
            return Err(AppError::invalid(
                "введите код подключения / enter the enrollment code",
            ));
        }
        let api = Api::new(server_url, None)?;
        let key = DeviceKey::generate();
        let public_key = key.public_key();
        let enrolled = api.enroll(code, &public_key, name).await?;
        // A key file without a profile is what an enrollment cut short left behind: no record
        // was ever signed with it, and its device will never push.
        let key_path = self.dir.join(keystore::KEY_FILE);
        if key_path.exists() {
            std::fs::remove_file(&key_path).map_err(crate::store::StoreError::Io)?;
        }
        let (_, unlocked) =
            KeyStore::create(&self.dir, enrolled.device_id, key, &pin, self.config.kdf)?;
        let profile = Profile {
            server_url: api.base().to_owned(),
            device: enrolled.device_id,
            device_public_key: public_key,
            server_public_key: enrolled.server_key,
            log_origin: enrolled.log_origin,
            device_name: name.to_owned(),
            enrolled_at: Timestamp::now(),
        };
        self.store().save_enrollment(&profile, &enrolled.token)?;
        *locked(&self.key) = Some(unlocked);
        self.sync.wake();
        self.status()
    }

    /// Unlocks the key with the PIN for this session.
    pub fn unlock(&self, pin: &str) -> AppResult<AppStatus> {
        let unlocked = self.check_pin(pin)?;
        *locked(&self.key) = Some(unlocked);
        self.sync.wake();
        self.status()
    }

    /// Checks the PIN (counted towards the lockout) and returns the key it opens.
    pub(crate) fn check_pin(&self, pin: &str) -> AppResult<Unlocked> {
        let device = self
            .store()
            .profile()
            .map(|p| p.device)
            .ok_or_else(|| AppError::from(crate::store::StoreError::NotEnrolled))?;
        let pin = Pin::parse(pin).map_err(keystore::KeyStoreError::from)?;
        Ok(KeyStore::open(&self.dir, device)?.unlock(&pin)?)
    }

    /// Locks the session: the key is dropped (and wiped from memory).
    pub fn lock(&self) -> AppResult<AppStatus> {
        *locked(&self.key) = None;
        self.status()
    }
}
