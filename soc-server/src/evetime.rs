//! EVE timestamps (`2023-11-14T22:13:20.123456+0000`) to and from microseconds since the epoch.

use thiserror::Error;

/// Why a timestamp could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("timestamp {0:?}: expected YYYY-MM-DDTHH:MM:SS[.ffffff][+HHMM|Z]")]
pub struct TimestampError(pub String);

/// Parses an EVE/RFC 3339 timestamp into microseconds since the Unix epoch (UTC).
pub fn parse_timestamp(s: &str) -> Result<i64, TimestampError> {
    let err = || TimestampError(s.chars().take(40).collect());
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b' ') {
        return Err(err());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(err());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, TimestampError> {
        let part = s.get(r).ok_or_else(err)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        part.parse::<i64>().map_err(|_| err())
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(err());
    }
    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &s[start..i];
        if frac.is_empty() {
            return Err(err());
        }
        let mut digits: String = frac.chars().take(6).collect();
        while digits.len() < 6 {
            digits.push('0');
        }
        micros = digits.parse().map_err(|_| err())?;
    }
    let offset_secs = match &s[i..] {
        "" | "Z" | "z" => 0,
        tz => {
            let sign = match tz.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(err()),
            };
            let digits: String = tz[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            let hh: i64 = digits[..2].parse().map_err(|_| err())?;
            let mm: i64 = digits[2..].parse().map_err(|_| err())?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    Ok(secs * 1_000_000 + micros)
}

/// Formats microseconds since the epoch the way Suricata does.
pub fn format_timestamp(micros: i64) -> String {
    eve::format_timestamp(micros)
}

/// Now, in microseconds since the epoch.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suricata_timestamps_round_trip() {
        for t in [0, 1_700_000_000_123_456, 951_782_400_000_001, -1] {
            assert_eq!(parse_timestamp(&format_timestamp(t)), Ok(t));
        }
    }

    #[test]
    fn offsets_and_rfc3339_forms_are_understood() {
        let base = parse_timestamp("2023-11-14T22:13:20+0000").unwrap();
        assert_eq!(parse_timestamp("2023-11-14T22:13:20Z").unwrap(), base);
        assert_eq!(parse_timestamp("2023-11-15T00:13:20+02:00").unwrap(), base);
        assert_eq!(
            parse_timestamp("2023-11-14T21:13:20.5-0100").unwrap(),
            base + 500_000
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            "2023",
            "2023-13-01T00:00:00Z",
            "2023-11-14T22:13:20+bogus",
            "éééééééééééééééééééé",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }
}
