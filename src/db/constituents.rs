//! Constituents and their phone numbers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Action, Actor, Event};
use super::schema::{constituents, phone_numbers};
use super::{Connection, is_unique_violation, portal, sessions, write_transaction};
use crate::domain::constituent::{Personas, PhoneLabel, Profile, Slot};
use crate::domain::phone::PhoneNumber;

/// A constituent as stored.
#[derive(Debug, Clone, Queryable)]
pub struct ConstituentRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub first_key: String,
    pub last_key: String,
    pub email: Option<String>,
    pub is_parent: bool,
    pub is_student: bool,
    pub is_staff: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ConstituentRow {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn personas(&self) -> Personas {
        Personas {
            parent: self.is_parent,
            student: self.is_student,
            staff: self.is_staff,
        }
    }
}

/// A phone number as stored.
#[derive(Debug, Clone, Queryable)]
pub struct PhoneRow {
    pub id: i64,
    pub constituent_id: i64,
    pub slot: i32,
    pub e164: String,
    pub extension: Option<String>,
    pub label: String,
    pub kind: String,
    pub last_four: String,
}

/// Who holds a Portal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub id: i64,
    pub name: String,
}

/// Why a profile was not saved.
#[derive(Debug)]
pub enum SaveError {
    /// Another constituent holds the Portal number; nothing was written.
    PortalNumberTaken(Holder),
    /// The profile was deleted meanwhile.
    Gone,
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for SaveError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Database(error)
    }
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: i64,
    /// The Portal number the profile held before, when the save changed or cleared it.
    pub replaced_portal_number: Option<String>,
}

/// Creates a constituent with its numbers, in one transaction.
pub fn create(
    conn: &mut Connection,
    profile: &Profile,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Saved, SaveError> {
    save(conn, None, profile, actor, now)
}

/// Replaces a constituent's details and numbers, in one transaction.
pub fn update(
    conn: &mut Connection,
    id: i64,
    profile: &Profile,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Saved, SaveError> {
    save(conn, Some(id), profile, actor, now)
}

/// Saves a profile, refusing a Portal number someone else holds. The unique
/// index is what decides a race; the look-up before it names the holder.
///
/// A change of Portal number is recorded in the history, and the parent's
/// portal sessions and unused codes end in the same transaction.
fn save(
    conn: &mut Connection,
    id: Option<i64>,
    profile: &Profile,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Saved, SaveError> {
    let written = write_transaction(conn, |conn| {
        if let Some(number) = profile.portal_number()
            && let Some(holder) = portal_holder(conn, number.e164(), id)?
        {
            return Err(SaveError::PortalNumberTaken(holder));
        }
        let (id, before) = match id {
            Some(id) => (
                update_row(conn, id, profile, now)?,
                portal_number_of(conn, id)?,
            ),
            None => (insert_row(conn, profile, now)?, None),
        };
        replace_numbers(conn, id, profile)?;

        let after = profile.portal_number().map(|number| number.e164());
        let name = format!(
            "{} {}",
            profile.first_name.as_str(),
            profile.last_name.as_str()
        );
        let change = PortalChange {
            id,
            name: &name,
            before: before.as_deref(),
            after,
        };
        record_portal_change(conn, &change, actor, now)?;
        let replaced_portal_number = before.clone().filter(|old| Some(old.as_str()) != after);
        Ok(Saved {
            id,
            replaced_portal_number,
        })
    });

    match written {
        Err(SaveError::Database(error)) if is_unique_violation(&error) => {
            let number = profile.portal_number().map(|n| n.e164().to_owned());
            let holder = match number {
                Some(number) => portal_holder(conn, &number, id)?,
                None => None,
            };
            Err(holder.map_or(SaveError::Database(error), SaveError::PortalNumberTaken))
        }
        other => other,
    }
}

/// A constituent's Portal number before and after a change.
struct PortalChange<'a> {
    id: i64,
    name: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
}

/// Records a change of Portal number, if there was one, and ends what the old
/// number opened: the parent's portal sessions and unused codes.
fn record_portal_change(
    conn: &mut Connection,
    change: &PortalChange<'_>,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let action = match (change.before, change.after) {
        (None, Some(_)) => Action::PortalNumberSet,
        (Some(_), None) => Action::PortalNumberCleared,
        (Some(old), Some(new)) if old != new => Action::PortalNumberChanged,
        _ => return Ok(()),
    };
    if change.before.is_some() {
        sessions::delete_for_constituent(conn, change.id)?;
        portal::forget_codes(conn, change.id)?;
    }
    let event = Event {
        constituent: Some((change.id, change.name)),
        old_value: change.before,
        new_value: change.after,
        ..Event::default()
    };
    audit::record(conn, actor, action, event, now)
}

fn insert_row(conn: &mut Connection, profile: &Profile, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(constituents::table)
        .values((
            columns_of(profile),
            constituents::created_at.eq(now),
            constituents::updated_at.eq(now),
        ))
        .returning(constituents::id)
        .get_result(conn)
}

fn update_row(
    conn: &mut Connection,
    id: i64,
    profile: &Profile,
    now: NaiveDateTime,
) -> Result<i64, SaveError> {
    let changed = diesel::update(constituents::table.find(id))
        .set((columns_of(profile), constituents::updated_at.eq(now)))
        .execute(conn)?;
    if changed == 0 {
        return Err(SaveError::Gone);
    }
    Ok(id)
}

type ProfileColumns<'a> = (
    diesel::dsl::Eq<constituents::first_name, &'a str>,
    diesel::dsl::Eq<constituents::last_name, &'a str>,
    diesel::dsl::Eq<constituents::first_key, String>,
    diesel::dsl::Eq<constituents::last_key, String>,
    diesel::dsl::Eq<constituents::email, Option<&'a str>>,
    diesel::dsl::Eq<constituents::is_parent, bool>,
    diesel::dsl::Eq<constituents::is_student, bool>,
    diesel::dsl::Eq<constituents::is_staff, bool>,
);

fn columns_of(profile: &Profile) -> ProfileColumns<'_> {
    (
        constituents::first_name.eq(profile.first_name.as_str()),
        constituents::last_name.eq(profile.last_name.as_str()),
        constituents::first_key.eq(profile.first_name.search_key()),
        constituents::last_key.eq(profile.last_name.search_key()),
        constituents::email.eq(profile.email.as_ref().map(|email| email.as_str())),
        constituents::is_parent.eq(profile.personas.parent),
        constituents::is_student.eq(profile.personas.student),
        constituents::is_staff.eq(profile.personas.staff),
    )
}

fn replace_numbers(conn: &mut Connection, id: i64, profile: &Profile) -> QueryResult<()> {
    diesel::delete(phone_numbers::table.filter(phone_numbers::constituent_id.eq(id)))
        .execute(conn)?;
    for slotted in &profile.numbers {
        insert_number(conn, id, slotted.slot, &slotted.number, slotted.label)?;
    }
    Ok(())
}

fn insert_number(
    conn: &mut Connection,
    id: i64,
    slot: Slot,
    number: &PhoneNumber,
    label: PhoneLabel,
) -> QueryResult<()> {
    diesel::insert_into(phone_numbers::table)
        .values((
            phone_numbers::constituent_id.eq(id),
            phone_numbers::slot.eq(slot.index()),
            phone_numbers::e164.eq(number.e164()),
            phone_numbers::extension.eq(number.extension()),
            phone_numbers::label.eq(label.as_str()),
            phone_numbers::kind.eq(number.kind().as_str()),
            phone_numbers::last_four.eq(number.last_four()),
        ))
        .execute(conn)
        .map(drop)
}

/// Deletes a constituent, freeing its numbers; false when there was none.
pub fn delete(
    conn: &mut Connection,
    id: i64,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let Some(person) = find(conn, id)? else {
            return Ok(false);
        };
        if let Some(number) = portal_number_of(conn, id)? {
            let event = Event {
                constituent: Some((id, &person.full_name())),
                old_value: Some(&number),
                ..Event::default()
            };
            audit::record(conn, actor, Action::HolderDeleted, event, now)?;
        }
        diesel::delete(phone_numbers::table.filter(phone_numbers::constituent_id.eq(id)))
            .execute(conn)?;
        Ok(diesel::delete(constituents::table.find(id)).execute(conn)? > 0)
    })
}

/// Gives the Portal number `number` to constituent `id`, taking it from
/// whoever holds it, in one transaction. Both sides are recorded, and the
/// portal sessions of both end. `None` when `id` does not exist.
pub fn move_portal_number(
    conn: &mut Connection,
    id: i64,
    number: &PhoneNumber,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<Option<Moved>> {
    write_transaction(conn, |conn| {
        let Some(person) = find(conn, id)? else {
            return Ok(None);
        };
        let e164 = number.e164();
        let from = portal_holder(conn, e164, Some(id))?;
        if let Some(holder) = &from {
            take_portal_number(conn, holder.id)?;
            let event = Event {
                constituent: Some((holder.id, &holder.name)),
                old_value: Some(e164),
                ..Event::default()
            };
            audit::record(conn, actor, Action::PortalNumberMovedOut, event, now)?;
        }

        let before = portal_number_of(conn, id)?;
        take_portal_number(conn, id)?;
        insert_number(conn, id, Slot::Portal, number, PhoneLabel::Mobile)?;
        let event = Event {
            constituent: Some((id, &person.full_name())),
            old_value: before.as_deref(),
            new_value: Some(e164),
            ..Event::default()
        };
        audit::record(conn, actor, Action::PortalNumberMovedIn, event, now)?;
        Ok(Some(Moved { from }))
    })
}

/// What a move did.
#[derive(Debug, Clone)]
pub struct Moved {
    /// Who held the number before, if anyone.
    pub from: Option<Holder>,
}

/// Removes a constituent's Portal number and ends what it opened.
fn take_portal_number(conn: &mut Connection, id: i64) -> QueryResult<()> {
    diesel::delete(
        phone_numbers::table
            .filter(phone_numbers::constituent_id.eq(id))
            .filter(phone_numbers::slot.eq(Slot::Portal.index())),
    )
    .execute(conn)?;
    sessions::delete_for_constituent(conn, id)?;
    portal::forget_codes(conn, id)
}

pub fn find(conn: &mut Connection, id: i64) -> QueryResult<Option<ConstituentRow>> {
    constituents::table.find(id).first(conn).optional()
}

/// A constituent's numbers, Portal number first.
pub fn numbers_of(conn: &mut Connection, id: i64) -> QueryResult<Vec<PhoneRow>> {
    phone_numbers::table
        .filter(phone_numbers::constituent_id.eq(id))
        .order(phone_numbers::slot)
        .load(conn)
}

/// A constituent's Portal number, if they have one.
pub fn portal_number_of(conn: &mut Connection, id: i64) -> QueryResult<Option<String>> {
    phone_numbers::table
        .filter(phone_numbers::constituent_id.eq(id))
        .filter(phone_numbers::slot.eq(Slot::Portal.index()))
        .select(phone_numbers::e164)
        .first(conn)
        .optional()
}

/// Who holds `e164` as their Portal number, other than `except`.
pub fn portal_holder(
    conn: &mut Connection,
    e164: &str,
    except: Option<i64>,
) -> QueryResult<Option<Holder>> {
    let found: Option<(i64, String, String)> = phone_numbers::table
        .inner_join(constituents::table)
        .filter(phone_numbers::slot.eq(Slot::Portal.index()))
        .filter(phone_numbers::e164.eq(e164))
        .filter(constituents::id.ne(except.unwrap_or(0)))
        .select((
            constituents::id,
            constituents::first_name,
            constituents::last_name,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, first, last)| Holder {
        id,
        name: format!("{first} {last}"),
    }))
}

/// What the directory is filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Everyone,
    /// Every word must begin the first or the last name (lower-cased).
    NamePrefixes(Vec<String>),
    /// Anyone with this number in any slot.
    Number(String),
    /// Anyone with a number ending in these four digits.
    LastFour(String),
}

/// One page of the directory, in name order; `page_size + 1` rows are read so
/// the caller can tell whether another page follows without counting the table.
///
/// The page is chosen by id first, from the name indexes alone, and only its
/// rows are read: a common name prefix matches tens of thousands of people in
/// a district, and sorting their whole rows would read each from the table.
pub fn list(
    conn: &mut Connection,
    filter: &Filter,
    offset: i64,
    page_size: i64,
) -> QueryResult<Vec<ConstituentRow>> {
    let ids = page_ids(conn, filter, offset, page_size + 1)?;
    constituents::table
        .filter(constituents::id.eq_any(&ids))
        .order(NAME_ORDER)
        .load(conn)
}

/// The ids of up to `limit` constituents the filter finds, from `offset` on, in
/// name order, read from the indexes alone.
pub fn page_ids(
    conn: &mut Connection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    filtered(filter)
        .select(constituents::id)
        .order(NAME_ORDER)
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// The directory's order: last name, first name, then id for equal names.
const NAME_ORDER: (
    constituents::last_key,
    constituents::first_key,
    constituents::id,
) = (
    constituents::last_key,
    constituents::first_key,
    constituents::id,
);

fn filtered(
    filter: &Filter,
) -> constituents::BoxedQuery<'static, <Connection as diesel::Connection>::Backend> {
    let mut query = constituents::table.into_boxed();
    match filter {
        Filter::Everyone => {}
        Filter::NamePrefixes(words) => {
            // The longest word is the most selective; the planner leads with the first.
            let mut words = words.clone();
            words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
            for word in words {
                let end = format!("{word}\u{10FFFF}");
                let first = constituents::first_key
                    .ge(word.clone())
                    .and(constituents::first_key.lt(end.clone()));
                let last = constituents::last_key
                    .ge(word)
                    .and(constituents::last_key.lt(end));
                query = query.filter(first.or(last));
            }
        }
        Filter::Number(e164) => {
            let holders = phone_numbers::table
                .filter(phone_numbers::e164.eq(e164.clone()))
                .select(phone_numbers::constituent_id);
            query = query.filter(constituents::id.eq_any(holders));
        }
        Filter::LastFour(digits) => {
            let holders = phone_numbers::table
                .filter(phone_numbers::last_four.eq(digits.clone()))
                .select(phone_numbers::constituent_id);
            query = query.filter(constituents::id.eq_any(holders));
        }
    }
    query
}

/// The Portal numbers of the given constituents.
pub fn portal_numbers_of(conn: &mut Connection, ids: &[i64]) -> QueryResult<Vec<PhoneRow>> {
    phone_numbers::table
        .filter(phone_numbers::constituent_id.eq_any(ids))
        .filter(phone_numbers::slot.eq(Slot::Portal.index()))
        .load(conn)
}
