//! The audit trail: every recorded change, newest first, for administrators.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::Settings;
use crate::db::Database;
use crate::db::audit::{self, Action, EventRow, Filter};
use crate::domain::phone::{Region, display_stored};
use crate::web::auth::{AdminUser, Viewer};
use crate::web::error::{AppError, urlencode};
use crate::web::page;

const PAGE_SIZE: i64 = 100;

/// One recorded change as a history table shows it.
pub struct HistoryRow {
    pub when: String,
    pub by: String,
    pub what: &'static str,
    pub person: Option<(i64, String)>,
    pub account: Option<String>,
    pub old_value: String,
    pub new_value: String,
}

impl HistoryRow {
    pub fn new(row: EventRow, region: Region) -> Self {
        let action = Action::parse(&row.action);
        let about_numbers = action.is_some_and(Action::is_about_numbers);
        let shown = |value: Option<String>| match value {
            None => "None".to_owned(),
            Some(number) if about_numbers => display_stored(&number, None, region),
            Some(other) => other,
        };
        Self {
            when: row.occurred_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            by: row.actor_username,
            what: action.map_or("Unknown change", Action::title),
            person: row.constituent_id.zip(row.constituent_name),
            account: row.staff_username,
            old_value: shown(row.old_value),
            new_value: shown(row.new_value),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    viewer: Option<Viewer>,
    query: AuditQuery,
    rows: Vec<HistoryRow>,
    page: i64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

impl AuditQuery {
    fn filter(&self) -> Filter {
        let text = |value: &str| Some(value.trim().to_lowercase()).filter(|v| !v.is_empty());
        let date = |value: &str| NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok();
        Filter {
            person: text(&self.person),
            actor: text(&self.staff),
            from: date(&self.from),
            to: date(&self.to),
        }
    }

    fn link(&self, page: i64) -> String {
        format!(
            "/audit?person={}&staff={}&from={}&to={}&page={page}",
            urlencode(&self.person),
            urlencode(&self.staff),
            urlencode(&self.from),
            urlencode(&self.to)
        )
    }
}

pub async fn show(
    admin: AdminUser,
    query: web::Query<AuditQuery>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let page_number = query.page.parse::<i64>().unwrap_or(1).clamp(1, 1000);
    let filter = query.filter();
    let offset = (page_number - 1) * PAGE_SIZE;
    let mut found = db
        .run(move |conn| audit::list(conn, &filter, offset, PAGE_SIZE))
        .await?;
    let has_next = found.len() as i64 > PAGE_SIZE;
    found.truncate(PAGE_SIZE as usize);

    let rows = found
        .into_iter()
        .map(|row| HistoryRow::new(row, settings.default_region));
    page(&AuditPage {
        viewer: Some(admin.0.viewer),
        rows: rows.collect(),
        page: page_number,
        previous: (page_number > 1).then(|| query.link(page_number - 1)),
        next: has_next.then(|| query.link(page_number + 1)),
        query,
    })
}
