//! The stylesheet and script, built into the binary so that Homeroom runs from
//! any directory.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::error::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "homeroom.css",
        "text/css; charset=utf-8",
        include_str!("../../static/homeroom.css"),
    ),
    (
        "homeroom.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/homeroom.js"),
    ),
    (
        "phone-check.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/phone-check.js"),
    ),
];

pub async fn get(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, *content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(*body))
}
