//! Homeroom driven through its own doors: HTTP, the command line and a browser.

mod support;

mod accessibility;
mod browser;
mod command_line;
mod constituents;
mod history;
mod phone_numbers;
mod portal;
mod setup;
mod sms_provider;
mod staff_accounts;
mod staff_sign_in;
