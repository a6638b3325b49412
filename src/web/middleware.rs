//! What every response gets on its way out: security headers, the `Secure`
//! cookie flag over HTTPS, and error pages rendered in the site's layout.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use askama::Template;

use super::auth::Viewer;
use super::error::ErrorPage;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Adds the headers every page carries.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req.connection_info().scheme() == "https";
    let is_asset = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;

    let headers = res.headers_mut();
    let set = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        mark_cookies_secure(headers);
    }
    Ok(res)
}

/// Session cookies are only sent back over HTTPS once HTTPS has been used.
fn mark_cookies_secure(headers: &mut actix_web::http::header::HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).cloned().collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let text = cookie.to_str().unwrap_or_default();
        let secured = if text.is_empty() || text.contains("; Secure") {
            cookie
        } else {
            HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
        };
        headers.append(header::SET_COOKIE, secured);
    }
}

/// The page shown for an error status, in the site's layout.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPageView {
    viewer: Option<Viewer>,
    status: u16,
    heading: &'static str,
    explanation: &'static str,
}

/// Renders a full page for responses that [`super::error::AppError`] marked.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    if res.response().extensions().get::<ErrorPage>().is_none() {
        return Ok(res);
    }

    let status = res.status();
    let (heading, explanation) = describe(status.as_u16());
    let viewer = res.request().extensions().get::<Viewer>().cloned();
    let page = ErrorPageView {
        viewer,
        status: status.as_u16(),
        heading,
        explanation,
    };
    let body = page.render().unwrap_or_else(|_| heading.to_owned());
    let (req, old) = res.into_parts();
    let mut fresh = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.append_header((name.clone(), value.clone()));
        }
    }
    let fresh = fresh.content_type("text/html; charset=utf-8").body(body);
    Ok(ServiceResponse::new(req, fresh))
}

fn describe(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => (
            "The request could not be read",
            "Go back, check the form and try again.",
        ),
        403 => (
            "You cannot do that here",
            "Your account may not use this page, or the form had expired. \
             Go back, reload the page and try again.",
        ),
        404 => (
            "Page not found",
            "Check the address, or start again from the directory.",
        ),
        413 => (
            "That was too much to send",
            "Shorten what you typed and try again.",
        ),
        429 => ("Too many tries", "Wait a few minutes, then try again."),
        _ => (
            "Something went wrong",
            "Homeroom could not finish that. Nothing was saved. Try again in a moment; \
             if it keeps happening, tell whoever runs Homeroom at your school.",
        ),
    }
}
