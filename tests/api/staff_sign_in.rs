use chrono::TimeDelta;
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{GOOD_PASSWORD, Page, TestApp, location};

async fn staff_pages_send_strangers_to_sign_in(app: TestApp) {
    let response = app.get("/constituents?q=ann").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Fconstituents%3Fq%3Dann");
}

async fn signing_in_lands_on_the_page_asked_for(app: TestApp) {
    app.sign_in_as_admin().await;
    let browser = app.another_browser();
    browser.get("/login?next=/constituents/new").await;

    let fields = [
        ("username", "ADMIN"),
        ("password", GOOD_PASSWORD),
        ("next", "/constituents/new"),
    ];
    let response = browser.post_form("/login", &fields).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/constituents/new");
    assert_eq!(
        browser.get("/constituents/new").await.status(),
        StatusCode::OK
    );
}

async fn sign_in_never_sends_anyone_off_site(app: TestApp) {
    app.sign_in_as_admin().await;
    let browser = app.another_browser();

    let fields = [
        ("username", "admin"),
        ("password", GOOD_PASSWORD),
        ("next", "//evil.example/"),
    ];
    let response = browser.post_form("/login", &fields).await;

    assert_eq!(location(&response), "/");
}

async fn wrong_credentials_get_one_message_whichever_part_was_wrong(app: TestApp) {
    app.sign_in_as_admin().await;
    let browser = app.another_browser();

    let wrong_password = Page::of(browser.sign_in("admin", "not the password at all").await).await;
    let unknown_user = Page::of(browser.sign_in("nobody", GOOD_PASSWORD).await).await;

    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status, StatusCode::UNAUTHORIZED);
    let message = wrong_password
        .text_of("#username-error")
        .expect("a message");
    assert_eq!(unknown_user.text_of("#username-error"), Some(message));
    assert_eq!(unknown_user.value("#username").as_deref(), Some("nobody"));
    assert_eq!(
        wrong_password.value("#password").as_deref(),
        None,
        "passwords are not echoed"
    );
}

async fn a_post_without_the_session_token_is_refused(app: TestApp) {
    app.sign_in_as_admin().await;

    let missing = app
        .post_raw(
            "/constituents",
            &[
                ("first_name", "Ann"),
                ("last_name", "Lee"),
                ("persona", "parent"),
            ],
        )
        .await;
    let forged = app
        .post_raw(
            "/constituents",
            &[
                ("csrf_token", "forged"),
                ("first_name", "Ann"),
                ("last_name", "Lee"),
                ("persona", "parent"),
            ],
        )
        .await;

    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let list = Page::of(app.get("/constituents").await).await;
    assert!(!list.text.contains("Ann Lee"), "nothing was saved");
}

async fn a_post_from_another_site_is_refused(app: TestApp) {
    app.sign_in_as_admin().await;
    let token = app.csrf_token().await;

    let response = app
        .client
        .post(app.url("/logout"))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={token}"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/constituents").await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

async fn signing_out_ends_the_session_for_good(app: TestApp) {
    app.sign_in_as_admin().await;
    let cookie = session_cookie(&app).await;

    let response = app.post_form("/logout", &[]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/constituents"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the old cookie opens nothing"
    );
}

async fn every_sign_in_starts_a_new_session_id(app: TestApp) {
    app.sign_in_as_admin().await;
    let browser = app.another_browser();
    browser.get("/login").await;
    let before = session_cookie(&browser).await;

    browser.sign_in("admin", GOOD_PASSWORD).await;

    let after = session_cookie(&browser).await;
    assert_ne!(before, after);
}

async fn an_idle_session_ends_after_thirty_minutes(app: TestApp) {
    app.sign_in_as_admin().await;
    app.clock.advance(TimeDelta::minutes(20));
    assert_eq!(app.get("/constituents").await.status(), StatusCode::OK);

    app.clock.advance(TimeDelta::minutes(31));

    assert_eq!(
        app.get("/constituents").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn a_session_ends_twelve_hours_after_sign_in_however_busy(app: TestApp) {
    app.sign_in_as_admin().await;
    for _ in 0..24 {
        app.clock.advance(TimeDelta::minutes(29));
        assert_eq!(app.get("/constituents").await.status(), StatusCode::OK);
    }

    app.clock.advance(TimeDelta::minutes(29));

    assert_eq!(
        app.get("/constituents").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn pages_carry_security_headers_and_a_safe_cookie(app: TestApp) {
    let response = app.get("/login").await;

    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(!header("referrer-policy").is_empty());
    let cookie = header("set-cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure flag");
}

async fn cookies_are_secure_behind_https(app: TestApp) {
    let response = app
        .client
        .get(app.url("/login"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();

    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

async fn an_oversized_form_is_refused(app: TestApp) {
    app.sign_in_as_admin().await;
    let huge = "x".repeat(70 * 1024);

    let response = app
        .post_form("/constituents", &[("first_name", &huge)])
        .await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn unknown_pages_answer_not_found_without_internals(app: TestApp) {
    app.sign_in_as_admin().await;

    let page = Page::of(app.get("/no/such/page").await).await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.has("form[action='/logout']"),
        "a signed-in page offers sign-out"
    );
    assert_eq!(page.text_of("h1").as_deref(), Some("Page not found"));
}

on_both_databases!(
    staff_pages_send_strangers_to_sign_in,
    signing_in_lands_on_the_page_asked_for,
    sign_in_never_sends_anyone_off_site,
    wrong_credentials_get_one_message_whichever_part_was_wrong,
    a_post_without_the_session_token_is_refused,
    a_post_from_another_site_is_refused,
    signing_out_ends_the_session_for_good,
    every_sign_in_starts_a_new_session_id,
    an_idle_session_ends_after_thirty_minutes,
    a_session_ends_twelve_hours_after_sign_in_however_busy,
    pages_carry_security_headers_and_a_safe_cookie,
    cookies_are_secure_behind_https,
    an_oversized_form_is_refused,
    unknown_pages_answer_not_found_without_internals,
);

/// The cookies this browser would send, as a `Cookie` header value.
async fn session_cookie(app: &TestApp) -> String {
    app.cookies().expect("a session cookie")
}
