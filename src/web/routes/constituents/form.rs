//! The profile form shared by the new and edit pages: what staff typed, how it
//! becomes a [`Profile`], and how it is shown again with its mistakes.

use chrono::NaiveDateTime;

use super::profile_path;
use crate::db::Database;
use crate::db::audit::Actor;
use crate::db::constituents::{self, SaveError, Saved};
use crate::domain::constituent::{
    EmailAddress, PersonName, Personas, PhoneLabel, PortalNumberError, Profile, Slot,
    SlottedNumber, check_portal_number,
};
use crate::domain::phone::{PhoneNumber, Region};
use crate::web::error::{AppError, urlencode};
use crate::web::{FieldErrors, Link};

/// One phone number field as typed, with its type.
#[derive(Debug, Clone)]
pub struct NumberInput {
    pub slot: Slot,
    /// The form field of the number, such as `sms_number` or `phone_2`.
    pub field: &'static str,
    /// The form field of its type, such as `sms_number_type`.
    pub type_field: &'static str,
    pub label: &'static str,
    pub value: String,
    pub type_value: String,
}

impl NumberInput {
    pub fn new(
        slot: Slot,
        field: &'static str,
        type_field: &'static str,
        label: &'static str,
    ) -> Self {
        let default = if slot == Slot::Portal {
            PhoneLabel::Mobile
        } else {
            PhoneLabel::Home
        };
        Self {
            slot,
            field,
            type_field,
            label,
            value: String::new(),
            type_value: default.as_str().to_owned(),
        }
    }

    pub fn with(mut self, value: String, type_value: String) -> Self {
        self.value = value;
        if !type_value.trim().is_empty() {
            self.type_value = type_value;
        }
        self
    }

    pub fn is_portal(&self) -> bool {
        self.slot == Slot::Portal
    }

    /// The choices of the type menu, with whether each is selected.
    pub fn type_options(&self) -> Vec<(&'static str, &'static str, bool)> {
        PhoneLabel::ALL
            .into_iter()
            .map(|label| {
                (
                    label.as_str(),
                    label.title(),
                    label.as_str() == self.type_value,
                )
            })
            .collect()
    }
}

/// Everything typed into a profile form, kept as typed so it can be shown again.
#[derive(Debug, Clone, Default)]
pub struct TypedProfile {
    pub first_name: String,
    pub last_name: String,
    pub personas: Vec<String>,
    pub email: String,
    pub numbers: Vec<NumberInput>,
    pub confirm_sms_capable: bool,
}

impl TypedProfile {
    pub fn has_persona(&self, persona: &str) -> bool {
        self.personas.iter().any(|chosen| chosen == persona)
    }
}

/// The outcome of reading a form: a profile to save, or the form's mistakes
/// and whether to ask staff to confirm that a number takes texts.
pub struct Mistakes {
    pub errors: FieldErrors,
    pub ask_sms_confirmation: bool,
}

/// Reads typed values into a profile, collecting every mistake at once.
pub fn parse(typed: &TypedProfile, region: Region) -> Result<Profile, Mistakes> {
    let mut errors = FieldErrors::default();
    let mut ask_sms_confirmation = false;

    let first_name = errors.take("first_name", PersonName::parse(&typed.first_name));
    let last_name = errors.take("last_name", PersonName::parse(&typed.last_name));
    let personas = errors.take("persona", Personas::parse(&typed.personas));
    let email = errors.take("email", EmailAddress::parse_optional(&typed.email));

    let mut numbers = Vec::new();
    for input in &typed.numbers {
        if input.value.trim().is_empty() {
            continue;
        }
        let label =
            PhoneLabel::parse(&input.type_value).ok_or("Choose home, mobile, work or other.");
        let label = errors.take(input.type_field, label);
        let Some(number) = errors.take(input.field, PhoneNumber::parse(&input.value, region))
        else {
            continue;
        };
        if input.is_portal() {
            let check = check_portal_number(&number, typed.confirm_sms_capable);
            ask_sms_confirmation |= matches!(check, Err(PortalNumberError::MayNotTakeTexts(_)));
            if errors.take(input.field, check).is_none() {
                continue;
            }
        }
        if let Some(label) = label {
            numbers.push(SlottedNumber {
                slot: input.slot,
                number,
                label,
            });
        }
    }

    match (first_name, last_name, personas, email, errors.is_empty()) {
        (Some(first_name), Some(last_name), Some(personas), Some(email), true) => Ok(Profile {
            first_name,
            last_name,
            email,
            personas,
            numbers,
        }),
        _ => Err(Mistakes {
            errors,
            ask_sms_confirmation,
        }),
    }
}

/// Parses and saves a profile: a new one when `id` is `None`. A Portal number
/// someone else holds comes back as a mistake next to its field, naming and
/// linking the holder; nothing is saved then.
pub async fn save(
    db: &Database,
    id: Option<i64>,
    typed: &TypedProfile,
    region: Region,
    actor: Actor,
    now: NaiveDateTime,
    offer_move: bool,
) -> Result<Result<Saved, Mistakes>, AppError> {
    let profile = match parse(typed, region) {
        Ok(profile) => profile,
        Err(mistakes) => return Ok(Err(mistakes)),
    };

    let saved = db
        .run(move |conn| {
            let saved = match id {
                Some(id) => constituents::update(conn, id, &profile, &actor, now),
                None => constituents::create(conn, &profile, &actor, now),
            };
            match saved {
                Err(SaveError::Database(error)) => Err(error),
                other => Ok(other),
            }
        })
        .await?;

    match saved {
        Ok(saved) => Ok(Ok(saved)),
        Err(SaveError::PortalNumberTaken(holder)) => {
            let portal = typed.numbers.iter().find(|n| n.is_portal());
            let field = portal.map_or("phone", |n| n.field);
            let action = match (id, portal) {
                (Some(id), Some(input)) if offer_move => Some(move_link(id, &input.value)),
                _ => None,
            };
            let mut errors = FieldErrors::default();
            let link = holder_link(holder.id, &holder.name);
            errors.add_with_link(field, TAKEN_MESSAGE, link, action);
            Ok(Err(Mistakes {
                errors,
                ask_sms_confirmation: false,
            }))
        }
        Err(SaveError::Gone) => Err(AppError::NotFound),
        Err(SaveError::Database(error)) => Err(AppError::Internal(error.into())),
    }
}

/// Said next to a number that another constituent holds as their Portal number.
pub const TAKEN_MESSAGE: &str = "This number is already the Portal Access/SMS Number of";

/// The offer, to administrators, to move a taken number to profile `id`.
pub fn move_link(id: i64, number: &str) -> Link {
    Link {
        href: format!(
            "/constituents/{id}/move-number?number={}",
            urlencode(number)
        ),
        text: "Move this number to this profile".into(),
    }
}

/// A link to a holder's profile.
pub fn holder_link(id: i64, name: &str) -> Link {
    Link {
        href: profile_path(id),
        text: name.to_owned(),
    }
}
