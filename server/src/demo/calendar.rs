//! When things happen in the demo brand: two years up to a given day, busier in the months
//! and on the days Chinese retail is busy (双11, 618, 双12, 三八节, the weeks before the
//! Spring Festival), and in the afternoon and evening (China time).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

use super::random::Rng;

pub const DAYS: i64 = 730;

pub struct Calendar {
    /// The first day of the two years (China time).
    first_day: NaiveDate,
    /// Running totals of the days' weights, to pick a day in proportion to its weight.
    cumulative: Vec<u64>,
    /// The end of the last day, the time every record is stamped as last updated.
    pub until: DateTime<Utc>,
}

fn china() -> FixedOffset {
    crate::sync::schedule::china_time()
}

/// How busy a day is, relative to an ordinary day (100).
fn day_weight(day: NaiveDate) -> u64 {
    let month = match day.month() {
        1 => 115,
        2 => 85,
        3 => 105,
        4 => 85,
        5 => 100,
        6 => 140,
        7 => 85,
        8 => 85,
        9 => 95,
        10 => 115,
        11 => 170,
        _ => 130,
    };
    let special = match (day.month(), day.day()) {
        (11, 11) => 8,
        (11, 1..=10) => 2,
        (6, 18) => 5,
        (6, 1..=17) => 2,
        (12, 12) => 3,
        (3, 8) => 3,
        (5, 20) | (2, 14) | (8, 10) => 2,
        _ => 1,
    };
    let weekend = if day.weekday().number_from_monday() >= 6 {
        13
    } else {
        10
    };
    month * special * weekend / 10
}

impl Calendar {
    /// Two years ending with `last_day` (China time).
    pub fn ending(last_day: NaiveDate) -> Self {
        let first_day = last_day - Duration::days(DAYS - 1);
        let mut total = 0;
        let cumulative = (0..DAYS)
            .map(|offset| {
                total += day_weight(first_day + Duration::days(offset));
                total
            })
            .collect();
        let until = china()
            .from_local_datetime(&last_day.and_hms_opt(22, 0, 0).unwrap_or_default())
            .single()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        Self {
            first_day,
            cumulative,
            until,
        }
    }

    /// A moment on a day picked by the season, at an hour shoppers shop.
    pub fn busy_moment(&self, rng: &mut Rng) -> DateTime<Utc> {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let roll = rng.below(total);
        let offset = self.cumulative.partition_point(|&c| c <= roll) as i64;
        self.at(rng, offset)
    }

    /// A moment on a day picked uniformly in `[from_days_ago, to_days_ago]`.
    pub fn days_ago(&self, rng: &mut Rng, from: i64, to: i64) -> DateTime<Utc> {
        let ago = rng.between(to.min(from), from.max(to));
        self.at(rng, (DAYS - 1 - ago).clamp(0, DAYS - 1))
    }

    fn at(&self, rng: &mut Rng, offset: i64) -> DateTime<Utc> {
        const HOURS: [u32; 14] = [1, 2, 4, 5, 6, 6, 6, 7, 8, 9, 10, 12, 9, 5];
        let hour = 9 + rng.weighted(&HOURS) as i64;
        let day = self.first_day + Duration::days(offset);
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default()
            + Duration::hours(hour)
            + Duration::seconds(rng.between(0, 3599));
        let moment = china()
            .from_local_datetime(&local)
            .single()
            .map_or(self.until, |t| t.with_timezone(&Utc));
        moment.min(self.until)
    }

    /// Days from `moment` to the end of the period.
    pub fn days_before_end(&self, moment: DateTime<Utc>) -> i64 {
        (self.until - moment).num_days()
    }
}

/// Today in China.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

/// The day before today in China: the demo's default last day.
pub fn yesterday() -> NaiveDate {
    today() - Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_history_ends_before_now_whatever_the_hour() {
        // Ending today, it would run to 22:00 China time: later than now for most of the day.
        assert!(Calendar::ending(yesterday()).until < Utc::now());
    }

    #[test]
    fn double_eleven_is_the_busiest_day_and_every_moment_is_inside_the_two_years() {
        let last = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let calendar = Calendar::ending(last);
        let mut rng = Rng::new(5);
        let mut per_day = std::collections::HashMap::<NaiveDate, u32>::new();
        for _ in 0..200_000 {
            let moment = calendar.busy_moment(&mut rng);
            assert!(moment <= calendar.until);
            assert!(calendar.days_before_end(moment) < DAYS);
            *per_day
                .entry(moment.with_timezone(&china()).date_naive())
                .or_default() += 1;
        }
        let busiest = per_day.iter().max_by_key(|(_, n)| **n).unwrap().0;
        assert_eq!((busiest.month(), busiest.day()), (11, 11));
        let recent = calendar.days_ago(&mut rng, 3, 0);
        assert!(calendar.days_before_end(recent) <= 3);
    }
}
