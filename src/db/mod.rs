//! Persistence: one connection type over SQLite and PostgreSQL, the pool, the
//! migrations, and the queries each area needs.
//!
//! Query functions take `&mut Connection` and return diesel's `QueryResult`;
//! handlers reach them through [`Database::run`], which moves the work off the
//! async threads.

pub mod audit;
pub mod constituents;
pub mod portal;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod staff;

use std::time::Duration;

use diesel::Connection as _;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever database the settings chose.
#[derive(diesel::MultiConnection)]
pub enum Connection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not open the database")]
    Connect(#[from] ConnectionError),
    #[error("no database connection was free in time")]
    Pool(#[from] r2d2::Error),
    #[error("a database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("could not apply the database migrations")]
    Migrate(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("a database task stopped before it finished")]
    Interrupted(#[from] actix_web::error::BlockingError),
}

/// The shared handle on the database: a small pool of connections.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
}

impl Database {
    /// Opens the database, applies pending migrations, and fills a pool.
    pub fn open(url: &DatabaseUrl) -> Result<Self, DbError> {
        let mut first = connect(url)?;
        migrate(&mut first)?;

        // SQLite's page caches are per connection, and its writers queue anyway.
        let size = match url {
            DatabaseUrl::Sqlite(_) => 4,
            DatabaseUrl::Postgres(_) => 8,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(Manager { url: url.clone() });
        drop(first);
        Ok(Self { pool })
    }

    /// Runs `work` on a pooled connection, on a thread where blocking is allowed.
    pub async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut Connection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            Ok(work(&mut conn)?)
        })
        .await?
    }

    /// Runs `work` now, on this thread: for the command line and start-up.
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> QueryResult<T>,
    ) -> Result<T, DbError> {
        let mut conn = self.pool.get()?;
        Ok(work(&mut conn)?)
    }
}

/// Opens one connection, choosing the backend by the URL's scheme so that a
/// mistyped URL is reported as such instead of becoming a new SQLite file.
pub fn connect(url: &DatabaseUrl) -> Result<Connection, DbError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            let path = path.to_string_lossy();
            let mut conn = SqliteConnection::establish(&path)?;
            // The busy timeout must come first: switching to WAL may itself wait.
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000;
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -8000;",
            )
            .map_err(|error| ConnectionError::BadConnection(error.to_string()))?;
            Ok(Connection::Sqlite(conn))
        }
        DatabaseUrl::Postgres(url) => Ok(Connection::Postgres(PgConnection::establish(url)?)),
    }
}

/// Applies the migrations of the connection's backend that have not run yet.
pub fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let applied = match conn {
        Connection::Sqlite(conn) => conn
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
        Connection::Postgres(conn) => conn
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    let applied = applied.map_err(DbError::Migrate)?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    Ok(())
}

/// Runs `work` in a transaction that takes the write lock from its first
/// statement. On SQLite a transaction that reads and then writes would
/// otherwise fail with "database is locked" instead of waiting its turn.
/// Inside another transaction it runs as a savepoint of that one.
pub fn write_transaction<T, E>(
    conn: &mut Connection,
    work: impl FnOnce(&mut Connection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Manager = <Connection as diesel::Connection>::TransactionManager;
    if Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some()
    {
        return diesel::Connection::transaction(conn, work);
    }
    match conn {
        Connection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
        }
        Connection::Postgres(_) => {
            <Connection as diesel::Connection>::TransactionManager::begin_transaction(conn)?
        }
    }
    match work(conn) {
        Ok(value) => {
            <Connection as diesel::Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            <Connection as diesel::Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

/// Deletes what has expired: sessions, old sign-in failures, used and old codes.
pub fn tidy(conn: &mut Connection, now: chrono::NaiveDateTime) -> QueryResult<()> {
    let day_ago = now - chrono::TimeDelta::days(1);
    sessions::delete_expired(conn, now)?;
    staff::forget_failures_before(conn, day_ago)?;
    portal::forget_codes_before(conn, day_ago)?;
    Ok(())
}

/// Whether a failed write broke a unique index, such as the one on Portal numbers.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Opens pooled connections with the same settings as [`connect`].
#[derive(Debug)]
struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = DbError;

    fn connect(&self) -> Result<Connection, DbError> {
        connect(&self.url)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), DbError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.is_broken()
    }
}
