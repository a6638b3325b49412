//! A constituent's profile.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::form::holder_link;
use super::{load, parse_id};
use crate::config::Settings;
use crate::db::{Database, audit, constituents};
use crate::domain::constituent::{PhoneLabel, Slot};
use crate::domain::phone::{PhoneNumber, Region, display_stored};
use crate::web::auth::{StaffUser, Viewer};
use crate::web::error::AppError;
use crate::web::routes::audit::HistoryRow;
use crate::web::{Link, page};

/// One stored number as the profile shows it.
struct NumberView {
    shown: String,
    e164: String,
    label: &'static str,
    kind: &'static str,
    /// Whose Portal number this general number also is, if anyone else's.
    portal_of: Option<Link>,
}

impl NumberView {
    fn new(row: &constituents::PhoneRow, region: Region) -> Self {
        let number = PhoneNumber::from_stored(&row.e164, row.extension.as_deref());
        Self {
            shown: display_stored(&row.e164, row.extension.as_deref(), region),
            e164: row.e164.clone(),
            label: PhoneLabel::parse(&row.label).map_or("Other", PhoneLabel::title),
            kind: number.map_or("Unknown kind", |n| n.kind().label()),
            portal_of: None,
        }
    }
}

#[derive(Template)]
#[template(path = "constituents/profile.html")]
struct ProfilePage {
    viewer: Option<Viewer>,
    id: i64,
    name: String,
    email: Option<String>,
    personas: Vec<&'static str>,
    is_parent: bool,
    portal_number: Option<NumberView>,
    general_numbers: Vec<NumberView>,
    rows: Vec<HistoryRow>,
}

pub async fn show(
    staff: StaffUser,
    path: web::Path<String>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let person = load(&db, id).await?;
    let (rows, history) = db
        .run(move |conn| {
            let numbers = constituents::numbers_of(conn, id)?;
            Ok((numbers, audit::for_constituent(conn, id)?))
        })
        .await?;

    let region = settings.default_region;
    let mut portal_number = None;
    let mut general_numbers = Vec::new();
    for row in &rows {
        match Slot::from_index(row.slot) {
            Some(Slot::Portal) => portal_number = Some(NumberView::new(row, region)),
            _ => general_numbers.push(NumberView::new(row, region)),
        }
    }
    for view in &mut general_numbers {
        let e164 = view.e164.clone();
        let holder = db
            .run(move |conn| constituents::portal_holder(conn, &e164, Some(id)))
            .await?;
        view.portal_of = holder.map(|holder| holder_link(holder.id, &holder.name));
    }

    page(&ProfilePage {
        viewer: Some(staff.viewer),
        id,
        name: person.full_name(),
        personas: person.personas().titles(),
        email: person.email,
        is_parent: person.is_parent,
        portal_number,
        general_numbers,
        rows: history
            .into_iter()
            .map(|row| HistoryRow::new(row, region))
            .collect(),
    })
}
