use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{Page, TestApp, id_from_location, location};

/// The fields of a new parent whose one number is the Portal number.
fn parent(first: &str, number: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", first.to_owned()),
        ("last_name", "Rivera".to_owned()),
        ("persona", "parent".to_owned()),
        ("email", String::new()),
        ("phone", number.to_owned()),
        ("phone_type", "mobile".to_owned()),
        ("phone_sms", "on".to_owned()),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// The edit form's fields as the edit page shows them, with some replaced.
async fn edit_fields(app: &TestApp, id: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let page = Page::of(app.get(&format!("/constituents/{id}/edit")).await).await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in [
        "first_name",
        "last_name",
        "email",
        "sms_number",
        "phone_1",
        "phone_2",
        "phone_3",
        "phone_4",
    ] {
        fields.push((
            name.into(),
            page.value(&format!("#{name}")).unwrap_or_default(),
        ));
    }
    for name in [
        "sms_number_type",
        "phone_1_type",
        "phone_2_type",
        "phone_3_type",
        "phone_4_type",
    ] {
        let selected = page
            .value(&format!("#{name} option[selected]"))
            .unwrap_or_default();
        fields.push((name.into(), selected));
    }
    for persona in ["parent", "student", "staff"] {
        if page.has(&format!("input[name=persona][value={persona}][checked]")) {
            fields.push(("persona".into(), persona.into()));
        }
    }
    for (name, value) in changes {
        fields.retain(|(field, _)| field != name);
        fields.push((name.to_string(), value.to_string()));
    }
    fields
}

async fn post_edit(app: &TestApp, id: i64, changes: &[(&str, &str)]) -> reqwest::Response {
    let fields = edit_fields(app, id, changes).await;
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form(&format!("/constituents/{id}"), &fields).await
}

async fn a_new_parent_with_the_sms_box_gets_a_portal_number(app: TestApp) {
    app.sign_in_as_admin().await;

    let response = app
        .create_constituent(&borrowed(&parent("Ana", "(201) 555-0143")))
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let profile = Page::of(app.get(&location(&response)).await).await;
    assert_eq!(profile.text_of("h1").as_deref(), Some("Ana Rivera"));
    let sms = profile.text_of("#sms-number").unwrap();
    assert!(sms.contains("(201) 555-0143"), "{sms}");
    assert!(
        sms.contains("Landline or mobile"),
        "the kind is shown: {sms}"
    );
    assert!(
        profile
            .text_of("#portal")
            .unwrap()
            .contains("Parent Portal")
    );
}

async fn without_the_sms_box_the_number_is_a_general_one(app: TestApp) {
    app.sign_in_as_admin().await;
    let mut fields = parent("Ben", "201 555 0100");
    fields.retain(|(name, _)| *name != "phone_sms");

    let response = app.create_constituent(&borrowed(&fields)).await;

    let id = id_from_location(&response);
    let profile = Page::of(app.get(&format!("/constituents/{id}")).await).await;
    assert_eq!(profile.text_of("#sms-number").as_deref(), Some("None"));
    assert!(
        profile
            .text_of("#phone-numbers")
            .unwrap()
            .contains("(201) 555-0100")
    );
    let edit = Page::of(app.get(&format!("/constituents/{id}/edit")).await).await;
    assert_eq!(edit.value("#phone_1").as_deref(), Some("(201) 555-0100"));
    assert_eq!(
        edit.value("#phone_1_type option[selected]").as_deref(),
        Some("mobile")
    );
}

async fn a_taken_number_is_flagged_with_its_owner(app: TestApp) {
    app.sign_in_as_admin().await;
    let owner = app
        .create_parent_with_portal_number("Olga", "+1 201-555-0143")
        .await;

    let typed = parent("Pablo", "201.555.0143");
    let page = Page::of(app.create_constituent(&borrowed(&typed)).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page
        .text_of("#phone-error")
        .expect("a message next to the number");
    assert!(error.contains("Olga Parent"), "{error}");
    let href = page.attribute("#phone-error a", "href");
    assert_eq!(href, Some(format!("/constituents/{owner}")));
    assert!(page.has(".error-summary a[href='#phone']"));
    assert_eq!(page.value("#first_name").as_deref(), Some("Pablo"));
    assert_eq!(page.value("#phone").as_deref(), Some("201.555.0143"));
    assert!(page.has("#phone_sms[checked]"));
    assert!(page.has("input[name=persona][value=parent][checked]"));
    let search = Page::of(app.get("/constituents?q=pablo").await).await;
    assert!(!search.text.contains("Pablo Rivera"), "nothing was saved");
}

async fn an_edit_that_takes_someone_elses_number_is_refused(app: TestApp) {
    app.sign_in_as_admin().await;
    let owner = app
        .create_parent_with_portal_number("Olga", "+12015550143")
        .await;
    let other = app
        .create_parent_with_portal_number("Pia", "+12015550199")
        .await;

    let page = Page::of(
        post_edit(
            &app,
            other,
            &[("sms_number", "(201) 555 0143"), ("last_name", "Changed")],
        )
        .await,
    )
    .await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page
        .text_of("#sms_number-error")
        .expect("a message next to the field");
    assert!(error.contains("Olga Parent"), "{error}");
    assert_eq!(
        page.attribute("#sms_number-error a", "href"),
        Some(format!("/constituents/{owner}"))
    );
    assert_eq!(page.value("#last_name").as_deref(), Some("Changed"));
    let profile = Page::of(app.get(&format!("/constituents/{other}")).await).await;
    assert_eq!(
        profile.text_of("h1").as_deref(),
        Some("Pia Parent"),
        "nothing was saved"
    );
    assert!(profile.text_of("#sms-number").unwrap().contains("555-0199"));
}

async fn keeping_ones_own_number_is_no_conflict(app: TestApp) {
    app.sign_in_as_admin().await;
    let id = app
        .create_parent_with_portal_number("Olga", "+12015550143")
        .await;

    let response = post_edit(
        &app,
        id,
        &[("first_name", "Olgа"), ("sms_number", "2015550143")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/constituents/{id}"));
}

async fn general_numbers_may_repeat_with_a_quiet_note(app: TestApp) {
    app.sign_in_as_admin().await;
    let mum = app
        .create_parent_with_portal_number("Mum", "+12015550143")
        .await;
    let child = app
        .create_constituent(&[
            ("first_name", "Kid"),
            ("last_name", "Rivera"),
            ("persona", "student"),
        ])
        .await;
    let child = id_from_location(&child);

    let response = post_edit(
        &app,
        child,
        &[("phone_1", "201-555-0143"), ("phone_2", "201-555-0143")],
    )
    .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let profile = Page::of(app.get(&format!("/constituents/{child}")).await).await;
    let numbers = profile.text_of("#phone-numbers").unwrap();
    assert!(
        numbers.contains("Also the Portal Access/SMS Number of Mum Parent"),
        "{numbers}"
    );
    assert!(profile.has(&format!("#phone-numbers a[href='/constituents/{mum}']")));
}

async fn a_landline_needs_confirming_before_it_takes_texts(app: TestApp) {
    app.sign_in_as_admin().await;
    let typed = parent("Lena", "+44 20 7946 0958");

    let page = Page::of(app.create_constituent(&borrowed(&typed)).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text_of("#phone-error").unwrap().contains("landline"));
    assert!(page.has("input#confirm_sms_capable"));
    let mut confirmed = typed.clone();
    confirmed.push(("confirm_sms_capable", "on".into()));
    let response = app.create_constituent(&borrowed(&confirmed)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mobile = app
        .create_constituent(&borrowed(&parent("Mo", "+44 7400 123456")))
        .await;
    assert_eq!(
        mobile.status(),
        StatusCode::SEE_OTHER,
        "a mobile needs no confirming"
    );
}

async fn a_portal_number_has_no_extension_but_a_general_one_may(app: TestApp) {
    app.sign_in_as_admin().await;

    let page = Page::of(
        app.create_constituent(&borrowed(&parent("Eva", "201 555 0143 ext. 12")))
            .await,
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text_of("#phone-error").unwrap().contains("extension"));

    let mut general = parent("Eva", "201 555 0143 ext. 12");
    general.retain(|(name, _)| *name != "phone_sms");
    let response = app.create_constituent(&borrowed(&general)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let profile = Page::of(app.get(&location(&response)).await).await;
    assert!(
        profile
            .text_of("#phone-numbers")
            .unwrap()
            .contains("ext. 12")
    );
}

async fn mistakes_are_shown_next_to_their_fields_and_nothing_is_lost(app: TestApp) {
    app.sign_in_as_admin().await;
    let fields = [
        ("first_name", "  "),
        ("last_name", "<b>Bold</b>"),
        ("email", "not-an-address"),
        ("phone", "555-01"),
        ("phone_type", "work"),
    ];

    let page = Page::of(app.create_constituent(&fields).await).await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["first_name", "persona", "email", "phone"] {
        assert!(
            page.has(&format!("#{field}-error")),
            "{field} has a message"
        );
        assert!(
            page.has(&format!(".error-summary a[href='#{field}']")),
            "{field} is summarised"
        );
    }
    assert!(!page.has("#last_name-error"));
    assert!(page.text_of("#phone-error").unwrap().contains("too short"));
    assert_eq!(page.value("#last_name").as_deref(), Some("<b>Bold</b>"));
    assert!(!page.text.contains("<b>Bold</b>"), "typed text is escaped");
    assert_eq!(page.value("#email").as_deref(), Some("not-an-address"));
    assert_eq!(page.value("#phone").as_deref(), Some("555-01"));
    assert_eq!(
        page.value("#phone_type option[selected]").as_deref(),
        Some("work")
    );
    assert!(page.text_of("title").unwrap().starts_with("Error:"));
}

async fn an_empty_number_field_clears_that_number(app: TestApp) {
    app.sign_in_as_admin().await;
    let id = app
        .create_parent_with_portal_number("Olga", "+12015550143")
        .await;

    let response = post_edit(&app, id, &[("sms_number", "")]).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let profile = Page::of(app.get(&format!("/constituents/{id}")).await).await;
    assert_eq!(profile.text_of("#sms-number").as_deref(), Some("None"));
    let again = app
        .create_parent_with_portal_number("Newcomer", "201 555 0143")
        .await;
    assert_ne!(again, id, "the number is free again");
}

async fn deleting_a_constituent_frees_their_number(app: TestApp) {
    app.sign_in_as_admin().await;
    let id = app
        .create_parent_with_portal_number("Olga", "+12015550143")
        .await;
    assert_eq!(
        app.get(&format!("/constituents/{id}/delete"))
            .await
            .status(),
        StatusCode::OK
    );

    let response = app
        .post_form(&format!("/constituents/{id}/delete"), &[])
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/constituents/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    app.create_parent_with_portal_number("Newcomer", "(201) 555-0143")
        .await;
}

async fn missing_and_malformed_ids_answer_not_found(app: TestApp) {
    app.sign_in_as_admin().await;

    for path in [
        "/constituents/999999",
        "/constituents/abc",
        "/constituents/-1/edit",
        "/constituents/1x/delete",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let response = app
        .post_form(
            "/constituents/999999",
            &[
                ("first_name", "A"),
                ("last_name", "B"),
                ("persona", "parent"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn the_directory_finds_names_numbers_and_last_digits(app: TestApp) {
    app.sign_in_as_admin().await;
    app.create_parent_with_portal_number("Olga", "+12015550143")
        .await;
    app.create_parent_with_portal_number("Omar", "+12015550188")
        .await;
    app.create_constituent(&[
        ("first_name", "Zoë"),
        ("last_name", "Quinn"),
        ("persona", "staff"),
        ("phone", "(973) 555-0143"),
    ])
    .await;

    let search = |q: &str| {
        let path = format!(
            "/constituents?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let app = &app;
        async move { Page::of(app.get(&path).await).await.text }
    };
    let by_prefix = search("ol").await;
    assert!(
        by_prefix.contains("Olga Parent") && !by_prefix.contains("Omar"),
        "{by_prefix}"
    );
    assert!(search("ZOË qu").await.contains("Zoë Quinn"));
    let by_number = search("201.555.0143").await;
    assert!(by_number.contains("Olga Parent") && !by_number.contains("Zoë"));
    let by_last_four = search("0143").await;
    assert!(by_last_four.contains("Olga Parent") && by_last_four.contains("Zoë Quinn"));
    assert!(!by_last_four.contains("Omar"));
    assert!(search("nobody").await.contains("No one matches"));
}

async fn the_directory_pages_through_everyone(app: TestApp) {
    app.sign_in_as_admin().await;
    for n in 0..55 {
        let first = format!("Person{n:02}");
        app.create_constituent(&[
            ("first_name", &first),
            ("last_name", "Same"),
            ("persona", "student"),
        ])
        .await;
    }

    let first = Page::of(app.get("/constituents").await).await;
    let second = Page::of(app.get("/constituents?page=2").await).await;

    assert_eq!(
        first
            .html
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        50
    );
    assert!(first.has("a[rel=next]") && !first.has("a[rel=prev]"));
    assert_eq!(
        second
            .html
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        5
    );
    assert!(second.has("a[rel=prev]") && !second.has("a[rel=next]"));
    assert!(second.text.contains("Person54 Same"));
}

async fn the_number_check_names_the_holder(app: TestApp) {
    app.sign_in_as_admin().await;
    let owner = app
        .create_parent_with_portal_number("Olga", "+12015550143")
        .await;

    let taken: serde_json::Value = app
        .get_json("/phone-numbers/check?number=201-555-0143")
        .await
        .json()
        .await
        .unwrap();
    let own: serde_json::Value = app
        .get_json(&format!(
            "/phone-numbers/check?number=2015550143&exclude={owner}"
        ))
        .await
        .json()
        .await
        .unwrap();
    let bad: serde_json::Value = app
        .get_json("/phone-numbers/check?number=12")
        .await
        .json()
        .await
        .unwrap();
    let html = Page::of(app.get("/phone-numbers/check?number=201-555-0143").await).await;

    assert_eq!(taken["valid"], true);
    assert_eq!(taken["e164"], "+12015550143");
    assert_eq!(taken["kind"], "fixed_line_or_mobile");
    assert_eq!(taken["in_use_by"]["id"], owner);
    assert_eq!(taken["in_use_by"]["name"], "Olga Parent");
    assert_eq!(taken["in_use_by"]["url"], format!("/constituents/{owner}"));
    assert_eq!(own["in_use_by"], serde_json::Value::Null);
    assert_eq!(bad["valid"], false);
    assert_eq!(
        html.attribute("a", "href"),
        Some(format!("/constituents/{owner}"))
    );
    let stranger = app.another_browser();
    assert_eq!(
        stranger.get("/phone-numbers/check?number=1").await.status(),
        StatusCode::SEE_OTHER
    );
}

async fn simultaneous_claims_of_one_number_leave_one_holder(app: TestApp) {
    app.sign_in_as_admin().await;
    let spellings = [
        "+1 201 555 0143",
        "(201) 555-0143",
        "201.555.0143",
        "011 1 201 555 0143",
    ];

    let mut tasks = Vec::new();
    for n in 0..24 {
        let client = app.client.clone();
        let (url, token) = (app.url("/constituents"), app.csrf_token().await);
        let number = spellings[n % 4];
        tasks.push(actix_web::rt::spawn(async move {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf_token", token.as_str()),
                    ("first_name", &format!("Claimant{n}")),
                    ("last_name", "Race"),
                    ("persona", "parent"),
                    ("phone", number),
                    ("phone_sms", "on"),
                ])
                .finish();
            let response = client
                .post(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }

    let created = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::SEE_OTHER)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY)
        .collect();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 23);
    for (_, body) in refused {
        assert!(body.contains("Race</a>"), "the winner is named");
    }
    let holders = Page::of(app.get("/constituents?q=%2B12015550143").await).await;
    assert_eq!(
        holders
            .html
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        1
    );
}

async fn simultaneous_edits_claiming_one_number_leave_one_holder(app: TestApp) {
    app.sign_in_as_admin().await;
    let mut ids = Vec::new();
    for n in 0..24 {
        let response = app
            .create_constituent(&[
                ("first_name", &format!("Editor{n}")),
                ("last_name", "Race"),
                ("persona", "parent"),
            ])
            .await;
        ids.push(id_from_location(&response));
    }
    let token = app.csrf_token().await;

    let mut tasks = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/constituents/{id}")),
            token.clone(),
        );
        let number = [
            "+1 201 555 0143",
            "(201) 555-0143",
            "201.555.0143",
            "2015550143",
        ][n % 4];
        tasks.push(actix_web::rt::spawn(async move {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf_token", token.as_str()),
                    ("first_name", &format!("Editor{n}")),
                    ("last_name", "Race"),
                    ("persona", "parent"),
                    ("sms_number", number),
                    ("sms_number_type", "mobile"),
                ])
                .finish();
            client
                .post(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }

    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count(),
        23
    );
    let holders = Page::of(app.get("/constituents?q=2015550143").await).await;
    assert_eq!(
        holders
            .html
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .count(),
        1
    );
}

on_both_databases!(
    a_new_parent_with_the_sms_box_gets_a_portal_number,
    without_the_sms_box_the_number_is_a_general_one,
    a_taken_number_is_flagged_with_its_owner,
    an_edit_that_takes_someone_elses_number_is_refused,
    keeping_ones_own_number_is_no_conflict,
    general_numbers_may_repeat_with_a_quiet_note,
    a_landline_needs_confirming_before_it_takes_texts,
    a_portal_number_has_no_extension_but_a_general_one_may,
    mistakes_are_shown_next_to_their_fields_and_nothing_is_lost,
    an_empty_number_field_clears_that_number,
    deleting_a_constituent_frees_their_number,
    missing_and_malformed_ids_answer_not_found,
    the_directory_finds_names_numbers_and_last_digits,
    the_directory_pages_through_everyone,
    the_number_check_names_the_holder,
    simultaneous_claims_of_one_number_leave_one_holder,
    simultaneous_edits_claiming_one_number_leave_one_holder,
);
