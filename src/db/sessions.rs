//! Server-side session records. Rows are keyed by a hash of the cookie's
//! session key, so a copy of the database opens no one's session.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Connection;
use super::schema::sessions;

/// The session's state, if the session exists and has not expired.
pub fn load(conn: &mut Connection, id: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    sessions::table
        .find(id)
        .filter(sessions::expires_at.gt(now))
        .select(sessions::state)
        .first(conn)
        .optional()
}

/// Whose session a row is: a staff account's, a parent's in the portal, or
/// nobody's yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Owner {
    pub staff_id: Option<i64>,
    pub constituent_id: Option<i64>,
}

pub fn insert(
    conn: &mut Connection,
    id: &str,
    state: &str,
    owner: Owner,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::state.eq(state),
            sessions::staff_id.eq(owner.staff_id),
            sessions::constituent_id.eq(owner.constituent_id),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces a live session's state; false when there is no such live session.
pub fn update(
    conn: &mut Connection,
    id: &str,
    state: &str,
    owner: Owner,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let live = sessions::table
        .find(id)
        .filter(sessions::expires_at.gt(now));
    let changed = diesel::update(live)
        .set((
            sessions::state.eq(state),
            sessions::staff_id.eq(owner.staff_id),
            sessions::constituent_id.eq(owner.constituent_id),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(changed > 0)
}

pub fn set_expiry(conn: &mut Connection, id: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut Connection, id: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(id))
        .execute(conn)
        .map(drop)
}

/// Ends every session a staff account has, on every device.
pub fn delete_for_staff(conn: &mut Connection, staff_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::staff_id.eq(staff_id))).execute(conn)
}

/// Ends every portal session a parent has.
pub fn delete_for_constituent(conn: &mut Connection, constituent_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::constituent_id.eq(constituent_id)))
        .execute(conn)
}

pub fn delete_expired(conn: &mut Connection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
