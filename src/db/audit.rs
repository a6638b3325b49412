//! The history of every Portal number change and staff-account event.
//!
//! Every event is written here, in the transaction of the change it records,
//! and logged as it is written, with phone numbers masked.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Connection;
use super::schema::audit_events;
use crate::domain::phone::mask;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PortalNumberSet,
    PortalNumberChanged,
    PortalNumberCleared,
    PortalNumberMovedIn,
    PortalNumberMovedOut,
    HolderDeleted,
    StaffCreated,
    StaffDisabled,
    StaffPasswordReset,
}

impl Action {
    const ALL: [Self; 9] = [
        Self::PortalNumberSet,
        Self::PortalNumberChanged,
        Self::PortalNumberCleared,
        Self::PortalNumberMovedIn,
        Self::PortalNumberMovedOut,
        Self::HolderDeleted,
        Self::StaffCreated,
        Self::StaffDisabled,
        Self::StaffPasswordReset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PortalNumberSet => "portal_number_set",
            Self::PortalNumberChanged => "portal_number_changed",
            Self::PortalNumberCleared => "portal_number_cleared",
            Self::PortalNumberMovedIn => "portal_number_moved_in",
            Self::PortalNumberMovedOut => "portal_number_moved_out",
            Self::HolderDeleted => "holder_deleted",
            Self::StaffCreated => "staff_created",
            Self::StaffDisabled => "staff_disabled",
            Self::StaffPasswordReset => "staff_password_reset",
        }
    }

    /// How the action reads in a history table.
    pub fn title(self) -> &'static str {
        match self {
            Self::PortalNumberSet => "Portal number set",
            Self::PortalNumberChanged => "Portal number changed",
            Self::PortalNumberCleared => "Portal number cleared",
            Self::PortalNumberMovedIn => "Portal number moved here",
            Self::PortalNumberMovedOut => "Portal number moved away",
            Self::HolderDeleted => "Profile deleted with its Portal number",
            Self::StaffCreated => "Staff account created",
            Self::StaffDisabled => "Staff account disabled",
            Self::StaffPasswordReset => "Staff password reset",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == stored)
    }

    /// Whether the old and new values are phone numbers.
    pub fn is_about_numbers(self) -> bool {
        !matches!(
            self,
            Self::StaffCreated | Self::StaffDisabled | Self::StaffPasswordReset
        )
    }
}

/// Who made a change: a staff account, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub username: String,
}

impl Actor {
    /// Changes made with `homeroom create-user` on the server itself.
    pub fn command_line() -> Self {
        Self {
            id: None,
            username: "command line".into(),
        }
    }
}

/// One event to record.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub constituent: Option<(i64, &'a str)>,
    pub staff: Option<(i64, &'a str)>,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
}

pub fn record(
    conn: &mut Connection,
    actor: &Actor,
    action: Action,
    event: Event<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(now),
            audit_events::actor_id.eq(actor.id),
            audit_events::actor_username.eq(&actor.username),
            audit_events::action.eq(action.as_str()),
            audit_events::constituent_id.eq(event.constituent.map(|(id, _)| id)),
            audit_events::constituent_name.eq(event.constituent.map(|(_, name)| name)),
            audit_events::staff_id.eq(event.staff.map(|(id, _)| id)),
            audit_events::staff_username.eq(event.staff.map(|(_, name)| name)),
            audit_events::old_value.eq(event.old_value),
            audit_events::new_value.eq(event.new_value),
        ))
        .execute(conn)?;

    let shown = |value: Option<&str>| match value {
        Some(number) if action.is_about_numbers() => mask(number),
        Some(_) => "-".into(),
        None => "none".into(),
    };
    tracing::info!(
        action = action.as_str(),
        by = %actor.username,
        constituent_id = event.constituent.map(|(id, _)| id),
        staff_id = event.staff.map(|(id, _)| id),
        old = %shown(event.old_value),
        new = %shown(event.new_value),
        "recorded a change"
    );
    Ok(())
}

/// An event as stored.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor_username: String,
    pub action: String,
    pub constituent_id: Option<i64>,
    pub constituent_name: Option<String>,
    pub staff_id: Option<i64>,
    pub staff_username: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What the audit page is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of a constituent's name, lower-cased.
    pub person: Option<String>,
    /// A staff username who made the change.
    pub actor: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Events, newest first; `limit + 1` are read to tell whether more follow.
pub fn list(
    conn: &mut Connection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let mut query = audit_events::table.into_boxed();
    if let Some(person) = &filter.person {
        let pattern = format!("%{}%", escape_like(person));
        query = query.filter(
            lower(audit_events::constituent_name.assume_not_null())
                .like(pattern)
                .escape('\\'),
        );
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor_username.eq(actor.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from.and_hms_opt(0, 0, 0).unwrap()));
    }
    if let Some(to) = filter.to.and_then(|to| to.succ_opt()) {
        query = query.filter(audit_events::occurred_at.lt(to.and_hms_opt(0, 0, 0).unwrap()));
    }
    query
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .offset(offset)
        .limit(limit + 1)
        .load(conn)
}

/// The Portal number history of one constituent, newest first.
pub fn for_constituent(conn: &mut Connection, id: i64) -> QueryResult<Vec<EventRow>> {
    audit_events::table
        .filter(audit_events::constituent_id.eq(id))
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(200)
        .load(conn)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
