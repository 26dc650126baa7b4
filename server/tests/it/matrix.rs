//! The role × endpoint matrix: every operation of the OpenAPI document, called by every kind of
//! caller, answers the status the table below expects. A new route without a row fails the test,
//! and so does any 5xx.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_server::model::Role;
use reqwest::Method;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::field::{SUBJECT, field};
use crate::on_both;

/// The callers, in the order of the table's columns. Admin comes last, so what an admin changes
/// (a revoked device, a deleted upload, a closed session) is changed after everyone else tried.
const CALLERS: [&str; 9] = [
    "none",
    "device",
    "business",
    "other",
    "inspector",
    "reviewer",
    "auditor",
    "planner",
    "admin",
];

/// What a row sends.
#[derive(Clone, Copy)]
enum Body {
    Empty,
    Json(&'static str),
    Csv(&'static str),
    /// tus: an upload of 10 bytes, its SHA-256 in the metadata.
    TusCreate,
    /// tus: an empty chunk at offset 0.
    TusPatch,
}

use Body::{Csv, Empty, Json, TusCreate, TusPatch};

/// One operation: its method and OpenAPI path, the URL called (`{inspection}`, `{user}`,
/// `{device}`, `{device2}`, `{record}`, `{blob}`, `{upload}`, `{hash}` are the world's objects;
/// `{caller}` makes a name unique per caller), what it sends, and the expected status per
/// caller, in the order of [`CALLERS`]:
/// none, device, business, other agency's admin, inspector, reviewer, auditor, planner, admin.
type Row = (&'static str, &'static str, &'static str, Body, [u16; 9]);

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Public: the log, health, the document itself.
    ("GET", "/api/v1/log", "/api/v1/log", Empty, [200; 9]),
    ("GET", "/api/v1/log/checkpoint", "/api/v1/log/checkpoint", Empty, [200; 9]),
    ("GET", "/api/v1/log/proof/inclusion", "/api/v1/log/proof/inclusion?hash={hash}", Empty, [200; 9]),
    ("GET", "/api/v1/log/proof/consistency", "/api/v1/log/proof/consistency?from=1&to=2", Empty, [200; 9]),
    ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", Empty, [200; 9]),
    ("GET", "/healthz", "/healthz", Empty, [200; 9]),
    ("GET", "/readyz", "/readyz", Empty, [200; 9]),
    ("GET", "/metrics", "/metrics", Empty, [200; 9]),
    ("OPTIONS", "/api/v1/uploads", "/api/v1/uploads", Empty, [204; 9]),
    // Sign-in and enrollment take no credentials: a wrong password, an unknown code.
    ("POST", "/api/v1/auth/login", "/api/v1/auth/login",
        Json(r#"{"login": "nobody-{caller}", "password": "wrong password"}"#), [401; 9]),
    ("POST", "/api/v1/devices/enroll", "/api/v1/devices/enroll",
        Json(r#"{"code": "AAAA-BBBB-CCCC", "public_key": "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "name": "x"}"#),
        [403; 9]),
    //                                                                  none dev  biz  oth  insp rev  aud  plan adm
    ("GET", "/api/v1/auth/me", "/api/v1/auth/me", Empty,              [401, 401, 401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/users", "/api/v1/users", Empty,                  [401, 401, 401, 200, 403, 403, 200, 403, 200]),
    ("POST", "/api/v1/users", "/api/v1/users",
        Json(r#"{"login": "new-{caller}", "password": "correct horse battery", "role": "auditor"}"#),
                                                                      [401, 401, 401, 201, 403, 403, 403, 403, 201]),
    // {user} is the inspector: they read themself.
    ("GET", "/api/v1/users/{id}", "/api/v1/users/{user}", Empty,     [401, 401, 401, 404, 200, 403, 200, 403, 200]),
    // {spare} is a user for an admin to change: only the admin may.
    ("POST", "/api/v1/users/{id}/role", "/api/v1/users/{spare}/role", Json(r#"{"role": "reviewer"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 403, 200]),
    ("POST", "/api/v1/users/{id}/password", "/api/v1/users/{spare}/password", Json(r#"{"password": "another horse battery"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 403, 200]),
    ("POST", "/api/v1/users/{id}/disable", "/api/v1/users/{spare}/disable", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 403, 403, 200]),
    ("POST", "/api/v1/users/{id}/enable", "/api/v1/users/{spare}/enable", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/business/me", "/api/v1/business/me", Empty,      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/documents", "/api/v1/business/documents", Empty,
                                                                      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    // Filings: a business files about its own documents (an unknown warning or measure: 422)
    // and reads its own; the agency's roles read the inboxes, reviewers and admins decide.
    ("POST", "/api/v1/business/objections", "/api/v1/business/objections",
        Json(r#"{"warning": "0190a000-0000-7000-8000-000000000001", "position": "Не согласны"}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/appeals", "/api/v1/business/appeals",
        Json(r#"{"appealed": "officials_actions", "inspection": "0190a000-0000-7000-8000-000000000001", "filer": "ПАО", "contact": "a@b.ru", "grounds": "Доводы", "learned_on": "2026-01-10"}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/appeals/{id}/steps", "/api/v1/business/appeals/0190a000-0000-7000-8000-000000000001/steps",
        Json(r#"{"step": "withdraw"}"#),                              [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/filings", "/api/v1/business/filings", Empty,
                                                                      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/filings/{id}", "/api/v1/business/filings/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/events", "/api/v1/business/events", Empty,
                                                                      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/webhooks", "/api/v1/business/webhooks", Json(r#"{"url": "ftp://example.ru/{caller}"}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/webhooks", "/api/v1/business/webhooks", Empty,
                                                                      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    ("DELETE", "/api/v1/business/webhooks/{id}", "/api/v1/business/webhooks/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/webhooks/{id}/deliveries", "/api/v1/business/webhooks/0190a000-0000-7000-8000-000000000001/deliveries", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/keys", "/api/v1/business/keys", Json(r#"{"public_key": "00", "name": "{caller}"}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/keys", "/api/v1/business/keys", Empty,
                                                                      [401, 401, 200, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/keys/{id}", "/api/v1/business/keys/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("DELETE", "/api/v1/business/keys/{id}", "/api/v1/business/keys/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/signed-filings", "/api/v1/business/signed-filings", Json(r#"{"record": {"v": 1}}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/business/questionnaire", "/api/v1/business/questionnaire?agency=0190a000-0000-7000-8000-000000000001&control_type=fire", Empty,
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/self-assessments", "/api/v1/business/self-assessments",
        Json(r#"{"agency": "0190a000-0000-7000-8000-000000000001", "control_type": "fire", "answers": []}"#),
                                                                      [401, 401, 404, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/business/declarations", "/api/v1/business/declarations",
        Json(r#"{"self_assessment": "0190a000-0000-7000-8000-000000000001"}"#),
                                                                      [401, 401, 422, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/declarations/{id}/steps", "/api/v1/declarations/0190a000-0000-7000-8000-000000000001/steps",
        Json(r#"{"step": "register"}"#),                              [401, 401, 401, 404, 403, 404, 403, 403, 404]),
    // The public registry of declarations in force.
    ("GET", "/api/v1/declarations/registry", "/api/v1/declarations/registry?inn=7707083893", Empty, [200; 9]),
    ("GET", "/api/v1/appeals", "/api/v1/appeals", Empty,              [401, 401, 401, 200, 403, 200, 200, 200, 200]),
    ("GET", "/api/v1/objections", "/api/v1/objections?status=filed", Empty,
                                                                      [401, 401, 401, 200, 403, 200, 200, 200, 200]),
    ("GET", "/api/v1/appeals/{id}", "/api/v1/appeals/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 401, 404, 403, 404, 404, 404, 404]),
    ("GET", "/api/v1/objections/{id}", "/api/v1/objections/0190a000-0000-7000-8000-000000000001", Empty,
                                                                      [401, 401, 401, 404, 403, 404, 404, 404, 404]),
    ("POST", "/api/v1/appeals/{id}/steps", "/api/v1/appeals/0190a000-0000-7000-8000-000000000001/steps",
        Json(r#"{"step": "register"}"#),                              [401, 401, 401, 404, 403, 404, 403, 403, 404]),
    ("POST", "/api/v1/objections/{id}/decision", "/api/v1/objections/0190a000-0000-7000-8000-000000000001/decision",
        Json(r#"{"withdraw_warning": true}"#),                        [401, 401, 401, 404, 403, 404, 403, 403, 404]),
    // An inspector may ask for their own device's code.
    ("POST", "/api/v1/enrollment-codes", "/api/v1/enrollment-codes", Json(r#"{"user_id": "{user}"}"#),
                                                                      [401, 401, 401, 404, 201, 403, 403, 403, 201]),
    ("GET", "/api/v1/devices", "/api/v1/devices", Empty,              [401, 401, 401, 200, 200, 403, 200, 403, 200]),
    // {device} is the inspector's.
    ("GET", "/api/v1/devices/{id}", "/api/v1/devices/{device}", Empty,
                                                                      [401, 401, 401, 404, 200, 403, 200, 403, 200]),
    ("POST", "/api/v1/devices/{id}/revoke", "/api/v1/devices/{device2}/revoke", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/records/{id}", "/api/v1/records/{record}", Empty,
                                                                      [401, 200, 404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/records/{id}/bundle", "/api/v1/records/{record}/bundle", Empty,
                                                                      [401, 200, 404, 404, 200, 200, 200, 200, 200]),
    // {record} is a finding: readable, but not a document.
    ("GET", "/api/v1/records/{id}/pdf", "/api/v1/records/{record}/pdf", Empty,
                                                                      [401, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/audit", "/api/v1/audit", Empty,                  [401, 401, 401, 200, 403, 403, 200, 403, 200]),
    // The registry: everyone of the agency reads it, admins and planners keep it. Another
    // agency's admin works in their own agency: no control type `fire` there.
    ("PUT", "/api/v1/control-types/{code}", "/api/v1/control-types/ct-{caller}", Json(r#"{"name": "Вид {caller}"}"#),
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/control-types", "/api/v1/control-types", Empty,  [401, 401, 401, 200, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/control-types/{code}/requirements/{requirement}", "/api/v1/control-types/fire/requirements/R1",
        Json(r#"{"text": "Огнетушители в наличии и исправны", "legal_act": "ПП РФ № 1479", "article": "п. 60"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/control-types/{code}/requirements", "/api/v1/control-types/fire/requirements", Empty,
                                                                      [401, 401, 401, 404, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/control-types/{code}/checklists/{checklist}", "/api/v1/control-types/fire/checklists/main",
        Json(r#"{"name": "Проверочный лист", "items": [{"code": "1", "requirement": "R1", "question": "Есть огнетушители?"}]}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/control-types/{code}/checklists/{checklist}", "/api/v1/control-types/fire/checklists/main", Empty,
                                                                      [401, 401, 401, 404, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/subjects", "/api/v1/subjects", Empty,            [401, 401, 401, 200, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/subjects/{inn}", "/api/v1/subjects/7707083893",
        Json(r#"{"ogrn": "1027700132195", "name": "ПАО Сбербанк", "size_class": "large"}"#),
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/objects", "/api/v1/objects", Empty,              [401, 401, 401, 200, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/objects/{key}", "/api/v1/objects/OBJ-1",
        Json(r#"{"subject_inn": "7707083893", "control_type": "fire", "address": "Москва ул. Вавилова 19", "district": "Гагаринский"}"#),
                                                                      [401, 401, 401, 422, 403, 403, 403, 200, 200]),
    ("PUT", "/api/v1/objects/{key}/risk", "/api/v1/objects/OBJ-2/risk",
        Json(r#"{"category": "high", "decided_on": "2026-11-20", "reason": "тяжесть потенциальных негативных последствий"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    ("POST", "/api/v1/import/subjects", "/api/v1/import/subjects", Csv("inn,ogrn,name,size_class\n7736207543,,ООО «Яндекс»,small\n"),
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("POST", "/api/v1/import/objects", "/api/v1/import/objects",
        Csv("object_key,subject_inn,control_type,address,district,lat,lon,risk_category\nOBJ-3,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,,,\n"),
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    // Inspections: {inspection} is scheduled and assigned to the inspector.
    ("POST", "/api/v1/inspections", "/api/v1/inspections",
        Json(r#"{"kind": "field_check", "ground": "instruction", "erknm": "76202600000000000002", "control_type": "fire",
                 "subject_inn": "7707083893", "objects": ["OBJ-1"], "checklist": "main", "starts_on": "2026-12-01",
                 "ends_on": "2026-12-14", "inspectors": [], "status": "draft"}"#),
                                                                      [401, 401, 401, 422, 403, 403, 403, 201, 201]),
    ("GET", "/api/v1/inspections", "/api/v1/inspections", Empty,      [401, 401, 401, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/inspections/{id}", "/api/v1/inspections/{inspection}", Empty,
                                                                      [401, 401, 401, 404, 200, 200, 200, 200, 200]),
    ("PATCH", "/api/v1/inspections/{id}", "/api/v1/inspections/{inspection}", Json(r#"{"note": "от {caller}"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    // Closing a scheduled inspection reaches the status machine (409) when the role may close.
    ("POST", "/api/v1/inspections/{id}/status", "/api/v1/inspections/{inspection}/status", Json(r#"{"status": "closed"}"#),
                                                                      [401, 401, 401, 404, 403, 409, 403, 409, 409]),
    ("GET", "/api/v1/inspections/{id}/field", "/api/v1/inspections/{inspection}/field", Empty,
                                                                      [401, 401, 401, 404, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/review-flags", "/api/v1/review-flags", Empty,    [401, 401, 401, 200, 403, 200, 200, 200, 200]),
    // Resolving: reviewers, planners and admins; a flag the record does not have is not found.
    ("POST", "/api/v1/review-flags/{record}/{reason}/resolution", "/api/v1/review-flags/{record}/no_such_flag/resolution",
        Json(r#"{"decision": "accepted"}"#),                          [401, 401, 401, 404, 403, 404, 403, 404, 404]),
    // Risk-scored planning: admins and planners act; the auditor reads; a reviewer registers
    // events. Another agency's admin sees its own (empty) lists and none of these objects.
    ("GET", "/api/v1/risk/proposals", "/api/v1/risk/proposals", Empty, [401, 401, 401, 200, 403, 403, 200, 200, 200]),
    ("GET", "/api/v1/risk/proposals/{id}", "/api/v1/risk/proposals/00000000-0000-0000-0000-000000000000", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 404, 404, 404]),
    ("POST", "/api/v1/risk/proposals/{id}/decision", "/api/v1/risk/proposals/00000000-0000-0000-0000-000000000000/decision",
        Json(r#"{"confirm": false, "reason": "нет"}"#),               [401, 401, 401, 404, 403, 403, 403, 404, 404]),
    ("POST", "/api/v1/risk/score", "/api/v1/risk/score", Empty,       [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("POST", "/api/v1/risk/events", "/api/v1/risk/events",
        Json(r#"{"object_key": "OBJ-1", "kind": "complaint_confirmed", "occurred_on": "2026-01-10"}"#),
                                                                      [401, 401, 401, 404, 403, 201, 403, 201, 201]),
    ("POST", "/api/v1/import/risk-events", "/api/v1/import/risk-events",
        Csv("object_key,kind,occurred_on\nOBJ-1,sensor_exceedance,2026-01-10\n"),
                                                                      [401, 401, 401, 200, 403, 200, 403, 200, 200]),
    ("GET", "/api/v1/risk/indicators", "/api/v1/risk/indicators", Empty, [401, 401, 401, 200, 403, 403, 200, 200, 200]),
    ("POST", "/api/v1/risk/indicators/run", "/api/v1/risk/indicators/run", Empty,
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/objects/{key}/risk-explanation", "/api/v1/objects/OBJ-1/risk-explanation", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 200, 200, 200]),
    ("GET", "/api/v1/control-types/{code}/planning-rules", "/api/v1/control-types/fire/planning-rules", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 200, 200, 200]),
    ("PUT", "/api/v1/control-types/{code}/planning-rules", "/api/v1/control-types/fire/planning-rules",
        Json(r#"{"reason": "проверка прав"}"#),                       [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/control-types/{code}/versions", "/api/v1/control-types/fire/versions", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 200, 200, 200]),
    ("GET", "/api/v1/planning/settings", "/api/v1/planning/settings", Empty,
                                                                      [401, 401, 401, 200, 403, 403, 200, 200, 200]),
    ("PUT", "/api/v1/planning/settings", "/api/v1/planning/settings",
        Json(r#"{"minutes_per_day": 480, "travel_minutes": {}, "default_travel_minutes": 30}"#),
                                                                      [401, 401, 401, 200, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/planning/absences", "/api/v1/planning/absences?from=2027-01-01&to=2027-01-31", Empty,
                                                                      [401, 401, 401, 200, 403, 403, 200, 200, 200]),
    // {user} is the inspector.
    ("PUT", "/api/v1/planning/absences", "/api/v1/planning/absences",
        Json(r#"{"inspector": "{user}", "from": "2027-01-01", "to": "2027-01-02", "reason": "отпуск"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 200, 200]),
    ("GET", "/api/v1/plans", "/api/v1/plans", Empty,                  [401, 401, 401, 200, 403, 403, 200, 200, 200]),
    // A year too far is refused after the role is checked.
    ("POST", "/api/v1/plans", "/api/v1/plans", Json(r#"{"year": 1999}"#),
                                                                      [401, 401, 401, 422, 403, 403, 403, 422, 422]),
    ("GET", "/api/v1/plans/{id}", "/api/v1/plans/00000000-0000-0000-0000-000000000000", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 404, 404, 404]),
    ("GET", "/api/v1/plans/{id}/entries", "/api/v1/plans/00000000-0000-0000-0000-000000000000/entries", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 404, 404, 404]),
    ("GET", "/api/v1/plans/{id}/export", "/api/v1/plans/00000000-0000-0000-0000-000000000000/export", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 404, 404, 404]),
    ("POST", "/api/v1/plans/{id}/step", "/api/v1/plans/00000000-0000-0000-0000-000000000000/step",
        Json(r#"{"step": "send", "on": "2026-01-01"}"#),              [401, 401, 401, 404, 403, 403, 403, 404, 404]),
    ("POST", "/api/v1/plans/{id}/amendments", "/api/v1/plans/00000000-0000-0000-0000-000000000000/amendments",
        Json(r#"{"entry": 1, "remove": true, "reason": "проверка прав"}"#),
                                                                      [401, 401, 401, 404, 403, 403, 403, 404, 404]),
    ("GET", "/api/v1/plans/{id}/amendments", "/api/v1/plans/00000000-0000-0000-0000-000000000000/amendments", Empty,
                                                                      [401, 401, 401, 404, 403, 403, 404, 404, 404]),
    // Devices.
    ("POST", "/api/v1/sync/push", "/api/v1/sync/push", Json(r#"{"records": []}"#),
                                                                      [401, 200, 401, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/sync/pull", "/api/v1/sync/pull", Empty,          [401, 200, 401, 401, 401, 401, 401, 401, 401]),
    ("POST", "/api/v1/uploads", "/api/v1/uploads", TusCreate,         [401, 201, 201, 401, 401, 401, 401, 401, 401]),
    ("HEAD", "/api/v1/uploads/{id}", "{upload}", Empty,               [401, 200, 404, 401, 401, 401, 401, 401, 401]),
    ("PATCH", "/api/v1/uploads/{id}", "{upload}", TusPatch,           [401, 204, 404, 401, 401, 401, 401, 401, 401]),
    ("DELETE", "/api/v1/uploads/{id}", "{upload}", Empty,             [401, 204, 404, 401, 401, 401, 401, 401, 401]),
    ("GET", "/api/v1/blobs/{sha256}", "/api/v1/blobs/{blob}", Empty,  [401, 200, 404, 404, 200, 200, 200, 200, 200]),
    // Last: it ends each user's session.
    ("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", Empty,     [401, 401, 401, 204, 204, 204, 204, 204, 204]),
];

/// The world's objects the URLs name, and each caller's credentials.
struct Matrix {
    server: TestServer,
    names: Vec<(&'static str, String)>,
    /// Per caller: a bearer token, or an `X-Api-Key`.
    credentials: Vec<Option<(bool, String)>>,
}

const BLOB: &[u8] = b"0123456789";

async fn build(backend: Backend) -> Matrix {
    let f = field(backend).await;
    let inspection = f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    let mut w = f.w;
    let s = &w.server;
    let (_, planner) = s.user(w.agency, "planner1", Role::Planner).await;
    let (_, reviewer) = s.user(w.agency, "reviewer1", Role::Reviewer).await;
    let (_, auditor) = s.user(w.agency, "auditor1", Role::Auditor).await;
    let (spare, _) = s.user(w.agency, "spare1", Role::Auditor).await;
    let other_agency = s.agency("Управление надзора №2").await;
    let (_, other) = s.user(other_agency, "other-admin", Role::Admin).await;
    let business = knd_server::admin::issue_api_key(&s.state, SUBJECT)
        .await
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two records, so that the log has a consistency proof from 1 to 2 (with the enrollments).
    let records = w.device.findings(2);
    let (st, pushed) = s.push(&w.device, &records).await;
    assert_eq!(st, 200, "{pushed}");
    let record = pushed["results"][0]["id"].as_str().unwrap().to_owned();
    let hash = knd_shared::record::parse_unverified(&records[0])
        .unwrap()
        .hash
        .to_hex();
    let blob = knd_shared::Sha256::digest(BLOB).to_hex();
    let whole = tus_create(s, &w.device.token, &blob).await;
    let resp = s
        .http
        .patch(s.url(&whole))
        .bearer_auth(&w.device.token)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(BLOB)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    let upload = tus_create(s, &w.device.token, &"ab".repeat(32)).await;
    let names = vec![
        ("{inspection}", inspection),
        ("{user}", w.inspector_id.clone()),
        ("{spare}", spare),
        ("{device}", w.device.id.to_string()),
        ("{device2}", f.device2.id.to_string()),
        ("{record}", record),
        ("{hash}", hash),
        ("{blob}", blob),
        ("{upload}", upload),
    ];
    let bearer = |t: &str| Some((true, t.to_owned()));
    let credentials = vec![
        None,
        bearer(&w.device.token),
        Some((false, business)),
        bearer(&other),
        bearer(&w.inspector),
        bearer(&reviewer),
        bearer(&auditor),
        bearer(&planner),
        bearer(&w.admin),
    ];
    Matrix {
        server: w.server,
        names,
        credentials,
    }
}

/// Starts a 10-byte upload; its path.
async fn tus_create(s: &TestServer, token: &str, sha256: &str) -> String {
    let resp = tus_create_request(s, Some((true, token.to_owned())), sha256)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn tus_create_request(
    s: &TestServer,
    credentials: Option<(bool, String)>,
    sha256: &str,
) -> reqwest::RequestBuilder {
    let metadata = format!(
        "sha256 {},mime {}",
        STANDARD.encode(sha256),
        STANDARD.encode("image/jpeg")
    );
    authorize(s.http.post(s.url("/api/v1/uploads")), credentials)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", BLOB.len().to_string())
        .header("upload-metadata", metadata)
}

fn authorize(
    req: reqwest::RequestBuilder,
    credentials: Option<(bool, String)>,
) -> reqwest::RequestBuilder {
    match credentials {
        None => req,
        Some((true, token)) => req.bearer_auth(token),
        Some((false, key)) => req.header("x-api-key", key),
    }
}

/// Every (method, path) of the server's OpenAPI document.
async fn operations(s: &TestServer) -> BTreeSet<(String, String)> {
    let (st, doc) = s.get("/api/v1/openapi.json", "").await;
    assert_eq!(st, 200);
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

async fn every_operation_answers_every_caller_as_the_table_says(backend: Backend) {
    let m = build(backend).await;
    let s = &m.server;
    let documented = operations(s).await;
    let tabled: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(method, path, ..)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&tabled).collect();
    assert!(
        missing.is_empty(),
        "operations without a matrix row: {missing:?}"
    );
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(stale.is_empty(), "matrix rows of no operation: {stale:?}");
    assert_eq!(tabled.len(), MATRIX.len(), "a row is repeated");

    let mut wrong = Vec::new();
    for (method, path, url, body, expected) in MATRIX {
        for (i, caller) in CALLERS.iter().enumerate() {
            let fill = |t: &str| {
                m.names
                    .iter()
                    .fold(t.replace("{caller}", caller), |t, (k, v)| t.replace(k, v))
            };
            let credentials = m.credentials[i].clone();
            let req = match body {
                TusCreate => tus_create_request(s, credentials, &"cd".repeat(32)),
                _ => {
                    let method = Method::from_bytes(method.as_bytes()).unwrap();
                    let req = authorize(s.http.request(method, s.url(&fill(url))), credentials)
                        .header("tus-resumable", "1.0.0");
                    match body {
                        Json(text) => req
                            .header("content-type", "application/json")
                            .body(fill(text)),
                        Csv(text) => req.header("content-type", "text/csv").body(*text),
                        TusPatch => req
                            .header("upload-offset", "0")
                            .header("content-type", "application/offset+octet-stream"),
                        Empty | TusCreate => req,
                    }
                }
            };
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            assert!(status < 500, "{method} {url} as {caller}: {status} {text}");
            // A role's refusal names the role in Russian, then in English.
            if status == 403 && i >= 4 && *path != "/api/v1/devices/enroll" {
                assert!(
                    text.contains("не позволяет") || text.contains("только администратор"),
                    "{method} {url} as {caller}: {text}"
                );
            }
            if status != expected[i] {
                let detail = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v["detail"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                wrong.push(format!(
                    "{method} {url} as {caller}: {status}, expected {} ({detail})",
                    expected[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
on_both!(every_operation_answers_every_caller_as_the_table_says);
