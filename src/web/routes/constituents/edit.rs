//! Editing a constituent's details and phone numbers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::{self, Mistakes, NumberInput, TypedProfile};
use super::{load, parse_id, profile_path};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Database;
use crate::db::constituents::{self, Saved};
use crate::domain::constituent::Slot;
use crate::domain::phone::display_stored;
use crate::sms::SmsSender;
use crate::web::auth::{StaffUser, Viewer};
use crate::web::error::AppError;
use crate::web::forms::Form;
use crate::web::routes::portal::tell_old_number;
use crate::web::{FieldErrors, page, page_with_status, see_other};

#[derive(Template)]
#[template(path = "constituents/edit.html")]
struct EditPage {
    viewer: Option<Viewer>,
    csrf_token: String,
    id: i64,
    name: String,
    typed: TypedProfile,
    errors: FieldErrors,
    ask_sms_confirmation: bool,
}

/// The five number fields of the edit form, empty.
fn number_inputs() -> Vec<NumberInput> {
    vec![
        NumberInput::new(
            Slot::Portal,
            "sms_number",
            "sms_number_type",
            "Portal Access/SMS Number",
        ),
        NumberInput::new(
            Slot::General(1),
            "phone_1",
            "phone_1_type",
            "Phone number 1",
        ),
        NumberInput::new(
            Slot::General(2),
            "phone_2",
            "phone_2_type",
            "Phone number 2",
        ),
        NumberInput::new(
            Slot::General(3),
            "phone_3",
            "phone_3_type",
            "Phone number 3",
        ),
        NumberInput::new(
            Slot::General(4),
            "phone_4",
            "phone_4_type",
            "Phone number 4",
        ),
    ]
}

pub async fn show(
    staff: StaffUser,
    path: web::Path<String>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let person = load(&db, id).await?;
    let stored = db
        .run(move |conn| constituents::numbers_of(conn, id))
        .await?;

    let mut numbers = number_inputs();
    for row in stored {
        let shown = display_stored(&row.e164, row.extension.as_deref(), settings.default_region);
        if let Some(input) = numbers
            .iter_mut()
            .find(|input| input.slot.index() == row.slot)
        {
            *input = input.clone().with(shown, row.label);
        }
    }
    let typed = TypedProfile {
        personas: person
            .personas()
            .names()
            .into_iter()
            .map(String::from)
            .collect(),
        first_name: person.first_name.clone(),
        last_name: person.last_name.clone(),
        email: person.email.clone().unwrap_or_default(),
        numbers,
        confirm_sms_capable: false,
    };
    let nothing_wrong = Mistakes {
        errors: FieldErrors::default(),
        ask_sms_confirmation: false,
    };
    page(&edit_page(
        staff,
        id,
        person.full_name(),
        typed,
        nothing_wrong,
    ))
}

fn edit_page(
    staff: StaffUser,
    id: i64,
    name: String,
    typed: TypedProfile,
    m: Mistakes,
) -> EditPage {
    EditPage {
        csrf_token: staff.viewer.csrf_token.clone(),
        viewer: Some(staff.viewer),
        id,
        name,
        typed,
        errors: m.errors,
        ask_sms_confirmation: m.ask_sms_confirmation,
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    first_name: String,
    last_name: String,
    persona: Vec<String>,
    email: String,
    sms_number: String,
    sms_number_type: String,
    phone_1: String,
    phone_1_type: String,
    phone_2: String,
    phone_2_type: String,
    phone_3: String,
    phone_3_type: String,
    phone_4: String,
    phone_4_type: String,
    confirm_sms_capable: Option<String>,
}

impl EditForm {
    fn into_typed(self) -> TypedProfile {
        let values = [
            (self.sms_number, self.sms_number_type),
            (self.phone_1, self.phone_1_type),
            (self.phone_2, self.phone_2_type),
            (self.phone_3, self.phone_3_type),
            (self.phone_4, self.phone_4_type),
        ];
        let numbers = number_inputs()
            .into_iter()
            .zip(values)
            .map(|(input, (value, kind))| input.with(value, kind))
            .collect();
        TypedProfile {
            first_name: self.first_name,
            last_name: self.last_name,
            personas: self.persona,
            email: self.email,
            numbers,
            confirm_sms_capable: self.confirm_sms_capable.as_deref() == Some("on"),
        }
    }
}

pub async fn submit(
    staff: StaffUser,
    path: web::Path<String>,
    Form(form): Form<EditForm>,
    db: web::Data<Database>,
    settings: web::Data<Settings>,
    clock: web::Data<Clock>,
    sms: web::Data<SmsSender>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let person = load(&db, id).await?;
    let typed = form.into_typed();

    match form::save(
        &db,
        Some(id),
        &typed,
        settings.default_region,
        staff.actor(),
        clock.now(),
        staff.viewer.is_admin(),
    )
    .await?
    {
        Ok(Saved {
            id,
            replaced_portal_number,
        }) => {
            tracing::info!(
                constituent_id = id,
                staff_id = staff.id,
                "updated a constituent"
            );
            if let Some(old) = replaced_portal_number.filter(|_| person.is_parent) {
                let school = &settings.school_name;
                tell_old_number(sms.into_inner(), school, &person.first_name, old);
            }
            Ok(see_other(&profile_path(id)))
        }
        Err(mistakes) => page_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &edit_page(staff, id, person.full_name(), typed, mistakes),
        ),
    }
}
