//! The `guidedesk` command line: `serve` and `migrate` (later: import, demo, sync, inbox).

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
    },
    /// Look at the WeCom callback inbox, or send a row round again.
    Inbox {
        #[command(subcommand)]
        action: InboxAction,
    },
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
            Command::WecomSim {
                listen,
                data,
                token_lifetime_secs,
            } => wecom_sim(&listen, data.as_deref(), token_lifetime_secs).await,
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
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let data = match data {
        Some(path) => crate::wecom_sim::SimulatorData::from_file(path)
            .with_context(|| format!("cannot read the simulator data {}", path.display()))?,
        None => crate::wecom_sim::SimulatorData::sample(),
    };
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
