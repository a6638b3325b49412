//! The parent's own page: their profile, read-only.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::PortalParent;
use crate::config::Settings;
use crate::db::{Database, constituents};
use crate::domain::constituent::{PhoneLabel, Slot};
use crate::domain::phone::display_stored;
use crate::web::error::AppError;
use crate::web::forms::{Form, NoFields};
use crate::web::{page, see_other};

struct Number {
    title: &'static str,
    shown: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    school: String,
    csrf_token: String,
    name: String,
    email: Option<String>,
    numbers: Vec<Number>,
}

pub async fn show(
    parent: PortalParent,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let id = parent.id;
    let (person, rows) = db
        .run(move |conn| {
            Ok((
                constituents::find(conn, id)?,
                constituents::numbers_of(conn, id)?,
            ))
        })
        .await?;
    let person = person.ok_or(AppError::PortalSignInRequired)?;

    let region = settings.default_region;
    let numbers = rows
        .iter()
        .map(|row| Number {
            title: match Slot::from_index(row.slot) {
                Some(Slot::Portal) => "Portal Access/SMS Number",
                _ => PhoneLabel::parse(&row.label).map_or("Other", PhoneLabel::title),
            },
            shown: display_stored(&row.e164, row.extension.as_deref(), region),
        })
        .collect();
    page(&HomePage {
        school: settings.school_name.clone(),
        csrf_token: parent.csrf_token,
        name: person.full_name(),
        email: person.email,
        numbers,
    })
}

/// Ends the portal session on the server.
pub async fn sign_out(Form(_): Form<NoFields>, session: Session) -> HttpResponse {
    session.purge();
    see_other("/portal/sign-in")
}
