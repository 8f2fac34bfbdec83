//! A guide's month, for the 业绩 tab: this month against the last, their rank among their
//! store's guides, each day's net sales, and the ledger rows that credited them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::credit::Party;
use shared::report::{CreditedOrder, MyMonth, Rank};

use super::figures::{By, Reach, Summed, sum_up};
use super::tables::Period;
use crate::entity::{order, order_credit, store};

/// Rows of the ledger the tab lists.
const LISTED: u64 = 100;

pub struct Reader {
    pub guide: i64,
    /// The guide's store now, if any: the rank is among its guides.
    pub store: Option<i64>,
    pub commission_bp: i64,
}

pub async fn my_month(
    db: &impl ConnectionTrait,
    reader: &Reader,
    month: &Period,
) -> Result<MyMonth, DbErr> {
    let own = Reach {
        guide: Some(reader.guide),
        store: None,
    };
    let bp = reader.commission_bp;
    let (from, to) = (month.from_text(), month.to_text());
    // The month's days, read once: the month's figures are their sum.
    let by_day = sum_up(db, By::Day, own, &from, &to).await?;
    let mut whole = Summed::default();
    by_day.iter().for_each(|day| whole.absorb(day));
    let this_month = whole.figures(bp);
    let before = month.month_before();
    let last_month = sum_up(db, By::Guide, own, &before.from_text(), &before.to_text())
        .await?
        .first()
        .map(|s| s.figures(bp))
        .unwrap_or_default();
    let by_day: HashMap<String, i64> = by_day
        .into_iter()
        .map(|s| (s.day, s.sales_fen - s.refunds_fen))
        .collect();
    let days = month
        .from
        .iter_days()
        .take_while(|day| *day <= month.to)
        .map(|day| {
            by_day
                .get(&day.format("%Y-%m-%d").to_string())
                .copied()
                .unwrap_or(0)
        })
        .collect();
    let rank = match &store_party(db, reader.store).await? {
        Some(store) => {
            Some(rank_in_store(db, reader.guide, store, month, this_month.net_fen).await?)
        }
        None => None,
    };
    Ok(MyMonth {
        month: month.from.format("%Y-%m").to_string(),
        this_month,
        last_month,
        rank,
        days,
        credits: credited_orders(db, reader.guide, month).await?,
        commission_bp: bp,
    })
}

async fn store_party(db: &impl ConnectionTrait, id: Option<i64>) -> Result<Option<Party>, DbErr> {
    let Some(id) = id else { return Ok(None) };
    let found = store::Entity::find_by_id(id).one(db).await?;
    Ok(found.map(|found| Party {
        id,
        name: found.name,
    }))
}

/// 1 + the guides of the store who credited more net sales this month.
async fn rank_in_store(
    db: &impl ConnectionTrait,
    guide: i64,
    store: &Party,
    month: &Period,
    own_net: i64,
) -> Result<Rank, DbErr> {
    let reach = Reach {
        guide: None,
        store: Some(store.id),
    };
    let sums = sum_up(db, By::Guide, reach, &month.from_text(), &month.to_text()).await?;
    let guides: Vec<(i64, i64)> = sums
        .iter()
        .filter(|s| s.guide_id != 0)
        .map(|s| (s.guide_id, s.sales_fen - s.refunds_fen))
        .collect();
    let ahead = guides
        .iter()
        .filter(|(g, net)| *g != guide && *net > own_net)
        .count() as i64;
    let listed = guides.iter().any(|(g, _)| *g == guide);
    Ok(Rank {
        position: ahead + 1,
        of: guides.len() as i64 + i64::from(!listed),
        store: store.clone(),
    })
}

/// The start of a China day, in UTC.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() - Duration::hours(8)
}

async fn credited_orders(
    db: &impl ConnectionTrait,
    guide: i64,
    month: &Period,
) -> Result<Vec<CreditedOrder>, DbErr> {
    let until = month.to.succ_opt().unwrap_or(month.to);
    let rows = order_credit::Entity::find()
        .filter(order_credit::Column::GuideId.eq(guide))
        .filter(order_credit::Column::CreditedAt.gte(day_start(month.from)))
        .filter(order_credit::Column::CreditedAt.lt(day_start(until)))
        .order_by_desc(order_credit::Column::CreditedAt)
        .order_by_desc(order_credit::Column::Id)
        .limit(LISTED)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.order_id).collect();
    let numbers: HashMap<i64, String> = order::Entity::find()
        .select_only()
        .column(order::Column::Id)
        .column(order::Column::SourceId)
        .filter(order::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| CreditedOrder {
            order_id: row.order_id,
            order_no: numbers.get(&row.order_id).cloned().unwrap_or_default(),
            amount_fen: row.amount_fen,
            rule: row.rule,
            reason: row.reason,
            credited_at: row.credited_at.to_rfc3339(),
        })
        .collect())
}
