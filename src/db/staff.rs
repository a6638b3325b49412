//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Connection;
use super::schema::staff_accounts;

/// A staff account as stored.
#[derive(Debug, Clone, Queryable)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Whether any staff account exists, disabled or not.
pub fn any_exist(conn: &mut Connection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        staff_accounts::table.select(staff_accounts::id),
    ))
    .get_result(conn)
}

/// Adds an account; a taken username fails as a unique violation.
pub fn insert(
    conn: &mut Connection,
    username: &str,
    password_hash: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(staff_accounts::table)
        .values((
            staff_accounts::username.eq(username),
            staff_accounts::password_hash.eq(password_hash),
            staff_accounts::role.eq(role),
            staff_accounts::created_at.eq(now),
        ))
        .returning(staff_accounts::id)
        .get_result(conn)
}

pub fn find(conn: &mut Connection, id: i64) -> QueryResult<Option<StaffRow>> {
    staff_accounts::table.find(id).first(conn).optional()
}

pub fn find_by_username(conn: &mut Connection, username: &str) -> QueryResult<Option<StaffRow>> {
    staff_accounts::table
        .filter(staff_accounts::username.eq(username))
        .first(conn)
        .optional()
}
