//! The registry: control types and their rules, and CSV import of subjects and control objects.
//!
//! An import checks every row first. The valid rows then go in together, in one transaction, and
//! the report names each refused row (by its line in the file) and why; with
//! `ImportMode::AllOrNothing` a single refused row keeps the whole file out.

use std::collections::{HashMap, HashSet};

use knd_shared::registry::{ControlTypeRules, SizeClass};
use knd_shared::{Inn, Ogrn, RiskCategory};

use super::accounts::{audit, plain_text};
use crate::error::{ApiError, ApiResult};
use crate::model::{
    Actor, Checklist, ControlType, ImportCounts, NewChecklistItem, NewObject, NewSubject,
    Requirement, User,
};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// Whether valid rows go in when others are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Import the valid rows (in one transaction) and report the others.
    #[default]
    ValidRows,
    /// Import nothing if any row is refused.
    AllOrNothing,
}

/// A refused row: its line in the file (the header is line 1) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RefusedRow {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub inserted: u64,
    pub updated: u64,
    pub refused: Vec<RefusedRow>,
}

pub async fn put_control_type(
    state: &AppState,
    user: &User,
    code: &str,
    name: &str,
    rules: ControlTypeRules,
    address: Option<&str>,
) -> ApiResult<ControlType> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "control_type.put",
        || format!("control_type:{}", code.escape_debug()),
    )
    .await?;
    let code = safe_key(code, 64).map_err(ApiError::Unprocessable)?;
    let name = plain_text("a control type name", name, 300)?;
    rules
        .validate()
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "control_type.put",
        address,
    );
    a.target = Some(format!("control_type:{code}"));
    a.detail = Some(serde_json::json!({ "name": name, "rules": rules }));
    Ok(state
        .store
        .put_control_type(user.agency, code, name, &rules, &a)
        .await?)
}

/// Creates or updates a requirement of a control type (its text and legal source).
pub async fn put_requirement(
    state: &AppState,
    user: &User,
    type_code: &str,
    r: Requirement,
    address: Option<&str>,
) -> ApiResult<Requirement> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "requirement.put",
        || format!("requirement:{}", r.code.escape_debug()),
    )
    .await?;
    let r = Requirement {
        code: safe_key(&r.code, 64)
            .map_err(ApiError::Unprocessable)?
            .to_owned(),
        text: plain_text("a requirement's text", &r.text, 4000)?.to_owned(),
        legal_act: plain_text("the legal act", &r.legal_act, 500)?.to_owned(),
        article: plain_text("the article", &r.article, 200)?.to_owned(),
    };
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "requirement.put",
        address,
    );
    a.target = Some(format!(
        "requirement:{}/{}",
        type_code.escape_debug(),
        r.code
    ));
    state
        .store
        .put_requirement(user.agency, type_code, &r, &a)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(r)
}

/// Creates or replaces a checklist; every item names a requirement of the same control type.
pub async fn put_checklist(
    state: &AppState,
    user: &User,
    type_code: &str,
    code: &str,
    name: &str,
    items: Vec<NewChecklistItem>,
    address: Option<&str>,
) -> ApiResult<Checklist> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "checklist.put",
        || format!("checklist:{}", code.escape_debug()),
    )
    .await?;
    let code = safe_key(code, 64).map_err(ApiError::Unprocessable)?;
    let name = plain_text("a checklist name", name, 300)?;
    if items.is_empty() || items.len() > 1000 {
        return Err(ApiError::Unprocessable(
            "a checklist has 1 to 1000 items".into(),
        ));
    }
    let mut seen = HashSet::new();
    for item in &items {
        safe_key(&item.code, 64).map_err(ApiError::Unprocessable)?;
        plain_text("a question", &item.question, 4000)?;
        if !seen.insert(item.code.as_str()) {
            return Err(ApiError::Unprocessable(format!(
                "item code {:?} is used twice",
                item.code
            )));
        }
    }
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "checklist.put",
        address,
    );
    a.target = Some(format!("checklist:{}/{code}", type_code.escape_debug()));
    match state
        .store
        .put_checklist(user.agency, type_code, code, name, &items, &a)
        .await?
    {
        None => Err(ApiError::NotFound),
        Some(Err(unknown)) => Err(ApiError::Unprocessable(format!(
            "no such requirements in this control type: {}",
            unknown.join(", ")
        ))),
        Some(Ok(())) => state
            .store
            .get_checklist(user.agency, type_code, code)
            .await?
            .ok_or_else(|| ApiError::Internal("the checklist just stored is missing".into())),
    }
}

/// A code or key that names something in paths, files and reports: letters (any script),
/// digits and `. - _ :`, starting with a letter or digit, 1 to `max` characters. No spaces,
/// slashes (`../../x`) or invisible formatting (the text-direction override U+202E).
pub(crate) fn safe_key(s: &str, max: usize) -> Result<&str, String> {
    let ok = s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars().count() <= max
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if ok {
        Ok(s)
    } else {
        Err(format!(
            "код или ключ {s:?} недопустим: от 1 до {max} букв, цифр и знаков . - _ :, \
             начинается с буквы или цифры / the code or key {s:?} is not allowed: 1 to {max} \
             letters, digits and . - _ :, starting with a letter or digit"
        ))
    }
}

/// Reads a CSV file with a header row; calls `row` with each record's fields by header name.
pub(crate) fn read_csv(
    bytes: &[u8],
    required: &[&str],
    mut row: impl FnMut(u64, &HashMap<&str, &str>) -> Result<(), String>,
) -> ApiResult<Vec<RefusedRow>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::Unprocessable("the file is not UTF-8 text".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::Unprocessable(format!("CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut names = HashSet::new();
    if let Some(twice) = headers.iter().find(|h| !names.insert(h.as_str())) {
        return Err(ApiError::Unprocessable(format!(
            "в заголовке CSV столбец {twice:?} встречается дважды / the CSV header names column \
             {twice:?} twice"
        )));
    }
    if let Some(missing) = required.iter().find(|h| !headers.iter().any(|x| x == *h)) {
        return Err(ApiError::Unprocessable(format!(
            "the CSV header has no column {missing:?}; expected {}",
            required.join(",")
        )));
    }
    let mut refused = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                refused.push(RefusedRow {
                    line,
                    reason: format!("not a CSV row: {e}"),
                });
                continue;
            }
        };
        if record.len() != headers.len() {
            refused.push(RefusedRow {
                line,
                reason: format!(
                    "expected {} fields, found {} (quote fields with commas)",
                    headers.len(),
                    record.len()
                ),
            });
            continue;
        }
        let fields: HashMap<&str, &str> = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        if let Err(reason) = row(line, &fields) {
            refused.push(RefusedRow { line, reason });
        }
    }
    Ok(refused)
}

pub(crate) fn field<'a>(f: &HashMap<&str, &'a str>, name: &str) -> Result<&'a str, String> {
    match f.get(name).copied().unwrap_or("") {
        "" => Err(format!("{name} is empty")),
        v if v.chars().any(char::is_control) => Err(format!("{name} has control characters")),
        v if v.chars().count() > 500 => Err(format!("{name} is longer than 500 characters")),
        v => Ok(v),
    }
}

/// Degrees with up to seven decimals, as an integer × 10^7 (records carry no floats, and neither
/// does parsing: "55.7558" is 557558000 exactly).
pub fn degrees_e7(s: &str, limit: i64) -> Result<i64, String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let valid = !whole.is_empty()
        && whole.len() <= 3
        && frac.len() <= 7
        && whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit());
    if !valid {
        return Err(format!("{s:?} is not degrees like 55.7558"));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    let frac: i64 = format!("{frac:0<7}")
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    let value = whole * 10_000_000 + frac;
    if value > limit * 10_000_000 {
        return Err(format!("{s} is out of range ±{limit}"));
    }
    Ok(if neg { -value } else { value })
}

pub(crate) async fn finish(
    refused: Vec<RefusedRow>,
    mode: ImportMode,
    import: impl std::future::Future<Output = ApiResult<ImportCounts>>,
) -> ApiResult<ImportReport> {
    let counts = if mode == ImportMode::AllOrNothing && !refused.is_empty() {
        ImportCounts::default()
    } else {
        import.await?
    };
    Ok(ImportReport {
        inserted: counts.inserted,
        updated: counts.updated,
        refused,
    })
}

/// Imports subjects: `inn,ogrn,name,size_class` (ogrn may be empty).
pub async fn import_subjects(
    state: &AppState,
    user: &User,
    csv: &[u8],
    mode: ImportMode,
    address: Option<&str>,
) -> ApiResult<ImportReport> {
    policy::require(
        state,
        user,
        address,
        Action::ImportRegistry,
        "subject.import",
        || format!("agency:{}", user.agency),
    )
    .await?;
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let refused = read_csv(csv, &["inn", "ogrn", "name", "size_class"], |line, f| {
        let inn = Inn::parse(field(f, "inn")?).map_err(|e| e.to_string())?;
        let ogrn = match f.get("ogrn").copied().unwrap_or("") {
            "" => None,
            o => Some(Ogrn::parse(o).map_err(|e| e.to_string())?),
        };
        let name = field(f, "name")?.to_owned();
        let size = field(f, "size_class")?;
        let size_class = SizeClass::parse(size)
            .ok_or_else(|| format!("size_class {size:?} is not micro, small, medium or large"))?;
        if let Some(first) = seen.insert(inn.as_str().to_owned(), line) {
            return Err(format!("INN {inn} is already on line {first}"));
        }
        rows.push(NewSubject {
            inn,
            ogrn,
            name,
            size_class,
        });
        Ok(())
    })?;
    let a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "subject.import",
        address,
    );
    finish(refused, mode, async {
        Ok(state.store.import_subjects(user.agency, &rows, &a).await?)
    })
    .await
}

/// Imports control objects: `object_key,subject_inn,control_type,address,district,lat,lon,risk_category`
/// (lat/lon and risk_category may be empty), optionally with `risk_decided_on,risk_reason`.
/// Subjects must be imported first.
pub async fn import_objects(
    state: &AppState,
    user: &User,
    csv: &[u8],
    mode: ImportMode,
    address: Option<&str>,
) -> ApiResult<ImportReport> {
    policy::require(
        state,
        user,
        address,
        Action::ImportRegistry,
        "object.import",
        || format!("agency:{}", user.agency),
    )
    .await?;
    // Each control type's rules: a category its regulation does not use is refused (ч.2 ст.23).
    let types: HashMap<String, knd_shared::registry::ControlTypeRules> = state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .map(|t| (t.code, t.rules))
        .collect();
    let mut rows: Vec<(u64, NewObject)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let columns = [
        "object_key",
        "subject_inn",
        "control_type",
        "address",
        "district",
        "lat",
        "lon",
        "risk_category",
    ];
    let mut refused = read_csv(csv, &columns, |line, f| {
        let key = safe_key(field(f, "object_key")?, 200)?.to_owned();
        let inn = Inn::parse(field(f, "subject_inn")?).map_err(|e| e.to_string())?;
        let code = field(f, "control_type")?;
        let Some(rules) = types.get(code) else {
            return Err(format!("unknown control type {code:?}"));
        };
        let position = match (
            f.get("lat").copied().unwrap_or(""),
            f.get("lon").copied().unwrap_or(""),
        ) {
            ("", "") => None,
            ("", _) | (_, "") => return Err("give both lat and lon, or neither".into()),
            (lat, lon) => Some((degrees_e7(lat, 90)?, degrees_e7(lon, 180)?)),
        };
        let risk_category = match f.get("risk_category").copied().unwrap_or("") {
            "" => None,
            r => {
                let c =
                    RiskCategory::parse(r).ok_or_else(|| format!("unknown risk category {r:?}"))?;
                rules.check_category(c).map_err(|e| e.to_string())?;
                Some(c)
            }
        };
        // Optional columns: the category decision's date and reasons (ч.1 ст.23).
        let decided_on = match f.get("risk_decided_on").copied().unwrap_or("") {
            "" => None,
            d => Some(
                knd_shared::calendar::iso_date::parse(d)
                    .map_err(|_| format!("risk_decided_on {d:?} is not a date YYYY-MM-DD"))?,
            ),
        };
        let reason = match f.get("risk_reason").copied().unwrap_or("") {
            "" => None,
            _ => Some(field(f, "risk_reason")?.to_owned()),
        };
        let risk_decision = match (decided_on, reason) {
            (None, None) => None,
            (Some(d), Some(r)) if risk_category.is_some() => Some((d, r)),
            (Some(_), Some(_)) => {
                return Err("a risk decision needs its risk_category".into());
            }
            _ => return Err("give both risk_decided_on and risk_reason, or neither".into()),
        };
        if let Some(first) = seen.insert(key.clone(), line) {
            return Err(format!("object {key} is already on line {first}"));
        }
        rows.push((
            line,
            NewObject {
                object_key: key,
                subject_inn: inn.as_str().to_owned(),
                control_type_code: code.to_owned(),
                address: field(f, "address")?.to_owned(),
                district: field(f, "district")?.to_owned(),
                position,
                risk_category,
                risk_decision,
                attributes: attributes_column(f)?,
            },
        ));
        Ok(())
    })?;
    // Subjects are looked up together, not once per row.
    let inns: Vec<String> = rows
        .iter()
        .map(|(_, o)| o.subject_inn.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known: HashSet<String> = state
        .store
        .known_inns(user.agency, &inns)
        .await?
        .into_iter()
        .collect();
    let (good, unknown): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|(_, o)| known.contains(&o.subject_inn));
    refused.extend(unknown.into_iter().map(|(line, o)| RefusedRow {
        line,
        reason: format!(
            "no subject with INN {} (import subjects first)",
            o.subject_inn
        ),
    }));
    refused.sort_by_key(|r| r.line);
    let rows: Vec<NewObject> = good.into_iter().map(|(_, o)| o).collect();
    let a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "object.import",
        address,
    );
    finish(refused, mode, async {
        Ok(state.store.import_objects(user.agency, &rows, &a).await?)
    })
    .await
}

/// An object's activity attributes as they may be stored: a JSON object of at most 16 KiB
/// whose attributes the law's rules read (hazard classes, schools) are well formed.
fn check_attributes(a: &serde_json::Value) -> Result<(), String> {
    if !a.is_object() {
        return Err("атрибуты объекта — JSON-объект / attributes are a JSON object".into());
    }
    if a.to_string().len() > 16 * 1024 {
        return Err("атрибуты объекта — не более 16 КиБ / attributes are at most 16 KiB".into());
    }
    knd_shared::registry::ObjectAttributes::from_json(Some(a))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The optional `attributes` column of the objects file: empty keeps what is stored.
fn attributes_column(f: &HashMap<&str, &str>) -> Result<Option<serde_json::Value>, String> {
    match f.get("attributes").copied().unwrap_or("").trim() {
        "" => Ok(None),
        text => {
            let a: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| format!("атрибуты — не JSON / attributes are not JSON: {e}"))?;
            check_attributes(&a)?;
            Ok(Some(a))
        }
    }
}

/// Records a risk-category decision (ч.1 ст.23): the category, the date, the reasons, and
/// optionally the object's attributes the criteria weighed.
#[allow(clippy::too_many_arguments)]
pub async fn decide_risk(
    state: &AppState,
    user: &User,
    key: &str,
    category: RiskCategory,
    decided_on: time::Date,
    reason: &str,
    attributes: Option<serde_json::Value>,
    address: Option<&str>,
) -> ApiResult<crate::model::ControlObject> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "object.risk",
        || format!("object:{}", key.escape_debug()),
    )
    .await?;
    let reason = plain_text("a reason", reason, 4000)?;
    if let Some(a) = &attributes {
        check_attributes(a).map_err(ApiError::Unprocessable)?;
    }
    let object = state
        .store
        .objects_by_keys(user.agency, &[key.to_owned()])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let rules = state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .find(|t| t.code == object.control_type_code)
        .map(|t| t.rules)
        .ok_or_else(|| ApiError::Internal(format!("object {key} has no control type")))?;
    // ч.2 ст.23: a category the regulation does not use is refused, never stored.
    rules
        .check_category(category)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "object.risk",
        address,
    );
    a.target = Some(format!("object:{}", key.escape_debug()));
    a.detail = Some(serde_json::json!({
        "category": category.as_str(),
        "decided_on": knd_shared::calendar::iso_date::format(decided_on),
    }));
    let found = state
        .store
        .decide_risk(
            user.agency,
            key,
            category,
            decided_on,
            reason,
            attributes.as_ref(),
            &a,
        )
        .await?;
    if !found {
        return Err(ApiError::NotFound);
    }
    state
        .store
        .objects_by_keys(user.agency, &[key.to_owned()])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_are_parsed_exactly() {
        assert_eq!(degrees_e7("55.7558", 90), Ok(557_558_000));
        assert_eq!(degrees_e7("-33.9249", 90), Ok(-339_249_000));
        assert_eq!(degrees_e7("37.6176000", 180), Ok(376_176_000));
        assert_eq!(degrees_e7("180", 180), Ok(1_800_000_000));
        assert_eq!(degrees_e7("0.0000001", 90), Ok(1));
        for bad in [
            "90.0000001",
            "181",
            "55.12345678",
            "55,75",
            "1e2",
            "",
            "-",
            ".5",
            "abc",
            "--1",
        ] {
            assert!(
                degrees_e7(bad, if bad == "181" { 180 } else { 90 }).is_err(),
                "{bad}"
            );
        }
    }
}
