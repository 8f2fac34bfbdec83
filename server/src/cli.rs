//! The `guidedesk` command line: `serve`, `migrate`, `inbox`, `sync`, `transfer`, `import`,
//! `demo` and `wecom-sim`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::MigrationStatus;

use crate::config::Settings;
use crate::{Application, database};

#[derive(Debug, Parser)]
#[command(
    name = "guidedesk",
    version,
    about = "GuideDesk 导购助手: the WeCom sidebar for shopping guides"
)]
pub struct Cli {
    /// A TOML configuration file; environment variables override its values.
    #[arg(long, global = true, env = "GUIDEDESK_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API and the sidebar until SIGTERM/SIGINT.
    Serve,
    /// Inspect or change the database schema by hand.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Run the WeCom simulator (the API GuideDesk uses, with a sample corp), for the demo
    /// and for trying GuideDesk without a WeCom account.
    WecomSim {
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: String,
        /// The corp to serve (JSON: corp_id, corp_secret, agent_id, members, contacts,
        /// tag_groups); the built-in sample corp when absent.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// How long the access tokens it issues live.
        #[arg(long, default_value_t = 7200)]
        token_lifetime_secs: u64,
        /// Where `POST /sim/push` delivers callbacks (GuideDesk's `/wecom/callback` URL).
        #[arg(long, value_name = "URL", requires_all = ["callback_token", "callback_aes_key"])]
        callback_url: Option<String>,
        /// The callback Token configured in GuideDesk (WECOM_CALLBACK_TOKEN).
        #[arg(long, value_name = "TOKEN")]
        callback_token: Option<String>,
        /// The EncodingAESKey configured in GuideDesk (WECOM_CALLBACK_AES_KEY).
        #[arg(long, value_name = "KEY")]
        callback_aes_key: Option<String>,
    },
    /// Look at the WeCom callback inbox, or send a row round again.
    Inbox {
        #[command(subcommand)]
        action: InboxAction,
    },
    /// Hand a departed guide's customers to another guide (WeCom's 离职继承), or show how
    /// the handover stands.
    Transfer {
        /// The departed guide's WeCom userid.
        #[arg(long, value_name = "USERID")]
        from: String,
        /// The guide who takes the customers over; without it, only the report is printed.
        #[arg(long, value_name = "USERID")]
        to: Option<String>,
    },
    /// Bulk-load records from a CSV or JSON Lines file (the ingest API's kinds and fields).
    /// Exits non-zero if any row was refused; safe to run again after an interruption.
    Import {
        /// stores, staff, members, orders, shipments, products, coupon-templates,
        /// coupon-grants or events.
        kind: String,
        file: PathBuf,
        /// `csv` or `jsonl`; by default from the file's extension.
        #[arg(long)]
        format: Option<String>,
        /// Records per transaction.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1000))]
        batch: u32,
    },
    /// Demo data: a believable brand for trying GuideDesk and for benchmarks.
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
    /// Mirror WeCom's members, external contacts and corp tags into GuideDesk.
    Sync {
        #[command(subcommand)]
        action: SyncAction,
    },
}

#[derive(Debug, Subcommand)]
enum DemoAction {
    /// Create a brand: stores across regions, guides, WeCom customers with tags, members,
    /// two years of orders with parcels, products, coupon templates and behaviour. The same
    /// seed (and last day) gives the same brand; running it again changes nothing.
    Seed {
        /// How many WeCom customers (members who never added a guide come on top, 12%).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        customers: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The last day of the history (YYYY-MM-DD, China time); yesterday by default: the
        /// history runs to 22:00 of its last day, and a demo seeded in the morning must not show
        /// customers added or orders placed later that day.
        #[arg(long, value_name = "DATE")]
        until: Option<chrono::NaiveDate>,
        /// Also write the WeCom simulator's data (its members, contacts and tags) here, for
        /// `guidedesk wecom-sim --data FILE`.
        #[arg(long, value_name = "FILE")]
        simulator_data: Option<PathBuf>,
        /// Leave a database that already holds a brand (stores, customers or members) as it is.
        #[arg(long)]
        if_empty: bool,
    },
}

#[derive(Debug, Subcommand)]
enum SyncAction {
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

#[derive(Debug, Subcommand)]
enum InboxAction {
    /// The newest rows first.
    List {
        #[arg(long, value_parser = ["pending", "processing", "done", "failed", "ignored"])]
        status: Option<String>,
        /// One JSON object per line, with the decrypted payload as `payload`.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Make a row due again (failed rows after a fix, say); effects are idempotent.
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply pending migrations (all, or the next N).
    Up {
        #[arg(long, value_name = "N")]
        steps: Option<u32>,
    },
    /// Roll back the last N applied migrations (default 1).
    Down {
        #[arg(long, value_name = "N", default_value_t = 1)]
        steps: u32,
    },
    /// List every migration and whether it is applied.
    Status,
    /// Drop every table and apply all migrations again. Destroys all data.
    Fresh {
        /// Required: confirms that all data may be destroyed.
        #[arg(long)]
        yes: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();

    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("guidedesk: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("guidedesk: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(settings).await,
            Command::Migrate { action } => migrate(settings, action).await,
            Command::Inbox { action } => inbox(settings, action).await,
            Command::Sync { action } => sync(settings, action).await,
            Command::Import {
                kind,
                file,
                format,
                batch,
            } => import(settings, &kind, &file, format.as_deref(), batch).await,
            Command::WecomSim {
                listen,
                data,
                token_lifetime_secs,
                callback_url,
                callback_token,
                callback_aes_key,
            } => {
                let callback = match (callback_url, callback_token, callback_aes_key) {
                    (Some(url), Some(token), Some(encoding_aes_key)) => {
                        Some(crate::wecom_sim::CallbackTarget {
                            url,
                            token,
                            encoding_aes_key,
                        })
                    }
                    _ => None,
                };
                wecom_sim(&listen, data.as_deref(), token_lifetime_secs, callback).await
            }
            Command::Transfer { from, to } => transfer(settings, &from, to.as_deref()).await,
            Command::Demo {
                action:
                    DemoAction::Seed {
                        customers,
                        seed,
                        until,
                        simulator_data,
                        if_empty,
                    },
            } => {
                let options = crate::demo::SeedOptions {
                    customers,
                    seed,
                    last_day: until.unwrap_or_else(crate::demo::calendar::yesterday),
                    simulator_data,
                    only_if_empty: if_empty,
                    progress: true,
                };
                demo_seed(settings, &options).await
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("guidedesk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `GUIDEDESK_LOG` (or `RUST_LOG`) sets the filter, default `info`.
fn init_logging() {
    let filter = std::env::var("GUIDEDESK_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let url = format!("{}/sidebar/", app.public_url());
    tracing::info!(port = app.port(), %url, "GuideDesk is listening");
    println!("GuideDesk 导购助手 is running: open {url}");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn wecom_sim(
    listen: &str,
    data: Option<&std::path::Path>,
    token_lifetime_secs: u64,
    callback: Option<crate::wecom_sim::CallbackTarget>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut data = match data {
        Some(path) => crate::wecom_sim::SimulatorData::from_file(path)
            .with_context(|| format!("cannot read the simulator data {}", path.display()))?,
        None => crate::wecom_sim::SimulatorData::sample(),
    };
    if callback.is_some() {
        data.callback = callback;
    }
    let corp = data.corp_id.clone();
    let simulator = crate::wecom_sim::WecomSimulator::start(
        listen,
        data,
        std::time::Duration::from_secs(token_lifetime_secs),
    )
    .with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "WeCom simulator for corp {corp} at {} (set WECOM_API_BASE to it)",
        simulator.base_url()
    );
    let handle = simulator.handle();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        handle.stop(true).await;
    });
    simulator.run().await?;
    Ok(())
}

async fn migrate(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    match action {
        MigrateAction::Up { steps } => Migrator::up(&db, steps).await?,
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
        MigrateAction::Fresh { yes: false } => {
            anyhow::bail!("`migrate fresh` destroys all data; add --yes to confirm")
        }
        MigrateAction::Fresh { yes: true } => Migrator::fresh(&db).await?,
        MigrateAction::Status => {}
    }
    for migration in Migrator::get_migration_with_status(&db).await? {
        let status = match migration.status() {
            MigrationStatus::Applied => "applied",
            MigrationStatus::Pending => "pending",
        };
        println!("{status:<8} {}", migration.name());
    }
    Ok(())
}

async fn demo_seed(settings: Settings, options: &crate::demo::SeedOptions) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let started = std::time::Instant::now();
    let summary = crate::demo::seed(&db, options).await?;
    if summary.skipped {
        println!("The database already holds a brand: not seeded (--if-empty).");
        return Ok(());
    }
    println!(
        "Seeded in {:.1} s (seed {}): {} stores, {} staff, {} tag groups with {} tags, {} products, \
         {} coupon templates, {} customers, {} members, {} orders, {} shipments, {} behaviour events, \
         {} coupons held.",
        started.elapsed().as_secs_f64(),
        options.seed,
        summary.stores,
        summary.staff,
        summary.tag_groups,
        summary.tags,
        summary.products,
        summary.coupon_templates,
        summary.customers,
        summary.members,
        summary.orders,
        summary.shipments,
        summary.events,
        summary.coupon_grants,
    );
    Ok(())
}

async fn import(
    settings: Settings,
    kind: &str,
    file: &std::path::Path,
    format: Option<&str>,
    batch: u32,
) -> anyhow::Result<()> {
    use crate::commerce::import::{Format, ProgressStyle, import_file};
    use crate::commerce::ingest::Kind;
    let kind = Kind::parse(kind).ok_or_else(|| {
        let kinds: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
        anyhow::anyhow!("unknown kind `{kind}`; one of {}", kinds.join(", "))
    })?;
    let format = match format {
        Some("csv") => Format::Csv,
        Some("jsonl" | "ndjson") => Format::JsonLines,
        Some(other) => anyhow::bail!("unknown format `{other}`: csv or jsonl"),
        None => Format::from_path(file).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the format of {} from its name: add --format csv|jsonl",
                file.display()
            )
        })?,
    };
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let summary = import_file(
        &db,
        kind,
        file,
        format,
        batch as usize,
        ProgressStyle::Auto,
        |bad| {
            eprintln!(
                "line {}{}: {} ({})",
                bad.line,
                bad.id
                    .as_deref()
                    .map(|id| format!(" [{id}]"))
                    .unwrap_or_default(),
                bad.message,
                bad.code
            );
        },
    )
    .await?;
    let secs = summary.elapsed.as_secs_f64();
    println!(
        "imported {} from {}: {} records, {} accepted, {} refused, in {secs:.1} s ({:.0} records/s)",
        kind.name(),
        file.display(),
        summary.records,
        summary.accepted,
        summary.rejected,
        summary.records as f64 / secs.max(0.001)
    );
    if summary.rejected > 0 {
        anyhow::bail!("{} rows were refused (listed above)", summary.rejected);
    }
    Ok(())
}

async fn sync(settings: Settings, action: SyncAction) -> anyhow::Result<()> {
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
            let mut progress = crate::sync::Progress::for_stderr();
            let options = crate::sync::SyncOptions {
                calls_per_sec: rate,
                restart,
            };
            let summary = crate::sync::sync_contacts(&db, &wecom, options, &mut progress).await?;
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

async fn transfer(settings: Settings, from: &str, to: Option<&str>) -> anyhow::Result<()> {
    use crate::directory::transfer::{check_results, request_transfer, transfer_report};
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    if let Some(to) = to {
        let cache = crate::cache::connect(&settings.cache).await?;
        let wecom = crate::app::required_wecom_client(&settings.wecom, &cache)?;
        let now = chrono::Utc::now();
        // Earlier requests first: what WeCom finished moves before anything is asked again.
        let results = check_results(&db, &wecom, from, to, now).await?;
        let summary = request_transfer(&db, &wecom, from, to, now).await?;
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

async fn sync_status(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
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

async fn inbox(settings: Settings, action: InboxAction) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    match action {
        InboxAction::List {
            status,
            json,
            limit,
        } => {
            let rows = crate::inbox::admin::list(&db, status.as_deref(), limit).await?;
            for row in rows {
                if json {
                    let line = serde_json::json!({
                        "id": row.id,
                        "status": row.status,
                        "event_kind": row.event_kind,
                        "attempts": row.attempts,
                        "last_error": row.last_error,
                        "received_at": row.received_at,
                        "next_attempt_at": row.next_attempt_at,
                        "processed_at": row.processed_at,
                        "payload": row.payload,
                    });
                    println!("{line}");
                } else {
                    println!(
                        "{:>8}  {:<10} {:>2}  {}  {}{}",
                        row.id,
                        row.status,
                        row.attempts,
                        row.received_at.format("%Y-%m-%d %H:%M:%S"),
                        row.event_kind.as_deref().unwrap_or("-"),
                        row.last_error
                            .map(|e| format!("  ({e})"))
                            .unwrap_or_default(),
                    );
                }
            }
        }
        InboxAction::Retry { id } => {
            crate::inbox::admin::retry(&db, id).await?;
            println!("inbox row {id} is due again");
        }
    }
    Ok(())
}
