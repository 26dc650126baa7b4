//! The commands: each translates its arguments to one call of `knd_inspector_core::app::App`
//! and its result back. Blocking work (SQLite, Argon2, image decoding) runs off the async
//! runtime's threads. Errors are `{kind, message}` ([`AppError`]).

use std::sync::Arc;

use knd_inspector_core::app::views::{
    ActDocumentView, ActDraft, ActInput, AppStatus, AssignmentSummary, FindingResultView,
    InspectionScreen, InteractionView, MeasureInput, OrderDraft, OrderInput, PhotoOutcome,
    RecordView, SyncStatus, VisitScreen, WarningRequirementInput,
};
use knd_inspector_core::app::{App, AppError, AppResult, ErrorKind};
use tauri::State;

use crate::Shared;

type Core<'a> = State<'a, Shared>;

fn app(core: &Core<'_>) -> AppResult<Arc<App>> {
    core.0.clone()
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    core: Core<'_>,
    f: impl FnOnce(&App) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let app = app(&core)?;
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?
}

#[tauri::command]
#[specta::specta]
async fn app_status(core: Core<'_>) -> AppResult<AppStatus> {
    blocking(core, App::status).await
}

#[tauri::command]
#[specta::specta]
async fn enroll(
    core: Core<'_>,
    server_url: String,
    code: String,
    device_name: String,
    pin: String,
) -> AppResult<AppStatus> {
    app(&core)?
        .enroll(&server_url, &code, &device_name, &pin)
        .await
}

#[tauri::command]
#[specta::specta]
async fn unlock(core: Core<'_>, pin: String) -> AppResult<AppStatus> {
    blocking(core, move |a| a.unlock(&pin)).await
}

#[tauri::command]
#[specta::specta]
async fn lock(core: Core<'_>) -> AppResult<AppStatus> {
    blocking(core, App::lock).await
}

#[tauri::command]
#[specta::specta]
async fn assignments(core: Core<'_>) -> AppResult<Vec<AssignmentSummary>> {
    blocking(core, App::assignments).await
}

#[tauri::command]
#[specta::specta]
async fn inspection(core: Core<'_>, id: String) -> AppResult<InspectionScreen> {
    blocking(core, move |a| a.inspection(&id)).await
}

#[tauri::command]
#[specta::specta]
async fn start_inspection(core: Core<'_>, inspection: String) -> AppResult<RecordView> {
    blocking(core, move |a| a.start_inspection(&inspection)).await
}

#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
async fn record_finding(
    core: Core<'_>,
    inspection: String,
    item: String,
    result: FindingResultView,
    note: Option<String>,
    photos: Vec<String>,
    supersedes: Option<String>,
    reason: Option<String>,
) -> AppResult<RecordView> {
    blocking(core, move |a| {
        a.record_finding(&inspection, &item, result, note, photos, supersedes, reason)
    })
    .await
}

#[tauri::command]
#[specta::specta]
async fn add_photo(
    core: Core<'_>,
    inspection: String,
    data_base64: String,
    caption: Option<String>,
    accepted: Vec<String>,
) -> AppResult<PhotoOutcome> {
    blocking(core, move |a| {
        a.add_photo(&inspection, &data_base64, caption, accepted)
    })
    .await
}

#[tauri::command]
#[specta::specta]
async fn photo_original(core: Core<'_>, sha256: String) -> AppResult<String> {
    blocking(core, move |a| a.photo_original(&sha256)).await
}

#[tauri::command]
#[specta::specta]
async fn act_document(core: Core<'_>, inspection: String) -> AppResult<ActDocumentView> {
    blocking(core, move |a| a.act_document(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn issue_warning(
    core: Core<'_>,
    inspection: String,
    requirements: Vec<WarningRequirementInput>,
    text: String,
    measures: Vec<MeasureInput>,
) -> AppResult<RecordView> {
    blocking(core, move |a| {
        a.issue_warning(&inspection, requirements, &text, measures)
    })
    .await
}

#[tauri::command]
#[specta::specta]
async fn visit(core: Core<'_>, inspection: String) -> AppResult<VisitScreen> {
    blocking(core, move |a| a.visit(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn hold_visit(core: Core<'_>, inspection: String, summary: String) -> AppResult<RecordView> {
    blocking(core, move |a| a.hold_visit(&inspection, &summary)).await
}

#[tauri::command]
#[specta::specta]
async fn refuse_visit(
    core: Core<'_>,
    inspection: String,
    summary: String,
) -> AppResult<RecordView> {
    blocking(core, move |a| a.refuse_visit(&inspection, &summary)).await
}

#[tauri::command]
#[specta::specta]
async fn act_draft(core: Core<'_>, inspection: String) -> AppResult<ActDraft> {
    blocking(core, move |a| a.act_draft(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn sign_act(
    core: Core<'_>,
    inspection: String,
    act: ActInput,
    pin: String,
) -> AppResult<RecordView> {
    blocking(core, move |a| a.sign_act(&inspection, act, &pin)).await
}

#[tauri::command]
#[specta::specta]
async fn order_draft(core: Core<'_>, inspection: String) -> AppResult<OrderDraft> {
    blocking(core, move |a| a.order_draft(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn sign_order(
    core: Core<'_>,
    inspection: String,
    order: OrderInput,
    pin: String,
) -> AppResult<RecordView> {
    blocking(core, move |a| a.sign_order(&inspection, order, &pin)).await
}

#[tauri::command]
#[specta::specta]
async fn interaction(core: Core<'_>, inspection: String) -> AppResult<InteractionView> {
    blocking(core, move |a| a.interaction(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn start_interaction(
    core: Core<'_>,
    inspection: String,
    subject: Option<String>,
) -> AppResult<InteractionView> {
    blocking(core, move |a| a.start_interaction(&inspection, subject)).await
}

#[tauri::command]
#[specta::specta]
async fn stop_interaction(core: Core<'_>, inspection: String) -> AppResult<InteractionView> {
    blocking(core, move |a| a.stop_interaction(&inspection)).await
}

#[tauri::command]
#[specta::specta]
async fn sync_now(core: Core<'_>) -> AppResult<SyncStatus> {
    app(&core)?.sync_now().await
}

#[tauri::command]
#[specta::specta]
async fn sync_status(core: Core<'_>) -> AppResult<SyncStatus> {
    blocking(core, App::sync_status).await
}

#[tauri::command]
#[specta::specta]
async fn records(core: Core<'_>, inspection: Option<String>) -> AppResult<Vec<RecordView>> {
    blocking(core, move |a| a.records(inspection.as_deref())).await
}

/// Every command, for the invoke handler and the TypeScript export.
pub(crate) fn builder() -> tauri_specta::Builder<tauri::Wry> {
    // One TypeScript type per Rust type: the views only go out and the inputs only come in.
    tauri_specta::Builder::<tauri::Wry>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            app_status,
            enroll,
            unlock,
            lock,
            assignments,
            inspection,
            start_inspection,
            record_finding,
            add_photo,
            photo_original,
            issue_warning,
            visit,
            hold_visit,
            refuse_visit,
            act_draft,
            sign_act,
            act_document,
            order_draft,
            sign_order,
            interaction,
            start_interaction,
            stop_interaction,
            sync_now,
            sync_status,
            records,
        ])
        .events(tauri_specta::collect_events![crate::events::SyncChanged])
}
