//! Adding a constituent: one number, which the "SMS" box makes the Portal number.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{self, Mistakes, NumberInput, TypedProfile};
use super::profile_path;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Database;
use crate::db::constituents::Saved;
use crate::domain::constituent::Slot;
use crate::web::auth::{StaffUser, Viewer};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::{FieldErrors, page, page_with_status, see_other};

#[derive(Template)]
#[template(path = "constituents/new.html")]
struct NewPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    typed: TypedProfile,
    phone_sms: bool,
    errors: FieldErrors,
    ask_sms_confirmation: bool,
}

impl NewPage {
    fn new(staff: StaffUser, typed: TypedProfile, phone_sms: bool, mistakes: Mistakes) -> Self {
        Self {
            csrf_token: staff.viewer.csrf_token.clone(),
            viewer: Some(staff.viewer),
            typed,
            phone_sms,
            errors: mistakes.errors,
            ask_sms_confirmation: mistakes.ask_sms_confirmation,
        }
    }
}

fn number_input(sms: bool) -> NumberInput {
    let slot = if sms { Slot::Portal } else { Slot::General(1) };
    NumberInput::new(slot, "phone", "phone_type", "Phone number (optional)")
}

pub async fn show(staff: StaffUser) -> Result<HttpResponse, AppError> {
    let typed = TypedProfile {
        numbers: vec![number_input(false)],
        ..TypedProfile::default()
    };
    let nothing_wrong = Mistakes {
        errors: FieldErrors::default(),
        ask_sms_confirmation: false,
    };
    page(&NewPage::new(staff, typed, false, nothing_wrong))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    first_name: String,
    last_name: String,
    persona: Vec<String>,
    email: String,
    phone: String,
    phone_type: String,
    phone_sms: Option<String>,
    confirm_sms_capable: Option<String>,
}

pub async fn submit(
    staff: StaffUser,
    Form(form): Form<NewForm>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let phone_sms = form.phone_sms.as_deref() == Some("on");
    let typed = TypedProfile {
        first_name: form.first_name,
        last_name: form.last_name,
        personas: form.persona,
        email: form.email,
        numbers: vec![number_input(phone_sms).with(form.phone, form.phone_type)],
        confirm_sms_capable: form.confirm_sms_capable.as_deref() == Some("on"),
    };

    match form::save(
        &db,
        None,
        &typed,
        settings.default_region,
        staff.actor(),
        clock.now(),
        false,
    )
    .await?
    {
        Ok(Saved { id, .. }) => {
            tracing::info!(
                constituent_id = id,
                staff_id = staff.id,
                "created a constituent"
            );
            Ok(see_other(&profile_path(id)))
        }
        Err(mistakes) => page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage::new(staff, typed, phone_sms, mistakes),
        ),
    }
}
