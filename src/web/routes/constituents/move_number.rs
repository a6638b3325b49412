//! Moving a Portal number from its holder to another profile, in one
//! confirmed step: for administrators.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{load, parse_id, profile_path};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{Database, constituents};
use crate::domain::phone::PhoneNumber;
use crate::web::auth::{AdminUser, Viewer};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::{page, page_with_status, see_other};

#[derive(Template)]
#[template(path = "constituents/move_number.html")]
struct MovePage {
    viewer: Option<Viewer>,
    csrf_token: String,
    id: i64,
    name: String,
    number: String,
    shown: String,
    holder: Option<(i64, String)>,
    problem: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NumberQuery {
    number: String,
}

/// The confirmation, naming the number's holder and this constituent.
pub async fn show(
    admin: AdminUser,
    path: web::Path<String>,
    query: web::Query<NumberQuery>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let person = load(&db, id).await?;
    let viewer = admin.0.viewer;
    let mut page_view = MovePage {
        csrf_token: viewer.csrf_token.clone(),
        viewer: Some(viewer),
        id,
        name: person.full_name(),
        number: query.number.clone(),
        shown: query.number.clone(),
        holder: None,
        problem: None,
    };

    let number = match PhoneNumber::parse(&query.number, settings.default_region) {
        Ok(number) => number,
        Err(why) => {
            page_view.problem = Some(why.to_string());
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page_view);
        }
    };
    let e164 = number.e164().to_owned();
    let holder = db
        .run(move |conn| constituents::portal_holder(conn, &e164, Some(id)))
        .await?;
    page_view.number = number.e164().to_owned();
    page_view.shown = number.display(settings.default_region);
    page_view.holder = holder.map(|holder| (holder.id, holder.name));
    page(&page_view)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    number: String,
}

/// Moves the number: it leaves its holder and becomes this profile's Portal number.
pub async fn submit(
    admin: AdminUser,
    path: web::Path<String>,
    Form(form): Form<MoveForm>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let number = PhoneNumber::parse(&form.number, settings.default_region)
        .map_err(|_| AppError::BadRequest)?;
    if number.extension().is_some() {
        return Err(AppError::BadRequest);
    }

    let (actor, now) = (admin.0.actor(), clock.now());
    let moved = db
        .run(move |conn| constituents::move_portal_number(conn, id, &number, &actor, now))
        .await?
        .ok_or(AppError::NotFound)?;
    let from = moved.from.map(|holder| holder.id);
    tracing::info!(constituent_id = id, from, "moved a Portal number");
    Ok(see_other(&profile_path(id)))
}
