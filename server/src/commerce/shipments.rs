//! Shipments of an order with their tracking timeline (replaced with each newer version).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::record::{
    RecordError, check_id, check_one_of, check_text, id_by_source, require_ref, upsert_if_newer,
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
#[derive(Debug, Clone, Deserialize)]
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingEventRecord {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    pub description: String,
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: ShipmentRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
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
    let order_id = require_ref::<order::Entity, _>(
        db,
        order::Column::SourceId,
        "order_id",
        &record.order_id,
        |o| o.id,
    )
    .await?;
    let source_id = record.id.clone();
    let row = shipment::ActiveModel {
        source_id: Set(record.id),
        order_id: Set(order_id),
        carrier_code: Set(record.carrier_code),
        carrier_name: Set(record.carrier_name),
        tracking_no: Set(record.tracking_no),
        status: Set(record.status),
        shipped_at: Set(record.shipped_at),
        delivered_at: Set(record.delivered_at),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let written = upsert_if_newer::<shipment::Entity>(
        db,
        row,
        shipment::Column::SourceId,
        shipment::Column::SourceUpdatedAt,
        vec![
            shipment::Column::OrderId,
            shipment::Column::CarrierCode,
            shipment::Column::CarrierName,
            shipment::Column::TrackingNo,
            shipment::Column::Status,
            shipment::Column::ShippedAt,
            shipment::Column::DeliveredAt,
            shipment::Column::SourceUpdatedAt,
            shipment::Column::UpdatedAt,
        ],
    )
    .await?;
    if !written {
        return Ok(());
    }
    let Some(shipment_id) =
        id_by_source::<shipment::Entity, _>(db, shipment::Column::SourceId, &source_id, |s| s.id)
            .await?
    else {
        return Ok(());
    };
    shipment_event::Entity::delete_many()
        .filter(shipment_event::Column::ShipmentId.eq(shipment_id))
        .exec(db)
        .await?;
    if !record.events.is_empty() {
        let rows = record
            .events
            .into_iter()
            .map(|event| shipment_event::ActiveModel {
                shipment_id: Set(shipment_id),
                happened_at: Set(event.at),
                location: Set(event.location),
                description: Set(event.description),
                ..Default::default()
            });
        shipment_event::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
