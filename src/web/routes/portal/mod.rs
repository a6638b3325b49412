//! The Parent Portal: a parent signs in with a code texted to their Portal
//! Access/SMS Number and sees their own profile.
//!
//! Portal pages live under `/portal` with a session cookie of their own, so a
//! staff session never opens them and a portal session never opens staff pages.

pub mod home;
pub mod sign_in;

use std::sync::Arc;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::clock::Clock;
use crate::db::{Database, portal};
use crate::domain::phone::mask;
use crate::domain::portal::{IDLE_LIMIT, MAX_AGE, number_changed_text};
use crate::sms::SmsSender;
use crate::telemetry::cause_chain;
use crate::web::auth::{app_data, csrf_token, read, write};
use crate::web::error::AppError;
use crate::web::session_store::PARENT_ID;

/// The number the parent signed in with; the session ends when it changes.
const SIGNED_IN_NUMBER: &str = "signed_in_number";
const SIGNED_IN_AT: &str = "signed_in_at";
const SEEN_AT: &str = "seen_at";
/// Activity is written back at most this often.
const SEEN_RESOLUTION_SECONDS: i64 = 60;

/// A parent signed in to the portal.
#[derive(Debug, Clone)]
pub struct PortalParent {
    pub id: i64,
    pub csrf_token: String,
}

impl FromRequest for PortalParent {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<PortalParent, AppError> {
    let session = req.get_session();
    let Some(id) = read::<i64>(&session, PARENT_ID)? else {
        return Err(AppError::PortalSignInRequired);
    };

    let now = app_data::<Clock>(req)?.now().and_utc().timestamp();
    let signed_in_at = read::<i64>(&session, SIGNED_IN_AT)?.unwrap_or(0);
    let seen_at = read::<i64>(&session, SEEN_AT)?.unwrap_or(0);
    let expired =
        now - seen_at > IDLE_LIMIT.num_seconds() || now - signed_in_at > MAX_AGE.num_seconds();

    // Staff may have changed or cleared the number, or the parent persona.
    let db = app_data::<Database>(req)?;
    let current = db.run(move |conn| portal::current_number(conn, id)).await?;
    let signed_in_with = read::<String>(&session, SIGNED_IN_NUMBER)?;
    if expired || current.is_none() || current != signed_in_with {
        session.purge();
        return Err(AppError::PortalSignInRequired);
    }

    if now - seen_at >= SEEN_RESOLUTION_SECONDS {
        write(&session, SEEN_AT, now)?;
    }
    Ok(PortalParent {
        id,
        csrf_token: csrf_token(&session)?,
    })
}

/// Texts a number that no longer signs a parent in, so that a parent who did
/// not ask for the change hears of it. The text carries no code.
pub fn tell_old_number(sms: Arc<SmsSender>, school: &str, first_name: &str, old_e164: String) {
    let text = number_changed_text(school, first_name);
    actix_web::rt::spawn(async move {
        if let Err(error) = sms.send(&old_e164, &text).await {
            let cause = cause_chain(error);
            tracing::error!(to = %mask(&old_e164), %cause, "could not tell an old number");
        }
    });
}

/// Starts a fresh portal session for a parent who typed the right code.
pub fn begin_portal_session(
    session: &Session,
    parent_id: i64,
    e164: &str,
    clock: &Clock,
) -> Result<(), AppError> {
    let now = clock.now().and_utc().timestamp();
    session.clear();
    session.renew();
    write(session, PARENT_ID, parent_id)?;
    write(session, SIGNED_IN_NUMBER, e164)?;
    write(session, SIGNED_IN_AT, now)?;
    write(session, SEEN_AT, now)?;
    csrf_token(session)?;
    Ok(())
}
