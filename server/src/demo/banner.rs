//! What `knd-server demo` prints once the server is up: where it is, how to sign in, and a
//! command to try. Russian first, then English.

use std::net::SocketAddr;

use time::OffsetDateTime;

use crate::model::Role;

/// Everything the banner shows.
#[derive(Debug)]
pub(super) struct Banner {
    pub(super) addr: SocketAddr,
    pub(super) agency: String,
    pub(super) storage: String,
    pub(super) password: String,
    /// Every user's login and role.
    pub(super) users: Vec<(String, Role)>,
    pub(super) enrollment_login: String,
    pub(super) enrollment_code: String,
    pub(super) enrollment_expires: OffsetDateTime,
    pub(super) control_types: usize,
    pub(super) requirements: usize,
    pub(super) checklists: usize,
    pub(super) subjects: u64,
    pub(super) objects: u64,
    /// Risk events of the registry's history.
    pub(super) events: u64,
    pub(super) inspections: usize,
    pub(super) inspections_skipped: Option<String>,
    /// The inspection the demo tablet worked on this morning, and how many records it signed.
    pub(super) field_day: Option<(knd_shared::InspectionId, usize)>,
    /// The business that appealed the morning's act: its ИНН, API key and filing key.
    pub(super) business: Option<(String, super::filings::DemoBusiness)>,
}

fn role_names(role: Role) -> &'static str {
    match role {
        Role::Admin => "администратор / admin",
        Role::Planner => "планировщик / planner",
        Role::Inspector => "инспектор / inspector",
        Role::Reviewer => "рецензент / reviewer",
        Role::Auditor => "аудитор / auditor",
    }
}

/// Logins as a list, a long one by its first two and last (`inspector1, inspector2, …,
/// inspector200 (200)`).
fn shortened(logins: &[&str]) -> String {
    match logins {
        [a, b, .., last] if logins.len() > 6 => {
            format!("{a}, {b}, …, {last} ({})", logins.len())
        }
        _ => logins.join(", "),
    }
}

impl Banner {
    /// The base URL, with an unspecified address (0.0.0.0) shown as the loopback one, which is
    /// what a browser on the same machine can open.
    pub(super) fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// A command that signs in as the first planner and lists three inspections: curl only, the
    /// session kept in a cookie file.
    pub(super) fn curl_example(&self) -> String {
        let url = self.base_url();
        format!(
            "curl -s -c /tmp/knd-demo.cookies -H 'content-type: application/json' \
             -d '{{\"login\":\"planner1\",\"password\":\"{}\"}}' {url}/api/v1/auth/login >/dev/null \
             && curl -s -b /tmp/knd-demo.cookies '{url}/api/v1/inspections?limit=3'",
            self.password
        )
    }

    pub(super) fn render(&self) -> String {
        let url = self.base_url();
        let mut s = String::new();
        let mut line = |text: String| {
            s.push_str(&text);
            s.push('\n');
        };
        line(String::new());
        line("Демонстрационный сервер КНД запущен / KND demo server is running".into());
        line(String::new());
        line(format!("  Адрес сервера / Server:       {url}/"));
        line(format!(
            "  Описание API / API docs:      {url}/api/v1/openapi.json"
        ));
        line(format!("  Орган / Agency:               {}", self.agency));
        line(format!("  Данные / Data:                {}", self.storage));
        line(String::new());
        line(format!(
            "  Реестр / Registry: видов контроля / control types {}, требований / requirements {}, \
             проверочных листов / checklists {},",
            self.control_types, self.requirements, self.checklists
        ));
        line(format!(
            "    контролируемых лиц / subjects {}, объектов / objects {}, событий истории за 5 лет / \
             history events over 5 years {},",
            self.subjects, self.objects, self.events
        ));
        line(format!("    КНМ / inspections {}", self.inspections));
        if let Some(why) = &self.inspections_skipped {
            line(format!(
                "    КНМ не запланированы / inspections not planned: {why}"
            ));
        }
        line(String::new());
        line(format!(
            "Консоль ведомства / Agency console: {url}/  (войдите как / sign in as planner1, admin, reviewer, auditor)"
        ));
        if let Some((id, records)) = &self.field_day {
            line(format!(
                "  Полевые данные демо-планшета / the demo tablet's field evidence ({records} записей / records): {url}/inspections/{id}/evidence"
            ));
        }
        if let Some((inn, b)) = &self.business {
            let key = &b.api_key;
            line(format!(
                "  Жалобы демо-организации / the demo business's appeals: {url}/filings"
            ));
            line(format!(
                "API организации (ИНН {inn}) / the business API (INN {inn}): curl -H 'Authorization: Bearer {key}' {url}/api/v1/business/filings"
            ));
            let (path, id) = &b.filing_key;
            line(format!(
                "  Ключ подписи обращений / the filing key: knd filing sign --key {} --device {id} (GET {url}/api/v1/business/keys/{id})",
                path.display()
            ));
        }
        line(String::new());
        line(format!(
            "Пароль всех пользователей / Password of every user: {}",
            self.password
        ));
        let mut roles: Vec<(Role, Vec<&str>)> = Vec::new();
        for (login, role) in &self.users {
            match roles.iter_mut().find(|(r, _)| r == role) {
                Some((_, logins)) => logins.push(login),
                None => roles.push((*role, vec![login])),
            }
        }
        for (role, logins) in roles {
            line(format!("  {:<28} {}", role_names(role), shortened(&logins)));
        }
        line(String::new());
        let expires = self
            .enrollment_expires
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        line(format!(
            "Код подключения планшета / Device enrollment code ({}, до / until {expires}): {}",
            self.enrollment_login, self.enrollment_code
        ));
        line(String::new());
        line("Попробуйте / Try:".into());
        line(format!("  {}", self.curl_example()));
        line(String::new());
        line("Остановить / Stop: Ctrl-C".into());
        s
    }
}
