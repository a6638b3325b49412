//! Handlers, one module per page or area.

pub mod audit;
pub mod constituents;
pub mod home;
pub mod phone_check;
pub mod portal;
pub mod setup;
pub mod sign_in;
pub mod staff_accounts;
