//! The credit ledger: the members' paid orders credited (their rows replaced by what the
//! rules say now), and read back with the reason in words.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};

use super::bindings;
use super::credit::{CreditRow, Evidence, credit_rows};
use super::touches::valid_touches;
use crate::commerce::staff::current_stores;
use crate::config::AttributionPolicy;
use crate::entity::{guide, member, order, order_credit, touch};
use crate::reports::tally::Tally;

/// Which of the members' orders to credit.
pub enum Scope<'a> {
    /// All of them (those paid from `since` on, when given: a replay of a period).
    All { since: Option<DateTime<Utc>> },
    /// What an ingest batch can have changed: its own orders, and every order of a member
    /// whose bindings changed or who has a new valid touch (a late touch can move an earlier
    /// order's last share). Another member's other orders keep their rows: their facts are
    /// as they were.
    Batch {
        orders: &'a [i64],
        touched: &'a BTreeSet<i64>,
    },
}

/// Rebuilds the bindings of `members` and credits their orders within `scope`.
pub async fn credit_members(
    txn: &DatabaseTransaction,
    policy: &AttributionPolicy,
    version: i32,
    members: &[i64],
    scope: Scope<'_>,
) -> Result<(), DbErr> {
    if members.is_empty() {
        return Ok(());
    }
    let touches = valid_touches(txn, members).await?;
    let rebuilt = bindings::rebuild(txn, policy, version, members, &touches).await?;
    let orders = orders_in_scope(txn, members, scope, &rebuilt.changed).await?;
    let homes = home_stores(txn, members).await?;
    let bindings = rebuilt.by_member;
    let guide_ids: Vec<i64> = bindings.values().flatten().map(|b| b.guide_id).collect();
    let stores = guide_stores(txn, &guide_ids).await?;
    let guide_store = |guide: i64| stores.get(&guide).copied().flatten();
    let mut rows = Vec::new();
    for found in &orders {
        let member = found.member_id.unwrap_or_default();
        let evidence = Evidence {
            order: found,
            bindings: bindings.get(&member).map(Vec::as_slice).unwrap_or_default(),
            touches: touches.get(&member).map(Vec::as_slice).unwrap_or_default(),
            home_store: homes.get(&member).copied().flatten(),
            guide_store: &guide_store,
        };
        rows.push((found.id, credit_rows(policy, &evidence)));
    }
    replace_rows(txn, version, rows).await
}

async fn orders_in_scope(
    txn: &DatabaseTransaction,
    members: &[i64],
    scope: Scope<'_>,
    changed: &BTreeSet<i64>,
) -> Result<Vec<order::Model>, DbErr> {
    let (whole, ids, since): (Vec<i64>, &[i64], _) = match scope {
        Scope::All { since } => (members.to_vec(), &[], since),
        Scope::Batch { orders, touched } => {
            (changed.union(touched).copied().collect(), orders, None)
        }
    };
    let mut found: BTreeMap<i64, order::Model> = BTreeMap::new();
    for chunk in whole.chunks(500) {
        let of_members = order::Entity::find()
            .filter(order::Column::MemberId.is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        found.extend(of_members.into_iter().map(|o| (o.id, o)));
    }
    for chunk in ids.chunks(500) {
        let listed = order::Entity::find()
            .filter(order::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        found.extend(listed.into_iter().map(|o| (o.id, o)));
    }
    let mut orders: Vec<order::Model> = found.into_values().collect();
    if let Some(since) = since {
        orders.retain(|o| o.paid_at.unwrap_or(o.ordered_at) >= since);
    }
    Ok(orders)
}

async fn home_stores(
    txn: &DatabaseTransaction,
    members: &[i64],
) -> Result<HashMap<i64, Option<i64>>, DbErr> {
    let mut homes = HashMap::new();
    for chunk in members.chunks(500) {
        let found = member::Entity::find()
            .select_only()
            .column(member::Column::Id)
            .column(member::Column::HomeStoreId)
            .filter(member::Column::Id.is_in(chunk.to_vec()))
            .into_tuple::<(i64, Option<i64>)>()
            .all(txn)
            .await?;
        homes.extend(found);
    }
    Ok(homes)
}

/// Credits orders without a member: only their own stamp and store can name anyone.
pub async fn credit_guest_orders(
    txn: &DatabaseTransaction,
    policy: &AttributionPolicy,
    version: i32,
    order_ids: &[i64],
) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    for chunk in order_ids.chunks(500) {
        let orders = order::Entity::find()
            .filter(order::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        let sources: Vec<String> = orders.iter().map(|o| o.source_id.clone()).collect();
        let own: Vec<touch::Model> = touch::Entity::find()
            .filter(touch::Column::SourceKind.eq("order"))
            .filter(touch::Column::SourceId.is_in(sources))
            .filter(touch::Column::Valid.eq(true))
            .all(txn)
            .await?;
        for found in &orders {
            let touches: Vec<touch::Model> = own
                .iter()
                .filter(|t| t.source_id == found.source_id)
                .cloned()
                .collect();
            let evidence = Evidence {
                order: found,
                bindings: &[],
                touches: &touches,
                home_store: None,
                guide_store: &|_| None,
            };
            rows.push((found.id, credit_rows(policy, &evidence)));
        }
    }
    replace_rows(txn, version, rows).await
}

/// Each guide's store now (their active assignment).
async fn guide_stores(
    txn: &DatabaseTransaction,
    guide_ids: &[i64],
) -> Result<HashMap<i64, Option<i64>>, DbErr> {
    if guide_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let guides = guide::Entity::find()
        .filter(guide::Column::Id.is_in(guide_ids.to_vec()))
        .all(txn)
        .await?;
    let userids = guides.iter().map(|g| g.wecom_userid.clone()).collect();
    let stores = current_stores(txn, userids).await?;
    Ok(guides
        .into_iter()
        .map(|g| (g.id, stores.get(&g.wecom_userid).copied()))
        .collect())
}

/// The orders' rows become `rows` (an order no longer paid has none).
async fn replace_rows(
    txn: &DatabaseTransaction,
    version: i32,
    rows: Vec<(i64, Vec<CreditRow>)>,
) -> Result<(), DbErr> {
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let mut tally = Tally::default();
    for chunk in ids.chunks(500) {
        let gone = order_credit::Entity::delete_many()
            .filter(order_credit::Column::OrderId.is_in(chunk.to_vec()))
            .exec_with_returning(txn)
            .await?;
        for row in gone {
            count_row(
                &mut tally,
                &row.entry,
                row.amount_fen,
                row.guide_id,
                row.store_id,
                row.credited_at,
                -1,
            );
        }
    }
    let mut models = Vec::new();
    for (order_id, credits) in rows {
        let mut lines: HashMap<&str, i32> = HashMap::new();
        for row in credits {
            count_row(
                &mut tally,
                row.entry,
                row.amount_fen,
                row.guide,
                row.store,
                row.credited_at,
                1,
            );
            let line = lines.entry(row.entry).or_default();
            *line += 1;
            models.push(ledger_row(order_id, *line, version, row));
        }
    }
    for chunk in models.chunks(500) {
        order_credit::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    tally.write(txn).await
}

fn ledger_row(order_id: i64, line: i32, version: i32, row: CreditRow) -> order_credit::ActiveModel {
    order_credit::ActiveModel {
        order_id: Set(order_id),
        entry: Set(row.entry.into()),
        line: Set(line),
        amount_fen: Set(row.amount_fen),
        rule: Set(row.rule.into()),
        reason: Set(super::reasons::why_text(&row)),
        guide_id: Set(row.guide),
        store_id: Set(row.store),
        binding_id: Set(row.binding),
        share_token: Set(row.share),
        touched_at: Set(row.touched_at),
        policy_version: Set(version),
        credited_at: Set(row.credited_at),
        ..Default::default()
    }
}

/// A ledger row in the reports: a credit is an order and its sales, a reversal a refund;
/// `sign` -1 takes away a row that was replaced.
fn count_row(
    tally: &mut Tally,
    entry: &str,
    amount_fen: i64,
    guide: Option<i64>,
    store: Option<i64>,
    at: DateTime<Utc>,
    sign: i64,
) {
    tally.add(at, guide, store, |counts| {
        if entry == "reversal" {
            counts.refunds_fen -= sign * amount_fen;
        } else {
            counts.orders += sign;
            counts.sales_fen += sign * amount_fen;
        }
    });
}

/// An order's ledger rows with their guides' and stores' names, credits first.
pub async fn order_credits(
    db: &impl sea_orm::ConnectionTrait,
    order_id: i64,
) -> Result<Vec<(order_credit::Model, Option<String>, Option<String>)>, DbErr> {
    use sea_orm::QueryOrder;
    let rows = order_credit::Entity::find()
        .filter(order_credit::Column::OrderId.eq(order_id))
        .order_by_asc(order_credit::Column::Entry)
        .order_by_asc(order_credit::Column::Line)
        .all(db)
        .await?;
    let guides: Vec<i64> = rows.iter().filter_map(|r| r.guide_id).collect();
    let stores: Vec<i64> = rows.iter().filter_map(|r| r.store_id).collect();
    let guide_names: HashMap<i64, String> = guide::Entity::find()
        .filter(guide::Column::Id.is_in(guides))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let store_names: HashMap<i64, String> = crate::entity::store::Entity::find()
        .filter(crate::entity::store::Column::Id.is_in(stores))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let guide = row.guide_id.and_then(|id| guide_names.get(&id).cloned());
            let store = row.store_id.and_then(|id| store_names.get(&id).cloned());
            (row, guide, store)
        })
        .collect())
}
