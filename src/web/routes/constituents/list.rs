//! The directory: everyone, or a search by name or phone number.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::config::Settings;
use crate::db::Database;
use crate::db::constituents::{self, Filter};
use crate::domain::constituent::search_key;
use crate::domain::phone::{PhoneNumber, Region, display_stored};
use crate::web::auth::{StaffUser, Viewer};
use crate::web::error::{AppError, urlencode};
use crate::web::page;

const PAGE_SIZE: i64 = 50;
/// Deep pages cost a scan of the rows before them; past this, a search is the way.
const LAST_PAGE: i64 = 200;

struct Row {
    id: i64,
    name: String,
    personas: Vec<&'static str>,
    portal_number: Option<String>,
}

#[derive(Template)]
#[template(path = "constituents/list.html")]
struct ListPage {
    viewer: Option<Viewer>,
    q: String,
    hint: Option<&'static str>,
    rows: Vec<Row>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    page: String,
}

pub async fn show(
    staff: StaffUser,
    query: web::Query<ListQuery>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let region = settings.default_region;
    let page_number = query.page.parse::<i64>().unwrap_or(1).clamp(1, LAST_PAGE);
    let (filter, hint) = match filter_for(&query.q, region) {
        Ok(filter) => (Some(filter), None),
        Err(hint) => (None, Some(hint)),
    };

    let (mut found, portal_numbers) = match filter {
        Some(filter) => {
            db.run(move |conn| {
                let found =
                    constituents::list(conn, &filter, (page_number - 1) * PAGE_SIZE, PAGE_SIZE)?;
                let ids: Vec<i64> = found.iter().map(|row| row.id).collect();
                Ok((found, constituents::portal_numbers_of(conn, &ids)?))
            })
            .await?
        }
        None => (Vec::new(), Vec::new()),
    };
    let has_next = found.len() as i64 > PAGE_SIZE && page_number < LAST_PAGE;
    found.truncate(PAGE_SIZE as usize);

    let shown: HashMap<i64, String> = portal_numbers
        .into_iter()
        .map(|row| (row.constituent_id, display_stored(&row.e164, None, region)))
        .collect();
    let rows = found
        .into_iter()
        .map(|person| Row {
            portal_number: shown.get(&person.id).cloned(),
            personas: person.personas().titles(),
            name: person.full_name(),
            id: person.id,
        })
        .collect();

    let link = |n: i64| format!("/constituents?q={}&page={n}", urlencode(&query.q));
    page(&ListPage {
        viewer: Some(staff.viewer),
        q: query.q.clone(),
        hint,
        rows,
        page: page_number,
        previous: (page_number > 1).then(|| link(page_number - 1)),
        next: has_next.then(|| link(page_number + 1)),
    })
}

/// What a search box entry asks for: names when it has letters; otherwise a
/// whole number in any spelling, or the last four digits of one.
fn filter_for(q: &str, region: Region) -> Result<Filter, &'static str> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Filter::Everyone);
    }
    if q.chars().any(char::is_alphabetic) {
        let words = q.split_whitespace().take(4).map(search_key).collect();
        return Ok(Filter::NamePrefixes(words));
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 4 && !q.starts_with('+') {
        return Ok(Filter::LastFour(digits));
    }
    PhoneNumber::parse(q, region)
        .map(|number| Filter::Number(number.e164().to_owned()))
        .map_err(|_| "To search by phone number, type the whole number or its last four digits.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_read_names_numbers_and_last_digits() {
        let us: Region = "US".parse().unwrap();
        assert_eq!(filter_for("  ", us), Ok(Filter::Everyone));
        assert_eq!(
            filter_for("Ann  LEE", us),
            Ok(Filter::NamePrefixes(vec!["ann".into(), "lee".into()]))
        );
        assert_eq!(filter_for("0143", us), Ok(Filter::LastFour("0143".into())));
        assert_eq!(
            filter_for("(201) 555-0143", us),
            Ok(Filter::Number("+12015550143".into()))
        );
        assert!(filter_for("55", us).is_err());
    }
}
