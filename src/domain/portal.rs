//! The Parent Portal's sign-in rules: one-time codes texted to the Portal
//! Access/SMS Number, and the limits that stop guessing.

use chrono::TimeDelta;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// How long a texted code works.
pub const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// Wrong tries after which a code stops working.
pub const WRONG_TRIES_PER_CODE: i32 = 5;
/// Codes a number may be sent in an hour.
pub const CODES_PER_HOUR: i64 = 5;
/// Wrong codes in a row, across codes, after which a number is paused.
pub const WRONG_CODES_BEFORE_PAUSE: i32 = 20;
/// How long a paused number cannot sign in.
pub const PAUSE: TimeDelta = TimeDelta::hours(1);
/// A portal session ends after this long unused…
pub const IDLE_LIMIT: TimeDelta = TimeDelta::minutes(30);
/// …and this long after sign-in.
pub const MAX_AGE: TimeDelta = TimeDelta::hours(24);

/// A six-digit code, as texted.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// A fresh code from a cryptographically secure generator (`rand`'s
    /// thread generator, ChaCha12 seeded from the operating system).
    pub fn generate() -> Self {
        Self(format!("{:06}", rand::rng().random_range(0..1_000_000)))
    }

    /// A typed code: six digits, with any spaces or dashes people add ignored.
    pub fn parse(typed: &str) -> Option<Self> {
        let digits: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The stored form: an HMAC of the code bound to the sign-in attempt it
    /// was made for, so a copy of the database reveals no usable code.
    pub fn keyed_hash(&self, key: &[u8], attempt_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(attempt_id.as_bytes());
        mac.update(b":");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(…)")
    }
}

/// The text that carries a code: what it is, for whom, and when it expires.
pub fn code_text(school: &str, first_name: &str, code: &OneTimeCode) -> String {
    format!(
        "{school}: {} is the Parent Portal sign-in code for {first_name}. \
         It expires in {} minutes.",
        code.expose(),
        CODE_LIFETIME.num_minutes()
    )
}

/// The text sent to a number that no longer signs a parent in.
pub fn number_changed_text(school: &str, first_name: &str) -> String {
    format!(
        "{school}: the number that signs {first_name} in to the Parent Portal has been changed \
         by the school office. This number no longer signs in. If you did not expect this, \
         contact the school office."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = OneTimeCode::generate();
            assert_eq!(code.expose().len(), 6);
            assert!(code.expose().chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn typed_codes_forgive_spaces_and_dashes_only() {
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().expose(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().expose(), "123456");
        assert!(OneTimeCode::parse("12345").is_none());
        assert!(OneTimeCode::parse("12345a").is_none());
    }

    #[test]
    fn a_hash_depends_on_key_attempt_and_code() {
        let code = OneTimeCode::parse("123456").unwrap();
        let hash = code.keyed_hash(b"key", "attempt");
        assert_eq!(hash, code.keyed_hash(b"key", "attempt"));
        assert_ne!(hash, code.keyed_hash(b"other key", "attempt"));
        assert_ne!(hash, code.keyed_hash(b"key", "other attempt"));
        assert_ne!(
            hash,
            OneTimeCode::parse("123457")
                .unwrap()
                .keyed_hash(b"key", "attempt")
        );
    }

    #[test]
    fn the_text_says_what_for_whom_and_until_when() {
        let code = OneTimeCode::parse("042117").unwrap();
        let text = code_text("Hillside School", "Ana", &code);
        assert_eq!(
            text,
            "Hillside School: 042117 is the Parent Portal sign-in code for Ana. \
             It expires in 10 minutes."
        );
    }
}
