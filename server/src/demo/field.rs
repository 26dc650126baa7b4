//! A morning of field work in the demo, so that the console has evidence to show: a demo tablet
//! of the second inspector is enrolled, and one of that inspector's inspections starting today
//! is started, answered item by item (one answer corrected), photographed (one photo near the
//! object, one the tablet warned was taken far from it), and closed with an act and an order.
//! Everything goes through the services a real tablet's requests reach (enrollment, uploads,
//! push), signed with a key made here, so it is verified, logged and projected like real work.
//! The first inspector's inspections are left alone: that is whom someone trying the app
//! enrolls (and the app's end-to-end test takes the first of them).

use std::convert::Infallible;

use anyhow::Context as _;
use bytes::Bytes;
use knd_shared::record::kinds::{self, Acknowledgement, FindingResult, PhotoWarning, Position};
use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp};
use knd_shared::{DeviceKey, Inn, RecordId, Sha256};
use serde_json::value::RawValue;
use time::{Date, Duration};

use super::generator::Registry;
use super::seed::api;
use crate::model::{Device, Inspection, InspectionFilter, InspectionStatus, User};
use crate::services::uploads::{self, Client, Created, NewUpload};
use crate::services::{accounts, enrollment, ingest, inspection_reads, registry_reads};
use crate::state::AppState;

/// What the morning left.
#[derive(Debug, Default)]
pub(super) struct FieldDay {
    pub(super) inspection: Option<Inspection>,
    pub(super) records: usize,
    /// The act signed at the end of it.
    pub(super) act: Option<RecordId>,
}

/// The demo tablet: its key and the head of its chain.
struct Tablet {
    device: Device,
    key: DeviceKey,
    head: ChainHead,
    signed: Vec<Box<RawValue>>,
}

impl Tablet {
    fn sign<B: serde::Serialize>(
        &mut self,
        kind: RecordKind,
        body: &B,
    ) -> anyhow::Result<RecordId> {
        let draft = RecordDraft::new(
            self.device.id,
            self.head.seq + 1,
            self.head.hash,
            kind,
            body,
        )
        .context("a demo record")?;
        let signed = record::sign(&self.key, &draft).context("signing a demo record")?;
        self.head = ChainHead::after(&signed.record);
        let text = String::from_utf8(signed.bytes).context("a record is UTF-8")?;
        self.signed
            .push(RawValue::from_string(text).context("a record is JSON")?);
        Ok(signed.record.id)
    }
}

/// A photo made here (no file ships with the demo): a gradient with a few shapes, as JPEG.
pub(super) fn photo(seed: u8) -> anyhow::Result<Vec<u8>> {
    let (w, h) = (640u32, 480u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let band = ((x / 80 + y / 60) % 2) as u8 * 18;
        image::Rgb([
            (60 + x * 120 / w) as u8 + band,
            (90 + y * 100 / h) as u8,
            (150u32.saturating_sub(x * 60 / w) as u8).wrapping_add(seed),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .context("encoding the demo photo")?;
    Ok(out.into_inner())
}

/// Uploads a JPEG through the tus service as `client` would: a device's photo, a business's
/// attachment.
pub(super) async fn upload(
    state: &AppState,
    client: Client<'_>,
    bytes: Vec<u8>,
) -> anyhow::Result<(Sha256, u64)> {
    let sha = Sha256::digest(&bytes);
    let length = bytes.len() as u64;
    let new = NewUpload {
        length,
        sha256: sha,
        mime: Some("image/jpeg".into()),
        filename: Some("demo.jpg".into()),
    };
    if let Created::Started { id, .. } = uploads::create(state, client, None, new)
        .await
        .map_err(api)?
    {
        let body = futures_util::stream::iter([Ok::<_, Infallible>(Bytes::from(bytes))]);
        uploads::append(state, client, None, id, 0, Some(length), body)
            .await
            .map_err(api)?;
    }
    Ok((sha, length))
}

/// The inspection the morning is spent on: `inspector`'s first starting today, with objects
/// and a checklist, that `spare` is not assigned to (whoever tries the app takes `spare`'s).
async fn todays(
    state: &AppState,
    admin: &User,
    inspector: &User,
    spare: &User,
    today: Date,
) -> anyhow::Result<Option<Inspection>> {
    let filter = InspectionFilter {
        status: Some(InspectionStatus::Scheduled),
        inspector: Some(inspector.id),
        from: Some(today),
        to: Some(today),
        ..InspectionFilter::default()
    };
    let list = inspection_reads::list(state, admin, filter, None, 100)
        .await
        .map_err(api)?;
    Ok(list.into_iter().find(|i| {
        i.starts_on == today
            && !i.objects.is_empty()
            && i.checklist_code.is_some()
            && !i.inspectors.contains(&spare.id)
    }))
}

pub(super) async fn morning(
    state: &AppState,
    admin: &User,
    inspector: &User,
    spare: &User,
    registry: &Registry,
    today: Date,
) -> anyhow::Result<FieldDay> {
    let Some(insp) = todays(state, admin, inspector, spare, today).await? else {
        return Ok(FieldDay::default());
    };
    let checklist = registry_reads::checklist(
        state,
        admin,
        None,
        &insp.control_type_code,
        insp.checklist_code.as_deref().unwrap_or_default(),
    )
    .await
    .map_err(api)?;
    let (object_id, object_key) = insp.objects[0].clone();
    let at_object = registry
        .objects()
        .find(|o| o.key == object_key)
        .map(|o| Position {
            lat_e7: o.lat_e7,
            lon_e7: o.lon_e7,
        });

    let (code, _) =
        accounts::create_enrollment_code(state, Some(admin), inspector.id, admin.agency, None)
            .await
            .map_err(api)?;
    let key = DeviceKey::generate();
    let name = format!("Демо-планшет / demo tablet ({})", inspector.login);
    let enrolled = enrollment::enroll(state, &code, &key.public_key().to_hex(), &name, None)
        .await
        .map_err(api)?;
    let mut tablet = Tablet {
        device: enrolled.device,
        key,
        head: ChainHead::GENESIS,
        signed: Vec::new(),
    };
    let inspection = insp.id;
    tablet.sign(
        RecordKind::InspectionStarted,
        &kinds::InspectionStarted {
            inspection,
            object: Some(object_id.into()),
            position: at_object,
        },
    )?;

    // The photos first: a tablet uploads them as it goes.
    let (near_sha, near_len) = upload(state, Client::Device(&tablet.device), photo(0)?).await?;
    let (far_sha, far_len) = upload(state, Client::Device(&tablet.device), photo(70)?).await?;
    let now = Timestamp::now();
    let far = at_object.map(|p| Position {
        lat_e7: p.lat_e7 + 300_000,
        lon_e7: p.lon_e7,
    });
    tablet.sign(
        RecordKind::Photo,
        &kinds::Photo {
            inspection,
            sha256: near_sha,
            bytes: near_len,
            mime: "image/jpeg".into(),
            width: Some(640),
            height: Some(480),
            taken_at: Some(now),
            time_source: Some(kinds::MetadataSource::Device),
            position: at_object,
            position_source: Some(kinds::MetadataSource::Device),
            caption: Some("Эвакуационный выход загромождён / the emergency exit is blocked".into()),
            warnings: Vec::new(),
        },
    )?;
    tablet.sign(
        RecordKind::Photo,
        &kinds::Photo {
            inspection,
            sha256: far_sha,
            bytes: far_len,
            mime: "image/jpeg".into(),
            width: Some(640),
            height: Some(480),
            taken_at: Some(now),
            time_source: Some(kinds::MetadataSource::Device),
            position: far,
            position_source: Some(kinds::MetadataSource::Device),
            caption: Some("Склад во дворе / the storehouse in the yard".into()),
            warnings: vec![PhotoWarning::FarFromObject {
                distance_m: 3_336,
                object: object_key.clone(),
            }],
        },
    )?;

    // Answers to the first items: compliant, a violation with its photo, one corrected.
    let items: Vec<_> = checklist.items.iter().take(3).collect();
    let mut findings = Vec::new();
    let mut violation = None;
    for (n, item) in items.iter().enumerate() {
        let (result, note, photos) = match n {
            1 => (
                FindingResult::Violation,
                Some("Эвакуационный выход загромождён стеллажами / the emergency exit is blocked by shelving".to_owned()),
                vec![near_sha],
            ),
            _ => (FindingResult::Compliant, None, Vec::new()),
        };
        let id = tablet.sign(
            RecordKind::Finding,
            &kinds::Finding {
                inspection,
                item: item.code.clone(),
                result,
                note,
                photos,
            },
        )?;
        if n == 1 {
            violation = Some((id, *item));
        }
        findings.push(id);
    }
    if let Some(&first) = findings.first() {
        let corrected = kinds::Finding {
            inspection,
            item: items[0].code.clone(),
            result: FindingResult::NotApplicable,
            note: Some("Помещение не используется / the room is not in use".into()),
            photos: Vec::new(),
        };
        let body = match serde_json::to_value(&corrected)? {
            serde_json::Value::Object(m) => m,
            _ => anyhow::bail!("a finding is an object"),
        };
        let id = tablet.sign(
            RecordKind::Correction,
            &kinds::Correction {
                supersedes: first,
                reason:
                    "Ошибочно отмечено: помещение закрыто / marked by mistake: the room is closed"
                        .into(),
                body,
            },
        )?;
        findings[0] = id;
    }

    let subject = Inn::parse(&insp.subject_inn).context("the subject's ИНН")?;
    let violations: Vec<kinds::Violation> = violation
        .iter()
        .map(|(id, item)| kinds::Violation {
            requirement: item.requirement.text.clone(),
            legal_act: Some(item.requirement.legal_act.clone()),
            unit: Some(item.requirement.article.clone()),
            finding: Some(*id),
            remedied: Some(false),
        })
        .collect();
    let act = tablet.sign(
        RecordKind::Act,
        &kinds::Act {
            inspection,
            summary: "Выявлено нарушение требований пожарной безопасности / a fire safety violation was found".into(),
            findings: findings.clone(),
            violations,
            present: vec![kinds::Person {
                name: "Иванов И. И.".into(),
                role: "директор / director".into(),
            }],
            acknowledgement: Acknowledgement::Acknowledged,
            erknm: insp.erknm.clone(),
            not_checked: Vec::new(),
        },
    )?;
    if let Some((_, item)) = violation {
        tablet.sign(
            RecordKind::Order,
            &kinds::Order {
                inspection,
                subject,
                act: Some(act),
                remedies: vec![kinds::Remedy {
                    requirement: item.requirement.text.clone(),
                    legal_act: Some(item.requirement.legal_act.clone()),
                    unit: Some(item.requirement.article.clone()),
                    measure: "Освободить эвакуационный выход / clear the emergency exit".into(),
                    deadline: today + Duration::days(30),
                }],
            },
        )?;
    }
    tablet.sign(
        RecordKind::InspectionFinished,
        &kinds::InspectionFinished {
            inspection,
            position: at_object,
        },
    )?;
    let records = tablet.signed.len();
    let answers = ingest::push(state, &tablet.device, std::mem::take(&mut tablet.signed))
        .await
        .map_err(api)?;
    tracing::info!(
        records,
        answered = answers.len(),
        "the demo's field morning pushed"
    );
    Ok(FieldDay {
        inspection: Some(insp),
        records,
        act: Some(act),
    })
}
