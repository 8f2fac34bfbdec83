//! One batch of records of one kind, validated and upserted in one transaction: what the
//! ingest API, the importer and the demo seed all write through. Each record is checked on
//! its own, so one bad record never fails the batch; a database failure stores none of it
//! (and a retry is harmless: every upsert is idempotent).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::{IngestAnswer, IngestRejection};

use super::record::RecordError;
use super::stamped::{AfterBatch, BatchEffects};
use super::{
    behaviour, coupons, grants, materials, members, orders, products, shipments, staff, stores,
};
use crate::database::begin_write;

/// At most this many records per request.
pub const MAX_RECORDS: usize = 1000;
/// What can be ingested, by its URL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stores,
    Staff,
    Members,
    Orders,
    Shipments,
    Products,
    CouponTemplates,
    CouponGrants,
    Events,
    Materials,
    WelcomeMessages,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Stores,
        Kind::Staff,
        Kind::Members,
        Kind::Orders,
        Kind::Shipments,
        Kind::Products,
        Kind::CouponTemplates,
        Kind::CouponGrants,
        Kind::Events,
        Kind::Materials,
        Kind::WelcomeMessages,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Stores => "stores",
            Kind::Staff => "staff",
            Kind::Members => "members",
            Kind::Orders => "orders",
            Kind::Shipments => "shipments",
            Kind::Products => "products",
            Kind::CouponTemplates => "coupon-templates",
            Kind::CouponGrants => "coupon-grants",
            Kind::Events => "events",
            Kind::Materials => "materials",
            Kind::WelcomeMessages => "welcome-messages",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Validates and upserts one record of `kind`; what crediting must see goes to `effects`.
pub async fn apply_record(
    db: &impl ConnectionTrait,
    kind: Kind,
    value: Value,
    now: DateTime<Utc>,
    effects: &mut BatchEffects,
) -> Result<(), RecordError> {
    match kind {
        Kind::Stores => stores::apply(db, parse(value)?, now).await,
        Kind::Staff => staff::apply(db, parse(value)?, now).await,
        Kind::Members => one(members::apply_many(db, parsed(value), now).await?),
        Kind::Orders => one(orders::apply_many(db, parsed(value), now, effects).await?),
        Kind::Shipments => one(shipments::apply_many(db, parsed(value), now).await?),
        Kind::Products => products::apply(db, parse(value)?, now).await,
        Kind::CouponTemplates => coupons::apply(db, parse(value)?, now).await,
        Kind::CouponGrants => one(grants::apply_many(db, parsed(value), now).await?),
        Kind::Events => one(behaviour::apply_many(db, parsed(value), now, effects).await?),
        Kind::Materials => materials::apply(db, parse(value)?, now).await,
        Kind::WelcomeMessages => materials::apply_welcome(db, parse(value)?, now).await,
    }
}

/// One record for a batch path.
fn parsed<T: DeserializeOwned>(value: Value) -> Vec<(usize, Result<T, RecordError>)> {
    vec![(0, parse(value))]
}

/// A batch path's answer for one record.
fn one((_, refused): (u64, Vec<(usize, RecordError)>)) -> Result<(), RecordError> {
    refused
        .into_iter()
        .next()
        .map_or(Ok(()), |(_, error)| Err(error))
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<T, RecordError> {
    serde_json::from_value(value)
        .map_err(|err| super::record::invalid("invalid_record", err.to_string()))
}

/// Applies a batch in one transaction; refused records are listed, the rest stored, and
/// `after` told what was written before the transaction commits (crediting).
pub async fn apply_batch(
    db: &DatabaseConnection,
    kind: Kind,
    records: Vec<Value>,
    now: DateTime<Utc>,
    after: &dyn AfterBatch,
) -> Result<IngestAnswer, DbErr> {
    let txn = begin_write(db).await?;
    let mut effects = BatchEffects::default();
    let mut answer = IngestAnswer::default();
    let ids: Vec<Option<String>> = records
        .iter()
        .map(|value| value.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    // Members, orders, shipments and events come by the million: a batch in a handful of
    // statements.
    fn all<T: DeserializeOwned>(records: Vec<Value>) -> Vec<(usize, Result<T, RecordError>)> {
        records
            .into_iter()
            .enumerate()
            .map(|(index, value)| (index, parse::<T>(value)))
            .collect()
    }
    let (accepted, mut refused) = match kind {
        Kind::Members => members::apply_many(&txn, all(records), now).await?,
        Kind::Orders => orders::apply_many(&txn, all(records), now, &mut effects).await?,
        Kind::Shipments => shipments::apply_many(&txn, all(records), now).await?,
        Kind::Events => behaviour::apply_many(&txn, all(records), now, &mut effects).await?,
        Kind::CouponGrants => grants::apply_many(&txn, all(records), now).await?,
        _ => {
            let mut accepted = 0;
            let mut rejected = Vec::new();
            for (index, value) in records.into_iter().enumerate() {
                match apply_record(&txn, kind, value, now, &mut effects).await {
                    Ok(()) => accepted += 1,
                    Err(RecordError::Database(err)) => return Err(err),
                    Err(error) => rejected.push((index, error)),
                }
            }
            (accepted, rejected)
        }
    };
    answer.accepted = accepted;
    refused.sort_by_key(|(index, _)| *index);
    for (index, error) in refused {
        let (code, message) = match error {
            RecordError::Invalid { code, message } => (code.to_owned(), message),
            RecordError::Database(err) => return Err(err),
        };
        answer.rejected.push(IngestRejection {
            index,
            id: ids.get(index).cloned().flatten(),
            code,
            message,
        });
    }
    after.written(&txn, effects).await?;
    txn.commit().await?;
    Ok(answer)
}
