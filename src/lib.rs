//! Homeroom: a school office's directory of parents, students and staff, with
//! a Parent Portal that parents open with a code texted to their number.
//!
//! - [`domain`]: the rules, as types (phone numbers, names, passwords).
//! - [`db`]: storage on SQLite or PostgreSQL.
//! - [`web`]: routes, pages, sessions.
//! - [`startup`]: putting them together; [`commands`]: the command line.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod passwords;
pub mod sms;
pub mod startup;
pub mod telemetry;
pub mod web;
