use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{Page, TestApp, id_from_location, location};

const OFFICE_PASSWORD: &str = "mellow harbour thistle engine";

/// The rows of the table under `selector`, each as its cells' text.
fn rows(page: &Page, selector: &str) -> Vec<Vec<String>> {
    let rows = scraper::Selector::parse(&format!("{selector} tbody tr")).unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    page.html
        .select(&rows)
        .map(|row| {
            row.select(&cells)
                .map(|cell| cell.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .collect()
}

async fn edit_portal_number(app: &TestApp, id: i64, number: &str) -> reqwest::Response {
    let fields = [
        ("first_name", "Ana"),
        ("last_name", "Parent"),
        ("persona", "parent"),
        ("sms_number", number),
        ("sms_number_type", "mobile"),
    ];
    app.post_form(&format!("/constituents/{id}"), &fields).await
}

async fn every_portal_number_change_is_listed_on_the_profile(app: TestApp) {
    app.sign_in_as_admin().await;
    let id = app
        .create_parent_with_portal_number("Ana", "201 555 0143")
        .await;
    edit_portal_number(&app, id, "201 555 0199").await;
    edit_portal_number(&app, id, "").await;

    let profile = Page::of(app.get(&format!("/constituents/{id}")).await).await;

    let history = rows(&profile, "#history");
    assert_eq!(history.len(), 3, "{history:?}");
    assert_eq!(
        history[0][1..],
        ["admin", "Portal number cleared", "(201) 555-0199", "None"]
    );
    assert_eq!(
        history[1][1..],
        [
            "admin",
            "Portal number changed",
            "(201) 555-0143",
            "(201) 555-0199"
        ]
    );
    assert_eq!(
        history[2][1..],
        ["admin", "Portal number set", "None", "(201) 555-0143"]
    );
    assert!(history[0][0].ends_with("UTC"), "{}", history[0][0]);
}

async fn the_audit_trail_lists_changes_and_staff_events_with_filters(app: TestApp) {
    app.sign_in_as_admin().await;
    let fields = [
        ("username", "frontdesk"),
        ("role", "office"),
        ("password", OFFICE_PASSWORD),
    ];
    app.post_form("/staff", &fields).await;
    let office = app.another_browser();
    office.sign_in("frontdesk", OFFICE_PASSWORD).await;
    office
        .create_parent_with_portal_number("Bea", "201 555 0111")
        .await;
    let ana = app
        .create_parent_with_portal_number("Ana", "201 555 0143")
        .await;
    app.post_form(&format!("/constituents/{ana}/delete"), &[])
        .await;

    let everything = Page::of(app.get("/audit").await).await;
    let by_office = Page::of(app.get("/audit?staff=frontdesk").await).await;
    let about_ana = Page::of(app.get("/audit?person=ana").await).await;
    let tomorrow = (app.clock.now() + chrono::TimeDelta::days(1)).format("%Y-%m-%d");
    let later = Page::of(app.get(&format!("/audit?from={tomorrow}")).await).await;

    let all = rows(&everything, "main");
    let actions: Vec<&str> = all.iter().map(|row| row[2].as_str()).collect();
    assert_eq!(
        actions[0], "Profile deleted with its Portal number",
        "newest first: {actions:?}"
    );
    assert!(actions.contains(&"Staff account created"));
    assert!(actions.contains(&"Portal number set"));
    let office_rows = rows(&by_office, "main");
    assert_eq!(office_rows.len(), 1);
    assert_eq!(office_rows[0][3], "Bea Parent");
    assert!(
        rows(&about_ana, "main")
            .iter()
            .all(|row| row[3] == "Ana Parent")
    );
    assert_eq!(rows(&about_ana, "main").len(), 2);
    assert!(rows(&later, "main").is_empty());
}

async fn an_admin_moves_a_taken_number_in_one_confirmed_step(app: TestApp) {
    app.sign_in_as_admin().await;
    let holder = app
        .create_parent_with_portal_number("Olga", "201 555 0143")
        .await;
    let newcomer = app
        .create_parent_with_portal_number("Pia", "201 555 0199")
        .await;
    let parent = app.another_browser();
    let code = parent
        .request_portal_code("2015550143", "+12015550143")
        .await;
    parent.post_form("/portal/verify", &[("code", &code)]).await;
    assert_eq!(parent.get("/portal").await.status(), StatusCode::OK);

    let flagged = Page::of(edit_portal_number(&app, newcomer, "(201) 555-0143").await).await;
    let offer = flagged
        .attribute("#sms_number-error a.field-error__action", "href")
        .expect("an offer to move");
    let confirm = Page::of(app.get(&offer).await).await;
    let summary = confirm.text_of("#move-summary").unwrap();
    assert!(
        summary.contains("Olga Parent") && summary.contains("Pia Parent"),
        "{summary}"
    );
    let number = confirm.value("input[name=number]").unwrap();
    let response = app
        .post_form(
            &format!("/constituents/{newcomer}/move-number"),
            &[("number", &number)],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/constituents/{newcomer}"));
    let pia = Page::of(app.get(&format!("/constituents/{newcomer}")).await).await;
    assert!(
        pia.text_of("#sms-number")
            .unwrap()
            .contains("(201) 555-0143")
    );
    assert_eq!(rows(&pia, "#history")[0][2], "Portal number moved here");
    let olga = Page::of(app.get(&format!("/constituents/{holder}")).await).await;
    assert_eq!(olga.text_of("#sms-number").as_deref(), Some("None"));
    assert_eq!(rows(&olga, "#history")[0][2], "Portal number moved away");
    assert_eq!(
        parent.get("/portal").await.status(),
        StatusCode::SEE_OTHER,
        "Olga's portal session ended"
    );
}

async fn office_staff_see_the_flag_without_the_offer_to_move(app: TestApp) {
    app.sign_in_as_admin().await;
    app.create_parent_with_portal_number("Olga", "201 555 0143")
        .await;
    let newcomer = app
        .create_parent_with_portal_number("Pia", "201 555 0199")
        .await;
    app.post_form(
        "/staff",
        &[
            ("username", "frontdesk"),
            ("role", "office"),
            ("password", OFFICE_PASSWORD),
        ],
    )
    .await;
    let office = app.another_browser();
    office.sign_in("frontdesk", OFFICE_PASSWORD).await;

    let flagged = Page::of(edit_portal_number(&office, newcomer, "(201) 555-0143").await).await;
    let check = format!("/phone-numbers/check?number=2015550143&exclude={newcomer}");
    let office_fragment = Page::of(office.get(&check).await).await;
    let admin_fragment = Page::of(app.get(&check).await).await;

    assert!(flagged.has("#sms_number-error a"), "the holder is linked");
    assert!(!flagged.has("#sms_number-error a.field-error__action"));
    assert!(!office_fragment.text.contains("move-number"));
    assert!(
        admin_fragment
            .text
            .contains(&format!("/constituents/{newcomer}/move-number"))
    );
}

async fn a_move_racing_new_claims_still_leaves_one_holder(app: TestApp) {
    app.sign_in_as_admin().await;
    app.create_parent_with_portal_number("Olga", "201 555 0143")
        .await;
    let target = app
        .create_constituent(&[
            ("first_name", "Pia"),
            ("last_name", "Parent"),
            ("persona", "parent"),
        ])
        .await;
    let target = id_from_location(&target);
    let token = app.csrf_token().await;

    let mut tasks = Vec::new();
    for n in 0..12 {
        let (client, token) = (app.client.clone(), token.clone());
        let (path, fields): (String, Vec<(&str, String)>) = if n == 0 {
            (
                format!("/constituents/{target}/move-number"),
                vec![("number", "+12015550143".into())],
            )
        } else {
            (
                "/constituents".into(),
                vec![
                    ("first_name", format!("Rival{n}")),
                    ("last_name", "Race".into()),
                    ("persona", "parent".into()),
                    ("phone", "2015550143".into()),
                    ("phone_sms", "on".into()),
                ],
            )
        };
        let url = app.url(&path);
        tasks.push(actix_web::rt::spawn(async move {
            let mut body = form_urlencoded::Serializer::new(String::new());
            body.append_pair("csrf_token", &token);
            for (name, value) in &fields {
                body.append_pair(name, value);
            }
            let response = client
                .post(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.finish())
                .send()
                .await
                .unwrap();
            response.status()
        }));
    }
    for task in tasks {
        let status = task.await.unwrap();
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{status}"
        );
    }

    let holders = Page::of(app.get("/constituents?q=%2B12015550143").await).await;
    let portal_holders = rows(&holders, "main")
        .iter()
        .filter(|row| row[2] == "(201) 555-0143")
        .count();
    assert_eq!(portal_holders, 1, "{:?}", rows(&holders, "main"));
}

on_both_databases!(
    every_portal_number_change_is_listed_on_the_profile,
    the_audit_trail_lists_changes_and_staff_events_with_filters,
    an_admin_moves_a_taken_number_in_one_confirmed_step,
    office_staff_see_the_flag_without_the_offer_to_move,
    a_move_racing_new_claims_still_leaves_one_holder,
);
