//! Staff accounts, managed by administrators: list, add, disable, reset a password.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::clock::Clock;
use crate::db::audit::{self, Action, Event};
use crate::db::{self, Database, staff};
use crate::domain::staff::{NewPassword, Role, Username};
use crate::web::auth::{AdminUser, Viewer, hash_password};
use crate::web::error::AppError;
use crate::web::forms::{Form, NoFields};
use crate::web::{FieldErrors, page, page_with_status, see_other};

struct AccountRow {
    id: i64,
    username: String,
    role: String,
    disabled_on: Option<String>,
    is_you: bool,
}

#[derive(Default)]
struct NewAccount {
    username: String,
    role: String,
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct StaffPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    accounts: Vec<AccountRow>,
    typed: NewAccount,
    errors: FieldErrors,
}

async fn staff_page(
    admin: AdminUser,
    db: &Database,
    typed: NewAccount,
    errors: FieldErrors,
) -> Result<StaffPage, AppError> {
    let rows = db.run(staff::list).await?;
    let accounts = rows
        .into_iter()
        .map(|row| AccountRow {
            is_you: row.id == admin.0.id,
            id: row.id,
            username: row.username,
            role: row.role,
            disabled_on: row.disabled_at.map(|at| at.format("%Y-%m-%d").to_string()),
        })
        .collect();
    let viewer = admin.0.viewer;
    Ok(StaffPage {
        csrf_token: viewer.csrf_token.clone(),
        viewer: Some(viewer),
        accounts,
        typed,
        errors,
    })
}

pub async fn show(admin: AdminUser, db: web::Data<Database>) -> Result<HttpResponse, AppError> {
    page(&staff_page(admin, &db, NewAccount::default(), FieldErrors::default()).await?)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewAccountForm {
    username: String,
    role: String,
    password: String,
}

pub async fn create(
    admin: AdminUser,
    Form(form): Form<NewAccountForm>,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let username = errors.take("username", Username::parse(&form.username));
    let role = errors.take(
        "role",
        Role::parse(&form.role).ok_or("Choose admin or office."),
    );
    let password = username
        .as_ref()
        .and_then(|name| errors.take("password", NewPassword::parse(&form.password, name)));
    let typed = NewAccount {
        username: form.username,
        role: form.role,
    };
    let (Some(username), Some(role), Some(password)) = (username, role, password) else {
        let page = staff_page(admin, &db, typed, errors).await?;
        return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };

    let hash = hash_password(password).await?;
    let (actor, now) = (admin.0.actor(), clock.now());
    let created = db
        .run(move |conn| staff::create(conn, username.as_str(), role.as_str(), &hash, &actor, now))
        .await?;
    if created.is_none() {
        errors.add(
            "username",
            "A staff account with this username already exists.",
        );
        let page = staff_page(admin, &db, typed, errors).await?;
        return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    Ok(see_other("/staff"))
}

fn account_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// Disables an account at once: its sessions end and it can no longer sign in.
pub async fn disable(
    admin: AdminUser,
    path: web::Path<String>,
    Form(_): Form<NoFields>,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let id = account_id(&path)?;
    if id == admin.0.id {
        let mut errors = FieldErrors::default();
        errors.add(
            "accounts",
            "You cannot disable your own account; ask another administrator.",
        );
        let page = staff_page(admin, &db, NewAccount::default(), errors).await?;
        return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }

    let (actor, now) = (admin.0.actor(), clock.now());
    let found = db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let Some(account) = staff::find(conn, id)? else {
                    return Ok(false);
                };
                if staff::disable(conn, id, now)? {
                    let event = Event {
                        staff: Some((id, &account.username)),
                        ..Event::default()
                    };
                    audit::record(conn, &actor, Action::StaffDisabled, event, now)?;
                }
                Ok(true)
            })
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/staff"))
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    id: i64,
    username: String,
    errors: FieldErrors,
}

async fn password_page(
    admin: AdminUser,
    db: &Database,
    id: i64,
    errors: FieldErrors,
) -> Result<PasswordPage, AppError> {
    let account = db
        .run(move |conn| staff::find(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = admin.0.viewer;
    Ok(PasswordPage {
        csrf_token: viewer.csrf_token.clone(),
        viewer: Some(viewer),
        id,
        username: account.username,
        errors,
    })
}

pub async fn show_password(
    admin: AdminUser,
    path: web::Path<String>,
    db: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    let id = account_id(&path)?;
    page(&password_page(admin, &db, id, FieldErrors::default()).await?)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
}

/// Sets a new password for an account and ends its sessions.
pub async fn reset_password(
    admin: AdminUser,
    path: web::Path<String>,
    Form(form): Form<PasswordForm>,
    db: web::Data<Database>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let id = account_id(&path)?;
    let account = db
        .run(move |conn| staff::find(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let username = Username::parse(&account.username).map_err(|e| AppError::Internal(e.into()))?;
    let password = match NewPassword::parse(&form.password, &username) {
        Ok(password) => password,
        Err(why) => {
            let mut errors = FieldErrors::default();
            errors.add("password", why);
            let page = password_page(admin, &db, id, errors).await?;
            return page_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };

    let hash = hash_password(password).await?;
    let (actor, now) = (admin.0.actor(), clock.now());
    db.run(move |conn| {
        db::write_transaction(conn, |conn| {
            staff::set_password(conn, id, &hash)?;
            let event = Event {
                staff: Some((id, username.as_str())),
                ..Event::default()
            };
            audit::record(conn, &actor, Action::StaffPasswordReset, event, now)
        })
    })
    .await?;
    Ok(see_other("/staff"))
}
