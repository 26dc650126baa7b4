//! The business side of the demo: the subject of the morning's inspection gets an API key and
//! files two pre-trial appeals through the same service its requests reach (one against the
//! act, one against the inspector's actions with a request to suspend), so the console's
//! appeals inbox and a reviewer's forms have something to show.

use anyhow::Context as _;
use knd_shared::RecordId;
use knd_shared::filings::Appealed;

use super::seed::api;
use crate::model::{Actor, Inspection};
use crate::services::appeals::{self, NewAppeal, Representative};
use crate::services::{accounts, projections};
use crate::state::AppState;

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
        attachments: Vec::new(),
        restoration_reason: None,
        suspension_requested: false,
    };
    appeals::file(state, &key, None, base.clone())
        .await
        .map_err(api)?;
    let actions = NewAppeal {
        appealed: Appealed::OfficialsActions,
        record: None,
        inspection: Some(inspection.id),
        learned_on: Some(state.today()),
        grounds: "Представителя организации не допустили к осмотру помещений.".into(),
        suspension_requested: true,
        ..base
    };
    appeals::file(state, &key, None, actions)
        .await
        .map_err(api)?;
    Ok(secret)
}
