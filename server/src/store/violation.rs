//! Integrity violations, named by the constraint that raised them, so that a client is told what
//! is wrong in the server's words and never sees the database's text (which names tables and
//! columns and differs between SQLite and PostgreSQL).

/// A constraint of the schema that refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// `users.login` is unique across the server.
    #[error("login taken")]
    LoginTaken,
    /// `control_types (agency_id, code)`.
    #[error("control type code taken")]
    ControlTypeCodeTaken,
    /// `subjects (agency_id, inn)`.
    #[error("subject inn taken")]
    SubjectInnTaken,
    /// `control_objects (agency_id, object_key)`.
    #[error("object key taken")]
    ObjectKeyTaken,
    /// `requirements (control_type_id, code)`.
    #[error("requirement code taken")]
    RequirementCodeTaken,
    /// `checklists (control_type_id, code)`.
    #[error("checklist code taken")]
    ChecklistCodeTaken,
    /// A foreign key: the row names one that does not exist (or is still named by another).
    /// SQLite's message does not say which key, so every foreign key is this one violation, on
    /// both backends alike.
    #[error("missing reference")]
    MissingReference,
    /// Any other constraint (unique, check, not null) the map below does not name.
    #[error("other constraint")]
    Other,
}

/// The unique constraints a client can run into: PostgreSQL's constraint name (the default
/// `<table>_<columns>_key` of the migrations) and the columns SQLite's message lists.
const UNIQUE: &[(Violation, &str, &str)] = &[
    (Violation::LoginTaken, "users_login_key", "users.login"),
    (
        Violation::ControlTypeCodeTaken,
        "control_types_agency_id_code_key",
        "control_types.agency_id, control_types.code",
    ),
    (
        Violation::SubjectInnTaken,
        "subjects_agency_id_inn_key",
        "subjects.agency_id, subjects.inn",
    ),
    (
        Violation::ObjectKeyTaken,
        "control_objects_agency_id_object_key_key",
        "control_objects.agency_id, control_objects.object_key",
    ),
    (
        Violation::RequirementCodeTaken,
        "requirements_control_type_id_code_key",
        "requirements.control_type_id, requirements.code",
    ),
    (
        Violation::ChecklistCodeTaken,
        "checklists_control_type_id_code_key",
        "checklists.control_type_id, checklists.code",
    ),
];

impl Violation {
    /// From PostgreSQL's SQLSTATE (class 23) and the constraint it names.
    pub(crate) fn from_postgres(sqlstate: &str, constraint: Option<&str>) -> Self {
        match sqlstate {
            "23503" => Violation::MissingReference,
            "23505" => constraint
                .and_then(|c| UNIQUE.iter().find(|(_, pg, _)| *pg == c))
                .map_or(Violation::Other, |(v, _, _)| *v),
            _ => Violation::Other,
        }
    }

    /// From SQLite's message: `UNIQUE constraint failed: users.login`, `FOREIGN KEY constraint
    /// failed`, `CHECK constraint failed: ...`, `NOT NULL constraint failed: ...`.
    pub(crate) fn from_sqlite(message: &str) -> Self {
        if message.starts_with("FOREIGN KEY constraint failed") {
            return Violation::MissingReference;
        }
        message
            .strip_prefix("UNIQUE constraint failed: ")
            .and_then(|cols| UNIQUE.iter().find(|(_, _, sq)| *sq == cols))
            .map_or(Violation::Other, |(v, _, _)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::Violation::{self, *};

    fn check_sqlite(message: &str, expected: Violation) {
        assert_eq!(Violation::from_sqlite(message), expected, "{message}");
    }

    fn check_postgres(sqlstate: &str, constraint: Option<&str>, expected: Violation) {
        assert_eq!(
            Violation::from_postgres(sqlstate, constraint),
            expected,
            "{sqlstate} {constraint:?}"
        );
    }

    #[test]
    fn sqlite_messages() {
        check_sqlite("UNIQUE constraint failed: users.login", LoginTaken);
        check_sqlite(
            "UNIQUE constraint failed: control_types.agency_id, control_types.code",
            ControlTypeCodeTaken,
        );
        check_sqlite("FOREIGN KEY constraint failed", MissingReference);
        check_sqlite("UNIQUE constraint failed: records.hash", Other);
        check_sqlite("NOT NULL constraint failed: users.role", Other);
        check_sqlite("CHECK constraint failed: kind IN ('a')", Other);
    }

    #[test]
    fn postgres_constraints() {
        check_postgres("23505", Some("users_login_key"), LoginTaken);
        check_postgres(
            "23505",
            Some("checklists_control_type_id_code_key"),
            ChecklistCodeTaken,
        );
        check_postgres("23503", Some("sessions_user_id_fkey"), MissingReference);
        check_postgres("23505", Some("records_hash_key"), Other);
        check_postgres("23514", Some("proj_documents_kind_check"), Other);
        check_postgres("23502", None, Other);
    }

    /// Each named violation is in the map once, under both backends' names.
    #[test]
    fn the_map_names_each_violation_once() {
        for (v, pg, sq) in super::UNIQUE {
            check_postgres("23505", Some(pg), *v);
            check_sqlite(&format!("UNIQUE constraint failed: {sq}"), *v);
        }
    }
}
