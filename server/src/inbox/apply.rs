//! What each callback event does to guides, customers and their relations. Every effect is
//! idempotent (see `directory`), so a row processed twice changes nothing the second time.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

use crate::directory::{self, Added, LostBy, StaffUpdate, SyncKind};
use crate::wecom::events::{CallbackEvent, ContactChange, ExternalContactChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Recognised (or not) but nothing to do: chats, messages, unknown events.
    Ignored,
}

/// WeCom's CreateTime as a moment; a missing one (0) counts as now.
fn event_time(create_time: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    if create_time > 0 {
        DateTime::from_timestamp(create_time, 0).unwrap_or(now)
    } else {
        now
    }
}

pub async fn apply_event(
    db: &impl ConnectionTrait,
    event: &CallbackEvent,
    now: DateTime<Utc>,
) -> Result<Outcome, DbErr> {
    match event {
        CallbackEvent::ExternalContact(change) => {
            apply_contact_change(db, change, now).await?;
            Ok(Outcome::Applied)
        }
        CallbackEvent::ExternalTag(_) => {
            directory::queue_sync(db, SyncKind::TagCatalogue, "", "change_external_tag", now)
                .await?;
            Ok(Outcome::Applied)
        }
        CallbackEvent::Contact(
            ContactChange::UserCreated(staff) | ContactChange::UserUpdated(staff),
        ) => {
            let update = StaffUpdate {
                userid: &staff.user_id,
                new_userid: staff.new_user_id.as_deref(),
                name: staff.name.as_deref(),
                department: staff.department.as_deref(),
                position: staff.position.as_deref(),
                status: staff.status,
            };
            directory::upsert_staff(db, update, event_time(staff.create_time, now), now).await?;
            Ok(Outcome::Applied)
        }
        CallbackEvent::Contact(ContactChange::UserDeleted {
            user_id,
            create_time,
        }) => {
            directory::resign_guide(db, user_id, event_time(*create_time, now), now).await?;
            Ok(Outcome::Applied)
        }
        CallbackEvent::ExternalChat(_) | CallbackEvent::Message(_) | CallbackEvent::Unknown(_) => {
            Ok(Outcome::Ignored)
        }
    }
}

async fn apply_contact_change(
    db: &impl ConnectionTrait,
    change: &ExternalContactChange,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (user_id, external_user_id) = change.parties();
    match change {
        ExternalContactChange::Added {
            state,
            welcome_code,
            create_time,
            ..
        } => {
            let (guide, customer) = relation_ends(db, user_id, external_user_id, now).await?;
            let added = Added {
                at: event_time(*create_time, now),
                state: state.as_deref(),
                welcome_code: welcome_code.as_deref(),
            };
            directory::record_added(db, guide, customer, added, now).await?;
            Ok(())
        }
        ExternalContactChange::Edited { .. } => {
            relation_ends(db, user_id, external_user_id, now).await?;
            let reason = "edit_external_contact";
            directory::queue_sync(db, SyncKind::Contact, external_user_id, reason, now).await
        }
        ExternalContactChange::DeletedByGuide {
            by_transfer,
            create_time,
            ..
        } => {
            let by = if *by_transfer {
                LostBy::Transfer
            } else {
                LostBy::Guide
            };
            record_lost(db, (user_id, external_user_id), by, *create_time, now).await
        }
        ExternalContactChange::DeletedByCustomer { create_time, .. } => {
            let by = LostBy::Customer;
            record_lost(db, (user_id, external_user_id), by, *create_time, now).await
        }
        ExternalContactChange::TransferFailed { reason, .. } => {
            directory::record_transfer_failed(db, user_id, external_user_id, reason, now).await
        }
    }
}

/// The relation ended, as one of its ends tells.
async fn record_lost(
    db: &impl ConnectionTrait,
    (user_id, external_user_id): (&str, &str),
    by: LostBy,
    create_time: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (guide, customer) = relation_ends(db, user_id, external_user_id, now).await?;
    let at = event_time(create_time, now);
    directory::record_lost(db, guide, customer, by, at, now).await
}

/// The guide's and the customer's local ids, each made if this is the first word of them.
async fn relation_ends(
    db: &impl ConnectionTrait,
    user_id: &str,
    external_user_id: &str,
    now: DateTime<Utc>,
) -> Result<(i64, i64), DbErr> {
    let guide = directory::ensure_guide(db, user_id, now).await?;
    let customer = directory::ensure_customer(db, external_user_id, now).await?;
    Ok((guide.id, customer.id))
}
