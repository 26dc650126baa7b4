//! `knd-inspector-core`: everything the inspector app does that can be tested without a window
//! (DESIGN.md section 8). The Tauri shell only translates its commands to calls here; nothing in
//! this crate knows about tauri or the web view.
//!
//! * [`keystore`]: the device key sealed by the inspector's PIN, unlocked for a session;
//! * [`store`]: the offline SQLite store: profile, the device's signed record chain, the outbox
//!   and receipts, pulled assignments, photos;
//! * [`photo`]: photo ingest (hash, EXIF, oriented thumbnail).
#![forbid(unsafe_code)]

pub mod app;
mod fsutil;
pub mod keystore;
pub mod photo;
pub mod store;
pub mod sync;

pub use keystore::{KdfParams, KeyStore, KeyStoreError, Pin, PinError, Unlocked};
pub use photo::{DeviceContext, IngestedPhoto, PhotoError};
pub use store::{Profile, Store, StoreError};
