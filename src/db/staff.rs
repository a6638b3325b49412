//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Action, Actor, Event};
use super::schema::{sign_in_failures, staff_accounts};
use super::{Connection, is_unique_violation, sessions, write_transaction};

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

/// Adds an account and records it in the history; `None` when the username
/// is taken.
pub fn create(
    conn: &mut Connection,
    username: &str,
    role: &str,
    password_hash: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    let created = write_transaction(conn, |conn| {
        if find_by_username(conn, username)?.is_some() {
            return Ok(None);
        }
        let id = insert(conn, username, password_hash, role, now)?;
        let event = Event {
            staff: Some((id, username)),
            new_value: Some(role),
            ..Event::default()
        };
        audit::record(conn, actor, Action::StaffCreated, event, now)?;
        Ok(Some(id))
    });
    match created {
        // Another request took the name between the look-up and the insert.
        Err(error) if is_unique_violation(&error) => Ok(None),
        other => other,
    }
}

/// Adds an account; a taken username fails as a unique violation.
fn insert(
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

/// Every account, by username.
pub fn list(conn: &mut Connection) -> QueryResult<Vec<StaffRow>> {
    staff_accounts::table
        .order(staff_accounts::username)
        .load(conn)
}

/// Disables an account and ends its sessions; false when it was not enabled.
pub fn disable(conn: &mut Connection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let enabled = staff_accounts::table
        .find(id)
        .filter(staff_accounts::disabled_at.is_null());
    let changed = diesel::update(enabled)
        .set(staff_accounts::disabled_at.eq(Some(now)))
        .execute(conn)?;
    sessions::delete_for_staff(conn, id)?;
    Ok(changed > 0)
}

/// Replaces an account's password hash and ends its sessions.
pub fn set_password(conn: &mut Connection, id: i64, password_hash: &str) -> QueryResult<bool> {
    let changed = diesel::update(staff_accounts::table.find(id))
        .set(staff_accounts::password_hash.eq(password_hash))
        .execute(conn)?;
    sessions::delete_for_staff(conn, id)?;
    Ok(changed > 0)
}

/// Notes a failed sign-in, for the sign-in limits.
pub fn record_failure(
    conn: &mut Connection,
    username: &str,
    address: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::username.eq(username),
            sign_in_failures::address.eq(address),
            sign_in_failures::failed_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// When the newest `count` failures for a username, or for an address, since
/// `since`: the times, newest first.
pub fn recent_failures(
    conn: &mut Connection,
    by: FailuresOf<'_>,
    since: NaiveDateTime,
    count: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    let query = sign_in_failures::table
        .filter(sign_in_failures::failed_at.gt(since))
        .select(sign_in_failures::failed_at)
        .order(sign_in_failures::failed_at.desc())
        .limit(count)
        .into_boxed();
    match by {
        FailuresOf::Username(name) => query.filter(sign_in_failures::username.eq(name)).load(conn),
        FailuresOf::Address(address) => query
            .filter(sign_in_failures::address.eq(address))
            .load(conn),
    }
}

/// Whose failed sign-ins to count.
#[derive(Debug, Clone, Copy)]
pub enum FailuresOf<'a> {
    Username(&'a str),
    Address(&'a str),
}

/// Forgets failures too old to matter.
pub fn forget_failures_before(conn: &mut Connection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::failed_at.lt(before)))
        .execute(conn)
}
