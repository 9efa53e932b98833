//! The one injectable clock: `MAESTRO_NOW` fixes "now" for tests and replays.

use chrono::{DateTime, NaiveDate, Utc};

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant.
    Fixed(DateTime<Utc>),
}

/// `MAESTRO_NOW` is not an RFC 3339 instant.
#[derive(Debug, thiserror::Error)]
#[error("MAESTRO_NOW={value:?} is not an RFC 3339 instant (e.g. 2026-11-26T10:00:00Z): {reason}")]
pub struct ClockError {
    value: String,
    reason: String,
}

impl Clock {
    /// A clock fixed at `now`.
    pub fn fixed(now: DateTime<Utc>) -> Self {
        Self::Fixed(now)
    }

    /// The clock `MAESTRO_NOW` asks for, or the system clock when it is unset or empty.
    pub fn from_env() -> Result<Self, ClockError> {
        match std::env::var("MAESTRO_NOW") {
            Ok(value) if !value.trim().is_empty() => Self::parse(&value),
            _ => Ok(Self::System),
        }
    }

    /// A clock fixed at the RFC 3339 instant `value`.
    pub fn parse(value: &str) -> Result<Self, ClockError> {
        DateTime::parse_from_rfc3339(value.trim())
            .map(|t| Self::Fixed(t.with_timezone(&Utc)))
            .map_err(|e| ClockError {
                value: value.to_string(),
                reason: e.to_string(),
            })
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Fixed(t) => *t,
        }
    }

    /// Today's date (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_with_offsets_and_rejects_other_text() {
        let c = Clock::parse("2026-11-26T23:30:00-02:00").unwrap();
        assert_eq!(c.today().to_string(), "2026-11-27");
        let err = Clock::parse("next tuesday").unwrap_err().to_string();
        assert!(
            err.contains("MAESTRO_NOW") && err.contains("2026-11-26T10:00:00Z"),
            "{err}"
        );
    }
}
