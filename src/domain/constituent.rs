//! Constituents: the parents, students and staff a school keeps in touch with.

use validator::ValidateEmail;

use super::phone::PhoneNumber;

/// A first or last name: trimmed, never empty, of a sensible length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

/// Why a typed name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("This name is required.")]
    Empty,
    #[error("Use at most 100 characters.")]
    TooLong,
    #[error("A name cannot contain control characters.")]
    ControlCharacter,
}

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let name = input.trim();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.chars().count() > 100 {
            return Err(NameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form searched by: lower case, so that `ann` finds `Ann`.
    pub fn search_key(&self) -> String {
        search_key(&self.0)
    }
}

/// Folds text the way names are indexed for search.
pub fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// An email address, checked for shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

/// Why a typed email address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address like name@example.org.")]
    Invalid,
    #[error("An email address has at most 254 characters.")]
    TooLong,
}

impl EmailAddress {
    /// An empty field means no address.
    pub fn parse_optional(input: &str) -> Result<Option<Self>, EmailError> {
        let email = input.trim();
        if email.is_empty() {
            return Ok(None);
        }
        if email.len() > 254 {
            return Err(EmailError::TooLong);
        }
        if !email.validate_email() {
            return Err(EmailError::Invalid);
        }
        Ok(Some(Self(email.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The roles a constituent has at the school; at least one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Personas {
    pub parent: bool,
    pub student: bool,
    pub staff: bool,
}

/// Why the persona choice was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonaError {
    #[error("Choose at least one: parent, student or staff.")]
    None,
    #[error("Choose parent, student or staff.")]
    Unknown,
}

impl Personas {
    pub fn parse<S: AsRef<str>>(chosen: &[S]) -> Result<Self, PersonaError> {
        let mut personas = Self::default();
        for persona in chosen {
            match persona.as_ref() {
                "parent" => personas.parent = true,
                "student" => personas.student = true,
                "staff" => personas.staff = true,
                _ => return Err(PersonaError::Unknown),
            }
        }
        if personas == Self::default() {
            return Err(PersonaError::None);
        }
        Ok(personas)
    }

    /// The names of the chosen personas, as forms send them, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        self.chosen(["parent", "student", "staff"])
    }

    /// The chosen personas as pages show them.
    pub fn titles(self) -> Vec<&'static str> {
        self.chosen(["Parent", "Student", "Staff"])
    }

    fn chosen(self, words: [&'static str; 3]) -> Vec<&'static str> {
        [self.parent, self.student, self.staff]
            .into_iter()
            .zip(words)
            .filter_map(|(chosen, word)| chosen.then_some(word))
            .collect()
    }
}

/// The kind of line a staff member says a number is, for reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneLabel {
    Home,
    Mobile,
    Work,
    Other,
}

impl PhoneLabel {
    pub const ALL: [Self; 4] = [Self::Home, Self::Mobile, Self::Work, Self::Other];

    /// An empty choice reads as `mobile` for the SMS number and `home` elsewhere.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|label| label.as_str() == input.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Mobile => "mobile",
            Self::Work => "work",
            Self::Other => "other",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Home => "Home",
            Self::Mobile => "Mobile",
            Self::Work => "Work",
            Self::Other => "Other",
        }
    }
}

/// Which slot of a profile a number fills: the Portal Access/SMS Number, or
/// one of the four general numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Portal,
    General(u8),
}

impl Slot {
    pub const GENERAL_COUNT: u8 = 4;

    /// The slot's number in storage: 0 for the Portal number, 1 to 4 for the others.
    pub fn index(self) -> i32 {
        match self {
            Self::Portal => 0,
            Self::General(n) => i32::from(n),
        }
    }

    pub fn from_index(index: i32) -> Option<Self> {
        match index {
            0 => Some(Self::Portal),
            1..=4 => Some(Self::General(index as u8)),
            _ => None,
        }
    }
}

/// A number placed in a slot of a profile, with the type staff gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlottedNumber {
    pub slot: Slot,
    pub number: PhoneNumber,
    pub label: PhoneLabel,
}

/// Everything a profile holds, parsed and checked, ready to be saved.
#[derive(Debug, Clone)]
pub struct Profile {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Option<EmailAddress>,
    pub personas: Personas,
    pub numbers: Vec<SlottedNumber>,
}

impl Profile {
    /// The Portal Access/SMS Number, if the profile has one.
    pub fn portal_number(&self) -> Option<&PhoneNumber> {
        self.numbers
            .iter()
            .find(|n| n.slot == Slot::Portal)
            .map(|n| &n.number)
    }
}

/// Why a number cannot be the Portal Access/SMS Number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PortalNumberError {
    #[error("The Portal Access/SMS Number cannot have an extension: texts cannot reach one.")]
    HasExtension,
    #[error(
        "This looks like {0}, which usually cannot receive texts. If you have checked that it \
         can, tick the box below to confirm and save again."
    )]
    MayNotTakeTexts(&'static str),
}

/// Checks that `number` can serve as a Portal Access/SMS Number. A number of a
/// kind that usually cannot take texts passes only once staff confirm it can.
pub fn check_portal_number(
    number: &PhoneNumber,
    confirmed_sms_capable: bool,
) -> Result<(), PortalNumberError> {
    if number.extension().is_some() {
        return Err(PortalNumberError::HasExtension);
    }
    let kind = number.kind();
    if !kind.takes_texts() && !confirmed_sms_capable {
        return Err(PortalNumberError::MayNotTakeTexts(kind.description()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(PersonName::parse("  Ann ").unwrap().as_str(), "Ann");
        assert_eq!(PersonName::parse("   "), Err(NameError::Empty));
        assert_eq!(
            PersonName::parse("A\u{7}"),
            Err(NameError::ControlCharacter)
        );
        assert_eq!(PersonName::parse("Ángela").unwrap().search_key(), "ángela");
    }

    #[test]
    fn email_is_optional_but_checked() {
        assert_eq!(EmailAddress::parse_optional(" "), Ok(None));
        assert!(
            EmailAddress::parse_optional("ann@example.org")
                .unwrap()
                .is_some()
        );
        assert_eq!(
            EmailAddress::parse_optional("ann@"),
            Err(EmailError::Invalid)
        );
    }

    #[test]
    fn a_portal_number_takes_texts_and_has_no_extension() {
        let gb = "GB".parse().unwrap();
        let mobile = PhoneNumber::parse("07400 123456", gb).unwrap();
        let landline = PhoneNumber::parse("0121 234 5678", gb).unwrap();
        let with_extension = PhoneNumber::parse("07400 123456 ext. 7", gb).unwrap();
        assert_eq!(check_portal_number(&mobile, false), Ok(()));
        assert!(matches!(
            check_portal_number(&landline, false),
            Err(PortalNumberError::MayNotTakeTexts(_))
        ));
        assert_eq!(check_portal_number(&landline, true), Ok(()));
        assert_eq!(
            check_portal_number(&with_extension, true),
            Err(PortalNumberError::HasExtension)
        );
    }

    #[test]
    fn personas_need_one_known_choice() {
        let both = Personas::parse(&["parent", "staff"]).unwrap();
        assert_eq!(both.names(), ["parent", "staff"]);
        assert_eq!(Personas::parse::<&str>(&[]), Err(PersonaError::None));
        assert_eq!(Personas::parse(&["pilot"]), Err(PersonaError::Unknown));
    }
}
