//! The constituent directory: list, create, profile, edit, delete.

pub mod create;
pub mod delete;
pub mod edit;
pub mod form;
pub mod list;
pub mod move_number;
pub mod profile;

use crate::db::{Database, constituents};
use crate::web::error::AppError;

/// Reads a constituent id from the path; anything but a number is a missing page.
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

/// The constituent with this id, or a 404.
pub async fn load(db: &Database, id: i64) -> Result<constituents::ConstituentRow, AppError> {
    db.run(move |conn| constituents::find(conn, id))
        .await?
        .ok_or(AppError::NotFound)
}

/// The path of a constituent's profile.
pub fn profile_path(id: i64) -> String {
    format!("/constituents/{id}")
}
