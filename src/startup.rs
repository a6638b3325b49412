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
use sha2::{Digest, Sha256, Sha512};
use tracing_actix_web::TracingLogger;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, Database};
use crate::domain::phone;
use crate::passwords;
use crate::sms::SmsSender;
use crate::telemetry::{self, RequestLog};
use crate::web::forms::FORM_LIMIT_BYTES;
use crate::web::routes::portal::sign_in::CodeKey;
use crate::web::routes::setup::SetupLink;
use crate::web::routes::sign_in::DecoyHash;
use crate::web::session_store::DbSessionStore;
use crate::web::{app_routes, middleware};

/// The name of the staff session cookie.
pub const SESSION_COOKIE: &str = "homeroom_session";
/// The name of the Parent Portal's session cookie, sent only under `/portal`.
pub const PORTAL_SESSION_COOKIE: &str = "homeroom_portal";

/// A bound, ready-to-run Homeroom.
pub struct Application {
    server: Server,
    base_url: String,
    setup_path: Option<String>,
    db: Database,
    clock: Clock,
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

        let master = master_secret(&settings, &db)?;
        let key = Key::from(&Sha512::digest(format!("cookies:{master}").as_bytes()));
        phone::warm_up(settings.default_region);
        let state = SharedState::new(settings, &db, &clock, &master)?;
        let setup_path = state.setup.path();
        let store = DbSessionStore::new(db.clone(), clock.clone());
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(middleware::error_pages))
                .wrap(from_fn(middleware::security_headers))
                .wrap(TracingLogger::<RequestLog>::new())
                .app_data(web::PayloadConfig::new(FORM_LIMIT_BYTES))
                .app_data(state.db.clone())
                .app_data(state.clock.clone())
                .app_data(state.settings.clone())
                .app_data(state.setup.clone())
                .app_data(state.decoy.clone())
                .app_data(state.code_key.clone())
                .app_data(state.sms.clone())
                .configure(|cfg| {
                    let staff = session_middleware(store.clone(), key.clone(), Audience::Staff);
                    let portal = session_middleware(store.clone(), key.clone(), Audience::Portal);
                    app_routes(cfg, staff, portal)
                })
        })
        .workers(worker_count())
        .listen(listener)?
        .run();

        Ok(Self {
            server,
            base_url,
            setup_path,
            db,
            clock,
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

    /// Serves until the process is stopped, tidying the database every hour.
    pub async fn run(self) -> std::io::Result<()> {
        let (db, clock) = (self.db, self.clock);
        actix_web::rt::spawn(async move {
            let mut hourly = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                let now = clock.now();
                if let Err(error) = db.run(move |conn| db::tidy(conn, now)).await {
                    let cause = telemetry::cause_chain(error);
                    tracing::error!(%cause, "could not tidy the database");
                }
            }
        });
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
    code_key: web::Data<CodeKey>,
    sms: web::Data<SmsSender>,
}

impl SharedState {
    fn new(settings: Settings, db: &Database, clock: &Clock, master: &str) -> anyhow::Result<Self> {
        let code_key = Sha256::digest(format!("portal codes:{master}").as_bytes()).to_vec();
        let setup = if db.run_blocking(db::staff::any_exist)? {
            SetupLink::default()
        } else {
            SetupLink::generate()
        };
        Ok(Self {
            sms: web::Data::new(SmsSender::new(&settings.sms, clock.clone())?),
            db: web::Data::new(db.clone()),
            clock: web::Data::new(clock.clone()),
            settings: web::Data::new(settings),
            setup: web::Data::new(setup),
            decoy: web::Data::new(DecoyHash(passwords::decoy_hash()?)),
            code_key: web::Data::new(CodeKey(code_key)),
        })
    }
}

/// Who a session cookie is for.
enum Audience {
    Staff,
    Portal,
}

fn session_middleware(
    store: DbSessionStore,
    key: Key,
    audience: Audience,
) -> SessionMiddleware<DbSessionStore> {
    let (name, path, hours) = match audience {
        Audience::Staff => (SESSION_COOKIE, "/", 12),
        Audience::Portal => (PORTAL_SESSION_COOKIE, "/portal", 24),
    };
    let lifetime = PersistentSession::default()
        .session_ttl(CookieDuration::hours(hours))
        .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges);
    SessionMiddleware::builder(store, key)
        .cookie_name(name.into())
        .cookie_path(path.into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(false)
        .session_lifecycle(lifetime)
        .build()
}

/// The secret every key is derived from: `HOMEROOM_SECRET_KEY`, or one
/// generated on first run and kept in the database.
fn master_secret(settings: &Settings, db: &Database) -> anyhow::Result<String> {
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
    Ok(master)
}

/// Two workers per core, at least two: handlers mostly wait on the database.
fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}
