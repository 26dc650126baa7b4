//! What the inspector is told when the server cannot be used: enrollment refusals by kind with
//! nothing left behind, the last sync's failure kept with its kind, and the ticks that tell the
//! header's badge to refresh.

use serde_json::{Value, json};

use super::tests::{PIN, field_app};
use super::{App, AppConfig, ErrorKind};
use crate::keystore::{self, KdfParams};
use crate::sync::test_server::{Canned, serve};

fn fresh_app(dir: &std::path::Path) -> App {
    App::open(
        dir,
        AppConfig {
            kdf: KdfParams::INSECURE_FAST,
            ..AppConfig::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn a_refused_code_says_which_refusal_and_leaves_no_enrollment() {
    let dir = tempfile::tempdir().unwrap();
    let app = fresh_app(dir.path());
    for (problem, detail, expected) in [
        (
            "enrollment-code-unknown",
            "код регистрации не найден / unknown enrollment code",
            ErrorKind::EnrollCodeUnknown,
        ),
        (
            "enrollment-code-used",
            "код регистрации уже использован / enrollment code already used",
            ErrorKind::EnrollCodeUsed,
        ),
        (
            "enrollment-code-expired",
            "срок кода регистрации истёк / enrollment code expired",
            ErrorKind::EnrollCodeExpired,
        ),
    ] {
        let server = serve(Some(Canned::problem(403, problem, detail))).await;
        let e = app
            .enroll(&server.url, "K7QM-2XRT-HP9D", "Планшет", PIN)
            .await
            .unwrap_err();
        assert_eq!(e.kind, expected, "{detail}: {e:?}");
        assert!(!e.message.contains("403"), "a code, not a status: {e:?}");
    }
    let html = serve(Some(Canned::html(200))).await;
    let e = app
        .enroll(&html.url, "K7QM-2XRT-HP9D", "Планшет", PIN)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotKndServer, "{e:?}");
    let status = app.status().unwrap();
    assert!(!status.enrolled && !status.unlocked, "{status:?}");
    assert!(!dir.path().join(keystore::KEY_FILE).exists());
}

#[tokio::test]
async fn the_last_sync_error_is_kept_with_its_kind_and_the_device_is_offline() {
    let dir = tempfile::tempdir().unwrap();
    // The profile's server is 127.0.0.1:9, where nothing listens.
    let (app, _, _) = field_app(dir.path());
    let status = app.sync_now().await.unwrap();
    let stored: Value = serde_json::from_str(status.last_error.as_deref().unwrap()).unwrap();
    assert_eq!(stored["kind"], json!("server_unreachable"), "{stored}");
    let message = stored["message"].as_str().unwrap();
    assert!(
        message.contains(" / ") && !message.contains("error sending request"),
        "{message}"
    );
    assert_eq!(status.online, Some(false));
}

#[tokio::test]
async fn a_sync_and_a_signed_record_tick_the_sync_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let mut changes = app.sync_changes();
    assert!(!changes.has_changed().unwrap());
    app.sync_now().await.unwrap();
    assert!(changes.has_changed().unwrap(), "a sync ended");
    changes.mark_unchanged();
    app.unlock(PIN).unwrap();
    changes.mark_unchanged();
    app.start_inspection(&inspection.to_string()).unwrap();
    assert!(changes.has_changed().unwrap(), "a record was signed");
}
