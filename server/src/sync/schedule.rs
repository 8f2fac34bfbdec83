//! The server's own syncing: the queue callbacks fill, drained every minute, and the full
//! contacts reconciliation once a night. With several replicas, one cache lock per night
//! (Redis) lets only one of them run it.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use sea_orm::DatabaseConnection;

use super::{ContactSyncSummary, Pacer, SyncError, SyncOptions, drain_queue, sync_contacts};
use crate::cache::{CacheError, SharedCache};
use crate::progress::ShowProgress;
use crate::wecom::client::WecomClient;

/// China Standard Time: the brands' stores keep it, and it has no daylight saving.
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The next moment the clock in China shows `at`, after `now`.
pub fn next_run(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let local = now.with_timezone(&china_time());
    let today = local.date_naive().and_time(at);
    let candidate = china_time()
        .from_local_datetime(&today)
        .single()
        .map_or(now, |t| t.with_timezone(&Utc));
    if candidate > now {
        candidate
    } else {
        candidate + chrono::Duration::days(1)
    }
}

/// Drains the queue every `every`, for as long as the server runs.
pub async fn drain_queue_periodically(db: DatabaseConnection, wecom: WecomClient, every: Duration) {
    let mut pacer = Pacer::new(SyncOptions::default().calls_per_sec);
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match drain_queue(&db, &wecom, &mut pacer).await {
            Ok(counts) if counts == Default::default() => {}
            Ok(counts) => tracing::info!(
                applied = counts.applied,
                gone = counts.gone,
                failed = counts.failed,
                "sync queue drained"
            ),
            Err(err) => tracing::warn!(error = %err, "draining the sync queue failed"),
        }
    }
}

/// Runs the contacts reconciliation every night at `at` (China time).
pub async fn reconcile_nightly(
    db: DatabaseConnection,
    wecom: WecomClient,
    cache: SharedCache,
    at: NaiveTime,
) {
    loop {
        let next = next_run(Utc::now(), at);
        let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tracing::info!(next = %next, "next contacts reconciliation");
        tokio::time::sleep(wait).await;
        let night = next.with_timezone(&china_time()).date_naive();
        match reconcile_tonight(&db, &wecom, &cache, night).await {
            Tonight::Ran(summary) => tracing::info!(
                run = summary.run_id,
                guides = summary.guides,
                contacts = summary.contacts_seen,
                lost = summary.relations_lost,
                "contacts reconciliation finished"
            ),
            Tonight::TakenByAnotherReplica => {}
            Tonight::NoLock(err) => {
                tracing::warn!(error = %err, "cannot take the nightly sync lock; skipping tonight");
            }
            Tonight::Failed(SyncError::AlreadyRunning { run_id }) => tracing::info!(
                run_id,
                "a contacts sync was already running; tonight's skipped"
            ),
            Tonight::Failed(err) => {
                tracing::error!(error = %err, "contacts reconciliation failed; the next run resumes it")
            }
        }
    }
}

/// How one night's reconciliation went on this replica.
#[derive(Debug)]
pub enum Tonight {
    Ran(ContactSyncSummary),
    /// Another replica took the night's lock first.
    TakenByAnotherReplica,
    NoLock(CacheError),
    Failed(SyncError),
}

/// One replica per night: the first to take the night's lock runs it (the others return
/// `TakenByAnotherReplica`); a sync already running (by hand) is refused by the database.
pub async fn reconcile_tonight(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    cache: &SharedCache,
    night: NaiveDate,
) -> Tonight {
    let lock = format!("sync:nightly:{night}");
    match cache
        .set_if_absent(&lock, "taken", Duration::from_secs(20 * 3600))
        .await
    {
        Ok(true) => {}
        Ok(false) => return Tonight::TakenByAnotherReplica,
        Err(err) => return Tonight::NoLock(err),
    }
    match sync_contacts(db, wecom, SyncOptions::default(), ShowProgress::Log).await {
        Ok(summary) => Tonight::Ran(summary),
        Err(err) => Tonight::Failed(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_next_run_is_the_next_time_the_clock_in_china_shows_it() {
        let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        // 02:00 in China (18:00 UTC the day before): an hour from now.
        assert_eq!(
            next_run(utc("2026-11-21T18:00:00Z"), three),
            utc("2026-11-21T19:00:00Z")
        );
        // 03:00 exactly has passed: tomorrow.
        assert_eq!(
            next_run(utc("2026-11-21T19:00:00Z"), three),
            utc("2026-11-22T19:00:00Z")
        );
        // Noon in China: tonight.
        assert_eq!(
            next_run(utc("2026-11-22T04:00:00Z"), three),
            utc("2026-11-22T19:00:00Z")
        );
    }
}
