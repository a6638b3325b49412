//! The rules of the school office, free of HTTP and SQL.
//!
//! Every value a person types becomes one of these types through its `parse`
//! constructor; past that point the rest of the program trusts it.

pub mod constituent;
pub mod phone;
pub mod portal;
pub mod staff;
