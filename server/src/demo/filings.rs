//! The business side of the demo: the subject of the morning's inspection gets an API key and
//! files two pre-trial appeals through the same service its requests reach (one against the
//! act, one against the inspector's actions with a request to suspend), so the console's
//! appeals inbox and a reviewer's forms have something to show, the first with the business's
//! photo attached; and it declares its compliance
//! with the inspection's control type on a self-assessment, awaiting registration.

use anyhow::Context as _;
use knd_shared::RecordId;
use knd_shared::filings::Appealed;

use super::seed::api;
use crate::model::{Actor, ApiKey, Inspection};
use crate::services::appeals::{self, NewAppeal, Representative};
use crate::services::declarations::{self, AnswerIn, NewDeclaration, NewSelfAssessment};
use crate::services::filings::Via;
use crate::services::uploads::Client;
use crate::services::{accounts, projections};
use crate::state::AppState;
use knd_shared::filings::declaration::Answer;

/// The business's API key, for the banner.
pub(super) async fn appeals(
    state: &AppState,
    inspection: &Inspection,
    act: RecordId,
) -> anyhow::Result<String> {
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
    appeals::file(state, &key, Via::Api(None), actions)
        .await
        .map_err(api)?;
    declaration(state, &key, inspection).await?;
    Ok(secret)
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
