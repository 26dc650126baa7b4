//! What a pulled assignment says about the inspection's legal side: its kind, ground, ЕРКНМ
//! number, the prosecutor's agreement, the controlled persons, the interaction limit and the
//! agency's time zone. Assignments are kept as the server sent them, and those pulled before a
//! field existed lack it: every reader here treats a missing or malformed field as absent.

use knd_shared::record::Timestamp;
use knd_shared::{Ground, InspectionKind};
use serde_json::Value;
use time::Date;

use super::present::{self, text};
use super::views::{AgreementView, SubjectView};
use super::{AppError, AppResult};

fn non_blank(v: &Value, key: &str) -> Option<String> {
    present::filled(v.get(key).and_then(Value::as_str))
}

/// The kind of control measure (`kind`), if the assignment names a known one.
pub(super) fn kind(a: &Value) -> Option<InspectionKind> {
    a.get("kind")
        .and_then(Value::as_str)
        .and_then(InspectionKind::parse)
}

/// The ground as a person reads it: the server's `ground_name`, else the name of the `ground`
/// code, else nothing (an assignment pulled before grounds: the screen shows its basis).
pub(super) fn ground_name(a: &Value) -> Option<String> {
    if let Some(name) = non_blank(a, "ground_name") {
        return Some(name);
    }
    a.get("ground")
        .and_then(Value::as_str)
        .and_then(Ground::parse)
        .map(Ground::title_ru)
}

/// The ground's code (ч.1 ст.57), if the assignment has one.
pub(super) fn ground(a: &Value) -> Option<String> {
    non_blank(a, "ground")
}

/// The control type's name as the server sent it (absent from assignments pulled before it).
pub(super) fn control_type_name(a: &Value) -> Option<String> {
    non_blank(a, "control_type_name")
}

/// The inspection's number in the unified register of control measures (ЕРКНМ), if it has one.
pub(super) fn erknm(a: &Value) -> Option<String> {
    non_blank(a, "erknm")
}

/// The INN of the measure's (first) controlled person, as documents name it.
pub(super) fn subject_inn(a: &Value) -> AppResult<knd_shared::Inn> {
    knd_shared::Inn::parse(&present::subject(a).inn).map_err(|e| {
        AppError::invalid(format!(
            "ИНН контролируемого лица неверен / the subject's INN is invalid: {e}"
        ))
    })
}

/// The prosecutor's agreement to the measure (reference and date), when there is one.
pub(super) fn prosecutor_agreement(a: &Value) -> Option<AgreementView> {
    let p = a.get("prosecutor_agreement")?;
    Some(AgreementView {
        reference: non_blank(p, "reference")?,
        date: text(p, "date"),
    })
}

/// Every controlled person of the measure (several in a raid); the first is `subject`. An
/// assignment without `subjects` has its one `subject`.
pub(super) fn subjects(a: &Value) -> Vec<SubjectView> {
    let listed: Vec<SubjectView> = a
        .get("subjects")
        .and_then(Value::as_array)
        .map(|ss| {
            ss.iter()
                .map(present::subject_card)
                .filter(|s| !s.inn.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if !listed.is_empty() {
        return listed;
    }
    let one = present::subject(a);
    if one.inn.is_empty() {
        vec![]
    } else {
        vec![one]
    }
}

/// The longest total interaction the law allows this measure, in minutes (ст.73: 50 hours for a
/// small enterprise, 15 for a micro enterprise); `None`: no limit.
pub(super) fn interaction_limit_minutes(a: &Value) -> Option<u32> {
    let hours = a.get("interaction_limit_hours")?.as_f64()?;
    if !hours.is_finite() || hours <= 0.0 || hours > 10_000.0 {
        return None;
    }
    // Positive and bounded above, so the cast cannot overflow.
    Some((hours * 60.0).round() as u32)
}

/// The agency's IANA time zone (`time_zone`), if the assignment has one.
pub(super) fn time_zone(a: &Value) -> Option<String> {
    non_blank(a, "time_zone")
}

/// The calendar date at `at` in the IANA time zone `tz`; `None` for a zone the bundled time
/// zone database does not know.
pub(super) fn local_date(tz: &str, at: Timestamp) -> Option<Date> {
    let zone = knd_shared::calendar::zone::AgencyZone::parse(tz).ok()?;
    Some(zone.local_date(at.as_datetime()))
}

/// Today in the agency's time zone (ГК ст.194: a period's days are the agency's local days),
/// or a refusal when the assignment does not give a zone the device knows.
pub(super) fn agency_today(a: &Value) -> AppResult<Date> {
    let Some(tz) = time_zone(a) else {
        return Err(AppError::invalid(
            "в задании нет часового пояса контрольного органа: синхронизируйте устройство / the assignment has no time zone of the agency: sync the device",
        ));
    };
    local_date(&tz, Timestamp::now()).ok_or_else(|| {
        AppError::invalid(format!(
            "неизвестный часовой пояс {tz}: обновите приложение / unknown time zone {tz}: update the app"
        ))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check_local(tz: &str, at: &str, expected: Option<&str>) {
        let got = local_date(tz, Timestamp::parse(at).unwrap());
        let expected = expected.map(|d| knd_shared::calendar::iso_date::parse(d).unwrap());
        assert_eq!(got, expected, "{tz} {at}");
    }

    #[test]
    fn the_agency_date_is_its_own_zone_s() {
        check_local(
            "Europe/Moscow",
            "2026-12-31T20:59:59.000Z",
            Some("2026-12-31"),
        );
        check_local(
            "Europe/Moscow",
            "2026-12-31T21:00:00.000Z",
            Some("2027-01-01"),
        );
        check_local(
            "Asia/Vladivostok",
            "2026-03-01T14:00:00.000Z",
            Some("2026-03-02"),
        );
        check_local(
            "Europe/Kaliningrad",
            "2026-03-01T22:30:00.000Z",
            Some("2026-03-02"),
        );
        check_local(
            "Europe/Kaliningrad",
            "2026-03-01T21:30:00.000Z",
            Some("2026-03-01"),
        );
        check_local(
            "Asia/Kamchatka",
            "2026-06-30T12:00:00.000Z",
            Some("2026-07-01"),
        );
        check_local("Mars/Olympus", "2026-06-30T12:00:00.000Z", None);
    }

    #[test]
    fn missing_or_odd_fields_read_as_absent() {
        let old = json!({"kind": "field_check", "basis": "planned",
            "subject": {"inn": "7707083893", "name": "ПАО"}});
        assert_eq!(kind(&old), Some(InspectionKind::FieldCheck));
        assert_eq!(ground_name(&old), None);
        assert_eq!(erknm(&old), None);
        assert_eq!(prosecutor_agreement(&old), None);
        assert_eq!(subjects(&old).len(), 1);
        assert_eq!(interaction_limit_minutes(&old), None);
        assert_eq!(time_zone(&old), None);
        assert!(agency_today(&old).is_err());

        let odd = json!({"kind": 7, "ground": "plan", "erknm": " ", "prosecutor_agreement": {"date": "2026-01-01"},
            "subjects": [], "interaction_limit_hours": "50", "time_zone": null});
        assert_eq!(kind(&odd), None);
        assert_eq!(
            ground_name(&odd).as_deref(),
            Some(
                "п.2 ч.1 ст.57 248-ФЗ — план проведения плановых контрольных (надзорных) мероприятий"
            )
        );
        assert_eq!(erknm(&odd), None);
        assert_eq!(prosecutor_agreement(&odd), None);
        assert!(subjects(&odd).is_empty());
        assert_eq!(interaction_limit_minutes(&odd), None);

        let new = json!({"ground": "plan", "ground_name": "п.2 ч.1 ст.57 — план на 2027 год",
            "erknm": "77270000000100000001",
            "prosecutor_agreement": {"reference": "7-12-2027", "date": "2027-01-10"},
            "subjects": [{"inn": "7707083893", "name": "А"}, {"inn": "500100732259", "name": "Б"}],
            "interaction_limit_hours": 15, "time_zone": "Europe/Moscow"});
        assert_eq!(
            ground_name(&new).as_deref(),
            Some("п.2 ч.1 ст.57 — план на 2027 год")
        );
        assert_eq!(erknm(&new).as_deref(), Some("77270000000100000001"));
        assert_eq!(prosecutor_agreement(&new).unwrap().reference, "7-12-2027");
        assert_eq!(subjects(&new).len(), 2);
        assert_eq!(interaction_limit_minutes(&new), Some(900));
        assert!(agency_today(&new).is_ok());
    }
}
