//! Logs: one line per request, with its id, method, route, status and time.
//!
//! The route is logged as its pattern (`/constituents/{id}`), never the raw
//! path or query, which could carry phone numbers or one-time tokens.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

/// Sends logs to standard output; `RUST_LOG` narrows or widens them.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// An error and its causes on one line, for a log field: `a: b: c`.
pub fn cause_chain(error: impl Into<anyhow::Error>) -> String {
    format!("{:#}", error.into())
}

/// Builds each request's span and writes its closing line.
pub struct RequestLog;

#[derive(Clone, Copy)]
struct Started(Instant);

impl RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string);
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        tracing::info_span!(
            "request",
            id = request_id.as_deref().unwrap_or("-"),
            method = %request.method(),
            route = %route,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let _entered = span.enter();
        let Ok(response) = outcome else {
            tracing::error!("request ended without a response");
            return;
        };
        let status = response.status().as_u16();
        let started = response.request().extensions().get::<Started>().copied();
        let ms = started.map_or(0.0, |Started(at)| at.elapsed().as_secs_f64() * 1000.0);
        let ms = format!("{ms:.1}");
        match status {
            500.. => tracing::error!(status, ms, "answered"),
            _ => tracing::info!(status, ms, "answered"),
        }
    }
}
