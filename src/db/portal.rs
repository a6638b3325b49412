//! The Parent Portal's codes and sign-in limits.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use subtle::ConstantTimeEq;

use super::schema::{constituents, phone_numbers, portal_codes, portal_failures};
use super::{Connection, write_transaction};
use crate::domain::constituent::Slot;
use crate::domain::portal::{PAUSE, WRONG_CODES_BEFORE_PAUSE, WRONG_TRIES_PER_CODE};

/// A parent who may sign in with a number.
#[derive(Debug, Clone)]
pub struct PortalParent {
    pub id: i64,
    pub first_name: String,
}

/// The parent whose Portal number is `e164`, if any.
pub fn parent_with_number(conn: &mut Connection, e164: &str) -> QueryResult<Option<PortalParent>> {
    let found: Option<(i64, String)> = phone_numbers::table
        .inner_join(constituents::table)
        .filter(phone_numbers::slot.eq(Slot::Portal.index()))
        .filter(phone_numbers::e164.eq(e164))
        .filter(constituents::is_parent.eq(true))
        .select((constituents::id, constituents::first_name))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, first_name)| PortalParent { id, first_name }))
}

/// The Portal number a parent signs in with now, if they may sign in at all.
pub fn current_number(conn: &mut Connection, constituent_id: i64) -> QueryResult<Option<String>> {
    phone_numbers::table
        .inner_join(constituents::table)
        .filter(constituents::id.eq(constituent_id))
        .filter(constituents::is_parent.eq(true))
        .filter(phone_numbers::slot.eq(Slot::Portal.index()))
        .select(phone_numbers::e164)
        .first(conn)
        .optional()
}

/// Whether `e164` may be sent a new code now: not paused, and under the hourly limit.
fn may_send_code(
    conn: &mut Connection,
    e164: &str,
    hour_ago: NaiveDateTime,
    now: NaiveDateTime,
    per_hour: i64,
) -> QueryResult<bool> {
    let sent: i64 = portal_codes::table
        .filter(portal_codes::e164.eq(e164))
        .filter(portal_codes::created_at.gt(hour_ago))
        .count()
        .get_result(conn)?;
    Ok(sent < per_hour && !is_paused(conn, e164, now)?)
}

fn is_paused(conn: &mut Connection, e164: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let paused_until: Option<Option<NaiveDateTime>> = portal_failures::table
        .find(e164)
        .select(portal_failures::paused_until)
        .first(conn)
        .optional()?;
    Ok(paused_until.flatten().is_some_and(|until| until > now))
}

/// A code about to be texted, for whoever holds `e164`.
pub struct NewCode<'a> {
    pub id: &'a str,
    pub e164: &'a str,
    pub code_hash: &'a str,
    pub now: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Stores a code for the parent who holds its number, when that number may be
/// sent one now; answers the parent to text it to.
pub fn issue_code(
    conn: &mut Connection,
    code: &NewCode<'_>,
    per_hour: i64,
) -> QueryResult<Option<PortalParent>> {
    write_transaction(conn, |conn| {
        let Some(parent) = parent_with_number(conn, code.e164)? else {
            return Ok(None);
        };
        let hour_ago = code.now - TimeDelta::hours(1);
        if !may_send_code(conn, code.e164, hour_ago, code.now, per_hour)? {
            return Ok(None);
        }
        insert_code(conn, parent.id, code)?;
        Ok(Some(parent))
    })
}

fn insert_code(conn: &mut Connection, constituent_id: i64, code: &NewCode<'_>) -> QueryResult<()> {
    diesel::insert_into(portal_codes::table)
        .values((
            portal_codes::id.eq(code.id),
            portal_codes::constituent_id.eq(constituent_id),
            portal_codes::e164.eq(code.e164),
            portal_codes::code_hash.eq(code.code_hash),
            portal_codes::created_at.eq(code.now),
            portal_codes::expires_at.eq(code.expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Notes that a code's text could not be sent, so the verify page can say so.
pub fn mark_send_failed(conn: &mut Connection, id: &str) -> QueryResult<()> {
    diesel::update(portal_codes::table.find(id))
        .set(portal_codes::send_failed.eq(true))
        .execute(conn)
        .map(drop)
}

pub fn send_failed(conn: &mut Connection, id: &str) -> QueryResult<bool> {
    let failed: Option<bool> = portal_codes::table
        .find(id)
        .select(portal_codes::send_failed)
        .first(conn)
        .optional()?;
    Ok(failed.unwrap_or(false))
}

/// What a typed code earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    SignedIn {
        constituent_id: i64,
        e164: String,
    },
    /// Wrong, expired, used up, for another number, or for no one: all look alike.
    Refused,
}

/// Checks a typed code against the attempt `id`, counting a wrong one against
/// the code and the number. Run it in a write transaction.
pub fn verify(
    conn: &mut Connection,
    id: &str,
    typed_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Verdict> {
    let code: Option<(
        i64,
        String,
        String,
        NaiveDateTime,
        i32,
        Option<NaiveDateTime>,
    )> = portal_codes::table
        .find(id)
        .select((
            portal_codes::constituent_id,
            portal_codes::e164,
            portal_codes::code_hash,
            portal_codes::expires_at,
            portal_codes::wrong_tries,
            portal_codes::used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((constituent_id, e164, stored_hash, expires_at, wrong_tries, used_at)) = code else {
        return Ok(Verdict::Refused);
    };

    let usable = used_at.is_none() && expires_at > now && wrong_tries < WRONG_TRIES_PER_CODE;
    let still_theirs = current_number(conn, constituent_id)?.as_deref() == Some(e164.as_str());
    let matches = bool::from(stored_hash.as_bytes().ct_eq(typed_hash.as_bytes()));
    if is_paused(conn, &e164, now)? || !usable || !still_theirs {
        return Ok(Verdict::Refused);
    }
    if !matches {
        count_wrong_code(conn, id, &e164, now)?;
        return Ok(Verdict::Refused);
    }

    diesel::update(portal_codes::table.find(id))
        .set(portal_codes::used_at.eq(now))
        .execute(conn)?;
    diesel::delete(portal_failures::table.find(&e164)).execute(conn)?;
    Ok(Verdict::SignedIn {
        constituent_id,
        e164,
    })
}

fn count_wrong_code(
    conn: &mut Connection,
    id: &str,
    e164: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(portal_codes::table.find(id))
        .set(portal_codes::wrong_tries.eq(portal_codes::wrong_tries + 1))
        .execute(conn)?;

    let before: Option<i32> = portal_failures::table
        .find(e164)
        .select(portal_failures::consecutive)
        .first(conn)
        .optional()?;
    let consecutive = before.unwrap_or(0) + 1;
    let paused_until = (consecutive >= WRONG_CODES_BEFORE_PAUSE).then(|| now + PAUSE);
    if before.is_some() {
        diesel::update(portal_failures::table.find(e164))
            .set((
                portal_failures::consecutive.eq(consecutive),
                portal_failures::paused_until.eq(paused_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(portal_failures::table)
            .values((
                portal_failures::e164.eq(e164),
                portal_failures::consecutive.eq(consecutive),
                portal_failures::paused_until.eq(paused_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets every code of a parent, when their Portal number changes.
pub fn forget_codes(conn: &mut Connection, constituent_id: i64) -> QueryResult<()> {
    diesel::delete(portal_codes::table.filter(portal_codes::constituent_id.eq(constituent_id)))
        .execute(conn)
        .map(drop)
}

/// Forgets codes made before `before`; the hourly limit looks back one hour only.
pub fn forget_codes_before(conn: &mut Connection, before: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(portal_codes::table.filter(portal_codes::created_at.lt(before)))
        .execute(conn)
        .map(drop)
}
