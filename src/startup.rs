//! Building and starting the app: used by `homeroom serve` and by the tests.

use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use rand::RngCore;
use sha2::{Digest, Sha512};
use tracing_actix_web::TracingLogger;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, Database};
use crate::domain::phone;
use crate::passwords;
use crate::telemetry::RequestLog;
use crate::web::forms::FORM_LIMIT_BYTES;
use crate::web::routes::setup::SetupLink;
use crate::web::routes::sign_in::DecoyHash;
use crate::web::session_store::DbSessionStore;
use crate::web::{app_routes, middleware};

/// The name of the staff session cookie.
pub const SESSION_COOKIE: &str = "homeroom_session";

/// A bound, ready-to-run Homeroom.
pub struct Application {
    server: Server,
    base_url: String,
    setup_path: Option<String>,
}

impl Application {
    /// Opens the database (applying migrations), binds the address, and builds
    /// the server. Nothing is served until [`Application::run`].
    pub fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let db = Database::open(&settings.database)?;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("could not listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let base_url = format!("http://{address}");

        let key = cookie_key(&settings, &db)?;
        let setup = if db.run_blocking(db::staff::any_exist)? {
            SetupLink::default()
        } else {
            SetupLink::generate()
        };
        let setup_path = setup.path();
        phone::warm_up(settings.default_region);

        let state = SharedState {
            db: web::Data::new(db.clone()),
            clock: web::Data::new(clock.clone()),
            settings: web::Data::new(settings),
            setup: web::Data::new(setup),
            decoy: web::Data::new(DecoyHash(passwords::decoy_hash()?)),
        };
        let store = DbSessionStore::new(db, clock);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(middleware::error_pages))
                .wrap(session_middleware(store.clone(), key.clone()))
                .wrap(from_fn(middleware::security_headers))
                .wrap(TracingLogger::<RequestLog>::new())
                .app_data(web::PayloadConfig::new(FORM_LIMIT_BYTES))
                .app_data(state.db.clone())
                .app_data(state.clock.clone())
                .app_data(state.settings.clone())
                .app_data(state.setup.clone())
                .app_data(state.decoy.clone())
                .configure(app_routes)
        })
        .workers(worker_count())
        .listen(listener)?
        .run();

        Ok(Self {
            server,
            base_url,
            setup_path,
        })
    }

    /// Where the app listens, such as `http://127.0.0.1:8080`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The one-time link that creates the first administrator, while no staff account exists.
    pub fn setup_url(&self) -> Option<String> {
        self.setup_path
            .as_ref()
            .map(|path| format!("{}{path}", self.base_url))
    }

    /// Serves until the process is stopped.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// What every worker shares.
struct SharedState {
    db: web::Data<Database>,
    clock: web::Data<Clock>,
    settings: web::Data<Settings>,
    setup: web::Data<SetupLink>,
    decoy: web::Data<DecoyHash>,
}

fn session_middleware(store: DbSessionStore, key: Key) -> SessionMiddleware<DbSessionStore> {
    let lifetime = PersistentSession::default()
        .session_ttl(CookieDuration::hours(12))
        .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges);
    SessionMiddleware::builder(store, key)
        .cookie_name(SESSION_COOKIE.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(false)
        .session_lifecycle(lifetime)
        .build()
}

/// The key that signs session cookies: derived from `HOMEROOM_SECRET_KEY`, or
/// generated on first run and kept in the database.
fn cookie_key(settings: &Settings, db: &Database) -> anyhow::Result<Key> {
    let master = match &settings.secret_key {
        Some(secret) => secret.expose().to_owned(),
        None => db.run_blocking(|conn| {
            db::settings::get_or_create(conn, "secret_key", || {
                let mut bytes = [0u8; 64];
                rand::rng().fill_bytes(&mut bytes);
                hex::encode(bytes)
            })
        })?,
    };
    Ok(Key::from(&Sha512::digest(master.as_bytes())))
}

/// Two workers per core, at least two: handlers mostly wait on the database.
fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}
