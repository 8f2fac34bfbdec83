//! Running a deployment: its schema (`migrate`), the callback inbox (`inbox`) and bulk
//! loads (`import`).

use clap::Subcommand;
use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::MigrationStatus;

use crate::commerce::batch::Kind;
use crate::commerce::import::Format;
use crate::config::Settings;
use crate::database;

#[derive(Debug, Subcommand)]
pub(super) enum MigrateAction {
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

#[derive(Debug, Subcommand)]
pub(super) enum InboxAction {
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

pub(super) async fn migrate(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
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

pub(super) async fn import(
    settings: Settings,
    kind: &str,
    file: &std::path::Path,
    format: Option<&str>,
    batch: u32,
    credit: bool,
) -> anyhow::Result<()> {
    use crate::commerce::import::import_file;
    use crate::commerce::stamped::{AfterBatch, NothingAfter};
    use crate::progress::ShowProgress;
    let kind = Kind::parse(kind).ok_or_else(|| {
        let kinds: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
        anyhow::anyhow!("unknown kind `{kind}`; one of {}", kinds.join(", "))
    })?;
    let format = file_format(file, format)?;
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let attribution = crate::attribution::Attribution::start(&db, &settings).await?;
    let after: &dyn AfterBatch = if credit { &attribution } else { &NothingAfter };
    let summary = import_file(
        (&db, after),
        kind,
        file,
        format,
        batch as usize,
        ShowProgress::Auto,
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

/// `--format`, or the file's extension.
fn file_format(file: &std::path::Path, format: Option<&str>) -> anyhow::Result<Format> {
    Ok(match format {
        Some("csv") => Format::Csv,
        Some("jsonl" | "ndjson") => Format::JsonLines,
        Some(other) => anyhow::bail!("unknown format `{other}`: csv or jsonl"),
        None => Format::from_path(file).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the format of {} from its name: add --format csv|jsonl",
                file.display()
            )
        })?,
    })
}

pub(super) async fn inbox(settings: Settings, action: InboxAction) -> anyhow::Result<()> {
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
                        "applications": row.applications,
                        "claimed_by": row.claimed_by,
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
