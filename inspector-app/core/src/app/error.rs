//! The one error the app's commands return: a machine-readable kind for the UI to act on and a
//! message for the inspector, Russian first, then English.

use serde::Serialize;

use crate::keystore::{KeyStoreError, WIPE_AFTER};
use crate::photo::PhotoError;
use crate::store::StoreError;
use crate::sync::{EnrollRefusal, SyncError};

/// What went wrong, for the UI to choose what to show or do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotEnrolled,
    AlreadyEnrolled,
    NotUnlocked,
    WrongPin,
    LockedOut,
    KeyWiped,
    InvalidInput,
    PhotoRefused,
    /// The connection broke off in the middle of an exchange.
    Network,
    /// The server cannot be reached: the name does not resolve, nothing listens, TLS fails.
    ServerUnreachable,
    /// The server did not answer in time.
    ServerTimeout,
    /// The address answers, but not as a KND server (a web page, another API, no endpoint).
    NotKndServer,
    /// A KND server answered something this app does not understand.
    BadServerAnswer,
    /// The server failed (5xx).
    ServerError,
    /// The server refused, with its reason in the message.
    ServerRefused,
    /// The server no longer accepts this device (its enrollment was revoked or replaced).
    DeviceRefused,
    /// Too many attempts from this address: wait (the message says how long).
    TooManyAttempts,
    /// Enrollment: no such code.
    EnrollCodeUnknown,
    /// Enrollment: the code was used already.
    EnrollCodeUsed,
    /// Enrollment: the code has expired.
    EnrollCodeExpired,
    StorageFull,
    NotFound,
    Internal,
}

/// A command's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Bad input from the UI: nothing was changed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn not_unlocked() -> Self {
        Self::new(
            ErrorKind::NotUnlocked,
            "введите PIN-код, чтобы разблокировать устройство / enter the PIN to unlock the device",
        )
    }

    /// The error as the store keeps the last sync's failure: `{"kind": …, "message": …}`, so
    /// that the sync screen translates its kind like a command's error.
    pub fn to_json(&self) -> String {
        serde_json::json!({"kind": self.kind, "message": self.message}).to_string()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::DiskFull => ErrorKind::StorageFull,
            StoreError::Io(io) if io.raw_os_error() == Some(28) => ErrorKind::StorageFull,
            StoreError::NotEnrolled => ErrorKind::NotEnrolled,
            StoreError::AlreadyEnrolled => ErrorKind::AlreadyEnrolled,
            StoreError::Body(_) | StoreError::PhotoExists(_) | StoreError::ServerKind(_) => {
                ErrorKind::InvalidInput
            }
            StoreError::Photo(_) => ErrorKind::PhotoRefused,
            StoreError::UnknownRecord(_) => ErrorKind::NotFound,
            _ => ErrorKind::Internal,
        };
        let message = if kind == ErrorKind::StorageFull {
            StoreError::DiskFull.to_string()
        } else {
            e.to_string()
        };
        Self::new(kind, message)
    }
}

impl From<KeyStoreError> for AppError {
    fn from(e: KeyStoreError) -> Self {
        let kind = match &e {
            KeyStoreError::Pin(_) => ErrorKind::InvalidInput,
            KeyStoreError::WrongPin { .. } => ErrorKind::WrongPin,
            KeyStoreError::Locked { .. } => ErrorKind::LockedOut,
            KeyStoreError::Wiped => ErrorKind::KeyWiped,
            KeyStoreError::NotEnrolled => ErrorKind::NotEnrolled,
            KeyStoreError::AlreadyEnrolled => ErrorKind::AlreadyEnrolled,
            KeyStoreError::Io(io) if io.raw_os_error() == Some(28) => ErrorKind::StorageFull,
            KeyStoreError::Damaged(_) | KeyStoreError::Io(_) => ErrorKind::Internal,
        };
        Self::new(kind, pin_message(&e))
    }
}

/// What the inspector reads about the PIN: "PIN-код" as everywhere in the UI, and counts that
/// agree with their number in both languages.
fn pin_message(e: &KeyStoreError) -> String {
    match e {
        KeyStoreError::Pin(_) => {
            "PIN-код должен состоять из 4–12 цифр / the PIN must be 4 to 12 digits".into()
        }
        KeyStoreError::WrongPin { failures } => format!(
            "неверный PIN-код: {} подряд; после {} подряд ключ подписи будет уничтожен / wrong PIN: {} in a row; after {} in a row the signing key is destroyed",
            ru_count(
                *failures,
                ["неверная попытка", "неверные попытки", "неверных попыток"]
            ),
            ru_count(
                WIPE_AFTER,
                ["неверной попытки", "неверных попыток", "неверных попыток"]
            ),
            en_count(*failures, "wrong attempt", "wrong attempts"),
            en_count(WIPE_AFTER, "wrong attempt", "wrong attempts"),
        ),
        KeyStoreError::Locked { seconds, .. } => format!(
            "слишком много неверных PIN-кодов, повторите через {seconds} с / too many wrong PINs, try again in {seconds} s"
        ),
        KeyStoreError::Wiped => format!(
            "ключ подписи уничтожен после {} подряд, нужна повторная регистрация / the signing key was destroyed after {} in a row, enroll again",
            ru_count(
                WIPE_AFTER,
                ["неверной попытки", "неверных попыток", "неверных попыток"]
            ),
            en_count(WIPE_AFTER, "wrong attempt", "wrong attempts"),
        ),
        other => other.to_string(),
    }
}

/// "1 неверная попытка", "3 неверные попытки", "5 неверных попыток": the words for `n` from
/// their one, few and many forms (CLDR's Russian plural rules, for whole numbers).
fn ru_count(n: u32, [one, few, many]: [&str; 3]) -> String {
    let form = match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    };
    format!("{n} {form}")
}

fn en_count(n: u32, one: &str, other: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { other })
}

impl From<PhotoError> for AppError {
    fn from(e: PhotoError) -> Self {
        Self::new(ErrorKind::PhotoRefused, e.to_string())
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        Self::from(&e)
    }
}

impl From<&SyncError> for AppError {
    fn from(e: &SyncError) -> Self {
        let kind = match e {
            SyncError::Unreachable { .. } => ErrorKind::ServerUnreachable,
            SyncError::Timeout => ErrorKind::ServerTimeout,
            SyncError::Network { .. } => ErrorKind::Network,
            SyncError::NotKndServer { .. } => ErrorKind::NotKndServer,
            SyncError::Protocol(_) => ErrorKind::BadServerAnswer,
            SyncError::ServerFailed { .. } => ErrorKind::ServerError,
            SyncError::Server { .. } | SyncError::Rejected { .. } => ErrorKind::ServerRefused,
            SyncError::DeviceRefused => ErrorKind::DeviceRefused,
            SyncError::TooManyAttempts { .. } => ErrorKind::TooManyAttempts,
            SyncError::Enrollment(EnrollRefusal::Unknown) => ErrorKind::EnrollCodeUnknown,
            SyncError::Enrollment(EnrollRefusal::Used) => ErrorKind::EnrollCodeUsed,
            SyncError::Enrollment(EnrollRefusal::Expired) => ErrorKind::EnrollCodeExpired,
            SyncError::BadServerUrl(_) => ErrorKind::InvalidInput,
            SyncError::NotEnrolled => ErrorKind::NotEnrolled,
            SyncError::Store(s) => return AppError::from(StoreError::Corrupt(s.to_string())),
        };
        Self::new(kind, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_number() {
        let check = |n: u32, ru: &str, en: &str| {
            let forms = ["неверная попытка", "неверные попытки", "неверных попыток"];
            assert_eq!(ru_count(n, forms), ru, "{n}");
            assert_eq!(en_count(n, "wrong attempt", "wrong attempts"), en, "{n}");
        };
        check(0, "0 неверных попыток", "0 wrong attempts");
        check(1, "1 неверная попытка", "1 wrong attempt");
        check(2, "2 неверные попытки", "2 wrong attempts");
        check(4, "4 неверные попытки", "4 wrong attempts");
        check(5, "5 неверных попыток", "5 wrong attempts");
        check(11, "11 неверных попыток", "11 wrong attempts");
        check(12, "12 неверных попыток", "12 wrong attempts");
        check(21, "21 неверная попытка", "21 wrong attempts");
        check(22, "22 неверные попытки", "22 wrong attempts");
        check(111, "111 неверных попыток", "111 wrong attempts");
    }

    #[test]
    fn a_wrong_pin_reads_as_a_sentence_in_both_languages() {
        let e = AppError::from(KeyStoreError::WrongPin { failures: 1 });
        assert_eq!(e.kind, ErrorKind::WrongPin);
        assert_eq!(
            e.message,
            "неверный PIN-код: 1 неверная попытка подряд; после 10 неверных попыток подряд ключ подписи будет уничтожен / wrong PIN: 1 wrong attempt in a row; after 10 wrong attempts in a row the signing key is destroyed"
        );
        for e in [
            KeyStoreError::Pin(crate::keystore::PinError::Form),
            KeyStoreError::Locked {
                seconds: 60,
                failures: 5,
            },
            KeyStoreError::Wiped,
        ] {
            let message = AppError::from(e).message;
            assert!(!message.contains("ПИН"), "{message}");
        }
    }
}
