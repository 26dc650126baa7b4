//! What a reviewer reads about a photo its device warned about: the inspector was shown the
//! warning and kept the photo, so the server raises a review flag per kind of warning, its detail
//! in Russian then English (dates as ДД.ММ.ГГГГ, distances in km).

use knd_shared::record::kinds::{FAR_FROM_OBJECT_M, PhotoWarning};
use serde_json::Value;
use time::{Date, OffsetDateTime};

/// The review flags of a photo's warnings as signed: `(reason, detail)`, one per kind of warning
/// in the order the kinds first appear, every warning of that kind in its detail.
pub(crate) fn flags(warnings: &[Value]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, Vec<String>, Vec<String>)> = Vec::new();
    for w in warnings {
        let (reason, ru, en) = words(w);
        match out.iter_mut().find(|(r, _, _)| *r == reason) {
            Some((_, rus, ens)) => {
                rus.push(ru);
                ens.push(en);
            }
            None => out.push((reason, vec![ru], vec![en])),
        }
    }
    out.into_iter()
        .map(|(reason, ru, en)| (reason, format!("{} / {}", ru.join("; "), en.join("; "))))
        .collect()
}

/// A warning's flag reason and its Russian and English words.
fn words(w: &Value) -> (&'static str, String, String) {
    match serde_json::from_value::<PhotoWarning>(w.clone()) {
        Ok(PhotoWarning::Damaged { reason }) => (
            "photo_damaged",
            format!("фото повреждено: {reason}"),
            format!("the photo is damaged: {reason}"),
        ),
        Ok(PhotoWarning::TakenOutsideDates { taken_at, from, to }) => {
            let taken = date_time(taken_at.as_datetime().to_offset(time::UtcOffset::UTC));
            let (from, to) = (date(from), date(to));
            (
                "photo_outside_dates",
                format!("фото снято {taken} UTC, вне сроков проверки {from}–{to}"),
                format!(
                    "the photo was taken on {taken} UTC, outside the inspection's dates {from}–{to}"
                ),
            )
        }
        Ok(PhotoWarning::FarFromObject { distance_m, object }) => {
            let (limit_ru, limit_en) = match FAR_FROM_OBJECT_M % 1000 {
                0 => (
                    (FAR_FROM_OBJECT_M / 1000).to_string(),
                    (FAR_FROM_OBJECT_M / 1000).to_string(),
                ),
                _ => (
                    km(FAR_FROM_OBJECT_M, Lang::Ru),
                    km(FAR_FROM_OBJECT_M, Lang::En),
                ),
            };
            (
                "photo_far_from_object",
                format!(
                    "фото снято в {} км от объекта {object} (допустимо не далее {limit_ru} км)",
                    km(distance_m, Lang::Ru)
                ),
                format!(
                    "the photo was taken {} km from object {object} (at most {limit_en} km is expected)",
                    km(distance_m, Lang::En)
                ),
            )
        }
        // A kind a newer app added (or one this server cannot read): named as signed.
        Ok(PhotoWarning::Other) | Err(_) => {
            let kind = w
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            (
                "photo_warning",
                format!("устройство предупредило о фото: {kind}"),
                format!("the device warned about the photo: {kind}"),
            )
        }
    }
}

fn date(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), u8::from(d.month()), d.year())
}

fn date_time(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", date(t.date()), t.hour(), t.minute())
}

#[derive(Clone, Copy)]
enum Lang {
    Ru,
    En,
}

/// Metres as kilometres with one decimal, grouped as each language writes numbers
/// (`2 412,5` and `2,412.5`).
fn km(metres: u64, lang: Lang) -> String {
    let tenths = metres.saturating_add(50) / 100;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let (group, point) = match lang {
        Lang::Ru => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    format!("{grouped}{point}{tenth}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(warnings: Value, expected: &[(&str, &str)]) {
        let got = flags(warnings.as_array().unwrap());
        let got: Vec<(&str, &str)> = got.iter().map(|(r, d)| (*r, d.as_str())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn each_kind_reads_in_both_languages() {
        check(
            json!([{"kind": "damaged", "reason": "corrupt JPEG data: premature end of data segment"}]),
            &[(
                "photo_damaged",
                "фото повреждено: corrupt JPEG data: premature end of data segment / the photo is damaged: corrupt JPEG data: premature end of data segment",
            )],
        );
        check(
            json!([{"kind": "taken_outside_dates", "taken_at": "2008-05-14T10:22:03.000Z",
                    "from": "2026-12-01", "to": "2026-12-14"}]),
            &[(
                "photo_outside_dates",
                "фото снято 14.05.2008 10:22 UTC, вне сроков проверки 01.12.2026–14.12.2026 / the photo was taken on 14.05.2008 10:22 UTC, outside the inspection's dates 01.12.2026–14.12.2026",
            )],
        );
        check(
            json!([{"kind": "far_from_object", "distance_m": 2_412_460, "object": "OBJ-1"}]),
            &[(
                "photo_far_from_object",
                "фото снято в 2\u{a0}412,5 км от объекта OBJ-1 (допустимо не далее 1 км) / the photo was taken 2,412.5 km from object OBJ-1 (at most 1 km is expected)",
            )],
        );
        check(
            json!([{"kind": "blurred", "score": 3}]),
            &[(
                "photo_warning",
                "устройство предупредило о фото: blurred / the device warned about the photo: blurred",
            )],
        );
        check(json!([]), &[]);
    }

    #[test]
    fn warnings_of_one_kind_share_a_flag() {
        check(
            json!([{"kind": "damaged", "reason": "a"}, {"kind": "far_from_object", "distance_m": 1_500, "object": "K"},
                   {"kind": "damaged", "reason": "b"}]),
            &[
                (
                    "photo_damaged",
                    "фото повреждено: a; фото повреждено: b / the photo is damaged: a; the photo is damaged: b",
                ),
                (
                    "photo_far_from_object",
                    "фото снято в 1,5 км от объекта K (допустимо не далее 1 км) / the photo was taken 1.5 km from object K (at most 1 km is expected)",
                ),
            ],
        );
    }

    #[test]
    fn kilometres() {
        for (m, ru, en) in [
            (0, "0,0", "0.0"),
            (949, "0,9", "0.9"),
            (950, "1,0", "1.0"),
            (1_000, "1,0", "1.0"),
            (999_949, "999,9", "999.9"),
            (999_950, "1\u{a0}000,0", "1,000.0"),
            (12_345_678, "12\u{a0}345,7", "12,345.7"),
        ] {
            assert_eq!(km(m, Lang::Ru), ru, "{m}");
            assert_eq!(km(m, Lang::En), en, "{m}");
        }
    }
}
