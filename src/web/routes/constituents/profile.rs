//! A constituent's profile.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::QueryResult;

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
    // One trip to the database: the numbers, whose Portal number each general
    // number also is, and the history.
    let (rows, holders, history) = db
        .run(move |conn| {
            let numbers = constituents::numbers_of(conn, id)?;
            let holders = numbers
                .iter()
                .map(|row| match Slot::from_index(row.slot) {
                    Some(Slot::Portal) => Ok(None),
                    _ => constituents::portal_holder(conn, &row.e164, Some(id)),
                })
                .collect::<QueryResult<Vec<_>>>()?;
            Ok((numbers, holders, audit::for_constituent(conn, id)?))
        })
        .await?;

    let region = settings.default_region;
    let mut portal_number = None;
    let mut general_numbers = Vec::new();
    for (row, holder) in rows.iter().zip(holders) {
        let mut view = NumberView::new(row, region);
        match Slot::from_index(row.slot) {
            Some(Slot::Portal) => portal_number = Some(view),
            _ => {
                view.portal_of = holder.map(|holder| holder_link(holder.id, &holder.name));
                general_numbers.push(view);
            }
        }
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
