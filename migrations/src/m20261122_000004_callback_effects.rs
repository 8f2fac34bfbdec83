//! What applying WeCom's callbacks needs: a lease on inbox rows (so a row claimed by a server
//! that died is picked up again), the history of every follow relation, a queue of fetches
//! for the WeCom client to drain, customers awaiting transfer, and the staff fields that
//! change_contact events carry.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, integer, string, string_null, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{add_columns, col, drop_columns, drop_tables, fk, index};

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
        // SQLite alters one column per statement (`add_columns` sends one each).
        add_columns(
            manager,
            CallbackInbox::Table,
            vec![timestamp_with_time_zone_null(CallbackInbox::LockedUntil)],
        )
        .await?;
        add_columns(
            manager,
            Guides::Table,
            vec![
                string_null(Guides::Department),
                string_null(Guides::Position),
                timestamp_with_time_zone_null(Guides::ResignedAt),
                // WeCom's time of the last staff event applied: an older one arriving late
                // (or replayed) must not undo a newer one.
                timestamp_with_time_zone_null(Guides::LastEventAt),
            ],
        )
        .await?;
        add_columns(
            manager,
            GuideCustomers::Table,
            vec![string_null(GuideCustomers::WelcomeCode)],
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
                    .foreign_key(&mut fk(
                        "fk_follow_history_relation",
                        (FollowHistory::Table, FollowHistory::GuideCustomerId),
                        (GuideCustomers::Table, GuideCustomers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One entry per change and moment: applying the same event again adds nothing.
        index(
            manager,
            "uq_follow_history_change",
            FollowHistory::Table,
            vec![
                col(FollowHistory::GuideCustomerId),
                col(FollowHistory::Change),
                col(FollowHistory::HappenedAt),
            ],
            true,
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
        index(
            manager,
            "uq_wecom_sync_queue_target",
            WecomSyncQueue::Table,
            vec![col(WecomSyncQueue::Kind), col(WecomSyncQueue::Target)],
            true,
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
        index(
            manager,
            "uq_customer_transfers_pair",
            CustomerTransfers::Table,
            vec![
                col(CustomerTransfers::HandoverGuideId),
                col(CustomerTransfers::CustomerId),
            ],
            true,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                CustomerTransfers::Table.into_iden(),
                WecomSyncQueue::Table.into_iden(),
                FollowHistory::Table.into_iden(),
            ],
        )
        .await?;
        drop_columns(
            manager,
            GuideCustomers::Table,
            vec![GuideCustomers::WelcomeCode.into_iden()],
        )
        .await?;
        drop_columns(
            manager,
            Guides::Table,
            vec![
                Guides::LastEventAt.into_iden(),
                Guides::ResignedAt.into_iden(),
                Guides::Position.into_iden(),
                Guides::Department.into_iden(),
            ],
        )
        .await?;
        drop_columns(
            manager,
            CallbackInbox::Table,
            vec![CallbackInbox::LockedUntil.into_iden()],
        )
        .await
    }
}
