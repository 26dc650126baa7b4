//! The console's plan pages over HTTP: a small registry due for next year's plans, the draft built
//! from the console with its entries' reasons, each view, the lifecycle to approval (the entries
//! become scheduled measures and the signed record appears), an amendment (version 2, listed;
//! refused in Russian without a reason), the exports, the inspectors' absences and the planning
//! settings; an auditor reads without forms, an inspector is refused.

use knd_server::model::Role;
use knd_shared::registry::ControlTypeRules;
use reqwest::Method;
use serde_json::{Value, json};

use knd_tests::admin::PASSWORD;
use knd_tests::console::Browser;

use crate::common::{Backend, TestServer, World, world};
use crate::on_both;

/// A registry whose objects are due next year: an extremely high risk subject with two objects
/// (one field check), a high risk one (an inspection visit), a significant one (a preventive
/// visit); two inspectors, a planner and an auditor.
struct Plans {
    w: World,
    inspector2_id: String,
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

async fn put(s: &TestServer, token: &str, path: &str, body: Value) {
    let (st, v) = s.send(Method::PUT, path, token, &body).await;
    assert_eq!(st, 200, "{path}: {v}");
}

async fn plans(backend: Backend) -> Plans {
    let w = world(backend).await;
    let s = &w.server;
    s.user(w.agency, "planner1", Role::Planner).await;
    s.user(w.agency, "auditor1", Role::Auditor).await;
    let (inspector2_id, _) = s.user(w.agency, "inspector2", Role::Inspector).await;
    let name = "Федеральный государственный пожарный надзор";
    put(
        s,
        &w.admin,
        "/api/v1/control-types/fire",
        json!({"name": name}),
    )
    .await;
    put(
        s,
        &w.admin,
        "/api/v1/control-types/fire/requirements/R1",
        json!({"text": "Огнетушители в наличии и исправны",
               "legal_act": "Постановление Правительства РФ от 16.09.2020 № 1479", "article": "п. 60"}),
    )
    .await;
    put(
        s,
        &w.admin,
        "/api/v1/control-types/fire/checklists/main",
        json!({"name": "Проверочный лист", "items": [
            {"code": "1", "requirement": "R1", "question": "Обеспечено ли наличие огнетушителей?"}]}),
    )
    .await;
    // Planned field checks need the checklist named in the planning rules (ПП 1844).
    let mut rules = serde_json::to_value(ControlTypeRules::default()).unwrap();
    rules["planning"]["checklist"] = json!("main");
    put(
        s,
        &w.admin,
        "/api/v1/control-types/fire",
        json!({"name": name, "rules": rules}),
    )
    .await;
    import(
        &w,
        "subjects",
        "inn,ogrn,name,size_class\n7707083893,1027700132195,ПАО Сбербанк,large\n\
         7736207543,,ООО «Яндекс»,small\n7702070139,,Банк ВТБ (ПАО),large\n",
    )
    .await;
    import(
        &w,
        "objects",
        "object_key,subject_inn,control_type,address,district,lat,lon,risk_category,risk_decided_on,risk_reason
OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,extremely_high,2026-03-02,решение 1
OBJ-2,7707083893,fire,Москва ул. Вавилова 20,Гагаринский,55.7010,37.5870,extremely_high,2026-03-02,решение 1
OBJ-3,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,55.7339,37.5885,high,2025-05-12,решение 2
OBJ-4,7702070139,fire,Москва ул. Воронцовская 43,Таганский,55.7370,37.6640,significant,2024-02-01,решение 3
",
    )
    .await;
    Plans { w, inspector2_id }
}

async fn signed_in(s: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(s);
    assert_eq!(b.sign_in(login, PASSWORD).await.status, 303, "{login}");
    b
}

/// The plan ids a page links (`/plans/<uuid>`), in order, each once.
fn plan_ids(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in html.split("href=\"/plans/").skip(1) {
        let id: String = part.chars().take(36).collect();
        if id.len() == 36 && id.chars().nth(8) == Some('-') && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

async fn a_plan_from_draft_to_amendment(backend: Backend) {
    let p = plans(backend).await;
    let s = &p.w.server;
    let today = knd_shared::calendar::iso_date::format(s.state.today());
    let year = s.state.today().year() + 1;
    let mut b = signed_in(s, "planner1").await;

    // The list with the build form; the draft built, its outcome shown.
    let page = b.get("/plans").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.shows("Построить проект плана на год"));
    assert!(
        page.body.contains("href=\"/planning/absences\"")
            && page.body.contains("href=\"/planning/settings\"")
    );
    // Built with every object re-scored in the same pass.
    let page = b.get("/plans").await;
    assert!(page.body.contains("name=\"rescore\""), "{}", page.body);
    let page = b
        .post(
            "/plans/build",
            &[("year", &year.to_string()), ("rescore", "1")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"build-outcome\""), "{}", page.body);
    assert!(page.shows("Исключены мораторием") && page.shows("Качество"));
    assert!(page.shows("Категории риска пересчитаны"), "{}", page.body);
    let ids = plan_ids(&page.body);
    let (plan, visits) = (ids[0].clone(), ids[1].clone());
    let page = b.get("/plans").await;
    assert!(page.shows("проект") && page.shows(&year.to_string()));
    assert!(page.shows("обязательные профилактические визиты"));

    // The plan's page: its entries by month, with names for codes and the subjects' ИНН.
    let page = b.get(&format!("/plans/{plan}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.shows("выездная проверка") && page.shows("чрезвычайно высокий"),
        "{}",
        page.body
    );
    assert!(page.shows("7707083893") && page.shows("OBJ-1, OBJ-2"));
    assert!(page.shows("Направить в прокуратуру"));
    assert!(!page.body.contains("extremely_high") && !page.body.contains("field_check"));
    // An entry's reasons: why the object, why the date and inspectors.
    let page = b.get(&format!("/plans/{plan}/entries/1")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.shows("Почему этот объект") && page.shows("Объект OBJ-1: категория"),
        "{}",
        page.body
    );
    assert!(page.shows("Почему эта дата и эти инспекторы"));
    assert!(page.shows("появится после утверждения плана"));
    // Each view.
    let page = b
        .get(&format!(
            "/plans/{plan}?view=inspector&inspector=inspector1"
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.shows("inspector1 ·"));
    let page = b.get(&format!("/plans/{plan}?view=district")).await;
    assert!(
        page.body.contains("<svg class=\"map\"") && page.shows("Гагаринский"),
        "{}",
        page.body
    );
    let page = b.get(&format!("/plans/{plan}?view=capacity&month=3")).await;
    assert!(page.body.contains("<svg") && page.shows("Загрузка инспекторов"));
    assert!(
        page.shows("inspector2"),
        "the month's inspectors: {}",
        page.body
    );
    let page = b.get(&format!("/plans/{plan}?view=left_out")).await;
    assert!(page.shows("Все пункты вошли в план."), "{}", page.body);
    let page = b.get(&format!("/plans/{visits}")).await;
    assert!(
        page.shows("обязательный профилактический визит") || page.shows("OBJ-4"),
        "{}",
        page.body
    );

    // Send, then approve: without who approved it, refused in words; with it, approved.
    let page = b.get(&format!("/plans/{plan}")).await;
    assert_eq!(page.status, 200);
    let r = b
        .post(
            &format!("/plans/{plan}/step"),
            &[("step", "send"), ("on", &today)],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some(format!("/plans/{plan}").as_str())),
        "{}",
        r.body
    );
    let page = b.get(&format!("/plans/{plan}")).await;
    assert!(page.shows("направлен в прокуратуру") && page.shows("Утвердить план"));
    let r = b
        .post(
            &format!("/plans/{plan}/step"),
            &[("step", "approve"), ("on", &today), ("by", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.shows("укажите, кем утверждён план") && r.shows("say who approved the plan"));
    let by = "Руководитель управления И. И. Иванов";
    let r = b
        .post(
            &format!("/plans/{plan}/step"),
            &[("step", "approve"), ("on", &today), ("by", by)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&format!("/plans/{plan}")).await;
    assert!(page.shows("утверждён") && page.shows(by));
    assert!(
        page.body.contains("id=\"approval-record\""),
        "{}",
        page.body
    );
    assert!(page.shows("Опубликовать план"));
    assert!(
        page.body.contains("href=\"/inspections/"),
        "the plan's entries link their measures"
    );
    // The entries are scheduled measures now: the entry links its measure, which exists.
    let page = b.get(&format!("/plans/{plan}/entries/1")).await;
    let at = page
        .body
        .find("href=\"/inspections/")
        .expect("the measure's link");
    let measure: String = page.body[at + 6..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    assert_eq!(b.get(&measure).await.status, 200);
    // A plan past its draft is not built again: the refusal in Russian, then English.
    b.get("/plans").await;
    let r = b.post("/plans/build", &[("year", &year.to_string())]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.shows("уже направлен или утверждён") && r.shows("past its draft"));
    let (ru, en) = (
        r.body.find("уже направлен").unwrap(),
        r.body.find("past its draft").unwrap(),
    );
    assert!(ru < en, "Russian first");

    // An amendment: without a reason, refused in Russian with what was typed kept; with one,
    // a new version listed with its reason.
    let entry = format!("/plans/{plan}/entries/1");
    let page = b.get(&entry).await;
    assert!(page.shows("Внести поправку"));
    let new_start = format!("{year}-06-01");
    let inspectors = [p.w.inspector_id.as_str(), p.inspector2_id.as_str()];
    let r = b
        .post(
            &format!("{entry}/amend"),
            &[
                ("starts_on", &new_start),
                ("inspector", inspectors[0]),
                ("inspector", inspectors[1]),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.shows("поправка требует обоснования"), "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"{new_start}\"")),
        "the date typed stays"
    );
    let reason = "Перенос по заявлению контролируемого лица";
    let r = b
        .post(
            &format!("{entry}/amend"),
            &[
                ("starts_on", &new_start),
                ("inspector", inspectors[0]),
                ("inspector", inspectors[1]),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some(entry.as_str())),
        "{}",
        r.body
    );
    let page = b.get(&format!("/plans/{plan}")).await;
    assert!(
        page.body.contains("<dt>Версия</dt><dd>2</dd>"),
        "{}",
        page.body
    );
    assert!(page.shows(reason) && page.shows("сроки:"), "{}", page.body);
    let page = b.get(&entry).await;
    assert!(page.shows("01.06.2027") && page.shows(reason));

    // The exports download.
    let (st, kind, bytes) = b.get_bytes(&format!("/plans/{plan}/export.csv")).await;
    assert_eq!(st, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(String::from_utf8(bytes).unwrap().contains("OBJ-1"));
    let (st, kind, bytes) = b.get_bytes(&format!("/plans/{plan}/export.xlsx")).await;
    assert_eq!(st, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(bytes.starts_with(b"PK"), "a zip");
    let resp = reqwest::Client::new()
        .get(s.url(&format!("/plans/{plan}/export.xlsx")))
        .header(
            "cookie",
            format!("knd_session={}", s.client().login("planner1").await),
        )
        .send()
        .await
        .unwrap();
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"plan-{year}-inspections-v2.xlsx\"")
    );
}
on_both!(a_plan_from_draft_to_amendment);

async fn post_pairs(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, String)],
) -> knd_tests::console::Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &pairs).await
}

async fn absences_and_settings(backend: Backend) {
    let p = plans(backend).await;
    let s = &p.w.server;
    let year = s.state.today().year() + 1;
    let month = format!("{year}-03");
    let mut b = signed_in(s, "planner1").await;
    let page = b.get(&format!("/planning/absences?month={month}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.shows("Отсутствий нет.") && page.shows("вых."));
    let (from, to) = (format!("{month}-01"), format!("{month}-05"));
    let inspector = p.w.inspector_id.as_str();
    let form = |reason: &'static str, action: &'static str| -> [(&str, String); 6] {
        [
            ("inspector", inspector.to_owned()),
            ("from", from.clone()),
            ("to", to.clone()),
            ("reason", reason.to_owned()),
            ("action", action.to_owned()),
            ("month", month.clone()),
        ]
    };
    let r = post_pairs(&mut b, "/planning/absences", &form("отпуск", "set")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&format!("/planning/absences?month={month}")).await;
    assert_eq!(
        page.body.matches("<td class=\"away\">").count(),
        5,
        "{}",
        page.body
    );
    assert!(page.shows(&format!("01.03.{year} — 05.03.{year}")) && page.shows("отпуск"));
    // Marking without a reason is refused beside the form, what was typed kept.
    let r = post_pairs(&mut b, "/planning/absences", &form("", "set")).await;
    assert_eq!(r.status, 422);
    assert!(r.shows("укажите причину отсутствия") && r.body.contains(&format!("value=\"{to}\"")));
    // Clearing the days.
    let r = post_pairs(&mut b, "/planning/absences", &form("", "clear")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&format!("/planning/absences?month={month}")).await;
    assert_eq!(page.body.matches("<td class=\"away\">").count(), 0);

    // The settings: a row per district of the registry; saved; a day too long refused.
    let page = b.get("/planning/settings").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.shows("Гагаринский") && page.shows("Таганский"));
    let save = [
        ("minutes_per_day", "450"),
        ("default_travel", "20"),
        ("district", "Гагаринский"),
        ("travel", "40"),
        ("district", "Таганский"),
        ("travel", ""),
        ("district", "Новый район"),
        ("travel", "60"),
    ];
    let r = b.post("/planning/settings", &save).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get("/planning/settings?saved=1").await;
    assert!(page.shows("Настройки сохранены.") && page.shows("Новый район"));
    assert!(page.body.contains("value=\"450\"") && page.body.contains("value=\"40\""));
    let mut bad = save;
    bad[0] = ("minutes_per_day", "10");
    let r = b.post("/planning/settings", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.shows("рабочий день — от 60 до 720 минут") && r.body.contains("value=\"10\""));
}
on_both!(absences_and_settings);

async fn who_reads_and_who_may_not(backend: Backend) {
    let p = plans(backend).await;
    let s = &p.w.server;
    let year = s.state.today().year() + 1;
    let mut planner = signed_in(s, "planner1").await;
    planner.get("/plans").await;
    let page = planner
        .post("/plans/build", &[("year", &year.to_string())])
        .await;
    let plan = plan_ids(&page.body)[0].clone();

    // An auditor reads every page and is offered no form; a post of theirs is refused.
    let mut auditor = signed_in(s, "auditor1").await;
    for path in [
        "/plans".to_owned(),
        format!("/plans/{plan}"),
        format!("/plans/{plan}/entries/1"),
        format!("/plans/{plan}?view=capacity"),
        "/planning/absences".to_owned(),
        "/planning/settings".to_owned(),
    ] {
        let page = auditor.get(&path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let posts = page.body.matches("method=\"post\"").count();
        assert_eq!(posts, 1, "{path}: only the sign-out form");
    }
    let r = auditor
        .post(
            &format!("/plans/{plan}/step"),
            &[("step", "send"), ("on", "2026-12-01")],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = auditor
        .post("/plans/build", &[("year", &year.to_string())])
        .await;
    assert_eq!(r.status, 403);
    // In English, the same pages.
    assert_eq!(auditor.get("/lang/en?back=/plans").await.status, 303);
    let page = auditor.get("/plans").await;
    assert!(page.shows("Annual plans") && page.shows("planned control measures"));
    let page = auditor.get(&format!("/plans/{plan}?view=left_out")).await;
    assert!(
        page.shows("Every entry is in the plan.") && page.shows("Figures"),
        "{}",
        page.body
    );
    // An inspector may not read plans.
    let mut inspector = signed_in(s, "inspector1").await;
    for path in [
        "/plans".to_owned(),
        format!("/plans/{plan}"),
        "/planning/absences".to_owned(),
    ] {
        assert_eq!(inspector.get(&path).await.status, 403, "{path}");
    }
    // A plan that is not the agency's (or none): 404.
    let other = uuid::Uuid::now_v7();
    assert_eq!(planner.get(&format!("/plans/{other}")).await.status, 404);
    assert_eq!(
        planner
            .get(&format!("/plans/{plan}/entries/999"))
            .await
            .status,
        404
    );
    assert_eq!(planner.get("/plans/not-a-plan").await.status, 404);
}
on_both!(who_reads_and_who_may_not);
