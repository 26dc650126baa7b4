//! The server's end-to-end tests on the shared test kit (`knd-tests`): the kit's names, plus what
//! only these tests use: one test per backend (`on_both!`) and the usual agency (`world`).

use knd_server::model::Role;
use knd_shared::AgencyId;
use serde_json::Value;

pub use knd_tests::{
    Backend, Device, TestServer, fresh_test_postgres_db as fresh_postgres_db, push_body as body_of,
    push_raw,
};

/// Generates one test per backend from an async fn taking a `Backend`.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await;
            }
        }
    };
}

/// An agency with an admin, an inspector and an enrolled device of that inspector.
pub struct World {
    pub server: TestServer,
    pub agency: AgencyId,
    pub admin: String,
    pub inspector_id: String,
    pub inspector: String,
    pub device: Device,
}

pub async fn world(backend: Backend) -> World {
    world_configured(backend, |_| {}).await
}

/// [`world`] on a server whose configuration `tweak` changes first.
pub async fn world_configured(
    backend: Backend,
    tweak: impl FnOnce(&mut knd_server::Config),
) -> World {
    let server = TestServer::start_configured(backend, tweak).await;
    let agency = server.agency("Управление надзора №1").await;
    let (_, admin) = server.user(agency, "admin1", Role::Admin).await;
    let (inspector_id, inspector) = server.user(agency, "inspector1", Role::Inspector).await;
    let code = server.code_for("inspector1").await;
    let device = server.enroll(&code).await;
    World {
        server,
        agency,
        admin,
        inspector_id,
        inspector,
        device,
    }
}

/// The audit entries of the admin's agency, newest first.
pub async fn audit(server: &TestServer, admin_token: &str) -> Vec<Value> {
    let (status, page) = server.get("/api/v1/audit?limit=500", admin_token).await;
    assert_eq!(status, 200, "{page}");
    page["entries"].as_array().unwrap().clone()
}
