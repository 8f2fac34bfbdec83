//! Attribution: which guide a sale is credited to, and why. The mall reports events and
//! orders with the stamp of the link a guide sent; after each ingest batch (in its
//! transaction) the stamps are verified into touches (`touches`), the members' binding
//! guides rebuilt from the facts (`bindings`), and their paid orders credited (`credit`)
//! into the ledger (`ledger`), under the brand's policy version (`policy`).

pub mod bindings;
pub mod credit;
pub mod ledger;
pub mod policy;
pub mod reasons;
pub mod replay;
pub mod split;
pub mod touches;

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use crate::commerce::stamped::{AfterBatch, BatchEffects};
use crate::config::{AttributionPolicy, Settings, StampSettings};

/// Credits what each ingest batch wrote; one per server.
pub struct Attribution {
    pub stamping: Option<StampSettings>,
    pub policy: AttributionPolicy,
    /// The policy's stored version.
    pub version: i32,
}

impl Attribution {
    /// The configured policy, registered as a version if it is new.
    pub async fn start(db: &DatabaseConnection, settings: &Settings) -> Result<Self, DbErr> {
        let version = policy::register(db, &settings.attribution).await?;
        Ok(Self {
            stamping: settings.stamp.clone(),
            policy: settings.attribution.clone(),
            version,
        })
    }
}

#[async_trait::async_trait]
impl AfterBatch for Attribution {
    async fn written(&self, txn: &DatabaseTransaction, effects: BatchEffects) -> Result<(), DbErr> {
        if effects.stamped.is_empty() && effects.orders.is_empty() {
            return Ok(());
        }
        touches::record(txn, self.stamping.as_ref(), &effects.stamped, Utc::now()).await?;
        let members: BTreeSet<i64> = effects
            .stamped
            .iter()
            .filter_map(|s| s.member_id)
            .chain(effects.orders.iter().filter_map(|(_, member)| *member))
            .collect();
        let members: Vec<i64> = members.into_iter().collect();
        let guests: Vec<i64> = effects
            .orders
            .iter()
            .filter(|(_, member)| member.is_none())
            .map(|(id, _)| *id)
            .collect();
        ledger::credit_members(txn, &self.policy, self.version, &members, None).await?;
        ledger::credit_guest_orders(txn, &self.policy, self.version, &guests).await
    }
}
