//! Texts to phones: appended to an outbox file by default, so that a new
//! installation shows every text it would send; sent through Twilio's Messages
//! API in production.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::clock::Clock;
use crate::config::{SmsSettings, TwilioSettings};

/// Sends texts by whichever transport the settings chose.
pub struct SmsSender {
    transport: Transport,
    clock: Clock,
}

enum Transport {
    Outbox {
        path: PathBuf,
        lock: Mutex<()>,
    },
    Twilio {
        settings: TwilioSettings,
        client: reqwest::Client,
    },
}

/// Why a text was not sent. Messages carry no credentials and no message text.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("could not write to the SMS outbox file")]
    Outbox(#[source] std::io::Error),
    #[error("Twilio refused the message (HTTP {status}, Twilio error {code})")]
    Refused { status: u16, code: String },
    #[error("could not reach Twilio")]
    Unreachable(#[source] reqwest::Error),
}

#[derive(Serialize)]
struct OutboxLine<'a> {
    to: &'a str,
    body: &'a str,
    sent_at: String,
}

impl SmsSender {
    pub fn new(settings: &SmsSettings, clock: Clock) -> anyhow::Result<Self> {
        let transport = match settings {
            SmsSettings::Outbox(path) => Transport::Outbox {
                path: path.clone(),
                lock: Mutex::new(()),
            },
            SmsSettings::Twilio(settings) => Transport::Twilio {
                settings: settings.clone(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(15))
                    .build()?,
            },
        };
        Ok(Self { transport, clock })
    }

    /// Sends `body` to the E.164 number `to`.
    pub async fn send(&self, to: &str, body: &str) -> Result<(), SendError> {
        match &self.transport {
            Transport::Outbox { path, lock } => {
                let sent_at = self
                    .clock
                    .now()
                    .and_utc()
                    .to_rfc3339_opts(SecondsFormat::Secs, true);
                let mut line = serde_json::to_string(&OutboxLine { to, body, sent_at })
                    .map_err(|error| SendError::Outbox(error.into()))?;
                line.push('\n');
                let _guard = lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(SendError::Outbox)?;
                file.write_all(line.as_bytes()).map_err(SendError::Outbox)
            }
            Transport::Twilio { settings, client } => {
                send_by_twilio(client, settings, to, body).await
            }
        }
    }
}

async fn send_by_twilio(
    client: &reqwest::Client,
    settings: &TwilioSettings,
    to: &str,
    body: &str,
) -> Result<(), SendError> {
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Messages.json",
        settings.base_url.trim_end_matches('/'),
        settings.account_sid
    );
    let sender = if settings.from.starts_with("MG") {
        "MessagingServiceSid"
    } else {
        "From"
    };
    let form = [("To", to), (sender, settings.from.as_str()), ("Body", body)];
    let response = client
        .post(url)
        .basic_auth(&settings.account_sid, Some(settings.auth_token.expose()))
        .form(&form)
        .send()
        .await
        .map_err(SendError::Unreachable)?;

    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // Twilio's error body may repeat the number; keep only its error code.
    let body = response.bytes().await.unwrap_or_default();
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|body| body.get("code").map(ToString::to_string))
        .unwrap_or_else(|| "unknown".into());
    Err(SendError::Refused {
        status: status.as_u16(),
        code,
    })
}
