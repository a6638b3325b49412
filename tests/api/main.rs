//! Homeroom driven through its own doors: HTTP, the command line and a browser.

mod support;

mod command_line;
mod constituents;
mod phone_numbers;
mod setup;
mod staff_sign_in;
