//! The one-time link that creates the first administrator.

use std::sync::Mutex;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::db::audit::Actor;
use crate::db::{self, Database, staff};
use crate::domain::staff::{NewPassword, PasswordError, Role, Username};
use crate::web::auth::{Viewer, begin_staff_session, csrf_token, hash_password};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::{FieldErrors, page, page_with_status, see_other};

/// The secret part of the setup link, while no staff account exists.
#[derive(Default)]
pub struct SetupLink(Mutex<Option<String>>);

impl SetupLink {
    /// A link with a fresh random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        Self(Mutex::new(Some(hex::encode(bytes))))
    }

    /// The path of the link, while it is usable.
    pub fn path(&self) -> Option<String> {
        self.lock().as_ref().map(|token| format!("/setup/{token}"))
    }

    fn matches(&self, token: &str) -> bool {
        self.lock()
            .as_ref()
            .is_some_and(|own| bool::from(own.as_bytes().ct_eq(token.as_bytes())))
    }

    fn retire(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    action: String,
    username: String,
    errors: FieldErrors,
}

/// Whether the link still works: the token matches and no account exists yet.
async fn link_is_open(link: &SetupLink, token: &str, db: &Database) -> Result<bool, AppError> {
    if !link.matches(token) {
        return Ok(false);
    }
    if db.run(staff::any_exist).await? {
        link.retire();
        return Ok(false);
    }
    Ok(true)
}

pub async fn show(
    token: web::Path<String>,
    link: web::Data<SetupLink>,
    db: web::Data<Database>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    if !link_is_open(&link, &token, &db).await? {
        return Err(AppError::NotFound);
    }
    page(&SetupPage {
        viewer: None,
        csrf_token: csrf_token(&session)?,
        action: format!("/setup/{token}"),
        username: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    username: String,
    password: String,
    password_confirm: String,
}

/// The username and password typed, or every mistake in them.
fn read_account(form: &SetupForm) -> Result<(Username, NewPassword), FieldErrors> {
    let mut errors = FieldErrors::default();
    let username = errors.take("username", Username::parse(&form.username));
    let password = username
        .as_ref()
        .and_then(|name| errors.take("password", NewPassword::parse(&form.password, name)));
    if password.is_some() && form.password != form.password_confirm {
        errors.add("password_confirm", PasswordError::Mismatch);
    }
    match (username, password) {
        (Some(username), Some(password)) if errors.is_empty() => Ok((username, password)),
        _ => Err(errors),
    }
}

pub async fn submit(
    token: web::Path<String>,
    Form(form): Form<SetupForm>,
    link: web::Data<SetupLink>,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    if !link_is_open(&link, &token, &db).await? {
        return Err(AppError::NotFound);
    }

    let (username, password) = match read_account(&form) {
        Ok(account) => account,
        Err(errors) => {
            let page = SetupPage {
                viewer: None,
                csrf_token: csrf_token(&session)?,
                action: format!("/setup/{token}"),
                username: form.username,
                errors,
            };
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };

    let hash = hash_password(password).await?;
    let now = clock.now();
    let created = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                if staff::any_exist(conn)? {
                    return Ok(None);
                }
                let actor = Actor {
                    id: None,
                    username: "setup link".into(),
                };
                staff::create(
                    conn,
                    username.as_str(),
                    Role::Admin.as_str(),
                    &hash,
                    &actor,
                    now,
                )
            })
        })
        .await?;
    link.retire();
    let Some(staff_id) = created else {
        return Err(AppError::NotFound);
    };

    tracing::info!(staff_id, "created the first administrator");
    begin_staff_session(&session, staff_id, &clock)?;
    Ok(see_other("/"))
}
