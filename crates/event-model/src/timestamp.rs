//! Event timestamps: unix milliseconds, read from an integer or an RFC 3339 string.

use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time as integer unix milliseconds (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(pub i64);

/// Why an RFC 3339 timestamp string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The text is not an RFC 3339 date-time.
    #[error("invalid RFC 3339 timestamp {text:?}: {reason}")]
    Invalid {
        /// The refused text (cut to 64 bytes).
        text: String,
        /// What the parser said.
        reason: String,
    },
    /// The time has digits below the millisecond, which an event cannot keep.
    #[error("timestamp {text:?} has sub-millisecond digits; events keep whole milliseconds")]
    SubMillisecond {
        /// The refused text.
        text: String,
    },
    /// A leap second (`23:59:60`): unix milliseconds cannot name it.
    #[error(
        "timestamp {text:?} is a leap second (second 60); leap seconds are not supported (unix milliseconds cannot represent them)"
    )]
    LeapSecond {
        /// The refused text.
        text: String,
    },
}

fn cut(text: &str) -> String {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Whether an RFC 3339 date-time (already parsed) names second 60: the
/// seconds are the two digits after the second `:` of the time part.
fn is_leap_second(text: &str) -> bool {
    let Some(t) = text.find(['T', 't', ' ']) else {
        return false;
    };
    text.get(t + 7..t + 9) == Some("60")
}

impl Timestamp {
    /// Milliseconds since the unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 date-time such as `2024-05-17T14:00:00.406Z`.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        let dt = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| TimestampError::Invalid {
            text: cut(text),
            reason: e.to_string(),
        })?;
        if is_leap_second(text) {
            return Err(TimestampError::LeapSecond { text: cut(text) });
        }
        let nanos = dt.unix_timestamp_nanos();
        if nanos % 1_000_000 != 0 {
            return Err(TimestampError::SubMillisecond { text: cut(text) });
        }
        let millis = nanos / 1_000_000;
        // An RFC 3339 year has four digits, so this always fits an i64.
        Ok(Timestamp(millis as i64))
    }

    /// Formats as RFC 3339 in UTC with milliseconds (`2024-05-17T14:00:00.406Z`),
    /// or `None` when the instant is outside the years 0000..=9999.
    pub fn to_rfc3339(self) -> Option<String> {
        let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()?;
        if !(0..=9999).contains(&dt.year()) {
            return None;
        }
        Some(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.millisecond()
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_the_reference_instant() {
        let t = Timestamp::parse_rfc3339("2024-05-17T14:00:00.406Z").unwrap();
        assert_eq!(t, Timestamp(1_715_954_400_406));
        assert_eq!(t.to_rfc3339().unwrap(), "2024-05-17T14:00:00.406Z");
        let offset = Timestamp::parse_rfc3339("2024-05-17T16:00:00.406+02:00").unwrap();
        assert_eq!(offset, t);
    }

    #[test]
    fn refuses_bad_dates_with_the_text() {
        let e = Timestamp::parse_rfc3339("2024-13-01T00:00:00Z").unwrap_err();
        assert!(e.to_string().contains("2024-13-01"), "{e}");
        let e = Timestamp::parse_rfc3339("yesterday").unwrap_err();
        assert!(matches!(e, TimestampError::Invalid { .. }));
        let e = Timestamp::parse_rfc3339("2024-05-17T14:00:00.4061Z").unwrap_err();
        assert!(matches!(e, TimestampError::SubMillisecond { .. }));
    }

    #[test]
    fn leap_seconds_are_named_as_such() {
        for text in ["2016-12-31T23:59:60Z", "2016-12-31T23:59:60.500Z"] {
            let e = Timestamp::parse_rfc3339(text).unwrap_err();
            assert!(matches!(e, TimestampError::LeapSecond { .. }), "{e}");
            let msg = e.to_string();
            assert!(msg.contains("leap second"), "{msg}");
            assert!(!msg.contains("sub-millisecond"), "{msg}");
        }
    }

    #[test]
    fn negative_millis_format_before_the_epoch() {
        assert_eq!(
            Timestamp(-1).to_rfc3339().unwrap(),
            "1969-12-31T23:59:59.999Z"
        );
        assert_eq!(Timestamp(i64::MAX).to_rfc3339(), None);
    }
}
