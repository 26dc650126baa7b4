//! Interaction time offline (ст.73): intervals signed on stop, summed against the limit with a
//! warning near it and at it, the person named in a raid, none without interaction.

use knd_shared::record::Timestamp;
use knd_shared::record::kinds::RecordKind;
use serde_json::{Value, json};
use time::Duration;

use super::legal_tests::{last_body, set, sign_raw};
use super::tests::{PIN, chain_len, field_app, field_app_with};
use super::views::InteractionLevel;
use super::{ErrorKind, interaction};
use crate::store::OpenInteraction;

#[test]
fn interaction_is_measured_against_the_limit() {
    use InteractionLevel::*;
    let limit = Some(50 * 60);
    let h = |hours: u64, minutes: u64| (hours * 60 + minutes) * 60;
    for (seconds, limit, expected) in [
        (0, limit, Within),
        (h(39, 59), limit, Within),
        (h(40, 0), limit, Near),
        (h(49, 59), limit, Near),
        (h(50, 0), limit, Reached),
        (h(51, 0), limit, Reached),
        (h(12, 0), Some(15 * 60), Near),
        (h(11, 59), Some(15 * 60), Within),
        (h(500, 0), None, Within),
    ] {
        assert_eq!(
            interaction::level(seconds, limit),
            expected,
            "{seconds} s of {limit:?} min"
        );
    }
}

fn interval(
    inspection: &str,
    start: Timestamp,
    hours: i64,
    subject: Option<&str>,
) -> (RecordKind, Value) {
    let end = Timestamp::from_datetime(start.as_datetime() + Duration::hours(hours));
    let mut v = json!({"inspection": inspection, "started_at": start.to_string(), "ended_at": end.to_string()});
    if let Some(s) = subject {
        v["subject"] = json!(s);
    }
    (RecordKind::Interaction, v)
}

#[test]
fn interaction_intervals_add_up_and_warn_near_and_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    let err = app.stop_interaction(&id).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidInput,
        "a stop without a start: {err}"
    );
    assert_eq!(chain_len(&app), 0);

    let started = app.start_interaction(&id, None).unwrap();
    assert!(started.open_since.is_some());
    assert_eq!(started.limit_minutes, Some(3000));
    assert_eq!(
        chain_len(&app),
        1,
        "the start is kept unsigned; only the inspection started"
    );
    let again = app.start_interaction(&id, None).unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput, "{again}");
    let stopped = app.stop_interaction(&id).unwrap();
    assert_eq!(stopped.open_since, None);
    assert_eq!(stopped.intervals.len(), 1);
    assert_eq!(chain_len(&app), 2, "the interval is signed at the stop");
    assert_eq!(
        app.stop_interaction(&id).unwrap_err().kind,
        ErrorKind::InvalidInput
    );

    // Earlier intervals (signed as a day's work would have) and one under way for two hours.
    let day = Timestamp::parse("2026-12-01T06:00:00.000Z").unwrap();
    sign_raw(
        &app,
        vec![interval(&id, day, 20, None), interval(&id, day, 17, None)],
    );
    let open = OpenInteraction {
        started_at: Timestamp::from_datetime(Timestamp::now().as_datetime() - Duration::hours(2)),
        subject: None,
    };
    let key = app.check_pin(PIN).unwrap();
    assert!(
        app.store()
            .begin_interaction(&key, inspection, &open, None)
            .unwrap()
    );
    let i = app.inspection(&id).unwrap().interaction.unwrap();
    assert_eq!(i.signed_minutes, 37 * 60);
    assert!(
        (39 * 60..39 * 60 + 2).contains(&i.total_minutes),
        "{}",
        i.total_minutes
    );
    assert_eq!(i.level, InteractionLevel::Within);
    assert_eq!(i.intervals.len(), 3);
    // One more hour signed: 40 of 50 hours with the open interval, 80 %.
    sign_raw(&app, vec![interval(&id, day, 1, None)]);
    assert_eq!(app.interaction(&id).unwrap().level, InteractionLevel::Near);
    sign_raw(&app, vec![interval(&id, day, 10, None)]);
    let i = app.interaction(&id).unwrap();
    assert_eq!(i.level, InteractionLevel::Reached);
    assert!(i.total_minutes >= 50 * 60);
    app.stop_interaction(&id).unwrap();
    app.store().verify_chain().unwrap();
}

#[test]
fn interaction_names_the_person_in_a_raid_and_does_not_exist_without_interaction() {
    let other = json!({"inn": "500100732259", "name": "ИП Петров", "size_class": "micro"});
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), |a| {
        a["kind"] = json!("raid");
        a["subjects"] = json!([a["subject"].clone(), other]);
        a["interaction_limit_hours"] = Value::Null;
    });
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    assert_eq!(app.inspection(&id).unwrap().subjects.len(), 2);
    for (subject, why) in [
        (None, "which person"),
        (Some("7707083894"), "a bad INN"),
        (Some("7736050003"), "not in the raid"),
    ] {
        let err = app
            .start_interaction(&id, subject.map(str::to_owned))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{why}: {err}");
    }
    app.start_interaction(&id, Some("500100732259".into()))
        .unwrap();
    let i = app.stop_interaction(&id).unwrap();
    assert_eq!(i.intervals[0].subject.as_deref(), Some("500100732259"));
    assert_eq!(i.limit_minutes, None);
    assert_eq!(i.level, InteractionLevel::Within);
    assert_eq!(last_body(&app, "interaction")["subject"], "500100732259");

    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), set("kind", json!("observation")));
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    assert!(app.inspection(&id).unwrap().interaction.is_none());
    assert_eq!(
        app.start_interaction(&id, None).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(chain_len(&app), 0);
}
