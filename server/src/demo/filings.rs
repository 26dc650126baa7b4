//! The business side of the demo: the subject of the morning's inspection gets an API key and
//! files two pre-trial appeals through the same service its requests reach (one against the
//! act, one against the inspector's actions with a request to suspend), so the console's
//! appeals inbox and a reviewer's forms have something to show, the first with the business's
//! photo attached; and it declares its compliance
//! with the inspection's control type on a self-assessment, awaiting registration. The second
//! appeal is signed with the business's own filing key, kept in the data directory in the
//! format of `knd filing key` so that one may go on filing with it.

use std::path::PathBuf;

use anyhow::Context as _;
use knd_shared::filing_key::{FilingKeyFile, sign_filing};
use knd_shared::filings::Appealed;
use knd_shared::record::ChainHead;
use knd_shared::record::kinds::BusinessFiling;
use knd_shared::{DeviceId, DeviceKey, Inn, RecordId};
use serde_json::Value;

use super::seed::api;
use crate::model::{Actor, ApiKey, Inspection};
use crate::services::appeals::{self, NewAppeal, Representative};
use crate::services::declarations::{self, AnswerIn, NewDeclaration, NewSelfAssessment};
use crate::services::filings::Via;
use crate::services::uploads::Client;
use crate::services::{accounts, business_keys, projections, signed_filings};
use crate::state::AppState;
use knd_shared::filings::declaration::Answer;

/// What the banner tells of the business.
#[derive(Debug)]
pub(super) struct DemoBusiness {
    pub(super) api_key: String,
    /// The filing key's file and its id (the `device` of its records).
    pub(super) filing_key: (PathBuf, DeviceId),
}

pub(super) async fn appeals(
    state: &AppState,
    inspection: &Inspection,
    act: RecordId,
) -> anyhow::Result<DemoBusiness> {
    // The act must be projected before its addressee can name it.
    projections::catch_up(state)
        .await
        .context("projecting the morning")?;
    let (key, secret) = accounts::issue_api_key(state, &inspection.subject_inn, Actor::Operator)
        .await
        .map_err(api)?;
    // The business's own photo of the exit, uploaded over tus with its key and attached.
    let (exit_photo, _) =
        super::field::upload(state, Client::Business(&key), super::field::photo(140)?).await?;
    let base = NewAppeal {
        appealed: Appealed::Act,
        record: Some(act),
        inspection: None,
        appeal: None,
        filer: "Руководитель организации".into(),
        representative: Some(Representative {
            name: "Петров Пётр Петрович".into(),
            authority: "доверенность от 01.11.2026 № 7".into(),
        }),
        official: Some("Инспектор, проводивший проверку".into()),
        contact: "law@example.ru".into(),
        learned_on: None,
        grounds:
            "Нарушение указано неверно: эвакуационный выход был свободен, что видно на фотографии. \
                  Просим отменить акт в части этого нарушения."
                .into(),
        attachments: vec![exit_photo.to_hex()],
        restoration_reason: None,
        suspension_requested: false,
    };
    appeals::file(state, &key, Via::Api(None), base.clone())
        .await
        .map_err(api)?;
    let actions = NewAppeal {
        appealed: Appealed::OfficialsActions,
        record: None,
        inspection: Some(inspection.id),
        learned_on: Some(state.today()),
        grounds: "Представителя организации не допустили к осмотру помещений.".into(),
        suspension_requested: true,
        attachments: Vec::new(),
        ..base
    };
    let filing_key = signed_appeal(state, &key, &actions).await?;
    declaration(state, &key, inspection).await?;
    Ok(DemoBusiness {
        api_key: secret,
        filing_key,
    })
}

/// Registers a filing key for the business and files `appeal` as the first record of its
/// chain; writes the key where the banner says.
async fn signed_appeal(
    state: &AppState,
    key: &ApiKey,
    appeal: &NewAppeal,
) -> anyhow::Result<(PathBuf, DeviceId)> {
    let secret = DeviceKey::generate();
    let public = secret.public_key().to_hex();
    let registered = business_keys::register(state, key, None, &public, "Юрист организации")
        .await
        .map_err(api)?;
    let id = registered.device.id;
    let Value::Object(request) = serde_json::to_value(appeal)? else {
        anyhow::bail!("an appeal is a JSON object");
    };
    let body = BusinessFiling {
        filing: "appeal".into(),
        subject: Inn::parse(&key.subject_inn)?,
        of: None,
        request,
    };
    let signed = sign_filing(&secret, id, ChainHead::GENESIS, &body)?;
    signed_filings::file(state, key, &signed.bytes)
        .await
        .map_err(api)?;
    let path = state.config.data_dir.join("demo-filing-key.json");
    let file = FilingKeyFile::of(&secret);
    std::fs::write(&path, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok((path, id))
}

/// A self-assessment of the inspection's control type with every requirement complied with,
/// and the declaration of compliance on it, awaiting a reviewer.
async fn declaration(
    state: &AppState,
    key: &ApiKey,
    inspection: &Inspection,
) -> anyhow::Result<()> {
    let q =
        declarations::questionnaire(state, key, inspection.agency, &inspection.control_type_code)
            .await
            .map_err(api)?;
    let answers = q
        .items
        .iter()
        .map(|r| AnswerIn {
            requirement: r.code.clone(),
            answer: Answer::Complied,
            note: None,
            evidence: Vec::new(),
        })
        .collect();
    let sa = NewSelfAssessment {
        agency: inspection.agency,
        control_type: q.control_type,
        answers,
    };
    let (assessed, _) = declarations::file_self_assessment(state, key, Via::Api(None), sa)
        .await
        .map_err(api)?;
    let d = NewDeclaration {
        self_assessment: assessed.filing.id,
    };
    declarations::file_declaration(state, key, Via::Api(None), d)
        .await
        .map_err(api)?;
    Ok(())
}
