//! A registry ready for field work: a control type with requirements and a checklist, two
//! subjects with objects, and a second inspector with a device.

use knd_server::model::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, Device, World, world_configured};

pub const SUBJECT: &str = "7707083893";
pub const OTHER_SUBJECT: &str = "7736207543";

pub struct Field {
    pub w: World,
    pub inspector2_id: String,
    pub device2: Device,
}

pub async fn field(backend: Backend) -> Field {
    field_configured(backend, |_| {}).await
}

/// [`field`] on a server whose configuration `tweak` changes first.
pub async fn field_configured(
    backend: Backend,
    tweak: impl FnOnce(&mut knd_server::Config),
) -> Field {
    let w = world_configured(backend, tweak).await;
    let s = &w.server;
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire",
            &w.admin,
            &json!({"name": "Федеральный государственный пожарный надзор"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    for (code, text, article) in [
        ("R1", "Огнетушители в наличии и исправны", "п. 60"),
        ("R2", "Эвакуационные выходы не загромождены", "п. 27"),
    ] {
        let (st, v) = s
            .send(
                Method::PUT,
                &format!("/api/v1/control-types/fire/requirements/{code}"),
                &w.admin,
                &json!({"text": text, "legal_act": "Постановление Правительства РФ от 16.09.2020 № 1479", "article": article}),
            )
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire/checklists/main",
            &w.admin,
            &json!({"name": "Проверочный лист", "items": [
                {"code": "1", "requirement": "R1", "question": "Обеспечено ли наличие огнетушителей?"},
                {"code": "2", "requirement": "R2", "question": "Свободны ли эвакуационные выходы?"},
            ]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    import(
        &w,
        "subjects",
        "inn,ogrn,name,size_class\n7707083893,1027700132195,ПАО Сбербанк,large\n7736207543,,ООО «Яндекс»,small\n",
    )
    .await;
    import(
        &w,
        "objects",
        "object_key,subject_inn,control_type,address,district,lat,lon,risk_category
OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,high
OBJ-2,7707083893,fire,Москва ул. Вавилова 20,Гагаринский,,,
OBJ-3,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,55.7339,37.5885,significant
",
    )
    .await;
    let (inspector2_id, _) = s.user(w.agency, "inspector2", Role::Inspector).await;
    let code = s.code_for("inspector2").await;
    let device2 = s.enroll(&code).await;
    Field {
        w,
        inspector2_id,
        device2,
    }
}

async fn import(w: &World, what: &str, csv: &str) {
    let resp = w
        .server
        .http
        .post(w.server.url(&format!("/api/v1/import/{what}")))
        .bearer_auth(&w.admin)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    assert_eq!(report["refused"], json!([]), "{report}");
}

impl Field {
    /// Creates an inspection (an unplanned field check on an instruction of the Government, п.3
    /// ч.1 ст.57, registered in ЕРКНМ, in December 2026, unless `extra` says otherwise).
    pub async fn inspection(
        &self,
        subject: &str,
        objects: &[&str],
        inspectors: &[&str],
        extra: Value,
    ) -> (u16, Value) {
        let mut body = json!({
            "kind": "field_check", "ground": "instruction", "erknm": "76202600000000000001",
            "control_type": "fire",
            "subject_inn": subject, "objects": objects, "checklist": "main",
            "starts_on": "2026-12-01", "ends_on": "2026-12-14",
            "inspectors": inspectors, "status": "scheduled",
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.w
            .server
            .send(Method::POST, "/api/v1/inspections", &self.w.admin, &body)
            .await
    }

    /// Creates a scheduled inspection that must succeed; its id.
    pub async fn scheduled(&self, objects: &[&str], inspectors: &[&str]) -> String {
        let (st, v) = self
            .inspection(SUBJECT, objects, inspectors, json!({}))
            .await;
        assert_eq!(st, 201, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    pub async fn set_status(&self, id: &str, status: &str, reason: Option<&str>) -> (u16, Value) {
        self.w
            .server
            .send(
                Method::POST,
                &format!("/api/v1/inspections/{id}/status"),
                &self.w.admin,
                &json!({"status": status, "reason": reason}),
            )
            .await
    }

    pub async fn patch(&self, id: &str, body: Value) -> (u16, Value) {
        self.w
            .server
            .send(
                Method::PATCH,
                &format!("/api/v1/inspections/{id}"),
                &self.w.admin,
                &body,
            )
            .await
    }
}
