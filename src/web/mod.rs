//! The web app: routes, extractors, pages.

pub mod assets;
pub mod auth;
pub mod error;
pub mod forms;
pub mod middleware;
pub mod routes;
pub mod session_store;

use actix_session::SessionMiddleware;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;

use self::error::AppError;
use self::routes::{home, phone_check, setup, sign_in};

/// Every route of the app, in one place. Staff pages and portal pages each
/// get their own session middleware, so neither session opens the other's pages.
pub fn app_routes(cfg: &mut web::ServiceConfig, staff: Sessions, portal: Sessions) {
    use self::routes::constituents::{create, delete, edit, list, move_number, profile};
    use self::routes::{audit, portal, staff_accounts as staff};

    cfg.route("/static/{name}", web::get().to(assets::get))
        .service(
            web::scope("/portal")
                .wrap(portal)
                .route("", web::get().to(portal::home::show))
                .route("/sign-in", web::get().to(portal::sign_in::show))
                .route("/sign-in", web::post().to(portal::sign_in::submit))
                .route("/verify", web::get().to(portal::sign_in::show_verify))
                .route("/verify", web::post().to(portal::sign_in::submit_verify))
                .route("/sign-out", web::post().to(portal::home::sign_out))
                .default_service(web::to(home::portal_not_found)),
        )
        .service(
            web::scope("")
                .wrap(staff)
                .route("/", web::get().to(home::show))
                .route("/login", web::get().to(sign_in::show))
                .route("/login", web::post().to(sign_in::submit))
                .route("/logout", web::post().to(sign_in::sign_out))
                .route("/setup/{token}", web::get().to(setup::show))
                .route("/setup/{token}", web::post().to(setup::submit))
                .route("/constituents", web::get().to(list::show))
                .route("/constituents", web::post().to(create::submit))
                .route("/constituents/new", web::get().to(create::show))
                .route("/constituents/{id}", web::get().to(profile::show))
                .route("/constituents/{id}", web::post().to(edit::submit))
                .route("/constituents/{id}/edit", web::get().to(edit::show))
                .route("/constituents/{id}/delete", web::get().to(delete::show))
                .route("/constituents/{id}/delete", web::post().to(delete::submit))
                .route(
                    "/constituents/{id}/move-number",
                    web::get().to(move_number::show),
                )
                .route(
                    "/constituents/{id}/move-number",
                    web::post().to(move_number::submit),
                )
                .route("/phone-numbers/check", web::get().to(phone_check::check))
                .route("/staff", web::get().to(staff::show))
                .route("/staff", web::post().to(staff::create))
                .route("/staff/{id}/disable", web::post().to(staff::disable))
                .route("/staff/{id}/password", web::get().to(staff::show_password))
                .route(
                    "/staff/{id}/password",
                    web::post().to(staff::reset_password),
                )
                .route("/audit", web::get().to(audit::show))
                .default_service(web::to(home::not_found)),
        );
}

/// Session handling for one part of the site.
pub type Sessions = SessionMiddleware<session_store::DbSessionStore>;

/// Renders a page with status 200.
pub fn page(template: &impl Template) -> Result<HttpResponse, AppError> {
    page_with_status(StatusCode::OK, template)
}

/// Renders a page with the given status, such as 422 for a form with mistakes.
pub fn page_with_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

/// The answer to a form that worked: `303 See Other` to what it saved.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// One message next to one field of a form, with an optional link (such as the
/// profile of whoever holds a number).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    pub link: Option<Link>,
    /// Something the user may do about it, such as moving a taken number.
    pub action: Option<Link>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// The mistakes found in a submitted form, in the order of its fields.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl ToString) {
        let message = message.to_string();
        self.0.push(FieldError {
            field,
            message,
            link: None,
            action: None,
        });
    }

    pub fn add_with_link(
        &mut self,
        field: &'static str,
        message: impl ToString,
        link: Link,
        action: Option<Link>,
    ) {
        let message = message.to_string();
        self.0.push(FieldError {
            field,
            message,
            link: Some(link),
            action,
        });
    }

    /// The first message for `field`.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|error| error.field == field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when `result` is, after recording its error against `field`.
    pub fn take<T, E: ToString>(&mut self, field: &'static str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }
}
