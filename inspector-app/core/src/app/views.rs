//! What the app's commands take and return: plain, serialisable views for the UI (ids as
//! strings, no secrets). The contract is `inspector-app/ui/COMMANDS.md`; the TypeScript types
//! are generated from these by the Tauri crate.

use serde::{Deserialize, Serialize};

macro_rules! view {
    ($($item:item)*) => {$(
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        $item
    )*};
}

/// What the UI sends.
macro_rules! input {
    ($($item:item)*) => {$(
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        $item
    )*};
}

/// A record's delivery state as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RecordStateView {
    Pending,
    Sent,
    Receipted,
    /// Refused by the server; still kept and shown with the reason.
    Rejected,
}

/// A checklist answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingResultView {
    Compliant,
    Violation,
    NotApplicable,
}

/// Where a photo's time or position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SourceView {
    Exif,
    Device,
}

/// A photo's upload state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum UploadStateView {
    Pending,
    Uploading,
    Uploaded,
}

/// The subject's answer to the act (ст.88).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgementInput {
    Acknowledged,
    Refused,
    Absent,
}

/// How a preventive visit ended (its `preventive_visit` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    /// The visit took place; the record says what was discussed.
    Held,
    /// The subject refused the visit (only one that is not mandatory, ст.52.1).
    Refused,
}

/// How the interaction so far stands against the law's limit (ст.73): `near` from 80 % of it,
/// `reached` once the limit is used up (any more interaction would pass it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum InteractionLevel {
    Within,
    Near,
    Reached,
}

view! {
    /// Whether the device is enrolled and unlocked, and the PIN counter.
    pub struct AppStatus {
        pub enrolled: bool,
        pub unlocked: bool,
        pub device_name: Option<String>,
        pub server_url: Option<String>,
        pub device_id: Option<String>,
        pub failures: u32,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
        pub locked_for_seconds: Option<u64>,
        /// How many wrong PINs in a row destroy the key (the screen warns before the last ones).
        pub wipe_after: u32,
        pub wiped: bool,
    }

    /// One card of today's assignments.
    pub struct AssignmentSummary {
        pub id: String,
        pub kind: String,
        pub kind_name: String,
        pub status: String,
        pub control_type: String,
        /// The control type's name from the server (absent from assignments pulled before it).
        pub control_type_name: Option<String>,
        pub starts_on: String,
        pub ends_on: String,
        pub subject_name: String,
        pub subject_inn: String,
        pub addresses: Vec<String>,
        pub checklist_items: u32,
        pub answered_items: u32,
        pub pending_records: u32,
        pub started: bool,
        pub act_signed: bool,
        /// A preventive visit (ст.52): opened on the visit screen, not the checklist walk.
        pub preventive_visit: bool,
        /// The visit's signed record, once there is one.
        pub visit_outcome: Option<VisitOutcome>,
    }

    pub struct SubjectView {
        pub inn: String,
        pub ogrn: Option<String>,
        pub name: String,
        pub size_class: String,
    }

    pub struct ObjectView {
        pub key: String,
        pub address: String,
        pub district: String,
        pub risk_category: Option<String>,
    }

    /// A violation found here before.
    pub struct PastViolationView {
        pub item: String,
        pub note: Option<String>,
        pub at: String,
    }

    /// An order of the subject's still open.
    pub struct OpenOrderView {
        pub record: String,
        pub at: String,
        pub summary: String,
    }

    /// A finding as recorded (a correction's new version is a finding of its own).
    pub struct FindingView {
        pub id: String,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub seq: u64,
        pub at: String,
        pub result: FindingResultView,
        pub note: Option<String>,
        pub photos: Vec<String>,
        pub state: RecordStateView,
        pub superseded_by: Option<String>,
        /// Why this version replaced the previous one (for a correction).
        pub correction_reason: Option<String>,
    }

    /// One checklist item with its requirement and its answers so far.
    pub struct ChecklistItemView {
        pub code: String,
        pub question: String,
        pub requirement: Option<String>,
        pub requirement_text: Option<String>,
        pub legal_act: Option<String>,
        pub article: Option<String>,
        pub current: Option<FindingView>,
        /// Oldest first, the current one included.
        pub history: Vec<FindingView>,
    }

    pub struct PhotoView {
        pub sha256: String,
        pub mime: String,
        pub width: u32,
        pub height: u32,
        pub taken_at: String,
        pub time_source: SourceView,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        pub lat_e7: Option<i64>,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        pub lon_e7: Option<i64>,
        pub position_source: Option<SourceView>,
        pub caption: Option<String>,
        /// A `data:image/jpeg;base64,...` URL of the oriented thumbnail.
        pub thumbnail: String,
        pub upload_state: UploadStateView,
        pub record_state: RecordStateView,
        /// What the inspector was warned about and kept the photo despite.
        pub warnings: Vec<PhotoWarningView>,
    }

    /// Why a photo may mislead (the `warnings` of its record), for the UI to put in words.
    pub struct PhotoWarningView {
        /// `damaged`, `taken_outside_dates`, `far_from_object`, or `other` (a newer app's).
        pub kind: String,
        /// `damaged`: the decoder's words.
        pub reason: Option<String>,
        /// `taken_outside_dates`: the photo's time and the inspection's dates (`YYYY-MM-DD`).
        pub taken_at: Option<String>,
        pub from: Option<String>,
        pub to: Option<String>,
        /// `far_from_object`: metres to the nearest object, its key and address.
        pub distance_m: Option<u32>,
        pub object: Option<String>,
        pub object_address: Option<String>,
    }

    /// What adding a photo did: `added`, or nothing yet because of `warnings` the inspector
    /// must see first (add again with `keep` to record the photo with them).
    pub struct PhotoOutcome {
        pub added: Option<PhotoView>,
        pub warnings: Vec<PhotoWarningView>,
    }

    /// A signed record as listed.
    pub struct RecordView {
        pub id: String,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub seq: u64,
        pub kind: String,
        pub at: String,
        pub state: RecordStateView,
        pub inspection: Option<String>,
        /// The record in one line, in Russian and in English.
        pub summary: String,
        pub summary_en: String,
        pub rejected_reason: Option<String>,
        /// For a warning: the business's objection to it (ст.49), as the server last sent it.
        pub objection: Option<ObjectionView>,
    }

    /// Where a business's objection to a warning stands.
    pub struct ObjectionView {
        /// `filed` (under consideration), `warning_withdrawn` or `rejected`.
        pub status: String,
        /// `YYYY-MM-DD`, the agency's date of receipt.
        pub filed_on: String,
        /// `YYYY-MM-DD`, once decided.
        pub decided_on: Option<String>,
        /// Why the objection was rejected (the reviewer's words, in Russian).
        pub reasons: Option<String>,
    }

    /// The prosecutor's agreement to an unplanned measure (Приказ Генпрокуратуры № 294).
    pub struct AgreementView {
        pub reference: String,
        /// `YYYY-MM-DD`.
        pub date: String,
    }

    /// One signed interval of on-site interaction.
    pub struct InteractionIntervalView {
        pub record: String,
        pub started_at: String,
        pub ended_at: String,
        pub minutes: u32,
        /// The controlled person's INN, when the measure concerns several.
        pub subject: Option<String>,
        pub state: RecordStateView,
    }

    /// The inspection's interaction time (ст.73): the signed intervals, the one under way and
    /// the total of both against the limit.
    pub struct InteractionView {
        /// `None`: the law sets no limit for this measure and subject.
        pub limit_minutes: Option<u32>,
        pub signed_minutes: u32,
        /// When the interval under way began (RFC 3339), if one is.
        pub open_since: Option<String>,
        pub open_subject: Option<String>,
        /// Signed intervals plus the one under way, up to now.
        pub total_minutes: u32,
        pub level: InteractionLevel,
        pub intervals: Vec<InteractionIntervalView>,
    }

    /// A violation as the signed act names it (absent parts: an act signed before they existed).
    pub struct ActViolationView {
        pub requirement: String,
        pub legal_act: Option<String>,
        pub unit: Option<String>,
        pub remedied: Option<bool>,
    }

    /// The signed act as a document to show the person present.
    pub struct ActDocumentView {
        /// The act's record id and SHA-256 (hex): what the receipt and any check name.
        pub record: String,
        pub hash: String,
        pub signed_at: String,
        pub device_name: String,
        pub state: RecordStateView,
        pub rejected_reason: Option<String>,
        /// The server's receipt, once synced.
        pub receipt: Option<ReceiptView>,
        pub inspection: String,
        /// The kind's code (for the UI's name of it) and the server's name.
        pub kind: String,
        pub kind_name: String,
        pub ground: Option<String>,
        pub ground_name: Option<String>,
        pub erknm: Option<String>,
        pub control_type: String,
        /// The control type's name from the server (absent from assignments pulled before it).
        pub control_type_name: Option<String>,
        pub starts_on: String,
        pub ends_on: String,
        pub subjects: Vec<SubjectView>,
        pub objects: Vec<ObjectView>,
        pub summary: String,
        /// The answers the act rests on, in checklist order of answering.
        pub findings: Vec<ActFindingView>,
        pub violations: Vec<ActViolationDocView>,
        pub not_checked: Vec<NotCheckedView>,
        pub present: Vec<PersonView>,
        /// `acknowledged`, `refused` or `absent` (ст.88).
        pub acknowledgement: String,
    }

    /// The server's receipt of a record: its place in the transparency log and when it arrived.
    pub struct ReceiptView {
        /// A plain JSON number for TypeScript (a log index stays far below 2^32).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub log_index: u64,
        pub received_at: String,
    }

    /// One answer an act rests on.
    pub struct ActFindingView {
        pub record: String,
        pub item: ItemRefView,
        pub result: FindingResultView,
        pub note: Option<String>,
        /// The answer is a correction of an earlier one.
        pub corrected: bool,
        pub photos: u32,
        /// The marks of its photos (damaged, outside the dates, far from the object).
        pub photo_warnings: Vec<PhotoWarningView>,
    }

    /// A violation as the act states it, with the requirement's wording from the checklist.
    pub struct ActViolationDocView {
        pub requirement: String,
        pub requirement_text: Option<String>,
        pub legal_act: Option<String>,
        pub unit: Option<String>,
        pub remedied: Option<bool>,
        pub note: Option<String>,
    }

    /// A checklist item the act lists as not checked, and why.
    pub struct NotCheckedView {
        pub item: ItemRefView,
        pub reason: String,
    }

    /// Someone present when the act was drawn up.
    pub struct PersonView {
        pub name: String,
        pub role: String,
    }

    /// What the signed act says, for its screen and the order.
    pub struct ActContentsView {
        pub erknm: Option<String>,
        pub violations: Vec<ActViolationView>,
    }

    /// An inspection opened on the device.
    pub struct InspectionScreen {
        pub id: String,
        /// The kind's code (the UI names it in its language) and the server's Russian name.
        pub kind: String,
        pub kind_name: String,
        /// The ground's code (ч.1 ст.57), when the assignment has one.
        pub ground: Option<String>,
        /// `planned` / `unplanned`: shown only when the assignment has no ground (pulled before
        /// grounds existed).
        pub basis: String,
        /// The ground (ч.1 ст.57) as a person reads it, e.g. "п.2 ч.1 ст.57 — план …".
        pub ground_name: Option<String>,
        /// The number in the unified register of control measures; `None`: not registered yet.
        pub erknm: Option<String>,
        pub prosecutor_agreement: Option<AgreementView>,
        /// Every controlled person (several in a raid); the first is `subject`.
        pub subjects: Vec<SubjectView>,
        pub status: String,
        pub control_type: String,
        /// The control type's name from the server (absent from assignments pulled before it).
        pub control_type_name: Option<String>,
        pub starts_on: String,
        pub ends_on: String,
        pub note: String,
        pub subject: SubjectView,
        pub objects: Vec<ObjectView>,
        pub past_violations: Vec<PastViolationView>,
        pub open_orders: Vec<OpenOrderView>,
        pub checklist_name: Option<String>,
        pub checklist: Vec<ChecklistItemView>,
        pub photos: Vec<PhotoView>,
        pub warnings: Vec<RecordView>,
        /// A warning (prevention, ст.49) may be issued here: only in a measure without
        /// interaction (observation, field survey).
        pub warning_allowed: bool,
        pub act: Option<RecordView>,
        pub act_contents: Option<ActContentsView>,
        pub order: Option<RecordView>,
        /// The act found violations not remedied during the inspection and no order is signed
        /// yet: the app offers the order (п.1 ч.2 ст.90).
        pub order_due: bool,
        /// `None` for a measure without interaction.
        pub interaction: Option<InteractionView>,
        pub started: bool,
        pub records: Vec<RecordView>,
    }

    /// The signed record of a preventive visit.
    pub struct VisitRecordView {
        pub record: RecordView,
        pub outcome: VisitOutcome,
        /// What the inspector wrote: what was discussed, or the refusal.
        pub summary: String,
    }

    /// A preventive visit (ст.52) opened on the device: whom and where it concerns, when, and
    /// its record once signed.
    pub struct VisitScreen {
        pub id: String,
        /// The kind's code (the UI names it in its language) and the server's Russian name.
        pub kind: String,
        pub kind_name: String,
        pub ground: Option<String>,
        pub basis: String,
        pub ground_name: Option<String>,
        pub erknm: Option<String>,
        pub status: String,
        pub control_type: String,
        pub control_type_name: Option<String>,
        pub starts_on: String,
        pub ends_on: String,
        pub note: String,
        pub subject: SubjectView,
        pub objects: Vec<ObjectView>,
        /// A mandatory visit (ст.52.1) cannot be refused: the screen offers no refusal and
        /// says why.
        pub mandatory: bool,
        /// The signed record; `None`: the visit is not recorded yet.
        pub visit: Option<VisitRecordView>,
        /// Every record of the visit, in order, with its state.
        pub records: Vec<RecordView>,
    }

    pub struct ViolationView {
        pub item: String,
        pub requirement: String,
        pub requirement_text: Option<String>,
        /// The requirement's legal act, from the checklist.
        pub legal_act: Option<String>,
        /// Its structural unit (article, point), from the checklist.
        pub unit: Option<String>,
        pub finding: String,
        pub note: Option<String>,
    }

    /// The act as proposed from the findings, for the inspector to review.
    pub struct ActDraft {
        /// The ЕРКНМ number the act will carry; `None`: the act cannot be signed yet.
        pub erknm: Option<String>,
        pub summary: String,
        pub findings: Vec<String>,
        pub violations: Vec<ViolationView>,
        pub compliant: u32,
        pub violation_count: u32,
        pub not_applicable: u32,
        /// Checklist items without an answer: each must be answered, or listed in the act as
        /// not checked with a reason, before the act is signed.
        pub unanswered: Vec<ItemRefView>,
        /// How many items the checklist has.
        pub total: u32,
    }

    /// A checklist item named: its code and its question.
    pub struct ItemRefView {
        pub item: String,
        pub question: String,
    }

    /// One violation of the act for the order to remedy, prefilled from the act.
    pub struct RemedyDraftView {
        pub requirement: String,
        pub requirement_text: Option<String>,
        pub legal_act: Option<String>,
        pub unit: Option<String>,
    }

    /// The order (предписание) as the signed act makes it: the inspector adds each measure and
    /// deadline.
    pub struct OrderDraft {
        /// The act's record id, which the order names.
        pub act: String,
        pub act_at: String,
        pub erknm: Option<String>,
        /// The order's date: today in the agency's time zone (`YYYY-MM-DD`); deadlines must be
        /// later.
        pub issued_on: String,
        pub subject: SubjectView,
        /// The act's violations not remedied during the inspection.
        pub remedies: Vec<RemedyDraftView>,
    }



    /// The sync screen.
    pub struct SyncStatus {
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub pending: u64,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub sent: u64,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub receipted: u64,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub rejected: u64,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = u32))]
        pub photos_pending: u64,
        pub last_sync_at: Option<String>,
        pub last_error: Option<String>,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        pub clock_skew_ms: Option<i64>,
        pub syncing: bool,
        pub online: Option<bool>,
        /// A plain JSON number for TypeScript (the values stay far below 2^31).
        #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
        pub next_attempt_in_seconds: Option<u64>,
    }
}

input! {
    /// A requirement a warning names (ст.49): the requirement, its legal act and structural unit.
    pub struct WarningRequirementInput {
        pub requirement: String,
        pub legal_act: String,
        pub unit: String,
    }

    /// A measure a warning proposes; the date is optional.
    pub struct MeasureInput {
        pub what: String,
        /// `YYYY-MM-DD`, or `None`.
        pub by: Option<String>,
    }

    /// The inspector's answer for one violation of the act.
    pub struct ViolationInput {
        /// The finding's record id (`ViolationView::finding`).
        pub finding: String,
        /// Remedied during the inspection (ст.87).
        pub remedied: bool,
        /// The legal act and unit, typed when the checklist gives none (ignored otherwise).
        pub legal_act: Option<String>,
        pub unit: Option<String>,
    }

    /// One remedy of an order: the violated requirement as the act names it, the measure and
    /// its deadline.
    pub struct RemedyInput {
        pub requirement: String,
        pub legal_act: String,
        pub unit: String,
        pub measure: String,
        /// `YYYY-MM-DD`, later than the order's date.
        pub deadline: String,
    }

    pub struct OrderInput {
        pub remedies: Vec<RemedyInput>,
    }

    pub struct PersonInput {
        pub name: String,
        pub role: String,
    }

    pub struct ActInput {
        pub summary: String,
        pub present: Vec<PersonInput>,
        pub acknowledgement: AcknowledgementInput,
        /// One per violation of the draft: remedied or not (required).
        pub violations: Vec<ViolationInput>,
        /// One per unanswered item of the draft, with the reason it was not checked.
        pub not_checked: Vec<NotCheckedInput>,
    }

    /// A checklist item not checked, and why.
    pub struct NotCheckedInput {
        pub item: String,
        pub reason: String,
    }
}
