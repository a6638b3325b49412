//! The status of a number as staff type it: valid or not, its kind, and who
//! holds it as their Portal number.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::constituents::form::{holder_link, move_link};
use crate::config::Settings;
use crate::db::{Database, constituents};
use crate::domain::constituent::{PortalNumberError, check_portal_number};
use crate::domain::phone::{PhoneNumber, Region};
use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::{Link, page};

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CheckQuery {
    number: String,
    /// The profile being edited, whose own number is no conflict.
    exclude: String,
    /// `general` for a general number; anything else checks a Portal number.
    role: String,
}

#[derive(Serialize)]
struct Answer {
    valid: bool,
    e164: Option<String>,
    kind: Option<&'static str>,
    in_use_by: Option<HolderAnswer>,
}

#[derive(Serialize)]
struct HolderAnswer {
    id: i64,
    name: String,
    url: String,
}

/// The fragment shown under the field.
#[derive(Template)]
#[template(path = "phone_status.html")]
struct Status {
    message: String,
    tone: &'static str,
    holder: Option<Link>,
    /// For administrators editing a profile: move the taken number to it.
    action: Option<Link>,
}

pub async fn check(
    staff: StaffUser,
    req: HttpRequest,
    query: web::Query<CheckQuery>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let parsed = PhoneNumber::parse(&query.number, settings.default_region);
    let exclude = query.exclude.parse::<i64>().ok();
    let holder = match &parsed {
        Ok(number) => {
            let e164 = number.e164().to_owned();
            db.run(move |conn| constituents::portal_holder(conn, &e164, exclude))
                .await?
        }
        Err(_) => None,
    };

    if wants_json(&req) {
        return Ok(HttpResponse::Ok().json(Answer {
            valid: parsed.is_ok(),
            e164: parsed.as_ref().ok().map(|n| n.e164().to_owned()),
            kind: parsed.as_ref().ok().map(|n| n.kind().as_str()),
            in_use_by: holder.map(|h| HolderAnswer {
                url: format!("/constituents/{}", h.id),
                id: h.id,
                name: h.name,
            }),
        }));
    }

    let general = query.role == "general";
    let link = holder.map(|h| holder_link(h.id, &h.name));
    let status = match (parsed, link) {
        _ if query.number.trim().is_empty() => Status::new(String::new(), "note", None),
        (Err(why), _) => Status::new(why.to_string(), "invalid", None),
        (Ok(_), Some(holder)) if general => {
            let message = "This is also the Portal Access/SMS Number of";
            Status::new(message.into(), "note", Some(holder))
        }
        (Ok(number), Some(holder)) => {
            let message = "Taken: this is already the Portal Access/SMS Number of";
            let mut status = Status::new(message.into(), "taken", Some(holder));
            let may_move = exclude.filter(|_| staff.viewer.is_admin());
            status.action = may_move.map(|id| move_link(id, number.e164()));
            status
        }
        (Ok(number), None) => Status::for_free_number(&number, general, settings.default_region),
    };
    page(&status)
}

impl Status {
    fn new(message: String, tone: &'static str, holder: Option<Link>) -> Self {
        Self {
            message,
            tone,
            holder,
            action: None,
        }
    }

    fn for_free_number(number: &PhoneNumber, general: bool, region: Region) -> Self {
        let shown = number.display(region);
        match check_portal_number(number, false) {
            Err(why @ PortalNumberError::HasExtension) if !general => {
                Self::new(why.to_string(), "invalid", None)
            }
            Err(PortalNumberError::MayNotTakeTexts(kind)) if !general => Self::new(
                format!("{shown} looks like {kind}, which usually cannot receive texts."),
                "invalid",
                None,
            ),
            _ => {
                let kind = number.kind().label().to_lowercase();
                Self::new(format!("{shown}: {kind}."), "ok", None)
            }
        }
    }
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}
