//! Settings, read once at start from flags and the environment and passed to
//! whoever needs them.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `HOMEROOM_BIND` (`--bind`) | `127.0.0.1:8080` | address to listen on |
//! | `DATABASE_URL` (`--database-url`) | `sqlite://homeroom.db` | the database |
//! | `HOMEROOM_DEFAULT_REGION` | `US` | region of numbers typed without a country code |
//! | `HOMEROOM_SCHOOL_NAME` | `Our school` | the name parents see in the portal and in texts |
//! | `HOMEROOM_SMS_TRANSPORT` | `outbox` | `outbox` or `twilio` |
//! | `HOMEROOM_SMS_OUTBOX` | `sms-outbox.jsonl` | where the outbox transport writes |
//! | `HOMEROOM_TWILIO_ACCOUNT_SID`, `HOMEROOM_TWILIO_AUTH_TOKEN` | | Twilio credentials |
//! | `HOMEROOM_TWILIO_FROM` | | a sending number (E.164) or a messaging service SID (`MG…`) |
//! | `HOMEROOM_TWILIO_BASE_URL` | `https://api.twilio.com` | the Twilio API's address |
//! | `HOMEROOM_SECRET_KEY` | generated once, kept in the database | key for signing cookies |

use std::fmt;
use std::path::PathBuf;

use crate::cli::Cli;
use crate::domain::phone::Region;

/// Everything the program was told at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database: DatabaseUrl,
    pub default_region: Region,
    pub school_name: String,
    pub sms: SmsSettings,
    pub secret_key: Option<Secret>,
}

/// Where the data lives; the scheme picks the backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// How texts leave Homeroom.
#[derive(Debug, Clone)]
pub enum SmsSettings {
    /// Appended to a file, one JSON object a line.
    Outbox(PathBuf),
    /// Sent through Twilio's Messages API.
    Twilio(TwilioSettings),
}

#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: Secret,
    pub from: String,
    pub base_url: String,
}

/// A value that must never reach a log: its `Debug` prints nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A setting that cannot be used; its message names the setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads the settings from parsed flags and the process environment.
    pub fn load(cli: &Cli) -> Result<Self, ConfigError> {
        Self::from_sources(&cli.bind, &cli.database_url, |name| {
            std::env::var(name).ok()
        })
    }

    /// Reads the settings from flag values and an environment lookup.
    pub fn from_sources(
        bind: &str,
        database_url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());

        let region_code = var("HOMEROOM_DEFAULT_REGION").unwrap_or_else(|| "US".into());
        let default_region = region_code
            .parse()
            .map_err(|why| ConfigError(format!("HOMEROOM_DEFAULT_REGION: {why}")))?;

        let secret_key = var("HOMEROOM_SECRET_KEY").map(Secret);
        if secret_key
            .as_ref()
            .is_some_and(|key| key.expose().len() < 32)
        {
            return Err(ConfigError(
                "HOMEROOM_SECRET_KEY must be at least 32 characters long".into(),
            ));
        }

        Ok(Self {
            bind: bind.to_owned(),
            database: DatabaseUrl::parse(database_url)?,
            default_region,
            school_name: var("HOMEROOM_SCHOOL_NAME").unwrap_or_else(|| "Our school".into()),
            sms: SmsSettings::from_env(&var)?,
            secret_key,
        })
    }
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError(
                    "DATABASE_URL: sqlite:// needs a file path".into(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(ConfigError(
            "DATABASE_URL must start with sqlite:// or postgres:// (for example sqlite://homeroom.db)"
                .into(),
        ))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(_) => f.write_str("postgres://…"),
        }
    }
}

impl SmsSettings {
    fn from_env(var: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let transport = var("HOMEROOM_SMS_TRANSPORT").unwrap_or_else(|| "outbox".into());
        match transport.trim() {
            "outbox" => {
                let path = var("HOMEROOM_SMS_OUTBOX").unwrap_or_else(|| "sms-outbox.jsonl".into());
                Ok(Self::Outbox(PathBuf::from(path)))
            }
            "twilio" => {
                let required = |name: &str| {
                    var(name).ok_or_else(|| {
                        ConfigError(format!("HOMEROOM_SMS_TRANSPORT=twilio needs {name}"))
                    })
                };
                Ok(Self::Twilio(TwilioSettings {
                    account_sid: required("HOMEROOM_TWILIO_ACCOUNT_SID")?,
                    auth_token: Secret(required("HOMEROOM_TWILIO_AUTH_TOKEN")?),
                    from: required("HOMEROOM_TWILIO_FROM")?,
                    base_url: var("HOMEROOM_TWILIO_BASE_URL")
                        .unwrap_or_else(|| "https://api.twilio.com".into()),
                }))
            }
            other => Err(ConfigError(format!(
                "HOMEROOM_SMS_TRANSPORT is {other:?}; use outbox or twilio"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        };
        Settings::from_sources("127.0.0.1:0", "sqlite://test.db", env)
    }

    #[test]
    fn defaults_need_no_environment() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.default_region.to_string(), "US");
        assert!(matches!(settings.sms, SmsSettings::Outbox(_)));
        assert_eq!(settings.database, DatabaseUrl::Sqlite("test.db".into()));
    }

    #[test]
    fn bad_settings_name_themselves() {
        let transport = load(&[("HOMEROOM_SMS_TRANSPORT", "pigeon")]).unwrap_err();
        assert!(transport.to_string().contains("HOMEROOM_SMS_TRANSPORT"));
        let region = load(&[("HOMEROOM_DEFAULT_REGION", "ZZ")]).unwrap_err();
        assert!(region.to_string().contains("HOMEROOM_DEFAULT_REGION"));
        let twilio = load(&[("HOMEROOM_SMS_TRANSPORT", "twilio")]).unwrap_err();
        assert!(twilio.to_string().contains("HOMEROOM_TWILIO_ACCOUNT_SID"));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }
}
