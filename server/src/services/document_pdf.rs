//! A document as PDF (`knd-pdf`): the act, warning and order as the device signed them (every
//! shape the records registry reads, looked up member by member so an older shape still
//! prints), and each decision of the agency on a filing. Page 1 carries a QR code of the public
//! verification link (`/verify/{record}?sha256=...`, `verification.rs`), the record's id and
//! hash; `knd verify bundle` remains the offline path.

use knd_pdf::{Block, Document, Verification};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::model::StoredRecord;
use crate::state::AppState;

fn s(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// A requirement as a warning, act or order cites it: a code, or code, act and unit.
fn requirement(v: &Value) -> (String, String, String) {
    match v {
        Value::String(code) => (code.clone(), String::new(), String::new()),
        _ => (s(v, "requirement"), s(v, "legal_act"), s(v, "unit")),
    }
}

fn act(body: &Value) -> (String, Vec<Block>) {
    let mut blocks = vec![
        Block::Fields(vec![
            ("Контрольное мероприятие".into(), s(body, "inspection")),
            ("Учётный номер в ЕРКНМ".into(), s(body, "erknm")),
        ]),
        Block::Heading("Результаты".into()),
        Block::Paragraph(s(body, "summary")),
    ];
    let rows: Vec<Vec<String>> = list(body, "violations")
        .map(|v| {
            let (r, act, unit) = requirement(v);
            vec![r, act, unit]
        })
        .collect();
    if !rows.is_empty() {
        blocks.push(Block::Heading("Выявленные нарушения".into()));
        blocks.push(Block::Table {
            header: vec![
                "Обязательное требование".into(),
                "Нормативный правовой акт".into(),
                "Структурная единица".into(),
            ],
            rows,
        });
    }
    let not_checked: Vec<Vec<String>> = list(body, "not_checked")
        .map(|n| vec![s(n, "item"), s(n, "reason")])
        .collect();
    if !not_checked.is_empty() {
        blocks.push(Block::Heading("Не проверено".into()));
        blocks.push(Block::Table {
            header: vec!["Пункт".into(), "Причина".into()],
            rows: not_checked,
        });
    }
    let present: Vec<(String, String)> = list(body, "present")
        .map(|p| (s(p, "role"), s(p, "name")))
        .collect();
    if !present.is_empty() {
        blocks.push(Block::Heading("Присутствовали".into()));
        blocks.push(Block::Fields(present));
    }
    let ack = match s(body, "acknowledgement").as_str() {
        "acknowledged" => "с актом ознакомлен",
        "refused" => "от ознакомления отказался",
        _ => "ознакомление не состоялось",
    };
    blocks.push(Block::Fields(vec![("Ознакомление".into(), ack.into())]));
    ("Акт контрольного (надзорного) мероприятия".into(), blocks)
}

fn warning(body: &Value) -> (String, Vec<Block>) {
    let rows: Vec<Vec<String>> = list(body, "requirements")
        .map(|v| {
            let (r, act, unit) = requirement(v);
            vec![r, act, unit]
        })
        .collect();
    let measures: Vec<Vec<String>> = list(body, "measures")
        .map(|m| vec![s(m, "what"), s(m, "by")])
        .collect();
    let mut blocks = vec![
        Block::Fields(vec![
            ("Контролируемое лицо (ИНН)".into(), s(body, "subject")),
            ("Контрольное мероприятие".into(), s(body, "inspection")),
        ]),
        Block::Paragraph(s(body, "text")),
        Block::Heading("Обязательные требования".into()),
        Block::Table {
            header: vec![
                "Требование".into(),
                "Нормативный правовой акт".into(),
                "Структурная единица".into(),
            ],
            rows,
        },
    ];
    if !measures.is_empty() {
        blocks.push(Block::Heading("Предлагаемые меры".into()));
        blocks.push(Block::Table {
            header: vec!["Мера".into(), "Срок".into()],
            rows: measures,
        });
    }
    (
        "Предостережение о недопустимости нарушения обязательных требований".into(),
        blocks,
    )
}

fn order(body: &Value) -> (String, Vec<Block>) {
    let rows: Vec<Vec<String>> = list(body, "remedies")
        .map(|r| {
            let (req, act, unit) = requirement(r);
            vec![
                [req, act, unit]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
                s(r, "measure"),
                s(r, "deadline"),
            ]
        })
        .collect();
    (
        "Предписание об устранении выявленных нарушений".into(),
        vec![
            Block::Fields(vec![
                ("Контролируемое лицо (ИНН)".into(), s(body, "subject")),
                ("Контрольное мероприятие".into(), s(body, "inspection")),
                ("Акт".into(), s(body, "act")),
            ]),
            Block::Table {
                header: vec!["Нарушенное требование".into(), "Мера".into(), "Срок".into()],
                rows,
            },
        ],
    )
}

fn decision(body: &Value) -> (String, Vec<Block>) {
    let title = match s(body, "kind").as_str() {
        "objection" => "Решение по возражению на предостережение",
        _ => "Решение по досудебной жалобе",
    };
    (
        title.into(),
        vec![
            Block::Fields(vec![
                ("Обращение".into(), s(body, "filing")),
                ("Заявитель (ИНН)".into(), s(body, "subject")),
                ("Дата решения".into(), s(body, "on")),
            ]),
            Block::Paragraph(s(body, "text_ru")),
        ],
    )
}

/// The PDF of a record the caller may read (the route checks that); 404 for a record that is
/// not a document.
pub async fn render(state: &AppState, record: &StoredRecord) -> ApiResult<Vec<u8>> {
    let parsed: Value = serde_json::from_slice(&record.bytes)
        .map_err(|e| ApiError::Internal(format!("record json: {e}")))?;
    let mut body = parsed.get("body").cloned().unwrap_or(Value::Null);
    let mut kind = record.kind.clone();
    // A correction prints as the document it corrects, with its corrected body.
    if kind == "correction" {
        let doc = state
            .store
            .projected_document(record.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        kind = doc.kind;
        body = doc.body;
    }
    let (title, mut blocks) = match kind.as_str() {
        "act" => act(&body),
        "warning" => warning(&body),
        "order" => order(&body),
        "filing_decided" => decision(&body),
        _ => return Err(ApiError::NotFound),
    };
    let agency = match record.agency {
        Some(a) => state.store.get_agency(a).await?.map(|a| a.name),
        None => None,
    }
    .unwrap_or_default();
    blocks.push(Block::Signature {
        signer: format!(
            "подписано электронной подписью (Ed25519) устройства {}",
            record.device
        ),
        at: s(&parsed, "at"),
    });
    let hash = record.hash.to_hex();
    let doc = Document {
        title,
        subtitle: Some(agency.clone()),
        blocks,
        verify: Verification {
            url: format!(
                "{}/verify/{}?sha256={hash}",
                state.config.public_url(),
                record.id
            ),
            record_id: record.id.to_string(),
            sha256: hash,
            issuer: agency,
        },
    };
    tokio::task::spawn_blocking(move || knd_pdf::render(&doc))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("pdf: {e}")))
}
