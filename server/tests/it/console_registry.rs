//! The registry's console pages over HTTP: search, filters and keyset pages, the CSV import's
//! report, the subject and object forms, an object's page with its map and risk decisions, and
//! what each role may do there (an inspector and an auditor read; their posts are refused 403
//! and audited).

use knd_server::model::Role;
use reqwest::StatusCode;

use crate::common::{Backend, TestServer, audit, world};
use crate::on_both;

/// A browser of the console signed in with a session token (the API's session is the
/// console's: the `knd_session` cookie).
struct Browser<'a> {
    server: &'a TestServer,
    token: String,
    /// Redirects are not followed: a form's 303 is what is checked.
    http: reqwest::Client,
}

fn browser(server: &TestServer, token: String) -> Browser<'_> {
    Browser {
        server,
        token,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

impl Browser<'_> {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let resp = self
            .http
            .get(self.server.url(path))
            .header("cookie", format!("knd_session={}", self.token))
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    /// The CSRF token of this session's forms, read from a page.
    async fn csrf(&self) -> String {
        let (_, html) = self.get("/registry").await;
        let at = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        html[at..at + 32].to_owned()
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("_csrf", self.csrf().await)];
        all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let resp = self
            .http
            .post(self.server.url(path))
            .header("cookie", format!("knd_session={}", self.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&all).unwrap())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (status, location.unwrap_or(resp.text().await.unwrap()))
    }

    async fn upload(&self, what: &str, csv: &str) -> (StatusCode, String) {
        let boundary = "knd-test-boundary";
        let csrf = self.csrf().await;
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nvalid_rows\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        let resp = self
            .http
            .post(self.server.url(&format!("/registry/import/{what}")))
            .header("cookie", format!("knd_session={}", self.token))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

const SUBJECTS: &str = "inn,ogrn,name,size_class
7707083893,1027700132195,ПАО Сбербанк,large
7736207543,,ООО «Яндекс»,large
7707083894,,Неверный ИНН,small
500100732259,304500116000157,ИП Петров,micro
";

const OBJECTS: &str = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category
OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,high
OBJ-2,7707083893,fire,Москва ул. Вавилова 20,Гагаринский,55.7010,37.5870,
OBJ-3,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,55.7339,37.5885,significant
OBJ-4,7702070139,fire,Москва,Хамовники,,,
";

/// Rows of the `<tbody>`s of a page whose first cell holds `text`.
fn has_row(html: &str, text: &str) -> bool {
    html.contains(&format!(">{text}</a></td>"))
}

async fn registry_pages(backend: Backend) {
    let w = world(backend).await;
    let s = &w.server;
    let (status, _) = s
        .send(
            reqwest::Method::PUT,
            "/api/v1/control-types/fire",
            &w.admin,
            &serde_json::json!({"name": "Пожарный надзор"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, planner) = s.user(w.agency, "planner1", Role::Planner).await;
    let (_, auditor) = s.user(w.agency, "auditor1", Role::Auditor).await;
    let planner = browser(s, planner);
    let inspector = browser(s, w.inspector.clone());
    let auditor = browser(s, auditor);

    // The import: the report names the refused line, its column and the count accepted.
    let (status, page) = planner.get("/registry/import").await;
    assert_eq!(status, 200, "{page}");
    let (status, page) = planner.upload("subjects", SUBJECTS).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<strong>3</strong>"), "{page}");
    assert!(
        page.contains("<td class=\"num\">4</td><td><code>inn</code></td>"),
        "{page}"
    );
    let (status, page) = planner.upload("objects", OBJECTS).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<td class=\"num\">5</td>"), "{page}");

    // Search: a whole ИНН finds the subject and its objects; fragments, any case.
    let (status, page) = inspector.get("/registry?q=7707083893").await;
    assert_eq!(status, 200);
    assert!(page.contains("ПАО Сбербанк") && has_row(&page, "OBJ-1") && has_row(&page, "OBJ-2"));
    assert!(!has_row(&page, "OBJ-3"));
    let (_, page) = inspector
        .get("/registry?q=%D0%B2%D0%B0%D0%B2%D0%B8%D0%BB")
        .await; // "вавил"
    assert!(
        has_row(&page, "OBJ-1") && has_row(&page, "OBJ-2") && !has_row(&page, "OBJ-3"),
        "{page}"
    );
    let (_, page) = inspector
        .get("/registry?q=%D0%AF%D0%BD%D0%B4%D0%B5%D0%BA%D1%81")
        .await; // "Яндекс"
    assert!(
        has_row(&page, "7736207543") && !has_row(&page, "7707083893"),
        "{page}"
    );
    let (_, page) = inspector.get("/registry?q=1027700").await;
    assert!(has_row(&page, "7707083893"), "an OGRN prefix: {page}");
    let (_, page) = inspector.get("/registry?q=OBJ-&by=key").await;
    assert!(has_row(&page, "OBJ-1") && has_row(&page, "OBJ-3"));
    let (_, page) = inspector.get("/registry?q=%D1%83%D0%BB&by=address").await; // "ул"
    assert!(page.contains("короче 3 символов"), "{page}");
    // Filters.
    let (_, page) = inspector.get("/registry?risk=high").await;
    assert!(has_row(&page, "OBJ-1") && !has_row(&page, "OBJ-2"));
    let (_, page) = inspector.get("/registry?risk=none&district=%D0%93%D0%B0%D0%B3%D0%B0%D1%80%D0%B8%D0%BD%D1%81%D0%BA%D0%B8%D0%B9").await;
    assert!(has_row(&page, "OBJ-2") && !has_row(&page, "OBJ-1") && !has_row(&page, "OBJ-3"));
    // An inspector reads and has no forms.
    assert!(!page.contains("/registry/import\"") && !page.contains("/registry/subjects/new"));
    let (_, page) = planner.get("/registry").await;
    assert!(page.contains("/registry/import\"") && page.contains("/registry/subjects/new"));

    // Keyset pages: 60 objects of one subject, 50 then 10.
    let mut many = String::from(
        "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\n",
    );
    for i in 0..60 {
        many.push_str(&format!(
            "K-{i:03},500100732259,fire,Подольск {i},Подольск,,,\n"
        ));
    }
    let (status, _) = planner.upload("objects", &many).await;
    assert_eq!(status, 200);
    let (_, page) = inspector.get("/registry?q=K-").await;
    assert!(has_row(&page, "K-049") && !has_row(&page, "K-050"));
    let at = page.find("rel=\"next\"").unwrap();
    let href_at = page[..at].rfind("href=\"").unwrap() + 6;
    let href = page[href_at..at - 2].replace("&#38;", "&");
    assert!(href.contains("o_after=K-049"), "{href}");
    let (_, page) = inspector.get(&href).await;
    assert!(
        has_row(&page, "K-050") && has_row(&page, "K-059") && !has_row(&page, "K-049"),
        "{href}: {page}"
    );
    assert!(!page.contains("rel=\"next\""));
    let (status, page) = inspector.get("/registry/subjects/500100732259").await;
    assert_eq!(status, 200);
    assert!(has_row(&page, "K-000") && page.contains("rel=\"next\""));

    // The subject form: errors beside the field, what was typed kept; then saved.
    let (status, page) = planner.get("/registry/subjects/new").await;
    assert_eq!(status, 200, "{page}");
    let (status, page) = planner
        .post(
            "/registry/subjects",
            &[
                ("inn", "7707083894"),
                ("name", "ООО «Ромашка»"),
                ("size_class", "small"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("aria-invalid=\"true\" aria-describedby=\"inn-error\""),
        "{page}"
    );
    assert!(page.contains("value=\"ООО «Ромашка»\""), "{page}");
    let (status, to) = planner
        .post(
            "/registry/subjects",
            &[
                ("inn", "7702070139"),
                ("name", "ООО «Ромашка»"),
                ("size_class", "small"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{to}");
    assert_eq!(to, "/registry/subjects/7702070139");
    // The object form: an unknown subject is refused beside its field.
    let fields = [
        ("object_key", "NEW-1"),
        ("subject_inn", "7705260688"),
        ("control_type", "fire"),
        ("address", "Москва ул. Вавилова 21"),
        ("district", "Гагаринский"),
        ("lat", "55.7009"),
        ("lon", "37.5868"),
    ];
    let (status, page) = planner.post("/registry/objects", &fields).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("subject_inn-error"), "{page}");
    let mut fields = fields.to_vec();
    fields[1] = ("subject_inn", "7702070139");
    let (status, to) = planner.post("/registry/objects", &fields).await;
    assert_eq!(status, 303, "{to}");

    // The object's page: its subject, the map with neighbours, and a risk decision.
    let (status, page) = inspector.get("/registry/objects/OBJ-1").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<svg") && page.contains("ПАО Сбербанк"));
    assert!(
        has_row(&page, "OBJ-2") && has_row(&page, "NEW-1"),
        "neighbours: {page}"
    );
    assert!(
        !page.contains("/risk\""),
        "no decision form for an inspector"
    );
    let (status, page) = planner
        .post(
            "/registry/objects/OBJ-1/risk",
            &[
                ("category", "significant"),
                ("decided_on", "2026-03-02"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("reason-error"), "{page}");
    let (status, _) = planner
        .post(
            "/registry/objects/OBJ-1/risk",
            &[
                ("category", "significant"),
                ("decided_on", "2026-03-02"),
                ("reason", "Проверка 2025 г."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = planner
        .post(
            "/registry/objects/OBJ-1/risk",
            &[
                ("category", "medium"),
                ("decided_on", "2026-04-01"),
                ("reason", "Пересмотр"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = inspector.get("/registry/objects/OBJ-1").await;
    assert!(
        page.contains("01.04.2026") && page.contains("02.03.2026") && page.contains("Пересмотр")
    );
    let (status, _) = inspector.get("/registry/objects/NOPE-1").await;
    assert_eq!(status, 404);

    // Forged posts of those who may not edit: refused and audited.
    let (status, _) = inspector.get("/registry/subjects/new").await;
    assert_eq!(status, 403);
    let (status, _) = inspector
        .post(
            "/registry/subjects",
            &[
                ("inn", "7702070139"),
                ("name", "x"),
                ("size_class", "small"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = auditor
        .post(
            "/registry/objects/OBJ-1/risk",
            &[
                ("category", "low"),
                ("decided_on", "2026-04-01"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = auditor.upload("subjects", SUBJECTS).await;
    assert_eq!(status, 403);
    let denied: Vec<String> = audit(s, &w.admin)
        .await
        .iter()
        .filter(|e| e["outcome"] == "denied")
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for action in ["subject.put", "object.risk", "subject.import"] {
        assert!(denied.iter().any(|a| a == action), "{action}: {denied:?}");
    }
}
on_both!(registry_pages);
