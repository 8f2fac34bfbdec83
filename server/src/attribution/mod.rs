//! Attribution: which guide a sale is credited to, and why. The mall reports events and
//! orders with the stamp of the link a guide sent; after each ingest batch (in its
//! transaction) the stamps are verified into touches (`touches`), the members' binding
//! guides rebuilt from the facts (`bindings`), and their paid orders credited (`credit`)
//! into the ledger (`ledger`), under the brand's policy version (`policy`).

pub mod binding_facts;
pub mod bindings;
pub mod credit;
pub mod ledger;
pub mod manual_binding;
pub mod policy;
pub mod reasons;
pub mod replay;
pub mod split;
pub mod touches;

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::commerce::stamped::{AfterBatch, BatchEffects};
use ledger::Scope;
use sea_orm::sea_query::LockType;

use crate::config::{AttributionPolicy, Settings, StampSettings};
use crate::directory::relation_hook::RelationsChanged;
use crate::entity::{customer, member, member_customer};

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
        let members: BTreeSet<i64> = effects
            .stamped
            .iter()
            .filter_map(|s| s.member_id)
            .chain(effects.orders.iter().filter_map(|(_, member)| *member))
            .collect();
        let members: Vec<i64> = members.into_iter().collect();
        take_members(txn, &members).await?;
        let touched =
            touches::record(txn, self.stamping.as_ref(), &effects.stamped, Utc::now()).await?;
        let (guests, ordered): (Vec<_>, Vec<_>) = effects
            .orders
            .iter()
            .partition(|(_, member)| member.is_none());
        let guests: Vec<i64> = guests.into_iter().map(|(id, _)| id).collect();
        let ordered: Vec<i64> = ordered.into_iter().map(|(id, _)| id).collect();
        let scope = Scope::Batch {
            orders: &ordered,
            touched: &touched,
        };
        ledger::credit_members(txn, &self.policy, self.version, &members, scope).await?;
        ledger::credit_guest_orders(txn, &self.policy, self.version, &guests).await
    }
}

/// On PostgreSQL, the members' rows locked in id order until the batch commits: two batches
/// (import runs three at once; the mall may post two) crediting one member take turns, and
/// the second reads what the first committed instead of writing over it. `FOR NO KEY UPDATE`,
/// not `FOR UPDATE`: each batch's order rows already hold a key-share lock on their member
/// (the foreign key), and `FOR UPDATE` waits for those, so two batches deadlocked. SQLite has
/// one writer at a time already.
pub(crate) async fn take_members(txn: &DatabaseTransaction, members: &[i64]) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for chunk in members.chunks(1000) {
        member::Entity::find()
            .select_only()
            .column(member::Column::Id)
            .filter(member::Column::Id.is_in(chunk.to_vec()))
            .order_by_asc(member::Column::Id)
            .lock(LockType::NoKeyUpdate)
            .into_tuple::<i64>()
            .all(txn)
            .await?;
    }
    Ok(())
}

/// A customer's relations with guides changed (a WeCom add, a deletion, a transfer done):
/// the bindings of the members linked to them are rebuilt, and their orders recredited.
#[async_trait::async_trait]
impl RelationsChanged for Attribution {
    async fn changed(
        &self,
        txn: &DatabaseTransaction,
        external_userids: &[String],
    ) -> Result<(), DbErr> {
        let members = members_of(txn, external_userids).await?;
        take_members(txn, &members).await?;
        let scope = Scope::All { since: None };
        ledger::credit_members(txn, &self.policy, self.version, &members, scope).await
    }
}

/// The members linked to these WeCom customers, in id order.
async fn members_of(
    txn: &DatabaseTransaction,
    external_userids: &[String],
) -> Result<Vec<i64>, DbErr> {
    let customers: Vec<i64> = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .filter(customer::Column::ExternalUserid.is_in(external_userids.to_vec()))
        .into_tuple::<i64>()
        .all(txn)
        .await?;
    let members: BTreeSet<i64> = member_customer::Entity::find()
        .select_only()
        .column(member_customer::Column::MemberId)
        .filter(member_customer::Column::CustomerId.is_in(customers))
        .into_tuple::<i64>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    Ok(members.into_iter().collect())
}
