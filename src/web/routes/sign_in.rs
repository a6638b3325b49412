//! Staff sign-in and sign-out.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::clock::Clock;
use crate::db::{Database, staff};
use crate::passwords;
use crate::web::auth::{Viewer, begin_staff_session, csrf_token, safe_next};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::{page, page_with_status, see_other};

/// Said whenever sign-in fails, whichever part was wrong.
const WRONG_CREDENTIALS: &str = "The username or password is not right.";

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

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    Form(form): Form<SignInForm>,
    session: Session,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
    decoy: web::Data<DecoyHash>,
) -> Result<HttpResponse, AppError> {
    let username = form.username.trim().to_lowercase();
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

#[derive(Deserialize)]
pub struct NoFields {}

/// Ends the session on the server, so its cookie opens nothing again.
pub async fn sign_out(Form(_): Form<NoFields>, session: Session) -> HttpResponse {
    session.purge();
    see_other("/login")
}
