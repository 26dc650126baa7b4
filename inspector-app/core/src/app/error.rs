//! The one error the app's commands return: a machine-readable kind for the UI to act on and a
//! message for the inspector, Russian first, then English.

use serde::Serialize;

use crate::keystore::KeyStoreError;
use crate::photo::PhotoError;
use crate::store::StoreError;
use crate::sync::SyncError;

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
    Network,
    ServerRefused,
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
            "введите ПИН-код, чтобы разблокировать устройство / enter the PIN to unlock the device",
        )
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
        Self::new(kind, e.to_string())
    }
}

impl From<PhotoError> for AppError {
    fn from(e: PhotoError) -> Self {
        Self::new(ErrorKind::PhotoRefused, e.to_string())
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        let kind = match &e {
            SyncError::Network(_) => ErrorKind::Network,
            SyncError::Server { .. } | SyncError::Rejected { .. } => ErrorKind::ServerRefused,
            SyncError::BadServerUrl(_) => ErrorKind::InvalidInput,
            SyncError::Protocol(_) => ErrorKind::ServerRefused,
            SyncError::NotEnrolled => ErrorKind::NotEnrolled,
            SyncError::Store(s) => return AppError::from(StoreError::Corrupt(s.to_string())),
        };
        Self::new(kind, e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
