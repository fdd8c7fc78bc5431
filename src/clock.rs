//! Today's date in Beijing time, for new files and package names.
//!
//! Dates without a zone are Beijing time everywhere else in zhibu, so "this month" and the date
//! in a package's name are too, whatever zone the machine is set to. A few lines of calendar
//! arithmetic spare a date crate.

/// A moment as a calendar date and wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Moment {
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

impl Moment {
    /// The date, `YYYY-MM-DD`.
    pub(crate) fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Now, in Beijing time (UTC+8).
pub(crate) fn beijing_now() -> Moment {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    from_unix(secs + 8 * 3600)
}

/// Today in Beijing time, `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    beijing_now().date()
}

/// The calendar date and time `secs` seconds after 1970-01-01 00:00.
fn from_unix(secs: i64) -> Moment {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    Moment {
        year,
        month,
        day,
        hour: (rest / 3600) as u32,
        minute: (rest % 3600 / 60) as u32,
        second: (rest % 60) as u32,
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar, counting
/// in 400-year eras that start on March 1st (so the leap day is the last day of a year).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_818), (2026, 12, 31));
        assert_eq!(civil_from_days(20_819), (2027, 1, 1));
    }

    #[test]
    fn beijing_is_eight_hours_ahead() {
        // 2026-11-30 16:30:05 UTC is already December 1st in Beijing.
        let utc = 1_796_056_205;
        let m = from_unix(utc + 8 * 3600);
        assert_eq!(
            (m.year, m.month, m.day, m.hour, m.minute, m.second),
            (2026, 12, 1, 0, 30, 5)
        );
    }
}
