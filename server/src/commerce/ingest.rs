//! `POST /api/v1/ingest/{kind}`: the brand's systems push records, signed (see
//! [`super::signature`]); each record is validated and upserted on its own, so one bad record
//! never fails the batch, and the batch is one transaction, so a database failure stores none
//! of it (and the sender's retry is harmless: every upsert is idempotent).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::{IngestAnswer, IngestRejection};

use super::record::RecordError;
use super::signature::{self, SignatureError};
use super::{behaviour, coupons, grants, members, orders, products, shipments, staff, stores};
use crate::database::begin_write;
use crate::error::AppError;
use crate::secret::Secret;

/// At most this many records per request.
pub const MAX_RECORDS: usize = 1000;
/// At most this many bytes per request (1,000 large orders fit).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

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
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Stores,
        Kind::Staff,
        Kind::Members,
        Kind::Orders,
        Kind::Shipments,
        Kind::Products,
        Kind::CouponTemplates,
        Kind::CouponGrants,
        Kind::Events,
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
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Validates and upserts one record of `kind`.
pub async fn apply_record(
    db: &impl ConnectionTrait,
    kind: Kind,
    value: Value,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    match kind {
        Kind::Stores => stores::apply(db, parse(value)?, now).await,
        Kind::Staff => staff::apply(db, parse(value)?, now).await,
        Kind::Members => one(members::apply_many(db, parsed(value), now).await?),
        Kind::Orders => orders::apply(db, parse(value)?, now).await,
        Kind::Shipments => one(shipments::apply_many(db, parsed(value), now).await?),
        Kind::Products => products::apply(db, parse(value)?, now).await,
        Kind::CouponTemplates => coupons::apply(db, parse(value)?, now).await,
        Kind::CouponGrants => one(grants::apply_many(db, parsed(value), now).await?),
        Kind::Events => one(behaviour::apply_many(db, parsed(value), now).await?),
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

/// Applies a batch in one transaction; refused records are listed, the rest stored.
pub async fn apply_batch(
    db: &DatabaseConnection,
    kind: Kind,
    records: Vec<Value>,
    now: DateTime<Utc>,
) -> Result<IngestAnswer, DbErr> {
    let txn = begin_write(db).await?;
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
        Kind::Orders => orders::apply_many(&txn, all(records), now).await?,
        Kind::Shipments => shipments::apply_many(&txn, all(records), now).await?,
        Kind::Events => behaviour::apply_many(&txn, all(records), now).await?,
        Kind::CouponGrants => grants::apply_many(&txn, all(records), now).await?,
        _ => {
            let mut accepted = 0;
            let mut rejected = Vec::new();
            for (index, value) in records.into_iter().enumerate() {
                match apply_record(&txn, kind, value, now).await {
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
    txn.commit().await?;
    Ok(answer)
}

/// The key the brand's systems sign ingest requests with (registered only when configured).
pub struct IngestSecret(pub Secret);

#[derive(serde::Deserialize)]
struct Batch {
    records: Vec<Value>,
}

/// `POST /api/v1/ingest/{kind}`.
pub async fn receive(
    db: web::Data<DatabaseConnection>,
    secret: Option<web::Data<IngestSecret>>,
    kind: web::Path<String>,
    request: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let kind = Kind::parse(&kind).ok_or_else(|| AppError::NotFound)?;
    let secret = secret
        .as_ref()
        .map(|secret| secret.get_ref())
        .ok_or(AppError::Unavailable {
            code: "ingest_not_configured",
            message: "ingest is not configured (GUIDEDESK_INGEST_SECRET)".into(),
        })?;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|err| AppError::bad_request(format!("cannot read the body: {err}")))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large(format!(
                "the body is over {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let now = Utc::now();
    signature::verify(
        secret.0.expose(),
        header("X-GuideDesk-Timestamp").as_deref(),
        header("X-GuideDesk-Signature").as_deref(),
        &body,
        now.timestamp(),
    )
    .map_err(|err| AppError::Unauthorized {
        code: match err {
            SignatureError::Missing => "signature_missing",
            SignatureError::BadTimestamp | SignatureError::Stale => "stale_timestamp",
            SignatureError::Mismatch => "invalid_signature",
        },
        message: err.to_string(),
    })?;
    let batch: Batch = serde_json::from_slice(&body).map_err(|err| AppError::BadRequest {
        code: "invalid_json",
        message: format!("the body is not {{\"records\": [...]}}: {err}"),
    })?;
    if batch.records.len() > MAX_RECORDS {
        return Err(too_large(format!(
            "{} records; at most {MAX_RECORDS} per request",
            batch.records.len()
        )));
    }
    let answer = apply_batch(&db, kind, batch.records, now).await?;
    tracing::info!(
        kind = kind.name(),
        accepted = answer.accepted,
        rejected = answer.rejected.len(),
        "ingested"
    );
    Ok(HttpResponse::Ok().json(answer))
}

fn too_large(message: String) -> AppError {
    AppError::PayloadTooLarge {
        code: "payload_too_large",
        message,
    }
}
