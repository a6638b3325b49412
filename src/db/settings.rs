//! Values the program keeps for itself, such as its generated cookie key.

use diesel::prelude::*;

use super::schema::app_settings;
use super::{Connection, write_transaction};

/// The stored value of `name`, created by `generate` on first use.
pub fn get_or_create(
    conn: &mut Connection,
    name: &str,
    generate: impl FnOnce() -> String,
) -> QueryResult<String> {
    write_transaction(conn, |conn| {
        let stored = app_settings::table
            .find(name)
            .select(app_settings::value)
            .first::<String>(conn)
            .optional()?;
        if let Some(value) = stored {
            return Ok(value);
        }
        let value = generate();
        diesel::insert_into(app_settings::table)
            .values((app_settings::name.eq(name), app_settings::value.eq(&value)))
            .execute(conn)?;
        Ok(value)
    })
}
