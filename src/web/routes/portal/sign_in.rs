//! Portal sign-in: the parent types their number, then the code texted to it.
//!
//! The first step answers the same way whether or not the number belongs to a
//! parent, and texts are sent in the background, so neither the page nor its
//! timing tells a stranger whose number is on file.

use std::sync::Arc;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use rand::RngCore;
use serde::Deserialize;

use super::begin_portal_session;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::portal::{self, NewCode, PortalParent, Verdict};
use crate::db::{Database, write_transaction};
use crate::domain::phone::{PhoneNumber, mask};
use crate::domain::portal::{CODE_LIFETIME, CODES_PER_HOUR, OneTimeCode, code_text};
use crate::sms::SmsSender;
use crate::telemetry::cause_chain;
use crate::web::auth::{csrf_token, read, write};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::{page, page_with_status, see_other};

/// The session entry naming the sign-in attempt a code was made for.
const ATTEMPT: &str = "portal_attempt";
/// The last two digits of the number typed, to remind the parent where the code went.
const ATTEMPT_HINT: &str = "portal_attempt_hint";

/// The key that turns codes into their stored hashes.
pub struct CodeKey(pub Vec<u8>);

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    school: String,
    csrf_token: String,
}

pub async fn show(
    session: Session,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    page(&SignInPage {
        school: settings.school_name.clone(),
        csrf_token: csrf_token(&session)?,
    })
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PhoneForm {
    phone: String,
}

pub async fn submit(
    Form(form): Form<PhoneForm>,
    session: Session,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
    clock: web::Data<Clock>,
    key: web::Data<CodeKey>,
    sms: web::Data<SmsSender>,
) -> Result<HttpResponse, AppError> {
    // Whatever was typed, the answer is the same: a number that is not a
    // number simply belongs to no parent.
    let number = PhoneNumber::parse(&form.phone, settings.default_region).ok();
    let digits: String = form.phone.chars().filter(char::is_ascii_digit).collect();
    let attempt = random_id();
    session.renew();
    write(&session, ATTEMPT, &attempt)?;
    write(
        &session,
        ATTEMPT_HINT,
        &digits[digits.len().saturating_sub(2)..],
    )?;
    let Some(number) = number else {
        return Ok(see_other("/portal/verify"));
    };

    let code = OneTimeCode::generate();
    let (e164, now) = (number.e164().to_owned(), clock.now());
    let new = Attempt {
        id: attempt.clone(),
        e164: e164.clone(),
        code_hash: code.keyed_hash(&key.0, &attempt),
    };
    let recipient = db
        .run(move |conn| portal::issue_code(conn, &new.as_code(now), CODES_PER_HOUR))
        .await?;

    if let Some(parent) = recipient {
        let text = code_text(&settings.school_name, &parent.first_name, &code);
        send_in_background(
            db.into_inner(),
            sms.into_inner(),
            attempt,
            e164,
            text,
            parent,
        );
    }
    Ok(see_other("/portal/verify"))
}

/// A sign-in attempt, as it is about to be stored.
struct Attempt {
    id: String,
    e164: String,
    code_hash: String,
}

impl Attempt {
    fn as_code(&self, now: NaiveDateTime) -> NewCode<'_> {
        NewCode {
            id: &self.id,
            e164: &self.e164,
            code_hash: &self.code_hash,
            now,
            expires_at: now + CODE_LIFETIME,
        }
    }
}

fn send_in_background(
    db: Arc<Database>,
    sms: Arc<SmsSender>,
    attempt: String,
    e164: String,
    text: String,
    parent: PortalParent,
) {
    actix_web::rt::spawn(async move {
        match sms.send(&e164, &text).await {
            Ok(()) => {
                let to = mask(&e164);
                tracing::info!(constituent_id = parent.id, %to, "sent a portal sign-in code");
            }
            Err(error) => {
                let (to, cause) = (mask(&e164), cause_chain(error));
                tracing::error!(%to, %cause, "could not send a portal sign-in code");
                let marked = db
                    .run(move |conn| portal::mark_send_failed(conn, &attempt))
                    .await;
                if let Err(error) = marked {
                    tracing::error!(%error, "could not record a failed text");
                }
            }
        }
    });
}

fn random_id() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[derive(Template)]
#[template(path = "portal/verify.html")]
struct VerifyPage {
    school: String,
    csrf_token: String,
    hint: String,
    send_failed: bool,
    error: Option<&'static str>,
}

impl VerifyPage {
    async fn new(
        session: &Session,
        settings: &Settings,
        db: &Database,
        error: Option<&'static str>,
    ) -> Result<Self, AppError> {
        let send_failed = match read::<String>(session, ATTEMPT)? {
            Some(attempt) => {
                db.run(move |conn| portal::send_failed(conn, &attempt))
                    .await?
            }
            None => false,
        };
        Ok(Self {
            school: settings.school_name.clone(),
            csrf_token: csrf_token(session)?,
            hint: read::<String>(session, ATTEMPT_HINT)?.unwrap_or_else(|| "…".into()),
            send_failed,
            error,
        })
    }
}

/// The code form; without a sign-in attempt under way, the sign-in page instead.
pub async fn show_verify(
    session: Session,
    settings: web::Data<Settings>,
    db: web::Data<Database>,
) -> Result<HttpResponse, AppError> {
    if read::<String>(&session, ATTEMPT)?.is_none() {
        return Ok(see_other("/portal/sign-in"));
    }
    page(&VerifyPage::new(&session, &settings, &db, None).await?)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

const WRONG_CODE: &str = "That code did not work. Check the text and type the 6 digits again, \
     or ask for a new code.";

pub async fn submit_verify(
    Form(form): Form<CodeForm>,
    session: Session,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
    clock: web::Data<Clock>,
    key: web::Data<CodeKey>,
) -> Result<HttpResponse, AppError> {
    let attempt = read::<String>(&session, ATTEMPT)?;
    let verdict = match (attempt, OneTimeCode::parse(&form.code)) {
        (Some(attempt), Some(code)) => {
            let typed_hash = code.keyed_hash(&key.0, &attempt);
            let now = clock.now();
            db.run(move |conn| {
                write_transaction(conn, |conn| {
                    portal::verify(conn, &attempt, &typed_hash, now)
                })
            })
            .await?
        }
        _ => Verdict::Refused,
    };

    match verdict {
        Verdict::SignedIn {
            constituent_id,
            e164,
        } => {
            begin_portal_session(&session, constituent_id, &e164, &clock)?;
            tracing::info!(constituent_id, "a parent signed in to the portal");
            Ok(see_other("/portal"))
        }
        Verdict::Refused => {
            tracing::info!("a portal code was refused");
            let verify = VerifyPage::new(&session, &settings, &db, Some(WRONG_CODE)).await?;
            page_with_status(StatusCode::UNAUTHORIZED, &verify)
        }
    }
}
