//! Shipments of an order with their tracking timeline (replaced with each newer version).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryTrait};
use serde::Deserialize;

use super::record::{
    ROWS_PER_STATEMENT, RecordError, Versioned, WrittenRows, check_all, check_id, check_one_of,
    check_text, delete_children, newer_wins, newest_versions, resolve, unknown_reference,
    upsert_returning,
};
use crate::entity::{order, shipment, shipment_event};

pub const STATUSES: &[&str] = &[
    "pending",
    "shipped",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "returned",
];

/// `shipments`: a parcel of an order and its tracking events.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    /// The order's source id.
    pub order_id: String,
    /// The carrier's code (`SF`, `ZTO`, `YTO`, `JD`, `EMS`, …) and its name (顺丰速运).
    pub carrier_code: String,
    pub carrier_name: String,
    pub tracking_no: String,
    pub status: String,
    #[serde(default)]
    pub shipped_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub events: Vec<TrackingEventRecord>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingEventRecord {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    pub description: String,
}

/// Everything about a shipment that needs no database.
fn check(record: &ShipmentRecord) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_text("carrier_code", &record.carrier_code, 32)?;
    check_text("carrier_name", &record.carrier_name, 64)?;
    check_text("tracking_no", &record.tracking_no, 64)?;
    check_one_of("status", &record.status, STATUSES)?;
    for (index, event) in record.events.iter().enumerate() {
        check_text(
            &format!("events[{index}].description"),
            &event.description,
            500,
        )?;
    }
    Ok(())
}

/// Shipments in a handful of statements per batch, as orders are: their orders resolved in
/// one query, the shipments upserted in one statement returning those written (a version not
/// newer than the stored one is not), and those shipments' timelines replaced.
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<ShipmentRecord, RecordError>)>,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<(usize, RecordError)>), DbErr> {
    let (checked, mut refused) = check_all(records, |index, record| {
        check(&record).map(|()| (index, record))
    })?;
    let orders = resolve::<order::Entity>(
        db,
        order::Column::SourceId,
        checked.iter().map(|(_, record)| record.order_id.clone()),
    )
    .await?;
    let mut resolved = Vec::with_capacity(checked.len());
    for (index, record) in checked {
        match orders.get(&record.order_id) {
            Some(&order_id) => resolved.push((order_id, record)),
            None => refused.push((index, unknown_reference("order_id", &record.order_id))),
        }
    }
    let accepted = resolved.len() as u64;
    let shipments = newest_versions(resolved);
    let written = upsert_shipments(db, &shipments, now).await?;
    if written.ids.is_empty() {
        return Ok((accepted, refused));
    }
    replace_timelines(db, &shipments, &written).await?;
    Ok((accepted, refused))
}

impl Versioned for ShipmentRecord {
    fn source_id(&self) -> &str {
        &self.id
    }

    fn version(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

async fn upsert_shipments(
    db: &impl ConnectionTrait,
    shipments: &[(i64, ShipmentRecord)],
    now: DateTime<Utc>,
) -> Result<WrittenRows, DbErr> {
    let mut written = WrittenRows::default();
    for chunk in shipments.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|(order_id, record)| shipment::ActiveModel {
                source_id: Set(record.id.clone()),
                order_id: Set(*order_id),
                carrier_code: Set(record.carrier_code.clone()),
                carrier_name: Set(record.carrier_name.clone()),
                tracking_no: Set(record.tracking_no.clone()),
                status: Set(record.status.clone()),
                shipped_at: Set(record.shipped_at),
                delivered_at: Set(record.delivered_at),
                source_updated_at: Set(record.updated_at),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        let on_conflict = newer_wins::<shipment::Entity>(
            shipment::Column::SourceId,
            shipment::Column::SourceUpdatedAt,
            UPDATED_COLUMNS,
        );
        let insert = shipment::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .into_query();
        written.add(upsert_returning(db, insert).await?);
    }
    Ok(written)
}

/// The written shipments' timelines are those of the version just written.
async fn replace_timelines(
    db: &impl ConnectionTrait,
    shipments: &[(i64, ShipmentRecord)],
    written: &WrittenRows,
) -> Result<(), DbErr> {
    delete_children::<shipment_event::Entity>(
        db,
        shipment_event::Column::ShipmentId,
        &written.updated,
    )
    .await?;
    let events: Vec<shipment_event::ActiveModel> = shipments
        .iter()
        .filter_map(|(_, record)| written.ids.get(&record.id).map(|id| (*id, record)))
        .flat_map(|(shipment_id, record)| {
            record
                .events
                .iter()
                .map(move |event| shipment_event::ActiveModel {
                    shipment_id: Set(shipment_id),
                    happened_at: Set(event.at),
                    location: Set(event.location.clone()),
                    description: Set(event.description.clone()),
                    ..Default::default()
                })
        })
        .collect();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        shipment_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// What a newer version of a shipment replaces.
const UPDATED_COLUMNS: [shipment::Column; 9] = [
    shipment::Column::OrderId,
    shipment::Column::CarrierCode,
    shipment::Column::CarrierName,
    shipment::Column::TrackingNo,
    shipment::Column::Status,
    shipment::Column::ShippedAt,
    shipment::Column::DeliveredAt,
    shipment::Column::SourceUpdatedAt,
    shipment::Column::UpdatedAt,
];
