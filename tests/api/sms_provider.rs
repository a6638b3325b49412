//! The `twilio` transport against a local stand-in for Twilio's Messages API,
//! which records what it receives. (The real provider is outside this machine.)

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::StatusCode;

use crate::support::{Backend, Page, TestApp, code_in};

const SID: &str = "ACtest0000000000000000000000000001";
const TOKEN: &str = "auth-token-never-logged";
/// `SID:TOKEN` in Basic authentication.
const BASIC: &str =
    "Basic QUN0ZXN0MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMTphdXRoLXRva2VuLW5ldmVyLWxvZ2dlZA==";

#[derive(Debug, Clone)]
struct Received {
    path: String,
    authorization: String,
    form: Vec<(String, String)>,
}

impl Received {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A stand-in for Twilio that answers every request with `status`.
struct FakeTwilio {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeTwilio {
    fn start(status: u16) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let server = HttpServer::new(move || {
            let log = log.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let log = log.clone();
                async move {
                    let form = form_urlencoded::parse(&body).into_owned().collect();
                    let authorization = req
                        .headers()
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    log.lock().unwrap().push(Received {
                        path: req.path().to_owned(),
                        authorization,
                        form,
                    });
                    let status = actix_web::http::StatusCode::from_u16(status).unwrap();
                    HttpResponse::build(status)
                        .json(serde_json::json!({"sid": "SM1", "code": 20003}))
                }
            }))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let url = format!("http://{}", server.addrs()[0]);
        actix_web::rt::spawn(server.run());
        Self { url, received }
    }

    async fn wait_for_messages(&self, count: usize) -> Vec<Received> {
        for _ in 0..100 {
            let received = self.received.lock().unwrap().clone();
            if received.len() >= count {
                return received;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("Twilio received {:?}", self.received.lock().unwrap());
    }
}

async fn app_sending_through(fake: &FakeTwilio, backend: Backend) -> Option<TestApp> {
    let env = [
        ("HOMEROOM_SMS_TRANSPORT", "twilio"),
        ("HOMEROOM_TWILIO_ACCOUNT_SID", SID),
        ("HOMEROOM_TWILIO_AUTH_TOKEN", TOKEN),
        ("HOMEROOM_TWILIO_FROM", "+15005550006"),
        ("HOMEROOM_TWILIO_BASE_URL", fake.url.as_str()),
    ];
    TestApp::spawn_with(backend, &env).await
}

/// A parent on file, in a browser that has just asked for a code.
async fn parent_asking_for_a_code(fake: &FakeTwilio, backend: Backend) -> Option<TestApp> {
    let app = app_sending_through(fake, backend).await?;
    app.sign_in_as_admin().await;
    app.create_parent_with_portal_number("Ana", "(201) 555-0143")
        .await;
    let parent = app.another_browser();
    parent
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    Some(parent)
}

async fn codes_go_out_through_twilios_messages_api(backend: Backend) {
    let fake = FakeTwilio::start(201);
    let Some(parent) = parent_asking_for_a_code(&fake, backend).await else {
        return;
    };
    let message = fake.wait_for_messages(1).await.remove(0);

    assert_eq!(
        message.path,
        format!("/2010-04-01/Accounts/{SID}/Messages.json")
    );
    assert_eq!(message.authorization, BASIC);
    assert_eq!(message.field("To"), Some("+12015550143"));
    assert_eq!(message.field("From"), Some("+15005550006"));
    let code = code_in(message.field("Body").unwrap());
    let response = parent.post_form("/portal/verify", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn a_failed_send_is_shown_as_try_again_later(backend: Backend) {
    let fake = FakeTwilio::start(401);
    let Some(parent) = parent_asking_for_a_code(&fake, backend).await else {
        return;
    };
    fake.wait_for_messages(1).await;

    let mut shown = String::new();
    for _ in 0..50 {
        shown = Page::of(parent.get("/portal/verify").await)
            .await
            .text_of("main")
            .unwrap();
        if shown.contains("could not send a code") {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        shown.contains("could not send a code just now. Try again later"),
        "{shown}"
    );
}

#[actix_web::test]
async fn codes_go_out_through_twilios_messages_api_on_sqlite() {
    codes_go_out_through_twilios_messages_api(Backend::Sqlite).await;
}

#[actix_web::test]
async fn codes_go_out_through_twilios_messages_api_on_postgres() {
    codes_go_out_through_twilios_messages_api(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_failed_send_is_shown_as_try_again_later_on_sqlite() {
    a_failed_send_is_shown_as_try_again_later(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_failed_send_is_shown_as_try_again_later_on_postgres() {
    a_failed_send_is_shown_as_try_again_later(Backend::Postgres).await;
}
