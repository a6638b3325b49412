//! The front door and the page for unknown addresses.

use actix_web::HttpResponse;

use crate::web::auth::StaffUser;
use crate::web::error::AppError;
use crate::web::see_other;

/// Staff start at the directory.
pub async fn show(_staff: StaffUser) -> HttpResponse {
    see_other("/constituents")
}

/// Any address no route matches. Taking the staff session, when there is one,
/// lets the error page show the signed-in layout.
pub async fn not_found(_staff: Option<StaffUser>) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Any unknown address under `/portal`, where there is no staff session.
pub async fn portal_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
