//! Calendar dates in UTC, for the two places vx meets them: GitHub's timestamps
//! (`published_at`, RFC 3339 with a `Z`), read for `min_release_age`, and the times a
//! message names (when a rate limit resets). Days to dates and back by Howard
//! Hinnant's civil-calendar algorithms; no time zone other than UTC is ever needed.

/// Seconds since the Unix epoch now (0 on a clock set before it).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Year, month, day, hour, minute, second of `secs` after the Unix epoch.
pub fn date_time(secs: u64) -> (i64, i64, i64, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `secs` as GitHub writes a time: `2024-02-29T12:30:15Z`.
pub fn rfc3339(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = date_time(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Seconds after the Unix epoch of a time as GitHub writes it
/// (`2024-05-01T12:00:00Z`, fractions of a second ignored); `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
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
    fn github_times_are_read_and_written() {
        assert_eq!(parse_rfc3339("2024-02-29T12:30:15Z"), Some(1_709_209_815));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339(1_709_209_815), "2024-02-29T12:30:15Z");
        for secs in [0, 951_782_400, 1_709_209_815, 4_102_444_800] {
            assert_eq!(parse_rfc3339(&rfc3339(secs)), Some(secs));
        }
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "yesterday",
            "2024-02-29 12:30:15Z",
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
