//! How a departed guide's handover stands, customer by customer.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::super::find_guide;
use crate::entity::{customer, customer_transfer, guide};

use super::TransferError;

/// One customer's transfer, for `guidedesk transfer --from X --report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLine {
    pub external_userid: String,
    pub customer_name: String,
    pub takeover: Option<String>,
    pub status: String,
    pub fail_reason: Option<String>,
}

/// Every customer transfer away from `from`, failures (from any source, `transfer_fail`
/// callbacks included) with their reason.
pub async fn transfer_report(
    db: &DatabaseConnection,
    from: &str,
) -> Result<Vec<TransferLine>, TransferError> {
    let handover = find_guide(db, from)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(from.to_owned()))?;
    let rows = customer_transfer::Entity::find()
        .filter(customer_transfer::Column::HandoverGuideId.eq(handover.id))
        .order_by_asc(customer_transfer::Column::Id)
        .all(db)
        .await?;
    let customers: BTreeMap<i64, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(rows.iter().map(|r| r.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let takeovers: BTreeMap<i64, String> = guide::Entity::find()
        .filter(guide::Column::Id.is_in(rows.iter().filter_map(|r| r.takeover_guide_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.wecom_userid))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let customer = customers.get(&row.customer_id);
            TransferLine {
                external_userid: customer
                    .map(|c| c.external_userid.clone())
                    .unwrap_or_default(),
                customer_name: customer.map(|c| c.name.clone()).unwrap_or_default(),
                takeover: row
                    .takeover_guide_id
                    .and_then(|id| takeovers.get(&id).cloned()),
                status: row.status,
                fail_reason: row.fail_reason,
            }
        })
        .collect())
}
