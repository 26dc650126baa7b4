//! The one test kit: starts a real `knd-server` on a fresh database and drives it as a client
//! does. The server's integration tests (`server/tests/it`), the cross-process tests
//! (`tests/tests/field_sync`) and the benchmarks (`tests/benches`) all use it.
//!
//! - [`bench`]: sizes from the environment and percentiles for the benchmarks;
//! - [`server`]: a server in this process on SQLite or a fresh PostgreSQL database
//!   ([`TestServer`]), and the benchmarks' [`Server`];
//! - [`postgres`]: fresh PostgreSQL databases;
//! - [`admin`] and [`client`]: agencies, users and enrollment codes straight through the admin
//!   functions, then sign-in, enrollment, pushes and JSON or byte requests over HTTP;
//! - [`device`]: an enrolled device signing its chain, and push bodies;
//! - [`node`]: a server that can be killed and restarted on its data directory and address;
//! - [`console`]: the web console as a browser without JavaScript uses it ([`console::Browser`]);
//! - [`proxy`]: a TCP proxy that cuts or holds bytes (fault injection).

pub mod admin;
pub mod bench;
pub mod client;
pub mod console;
pub mod device;
pub mod node;
pub mod postgres;
pub mod proxy;
pub mod server;

pub use client::{Client, push_raw};
pub use device::{Device, push_body};
pub use node::ServerNode;
pub use postgres::{fresh_postgres_db, fresh_test_postgres_db, named_postgres_db};
pub use proxy::{Fault, Proxy};
pub use server::{Backend, Server, TestServer};
