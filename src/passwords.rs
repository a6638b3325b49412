//! Password hashing with Argon2id, in the PHC string format.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Hashes a password with a fresh salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|error| anyhow::anyhow!("could not hash a password: {error}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches `hash`; a malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash of no one's password: checked against when a username does not
/// exist, so that an unknown name costs as much time as a wrong password.
pub fn decoy_hash() -> anyhow::Result<String> {
    hash("a password nobody has, used to keep sign-in timing even")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", &stored));
        assert!(!verify("correct horse battery stapler", &stored));
        assert!(!verify("anything", "not a hash"));
    }
}
