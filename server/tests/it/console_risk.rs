//! The console's risk pages over HTTP, on both backends: events registered through the form
//! fire an indicator on its threshold, scoring proposes categories whose explanation the
//! proposal's page shows number by number, a confirmation assigns the category with a signed
//! record, a rejection without a reason is refused on the form; the model editor saves a new
//! version and refuses a matrix of the wrong shape; what planners, auditors, inspectors and
//! another agency see.

use knd_server::model::Role;
use knd_tests::admin::PASSWORD;
use knd_tests::console::{Browser, Page};
use reqwest::Method;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::common::{Backend, TestServer, World, world};
use crate::on_both;

const SUBJECTS: &str = "inn,ogrn,name,size_class
7707083893,1027700132195,ПАО «Склад»,large
7736207543,,ООО «Кафе»,small
";

const OBJECTS: &str = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category
OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,low
OBJ-2,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,55.7339,37.5885,high
";

async fn signed_in(s: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(s);
    let page = b.sign_in(login, PASSWORD).await;
    assert_eq!(page.status, 303, "{login}: {}", page.body);
    b
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
    let status = resp.status().as_u16();
    let report: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 2, "{report}");
}

/// A day `n` days before today (UTC, which is never after the agency's today).
fn days_ago(n: i64) -> String {
    knd_shared::calendar::iso_date::format(OffsetDateTime::now_utc().date() - Duration::days(n))
}

/// The fire type, two objects (OBJ-1 of 6000 m², severity class 3), a planner and an auditor.
async fn setup(backend: Backend) -> World {
    let w = world(backend).await;
    let s = &w.server;
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire",
            &w.admin,
            &json!({"name": "Пожарный надзор"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    import(&w, "subjects", SUBJECTS).await;
    import(&w, "objects", OBJECTS).await;
    let decision = json!({
        "category": "low", "decided_on": days_ago(30), "reason": "класс тяжести 1",
        "attributes": {"floor_area_m2": 6000},
    });
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-1/risk",
            &w.admin,
            &decision,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    s.user(w.agency, "planner1", Role::Planner).await;
    s.user(w.agency, "auditor1", Role::Auditor).await;
    w
}

/// Registers a confirmed complaint about OBJ-1 through the form.
async fn complaint(b: &mut Browser, day: &str) -> Page {
    let form = b.get("/risk/events/new?object=OBJ-1").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"OBJ-1\""),
        "the object is filled in"
    );
    b.post(
        "/risk/events/new",
        &[
            ("object_key", "OBJ-1"),
            ("kind", "complaint_confirmed"),
            ("occurred_on", day),
            ("note", "жалоба жильцов"),
        ],
    )
    .await
}

/// The id of the proposal about `key` listed on `html`.
fn proposal_of(html: &str, key: &str) -> String {
    let row = html
        .split("<tr")
        .find(|r| r.contains(&format!(">{key}</a>")))
        .unwrap_or_else(|| panic!("no row of {key}: {html}"));
    let at = row.find("href=\"/risk/proposals/").unwrap() + "href=\"/risk/proposals/".len();
    row[at..at + 36].to_owned()
}

async fn proposals_and_decisions(backend: Backend) {
    let w = setup(backend).await;
    let s = &w.server;
    let mut planner = signed_in(s, "planner1").await;

    // The events form: a bad key beside its field; the second complaint in 90 days fires.
    planner.get("/risk/events/new").await;
    let p = planner
        .post(
            "/risk/events/new",
            &[
                ("object_key", "NO-SUCH"),
                ("kind", "complaint_confirmed"),
                ("occurred_on", &days_ago(1)),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("нет объекта с таким ключом") && p.body.contains("value=\"NO-SUCH\""));
    let p = complaint(&mut planner, &days_ago(20)).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("Событие зарегистрировано")
            && p.body.contains("Индикаторы риска не сработали")
    );
    let p = complaint(&mut planner, &days_ago(1)).await;
    assert!(p.body.contains("Сработали индикаторы риска"), "{}", p.body);
    assert!(
        p.body
            .contains("2 и более подтверждённых обращения об объекте за 90 дней")
    );

    // The indicators' list offers the unplanned inspection's form, filled in.
    let p = planner.get("/risk/indicators").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains(">OBJ-1</a>") && p.body.contains("прокуратур"));
    let at = p.body.find("href=\"/inspections/new?").unwrap() + "href=\"".len();
    let href = p.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    assert!(
        href.contains("ground=harm_or_risk_indicator") && href.contains("subject_inn=7707083893")
    );
    let form = planner.get(&href).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains("value=\"harm_or_risk_indicator\" selected")
    );
    assert!(
        form.body.contains("value=\"fire\" selected") && form.body.contains(">OBJ-1</textarea>")
    );
    assert!(form.body.contains("value=\"7707083893\""));

    // Scoring: both objects get a proposal; the summary says so.
    planner.get("/risk").await;
    let p = planner.post("/risk/score", &[]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("Категории пересчитаны") && p.body.contains("<dd>2</dd>"),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains("низкий риск → <strong>значительный риск</strong>")
    );
    let one = proposal_of(&p.body, "OBJ-1");
    let two = proposal_of(&p.body, "OBJ-2");

    // The explanation, number by number: class 3 by floor area; 2 × 4 + 1 × 5 = 13 points.
    let p = planner.get(&format!("/risk/proposals/{one}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    for text in [
        "Тяжесть потенциального вреда: класс 3</h2>",
        "площадь, м²",
        "<td class=\"num\">6000</td><td class=\"num\">3</td>",
        "подтверждённые обращения за 12 месяцев",
        "<td class=\"num\">2</td><td class=\"num\">2</td><td class=\"num\">4</td><td class=\"num\">8</td>",
        "<strong>13</strong>",
        "добросовестность",
        "<strong>значительный риск</strong> <span class=\"badge\">объект здесь</span>",
        "Ячейка матрицы [3, 3]: значительный риск.",
    ] {
        assert!(p.shows(text) || p.body.contains(text), "{text}: {}", p.body);
    }

    // Others: an auditor reads without forms; an inspector is refused; another agency sees nothing.
    let mut auditor = signed_in(s, "auditor1").await;
    let a = auditor.get(&format!("/risk/proposals/{one}")).await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("<strong>13</strong>") && !a.body.contains("/decide\""));
    let a = auditor.get("/risk").await;
    assert!(a.body.contains(">OBJ-1</a>") && !a.body.contains("action=\"/risk/score\""));
    let a = auditor
        .post(
            &format!("/risk/proposals/{one}/decide"),
            &[("decision", "whatever"), ("reason", "x")],
        )
        .await;
    assert_eq!(a.status, 403);
    let mut inspector = signed_in(s, "inspector1").await;
    for path in [
        "/risk",
        "/risk/indicators",
        "/risk/model/fire",
        "/risk/events/new",
    ] {
        assert_eq!(inspector.get(path).await.status, 403, "{path}");
    }
    assert_eq!(
        inspector
            .get(&format!("/risk/proposals/{one}"))
            .await
            .status,
        403
    );
    let other = s.agency("Управление надзора №2").await;
    s.user(other, "planner9", Role::Planner).await;
    let mut stranger = signed_in(s, "planner9").await;
    assert_eq!(
        stranger.get(&format!("/risk/proposals/{one}")).await.status,
        404
    );

    // A rejection without a reason: the Russian refusal on the form, nothing changed.
    planner.get(&format!("/risk/proposals/{two}")).await;
    let p = planner
        .post(
            &format!("/risk/proposals/{two}/decide"),
            &[("decision", "reject"), ("reason", "  ")],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("укажите основание решения") && p.body.contains("id=\"reason-error\""));
    let p = planner.get(&format!("/risk/proposals/{two}")).await;
    assert!(p.body.contains("/decide\"") && p.body.contains("ожидает решения"));

    // A confirmation with a reason: the category is the object's, the signed record linked.
    let p = planner
        .post(
            &format!("/risk/proposals/{one}/decide"),
            &[
                ("decision", "confirm"),
                ("reason", "две жалобы, площадь 6000 м²"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = planner.get(p.location.as_deref().unwrap()).await;
    assert!(p.body.contains("Категория подтверждена") && p.body.contains("planner1"));
    assert!(p.body.contains("две жалобы, площадь 6000 м²") && !p.body.contains("/decide\""));
    let at = p.body.find("href=\"/api/v1/records/").unwrap() + "href=\"".len();
    let record = p.body[at..].split('"').next().unwrap().to_owned();
    let (_, planner_token) = s.user(w.agency, "planner2", Role::Planner).await;
    let (st, body) = s.get_bytes(&record, &planner_token).await;
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("risk_category_decided"));
    let o = planner.get("/registry/objects/OBJ-1").await;
    assert!(
        o.body
            .contains("<dd><strong>значительный риск</strong></dd>"),
        "{}",
        o.body
    );
    // The object's risk block: the model today, the indicator and the events.
    assert!(o.body.contains("Модель сегодня") && o.body.contains("Последние события"));
    assert!(o.body.contains("подтверждённое обращение") && o.body.contains("жалоба жильцов"));
    assert!(o.body.contains("2 и более подтверждённых обращения"));
    // A decided proposal is not decided twice.
    let p = planner
        .post(
            &format!("/risk/proposals/{one}/decide"),
            &[("decision", "reject"), ("reason", "передумал")],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("предложение уже рассмотрено"));
    // Today counts overdue decisions for planners only.
    assert!(
        planner
            .get("/")
            .await
            .body
            .contains("Просроченные решения о категории риска")
    );
    assert!(
        !inspector
            .get("/")
            .await
            .body
            .contains("Просроченные решения")
    );
    let p = planner.get("/risk?status=confirmed").await;
    assert!(p.body.contains(">OBJ-1</a>") && !p.body.contains(">OBJ-2</a>"));
}
on_both!(proposals_and_decisions);

/// The fields a browser would post from the form whose action is `action`: text and hidden
/// inputs, checked boxes, selected options, textareas.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .expect("the form");
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(unescape(&tag[at..at + tag[at..].find('"')?]))
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in form.split('<').skip(1) {
        let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
        if tag.starts_with("input ") {
            let checkbox = tag.contains("type=\"checkbox\"");
            if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
                if !checkbox || tag.contains(" checked") {
                    out.push((n, v));
                }
            }
        } else if tag.starts_with("select ") {
            out.push((attr(tag, "name").unwrap(), String::new()));
        } else if tag.starts_with("option ") && tag.contains(" selected") {
            if let Some(last) = out.last_mut() {
                last.1 = attr(tag, "value").unwrap();
            }
        } else if tag.starts_with("textarea ") {
            let name = attr(tag, "name").unwrap();
            out.push((name, unescape(&piece[tag.len() + 1..])));
        }
    }
    // The browser kit adds the token itself.
    out.retain(|(k, _)| k != "_csrf");
    out
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_owned(), value.to_owned()));
}

async fn post_fields(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(path, &refs).await
}

async fn model_editor(backend: Backend) {
    let w = setup(backend).await;
    let s = &w.server;
    let mut planner = signed_in(s, "planner1").await;
    let page = planner.get("/risk/model/fire").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("complaints_90") && page.body.contains("id=\"m4_4\""));
    let mut fields = form_fields(&page.body, "/risk/model/fire");
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "m4_4" && v == "extremely_high"),
        "{fields:?}"
    );

    // Without a reason: refused beside the field, what was typed kept.
    set(&mut fields, "w_violations_points", "4");
    set(&mut fields, "action", "save");
    let p = post_fields(&mut planner, "/risk/model/fire", &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body.contains("укажите основание изменения") && p.body.contains("id=\"reason-error\"")
    );
    assert!(p.body.contains("name=\"w_violations_points\" value=\"4\""));

    // A matrix of the wrong shape: the service's words at the form.
    set(&mut fields, "reason", "Приказ № 17 о критериях");
    set(&mut fields, "severity_classes", "5");
    let p = post_fields(&mut planner, "/risk/model/fire", &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        p.body
            .contains("матрица должна иметь 5 строк(и) по 4 категорий"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("id=\"m5_1\""),
        "the grid grows a row to fill"
    );

    // Saved: a new version with its reason, the new weight in force.
    set(&mut fields, "severity_classes", "4");
    let p = post_fields(&mut planner, "/risk/model/fire", &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = planner.get(p.location.as_deref().unwrap()).await;
    assert!(
        p.body.contains("сохранены новой версией") && p.body.contains("Приказ № 17 о критериях")
    );
    assert!(p.body.contains("name=\"w_violations_points\" value=\"4\""));

    // "Add an indicator" shows one more blank row; nothing is saved.
    let mut fields = form_fields(&p.body, "/risk/model/fire");
    let rows: usize = fields
        .iter()
        .find(|(k, _)| k == "ind_rows")
        .unwrap()
        .1
        .parse()
        .unwrap();
    set(&mut fields, "action", "add_ind");
    let p = post_fields(&mut planner, "/risk/model/fire", &fields).await;
    assert_eq!(p.status, 200);
    assert!(
        p.body
            .contains(&format!("name=\"ind_rows\" value=\"{}\"", rows + 1))
    );

    // An auditor reads the model and its versions, with no form; a post is refused.
    let mut auditor = signed_in(s, "auditor1").await;
    let a = auditor.get("/risk/model/fire").await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("Приказ № 17 о критериях") && a.body.contains(" disabled>"));
    assert!(!a.body.contains("action=\"/risk/model/fire\""));
    let a = auditor.post("/risk/model/fire", &[("reason", "x")]).await;
    assert_eq!(a.status, 403);
    assert_eq!(planner.get("/risk/model/nope").await.status, 404);
}
on_both!(model_editor);
