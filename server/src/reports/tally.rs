//! What a write adds to the reports' summary (`report_days`): changes are gathered per day,
//! guide and store in a `Tally`, then added to the rows in one statement per 500 keys, in
//! key order (two transactions adding to the same rows take their locks in the same order,
//! so they wait for each other instead of deadlocking).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use crate::entity::report_day::{self, Column};

/// One day's changes for one guide at one store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub shares: i64,
    pub clicks: i64,
    pub visits: i64,
    pub carts: i64,
    pub orders: i64,
    pub sales_fen: i64,
    pub refunds_fen: i64,
    pub new_bindings: i64,
}

impl Counts {
    fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// Changes keyed by (day, guide or 0, store or 0).
#[derive(Debug, Default)]
pub struct Tally(BTreeMap<(String, i64, i64), Counts>);

/// The day (China, `YYYY-MM-DD`) a moment counts on.
pub use crate::wire::china_day as report_day;

impl Tally {
    /// Changes the counts of the guide's (or store's) day of `at`.
    pub fn add(
        &mut self,
        at: DateTime<Utc>,
        guide: Option<i64>,
        store: Option<i64>,
        change: impl FnOnce(&mut Counts),
    ) {
        let key = (report_day(at), guide.unwrap_or(0), store.unwrap_or(0));
        change(self.0.entry(key).or_default());
    }

    /// Adds the changes to the summary rows (creating those that are missing).
    pub async fn write(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        for chunk in self.rows().chunks(500) {
            report_day::Entity::insert_many(chunk.to_vec())
                .on_conflict(adding())
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }

    /// The rows to add, in key order; changes that cancel out are none.
    fn rows(&self) -> Vec<report_day::ActiveModel> {
        self.0
            .iter()
            .filter(|(_, counts)| !counts.is_zero())
            .map(|((day, guide, store), c)| report_day::ActiveModel {
                day: Set(day.clone()),
                guide_id: Set(*guide),
                store_id: Set(*store),
                shares: Set(c.shares),
                clicks: Set(c.clicks),
                visits: Set(c.visits),
                carts: Set(c.carts),
                orders: Set(c.orders),
                sales_fen: Set(c.sales_fen),
                refunds_fen: Set(c.refunds_fen),
                new_bindings: Set(c.new_bindings),
            })
            .collect()
    }
}

/// The summary's counters: each written by `adding`, each added up by `figures::sum_up`.
pub(super) const COUNTERS: [(Column, &str); 8] = [
    (Column::Shares, "shares"),
    (Column::Clicks, "clicks"),
    (Column::Visits, "visits"),
    (Column::Carts, "carts"),
    (Column::Orders, "orders"),
    (Column::SalesFen, "sales_fen"),
    (Column::RefundsFen, "refunds_fen"),
    (Column::NewBindings, "new_bindings"),
];

/// `ON CONFLICT (day, guide_id, store_id) DO UPDATE SET c = report_days.c + excluded.c`.
fn adding() -> OnConflict {
    OnConflict::columns([Column::Day, Column::GuideId, Column::StoreId])
        .values(COUNTERS.map(|(column, name)| {
            (
                column,
                Expr::cust(format!(r#""report_days"."{name}" + "excluded"."{name}""#)),
            )
        }))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_day_is_chinas_calendar_day() {
        let late = Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap();
        assert_eq!(report_day(late), "2026-12-01");
        assert_eq!(
            report_day(late - chrono::Duration::seconds(1)),
            "2026-11-30"
        );
    }

    #[test]
    fn changes_that_cancel_out_write_nothing() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
        let mut tally = Tally::default();
        tally.add(at, Some(1), Some(2), |c| c.sales_fen += 500);
        assert_eq!(tally.rows().len(), 1);
        tally.add(at, Some(1), Some(2), |c| c.sales_fen -= 500);
        assert!(tally.rows().is_empty());
    }
}
