//! The console as a browser without JavaScript uses it: a cookie jar, pages fetched without
//! following redirects (so a test sees each 303), forms posted with the CSRF token of the last
//! page read, from the console's own origin.

use reqwest::header::{HeaderMap, HeaderValue, LOCATION, ORIGIN};

use crate::server::TestServer;

/// A page as the server answered it.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    /// Where a redirect leads.
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Whether the body holds `text` (HTML-escaped as the templates write it: `&` `<` `>` `"`).
    pub fn shows(&self, text: &str) -> bool {
        self.body.contains(&escape(text))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
}

/// A browser session on a test server's console.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: Option<String>,
}

/// The `value` of the first hidden `_csrf` field of a page.
pub fn csrf_of(body: &str) -> Option<String> {
    let at = body.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let rest = &body[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

impl Browser {
    pub fn new(server: &TestServer) -> Browser {
        let base = server.url("");
        let base = base.trim_end_matches('/').to_owned();
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&base) {
            headers.insert(ORIGIN, v);
        }
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("an HTTP client");
        Browser {
            http,
            base,
            csrf: None,
        }
    }

    async fn page(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.text().await.expect("a body");
        if let Some(c) = csrf_of(&body) {
            self.csrf = Some(c);
        }
        Page {
            status,
            location,
            body,
        }
    }

    /// Fetches a page (its form token is kept for the next post).
    pub async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("a response");
        self.page(resp).await
    }

    /// Fetches a resource that is not a page (a thumbnail): status, content type, bytes.
    pub async fn get_bytes(&mut self, path: &str) -> (u16, String, Vec<u8>) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("a response");
        let kind = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("a body").to_vec();
        (status, kind, bytes)
    }

    /// Posts a form with the last page's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("_csrf", &token));
        self.post_raw(path, &all).await
    }

    /// Posts a form as given (no token added): forged posts.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("a response");
        self.page(resp).await
    }

    /// Posts a form with the last page's token as a page of `origin` would (a foreign post).
    pub async fn post_from(&mut self, origin: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        all.push(("_csrf", &token));
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(ORIGIN, origin)
            .header("sec-fetch-site", "cross-site")
            .form(&all)
            .send()
            .await
            .expect("a response");
        self.page(resp).await
    }

    /// Signs in through the login form; the answer to the post (a 303 when it worked).
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post("/login", &[("login", login), ("password", password)])
            .await
    }
}
