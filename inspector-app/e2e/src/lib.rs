//! `knd-inspector-e2e`: the end-to-end test of the inspector app (`tests/app.rs`, run by
//! `scripts/e2e.sh` with `--features e2e`). The library holds only what the test needs that can
//! be checked without a display: reading the demo server's banner.

/// What the test needs from the banner `knd-server demo` prints once it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoBanner {
    /// The server's base URL, without a trailing slash (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The one-time enrollment code of the first inspector's tablet.
    pub enrollment_code: String,
    /// The login that code enrolls a device for (`inspector1`).
    pub enrollment_login: String,
    /// The demo business (ИНН, API key), when the banner names it.
    pub business: Option<(String, String)>,
}

/// Reads the banner from the lines printed so far; `None` until both the server line and the
/// enrollment code line have been seen (the code line comes after the server line).
///
/// The lines are those of `server/src/demo/banner.rs`:
/// `  Адрес сервера / Server:       http://127.0.0.1:PORT/` and
/// `Код подключения планшета / Device enrollment code (inspector1, до / until ...): CODE`.
pub fn parse_banner<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<DemoBanner> {
    let mut url = None;
    let mut business = None;
    for line in lines {
        let line = line.trim();
        if let Some((_, rest)) = line.split_once("the business API (INN ") {
            let inn = rest.split(')').next().unwrap_or_default().trim();
            let key = rest
                .split_once("Bearer ")
                .and_then(|(_, k)| k.split('\'').next())
                .unwrap_or_default();
            if !inn.is_empty() && !key.is_empty() {
                business = Some((inn.to_owned(), key.to_owned()));
            }
        } else if let Some(rest) = line.split_once("/ Server:").map(|(_, r)| r.trim()) {
            if rest.starts_with("http://") || rest.starts_with("https://") {
                url = Some(rest.trim_end_matches('/').to_owned());
            }
        } else if let Some((_, rest)) = line.split_once("Device enrollment code (") {
            let (login, code) = rest.split_once(')')?;
            let login = login.split(',').next()?.trim();
            let code = code.trim_start_matches(':').trim();
            if let (Some(url), false) = (&url, code.is_empty()) {
                return Some(DemoBanner {
                    url: url.clone(),
                    enrollment_code: code.to_owned(),
                    enrollment_login: login.to_owned(),
                    business,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_demo_banner() {
        let banner = "\nДемонстрационный сервер КНД запущен / KND demo server is running\n\n  \
            Адрес сервера / Server:       http://127.0.0.1:41234/\n  \
            Описание API / API docs:      http://127.0.0.1:41234/api/v1/openapi.json\n\n\
            Пароль всех пользователей / Password of every user: e2e-password-123\n\
            API организации (ИНН 7606471755) / the business API (INN 7606471755): curl -H 'Authorization: Bearer kak_abc123' http://127.0.0.1:41234/api/v1/business/filings\n\
            Код подключения планшета / Device enrollment code (inspector1, до / until 2026-05-02 10:00 UTC): ABCD-EFGH-1234\n";
        assert_eq!(parse_banner(banner.lines().take(5)), None, "no code yet");
        assert_eq!(
            parse_banner(banner.lines()),
            Some(DemoBanner {
                url: "http://127.0.0.1:41234".into(),
                enrollment_code: "ABCD-EFGH-1234".into(),
                enrollment_login: "inspector1".into(),
                business: Some(("7606471755".into(), "kak_abc123".into())),
            })
        );
    }
}
