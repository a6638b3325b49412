//! Every page usable by everyone: each page and error state is checked in Chromium by
//! axe-core against WCAG 2.2 A and AA, for its structure, for a visible focus and at 320
//! pixels wide; and the main tasks are done with the keyboard alone.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::browser::{
    USUAL_WINDOW, assert_no_axe_violations, assert_no_sideways_scroll, current_path, find, go_to,
    has_focus, press, set_window_width, sign_in, sign_in_as_admin, tab_back_to, tab_to, type_into,
    wait_for_focus, wait_for_text, wait_to_leave, with_browser,
};
use crate::support::{GOOD_PASSWORD, TestApp, code_in, id_from_location};

/// The narrowest screen WCAG's reflow rule names: 1280 pixels at 400% zoom.
const NARROW: u32 = 320;

const OLGAS_NUMBER: &str = "+12015550143";

/// Every check a page must pass, on a wide screen and on a narrow one.
async fn check(client: &Client, what: &str) {
    assert_page_structure(client, what).await;
    assert_no_axe_violations(client, what).await;
    assert_focus_is_visible(client, what).await;

    // At 200% zoom the usual window shows a page half as wide.
    set_window_width(client, USUAL_WINDOW.0 / 2).await;
    assert_no_sideways_scroll(client, &format!("{what} at 200% zoom")).await;

    // Reflowed, the page has other things to check: tables that scroll, wrapped rows.
    set_window_width(client, NARROW).await;
    let narrow = format!("{what} at {NARROW}px wide");
    assert_no_sideways_scroll(client, &narrow).await;
    assert_no_axe_violations(client, &narrow).await;
    set_window_width(client, USUAL_WINDOW.0).await;
}

/// The parts of a page that tell where things are, and how its fields, labels and error
/// messages hang together, read in the browser.
const STRUCTURE: &str = r##"
const all = (selector) => [...document.querySelectorAll(selector)];
const focusable = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
const first = all(focusable).find((element) => element.tabIndex >= 0);
const seen = (label) =>
  label.getBoundingClientRect().width > 1 && getComputedStyle(label).clipPath === "none";
const describers = all("[aria-describedby]");
const described = new Set(
  describers.flatMap((element) => element.getAttribute("aria-describedby").split(" "))
);
const isError = (id) => document.getElementById(id)?.classList.contains("field-error");
const explained = (field) => {
  const holder = field.closest("[aria-describedby]");
  return holder !== null && holder.getAttribute("aria-describedby").split(" ").some(isError);
};
const fields = all("input:not([type=hidden]), select, textarea");
const fieldWithError = (error) => document.getElementById(error.id.replace(/-error$/, ""));
return {
  unlabelled: fields.filter((field) => ![...field.labels].some(seen)).map((field) => field.id),
  deadLinks: all(".error-summary a").filter((link) => !document.getElementById(link.hash.slice(1)))
    .map((link) => link.outerHTML),
  untiedErrors: all(".field-error").filter((error) => !described.has(error.id))
    .map((error) => error.id),
  unexplained: all("[aria-invalid=true]").filter((field) => !explained(field))
    .map((field) => field.id),
  notInvalid: all(".field-error").map(fieldWithError)
    .filter((field) => fields.includes(field) && field.getAttribute("aria-invalid") !== "true")
    .map((field) => field.id),
  lang: document.documentElement.lang,
  title: document.title,
  headings: document.querySelectorAll("h1").length,
  header: document.querySelectorAll("body > header").length,
  nav: document.querySelectorAll("header nav").length,
  main: document.querySelectorAll("main#main").length,
  first: first ? first.outerHTML.slice(0, 120) : null,
  skip: first ? first.getAttribute("href") === "#main" : false,
  staff: document.querySelector("form[action='/logout']") !== null,
};
"##;

/// One h1, the landmarks, a skip link first in the tab order, a language, a visible label on
/// every field, and for a form with errors: a title starting "Error:", the focus on the error
/// summary, its links leading to fields, and each message tied to a field marked invalid.
async fn assert_page_structure(client: &Client, what: &str) {
    let has_errors = client.find(Locator::Css(".error-summary")).await.is_ok();
    if has_errors {
        wait_for_focus(client, ".error-summary").await;
    }
    let page = client.execute(STRUCTURE, vec![]).await;
    let page = page.unwrap_or_else(|error| panic!("could not read {what}: {error}"));

    assert_eq!(page["lang"], "en", "{what} names its language");
    assert_eq!(page["headings"], 1, "{what} has one h1");
    assert_eq!(page["header"], 1, "{what} has one header");
    assert_eq!(page["main"], 1, "{what} has one main");
    assert!(
        page["skip"] == true,
        "{what} starts with the skip link, not {}",
        page["first"]
    );
    if page["staff"] == true {
        assert_eq!(page["nav"], 1, "{what} has the staff navigation");
    }
    let none = serde_json::json!([]);
    assert_eq!(
        page["unlabelled"], none,
        "on {what}, these fields lack a visible label"
    );
    assert_eq!(
        page["deadLinks"], none,
        "on {what}, these summary links lead nowhere"
    );
    assert_eq!(
        page["untiedErrors"], none,
        "on {what}, no field is described by these"
    );
    assert_eq!(
        page["unexplained"], none,
        "on {what}, these invalid fields say not why"
    );
    assert_eq!(
        page["notInvalid"], none,
        "on {what}, these fields with errors are not invalid"
    );

    let title = page["title"].as_str().unwrap_or_default();
    assert_eq!(
        title.starts_with("Error: "),
        has_errors,
        "{what} is titled {title:?}"
    );
}

/// Focuses each control in turn and answers those whose look does not change.
const UNSEEN_FOCUS: &str = r#"
const look = (element) =>
  [element, ...(element.labels || [])]
    .flatMap((part) => [getComputedStyle(part), getComputedStyle(part, "::before")])
    .map((style) => [
      style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
      style.backgroundColor, style.color, style.textDecorationLine, style.borderTopWidth,
      style.clipPath,
    ].join(" "))
    .join(" | ");
const focusable = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
const unseen = [];
for (const element of document.body.querySelectorAll(focusable)) {
  if (element.tabIndex < 0 || element.getClientRects().length === 0) continue;
  const before = look(element);
  element.focus({ preventScroll: true });
  const focused = document.activeElement === element;
  const after = look(element);
  element.blur();
  if (!focused || before === after) unseen.push(element.outerHTML.slice(0, 120));
}
return unseen;
"#;

/// Fails when a control shows no change when it has the focus.
async fn assert_focus_is_visible(client: &Client, what: &str) {
    let unseen = client.execute(UNSEEN_FOCUS, vec![]).await;
    let unseen = unseen.unwrap_or_else(|error| panic!("could not focus {what}: {error}"));
    let unseen = unseen.as_array().expect("a list of controls");
    assert!(
        unseen.is_empty(),
        "on {what}, the focus is not seen on {unseen:#?}"
    );
}

/// Opens `path` and checks the page.
async fn visit(client: &Client, app: &TestApp, path: &str, what: &str) {
    go_to(client, &app.url(path)).await;
    check(client, what).await;
}

/// Submits the form whose action is `action` with a click, and waits for its error summary.
async fn submit_with_errors(client: &Client, action: &str) {
    let button = find(
        client,
        &format!("form[action='{action}'] button[type=submit]"),
    )
    .await;
    button.click().await.expect("the button takes a click");
    wait_for_text(client, ".error-summary", "There is a problem").await;
}

/// Olga holds a Portal number, Pablo another, and Sam, a student, has Olga's number as a
/// general one. Answers their ids.
async fn three_people(app: &TestApp) -> (i64, i64, i64) {
    app.sign_in_as_admin().await;
    let olga = app
        .create_parent_with_portal_number("Olga", "+1 201-555-0143")
        .await;
    let pablo = app
        .create_parent_with_portal_number("Pablo", "+1 201-555-0177")
        .await;
    let sam = app
        .create_constituent(&[
            ("first_name", "Sam"),
            ("last_name", "Student"),
            ("persona", "student"),
            ("phone", "201 555 0143"),
            ("phone_type", "home"),
        ])
        .await;
    assert_eq!(sam.status(), StatusCode::SEE_OTHER, "Sam was created");
    (olga, pablo, id_from_location(&sam))
}

async fn the_setup_and_sign_in_pages_pass_the_checks(app: TestApp) {
    with_browser(move |client| async move {
        go_to(&client, &app.setup_url()).await;
        check(&client, "the setup page").await;
        submit_with_errors(&client, &app.setup_url().replace(&app.base_url, "")).await;
        check(&client, "the setup page with errors").await;

        sign_in_as_admin(&client, &app).await;
        find(&client, "form[action='/logout'] button")
            .await
            .click()
            .await
            .expect("a click");
        wait_to_leave(&client, "/constituents").await;
        check(&client, "the sign-in page").await;

        type_into(&client, "#username", "admin").await;
        type_into(&client, "#password", "not the password at all").await;
        submit_with_errors(&client, "/login").await;
        check(&client, "the sign-in page with an error").await;

        visit(
            &client,
            &app,
            "/no-such-page",
            "the not-found page, signed out",
        )
        .await;
    })
    .await;
}

async fn the_directory_pages_pass_the_checks(app: TestApp) {
    let (olga, pablo, sam) = three_people(&app).await;

    with_browser(move |client| async move {
        sign_in(&client, &app, "admin", GOOD_PASSWORD).await;
        visit(&client, &app, "/constituents", "the directory").await;
        visit(&client, &app, "/constituents?q=olga", "search results").await;
        visit(
            &client,
            &app,
            "/constituents?q=12",
            "a search it cannot read",
        )
        .await;
        let empty = "/constituents?q=zed&page=2";
        visit(&client, &app, empty, "an empty second page of results").await;
        visit(&client, &app, &format!("/constituents/{olga}"), "a profile").await;
        let flagged = format!("/constituents/{sam}");
        visit(&client, &app, &flagged, "a profile with a shared number").await;
        visit(&client, &app, "/no-such-page", "the not-found page").await;

        visit(&client, &app, "/constituents/new", "the new-person form").await;
        type_into(&client, "#phone", "201.555.0143").await;
        find(&client, "#phone_sms")
            .await
            .click()
            .await
            .expect("a click");
        wait_for_text(&client, "#phone-status", "Taken").await;
        check(&client, "the new-person form flagging a taken number").await;
        submit_with_errors(&client, "/constituents").await;
        check(&client, "the new-person form with errors").await;

        go_to(&client, &app.url("/constituents/new")).await;
        type_into(&client, "#first_name", "Lena").await;
        type_into(&client, "#last_name", "Landline").await;
        type_into(&client, "#phone", "+44 20 7946 0958").await;
        find(&client, "#phone_sms")
            .await
            .click()
            .await
            .expect("a click");
        // The status line moves the button down when it appears; click after it has.
        wait_for_text(&client, "#phone-status", "landline").await;
        submit_with_errors(&client, "/constituents").await;
        find(&client, "#confirm_sms_capable").await;
        check(&client, "the new-person form asking to confirm a landline").await;

        let edit = format!("/constituents/{pablo}/edit");
        visit(&client, &app, &edit, "the edit form").await;
        find(&client, "#sms_number")
            .await
            .clear()
            .await
            .expect("the field empties");
        type_into(&client, "#sms_number", "201.555.0143").await;
        wait_for_text(&client, "#sms_number-status", "Taken").await;
        check(&client, "the edit form flagging a taken number").await;
        submit_with_errors(&client, &format!("/constituents/{pablo}")).await;
        check(&client, "the edit form with errors").await;

        let mv = format!("/constituents/{pablo}/move-number?number=%2B12015550143");
        visit(&client, &app, &mv, "the move-number confirmation").await;
        let bad = format!("/constituents/{pablo}/move-number?number=12");
        visit(&client, &app, &bad, "the move-number page for a bad number").await;
        let delete = format!("/constituents/{pablo}/delete");
        visit(&client, &app, &delete, "the delete confirmation").await;
    })
    .await;
}

async fn the_staff_and_audit_pages_pass_the_checks(app: TestApp) {
    three_people(&app).await;

    with_browser(move |client| async move {
        sign_in(&client, &app, "admin", GOOD_PASSWORD).await;
        visit(&client, &app, "/staff", "the staff accounts").await;
        type_into(&client, "#username", "frontdesk").await;
        type_into(&client, "#password", "short").await;
        submit_with_errors(&client, "/staff").await;
        check(&client, "the staff accounts with errors").await;

        let reset = find(&client, "a[href$='/password']").await;
        let reset = reset.attr("href").await.expect("an href").expect("a link");
        visit(&client, &app, &reset, "the password reset").await;
        type_into(&client, "#password", "short").await;
        submit_with_errors(&client, &reset).await;
        check(&client, "the password reset with errors").await;

        visit(&client, &app, "/audit", "the audit trail").await;
        let none = "/audit?person=nobody";
        visit(&client, &app, none, "an audit trail with no matches").await;
    })
    .await;
}

async fn the_portal_pages_pass_the_checks(app: TestApp) {
    three_people(&app).await;

    with_browser(move |client| async move {
        // Whatever is typed leads on to the code page, so this form shows no errors.
        visit(&client, &app, "/portal/sign-in", "the portal sign-in").await;
        type_into(&client, "#phone", "201.555.0143").await;
        press(&client, &Key::Enter).await;
        wait_to_leave(&client, "/portal/sign-in").await;
        check(&client, "the code page").await;

        let code = code_in(&app.wait_for_texts(OLGAS_NUMBER, 1).await[0]);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        type_into(&client, "#code", wrong).await;
        submit_with_errors(&client, "/portal/verify").await;
        check(&client, "the code page with an error").await;

        type_into(&client, "#code", &code).await;
        press(&client, &Key::Enter).await;
        wait_to_leave(&client, "/portal/verify").await;
        wait_for_text(&client, "h1", "Olga Parent").await;
        check(&client, "the portal home page").await;
        visit(
            &client,
            &app,
            "/portal/no-such-page",
            "the portal's not-found page",
        )
        .await;
    })
    .await;
}

async fn a_taken_number_is_flagged_and_its_holder_reached_by_keyboard(app: TestApp) {
    let (olga, _, _) = three_people(&app).await;

    with_browser(move |client| async move {
        sign_in(&client, &app, "admin", GOOD_PASSWORD).await;
        go_to(&client, &app.url("/constituents/new")).await;

        tab_to(&client, "#phone").await;
        press(&client, "(201) 555-0143").await;
        tab_to(&client, "#phone_sms").await;
        press(&client, &Key::Space).await;

        let status = wait_for_text(&client, "#phone-status", "Taken").await;
        assert!(status.contains("Olga Parent"), "{status}");
        assert!(
            has_focus(&client, "#phone_sms").await,
            "the status leaves the focus be"
        );
        let live = find(&client, "#phone-status").await.attr("aria-live").await;
        assert_eq!(live.expect("its attributes").as_deref(), Some("polite"));

        tab_back_to(&client, "#phone-status a").await;
        press(&client, &Key::Enter).await;
        wait_to_leave(&client, "/constituents/new").await;
        assert_eq!(current_path(&client).await, format!("/constituents/{olga}"));
        wait_for_text(&client, "h1", "Olga Parent").await;
    })
    .await;
}

async fn a_parent_signs_in_to_the_portal_by_keyboard(app: TestApp) {
    three_people(&app).await;

    with_browser(move |client| async move {
        go_to(&client, &app.url("/portal/sign-in")).await;

        tab_to(&client, "#phone").await;
        press(&client, "201.555.0143").await;
        press(&client, &Key::Enter).await;
        wait_to_leave(&client, "/portal/sign-in").await;

        let code = code_in(&app.wait_for_texts(OLGAS_NUMBER, 1).await[0]);
        tab_to(&client, "#code").await;
        press(&client, &code).await;
        press(&client, &Key::Enter).await;

        wait_to_leave(&client, "/portal/verify").await;
        assert_eq!(current_path(&client).await, "/portal");
        wait_for_text(&client, "h1", "Olga Parent").await;
    })
    .await;
}

on_both_databases!(
    the_setup_and_sign_in_pages_pass_the_checks,
    the_directory_pages_pass_the_checks,
    the_staff_and_audit_pages_pass_the_checks,
    the_portal_pages_pass_the_checks,
    a_taken_number_is_flagged_and_its_holder_reached_by_keyboard,
    a_parent_signs_in_to_the_portal_by_keyboard,
);
