//! The one error type of the web layer.
//!
//! Handlers return `Result<_, AppError>`. Use the variant that names what the
//! user did wrong (`NotFound`, `Forbidden`, …): each becomes a plain page with
//! the matching status. Anything else is a fault of ours: turn it into
//! `Internal` with `?` (database and other errors convert on their own). The
//! user then sees a bare "something went wrong" page, and the log gets the
//! whole cause chain under the request's id.
//!
//! Mistakes in a form are not errors: the handler shows the form again with
//! status 422 and the messages beside their fields.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no such page")]
    NotFound,
    #[error("this account may not use this page")]
    Forbidden,
    #[error("the form's security token was missing or wrong")]
    CsrfRejected,
    #[error("the request came from another site")]
    ForeignOrigin,
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("portal sign-in required")]
    PortalSignInRequired,
    #[error("the request could not be read")]
    BadRequest,
    #[error("the form was too large")]
    PayloadTooLarge,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(error.into())
    }
}

/// Marks a response whose body is still to be rendered as an error page;
/// see [`crate::web::middleware::error_pages`].
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::CsrfRejected | Self::ForeignOrigin => StatusCode::FORBIDDEN,
            Self::SignInRequired { .. } | Self::PortalSignInRequired => StatusCode::SEE_OTHER,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignInRequired { next } => {
                let location = format!("/login?next={}", urlencode(next));
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish();
            }
            Self::PortalSignInRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/portal/sign-in"))
                    .finish();
            }
            Self::Internal(cause) => {
                tracing::error!(cause = %format!("{cause:#}"), "request failed");
            }
            Self::CsrfRejected | Self::ForeignOrigin => {
                tracing::warn!(reason = %self, "refused a form post");
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/plain")))
            .body(self.status_code().canonical_reason().unwrap_or("Error"));
        response.extensions_mut().insert(ErrorPage);
        response
    }
}

/// Percent-encodes a query value.
pub fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
