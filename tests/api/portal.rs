use chrono::TimeDelta;
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{Page, TestApp, code_in, location};

const NUMBER: &str = "+12015550143";

/// A parent with a Portal number, created by signed-in staff; answers the parent's
/// browser, still signed out, and their id.
async fn parent_on_file(app: &TestApp) -> (TestApp, i64) {
    app.sign_in_as_admin().await;
    let id = app
        .create_parent_with_portal_number("Ana", "(201) 555-0143")
        .await;
    (app.another_browser(), id)
}

async fn verify(browser: &TestApp, code: &str) -> reqwest::Response {
    browser.post_form("/portal/verify", &[("code", code)]).await
}

async fn a_parent_signs_in_with_a_texted_code(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    assert_eq!(parent.get("/portal").await.status(), StatusCode::SEE_OTHER);

    let code = parent.request_portal_code("201.555.0143", NUMBER).await;
    let response = verify(&parent, &code).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/portal");
    let home = Page::of(parent.get("/portal").await).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text_of("h1").as_deref(), Some("Ana Parent"));
    assert!(home.text.contains("(201) 555-0143"));
    let text = &parent.texts_to(NUMBER)[0];
    assert!(
        text.contains("Our school") && text.contains("Ana") && text.contains("10 minutes"),
        "{text}"
    );
}

async fn the_sign_in_answer_does_not_tell_whose_number_it_is(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    app.create_constituent(&[
        ("first_name", "Sam"),
        ("last_name", "Student"),
        ("persona", "student"),
        ("phone", "201 555 0177"),
        ("phone_sms", "on"),
    ])
    .await;
    let stranger = app.another_browser();

    let known = parent
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    let student = stranger
        .post_form("/portal/sign-in", &[("phone", "2015550177")])
        .await;
    let unknown = app
        .another_browser()
        .post_form("/portal/sign-in", &[("phone", "2015550100")])
        .await;
    let nonsense = app
        .another_browser()
        .post_form("/portal/sign-in", &[("phone", "call me")])
        .await;

    for response in [&known, &student, &unknown, &nonsense] {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(response), "/portal/verify");
    }
    let shown = |page: Page| {
        page.text_of("main")
            .unwrap()
            .replace("43", "NN")
            .replace("77", "NN")
    };
    let known_page = shown(Page::of(parent.get("/portal/verify").await).await);
    let student_page = shown(Page::of(stranger.get("/portal/verify").await).await);
    assert_eq!(known_page, student_page);
    assert!(known_page.contains("contact the school office"));
    parent.wait_for_texts(NUMBER, 1).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.texts_to("+12015550177").is_empty(),
        "only parents are sent codes"
    );
    assert!(app.texts_to("+12015550100").is_empty());
    assert_eq!(
        verify(&stranger, "123456").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn portal_and_staff_sessions_open_only_their_own_pages(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    verify(&parent, &code).await;

    assert_eq!(parent.get("/portal").await.status(), StatusCode::OK);
    assert_eq!(
        parent.get("/constituents").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get("/constituents").await.status(), StatusCode::OK);
    assert_eq!(app.get("/portal").await.status(), StatusCode::SEE_OTHER);
}

async fn a_wrong_code_is_refused_and_five_wrong_tries_kill_the_code(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    let first = Page::of(verify(&parent, wrong).await).await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    assert!(first.has("#code-error"));
    for _ in 0..4 {
        assert_eq!(
            verify(&parent, wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    assert_eq!(
        verify(&parent, &code).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(parent.get("/portal").await.status(), StatusCode::SEE_OTHER);
}

async fn a_code_expires_after_ten_minutes(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;

    app.clock
        .advance(TimeDelta::minutes(10) + TimeDelta::seconds(1));

    assert_eq!(
        verify(&parent, &code).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_code_signs_in_once(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    assert_eq!(verify(&parent, &code).await.status(), StatusCode::SEE_OTHER);
    parent.post_form("/portal/sign-out", &[]).await;

    assert_eq!(
        verify(&parent, &code).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_code_works_only_in_the_browser_that_asked_for_it(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let thief = app.another_browser();
    thief
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;

    assert_eq!(
        verify(&thief, &code).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(verify(&parent, &code).await.status(), StatusCode::SEE_OTHER);
}

async fn a_number_is_sent_at_most_five_codes_an_hour(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    for _ in 0..5 {
        parent.request_portal_code("2015550143", NUMBER).await;
    }

    let sixth = parent
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    assert_eq!(sixth.status(), StatusCode::SEE_OTHER);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(parent.texts_to(NUMBER).len(), 5);

    app.clock.advance(TimeDelta::minutes(61));
    parent.request_portal_code("2015550143", NUMBER).await;
}

async fn twenty_wrong_codes_in_a_row_pause_the_number_for_an_hour(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    for _ in 0..4 {
        let code = parent.request_portal_code("2015550143", NUMBER).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            verify(&parent, wrong).await;
        }
    }
    assert_eq!(parent.texts_to(NUMBER).len(), 4);
    parent
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(parent.texts_to(NUMBER).len(), 4, "no code while paused");

    app.clock.advance(TimeDelta::minutes(61));
    let code = parent.request_portal_code("2015550143", NUMBER).await;

    assert_eq!(verify(&parent, &code).await.status(), StatusCode::SEE_OTHER);
}

async fn changing_a_parents_number_ends_their_sessions_and_tells_the_old_number(app: TestApp) {
    let (parent, id) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    verify(&parent, &code).await;
    assert_eq!(parent.get("/portal").await.status(), StatusCode::OK);

    let fields = [
        ("first_name", "Ana"),
        ("last_name", "Parent"),
        ("persona", "parent"),
        ("sms_number", "201 555 0199"),
        ("sms_number_type", "mobile"),
    ];
    let response = app.post_form(&format!("/constituents/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    assert_eq!(parent.get("/portal").await.status(), StatusCode::SEE_OTHER);
    let texts = parent.wait_for_texts(NUMBER, 2).await;
    assert!(texts[1].contains("changed"), "{}", texts[1]);
    assert!(
        !texts[1]
            .split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() == 6),
        "no code"
    );
    parent
        .post_form("/portal/sign-in", &[("phone", "2015550143")])
        .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        parent.texts_to(NUMBER).len(),
        2,
        "the old number signs in no more"
    );
    let code = parent
        .request_portal_code("2015550199", "+12015550199")
        .await;
    assert_eq!(verify(&parent, &code).await.status(), StatusCode::SEE_OTHER);
}

async fn signing_out_of_the_portal_ends_the_session(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    verify(&parent, &code).await;
    let cookie = parent.cookies_for("/portal").expect("a portal cookie");

    let response = parent.post_form("/portal/sign-out", &[]).await;

    assert_eq!(location(&response), "/portal/sign-in");
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(parent.url("/portal"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
}

async fn a_portal_session_ends_after_thirty_idle_minutes(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    verify(&parent, &code).await;

    app.clock.advance(TimeDelta::minutes(31));

    assert_eq!(parent.get("/portal").await.status(), StatusCode::SEE_OTHER);
}

async fn a_portal_session_ends_a_day_after_sign_in_however_busy(app: TestApp) {
    let (parent, _) = parent_on_file(&app).await;
    let code = parent.request_portal_code("2015550143", NUMBER).await;
    verify(&parent, &code).await;
    for _ in 0..49 {
        app.clock.advance(TimeDelta::minutes(29));
        assert_eq!(parent.get("/portal").await.status(), StatusCode::OK);
    }

    app.clock.advance(TimeDelta::minutes(29));

    assert_eq!(parent.get("/portal").await.status(), StatusCode::SEE_OTHER);
}

on_both_databases!(
    a_portal_session_ends_a_day_after_sign_in_however_busy,
    a_parent_signs_in_with_a_texted_code,
    the_sign_in_answer_does_not_tell_whose_number_it_is,
    portal_and_staff_sessions_open_only_their_own_pages,
    a_wrong_code_is_refused_and_five_wrong_tries_kill_the_code,
    a_code_expires_after_ten_minutes,
    a_code_signs_in_once,
    a_code_works_only_in_the_browser_that_asked_for_it,
    a_number_is_sent_at_most_five_codes_an_hour,
    twenty_wrong_codes_in_a_row_pause_the_number_for_an_hour,
    changing_a_parents_number_ends_their_sessions_and_tells_the_old_number,
    signing_out_of_the_portal_ends_the_session,
    a_portal_session_ends_after_thirty_idle_minutes,
);

#[test]
fn codes_are_read_from_texts() {
    assert_eq!(
        code_in("School: 042117 is the code. It expires in 10 minutes."),
        "042117"
    );
}
