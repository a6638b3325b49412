//! What a person sees and does in a real browser: the as-you-type number check, the
//! keyboard alone, and where the focus goes.

use std::fs;
use std::path::Path;

use fantoccini::key::Key;
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::browser::{
    current_path, find, go_to, press, sign_in, sign_in_as_admin, tab_to, type_into, wait_for_focus,
    wait_for_text, wait_for_text_to_be, wait_to_leave, with_browser,
};
use crate::support::{GOOD_PASSWORD, TestApp, id_from_location};

async fn typing_a_taken_number_flags_its_holder_before_submitting(app: TestApp) {
    app.sign_in_as_admin().await;
    let owner = app
        .create_parent_with_portal_number("Olga", "+1 201-555-0143")
        .await;
    let response = app
        .create_constituent(&[
            ("first_name", "Pablo"),
            ("last_name", "Rivera"),
            ("persona", "parent"),
        ])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "Pablo was created"
    );
    let other = id_from_location(&response);

    with_browser(move |client| async move {
        sign_in(&client, &app, "admin", GOOD_PASSWORD).await;
        let edit = format!("/constituents/{other}/edit");
        go_to(&client, &app.url(&edit)).await;

        type_into(&client, "#sms_number", "201.555.0143").await;

        let status = wait_for_text(&client, "#sms_number-status", "Olga Parent").await;
        assert!(status.contains("Taken"), "{status}");
        let link = find(&client, "#sms_number-status a").await;
        let href = link.attr("href").await.expect("the link's href");
        assert_eq!(href, Some(format!("/constituents/{owner}")));
        assert_eq!(current_path(&client).await, edit, "nothing was submitted");

        if app.database_url.starts_with("sqlite:") {
            let field = find(&client, ".field:has(#sms_number)").await;
            let png = field.screenshot().await.expect("a screenshot of the field");
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
            fs::create_dir_all(&dir).expect("a folder for screenshots");
            fs::write(dir.join("taken-number.png"), png).expect("the screenshot is saved");
        }
    })
    .await;
}

async fn a_parent_is_created_with_the_keyboard_alone(app: TestApp) {
    with_browser(move |client| async move {
        sign_in_as_admin(&client, &app).await;
        go_to(&client, &app.url("/constituents/new")).await;

        // From the top of the page: past the skip link, the header and the sign-out button.
        tab_to(&client, "#first_name").await;
        press(&client, "Ana").await;
        tab_to(&client, "#last_name").await;
        press(&client, "Rivera").await;
        tab_to(&client, "#persona").await;
        press(&client, &Key::Space).await;
        tab_to(&client, "#phone").await;
        press(&client, "(201) 555-0143").await;
        tab_to(&client, "#phone_sms").await;
        press(&client, &Key::Space).await;
        tab_to(&client, "form[action='/constituents'] button").await;
        press(&client, &Key::Enter).await;

        let profile = wait_to_leave(&client, "/constituents/new").await;
        let id = profile
            .strip_prefix("/constituents/")
            .map(str::parse::<i64>);
        assert!(
            matches!(id, Some(Ok(_))),
            "the browser is on {profile}, not a profile"
        );
        wait_for_text(&client, "h1", "Ana Rivera").await;
        wait_for_text(&client, "#sms-number", "(201) 555-0143").await;
        wait_for_text(&client, "#portal", "Parent Portal").await;
    })
    .await;
}

async fn the_error_summary_takes_focus_when_a_form_comes_back_with_errors(app: TestApp) {
    with_browser(move |client| async move {
        sign_in_as_admin(&client, &app).await;
        go_to(&client, &app.url("/constituents/new")).await;

        let save = find(&client, "form[action='/constituents'] button").await;
        save.click().await.expect("the save button takes a click");

        find(&client, ".error-summary").await;
        assert_eq!(current_path(&client).await, "/constituents");
        wait_for_focus(&client, ".error-summary").await;

        tab_to(&client, ".error-summary a[href='#first_name']").await;
        press(&client, &Key::Enter).await;
        wait_for_focus(&client, "#first_name").await;
    })
    .await;
}

async fn a_check_after_the_session_has_ended_shows_no_sign_in_page(app: TestApp) {
    app.sign_in_as_admin().await;
    app.create_parent_with_portal_number("Olga", "+1 201-555-0143")
        .await;

    with_browser(move |client| async move {
        sign_in(&client, &app, "admin", GOOD_PASSWORD).await;
        go_to(&client, &app.url("/constituents/new")).await;
        type_into(&client, "#phone", "201.555.0143").await;
        wait_for_text(&client, "#phone-status", "Olga Parent").await;

        // The session is gone, as after signing out in another tab.
        client
            .delete_all_cookies()
            .await
            .expect("the cookies are deleted");
        type_into(&client, "#phone", "9").await;

        wait_for_text_to_be(&client, "#phone-status", "").await;
        let status = find(&client, "#phone-status").await;
        let html = status.html(true).await.expect("the status's markup");
        assert!(html.trim().is_empty(), "{html}");
    })
    .await;
}

on_both_databases!(
    typing_a_taken_number_flags_its_holder_before_submitting,
    a_parent_is_created_with_the_keyboard_alone,
    the_error_summary_takes_focus_when_a_form_comes_back_with_errors,
    a_check_after_the_session_has_ended_shows_no_sign_in_page,
);
