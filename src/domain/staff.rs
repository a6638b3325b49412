//! Staff accounts: who may sign in to the office side, and with what password.

use std::fmt;

use chrono::{NaiveDateTime, TimeDelta};

/// The name a member of staff signs in with: lower case, so that `Ann` and `ann` are one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// Why a typed username was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Enter a username.")]
    Empty,
    #[error("A username has at most 64 characters.")]
    TooLong,
    #[error("Use only letters, digits, dots, dashes, underscores and @ in a username.")]
    BadCharacter,
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let name = input.trim().to_lowercase();
        if name.is_empty() {
            return Err(UsernameError::Empty);
        }
        if name.chars().count() > 64 {
            return Err(UsernameError::TooLong);
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@');
        if !name.chars().all(allowed) {
            return Err(UsernameError::BadCharacter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a staff account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Manages staff accounts and sees the audit trail, besides everything office staff do.
    Admin,
    /// Keeps constituent profiles.
    Office,
}

impl Role {
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim() {
            "admin" => Some(Self::Admin),
            "office" => Some(Self::Office),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Office => "office",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Failed sign-ins for one username that close sign-in for it…
pub const FAILURES_PER_USERNAME: usize = 10;
/// …and for one address, which a whole school office may share.
pub const FAILURES_PER_ADDRESS: usize = 100;
/// The window those failures must fall in.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// How long sign-in stays closed after the last of them.
pub const LOCKOUT: TimeDelta = TimeDelta::minutes(15);

/// When sign-in opens again, if `limit` failures within the window have
/// closed it. `failures` are the newest failure times, newest first.
pub fn locked_until(
    failures: &[NaiveDateTime],
    limit: usize,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let (newest, oldest) = (*failures.first()?, *failures.get(limit.checked_sub(1)?)?);
    let until = newest + LOCKOUT;
    (newest - oldest <= FAILURE_WINDOW && now < until).then_some(until)
}

/// A password that meets the staff password rules, ready to be hashed.
///
/// The rules follow NIST SP 800-63B: length over composition, and a refusal of
/// passwords an attacker would try first.
pub struct NewPassword(String);

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_PASSWORD_CHARS} characters; a few words make a good password.")]
    TooShort,
    #[error("Use at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
    #[error("This password is too common; choose one nobody else would.")]
    Common,
    #[error("This password repeats itself; choose one that does not.")]
    Repetition,
    #[error("This password is a simple sequence; choose one that is not.")]
    Sequence,
    #[error("A password may not contain the username.")]
    ContainsUsername,
    #[error("The two passwords do not match.")]
    Mismatch,
}

pub const MIN_PASSWORD_CHARS: usize = 15;
pub const MAX_PASSWORD_CHARS: usize = 256;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

impl NewPassword {
    pub fn parse(password: &str, username: &Username) -> Result<Self, PasswordError> {
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }

        let folded = password.to_lowercase();
        if is_repetition(&folded) {
            return Err(PasswordError::Repetition);
        }
        if is_sequence(&folded) {
            return Err(PasswordError::Sequence);
        }
        if is_common(&folded) {
            return Err(PasswordError::Common);
        }
        if folded.contains(username.as_str()) {
            return Err(PasswordError::ContainsUsername);
        }
        Ok(Self(password.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

fn is_common(folded: &str) -> bool {
    let squeezed: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common == folded || common == squeezed)
}

/// True when the password is one short piece said over and over (`passwordpassword`).
fn is_repetition(folded: &str) -> bool {
    let chars: Vec<char> = folded.chars().collect();
    (1..=chars.len() / 2).any(|unit| {
        chars.len().is_multiple_of(unit) && chars.chunks(unit).all(|chunk| chunk == &chars[..unit])
    })
}

/// True when each character follows the last by one step up or down the digits
/// or the alphabet, wrapping round (`1234567890123456`, `zyxwvu…`).
fn is_sequence(folded: &str) -> bool {
    let chars: Vec<char> = folded.chars().collect();
    let step = |a: char, b: char| -> Option<i32> {
        let ring = |c: char| {
            if c.is_ascii_digit() {
                Some((10, c as i32 - '0' as i32))
            } else if c.is_ascii_lowercase() {
                Some((26, c as i32 - 'a' as i32))
            } else {
                None
            }
        };
        let ((size_a, a), (size_b, b)) = (ring(a)?, ring(b)?);
        (size_a == size_b).then(|| (b - a).rem_euclid(size_a))
    };
    let steps: Option<Vec<i32>> = chars
        .windows(2)
        .map(|pair| step(pair[0], pair[1]))
        .collect();
    match steps {
        Some(steps) => {
            let first = steps[0];
            steps.iter().all(|&s| s == first) && (first == 1 || first == 9 || first == 25)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Username {
        Username::parse("ann").unwrap()
    }

    #[test]
    fn usernames_fold_case_and_trim() {
        assert_eq!(Username::parse("  Ann.Lee ").unwrap().as_str(), "ann.lee");
        assert_eq!(Username::parse(" "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ann lee"), Err(UsernameError::BadCharacter));
    }

    #[test]
    fn ten_quick_failures_close_sign_in_for_fifteen_minutes() {
        let start = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let every_minute: Vec<_> = (0..10)
            .rev()
            .map(|m| start + TimeDelta::minutes(m))
            .collect();
        let last = every_minute[0];

        assert_eq!(locked_until(&every_minute[..9], 10, last), None);
        assert_eq!(locked_until(&every_minute, 10, last), Some(last + LOCKOUT));
        assert_eq!(locked_until(&every_minute, 10, last + LOCKOUT), None);
        let slow: Vec<_> = (0..10)
            .rev()
            .map(|m| start + TimeDelta::minutes(2 * m))
            .collect();
        assert_eq!(
            locked_until(&slow, 10, slow[0]),
            None,
            "spread over 18 minutes"
        );
    }

    #[test]
    fn a_long_passphrase_is_accepted_with_spaces_and_emoji() {
        assert!(NewPassword::parse("correct horse battery 🐎 staple", &ann()).is_ok());
    }

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        let short = NewPassword::parse("fourteen chars", &ann());
        assert_eq!(short.unwrap_err(), PasswordError::TooShort);
        let long = "ab".repeat(200) + "c";
        assert_eq!(
            NewPassword::parse(&long, &ann()).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn weak_shapes_are_refused_with_their_reason() {
        let cases = [
            ("passwordpassword", PasswordError::Repetition),
            ("1234567890123456", PasswordError::Sequence),
            ("abcdefghijklmnopq", PasswordError::Sequence),
            ("9876543210987654", PasswordError::Sequence),
            ("iloveyouiloveyou!", PasswordError::Common),
            (
                "my name is ann and i teach",
                PasswordError::ContainsUsername,
            ),
        ];
        for (password, reason) in cases {
            assert_eq!(
                NewPassword::parse(password, &ann()).unwrap_err(),
                reason,
                "{password}"
            );
        }
    }
}
