//! Deleting a constituent, after a confirmation.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{load, parse_id};
use crate::clock::Clock;
use crate::db::{Database, constituents};
use crate::web::auth::{StaffUser, Viewer};
use crate::web::error::AppError;
use crate::web::forms::{Form, NoFields};
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "constituents/delete.html")]
struct DeletePage {
    viewer: Option<Viewer>,
    csrf_token: String,
    id: i64,
    name: String,
}

pub async fn show(
    staff: StaffUser,
    path: web::Path<String>,
    db: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let person = load(&db, id).await?;
    page(&DeletePage {
        csrf_token: staff.viewer.csrf_token.clone(),
        viewer: Some(staff.viewer),
        id,
        name: person.full_name(),
    })
}

/// Deletes the profile and frees its numbers for others.
pub async fn submit(
    staff: StaffUser,
    path: web::Path<String>,
    Form(_): Form<NoFields>,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let (actor, now) = (staff.actor(), clock.now());
    if !db
        .run(move |conn| constituents::delete(conn, id, &actor, now))
        .await?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        constituent_id = id,
        staff_id = staff.id,
        "deleted a constituent"
    );
    Ok(see_other("/constituents"))
}
