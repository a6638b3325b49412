//! Staff sign-in and sign-out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDateTime, TimeDelta};
use serde::Deserialize;

use crate::clock::Clock;
use crate::db::staff::FailuresOf;
use crate::db::{Database, staff};
use crate::domain::staff::{
    FAILURE_WINDOW, FAILURES_PER_ADDRESS, FAILURES_PER_USERNAME, LOCKOUT, locked_until,
};
use crate::passwords;
use crate::web::auth::{Viewer, begin_staff_session, csrf_token, safe_next};
use crate::web::error::AppError;
use crate::web::forms::{Form, NoFields};
use crate::web::{page, page_with_status, see_other};

/// Said whenever sign-in fails, whichever part was wrong.
const WRONG_CREDENTIALS: &str = "The username or password is not right.";
/// Said while sign-in is paused after too many failures.
const TOO_MANY_TRIES: &str = "There have been too many failed sign-ins. Wait 15 minutes, then \
     try again, or ask an administrator to reset your password.";

/// The hash checked when no account has the typed username.
pub struct DecoyHash(pub String);

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    username: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

pub async fn show(
    session: Session,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, AppError> {
    page(&SignInPage {
        viewer: None,
        csrf_token: csrf_token(&session)?,
        username: String::new(),
        next: safe_next(query.next.as_deref()),
        error: None,
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    username: String,
    password: String,
    next: String,
}

pub async fn submit(
    req: HttpRequest,
    Form(form): Form<SignInForm>,
    session: Session,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
    decoy: web::Data<DecoyHash>,
) -> Result<HttpResponse, AppError> {
    let username = form.username.trim().to_lowercase();
    let address = req
        .peer_addr()
        .map(|peer| peer.ip().to_string())
        .unwrap_or_default();
    if let Some(until) = closed_until(&db, &username, &address, clock.now()).await? {
        return too_many_tries(&session, form, until - clock.now());
    }
    let account = {
        let username = username.clone();
        db.run(move |conn| staff::find_by_username(conn, &username))
            .await?
    };

    // An unknown name is checked against a decoy, so it takes as long as a wrong password.
    let hash = account
        .as_ref()
        .map_or_else(|| decoy.0.clone(), |a| a.password_hash.clone());
    let password = form.password;
    let matches = web::block(move || passwords::verify(&password, &hash))
        .await
        .map_err(|error| AppError::Internal(error.into()))?;

    match account {
        Some(account) if matches && account.disabled_at.is_none() => {
            begin_staff_session(&session, account.id, &clock)?;
            tracing::info!(staff_id = account.id, "staff signed in");
            Ok(see_other(&safe_next(Some(&form.next))))
        }
        _ => {
            tracing::info!("a staff sign-in failed");
            let now = clock.now();
            db.run(move |conn| staff::record_failure(conn, &username, &address, now))
                .await?;
            page_with_status(
                StatusCode::UNAUTHORIZED,
                &SignInPage {
                    viewer: None,
                    csrf_token: csrf_token(&session)?,
                    username: form.username,
                    next: safe_next(Some(&form.next)),
                    error: Some(WRONG_CREDENTIALS),
                },
            )
        }
    }
}

/// Ends the session on the server, so its cookie opens nothing again.
pub async fn sign_out(Form(_): Form<NoFields>, session: Session) -> HttpResponse {
    session.purge();
    see_other("/login")
}

/// When sign-in opens again for this username or address, if it is closed.
async fn closed_until(
    db: &Database,
    username: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, AppError> {
    let (username, address) = (username.to_owned(), address.to_owned());
    let since = now - FAILURE_WINDOW - LOCKOUT;
    let (by_name, by_address) = db
        .run(move |conn| {
            let by_name = FailuresOf::Username(&username);
            let by_address = FailuresOf::Address(&address);
            Ok((
                staff::recent_failures(conn, by_name, since, FAILURES_PER_USERNAME as i64)?,
                staff::recent_failures(conn, by_address, since, FAILURES_PER_ADDRESS as i64)?,
            ))
        })
        .await?;
    Ok(
        locked_until(&by_name, FAILURES_PER_USERNAME, now).max(locked_until(
            &by_address,
            FAILURES_PER_ADDRESS,
            now,
        )),
    )
}

/// The sign-in page with status 429 and a `Retry-After` header.
fn too_many_tries(
    session: &Session,
    form: SignInForm,
    wait: TimeDelta,
) -> Result<HttpResponse, AppError> {
    tracing::warn!("refused a staff sign-in while sign-in is paused");
    let seconds = wait.num_seconds().max(1);
    let page = SignInPage {
        viewer: None,
        csrf_token: csrf_token(session)?,
        username: form.username,
        next: safe_next(Some(&form.next)),
        error: Some(TOO_MANY_TRIES),
    };
    let mut response = page_with_status(StatusCode::TOO_MANY_REQUESTS, &page)?;
    let retry_after = HeaderValue::from(seconds);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, retry_after);
    Ok(response)
}
