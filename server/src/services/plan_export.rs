//! The annual plan as a file: CSV (UTF-8, one row per entry) and XLSX (rust_xlsxwriter), grouped
//! by month and district, in Russian with English beside it in the header.

use std::collections::HashMap;

use knd_shared::calendar::iso_date;
use rust_xlsxwriter::{Format, Workbook};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::User;
use crate::model::planning::{EntryStatus, Plan, PlanEntry};
use crate::services::plan_lifecycle;
use crate::state::AppState;
use knd_shared::calendar::MONTHS_RU;

const HEADER: [&str; 11] = [
    "Месяц / Month",
    "Район / District",
    "№ / No",
    "Мероприятие / Measure",
    "Категория риска / Risk category",
    "ИНН / INN",
    "Объекты / Objects",
    "Начало / Starts",
    "Окончание / Ends",
    "Инспекторы / Inspectors",
    "Состояние / Status",
];

/// One row of the export.
struct Row {
    month: String,
    district: String,
    cells: [String; 11],
}

fn status_ru(s: EntryStatus) -> &'static str {
    match s {
        EntryStatus::Planned => "в плане",
        EntryStatus::LeftOut => "не вошёл (нет ресурса)",
        EntryStatus::Removed => "исключён поправкой",
    }
}

async fn rows(state: &AppState, user: &User, entries: &[PlanEntry]) -> ApiResult<Vec<Row>> {
    let logins: HashMap<_, _> = state
        .store
        .list_users(user.agency)
        .await?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect();
    let keys = |e: &PlanEntry| -> Vec<String> {
        e.why["objects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o["object_key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let all: Vec<String> = entries.iter().flat_map(keys).collect();
    let mut inn: HashMap<String, String> = HashMap::new();
    for chunk in all.chunks(10_000) {
        for o in state.store.objects_by_keys(user.agency, chunk).await? {
            inn.insert(o.object_key, o.subject_inn);
        }
    }
    let mut out: Vec<(Option<time::Date>, String, u32, Row)> = entries
        .iter()
        .map(|e| {
            let k = keys(e);
            let month = e
                .starts_on
                .map_or("вне плана / not placed".to_owned(), |d| {
                    format!(
                        "{} {}",
                        MONTHS_RU[usize::from(u8::from(d.month())) - 1],
                        d.year()
                    )
                });
            let row = Row {
                month: month.clone(),
                district: e.district.clone(),
                cells: [
                    month,
                    e.district.clone(),
                    e.no.to_string(),
                    e.kind.name_ru().to_owned(),
                    e.category.name_ru().to_owned(),
                    k.first()
                        .and_then(|k| inn.get(k))
                        .cloned()
                        .unwrap_or_default(),
                    k.join(", "),
                    e.starts_on.map(iso_date::format).unwrap_or_default(),
                    e.ends_on.map(iso_date::format).unwrap_or_default(),
                    e.inspectors
                        .iter()
                        .map(|u| logins.get(u).cloned().unwrap_or_else(|| u.to_string()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    status_ru(e.status).to_owned(),
                ],
            };
            (
                e.starts_on.map(|d| d.replace_day(1).unwrap_or(d)),
                e.district.clone(),
                e.no,
                row,
            )
        })
        .collect();
    // By month (unplaced last), then district, then entry number.
    out.sort_by(|a, b| (a.0.is_none(), a.0, &a.1, a.2).cmp(&(b.0.is_none(), b.0, &b.1, b.2)));
    Ok(out.into_iter().map(|(_, _, _, r)| r).collect())
}

/// The plan as CSV.
pub async fn csv(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<(Plan, Vec<u8>)> {
    let (plan, entries) = plan_lifecycle::get(state, user, address, id).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    for r in rows(state, user, &entries).await? {
        w.write_record(&r.cells)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((plan, bytes))
}

/// The plan as XLSX: a title, the header, then each month and district as a heading row
/// followed by its entries.
pub async fn xlsx(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<(Plan, Vec<u8>)> {
    let (plan, entries) = plan_lifecycle::get(state, user, address, id).await?;
    let rows = rows(state, user, &entries).await?;
    let err = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("План {}", plan.year)).map_err(err)?;
    let bold = Format::new().set_bold();
    let group = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE8_EE_F4));
    let title = format!(
        "План {} на {} год / {} plan for {} — версия {} ({})",
        if plan.kind == crate::model::planning::PlanKind::Inspections {
            "плановых контрольных (надзорных) мероприятий"
        } else {
            "обязательных профилактических визитов"
        },
        plan.year,
        plan.kind.as_str(),
        plan.year,
        plan.version,
        plan.status.as_str()
    );
    sheet
        .write_string_with_format(0, 0, &title, &bold)
        .map_err(err)?;
    for (c, h) in HEADER.iter().enumerate() {
        sheet
            .write_string_with_format(2, u16::try_from(c).unwrap_or(0), *h, &bold)
            .map_err(err)?;
    }
    let mut r: u32 = 3;
    let mut last: Option<(String, String)> = None;
    for row in &rows {
        let key = (row.month.clone(), row.district.clone());
        if last.as_ref() != Some(&key) {
            sheet
                .write_string_with_format(r, 0, format!("{} — {}", row.month, row.district), &group)
                .map_err(err)?;
            r += 1;
            last = Some(key);
        }
        for (c, v) in row.cells.iter().enumerate() {
            sheet
                .write_string(r, u16::try_from(c).unwrap_or(0), v)
                .map_err(err)?;
        }
        r += 1;
    }
    sheet.set_column_width(0, 16).map_err(err)?;
    sheet.set_column_width(1, 22).map_err(err)?;
    sheet.set_column_width(3, 28).map_err(err)?;
    sheet.set_column_width(6, 30).map_err(err)?;
    let bytes = book.save_to_buffer().map_err(err)?;
    Ok((plan, bytes))
}
