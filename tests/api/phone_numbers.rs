//! Homeroom reads phone numbers as Google's libphonenumber does. The expected
//! answers in `tests/data` come from another port of libphonenumber; each row
//! is checked through the number check that staff pages use, with the row's
//! region as the school's default region.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Backend, TestApp};

struct Row {
    region: String,
    typed: String,
    expected: Vec<String>,
}

/// Rows of a tab-separated table, grouped by default region.
fn table(text: &str) -> BTreeMap<String, Vec<Row>> {
    let mut rows: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let mut cells = line.split('\t').map(str::to_owned);
        let region = cells.next().expect("a region");
        let typed = cells.next().expect("a typed number");
        rows.entry(region.clone()).or_default().push(Row {
            region,
            typed,
            expected: cells.collect(),
        });
    }
    rows
}

/// What `/phone-numbers/check` says of `typed` in an app whose default region is `region`.
async fn check(app: &TestApp, typed: &str) -> Value {
    let path = format!("/phone-numbers/check?number={}", urlencode(typed));
    let response = app.get_json(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn app_for(region: &str) -> TestApp {
    let env = [("HOMEROOM_DEFAULT_REGION", region)];
    let app = TestApp::spawn_with(Backend::Sqlite, &env)
        .await
        .expect("an app");
    app.sign_in_as_admin().await;
    app
}

#[actix_web::test]
async fn numbers_from_many_countries_read_as_libphonenumber_reads_them() {
    let rows = table(include_str!("../data/phone_numbers.tsv"));
    assert!(rows.values().map(Vec::len).sum::<usize>() >= 120);
    assert!(
        rows.len() >= 12,
        "numbers typed in the national format of 12 regions or more"
    );

    let mut wrong = Vec::new();
    for (region, rows) in &rows {
        let app = app_for(region).await;
        for row in rows {
            let answer = check(&app, &row.typed).await;
            let (e164, kind) = (&row.expected[0], row.expected[1].to_lowercase());
            if answer["valid"] != true || answer["e164"] != *e164 || answer["kind"] != *kind {
                wrong.push(format!(
                    "{} {:?}: expected {e164} {kind}, got {answer}",
                    row.region, row.typed
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[actix_web::test]
async fn numbers_libphonenumber_refuses_are_refused() {
    let rows = table(include_str!("../data/invalid_phone_numbers.tsv"));

    let mut accepted = Vec::new();
    for (region, rows) in &rows {
        let app = app_for(region).await;
        for row in rows {
            let answer = check(&app, &row.typed).await;
            if answer["valid"] != false || answer["e164"] != Value::Null {
                accepted.push(format!(
                    "{:?} ({}): got {answer}",
                    row.typed, row.expected[0]
                ));
            }
        }
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}
