//! The directory at district size: the list, its searches and the phone-number
//! check, timed over HTTP against a database of a million constituents.
//!
//! `cargo bench --bench directory` builds the app on a fresh SQLite database
//! (which applies the migrations), bulk-loads constituents with raw SQL, creates
//! an administrator through the setup link, signs in, and requests each scenario
//! in turn. It prints latencies, the load time and size, and the plan of every
//! directory query with whether it searches an index or scans.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `HOMEROOM_BENCH_ROWS` | `1000000` | constituents to load |
//! | `HOMEROOM_BENCH_REQUESTS` | `200` | timed requests per scenario, after 20 warm-ups |
//! | `HOMEROOM_BENCH_POSTGRES` | unset | `1`: also run on a throwaway PostgreSQL cluster |
//! | `HOMEROOM_BENCH_KEEP` | unset | `1`: keep the SQLite file afterwards, to inspect |

#[path = "../tests/api/support/postgres.rs"]
mod postgres;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::iter::Peekable;
use std::path::Path;
use std::str::Chars;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web;
use anyhow::{Context, bail, ensure};
use diesel::Connection as _;
use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::sqlite::SqliteConnection;
use homeroom::clock::Clock;
use homeroom::config::{DatabaseUrl, Settings};
use homeroom::db::constituents::{self, Filter};
use homeroom::db::{self, Connection};
use homeroom::domain::constituent::search_key;
use homeroom::domain::phone::{PhoneNumber, Region};
use homeroom::startup::Application;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

/// Rows a directory page shows, as the list handler asks for them.
const PAGE_SIZE: i64 = 50;
/// Untimed requests before each scenario, to fill caches and pools.
const WARM_UPS: usize = 20;
/// Timed runs of the slowest query on its own.
const DIRECT_RUNS: usize = 200;
/// The p95 above which a scenario is reported as slow.
const SLOW_MS: f64 = 50.0;
const ADMIN: &str = "admin";
const PASSWORD: &str = "lantern orchard velvet compass";
const CREATED_AT: &str = "2026-09-01 08:00:00";

/// Commonest first; a pick favours the front of each list.
const FIRST_NAMES: &str = "
    James Mary Michael Maria Robert Jennifer David Linda John Patricia William Elizabeth Jose
    Susan Richard Jessica Joseph Sarah Thomas Karen Christopher Nancy Daniel Lisa Juan Sofia
    Matthew Emma Anthony Olivia Mark Ava Luis Isabella Steven Mia Paul Amelia Andrew Harper
    Joshua Evelyn Kevin Abigail Brian Emily Carlos Ella Wei Fatima George Aaliyah Timothy Chloe
    Ronald Camila Jason Penelope Edward Riley Jeffrey Layla Ryan Lillian Jacob Nora Gary Zoey
    Nicholas Mila Eric Aubrey Jonathan Hannah Stephen Lily Larry Addison Justin Eleanor Scott
    Natalie Brandon Luna Benjamin Savannah Samuel Brooklyn Gregory Leah Alexander Zoe Frank
    Stella Raymond Hazel Patrick Ellie Jack Paisley Dennis Audrey Jerry Skylar Tyler Violet
    Aaron Claire Adam Bella Nathan Aurora Henry Lucy Douglas Anna Zachary Samantha Peter
    Caroline Kyle Genesis Ethan Walter Kennedy Noah Kinsley Jeremy Allison Christian Maya Keith
    Roger Madelyn Terry Adeline Gerald Alexa Harold Ariana Sean Elena Austin Gabriella Carl
    Naomi Arthur Alice Lawrence Sadie Dylan Hailey Jesse Eva Jordan Emilia Bryan Autumn Billy
    Quinn Joe Nevaeh Bruce Piper Gabriel Ruby Logan Serenity Albert Willow Willie Everly Alan
    Cora Kaylee Wayne Lydia Elijah Aria Randy Ximena Roy Yusuf Vincent Priya Ralph Mohammed
    Eugene Aisha Russell Hiroshi Bobby Ingrid Mason Oksana Philip Dmitri Louis Ngozi";

/// Commonest first; each family's name gets a number after it, as in `Garcia412`.
const LAST_NAMES: &str = "
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
    Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
    Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
    Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
    Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
    Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
    Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan
    Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
    Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
    Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison
    Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker
    Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
    Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox
    Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan
    Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos
    Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews
    Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis
    Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene
    Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson
    Austin Dominguez Carr Lawson Jacobs O'Brien Lynch Singh Vega Bishop Montgomery Oliver
    Jensen Harvey Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy
    Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks
    Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer Holland Juarez
    Newman Pearson Curtis Cortez Douglas Schneider Xiong Okafor Yilmaz Archer";

/// Area codes and exchanges the numbers are drawn from: 10,000 numbers per pair.
const AREA_CODES: [u32; 20] = [
    201, 202, 206, 212, 213, 214, 303, 305, 312, 404, 415, 503, 512, 602, 617, 702, 713, 718, 818,
    917,
];
const EXCHANGES: [u32; 8] = [234, 349, 456, 567, 682, 738, 824, 963];

fn main() -> anyhow::Result<()> {
    let bench = BenchSettings::from_env()?;
    actix_web::rt::System::new().block_on(async {
        let dir = tempfile::tempdir()?;
        let sqlite = format!("sqlite://{}", dir.path().join("homeroom.db").display());
        run_backend("SQLite", &sqlite, dir.path(), &bench).await?;

        if bench.postgres {
            match postgres::fresh_database_url() {
                Some(url) => run_backend("PostgreSQL", &url, dir.path(), &bench).await?,
                None => println!("\nPostgreSQL: skipped, no initdb and pg_ctl on this machine"),
            }
        }
        if bench.keep {
            println!("\nkept {}", dir.keep().join("homeroom.db").display());
        }
        Ok(())
    })
}

/// What the environment asked for.
struct BenchSettings {
    rows: u64,
    requests: usize,
    postgres: bool,
    keep: bool,
}

impl BenchSettings {
    fn from_env() -> anyhow::Result<Self> {
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            match std::env::var(name) {
                Ok(value) => value
                    .trim()
                    .parse()
                    .with_context(|| format!("{name}={value}")),
                Err(_) => Ok(default),
            }
        };
        let flag = |name: &str| std::env::var(name).as_deref() == Ok("1");
        let rows = number("HOMEROOM_BENCH_ROWS", 1_000_000)?;
        ensure!(rows >= 4, "HOMEROOM_BENCH_ROWS must be at least 4");
        Ok(Self {
            rows,
            requests: usize::try_from(number("HOMEROOM_BENCH_REQUESTS", 200)?.max(1))?,
            postgres: flag("HOMEROOM_BENCH_POSTGRES"),
            keep: flag("HOMEROOM_BENCH_KEEP"),
        })
    }
}

/// Loads, measures and reports one backend.
async fn run_backend(
    backend: &str,
    database_url: &str,
    dir: &Path,
    bench: &BenchSettings,
) -> anyhow::Result<()> {
    let app = build_app(database_url, dir)?;
    let url = DatabaseUrl::parse(database_url)?;
    let rows = bench.rows;
    let loaded = {
        let url = url.clone();
        web::block(move || load(&url, rows)).await??
    };

    let base_url = app.base_url().to_owned();
    let setup_url = app
        .setup_url()
        .context("a fresh database offers a setup link")?;
    actix_web::rt::spawn(app.run());
    let client = sign_in(&base_url, &setup_url).await?;

    let scenarios = scenarios(&loaded);
    let mut timings = Vec::new();
    for scenario in &scenarios {
        timings.push(time_requests(&client, &base_url, scenario, bench.requests).await?);
    }
    let findings = web::block(move || inspect(&url, scenarios, timings)).await??;
    print_report(backend, &loaded, &findings);
    Ok(())
}

/// Builds the app on port 0; building applies the migrations.
fn build_app(database_url: &str, dir: &Path) -> anyhow::Result<Application> {
    let outbox = dir.join("sms-outbox.jsonl").display().to_string();
    let env = |name: &str| (name == "HOMEROOM_SMS_OUTBOX").then(|| outbox.clone());
    let settings = Settings::from_sources("127.0.0.1:0", database_url, env)?;
    Application::build(settings, Clock::default())
}

// ---------------------------------------------------------------------------
// The data

/// Valid US numbers, handed out without repeats from blocks of 10,000 (one
/// area code and exchange each), spread so that neighbours in the table do
/// not get neighbouring numbers.
struct NumberPlan {
    /// `+1` with area code and exchange, and the kind libphonenumber gives the block.
    blocks: Vec<(String, &'static str)>,
    issued: u64,
}

/// A number as the app stores it.
struct Number {
    e164: String,
    kind: &'static str,
}

impl NumberPlan {
    /// Coprime with any capacity below 7,919 blocks, so the spreading is a permutation.
    const STRIDE: u64 = 7_919;

    /// Keeps the blocks whose first number parses as valid: one parse per block.
    fn new(region: Region) -> anyhow::Result<Self> {
        let mut blocks = Vec::new();
        for area in AREA_CODES {
            for exchange in EXCHANGES {
                let prefix = format!("+1{area}{exchange}");
                if let Ok(sample) = PhoneNumber::parse(&format!("{prefix}0000"), region) {
                    blocks.push((prefix, sample.kind().as_str()));
                }
            }
        }
        ensure!(!blocks.is_empty(), "no valid number blocks");
        Ok(Self { blocks, issued: 0 })
    }

    fn capacity(&self) -> u64 {
        self.blocks.len() as u64 * 10_000
    }

    /// The next number nobody has been given.
    fn issue(&mut self) -> anyhow::Result<Number> {
        ensure!(
            self.issued < self.capacity(),
            "more numbers wanted than the {} blocks hold; add exchanges",
            self.blocks.len()
        );
        let number = self.peek();
        self.issued += 1;
        Ok(number)
    }

    /// The number [`NumberPlan::issue`] would give next.
    fn peek(&self) -> Number {
        let spread = self.issued * Self::STRIDE % self.capacity();
        let (prefix, kind) = &self.blocks[(spread / 10_000) as usize];
        Number {
            e164: format!("{prefix}{:04}", spread % 10_000),
            kind,
        }
    }
}

/// Which names and roles the rows get, from a seeded generator.
struct Generator {
    rng: SmallRng,
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    numbers: NumberPlan,
}

impl Generator {
    fn new(region: Region) -> anyhow::Result<Self> {
        Ok(Self {
            rng: SmallRng::seed_from_u64(2026),
            first: FIRST_NAMES.split_whitespace().collect(),
            last: LAST_NAMES.split_whitespace().collect(),
            numbers: NumberPlan::new(region)?,
        })
    }

    /// A name from `names`, the lower of two draws: early names are commoner.
    fn commoner(rng: &mut SmallRng, names: &[&'static str]) -> &'static str {
        let at = rng.random_range(0..names.len());
        names[at.min(rng.random_range(0..names.len()))]
    }

    /// One family: two parents and two students sharing a last name; one person
    /// in 25 is a parent who also works at the school. Parents (and one student
    /// in five) have a Portal number; half the families list a home number on
    /// everyone, and students list their first parent's mobile as well.
    fn family(&mut self, first_id: u64, size: u64, batch: &mut Batch) -> anyhow::Result<()> {
        let base = Self::commoner(&mut self.rng, &self.last);
        let last = format!("{base}{}", self.rng.random_range(0..1000));
        let home = if self.rng.random_bool(0.5) {
            Some(self.numbers.issue()?)
        } else {
            None
        };
        let mut parents_mobile = None;
        for member in 0..size {
            let id = first_id + member;
            let parent = member < 2;
            let person = Person {
                id,
                first: Self::commoner(&mut self.rng, &self.first),
                last: &last,
                parent,
                staff: id % 25 == 2,
            };
            batch.push_person(&person);
            if parent || self.rng.random_bool(0.2) {
                let portal = self.numbers.issue()?;
                batch.push_phone(id, 0, "mobile", &portal);
                parents_mobile.get_or_insert(portal);
            }
            if let Some(home) = &home {
                batch.push_phone(id, 1, "home", home);
            }
            if let (false, Some(mobile)) = (parent, &parents_mobile) {
                batch.push_phone(id, 2, "mobile", mobile);
            }
        }
        Ok(())
    }
}

/// One generated constituent.
struct Person<'a> {
    id: u64,
    first: &'a str,
    last: &'a str,
    parent: bool,
    staff: bool,
}

/// Which SQL spelling a backend needs for booleans.
#[derive(Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn of(url: &DatabaseUrl) -> Self {
        match url {
            DatabaseUrl::Sqlite(_) => Self::Sqlite,
            DatabaseUrl::Postgres(_) => Self::Postgres,
        }
    }

    fn boolean(self, value: bool) -> &'static str {
        match (self, value) {
            (Self::Sqlite, true) => "1",
            (Self::Sqlite, false) => "0",
            (Self::Postgres, true) => "TRUE",
            (Self::Postgres, false) => "FALSE",
        }
    }
}

/// Rows waiting to be written as two multi-row INSERTs, in the columns the app writes.
struct Batch {
    dialect: Dialect,
    constituents: String,
    phones: String,
    phone_rows: u64,
}

impl Batch {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            constituents: String::new(),
            phones: String::new(),
            phone_rows: 0,
        }
    }

    fn push_person(&mut self, person: &Person<'_>) {
        let (first_key, last_key) = (person.first.to_lowercase(), person.last.to_lowercase());
        let email = if person.parent {
            quote(&format!("{first_key}.{last_key}@example.org"))
        } else {
            "NULL".to_owned()
        };
        let b = |value| self.dialect.boolean(value);
        let row = format!(
            "({}, {}, {}, {}, {}, {email}, {}, {}, {}, '{CREATED_AT}', '{CREATED_AT}')",
            person.id,
            quote(person.first),
            quote(person.last),
            quote(&first_key),
            quote(&last_key),
            b(person.parent),
            b(!person.parent),
            b(person.staff),
        );
        separate(&mut self.constituents);
        self.constituents.push_str(&row);
    }

    fn push_phone(&mut self, id: u64, slot: u8, label: &str, number: &Number) {
        let last_four = &number.e164[number.e164.len() - 4..];
        separate(&mut self.phones);
        let _ = write!(
            self.phones,
            "({id}, {slot}, '{}', NULL, '{label}', '{}', '{last_four}')",
            number.e164, number.kind
        );
        self.phone_rows += 1;
    }

    /// Writes the rows and empties the batch.
    fn flush(&mut self, conn: &mut Connection) -> QueryResult<()> {
        if self.constituents.is_empty() {
            return Ok(());
        }
        let columns = "id, first_name, last_name, first_key, last_key, email, \
                       is_parent, is_student, is_staff, created_at, updated_at";
        let phone_columns = "constituent_id, slot, e164, extension, label, kind, last_four";
        let sql = format!(
            "INSERT INTO constituents ({columns}) VALUES {};
             INSERT INTO phone_numbers ({phone_columns}) VALUES {};",
            self.constituents, self.phones
        );
        conn.batch_execute(&sql)?;
        self.constituents.clear();
        self.phones.clear();
        Ok(())
    }
}

fn separate(values: &mut String) {
    if !values.is_empty() {
        values.push_str(",\n");
    }
}

/// A SQL string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What was loaded, and the values the scenarios look up.
struct Loaded {
    rows: u64,
    phone_rows: u64,
    seconds: f64,
    bytes: u64,
    region: Region,
    /// A home number, listed on every member of a family.
    shared: String,
    /// A Portal number someone holds.
    taken: String,
    /// A valid number nobody has.
    free: String,
}

/// Writes `rows` constituents and their numbers, 5,000 rows a statement and
/// 50,000 a transaction.
fn load(url: &DatabaseUrl, rows: u64) -> anyhow::Result<Loaded> {
    const FAMILIES_PER_STATEMENT: u64 = 1_250;
    const STATEMENTS_PER_TRANSACTION: u64 = 10;

    let started = Instant::now();
    let region: Region = "US".parse().map_err(anyhow::Error::msg)?;
    let mut conn = db::connect(url)?;
    if let Connection::Sqlite(sqlite) = &mut conn {
        // This connection alone: a large cache and no syncing while loading.
        sqlite.batch_execute("PRAGMA cache_size = -400000; PRAGMA synchronous = OFF;")?;
    }
    let mut generator = Generator::new(region)?;
    let mut batch = Batch::new(Dialect::of(url));

    let families = rows.div_ceil(4);
    let per_transaction = FAMILIES_PER_STATEMENT * STATEMENTS_PER_TRANSACTION;
    for start in (0..families).step_by(per_transaction as usize) {
        conn.transaction(|conn| {
            for family in start..families.min(start + per_transaction) {
                let first_id = family * 4 + 1;
                generator.family(first_id, (rows + 1 - first_id).min(4), &mut batch)?;
                if (family + 1) % FAMILIES_PER_STATEMENT == 0 {
                    batch.flush(conn)?;
                }
            }
            batch.flush(conn)?;
            anyhow::Ok(())
        })?;
    }
    finish_load(&mut conn)?;
    let seconds = started.elapsed().as_secs_f64();

    let (shared, taken) = sample_numbers(&mut conn)?;
    Ok(Loaded {
        rows,
        phone_rows: batch.phone_rows,
        seconds,
        bytes: database_bytes(&mut conn, url)?,
        region,
        shared,
        taken,
        free: generator.numbers.peek().e164,
    })
}

/// Leaves the database as a running app would find it: PostgreSQL's identity
/// past the loaded ids and its statistics gathered (as autovacuum would), the
/// SQLite log folded into the file. SQLite is not analysed: the app never does.
fn finish_load(conn: &mut Connection) -> QueryResult<()> {
    match conn {
        Connection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        Connection::Postgres(pg) => {
            pg.batch_execute(
                "SELECT setval(pg_get_serial_sequence('constituents', 'id'), \
                               (SELECT max(id) FROM constituents))",
            )?;
            // One statement at a time: several in one call share a transaction.
            pg.batch_execute("VACUUM ANALYZE constituents")?;
            pg.batch_execute("VACUUM ANALYZE phone_numbers")
        }
    }
}

#[derive(QueryableByName)]
struct E164 {
    #[diesel(sql_type = Text)]
    e164: String,
}

/// A home number and a Portal number, as stored.
fn sample_numbers(conn: &mut Connection) -> anyhow::Result<(String, String)> {
    let mut first_in_slot = |slot: i32| -> anyhow::Result<String> {
        let sql = format!("SELECT e164 FROM phone_numbers WHERE slot = {slot} ORDER BY id LIMIT 1");
        let found: Vec<E164> = diesel::sql_query(sql).load(conn)?;
        let found = found.into_iter().next();
        Ok(found
            .with_context(|| format!("no number in slot {slot}"))?
            .e164)
    };
    let taken = first_in_slot(0)?;
    let shared = first_in_slot(1)?;
    Ok((shared, taken))
}

#[derive(QueryableByName)]
struct Bytes {
    #[diesel(sql_type = BigInt)]
    bytes: i64,
}

/// The database's size on disk.
fn database_bytes(conn: &mut Connection, url: &DatabaseUrl) -> anyhow::Result<u64> {
    if let DatabaseUrl::Sqlite(path) = url {
        let wal = path.with_extension("db-wal");
        let wal = std::fs::metadata(wal).map_or(0, |meta| meta.len());
        return Ok(std::fs::metadata(path)?.len() + wal);
    }
    let sql = "SELECT pg_database_size(current_database()) AS bytes";
    let size: Bytes = diesel::sql_query(sql).get_result(conn)?;
    Ok(u64::try_from(size.bytes)?)
}

// ---------------------------------------------------------------------------
// The requests

/// One thing staff do, as a request and as the query behind it.
struct Scenario {
    name: &'static str,
    path: String,
    query: Probe,
}

/// The directory query a scenario's request runs.
enum Probe {
    List { filter: Filter, offset: i64 },
    Check { e164: String },
}

/// The scenarios, with search terms drawn from the loaded data.
fn scenarios(loaded: &Loaded) -> Vec<Scenario> {
    let national = |e164: &str| {
        PhoneNumber::parse(e164, loaded.region)
            .map_or(e164.to_owned(), |n| n.display(loaded.region))
    };
    let shared = national(&loaded.shared);
    let list = |name, q: &str, page: i64, filter| Scenario {
        name,
        path: format!("/constituents?q={}&page={page}", urlencode(q)),
        query: Probe::List {
            filter,
            offset: (page - 1) * PAGE_SIZE,
        },
    };
    // As the list handler reads a search with letters in it.
    let names = |name, q: &str| {
        let words = q.split_whitespace().map(search_key).collect();
        list(name, q, 1, Filter::NamePrefixes(words))
    };
    let check = |name, e164: &str| Scenario {
        name,
        path: format!("/phone-numbers/check?number={}", urlencode(&national(e164))),
        query: Probe::Check {
            e164: e164.to_owned(),
        },
    };
    vec![
        list("everyone, page 1", "", 1, Filter::Everyone),
        list("everyone, page 150", "", 150, Filter::Everyone),
        names("name: common prefix", "ma"),
        names("name: first and last", "Maria Garcia"),
        names("name: rare prefix", "arch"),
        names("name: late in order", "x"),
        names("name: no match", "qzx"),
        list(
            "number: national format",
            &shared,
            1,
            Filter::Number(loaded.shared.clone()),
        ),
        list(
            "number: last four",
            "0143",
            1,
            Filter::LastFour("0143".into()),
        ),
        check("check: taken number", &loaded.taken),
        check("check: free number", &loaded.free),
    ]
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Creates the administrator through the setup link, then signs in as them
/// from a fresh browser.
async fn sign_in(base_url: &str, setup_url: &str) -> anyhow::Result<Client> {
    let setup = browser()?;
    let fields = [
        ("username", ADMIN),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    post_form(&setup, setup_url, &fields).await?;

    let client = browser()?;
    let login = format!("{base_url}/login");
    post_form(
        &client,
        &login,
        &[("username", ADMIN), ("password", PASSWORD)],
    )
    .await?;
    let directory = client
        .get(format!("{base_url}/constituents"))
        .send()
        .await?;
    ensure!(
        directory.status() == StatusCode::OK,
        "signed in, the directory answers"
    );
    Ok(client)
}

fn browser() -> reqwest::Result<Client> {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
}

/// Posts a form as a browser would, with the CSRF token of the page's own form.
async fn post_form(client: &Client, url: &str, fields: &[(&str, &str)]) -> anyhow::Result<()> {
    let page = client.get(url).send().await?.text().await?;
    let selector = scraper::Selector::parse("input[name=csrf_token]").expect("a selector");
    let html = scraper::Html::parse_document(&page);
    let token = html
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"));
    let token = token.with_context(|| format!("a CSRF token in {url}"))?;

    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("csrf_token", token).extend_pairs(fields);
    let answer = client
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.finish())
        .send()
        .await?;
    ensure!(
        answer.status() == StatusCode::SEE_OTHER,
        "{url} answered {}",
        answer.status()
    );
    Ok(())
}

/// Requests a scenario `count` times in a row after the warm-ups, each timed to
/// the end of its body.
async fn time_requests(
    client: &Client,
    base_url: &str,
    scenario: &Scenario,
    count: usize,
) -> anyhow::Result<Vec<Duration>> {
    let url = format!("{base_url}{}", scenario.path);
    let mut times = Vec::with_capacity(count);
    for round in 0..WARM_UPS + count {
        let started = Instant::now();
        let request = match scenario.query {
            Probe::List { .. } => client.get(&url),
            Probe::Check { .. } => client.get(&url).header("Accept", "application/json"),
        };
        let answer = request.send().await?;
        let status = answer.status();
        answer.bytes().await?;
        if round >= WARM_UPS {
            times.push(started.elapsed());
        }
        ensure!(
            status == StatusCode::OK,
            "{} answered {status}",
            scenario.path
        );
    }
    Ok(times)
}

// ---------------------------------------------------------------------------
// What the database does

/// A scenario with its figures, its match count and the plan of its query.
struct Finding {
    scenario: Scenario,
    stats: Stats,
    /// Rows the query finds without a page limit; `None` for the whole table.
    matches: Option<usize>,
    plan: Plan,
}

/// Everything the report prints beyond the load.
struct Findings {
    scenarios: Vec<Finding>,
    /// The plan of the look-up of a page's Portal numbers, shared by every list.
    page_numbers: Plan,
    /// The slowest scenario's query (by median) timed alone, without HTTP or rendering.
    direct: (&'static str, Stats),
}

/// Counts matches, explains each query, and times the slowest one directly.
fn inspect(
    url: &DatabaseUrl,
    scenarios: Vec<Scenario>,
    timings: Vec<Vec<Duration>>,
) -> anyhow::Result<Findings> {
    let mut conn = db::connect(url)?;
    let captured = Arc::new(Mutex::new(Vec::new()));
    conn.set_instrumentation(Capture(captured.clone()));
    let explain = |conn: &mut Connection, run: &dyn Fn(&mut Connection) -> QueryResult<()>| {
        let sql = last_statement(conn, &captured, run)?;
        anyhow::Ok(Plan::of(conn, &sql)?)
    };

    let mut findings = Vec::new();
    for (scenario, times) in scenarios.into_iter().zip(timings) {
        let plan = explain(&mut conn, &|conn| {
            run_probe(conn, &scenario.query, PAGE_SIZE)
        })?;
        findings.push(Finding {
            matches: count_matches(&mut conn, &scenario.query)?,
            stats: Stats::of(times),
            scenario,
            plan,
        });
    }
    let ids: Vec<i64> = (1..=PAGE_SIZE).collect();
    let page_numbers = explain(&mut conn, &|conn| {
        constituents::portal_numbers_of(conn, &ids).map(drop)
    })?;

    let slowest = findings
        .iter()
        .max_by(|a, b| a.stats.p50.total_cmp(&b.stats.p50))
        .context("at least one scenario")?;
    // On a connection of its own: capturing statements would add to the time.
    let mut plain = db::connect(url)?;
    let direct = (
        slowest.scenario.name,
        time_directly(&mut plain, &slowest.scenario.query)?,
    );
    Ok(Findings {
        scenarios: findings,
        page_numbers,
        direct,
    })
}

/// Runs a scenario's query as its handler does, with a page of `page_size`.
fn run_probe(conn: &mut Connection, probe: &Probe, page_size: i64) -> QueryResult<()> {
    match probe {
        // The page's ids are what depend on the indexes; its rows are then
        // read by primary key.
        Probe::List { filter, offset } => {
            constituents::page_ids(conn, filter, *offset, page_size + 1).map(drop)
        }
        Probe::Check { e164 } => constituents::portal_holder(conn, e164, None).map(drop),
    }
}

/// How many rows a scenario's query finds, through the app's own query.
fn count_matches(conn: &mut Connection, probe: &Probe) -> QueryResult<Option<usize>> {
    match probe {
        Probe::List {
            filter: Filter::Everyone,
            ..
        } => Ok(None),
        Probe::List { filter, .. } => {
            constituents::page_ids(conn, filter, 0, i64::MAX).map(|ids| Some(ids.len()))
        }
        Probe::Check { e164 } => constituents::portal_holder(conn, e164, None)
            .map(|holder| Some(usize::from(holder.is_some()))),
    }
}

/// The query alone, [`DIRECT_RUNS`] times after the warm-ups, on one connection.
fn time_directly(conn: &mut Connection, probe: &Probe) -> QueryResult<Stats> {
    let mut times = Vec::new();
    for round in 0..WARM_UPS + DIRECT_RUNS {
        let started = Instant::now();
        run_probe(conn, probe, PAGE_SIZE)?;
        if round >= WARM_UPS {
            times.push(started.elapsed());
        }
    }
    Ok(Stats::of(times))
}

/// Keeps the text of each statement a connection sends, as diesel prints it:
/// the SQL, then `-- binds: [...]`.
struct Capture(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Capture {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
            seen.push(query.to_string());
        }
    }
}

/// The last statement `run` sent, with its binds written in as literals.
fn last_statement(
    conn: &mut Connection,
    captured: &Mutex<Vec<String>>,
    run: &dyn Fn(&mut Connection) -> QueryResult<()>,
) -> anyhow::Result<String> {
    run(conn)?;
    let mut seen = captured.lock().unwrap_or_else(|e| e.into_inner());
    let printed = seen.pop().context("the query was sent")?;
    seen.clear();
    inline_binds(&printed)
}

/// Turns diesel's `SQL -- binds: ["ma", 51]` into SQL with literals, so that it
/// can be explained as it ran: PostgreSQL's plan for a first run, and
/// SQLite's, which does not depend on the values here, are the same.
fn inline_binds(printed: &str) -> anyhow::Result<String> {
    let (sql, binds) = printed
        .rsplit_once(" -- binds: ")
        .context("diesel prints its binds")?;
    let literals = parse_debug_list(binds)?;
    if sql.contains("$1") {
        let mut sql = sql.to_owned();
        for (n, literal) in literals.iter().enumerate().rev() {
            sql = sql.replace(&format!("${}", n + 1), literal);
        }
        return Ok(sql);
    }
    let mut pieces = sql.split('?');
    let mut sql = pieces.next().unwrap_or_default().to_owned();
    for (piece, literal) in pieces.zip(&literals) {
        sql.push_str(literal);
        sql.push_str(piece);
    }
    Ok(sql)
}

/// Reads a `Debug`-printed list of strings, numbers and lists into SQL
/// literals; a list becomes a PostgreSQL array.
fn parse_debug_list(list: &str) -> anyhow::Result<Vec<String>> {
    let mut chars = list.trim().chars().peekable();
    ensure!(chars.next() == Some('['), "a list of binds");
    read_debug_items(&mut chars)
}

/// Reads the items of a list, after its opening bracket, up to its closing one.
fn read_debug_items(chars: &mut Peekable<Chars<'_>>) -> anyhow::Result<Vec<String>> {
    let mut literals = Vec::new();
    while let Some(next) = chars.next() {
        match next {
            ']' => return Ok(literals),
            ',' | ' ' => {}
            '"' => literals.push(quote(&read_debug_string(chars)?)),
            '[' => literals.push(format!("ARRAY[{}]", read_debug_items(chars)?.join(", "))),
            first => {
                let rest = std::iter::from_fn(|| chars.next_if(|&c| c != ',' && c != ']'));
                literals.push(std::iter::once(first).chain(rest).collect());
            }
        }
    }
    bail!("an unfinished list")
}

/// Reads the rest of a `Debug`-printed string, after its opening quote.
fn read_debug_string(chars: &mut impl Iterator<Item = char>) -> anyhow::Result<String> {
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(text),
            '\\' => match chars.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('r') => text.push('\r'),
                Some('0') => text.push('\0'),
                Some('u') => {
                    let hex: String = chars.take_while(|&c| c != '}').skip(1).collect();
                    let code = u32::from_str_radix(&hex, 16)?;
                    text.push(char::from_u32(code).context("a character")?);
                }
                Some(other) => text.push(other),
                None => bail!("an unfinished escape"),
            },
            other => text.push(other),
        }
    }
    bail!("an unfinished string")
}

/// A query's plan and what it means for a table of a million rows.
struct Plan {
    sql: String,
    lines: Vec<String>,
    verdict: Verdict,
    /// Every match is read and sorted before the page is cut: the cost grows
    /// with the number of matches, not the page size.
    sorts_matches: bool,
}

/// How a plan reaches its rows.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Every step seeks into an index.
    Search,
    /// An index is read in order and rows filtered until the page is full:
    /// quick when matches are common, the whole index when they are rare.
    Walk,
    /// A table is read from end to end.
    FullScan,
}

impl Verdict {
    fn describe(self) -> &'static str {
        match self {
            Self::Search => "index search",
            Self::Walk => "index walk (in order, until the page fills)",
            Self::FullScan => "FULL TABLE SCAN",
        }
    }
}

impl Plan {
    /// Asks the database how it would run `sql`.
    fn of(conn: &mut Connection, sql: &str) -> QueryResult<Self> {
        match conn {
            Connection::Sqlite(sqlite) => sqlite_plan(sqlite, sql),
            Connection::Postgres(pg) => postgres_plan(pg, sql),
        }
    }

    fn summary(&self) -> String {
        let sorts = if self.sorts_matches {
            ", sorts every match"
        } else {
            ""
        };
        format!("{}{sorts}", self.verdict.describe())
    }
}

#[derive(QueryableByName)]
struct SqliteStep {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    parent: i32,
    #[diesel(sql_type = Text)]
    detail: String,
}

/// `EXPLAIN QUERY PLAN`, indented as a tree. `SCAN t` reads the table;
/// `SCAN t USING INDEX i` reads a whole index in order.
fn sqlite_plan(conn: &mut SqliteConnection, sql: &str) -> QueryResult<Plan> {
    let steps: Vec<SqliteStep> =
        diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(conn)?;
    let mut depth: HashMap<i32, usize> = HashMap::new();
    let mut verdict = Verdict::Search;
    let mut lines = Vec::new();
    for step in steps {
        let level = depth.get(&step.parent).map_or(0, |d| d + 1);
        depth.insert(step.id, level);
        if let Some(scanned) = step.detail.strip_prefix("SCAN ") {
            let through_index = scanned.contains(" USING ");
            let step_verdict = if through_index {
                Verdict::Walk
            } else {
                Verdict::FullScan
            };
            verdict = verdict.max(step_verdict);
        }
        lines.push(format!("{}{}", "  ".repeat(level), step.detail));
    }
    let sorts_matches = lines.iter().any(|l| l.contains("TEMP B-TREE FOR ORDER BY"));
    Ok(Plan {
        sql: sql.to_owned(),
        lines,
        verdict,
        sorts_matches,
    })
}

#[derive(QueryableByName)]
struct PostgresLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// `EXPLAIN`. An index scan with a `Filter:` and no `Index Cond:` reads the
/// index in order without seeking.
fn postgres_plan(conn: &mut PgConnection, sql: &str) -> QueryResult<Plan> {
    let lines: Vec<PostgresLine> = diesel::sql_query(format!("EXPLAIN {sql}")).load(conn)?;
    let lines: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    let mut verdict = Verdict::Search;
    for (at, line) in lines.iter().enumerate() {
        if line.contains("Seq Scan") {
            verdict = verdict.max(Verdict::FullScan);
        } else if line.contains("Index Scan") || line.contains("Index Only Scan") {
            let details = lines[at + 1..].iter().take_while(|l| !l.contains("->"));
            if !details.into_iter().any(|l| l.contains("Index Cond:")) {
                verdict = verdict.max(Verdict::Walk);
            }
        }
    }
    let sorts_matches = lines
        .iter()
        .any(|l| l.trim_start_matches([' ', '-', '>']).starts_with("Sort "));
    Ok(Plan {
        sql: sql.to_owned(),
        lines,
        verdict,
        sorts_matches,
    })
}

// ---------------------------------------------------------------------------
// The report

/// Latency percentiles in milliseconds.
struct Stats {
    count: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    /// Nearest-rank percentiles.
    fn of(mut times: Vec<Duration>) -> Self {
        times.sort_unstable();
        let rank = |p: usize| {
            let at = (p * times.len()).div_ceil(100).max(1) - 1;
            times[at].as_secs_f64() * 1000.0
        };
        Self {
            count: times.len(),
            p50: rank(50),
            p95: rank(95),
            p99: rank(99),
            max: rank(100),
        }
    }
}

fn print_report(backend: &str, loaded: &Loaded, findings: &Findings) {
    println!(
        "\n== {backend}: {} constituents, {} phone numbers",
        loaded.rows, loaded.phone_rows
    );
    println!(
        "loaded in {:.1} s ({:.0} constituents/s); database {:.1} MiB",
        loaded.seconds,
        loaded.rows as f64 / loaded.seconds,
        loaded.bytes as f64 / (1024.0 * 1024.0)
    );

    let count = findings.scenarios.first().map_or(0, |f| f.stats.count);
    println!("\nover HTTP, {count} sequential requests each after {WARM_UPS} warm-ups (ms):");
    println!(
        "{:<26} {:>8} {:>8} {:>8} {:>8} {:>8}  plan",
        "scenario", "matches", "p50", "p95", "p99", "max"
    );
    for finding in &findings.scenarios {
        let s = &finding.stats;
        let matches = finding.matches.map_or("all".to_owned(), |n| n.to_string());
        let slow = if s.p95 > SLOW_MS { "  SLOW" } else { "" };
        println!(
            "{:<26} {matches:>8} {:>8.2} {:>8.2} {:>8.2} {:>8.2}  {}{slow}",
            finding.scenario.name,
            s.p50,
            s.p95,
            s.p99,
            s.max,
            finding.plan.summary(),
        );
    }

    let (name, direct) = &findings.direct;
    println!(
        "\nslowest by p50, \"{name}\", as a query alone: p50 {:.2}, p95 {:.2}, max {:.2} ms",
        direct.p50, direct.p95, direct.max
    );

    println!("\nquery plans:");
    for finding in &findings.scenarios {
        print_plan(finding.scenario.name, &finding.scenario.path, &finding.plan);
    }
    print_plan(
        "a page's Portal numbers",
        "(every list)",
        &findings.page_numbers,
    );
}

fn print_plan(name: &str, path: &str, plan: &Plan) {
    println!("\n{name}  {path}  -> {}", plan.summary());
    println!("  {}", plan.sql);
    for line in &plan.lines {
        println!("    {line}");
    }
}
