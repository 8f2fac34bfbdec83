//! What depends on who serves whom (a member's binding guide, the sales credited by it)
//! follows a change at once: the inbox worker and a transfer's results tell this hook which
//! customers' relations changed, in the transaction that changed them.

use sea_orm::{DatabaseTransaction, DbErr};

#[async_trait::async_trait]
pub trait RelationsChanged: Send + Sync {
    /// The relations of these customers (WeCom `external_userid`s) with guides changed.
    async fn changed(
        &self,
        txn: &DatabaseTransaction,
        external_userids: &[String],
    ) -> Result<(), DbErr>;
}

/// For tools that change relations where nothing depends on them.
pub struct NothingDepends;

#[async_trait::async_trait]
impl RelationsChanged for NothingDepends {
    async fn changed(&self, _: &DatabaseTransaction, _: &[String]) -> Result<(), DbErr> {
        Ok(())
    }
}
