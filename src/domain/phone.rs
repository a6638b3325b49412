//! Phone numbers as libphonenumber understands them, stored in E.164.

use std::fmt;
use std::str::FromStr;

use rlibphonenumber::{
    PHONE_NUMBER_UTIL, ParseError, PhoneNumber as Parsed, PhoneNumberFormat, PhoneNumberType,
    Region as LibRegion, ValidationError,
};

/// The region whose national format staff type numbers in, such as `US` or `GB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(LibRegion);

impl FromStr for Region {
    type Err = String;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let region = LibRegion::from_str(&code.trim().to_ascii_uppercase())
            .map_err(|_| format!("{code:?} is not an ISO 3166 region code such as US or GB"))?;
        if PHONE_NUMBER_UTIL
            .get_country_code_for_region(region)
            .is_none_or(|code| code == 0)
        {
            return Err(format!("{code:?} is not a region with telephone numbers"));
        }
        Ok(Self(region))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of line a number belongs to, from libphonenumber's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    FixedLine,
    Mobile,
    /// North American numbers: the metadata cannot tell landline from mobile.
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    Unknown,
}

impl NumberKind {
    /// The stable name kept in the database and given in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FixedLine => "fixed_line",
            Self::Mobile => "mobile",
            Self::FixedLineOrMobile => "fixed_line_or_mobile",
            Self::TollFree => "toll_free",
            Self::PremiumRate => "premium_rate",
            Self::SharedCost => "shared_cost",
            Self::Voip => "voip",
            Self::PersonalNumber => "personal_number",
            Self::Pager => "pager",
            Self::Uan => "uan",
            Self::Voicemail => "voicemail",
            Self::Unknown => "unknown",
        }
    }

    /// How the kind reads on a page.
    pub fn label(self) -> &'static str {
        match self {
            Self::FixedLine => "Landline",
            Self::Mobile => "Mobile",
            Self::FixedLineOrMobile => "Landline or mobile",
            Self::TollFree => "Toll-free",
            Self::PremiumRate => "Premium rate",
            Self::SharedCost => "Shared cost",
            Self::Voip => "Internet phone",
            Self::PersonalNumber => "Personal number",
            Self::Pager => "Pager",
            Self::Uan => "Company number",
            Self::Voicemail => "Voicemail",
            Self::Unknown => "Unknown kind",
        }
    }

    /// The kind in a sentence: "This number looks like a landline".
    pub fn description(self) -> &'static str {
        match self {
            Self::FixedLine => "a landline",
            Self::Mobile => "a mobile number",
            Self::FixedLineOrMobile => "a landline or mobile number",
            Self::TollFree => "a toll-free number",
            Self::PremiumRate => "a premium-rate number",
            Self::SharedCost => "a shared-cost number",
            Self::Voip => "an internet phone number",
            Self::PersonalNumber => "a personal number",
            Self::Pager => "a pager",
            Self::Uan => "a company switchboard number",
            Self::Voicemail => "a voicemail number",
            Self::Unknown => "an unrecognised kind of number",
        }
    }

    /// Whether texts are expected to reach a number of this kind.
    ///
    /// Only kinds that are known to be something other than a phone in a
    /// person's hand ask staff to confirm; North American numbers pass, since
    /// the metadata cannot tell.
    pub fn takes_texts(self) -> bool {
        matches!(
            self,
            Self::Mobile | Self::FixedLineOrMobile | Self::Voip | Self::PersonalNumber
        )
    }

    fn from_lib(kind: PhoneNumberType) -> Self {
        match kind {
            PhoneNumberType::FixedLine => Self::FixedLine,
            PhoneNumberType::Mobile => Self::Mobile,
            PhoneNumberType::FixedLineOrMobile => Self::FixedLineOrMobile,
            PhoneNumberType::TollFree => Self::TollFree,
            PhoneNumberType::PremiumRate => Self::PremiumRate,
            PhoneNumberType::SharedCost => Self::SharedCost,
            PhoneNumberType::VoIP => Self::Voip,
            PhoneNumberType::PersonalNumber => Self::PersonalNumber,
            PhoneNumberType::Pager => Self::Pager,
            PhoneNumberType::UAN => Self::Uan,
            PhoneNumberType::VoiceMail => Self::Voicemail,
            PhoneNumberType::Unknown => Self::Unknown,
        }
    }
}

/// Why typed text is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a phone number using digits, such as 0 to 9.")]
    NotANumber,
    #[error("This number starts with a country code that does not exist.")]
    UnknownCountryCode,
    #[error("This number is too short to be a phone number.")]
    TooShort,
    #[error("This number is too long to be a phone number.")]
    TooLong,
    #[error("This is not a valid phone number; check the digits.")]
    Invalid,
}

/// A valid phone number, kept as its E.164 form and any extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    parsed: Parsed,
    e164: String,
}

impl PhoneNumber {
    /// Reads a number as a person types it: national format of `home`, or
    /// international with `+` or the region's international prefix, with any
    /// spaces, dots, dashes or brackets.
    pub fn parse(input: &str, home: Region) -> Result<Self, PhoneError> {
        let parsed = PHONE_NUMBER_UTIL
            .parse(input, Some(home.0))
            .map_err(|error| match error {
                ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode,
                ParseError::TooShortAfterIdd | ParseError::TooShortNsn => PhoneError::TooShort,
                ParseError::TooLongNsn => PhoneError::TooLong,
                ParseError::NotANumber(_) => PhoneError::NotANumber,
            })?;
        if !parsed.is_valid() {
            return Err(match parsed.is_possible_with_reason() {
                Err(ValidationError::TooShort | ValidationError::InvalidLength) => {
                    PhoneError::TooShort
                }
                Err(ValidationError::TooLong) => PhoneError::TooLong,
                Err(ValidationError::InvalidCountryCode) => PhoneError::UnknownCountryCode,
                Ok(_) => PhoneError::Invalid,
            });
        }
        let e164 = parsed.format_as(PhoneNumberFormat::E164).into_owned();
        Ok(Self { parsed, e164 })
    }

    /// Rebuilds a number saved earlier from its E.164 form and extension.
    pub fn from_stored(e164: &str, extension: Option<&str>) -> Option<Self> {
        let mut parsed = PHONE_NUMBER_UTIL.parse(e164, None).ok()?;
        parsed.extension = extension.map(str::to_owned);
        Some(Self {
            e164: parsed.format_as(PhoneNumberFormat::E164).into_owned(),
            parsed,
        })
    }

    /// The number in E.164, without extension: `+14155550123`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn extension(&self) -> Option<&str> {
        self.parsed
            .extension
            .as_deref()
            .filter(|ext| !ext.is_empty())
    }

    pub fn kind(&self) -> NumberKind {
        NumberKind::from_lib(self.parsed.get_type())
    }

    /// The last four digits, which staff often search by.
    pub fn last_four(&self) -> &str {
        &self.e164[self.e164.len().saturating_sub(4)..]
    }

    /// National format for numbers of the home region, international for the
    /// rest, with the extension if there is one.
    pub fn display(&self, home: Region) -> String {
        // Numbers that share the home country code dial as national ones (all of
        // North America, for a US school).
        let home_code = PHONE_NUMBER_UTIL.get_country_code_for_region(home.0);
        let format = if Some(self.parsed.country_code) == home_code {
            PhoneNumberFormat::National
        } else {
            PhoneNumberFormat::International
        };
        self.parsed.format_as(format).into_owned()
    }
}

/// How a stored number reads on a page (see [`PhoneNumber::display`]); the
/// stored text itself if it no longer parses.
pub fn display_stored(e164: &str, extension: Option<&str>, home: Region) -> String {
    PhoneNumber::from_stored(e164, extension).map_or_else(|| e164.to_owned(), |n| n.display(home))
}

/// An E.164 number with all but its country code and last two digits hidden,
/// for logs and for telling a parent which number a code went to.
pub fn mask(e164: &str) -> String {
    let digits = e164.trim_start_matches('+');
    let shown_tail = digits.len().saturating_sub(2);
    let country = &digits[..digits.len().min(1)];
    let hidden = "•".repeat(shown_tail.saturating_sub(country.len()));
    format!("+{country}{hidden}{}", &digits[shown_tail..])
}

/// Warms libphonenumber's metadata so that the first request does not pay for it.
pub fn warm_up(home: Region) {
    let _ = PhoneNumber::parse("+1 201 555 0123", home);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Region {
        "US".parse().unwrap()
    }

    #[test]
    fn two_spellings_of_one_number_are_one_number() {
        let a = PhoneNumber::parse("(201) 555-0123", us()).unwrap();
        let b = PhoneNumber::parse("+1 201.555.0123", us()).unwrap();
        assert_eq!(a.e164(), "+12015550123");
        assert_eq!(a, b);
    }

    #[test]
    fn the_home_region_reads_national_and_others_international() {
        let home = PhoneNumber::parse("201-555-0123", us()).unwrap();
        let abroad = PhoneNumber::parse("011 44 20 7946 0958", us()).unwrap();
        assert_eq!(home.display(us()), "(201) 555-0123");
        assert_eq!(abroad.e164(), "+442079460958");
        assert_eq!(abroad.display(us()), "+44 20 7946 0958");
    }

    #[test]
    fn extensions_are_kept_apart_from_the_number() {
        let number = PhoneNumber::parse("201 555 0123 ext. 42", us()).unwrap();
        assert_eq!(number.e164(), "+12015550123");
        assert_eq!(number.extension(), Some("42"));
        let back = PhoneNumber::from_stored(number.e164(), number.extension()).unwrap();
        assert_eq!(back, number);
        assert_eq!(back.display(us()), "(201) 555-0123 ext. 42");
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert_eq!(
            PhoneNumber::parse("call me", us()),
            Err(PhoneError::NotANumber)
        );
        assert_eq!(
            PhoneNumber::parse("555-01", us()),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            PhoneNumber::parse("(123) 456-7890", us()),
            Err(PhoneError::Invalid)
        );
    }

    #[test]
    fn masked_numbers_keep_only_their_ends() {
        assert_eq!(mask("+12015550143"), "+1••••••••43");
    }

    #[test]
    fn regions_are_checked() {
        assert!("gb".parse::<Region>().is_ok());
        assert!("XX".parse::<Region>().is_err());
        assert!("USA".parse::<Region>().is_err());
    }
}
