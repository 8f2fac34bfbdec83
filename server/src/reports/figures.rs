//! Reading the summary: `report_days` rows added up by guide, store or day over a period,
//! within what the reader may see. A month of one guide is about thirty rows; a region's
//! month by store a few thousand, added up by the database.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use shared::report::Figures;

use super::tally::COUNTERS;
use crate::entity::report_day::{self, Column};

/// What the rows are added up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Guide,
    Store,
    Day,
}

/// Which rows count: one guide's, one store's, or (both `None`) all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    pub guide: Option<i64>,
    pub store: Option<i64>,
}

/// One group's sums; the columns not grouped by are 0 or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct Summed {
    pub guide_id: i64,
    pub store_id: i64,
    pub day: String,
    pub shares: i64,
    pub clicks: i64,
    pub visits: i64,
    pub carts: i64,
    pub orders: i64,
    pub sales_fen: i64,
    pub refunds_fen: i64,
    pub new_bindings: i64,
    /// The part of the net sales credited to a guide (not to a store or no one).
    pub guided_net_fen: i64,
}

/// The rows of `reach` from `from` to `to` (days, both included), added up `by`.
pub async fn sum_up(
    db: &impl ConnectionTrait,
    by: By,
    reach: Reach,
    from: &str,
    to: &str,
) -> Result<Vec<Summed>, DbErr> {
    // PostgreSQL adds bigints up to a numeric; the casts keep every column a bigint.
    let zero = || Expr::cust("CAST(0 AS BIGINT)");
    let mut select = report_day::Entity::find().select_only();
    select = match by {
        By::Guide => select
            .column(Column::GuideId)
            .expr_as(zero(), "store_id")
            .expr_as(Expr::cust("''"), "day")
            .group_by(Column::GuideId),
        By::Store => select
            .expr_as(zero(), "guide_id")
            .column(Column::StoreId)
            .expr_as(Expr::cust("''"), "day")
            .group_by(Column::StoreId),
        By::Day => select
            .expr_as(zero(), "guide_id")
            .expr_as(zero(), "store_id")
            .column(Column::Day)
            .group_by(Column::Day),
    };
    for (_, name) in COUNTERS {
        select = select.expr_as(
            Expr::cust(format!(r#"CAST(SUM("{name}") AS BIGINT)"#)),
            name,
        );
    }
    select = select.expr_as(
        Expr::cust(
            r#"CAST(SUM(CASE WHEN "guide_id" <> 0 THEN "sales_fen" - "refunds_fen" ELSE 0 END) AS BIGINT)"#,
        ),
        "guided_net_fen",
    );
    let mut select = select
        .filter(Column::Day.gte(from))
        .filter(Column::Day.lte(to));
    if let Some(guide) = reach.guide {
        select = select.filter(Column::GuideId.eq(guide));
    }
    if let Some(store) = reach.store {
        select = select.filter(Column::StoreId.eq(store));
    }
    select.into_model::<Summed>().all(db).await
}

impl Summed {
    /// The sums as the API shows them, with the commission at `commission_bp`.
    pub fn figures(&self, commission_bp: i64) -> Figures {
        let net_fen = self.sales_fen - self.refunds_fen;
        Figures {
            shares: self.shares,
            clicks: self.clicks,
            visits: self.visits,
            carts: self.carts,
            orders: self.orders,
            sales_fen: self.sales_fen,
            refunds_fen: self.refunds_fen,
            net_fen,
            commission_fen: commission(net_fen, commission_bp),
            new_bindings: self.new_bindings,
        }
    }

    /// Adds another group's sums (a region's stores, a report's total).
    pub fn absorb(&mut self, other: &Summed) {
        self.shares += other.shares;
        self.clicks += other.clicks;
        self.visits += other.visits;
        self.carts += other.carts;
        self.orders += other.orders;
        self.sales_fen += other.sales_fen;
        self.refunds_fen += other.refunds_fen;
        self.new_bindings += other.new_bindings;
        self.guided_net_fen += other.guided_net_fen;
    }

    /// The part of the net sales credited to guides, in basis points.
    pub fn private_share_bp(&self) -> Option<i64> {
        let net = self.sales_fen - self.refunds_fen;
        (net > 0).then(|| (self.guided_net_fen * 10_000 + net / 2) / net)
    }
}

/// `net_fen` × `bp` / 10,000, rounded half up to the fen (a negative net, more refunded
/// than sold in the period, takes commission back the same way).
pub fn commission(net_fen: i64, bp: i64) -> i64 {
    (net_fen * bp + 5_000).div_euclid(10_000)
}

/// Figures added up (a report's total): each part's commission as it was shown, so that the
/// total is the sum of the rows above it.
pub fn add_figures(total: &mut Figures, part: &Figures) {
    total.shares += part.shares;
    total.clicks += part.clicks;
    total.visits += part.visits;
    total.carts += part.carts;
    total.orders += part.orders;
    total.sales_fen += part.sales_fen;
    total.refunds_fen += part.refunds_fen;
    total.net_fen += part.net_fen;
    total.commission_fen += part.commission_fen;
    total.new_bindings += part.new_bindings;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_rounds_half_up_to_the_fen() {
        assert_eq!(commission(10_000, 300), 300);
        assert_eq!(commission(1_650, 300), 50); // 49.5 → 50
        assert_eq!(commission(1_649, 300), 49); // 49.47 → 49
        assert_eq!(commission(-1_650, 300), -49); // -49.5 → -49 (half up)
        assert_eq!(commission(12_345, 0), 0);
    }

    #[test]
    fn the_private_share_is_the_guides_part_of_net_sales() {
        let store = Summed {
            sales_fen: 10_000,
            refunds_fen: 1_000,
            guided_net_fen: 6_000,
            ..Default::default()
        };
        assert_eq!(store.private_share_bp(), Some(6_667));
        assert_eq!(Summed::default().private_share_bp(), None);
    }
}
