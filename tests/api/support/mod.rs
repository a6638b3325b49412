//! The app as tests see it: started on port 0 with a database of its own, and
//! driven over HTTP with a cookie jar, in the app's own words.

pub mod browser;
pub mod postgres;

use std::collections::HashMap;
use std::sync::Arc;

use homeroom::clock::Clock;
use homeroom::config::Settings;
use homeroom::startup::Application;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode, Url};
use scraper::{Html, Selector};
use tempfile::TempDir;

/// A password that meets every rule.
pub const GOOD_PASSWORD: &str = "lantern orchard velvet compass";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test body, an `async fn NAME(app: TestApp)` beside the
/// call, once per database: as `NAME::on_sqlite` and `NAME::on_postgres`. A
/// machine without PostgreSQL skips the second loudly (and fails it under
/// `CI=true`).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn on_sqlite() {
                    let app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite);
                    super::$name(app.await.expect("SQLite is always there")).await;
                }

                #[actix_web::test]
                async fn on_postgres() {
                    let app = $crate::support::TestApp::spawn($crate::support::Backend::Postgres);
                    if let Some(app) = app.await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

/// A running Homeroom and a browser-like client with its own cookie jar.
pub struct TestApp {
    pub base_url: String,
    pub database_url: String,
    pub client: Client,
    jar: Arc<Jar>,
    pub clock: Clock,
    dir: Arc<TempDir>,
    setup_url: Option<String>,
}

impl TestApp {
    /// Starts the app on a fresh database; `None` when PostgreSQL is wanted but absent.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts the app with extra environment settings.
    pub async fn spawn_with(backend: Backend, env: &[(&str, &str)]) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("homeroom.db").display()),
            Backend::Postgres => postgres::fresh_database_url()?,
        };
        let outbox = dir.path().join("sms-outbox.jsonl").display().to_string();
        let mut vars: HashMap<String, String> =
            HashMap::from([("HOMEROOM_SMS_OUTBOX".into(), outbox)]);
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));

        let settings =
            Settings::from_sources("127.0.0.1:0", &database_url, |name| vars.get(name).cloned())
                .expect("test settings are valid");
        let clock = Clock::default();
        let app = Application::build(settings, clock.clone()).expect("the app starts");
        let base_url = app.base_url().to_owned();
        let setup_url = app.setup_url();
        actix_web::rt::spawn(app.run());

        let (client, jar) = new_client();
        Some(Self {
            base_url,
            database_url,
            client,
            jar,
            clock,
            dir: Arc::new(dir),
            setup_url,
        })
    }

    /// The same app seen from another browser, with an empty cookie jar.
    pub fn another_browser(&self) -> Self {
        let (client, jar) = new_client();
        Self {
            base_url: self.base_url.clone(),
            database_url: self.database_url.clone(),
            client,
            jar,
            clock: self.clock.clone(),
            dir: self.dir.clone(),
            setup_url: self.setup_url.clone(),
        }
    }

    /// The cookies this browser would send now, as a `Cookie` header value.
    pub fn cookies(&self) -> Option<String> {
        self.cookies_for("/")
    }

    /// The cookies this browser would send to `path`.
    pub fn cookies_for(&self, path: &str) -> Option<String> {
        let url: Url = self.url(path).parse().expect("a URL");
        let header = self.jar.cookies(&url)?;
        Some(header.to_str().expect("readable cookies").to_owned())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn setup_url(&self) -> String {
        self.setup_url
            .clone()
            .expect("a new app offers a setup link")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET answered")
    }

    pub async fn get_json(&self, path: &str) -> Response {
        let request = self
            .client
            .get(self.url(path))
            .header("Accept", "application/json");
        request.send().await.expect("GET answered")
    }

    /// Posts a form as a browser would, with the session's CSRF token added:
    /// the portal's for portal pages, the staff session's for the rest.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = if path.starts_with("/portal") {
            self.portal_csrf_token().await
        } else {
            self.csrf_token().await
        };
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields, with no token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = encode_form(fields);
        self.client
            .post(self.url(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST answered")
    }

    /// The session's CSRF token, as the sign-in page's form carries it.
    pub async fn csrf_token(&self) -> String {
        let page = Page::of(self.get("/login").await).await;
        page.value("input[name=csrf_token]")
            .expect("a CSRF token in the sign-in form")
    }

    /// The portal session's CSRF token, as the portal sign-in form carries it.
    pub async fn portal_csrf_token(&self) -> String {
        let page = Page::of(self.get("/portal/sign-in").await).await;
        page.value("input[name=csrf_token]")
            .expect("a CSRF token in the portal form")
    }

    /// Every text sent to `e164` so far, oldest first, from the outbox file.
    pub fn texts_to(&self, e164: &str) -> Vec<String> {
        let outbox = self.dir.path().join("sms-outbox.jsonl");
        let lines = std::fs::read_to_string(outbox).unwrap_or_default();
        lines
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"))
            .filter(|text| text["to"] == e164)
            .map(|text| text["body"].as_str().expect("a body").to_owned())
            .collect()
    }

    /// Waits until `e164` has been sent `count` texts (they leave in the background).
    pub async fn wait_for_texts(&self, e164: &str, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let texts = self.texts_to(e164);
            if texts.len() >= count {
                return texts;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "{e164} was sent {:?}, expected {count} texts",
            self.texts_to(e164)
        );
    }

    /// Asks for a portal code for `phone` and returns the code texted to `e164`.
    pub async fn request_portal_code(&self, phone: &str, e164: &str) -> String {
        let before = self.texts_to(e164).len();
        let response = self.post_form("/portal/sign-in", &[("phone", phone)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let texts = self.wait_for_texts(e164, before + 1).await;
        code_in(texts.last().expect("a text"))
    }

    /// Creates the first administrator through the setup link and stays signed in.
    pub async fn create_first_admin(&self, username: &str) -> Response {
        let path = self.setup_url().replace(&self.base_url, "");
        self.get(&path).await;
        let fields = [
            ("username", username),
            ("password", GOOD_PASSWORD),
            ("password_confirm", GOOD_PASSWORD),
        ];
        self.post_form(&path, &fields).await
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.post_form("/login", &[("username", username), ("password", password)])
            .await
    }

    /// An administrator exists and this browser is signed in as them.
    pub async fn sign_in_as_admin(&self) {
        let response = self.create_first_admin("admin").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the setup link creates an admin"
        );
    }

    /// Adds a constituent through the new-person form; the answer is the form's.
    pub async fn create_constituent(&self, fields: &[(&str, &str)]) -> Response {
        self.post_form("/constituents", fields).await
    }

    /// Adds a parent whose Portal number is `number`, and returns their id.
    pub async fn create_parent_with_portal_number(&self, first: &str, number: &str) -> i64 {
        let response = self
            .create_constituent(&[
                ("first_name", first),
                ("last_name", "Parent"),
                ("persona", "parent"),
                ("phone", number),
                ("phone_type", "mobile"),
                ("phone_sms", "on"),
            ])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{first} was created"
        );
        id_from_location(&response)
    }
}

fn new_client() -> (Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .expect("a client");
    (client, jar)
}

fn encode_form(fields: &[(&str, &str)]) -> String {
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    encoder.extend_pairs(fields);
    encoder.finish()
}

/// Where a `303` points.
pub fn location(response: &Response) -> String {
    let location = response
        .headers()
        .get("location")
        .expect("a Location header");
    location.to_str().expect("a readable Location").to_owned()
}

/// The id at the end of a `303` to `/constituents/{id}`.
pub fn id_from_location(response: &Response) -> i64 {
    let location = location(response);
    let id = location
        .strip_prefix("/constituents/")
        .expect("a profile path");
    id.parse().expect("a numeric id")
}

/// A page as a person would read it: elements found by CSS selectors.
pub struct Page {
    pub status: StatusCode,
    pub html: Html,
    pub text: String,
}

impl Page {
    pub async fn of(response: Response) -> Self {
        let status = response.status();
        let text = response.text().await.expect("a body");
        Self {
            status,
            html: Html::parse_document(&text),
            text,
        }
    }

    /// The text of the first element matching `selector`, whitespace folded.
    pub fn text_of(&self, selector: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("a valid selector");
        let element = self.html.select(&selector).next()?;
        Some(
            element
                .text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// The `value` attribute of the first element matching `selector`.
    pub fn value(&self, selector: &str) -> Option<String> {
        self.attribute(selector, "value")
    }

    pub fn attribute(&self, selector: &str, name: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("a valid selector");
        let element = self.html.select(&selector).next()?;
        element.value().attr(name).map(str::to_owned)
    }

    pub fn has(&self, selector: &str) -> bool {
        let selector = Selector::parse(selector).expect("a valid selector");
        self.html.select(&selector).next().is_some()
    }
}

/// The six-digit code in a text.
pub fn code_in(text: &str) -> String {
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 6)
        .collect();
    assert_eq!(digits.len(), 1, "one six-digit code in {text:?}");
    digits[0].to_owned()
}
