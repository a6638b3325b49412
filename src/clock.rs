//! The time of day as Homeroom sees it.
//!
//! Every rule that depends on time (session expiry, code lifetimes, sign-in
//! limits) asks a [`Clock`], so that tests can move time forward instead of
//! waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{NaiveDateTime, TimeDelta, Utc};

/// The current time in UTC, plus any offset a test has added.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> NaiveDateTime {
        let offset = TimeDelta::seconds(self.offset_seconds.load(Ordering::Relaxed));
        Utc::now().naive_utc() + offset
    }

    /// Moves this clock, and every copy of it, forward.
    pub fn advance(&self, by: TimeDelta) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
