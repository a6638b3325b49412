//! Sessions kept in Homeroom's own database, behind actix-session's store trait,
//! so that signing out or disabling an account ends a session for good.

use std::collections::HashMap;

use actix_session::storage::{
    LoadError, SaveError, SessionKey, SessionStore, UpdateError, generate_session_key,
};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::{NaiveDateTime, TimeDelta};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::Database;
use crate::db::sessions::{self, Owner};

/// The session entry that names the signed-in staff account; copied into its
/// own column so that all of an account's sessions can be ended at once.
pub const STAFF_ID: &str = "staff_id";
/// The same for a parent signed in to the portal.
pub const PARENT_ID: &str = "parent_id";

type State = HashMap<String, String>;

/// A [`SessionStore`] over the `sessions` table.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Database,
    clock: Clock,
}

impl DbSessionStore {
    pub fn new(db: Database, clock: Clock) -> Self {
        Self { db, clock }
    }

    fn expiry(&self, ttl: &CookieDuration) -> NaiveDateTime {
        self.clock.now() + TimeDelta::seconds(ttl.whole_seconds())
    }

    async fn insert_new(
        &self,
        state: String,
        owner: Owner,
        expires_at: NaiveDateTime,
    ) -> anyhow::Result<SessionKey> {
        let key = generate_session_key();
        let id = row_id(&key);
        self.db
            .run(move |conn| sessions::insert(conn, &id, &state, owner, expires_at))
            .await?;
        Ok(key)
    }
}

/// The row id of a session key: its SHA-256, so the table holds no usable keys.
fn row_id(key: &SessionKey) -> String {
    hex::encode(Sha256::digest(key.as_ref().as_bytes()))
}

fn owner_of(state: &State) -> Owner {
    let id = |key: &str| state.get(key).and_then(|value| value.parse().ok());
    Owner {
        staff_id: id(STAFF_ID),
        constituent_id: id(PARENT_ID),
    }
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let id = row_id(key);
        let now = self.clock.now();
        let stored = self
            .db
            .run(move |conn| sessions::load(conn, &id, now))
            .await
            .map_err(|error| LoadError::Other(error.into()))?;
        stored
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|error| LoadError::Deserialization(error.into()))
    }

    async fn save(&self, state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        let owner = owner_of(&state);
        let json = serde_json::to_string(&state)
            .map_err(|error| SaveError::Serialization(error.into()))?;
        self.insert_new(json, owner, self.expiry(ttl))
            .await
            .map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let owner = owner_of(&state);
        let json = serde_json::to_string(&state)
            .map_err(|error| UpdateError::Serialization(error.into()))?;
        let (id, expires_at, now) = (row_id(&key), self.expiry(ttl), self.clock.now());
        let updated = self
            .db
            .run(move |conn| sessions::update(conn, &id, &json, owner, expires_at, now))
            .await
            .map_err(|error| UpdateError::Other(error.into()))?;
        if updated {
            return Ok(key);
        }
        // The session ended while this request ran (sign-out elsewhere, a disabled
        // account). Its state must not come back to life: start an empty one.
        self.insert_new("{}".into(), Owner::default(), expires_at)
            .await
            .map_err(UpdateError::Other)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &CookieDuration) -> anyhow::Result<()> {
        let (id, expires_at) = (row_id(key), self.expiry(ttl));
        self.db
            .run(move |conn| sessions::set_expiry(conn, &id, expires_at))
            .await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        let id = row_id(key);
        self.db.run(move |conn| sessions::delete(conn, &id)).await?;
        Ok(())
    }
}
