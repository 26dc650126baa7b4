//! The inspector app's core (`knd-inspector-core`, through its `App` facade) against a real
//! `knd-server` over HTTP: enrollment, pull, a whole inspection recorded offline, and sync that
//! survives a server down, killed, or reached through a link that drops.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_debug_implementations
)]

mod auto_sync;
mod bad_input;
mod common;
mod full_flow;
mod interrupted_push;
mod interrupted_upload;
mod key;
mod warning_objection;
