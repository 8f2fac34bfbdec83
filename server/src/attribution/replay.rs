//! `guidedesk attribution replay`: the ledger of a period recomputed under a policy version,
//! by the very functions that credit orders as they arrive, in one transaction that is
//! committed only when asked (`--apply`); otherwise rolled back after measuring what would
//! change per guide and per store.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::ledger::{Scope, credit_guest_orders, credit_members};
use crate::config::AttributionPolicy;
use crate::database::begin_write;
use crate::entity::{order, order_credit};

/// Members per transaction step (each step reads their facts and orders at once).
const MEMBERS_PER_STEP: usize = 500;

/// What a replay changed (or, not applied, would change), in fen.
#[derive(Debug, Default)]
pub struct ReplayReport {
    pub orders: usize,
    pub members: usize,
    /// Guide id (none: credited to no guide) → (before, after).
    pub by_guide: BTreeMap<Option<i64>, (i64, i64)>,
    /// Store id (none: no store) → (before, after).
    pub by_store: BTreeMap<Option<i64>, (i64, i64)>,
    pub applied: bool,
}

/// Recredits the orders paid from `from` on under `policy` (stored as `version`).
pub async fn replay(
    db: &DatabaseConnection,
    policy: &AttributionPolicy,
    version: i32,
    from: DateTime<Utc>,
    apply: bool,
) -> Result<ReplayReport, DbErr> {
    let in_period = order::Entity::find()
        .filter(
            Condition::any().add(order::Column::PaidAt.gte(from)).add(
                Condition::all()
                    .add(order::Column::PaidAt.is_null())
                    .add(order::Column::OrderedAt.gte(from)),
            ),
        )
        .all(db)
        .await?;
    let order_ids: Vec<i64> = in_period.iter().map(|o| o.id).collect();
    let members: Vec<i64> = in_period
        .iter()
        .filter_map(|o| o.member_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let guests: Vec<i64> = in_period
        .iter()
        .filter(|o| o.member_id.is_none())
        .map(|o| o.id)
        .collect();
    let mut report = ReplayReport {
        orders: order_ids.len(),
        members: members.len(),
        applied: apply,
        ..ReplayReport::default()
    };
    let txn = begin_write(db).await?;
    tally(&txn, &order_ids, &mut report, true).await?;
    for step in members.chunks(MEMBERS_PER_STEP) {
        super::take_members(&txn, step).await?;
        credit_members(
            &txn,
            policy,
            version,
            step,
            Scope::All { since: Some(from) },
        )
        .await?;
    }
    credit_guest_orders(&txn, policy, version, &guests).await?;
    tally(&txn, &order_ids, &mut report, false).await?;
    if apply {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(report)
}

/// Adds the orders' credited amounts per guide and store to the report's `before` or `after`.
async fn tally(
    txn: &sea_orm::DatabaseTransaction,
    order_ids: &[i64],
    report: &mut ReplayReport,
    before: bool,
) -> Result<(), DbErr> {
    for chunk in order_ids.chunks(500) {
        let rows = order_credit::Entity::find()
            .filter(order_credit::Column::OrderId.is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        for row in rows {
            for (map, key) in [
                (&mut report.by_guide, row.guide_id),
                (&mut report.by_store, row.store_id),
            ] {
                let sums = map.entry(key).or_default();
                if before {
                    sums.0 += row.amount_fen;
                } else {
                    sums.1 += row.amount_fen;
                }
            }
        }
    }
    Ok(())
}
