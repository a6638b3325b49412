use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{GOOD_PASSWORD, Page, TestApp, location};

async fn the_setup_link_creates_the_first_admin_once(app: TestApp) {
    let path = app.setup_url().replace(&app.base_url, "");
    assert!(path.starts_with("/setup/"));
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);

    let response = app.create_first_admin("Head.Office").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let directory = Page::of(app.get("/constituents").await).await;
    assert_eq!(directory.status, StatusCode::OK);
    assert!(
        directory.text.contains("head.office"),
        "the layout names who is signed in"
    );
    assert_eq!(
        app.another_browser().get(&path).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = app.another_browser().create_first_admin("second").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

async fn a_wrong_setup_token_answers_not_found(app: TestApp) {
    assert_eq!(
        app.get("/setup/not-the-token").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn a_weak_setup_password_is_refused_next_to_its_field(app: TestApp) {
    let path = app.setup_url().replace(&app.base_url, "");
    app.get(&path).await;

    let fields = [
        ("username", "office"),
        ("password", "passwordpassword"),
        ("password_confirm", "passwordpassword"),
    ];
    let page = Page::of(app.post_form(&path, &fields).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = page
        .text_of("#password-error")
        .expect("a message by the password");
    assert!(message.contains("repeats"), "{message}");
    assert_eq!(page.value("#username").as_deref(), Some("office"));
    assert!(page.text_of("title").unwrap().starts_with("Error:"));
    assert!(page.has(".error-summary a[href='#password']"));
}

async fn mismatched_setup_passwords_are_refused(app: TestApp) {
    let path = app.setup_url().replace(&app.base_url, "");
    app.get(&path).await;

    let fields = [
        ("username", "office"),
        ("password", GOOD_PASSWORD),
        ("password_confirm", "something else entirely, really"),
    ];
    let page = Page::of(app.post_form(&path, &fields).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("#password_confirm-error"));
    assert_eq!(
        app.get(&path).await.status(),
        StatusCode::OK,
        "the link still works"
    );
}

on_both_databases!(
    the_setup_link_creates_the_first_admin_once,
    a_wrong_setup_token_answers_not_found,
    a_weak_setup_password_is_refused_next_to_its_field,
    mismatched_setup_passwords_are_refused,
);
