//! The CSV import of subjects and objects from the console (planners and admins): a multipart
//! form per file, and the service's row-by-row report as a table of refused lines with the
//! count accepted.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};

use super::chrome::{Chrome, Failure, PageResult, page, rendered};
use super::session::{Viewer, same_origin};
use crate::error::ApiError;
use crate::services::policy::{self, Action};
use crate::services::registry::{self, ImportMode, ImportReport};
use crate::state::AppState;

/// The largest file the form takes (the API's import takes as much).
pub(super) const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// How many refused lines the report shows (the count says how many there were).
const SHOWN: usize = 500;

const SUBJECT_COLUMNS: &[&str] = &["inn", "ogrn", "name", "size_class"];
const OBJECT_COLUMNS: &[&str] = &[
    "object_key",
    "subject_inn",
    "control_type",
    "address",
    "district",
    "lat",
    "lon",
    "risk_category",
    "risk_decided_on",
    "risk_reason",
    "attributes",
];

/// A refused line of the report.
struct Refused {
    line: u64,
    field: String,
    reason: String,
}

/// What one import did, as the page shows it.
struct Report {
    what: &'static str,
    accepted: u64,
    inserted: u64,
    updated: u64,
    refused_count: usize,
    refused: Vec<Refused>,
    nothing_imported: bool,
}

#[derive(Template)]
#[template(path = "registry_import.html")]
struct ImportPage {
    chrome: Chrome,
    report: Option<Report>,
    problem: Option<String>,
}

pub(super) async fn form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if !viewer.may(Action::ImportRegistry) {
        return Err(Failure::Api(policy::forbidden(viewer.user.role)));
    }
    Ok(page(&ImportPage {
        chrome: Chrome::new(&state, &viewer, "/registry"),
        report: None,
        problem: None,
    }))
}

/// The column a reason names (the service words its reasons after the file's columns).
fn field_of(reason: &str, columns: &[&str]) -> String {
    let lower = reason.to_lowercase();
    columns
        .iter()
        .filter(|c| lower.contains(*c))
        .max_by_key(|c| c.len())
        .map_or_else(|| "—".to_owned(), |c| (*c).to_owned())
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(what): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    same_origin(&headers)?;
    let lang = viewer.lang;
    let mut csrf = None;
    let mut mode = ImportMode::ValidRows;
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = multipart.next_field().await.map_err(Failure::bad_form)? {
        match field.name() {
            Some("_csrf") => csrf = Some(field.text().await.map_err(Failure::bad_form)?),
            Some("mode") => {
                let chosen = field.text().await.map_err(Failure::bad_form)?;
                mode = if chosen == "all_or_nothing" {
                    ImportMode::AllOrNothing
                } else {
                    ImportMode::ValidRows
                };
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| ApiError::PayloadTooLarge)?;
                file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    // The token is checked before anything of the form is used.
    viewer.check_csrf(csrf.as_deref().unwrap_or(""))?;
    let file = file.unwrap_or_default();
    let (label, columns, result) = match what.as_str() {
        "subjects" => (
            lang.t("Субъекты", "Subjects"),
            SUBJECT_COLUMNS,
            registry::import_subjects(&state, &viewer.user, &file, mode, viewer.address()).await,
        ),
        "objects" => (
            lang.t("Объекты", "Objects"),
            OBJECT_COLUMNS,
            registry::import_objects(&state, &viewer.user, &file, mode, viewer.address()).await,
        ),
        _ => return Err(ApiError::NotFound.into()),
    };
    let chrome = Chrome::new(&state, &viewer, "/registry");
    match result {
        Ok(r) => Ok(page(&ImportPage {
            chrome,
            report: Some(report(label, columns, lang, mode, r)),
            problem: None,
        })),
        Err(ApiError::Unprocessable(m)) => Ok(rendered(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome,
                report: None,
                problem: Some(format!("{label}: {}", lang.pick(&m))),
            },
        )),
        Err(e) => Err(e.into()),
    }
}

fn report(
    what: &'static str,
    columns: &[&str],
    lang: super::i18n::Lang,
    mode: ImportMode,
    r: ImportReport,
) -> Report {
    Report {
        what,
        accepted: r.inserted + r.updated,
        inserted: r.inserted,
        updated: r.updated,
        refused_count: r.refused.len(),
        nothing_imported: mode == ImportMode::AllOrNothing && !r.refused.is_empty(),
        refused: r
            .refused
            .iter()
            .take(SHOWN)
            .map(|x| Refused {
                line: x.line,
                field: field_of(&x.reason, columns),
                reason: lang.pick(&x.reason),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_their_column() {
        assert_eq!(
            field_of("size_class \"x\" is not micro", SUBJECT_COLUMNS),
            "size_class"
        );
        assert_eq!(field_of("no subject with INN 7701", OBJECT_COLUMNS), "—");
        assert_eq!(
            field_of("subject_inn is empty", OBJECT_COLUMNS),
            "subject_inn"
        );
        assert_eq!(field_of("expected 4 fields, found 3", SUBJECT_COLUMNS), "—");
    }
}
