//! Keeping GuideDesk's mirror of WeCom: `sync` and `transfer`.

use clap::Subcommand;

use crate::config::Settings;
use crate::database;
use crate::progress::ShowProgress;

#[derive(Debug, Subcommand)]
pub(super) enum SyncAction {
    /// Every guide's external contacts, their relations and tags (and the tag catalogue
    /// first); then the fetches callbacks queued. An interrupted run resumes where it stopped.
    Contacts {
        /// Start over instead of resuming an unfinished run.
        #[arg(long)]
        restart: bool,
        /// WeCom calls per second, at most.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        rate: u32,
    },
    /// The corp tag catalogue (groups, tags, order, deleted).
    Tags,
    /// The last runs and what waits in the re-sync queue.
    Status,
}

pub(super) async fn sync(settings: Settings, action: SyncAction) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    if let SyncAction::Status = action {
        return sync_status(&db).await;
    }
    let cache = crate::cache::connect(&settings.cache).await?;
    let wecom = crate::app::required_wecom_client(&settings.wecom, &cache)?;
    match action {
        SyncAction::Tags => {
            let counts = crate::sync::sync_catalogue(&db, &wecom).await?;
            println!(
                "tag catalogue: {} groups, {} tags, {} no longer in WeCom (marked deleted)",
                counts.groups, counts.tags, counts.deleted
            );
        }
        SyncAction::Contacts { restart, rate } => {
            let started = std::time::Instant::now();
            let options = crate::sync::SyncOptions {
                calls_per_sec: rate,
                restart,
            };
            let summary =
                crate::sync::sync_contacts(&db, &wecom, options, ShowProgress::Auto).await?;
            println!(
                "contacts sync run {}{}: {} guides, {} contacts, {} relations no longer in WeCom \
                 (marked lost); queue: {} applied, {} gone, {} failed; {:.1} s",
                summary.run_id,
                if summary.resumed { " (resumed)" } else { "" },
                summary.guides,
                summary.contacts_seen,
                summary.relations_lost,
                summary.queue.applied,
                summary.queue.gone,
                summary.queue.failed,
                started.elapsed().as_secs_f64()
            );
        }
        SyncAction::Status => {}
    }
    Ok(())
}

pub(super) async fn transfer(
    settings: Settings,
    from: &str,
    to: Option<&str>,
) -> anyhow::Result<()> {
    use crate::directory::transfer::{check_results, request_transfer, transfer_report};
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    if let Some(to) = to {
        let cache = crate::cache::connect(&settings.cache).await?;
        let wecom = crate::app::required_wecom_client(&settings.wecom, &cache)?;
        let now = chrono::Utc::now();
        // Earlier requests first: what WeCom finished moves before anything is asked again.
        // A finished transfer moves the customers' bindings and recredits their orders.
        let attribution = crate::attribution::Attribution::start(&db, &settings).await?;
        let results = check_results(
            (&db, &attribution),
            &wecom,
            from,
            to,
            now,
            ShowProgress::Auto,
        )
        .await?;
        let summary = request_transfer(&db, &wecom, from, to, now, ShowProgress::Auto).await?;
        println!(
            "transfer {from} -> {to}: {} requested in {} call(s), {} refused, {} still waiting \
             from before; earlier requests: {} done, {} waiting, {} failed",
            summary.requested,
            summary.batches,
            summary.refused.len(),
            summary.already_requested,
            results.done,
            results.waiting,
            results.failed,
        );
        println!("WeCom completes a transfer about 24 h later; run this again to record it.");
    }
    let lines = transfer_report(&db, from).await?;
    if lines.is_empty() {
        println!("no customer transfers from {from}");
    }
    for line in lines {
        println!(
            "{:<24} {:<12} -> {:<16} {:<10}{}",
            line.external_userid,
            line.customer_name,
            line.takeover.as_deref().unwrap_or("-"),
            line.status,
            line.fail_reason
                .map(|reason| format!("  {reason}"))
                .unwrap_or_default(),
        );
    }
    Ok(())
}

pub(super) async fn sync_status(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    use crate::entity::{sync_run, wecom_sync_queue};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    let runs = sync_run::Entity::find()
        .order_by_desc(sync_run::Column::Id)
        .limit(10)
        .all(db)
        .await?;
    if runs.is_empty() {
        println!("no sync has run yet");
    }
    for run in runs {
        println!(
            "run {:>5}  {:<8} {:<7} {}/{} guides, {} contacts, started {}{}",
            run.id,
            run.kind,
            run.status,
            run.guides_done,
            run.guides_total,
            run.contacts_seen,
            run.started_at.format("%Y-%m-%d %H:%M:%S"),
            run.error.map(|e| format!("  ({e})")).unwrap_or_default(),
        );
    }
    let queued = wecom_sync_queue::Entity::find().count(db).await?;
    let parked = wecom_sync_queue::Entity::find()
        .filter(wecom_sync_queue::Column::Attempts.gte(crate::sync::MAX_QUEUE_ATTEMPTS))
        .count(db)
        .await?;
    println!("re-sync queue: {queued} waiting, of which {parked} parked after repeated failures");
    Ok(())
}
