//! What applying WeCom's callbacks needs: a lease on inbox rows (so a row claimed by a server
//! that died is picked up again), the history of every follow relation, a queue of fetches
//! for the WeCom client to drain, customers awaiting transfer, and the staff fields that
//! change_contact events carry.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, integer, string, string_null, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CallbackInbox {
    Table,
    LockedUntil,
}

#[derive(DeriveIden)]
enum Guides {
    Table,
    Id,
    Department,
    Position,
    ResignedAt,
    LastEventAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum GuideCustomers {
    Table,
    Id,
    WelcomeCode,
}

#[derive(DeriveIden)]
enum FollowHistory {
    Table,
    Id,
    GuideCustomerId,
    Change,
    ChangedBy,
    State,
    HappenedAt,
    RecordedAt,
}

#[derive(DeriveIden)]
enum WecomSyncQueue {
    Table,
    Id,
    Kind,
    Target,
    Reason,
    Attempts,
    QueuedAt,
}

#[derive(DeriveIden)]
enum CustomerTransfers {
    Table,
    Id,
    HandoverGuideId,
    CustomerId,
    TakeoverGuideId,
    Status,
    Reason,
    FailReason,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(CallbackInbox::Table)
                    .add_column(timestamp_with_time_zone_null(CallbackInbox::LockedUntil))
                    .to_owned(),
            )
            .await?;
        for column in [
            string_null(Guides::Department),
            string_null(Guides::Position),
            timestamp_with_time_zone_null(Guides::ResignedAt),
            // WeCom's time of the last staff event applied: an older one arriving late
            // (or replayed) must not undo a newer one.
            timestamp_with_time_zone_null(Guides::LastEventAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Guides::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(GuideCustomers::Table)
                    .add_column(string_null(GuideCustomers::WelcomeCode))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FollowHistory::Table)
                    .col(big_pk_auto(FollowHistory::Id))
                    .col(big_integer(FollowHistory::GuideCustomerId))
                    // added | lost
                    .col(string(FollowHistory::Change))
                    // guide | customer | transfer (for lost); null for added
                    .col(string_null(FollowHistory::ChangedBy))
                    .col(string_null(FollowHistory::State))
                    // WeCom's CreateTime of the event, not when we processed it.
                    .col(timestamp_with_time_zone(FollowHistory::HappenedAt))
                    .col(timestamp_with_time_zone(FollowHistory::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_follow_history_relation")
                            .from(FollowHistory::Table, FollowHistory::GuideCustomerId)
                            .to(GuideCustomers::Table, GuideCustomers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One entry per change and moment: applying the same event again adds nothing.
        manager
            .create_index(
                Index::create()
                    .name("uq_follow_history_change")
                    .table(FollowHistory::Table)
                    .col(FollowHistory::GuideCustomerId)
                    .col(FollowHistory::Change)
                    .col(FollowHistory::HappenedAt)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WecomSyncQueue::Table)
                    .col(big_pk_auto(WecomSyncQueue::Id))
                    // contact | user | tag_catalogue
                    .col(string(WecomSyncQueue::Kind))
                    // external_userid, userid, or empty for the whole catalogue
                    .col(string(WecomSyncQueue::Target))
                    .col(text_null(WecomSyncQueue::Reason))
                    .col(integer(WecomSyncQueue::Attempts).default(0))
                    .col(timestamp_with_time_zone(WecomSyncQueue::QueuedAt))
                    .to_owned(),
            )
            .await?;
        // Queuing the same fetch twice keeps one entry.
        manager
            .create_index(
                Index::create()
                    .name("uq_wecom_sync_queue_target")
                    .table(WecomSyncQueue::Table)
                    .col(WecomSyncQueue::Kind)
                    .col(WecomSyncQueue::Target)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CustomerTransfers::Table)
                    .col(big_pk_auto(CustomerTransfers::Id))
                    .col(big_integer(CustomerTransfers::HandoverGuideId))
                    .col(big_integer(CustomerTransfers::CustomerId))
                    .col(big_integer_null(CustomerTransfers::TakeoverGuideId))
                    // awaiting | requested | done | failed
                    .col(string(CustomerTransfers::Status).default("awaiting"))
                    // resigned | reassigned
                    .col(string(CustomerTransfers::Reason))
                    .col(string_null(CustomerTransfers::FailReason))
                    .col(timestamp_with_time_zone(CustomerTransfers::CreatedAt))
                    .col(timestamp_with_time_zone(CustomerTransfers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_customer_transfers_handover")
                            .from(CustomerTransfers::Table, CustomerTransfers::HandoverGuideId)
                            .to(Guides::Table, Guides::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_customer_transfers_customer")
                            .from(CustomerTransfers::Table, CustomerTransfers::CustomerId)
                            .to(Customers::Table, Customers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_customer_transfers_pair")
                    .table(CustomerTransfers::Table)
                    .col(CustomerTransfers::HandoverGuideId)
                    .col(CustomerTransfers::CustomerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CustomerTransfers::Table.into_iden(),
            WecomSyncQueue::Table.into_iden(),
            FollowHistory::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(GuideCustomers::Table)
                    .drop_column(GuideCustomers::WelcomeCode)
                    .to_owned(),
            )
            .await?;
        for column in [
            Guides::LastEventAt,
            Guides::ResignedAt,
            Guides::Position,
            Guides::Department,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Guides::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(CallbackInbox::Table)
                    .drop_column(CallbackInbox::LockedUntil)
                    .to_owned(),
            )
            .await
    }
}
