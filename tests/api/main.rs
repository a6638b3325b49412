//! Homeroom driven through its own doors: HTTP, the command line and a browser.

mod support;

mod browser;
mod command_line;
mod constituents;
mod phone_numbers;
mod portal;
mod setup;
mod sms_provider;
mod staff_sign_in;
