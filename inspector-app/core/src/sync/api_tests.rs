//! The API client against a scripted server: answers, refusals and the headers it sends.

use std::time::Duration;

use knd_shared::DeviceKey;
use knd_shared::note::NoteSigner;
use reqwest::StatusCode;
use serde_json::json;

use super::{Api, DEVICE_TIME_HEADER, PENDING_HEADER, SyncError, refusal};
use crate::app::{AppError, ErrorKind};
use crate::sync::test_server::{Canned, closed_port, serve};

fn kind(e: &SyncError) -> ErrorKind {
    AppError::from(e).kind
}

async fn enroll_at(url: &str) -> Result<super::Enrolled, SyncError> {
    let api = Api::with_timeouts(url, None, Duration::from_secs(2), Duration::from_secs(2))
        .expect("client");
    api.enroll(
        "K7QM-2XRT-HP9D",
        &DeviceKey::generate().public_key(),
        "Планшет",
    )
    .await
}

async fn enroll_answered(answer: Canned) -> SyncError {
    let server = serve(Some(answer.clone())).await;
    enroll_at(&server.url)
        .await
        .expect_err(&format!("{answer:?} enrolled"))
}

#[tokio::test]
async fn each_enrollment_failure_has_its_own_kind() {
    let cases = [
        // What the KND server answers (server/src/services/enrollment.rs).
        (
            Canned::problem(
                403,
                "enrollment-code-unknown",
                "код регистрации не найден / unknown enrollment code",
            ),
            ErrorKind::EnrollCodeUnknown,
        ),
        (
            Canned::problem(
                403,
                "enrollment-code-used",
                "код регистрации уже использован / enrollment code already used",
            ),
            ErrorKind::EnrollCodeUsed,
        ),
        (
            Canned::problem(403, "enrollment-code-expired", "срок кода истёк"),
            ErrorKind::EnrollCodeExpired,
        ),
        // A server from before the problem types: the words.
        (
            Canned::problem(403, "forbidden", "unknown enrollment code"),
            ErrorKind::EnrollCodeUnknown,
        ),
        (
            Canned::problem(403, "forbidden", "enrollment code already used"),
            ErrorKind::EnrollCodeUsed,
        ),
        (
            Canned::problem(403, "forbidden", "enrollment code expired"),
            ErrorKind::EnrollCodeExpired,
        ),
        (
            Canned::problem(429, "too-many-requests", "too many attempts, retry in 60 s")
                .header("retry-after", "60"),
            ErrorKind::TooManyAttempts,
        ),
        (
            Canned::problem(422, "unprocessable", "small-order public key refused"),
            ErrorKind::ServerRefused,
        ),
        (
            Canned::problem(
                500,
                "internal",
                "internal error; the cause is in the server log",
            ),
            ErrorKind::ServerError,
        ),
        // Not a KND server: a web page, another API's JSON, no enrollment endpoint.
        (Canned::html(200), ErrorKind::NotKndServer),
        (Canned::html(404), ErrorKind::NotKndServer),
        (Canned::html(403), ErrorKind::NotKndServer),
        (
            Canned::json(200, json!({"status": "ok", "version": 3})),
            ErrorKind::NotKndServer,
        ),
        (
            Canned::json(404, json!({"error": "no route"})),
            ErrorKind::NotKndServer,
        ),
        (
            Canned::problem(404, "not-found", "not found"),
            ErrorKind::NotKndServer,
        ),
        (
            Canned::json(
                201,
                json!({"device_id": "x", "token": "t", "server_key": "nope", "log_origin": "o"}),
            ),
            ErrorKind::NotKndServer,
        ),
        // A proxy's gateway error is the server failing, not another server.
        (Canned::html(502), ErrorKind::ServerError),
    ];
    for (answer, expected) in cases {
        let e = enroll_answered(answer.clone()).await;
        assert_eq!(kind(&e), expected, "{answer:?}: {e:?}");
    }
}

/// Pull and push tell the server the device's unsent records and its clock (shown in the
/// agency's console), whatever the server answers.
#[tokio::test]
async fn sync_calls_say_pending_records_and_the_device_clock() {
    let server = serve(Some(Canned::problem(401, "unauthorized", "no"))).await;
    let api = Api::new(&server.url, Some("kdt_x".into())).unwrap();
    let before = time::OffsetDateTime::now_utc();
    assert!(api.pull(None, 7).await.is_err());
    assert!(api.push(&[b"{}".as_slice()], 3).await.is_err());
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2, "{heads:?}");
    for (head, pending) in heads.iter().zip(["7", "3"]) {
        let value = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::to_owned)
        };
        assert_eq!(value(PENDING_HEADER).as_deref(), Some(pending), "{head}");
        let at = value(DEVICE_TIME_HEADER).expect("the device time");
        let at = time::OffsetDateTime::parse(
            &at.to_uppercase(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!((at - before).whole_seconds().abs() < 60, "{head}");
    }
}

#[tokio::test]
async fn a_retry_after_is_kept_for_the_message() {
    let e = enroll_answered(
        Canned::problem(429, "too-many-requests", "too many attempts, retry in 60 s")
            .header("retry-after", "60"),
    )
    .await;
    assert!(
        matches!(
            e,
            SyncError::TooManyAttempts {
                retry_after: Some(60)
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("60 с"), "{e}");
}

#[tokio::test]
async fn no_server_and_a_silent_server_are_unreachable_and_timeout_in_plain_words() {
    let e = enroll_at(&closed_port().await).await.unwrap_err();
    assert_eq!(kind(&e), ErrorKind::ServerUnreachable, "{e:?}");
    let silent = serve(None).await;
    let e = enroll_at(&silent.url).await.unwrap_err();
    assert_eq!(kind(&e), ErrorKind::ServerTimeout, "{e:?}");
    // What the inspector reads never carries the HTTP library's words or the URL.
    for e in [enroll_at(&closed_port().await).await.unwrap_err(), e] {
        let message = AppError::from(&e).message;
        for raw in [
            "error sending request",
            "url",
            "127.0.0.1",
            "tcp",
            "os error",
        ] {
            assert!(!message.to_lowercase().contains(raw), "{message}");
        }
    }
}

#[tokio::test]
async fn a_knd_servers_answer_enrolls() {
    let signer = NoteSigner::new("knd.example/log", DeviceKey::generate()).unwrap();
    let device = knd_shared::DeviceId::new();
    let server = serve(Some(Canned::json(
        201,
        json!({
            "device_id": device.to_string(),
            "token": "kdt_x",
            "server_key": signer.verifier_key(),
            "log_origin": "knd.example/log",
        }),
    )))
    .await;
    let enrolled = enroll_at(&server.url).await.expect("enrolled");
    assert_eq!(enrolled.device_id, device);
    assert_eq!(enrolled.log_origin, "knd.example/log");
}

#[test]
fn refusals_after_enrollment_by_status_and_body() {
    let knd = |status: u16, detail: &str| {
        json!({"type": "urn:knd:problem:x", "title": "t", "status": status, "detail": detail})
            .to_string()
    };
    let check = |status: u16, body: &str, expected: ErrorKind| {
        let e = refusal(StatusCode::from_u16(status).unwrap(), None, body);
        assert_eq!(kind(&e), expected, "{status} {body}: {e:?}");
    };
    check(
        401,
        &knd(401, "authentication required"),
        ErrorKind::DeviceRefused,
    );
    check(409, &knd(409, "upload offset"), ErrorKind::ServerRefused);
    check(
        413,
        &knd(413, "request body too large"),
        ErrorKind::ServerRefused,
    );
    check(429, &knd(429, "too many"), ErrorKind::TooManyAttempts);
    check(503, "", ErrorKind::ServerError);
    check(
        400,
        "<html>login to the Wi-Fi</html>",
        ErrorKind::NotKndServer,
    );
    check(400, "{\"detail\": \"no type\"}", ErrorKind::NotKndServer);
    // A bilingual reason gives each language its half.
    let e = refusal(
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        &knd(422, "запись не подписана / the record is not signed"),
    );
    assert_eq!(
        e.to_string(),
        "сервер отказал (422): запись не подписана / the server refused (422): the record is not signed"
    );
}
