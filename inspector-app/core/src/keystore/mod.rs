//! The device key at rest, sealed by the inspector's PIN (DESIGN.md section 5, "Enrollment").
//!
//! At enrollment the app generates an Ed25519 key; the server answers with the device id; the
//! seed is then sealed into `device-key.json`:
//!
//! * key derivation: Argon2id (the `argon2` crate) over the PIN with a random 16-byte salt,
//!   64 output bytes: the first 32 are the AEAD key, SHA-256 of the last 32 is stored as a PIN
//!   check, so a wrong PIN (counted) is told apart from a damaged or swapped file (refused);
//! * encryption: XChaCha20-Poly1305 (the `chacha20poly1305` crate) with a random 24-byte nonce;
//! * associated data: the format version, device id, public key, KDF parameters, salt and PIN
//!   check, so changing any of them (or putting another device's file in place) makes the
//!   decryption fail.
//!
//! Against someone who copies the file off the tablet the PIN is the only secret and a 4-digit
//! PIN falls to an offline search (10^4 × ~0.4 s ≈ an hour); the Argon2 cost only slows it.
//! Against someone holding the tablet, the attempt counter ([`lockout`]) is the defence: locks
//! after 5 failures, the key is destroyed after 10.

mod lockout;
#[cfg(test)]
mod tests;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use knd_shared::{DeviceId, DeviceKey, PublicKey, Sha256};
use rand_core::{OsRng, RngCore as _};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use lockout::{LOCK_AFTER, LockStatus, WIPE_AFTER};

use crate::fsutil::write_atomic;

/// The sealed key file's name inside the profile folder.
pub const KEY_FILE: &str = "device-key.json";
/// The attempt counter's file, next to the key.
pub const ATTEMPTS_FILE: &str = "device-key.attempts.json";

const FORMAT: &str = "knd.inspector.key";
const VERSION: u32 = 1;
const AAD_PREFIX: &str = "knd.inspector.key.v1\n";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// Why a PIN was refused before any key work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("ПИН-код должен состоять из 4–12 цифр / the PIN must be 4 to 12 digits")]
    Form,
}

/// The inspector's PIN: 4 to 12 ASCII digits.
///
/// Digits because the tablet shows a numeric keypad and inspectors type it in gloves and in the
/// rain; at least 4 because fewer gives under 10^4 guesses even offline; at most 12 because
/// nobody types more on a keypad and a longer secret belongs in a passphrase, not a PIN. The
/// short PIN is acceptable only because of the attempt counter and the Argon2 cost.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Checks the form of a PIN as typed.
    pub fn parse(s: &str) -> Result<Self, PinError> {
        if (4..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(Zeroizing::new(s.to_owned())))
        } else {
            Err(PinError::Form)
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// Argon2id cost parameters, stored in the file so they can be raised for new enrollments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option with one
    /// lane, since tablets have few fast cores). A whole unlock measures 0.26 s (median,
    /// `benches/core.rs`) on one core of a 2-core x86 VM; a mid-range ARM tablet is roughly
    /// 1.5–2× slower, about 0.4–0.5 s: slow enough to make guessing expensive, fast enough not
    /// to annoy at every unlock. 64 MiB fits the memory any supported tablet has free.
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Cheap parameters for tests and benchmarks only: they protect nothing.
    pub const INSECURE_FAST: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    /// Refuses parameters a crafted file could use to exhaust memory or time (above 1 GiB or
    /// 64 passes).
    fn argon2(&self) -> Result<Argon2<'static>, KeyStoreError> {
        if self.m_kib > 1024 * 1024 || self.t > 64 || self.p > 16 {
            return Err(KeyStoreError::Damaged("KDF parameters out of range".into()));
        }
        let params = Params::new(self.m_kib, self.t, self.p, Some(64))
            .map_err(|e| KeyStoreError::Damaged(format!("KDF parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why the key store refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error(
        "неверный ПИН-код, ошибок подряд: {failures} из {WIPE_AFTER} / wrong PIN, {failures} failures in a row of {WIPE_AFTER}"
    )]
    WrongPin { failures: u32 },
    #[error(
        "слишком много неверных ПИН-кодов, повторите через {seconds} с / too many wrong PINs, try again in {seconds} s"
    )]
    Locked { seconds: u64, failures: u32 },
    #[error(
        "ключ устройства уничтожен после {WIPE_AFTER} неверных ПИН-кодов, нужна повторная регистрация / the device key was destroyed after {WIPE_AFTER} wrong PINs, enroll again"
    )]
    Wiped,
    #[error("ключ устройства не найден, нужна регистрация / no device key, enroll first")]
    NotEnrolled,
    #[error("ключ устройства уже существует / a device key already exists")]
    AlreadyEnrolled,
    #[error(
        "файл ключа повреждён или от другого устройства / the key file is damaged or belongs to another device: {0}"
    )]
    Damaged(String),
    #[error("ошибка ввода-вывода / i/o error: {0}")]
    Io(#[from] io::Error),
}

/// The sealed key file (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedFile {
    format: String,
    v: u32,
    device: DeviceId,
    public_key: PublicKey,
    kdf: String,
    params: KdfParams,
    salt: String,
    pin_check: Sha256,
    aead: String,
    nonce: String,
    ciphertext: String,
}

impl SealedFile {
    /// Everything but the ciphertext, bound to it as associated data.
    fn aad(&self) -> Vec<u8> {
        format!(
            "{AAD_PREFIX}format={} v={}\ndevice={}\npublic_key={}\nkdf={} m={} t={} p={}\nsalt={}\npin_check={}\naead={}\nnonce={}\n",
            self.format,
            self.v,
            self.device,
            self.public_key,
            self.kdf,
            self.params.m_kib,
            self.params.t,
            self.params.p,
            self.salt,
            self.pin_check,
            self.aead,
            self.nonce,
        )
        .into_bytes()
    }
}

/// What Argon2 gives for a PIN: the AEAD key and the PIN check.
struct Derived {
    key: Zeroizing<[u8; 32]>,
    check: Sha256,
}

fn derive(pin: &Pin, salt: &[u8], params: KdfParams) -> Result<Derived, KeyStoreError> {
    let mut out = Zeroizing::new([0u8; 64]);
    params
        .argon2()?
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|e| KeyStoreError::Damaged(format!("key derivation: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&out[..32]);
    let mut check_input = Zeroizing::new(b"knd.pin.check\n".to_vec());
    check_input.extend_from_slice(&out[32..]);
    Ok(Derived {
        key,
        check: Sha256::digest(&check_input),
    })
}

/// The sealed device key of one profile, and its attempt counter.
#[derive(Debug)]
pub struct KeyStore {
    key_path: PathBuf,
    attempts_path: PathBuf,
    device: DeviceId,
}

impl KeyStore {
    /// Seals `key` under `pin` in `dir` for `device` and returns the store and the key unlocked
    /// for this session (enrollment continues without asking for the PIN again).
    pub fn create(
        dir: &Path,
        device: DeviceId,
        key: DeviceKey,
        pin: &Pin,
        params: KdfParams,
    ) -> Result<(Self, Unlocked), KeyStoreError> {
        let store = Self::paths(dir, device);
        if store.key_path.exists() {
            return Err(KeyStoreError::AlreadyEnrolled);
        }
        let mut salt = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let derived = derive(pin, &salt, params)?;
        let mut file = SealedFile {
            format: FORMAT.into(),
            v: VERSION,
            device,
            public_key: key.public_key(),
            kdf: "argon2id".into(),
            params,
            salt: STANDARD.encode(salt),
            pin_check: derived.check,
            aead: "xchacha20poly1305".into(),
            nonce: STANDARD.encode(nonce),
            ciphertext: String::new(),
        };
        let seed = Zeroizing::new(key.seed());
        let cipher = XChaCha20Poly1305::new(derived.key.as_ref().into());
        let aad = file.aad();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: seed.as_ref(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeyStoreError::Damaged("encryption failed".into()))?;
        file.ciphertext = STANDARD.encode(sealed);
        let json =
            serde_json::to_vec_pretty(&file).map_err(|e| KeyStoreError::Damaged(e.to_string()))?;
        fs::create_dir_all(dir)?;
        lockout::reset(&store.attempts_path)?;
        write_atomic(&store.key_path, &json)?;
        Ok((store, Unlocked { device, key }))
    }

    /// Opens the sealed key of `device` in `dir` (the device id comes from the profile, so a
    /// file copied from another device is refused here or at unlock).
    pub fn open(dir: &Path, device: DeviceId) -> Result<Self, KeyStoreError> {
        let store = Self::paths(dir, device);
        if !store.key_path.exists() {
            return Err(if lockout::read(&store.attempts_path).wiped {
                KeyStoreError::Wiped
            } else {
                KeyStoreError::NotEnrolled
            });
        }
        let file = store.read_file()?;
        if file.device != device {
            return Err(KeyStoreError::Damaged(format!(
                "the file is for device {}, this profile is device {device}",
                file.device
            )));
        }
        Ok(store)
    }

    fn paths(dir: &Path, device: DeviceId) -> Self {
        Self {
            key_path: dir.join(KEY_FILE),
            attempts_path: dir.join(ATTEMPTS_FILE),
            device,
        }
    }

    fn read_file(&self) -> Result<SealedFile, KeyStoreError> {
        let bytes = match fs::read(&self.key_path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(if lockout::read(&self.attempts_path).wiped {
                    KeyStoreError::Wiped
                } else {
                    KeyStoreError::NotEnrolled
                });
            }
            other => other?,
        };
        let file: SealedFile =
            serde_json::from_slice(&bytes).map_err(|e| KeyStoreError::Damaged(e.to_string()))?;
        if file.format != FORMAT
            || file.v != VERSION
            || file.kdf != "argon2id"
            || file.aead != "xchacha20poly1305"
        {
            return Err(KeyStoreError::Damaged(format!(
                "unsupported format {} v{} ({}, {})",
                file.format, file.v, file.kdf, file.aead
            )));
        }
        Ok(file)
    }

    /// The device this key belongs to.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Failures so far and whether unlocking is locked now.
    pub fn status(&self) -> LockStatus {
        lockout::read(&self.attempts_path).status(SystemTime::now())
    }

    /// Unlocks the key for this session.
    pub fn unlock(&self, pin: &Pin) -> Result<Unlocked, KeyStoreError> {
        self.unlock_at(pin, SystemTime::now())
    }

    /// [`Self::unlock`] at a given time (tests move the clock).
    ///
    /// The attempt is counted *before* the PIN is checked and forgiven only after it proved
    /// right, so killing the app during the check does not give a free guess.
    pub fn unlock_at(&self, pin: &Pin, now: SystemTime) -> Result<Unlocked, KeyStoreError> {
        let attempts = lockout::read(&self.attempts_path);
        if attempts.wiped {
            return Err(KeyStoreError::Wiped);
        }
        if let LockStatus::Locked { seconds, failures } = attempts.status(now) {
            return Err(KeyStoreError::Locked { seconds, failures });
        }
        let file = self.read_file()?;
        if file.device != self.device {
            return Err(KeyStoreError::Damaged("device id does not match".into()));
        }
        let counted = attempts.fail(now);
        lockout::write(&self.attempts_path, &counted)?;

        let salt = decode(&file.salt, "salt")?;
        let derived = derive(pin, &salt, file.params)?;
        if derived.check != file.pin_check {
            if counted.failures >= WIPE_AFTER {
                self.wipe(&counted)?;
                return Err(KeyStoreError::Wiped);
            }
            return Err(KeyStoreError::WrongPin {
                failures: counted.failures,
            });
        }
        let nonce = decode(&file.nonce, "nonce")?;
        if nonce.len() != NONCE_LEN {
            return Err(KeyStoreError::Damaged("nonce length".into()));
        }
        let ciphertext = decode(&file.ciphertext, "ciphertext")?;
        let cipher = XChaCha20Poly1305::new(derived.key.as_ref().into());
        let seed = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &file.aad(),
                    },
                )
                .map_err(|_| {
                    KeyStoreError::Damaged("authentication failed: the file was changed".into())
                })?,
        );
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.as_slice()
                .try_into()
                .map_err(|_| KeyStoreError::Damaged("seed length".into()))?,
        );
        let key = DeviceKey::from_seed(&seed);
        if key.public_key() != file.public_key {
            return Err(KeyStoreError::Damaged(
                "the key does not match its public key".into(),
            ));
        }
        lockout::reset(&self.attempts_path)?;
        Ok(Unlocked {
            device: self.device,
            key,
        })
    }

    /// Destroys the sealed key after too many failures. The file is overwritten before it is
    /// removed; on flash storage with wear levelling that is best effort, which is why the
    /// counter, not the wipe, is the main defence.
    fn wipe(&self, counted: &lockout::Attempts) -> Result<(), KeyStoreError> {
        let mut wiped = counted.clone();
        wiped.wiped = true;
        lockout::write(&self.attempts_path, &wiped)?;
        if let Ok(meta) = fs::metadata(&self.key_path) {
            let zeros = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
            write_atomic(&self.key_path, &zeros)?;
        }
        match fs::remove_file(&self.key_path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

fn decode(s: &str, what: &str) -> Result<Vec<u8>, KeyStoreError> {
    STANDARD
        .decode(s)
        .map_err(|e| KeyStoreError::Damaged(format!("{what}: {e}")))
}

/// The device key, unlocked for the session. It signs records inside this crate and is never
/// handed out: there is no accessor for the secret, no `Clone`, and `Debug` shows the public
/// key only. Dropping it wipes the secret: `DeviceKey` wraps ed25519-dalek's `SigningKey`, which
/// zeroizes itself on drop (dalek's `zeroize` feature, on by default in the workspace).
pub struct Unlocked {
    device: DeviceId,
    key: DeviceKey,
}

impl Unlocked {
    /// The device id the key was enrolled under.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub(crate) fn key(&self) -> &DeviceKey {
        &self.key
    }
}

impl fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Unlocked(device {}, public {})",
            self.device,
            self.key.public_key()
        )
    }
}
