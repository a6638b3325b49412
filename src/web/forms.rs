//! Posted forms: read with a size limit, checked for the session's CSRF token
//! and for a same-site origin, then parsed.

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::auth::existing_csrf_token;
use super::error::AppError;

/// The largest form body accepted.
pub const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// A form with nothing but its CSRF token, such as a sign-out button.
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// A form whose CSRF token matched the session's. Taking it as a handler
/// argument is what protects a POST.
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| {
                if error.as_response_error().status_code().as_u16() == 413 {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest
                }
            })?;
            check_origin(&req)?;
            check_csrf(&req, &body)?;
            serde_html_form::from_bytes(&body)
                .map(Form)
                .map_err(|error| {
                    tracing::warn!(%error, "could not read a form");
                    AppError::BadRequest
                })
        })
    }
}

fn check_csrf(req: &HttpRequest, body: &[u8]) -> Result<(), AppError> {
    let expected = existing_csrf_token(&req.get_session())?.ok_or(AppError::CsrfRejected)?;
    let sent = form_urlencoded::parse(body)
        .find(|(name, _)| name == "csrf_token")
        .map(|(_, value)| value.into_owned())
        .ok_or(AppError::CsrfRejected)?;
    if bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(AppError::CsrfRejected)
    }
}

/// Browsers name the page a POST came from; refuse one from another site.
fn check_origin(req: &HttpRequest) -> Result<(), AppError> {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().map_err(|_| AppError::ForeignOrigin)?;
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    let host = req.connection_info().host().to_owned();
    if origin_host == Some(host.as_str()) {
        Ok(())
    } else {
        Err(AppError::ForeignOrigin)
    }
}
