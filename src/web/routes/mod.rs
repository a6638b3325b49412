//! Handlers, one module per page or area.

pub mod constituents;
pub mod home;
pub mod phone_check;
pub mod setup;
pub mod sign_in;
