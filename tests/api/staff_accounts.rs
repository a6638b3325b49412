use chrono::TimeDelta;
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{GOOD_PASSWORD, Page, TestApp, location};

const OFFICE_PASSWORD: &str = "mellow harbour thistle engine";

/// Adds an office account through the staff page; the admin must be signed in.
async fn add_office_account(app: &TestApp, username: &str) {
    let fields = [
        ("username", username),
        ("role", "office"),
        ("password", OFFICE_PASSWORD),
    ];
    let response = app.post_form("/staff", &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{username} was added"
    );
    assert_eq!(location(&response), "/staff");
}

/// An admin signed in on `app`, and an office account `frontdesk` signed in
/// in another browser, with its id.
async fn office_signed_in(app: &TestApp) -> (TestApp, i64) {
    app.sign_in_as_admin().await;
    add_office_account(app, "frontdesk").await;
    let office = app.another_browser();
    office.sign_in("frontdesk", OFFICE_PASSWORD).await;
    (office, account_id(app, "frontdesk").await)
}

/// The id of an account, from its row on the staff page.
async fn account_id(app: &TestApp, username: &str) -> i64 {
    let page = Page::of(app.get("/staff").await).await;
    let selector = scraper::Selector::parse("tbody tr").unwrap();
    let row = page
        .html
        .select(&selector)
        .find(|row| row.text().any(|text| text.trim().starts_with(username)))
        .expect("a row for the account");
    row.value()
        .id()
        .unwrap()
        .trim_start_matches("account-")
        .parse()
        .unwrap()
}

async fn admins_add_accounts_that_can_sign_in(app: TestApp) {
    app.sign_in_as_admin().await;

    add_office_account(&app, "frontdesk").await;

    let page = Page::of(app.get("/staff").await).await;
    let id = account_id(&app, "frontdesk").await;
    assert!(page.has(&format!("#account-{id} form[action='/staff/{id}/disable']")));
    let office = app.another_browser();
    assert_eq!(
        office.sign_in("frontdesk", OFFICE_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(office.get("/constituents").await.status(), StatusCode::OK);
}

async fn office_accounts_cannot_use_admin_pages(app: TestApp) {
    app.sign_in_as_admin().await;
    add_office_account(&app, "frontdesk").await;
    let office = app.another_browser();
    office.sign_in("frontdesk", OFFICE_PASSWORD).await;

    for path in [
        "/staff",
        "/audit",
        "/staff/1/password",
        "/constituents/1/move-number?number=1",
    ] {
        assert_eq!(
            office.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let fields = [
        ("username", "sneaky"),
        ("role", "admin"),
        ("password", GOOD_PASSWORD),
    ];
    assert_eq!(
        office.post_form("/staff", &fields).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        office.post_form("/staff/1/disable", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let directory = Page::of(office.get("/constituents").await).await;
    assert!(
        !directory.has("a[href='/staff']"),
        "office staff are not shown admin links"
    );
    assert_eq!(
        app.get("/staff").await.status(),
        StatusCode::OK,
        "the admin still is"
    );
}

async fn weak_staff_passwords_are_refused_with_the_reason(app: TestApp) {
    app.sign_in_as_admin().await;
    let long = "word ".repeat(52);
    let cases = [
        ("fourteen chars", "15 characters"),
        ("passwordpassword", "repeats"),
        ("1234567890123456", "sequence"),
        ("welcome12345678", "too common"),
        ("i am jsmith at the office", "username"),
        (long.as_str(), "at most 256"),
    ];

    for (password, reason) in cases {
        let fields = [
            ("username", "jsmith"),
            ("role", "office"),
            ("password", password),
        ];
        let page = Page::of(app.post_form("/staff", &fields).await).await;

        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        let message = page.text_of("#password-error").unwrap_or_default();
        assert!(message.contains(reason), "{password}: {message}");
        assert_eq!(page.value("#username").as_deref(), Some("jsmith"));
    }
    let spaces_and_emoji = "  tea 🫖 and toast at noon  ";
    let fields = [
        ("username", "jsmith"),
        ("role", "office"),
        ("password", spaces_and_emoji),
    ];
    assert_eq!(
        app.post_form("/staff", &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let office = app.another_browser();
    let response = office.sign_in("jsmith", spaces_and_emoji).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "never trimmed or truncated"
    );
}

async fn disabling_an_account_ends_its_sessions(app: TestApp) {
    let (office, id) = office_signed_in(&app).await;

    let response = app.post_form(&format!("/staff/{id}/disable"), &[]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        office.get("/constituents").await.status(),
        StatusCode::SEE_OTHER
    );
    let again = app.another_browser();
    assert_eq!(
        again.sign_in("frontdesk", OFFICE_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let staff = Page::of(app.get("/staff").await).await;
    assert!(
        staff
            .text_of(&format!("#account-{id}"))
            .unwrap()
            .contains("Disabled")
    );
}

async fn an_admin_cannot_disable_their_own_account(app: TestApp) {
    app.sign_in_as_admin().await;
    let id = account_id(&app, "admin").await;

    let page = Page::of(app.post_form(&format!("/staff/{id}/disable"), &[]).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("#accounts-error"));
    assert_eq!(app.get("/staff").await.status(), StatusCode::OK);
}

async fn resetting_a_password_ends_the_accounts_sessions(app: TestApp) {
    let (office, id) = office_signed_in(&app).await;
    let fresh = "quiet lighthouse saffron ladder";

    let response = app
        .post_form(&format!("/staff/{id}/password"), &[("password", fresh)])
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        office.get("/constituents").await.status(),
        StatusCode::SEE_OTHER
    );
    let again = app.another_browser();
    assert_eq!(
        again.sign_in("frontdesk", OFFICE_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.sign_in("frontdesk", fresh).await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn ten_failed_sign_ins_close_sign_in_for_that_username_for_fifteen_minutes(app: TestApp) {
    app.sign_in_as_admin().await;
    add_office_account(&app, "frontdesk").await;
    let browser = app.another_browser();
    for _ in 0..10 {
        let response = browser
            .sign_in("frontdesk", "a wrong password of some length")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let closed = browser.sign_in("frontdesk", OFFICE_PASSWORD).await;

    assert_eq!(closed.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = closed.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(
        browser.sign_in("admin", GOOD_PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "others still sign in"
    );
    app.clock.advance(TimeDelta::minutes(15));
    let reopened = app
        .another_browser()
        .sign_in("frontdesk", OFFICE_PASSWORD)
        .await;
    assert_eq!(reopened.status(), StatusCode::SEE_OTHER);
}

async fn authenticated_pages_are_not_cached(app: TestApp) {
    app.sign_in_as_admin().await;

    let response = app.get("/constituents").await;

    assert_eq!(response.headers()["cache-control"], "no-store");
}

on_both_databases!(
    admins_add_accounts_that_can_sign_in,
    office_accounts_cannot_use_admin_pages,
    weak_staff_passwords_are_refused_with_the_reason,
    disabling_an_account_ends_its_sessions,
    an_admin_cannot_disable_their_own_account,
    resetting_a_password_ends_the_accounts_sessions,
    ten_failed_sign_ins_close_sign_in_for_that_username_for_fifteen_minutes,
    authenticated_pages_are_not_cached,
);

#[actix_web::test]
async fn a_hundred_failures_from_one_address_close_sign_in_from_it() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    app.sign_in_as_admin().await;
    let browser = app.another_browser();
    for n in 0..100 {
        let response = browser
            .sign_in(&format!("guess{n}"), "a wrong password of some length")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let closed = browser.sign_in("admin", GOOD_PASSWORD).await;

    assert_eq!(closed.status(), StatusCode::TOO_MANY_REQUESTS);
}
