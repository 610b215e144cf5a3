//! Calendar dates in UTC, for the two places vx meets them: GitHub's timestamps
//! (`published_at`, RFC 3339), read for `min_release_age`, and the times a message
//! names (when a rate limit resets). Parsing and the calendar are `jiff`'s (already in
//! the build through sigstore), so an offset other than `Z` is honoured, not dropped.

use jiff::Timestamp;
use jiff::tz::Offset;

/// Seconds since the Unix epoch now (0 on a clock set before it).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An age as people write it (jiff's friendly format; a day is 24 hours): `30d`,
/// `12h`, `2w`, `1d 12h`, `5m`, `500ms`. Read for `vx cache clean --older-than`,
/// `[settings] min_release_age` and a task's `timeout`. A bare number is refused (`--older-than 30` could
/// mean days); a setting in seconds reads them first ([`parse_age_or_seconds`]).
pub fn parse_age(text: &str) -> Result<std::time::Duration, AgeError> {
    let bad = |problem| AgeError {
        text: text.to_owned(),
        problem,
    };
    let span: jiff::Span = text
        .trim()
        .parse()
        .map_err(|e| bad(AgeProblem::NotAnAge(e)))?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| bad(AgeProblem::Span(e)))?;
    std::time::Duration::try_from(duration).map_err(|_| bad(AgeProblem::Negative))
}

/// A text that is not an age: the text (sanitized) and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", vx_text::sanitize(text))]
pub struct AgeError {
    /// The text as written.
    pub text: String,
    /// Why it is not an age.
    #[source]
    pub problem: AgeProblem,
}

/// Why a text is not an age.
#[derive(Debug, thiserror::Error)]
pub enum AgeProblem {
    /// Not jiff's friendly format.
    #[error("not an age such as 30d, 12h or 2w ({0})")]
    NotAnAge(#[source] jiff::Error),
    /// A span with no fixed length.
    #[error("{0}")]
    Span(#[source] jiff::Error),
    /// Less than nothing.
    #[error("an age cannot be negative")]
    Negative,
}

/// [`parse_age`], or a bare number of seconds (`0`, `90`): for a setting documented
/// in seconds, such as `VX_INDEX_MAX_AGE`.
pub fn parse_age_or_seconds(text: &str) -> Result<std::time::Duration, AgeError> {
    match text.trim().parse::<u64>() {
        Ok(secs) => Ok(std::time::Duration::from_secs(secs)),
        Err(_) => parse_age(text),
    }
}

/// `secs` after the Unix epoch as a timestamp (past jiff's range: its last second,
/// in the year 9999).
fn timestamp(secs: u64) -> Timestamp {
    i64::try_from(secs)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MAX)
}

/// Year, month, day, hour, minute, second of `secs` after the Unix epoch, in UTC.
pub fn date_time(secs: u64) -> (i64, i64, i64, u64, u64, u64) {
    let t = Offset::UTC.to_datetime(timestamp(secs));
    let unsigned = |n: i8| u64::try_from(n).unwrap_or(0);
    (
        i64::from(t.year()),
        i64::from(t.month()),
        i64::from(t.day()),
        unsigned(t.hour()),
        unsigned(t.minute()),
        unsigned(t.second()),
    )
}

/// `secs` as GitHub writes a time: `2024-02-29T12:30:15Z`.
pub fn rfc3339(secs: u64) -> String {
    timestamp(secs).to_string()
}

/// Seconds after the Unix epoch of an RFC 3339 time (`2024-05-01T12:00:00Z`,
/// `2024-05-01T14:00:00+02:00`; fractions of a second dropped); `None` for anything
/// else, a time without an offset, or one before 1970.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let time: Timestamp = text.parse().ok()?;
    u64::try_from(time.as_second()).ok()
}

/// `span` as a person says it, in its largest whole unit: `3d`, `2w`, `12h`, `90m`,
/// `45s` (the units `min_release_age` is written in).
pub fn span(span: std::time::Duration) -> String {
    let secs = span.as_secs();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs >= size && secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_people_write_them() {
        use std::time::Duration;
        assert!(parse_age("30").is_err(), "a bare number could mean days");
        assert_eq!(parse_age_or_seconds("0").ok(), Some(Duration::ZERO));
        assert_eq!(
            parse_age_or_seconds("90").ok(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_age_or_seconds("5m").ok(),
            Some(Duration::from_secs(300))
        );
        assert_eq!(parse_age("5m").ok(), Some(Duration::from_secs(300)));
        assert_eq!(parse_age("3d").ok(), Some(Duration::from_secs(3 * 86_400)));
        assert_eq!(
            parse_age("30d").ok(),
            Some(Duration::from_secs(30 * 86_400))
        );
        assert_eq!(parse_age("2w").ok(), Some(Duration::from_secs(14 * 86_400)));
        assert_eq!(
            parse_age("1d 12h").ok(),
            Some(Duration::from_secs(36 * 3600))
        );
        assert!(parse_age("soon").is_err());
        assert!(parse_age("-3d").is_err());
        // As tasks' `timeout`s (and mise's) are written.
        assert_eq!(
            parse_age_or_seconds("500ms").ok(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_age_or_seconds("1h30m").ok(),
            Some(Duration::from_secs(5400))
        );
    }

    #[test]
    fn github_times_are_read_and_written() {
        assert_eq!(parse_rfc3339("2024-02-29T12:30:15Z"), Some(1_709_209_815));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339(1_709_209_815), "2024-02-29T12:30:15Z");
        for secs in [0, 951_782_400, 1_709_209_815, 4_102_444_800] {
            assert_eq!(parse_rfc3339(&rfc3339(secs)), Some(secs));
        }
        // An offset is honoured (it was dropped: two hours off), a fraction dropped.
        assert_eq!(
            parse_rfc3339("2024-02-29T14:30:15+02:00"),
            Some(1_709_209_815)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T07:30:15-05:00"),
            Some(1_709_209_815)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T12:30:15.75Z"),
            Some(1_709_209_815)
        );
        assert_eq!(date_time(1_709_209_815), (2024, 2, 29, 12, 30, 15));
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "yesterday",
            "2024-02-29T12:30:15",
            "1969-12-31T23:59:59Z",
            "+024-02-29T12:30:15Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans_are_said_in_their_largest_whole_unit() {
        use std::time::Duration;
        assert_eq!(span(Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(span(Duration::from_secs(14 * 86_400)), "2w");
        assert_eq!(span(Duration::from_secs(36 * 3_600)), "36h");
        assert_eq!(span(Duration::from_secs(90 * 60)), "90m");
        assert_eq!(span(Duration::from_secs(45)), "45s");
    }
}
