//! The names of review flags' reasons (the projector's codes, `model::ReviewFlag`), Russian
//! then English, and of their resolutions.

use crate::model::Decision;

/// A flag's reason as a person reads it; `None` for a code this table does not know (the page
/// then shows the code, which is still better than nothing).
pub(crate) fn reason(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "inspection_cancelled" => ("Проверка отменена", "The inspection was cancelled"),
        "inspection_closed" => ("Проверка уже закрыта", "The inspection was closed"),
        "inspection_not_scheduled" => (
            "Проверка не была назначена",
            "The inspection was not scheduled",
        ),
        "unknown_inspection" => ("Неизвестная проверка", "Unknown inspection"),
        "not_assigned" => (
            "Инспектор не назначен на проверку",
            "The inspector is not assigned to the inspection",
        ),
        "second_act" => ("Второй акт по проверке", "A second act for the inspection"),
        "correction_unknown_target" => (
            "Исправление неизвестной записи",
            "A correction of an unknown record",
        ),
        "correction_foreign" => (
            "Исправление чужой записи",
            "A correction of another inspection's record",
        ),
        "correction_unsupported" => (
            "Исправление записи, которую нельзя исправлять",
            "A correction of a record that cannot be corrected",
        ),
        "correction_invalid" => ("Недопустимое исправление", "An invalid correction"),
        "correction_conflict" => (
            "Второе исправление той же версии",
            "A second correction of the same version",
        ),
        "interaction_invalid" => (
            "Интервал взаимодействия заканчивается раньше начала",
            "An interaction interval ends before it starts",
        ),
        "interaction_limit_exceeded" => (
            "Превышен срок взаимодействия (ст. 73)",
            "Interaction time over the limit (art. 73)",
        ),
        "photo_damaged" => ("Фотография повреждена", "The photo is damaged"),
        "photo_outside_dates" => (
            "Фото снято вне дат проверки",
            "Photo taken outside the inspection's dates",
        ),
        "photo_far_from_object" => (
            "Фото снято дальше 1 км от объекта",
            "Photo taken more than 1 km from the object",
        ),
        "photo_warning" => ("Предупреждение к фотографии", "A warning on the photo"),
        "document_unknown_subject" => (
            "Документ адресован ИНН вне реестра (не показан организации)",
            "Document addressed to an ИНН outside the registry (held from the business)",
        ),
        "record_time_future" => (
            "Время записи в будущем",
            "The record's time is in the future",
        ),
        "record_time_implausible" => (
            "Невозможное время записи",
            "The record's time is implausible",
        ),
        "record_time_outside_inspection" => (
            "Время записи вне дат проверки",
            "The record's time is outside the inspection's dates",
        ),
        _ => return None,
    })
}

/// A resolution's name.
pub(crate) fn decision(d: Decision) -> (&'static str, &'static str) {
    match d {
        Decision::Accepted => ("Принято", "Accepted"),
        Decision::Rejected => ("Отклонено", "Rejected"),
    }
}

#[cfg(test)]
mod tests {
    /// Every code the model documents has a name.
    #[test]
    fn every_documented_code_has_a_name() {
        for code in [
            "inspection_cancelled",
            "inspection_closed",
            "inspection_not_scheduled",
            "unknown_inspection",
            "not_assigned",
            "second_act",
            "correction_unknown_target",
            "correction_foreign",
            "correction_unsupported",
            "correction_invalid",
            "correction_conflict",
            "interaction_invalid",
            "interaction_limit_exceeded",
            "photo_damaged",
            "photo_outside_dates",
            "photo_far_from_object",
            "photo_warning",
            "document_unknown_subject",
            "record_time_future",
            "record_time_implausible",
            "record_time_outside_inspection",
        ] {
            assert!(super::reason(code).is_some(), "{code}");
        }
        assert!(super::reason("something_new").is_none());
    }
}
