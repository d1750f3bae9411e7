//! A cookie-keeping HTTP client, as a browser is, and the pages it reads.

use std::collections::HashMap;

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
    /// The CSRF token in the page's forms.
    pub fn csrf(&self) -> Option<String> {
        extract_value(&self.body, "name=\"csrf_token\" value=\"")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

pub fn extract_value(body: &str, marker: &str) -> Option<String> {
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// The value of the form field `name` in a page (a hidden input, for example), with the
/// HTML escapes undone.
pub fn field_value(body: &str, name: &str) -> Option<String> {
    let raw = extract_value(body, &format!("name=\"{name}\" value=\""))?;
    Some(unescape_html(&raw))
}

/// Undo the escapes a template writes into an attribute.
pub fn unescape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of the element whose opening tag ends with `marker` (up to the next tag).
pub fn element_text(body: &str, marker: &str) -> Option<String> {
    let i = body.find(marker)? + marker.len();
    let j = body[i..].find('<')? + i;
    Some(body[i..j].to_owned())
}

/// A cookie-keeping HTTP client that does not follow redirects.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    /// Extra headers sent with every request (for example X-Forwarded-For).
    pub extra: Vec<(String, String)>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: HashMap::new(),
            extra: Vec::new(),
        }
    }

    /// The server's address, as `http://127.0.0.1:PORT`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    /// The `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req;
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        for (k, v) in &self.extra {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for c in headers.get_all("set-cookie") {
            let Ok(c) = c.to_str() else { continue };
            let Some((kv, attrs)) = c.split_once(';').or(Some((c, ""))) else {
                continue;
            };
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k.trim());
            } else {
                self.cookies
                    .insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Get a download: the status and the body's bytes as sent.
    pub async fn get_bytes(&mut self, path: &str) -> (u16, Vec<u8>) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.bytes().await.expect("body").to_vec())
    }

    /// Post a form as it is given (no CSRF token added), except that a date written
    /// `YYYY-MM-DD` for a date field is typed into its three boxes ([`date_boxes`]).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(date_boxes(fields)).expect("form");
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Post an already encoded form body.
    pub async fn post_body(&mut self, path: &str, body: String) -> Page {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Load `form_page` for its CSRF token, then post `fields` with it to `path`.
    pub async fn post_form(
        &mut self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let page = self.get(form_page).await;
        let csrf = page
            .csrf()
            .unwrap_or_else(|| panic!("no CSRF token on {form_page}: {}", page.status));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &csrf));
        self.post_raw(path, &all).await
    }

    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Page {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(m, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        self.send(req).await
    }
}

/// Post a multipart form with a CSRF token and one file (`file`, named `answers.xlsx`), with
/// the browser's cookies; answers the status and the body.
pub async fn upload(
    b: &mut Browser,
    base: &str,
    path: &str,
    csrf: &str,
    file: Vec<u8>,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("answers.xlsx"),
        );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = client
        .post(format!("{base}{path}"))
        .header("cookie", b.cookie_header())
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// The pages' dates are GOV.UK date inputs: three boxes posted as `name-day`, `name-month` and
/// `name-year`. Tests write a date field as one `YYYY-MM-DD` value (a field named `*_date` or
/// `period_*`); this types it into the boxes as a person would (`2027-03-05` becomes 5, 3,
/// 2027). A value of another shape goes into the day box as it is, so a test can still post
/// nonsense. Other fields pass through unchanged.
pub fn date_boxes(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in fields {
        let is_date = k.ends_with("_date") || k.starts_with("period_");
        if !is_date {
            out.push(((*k).to_owned(), (*v).to_owned()));
            continue;
        }
        let parts: Vec<&str> = v.split('-').collect();
        let (day, month, year) = match parts.as_slice() {
            [y, m, d] if y.len() == 4 => (
                d.trim_start_matches('0').to_owned(),
                m.trim_start_matches('0').to_owned(),
                (*y).to_owned(),
            ),
            _ => ((*v).to_owned(), String::new(), String::new()),
        };
        out.push((format!("{k}-day"), day));
        out.push((format!("{k}-month"), month));
        out.push((format!("{k}-year"), year));
    }
    out
}
