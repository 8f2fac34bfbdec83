//! The `guidedesk` command line: `serve`, `migrate`, `inbox` and `import` (`operations`),
//! `sync` and `transfer` (`wecom_mirror`), `stamp verify` (`stamp`), and, in a build with the `demo` feature, `demo` and
//! `wecom-sim` (`demo`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "demo")]
mod demo;
mod hand_binding;
mod ledger_replay;
mod operations;
mod stamp;
mod wecom_mirror;

use hand_binding::bind_command;
use ledger_replay::replay_command;
use operations::{InboxAction, MigrateAction, import, inbox, migrate};
use stamp::{StampAction, stamp};
use wecom_mirror::{SyncAction, sync, transfer};

use crate::Application;
use crate::config::Settings;
use crate::log_lines::{LogFormat, install_logging};

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
        /// Load orders and events without crediting them (a history loaded once, then
        /// credited in one pass by `attribution replay --apply`).
        #[arg(long)]
        no_credit: bool,
    },
    /// Sales credit: recompute a period's ledger under a policy version, or bind a member to
    /// a guide by hand.
    Attribution {
        #[command(subcommand)]
        action: AttributionAction,
    },
    /// Check the stamp on a shared link: who sent it to whom, and whether it is genuine.
    Stamp {
        #[command(subcommand)]
        action: StampAction,
    },
    /// Mirror WeCom's members, external contacts and corp tags into GuideDesk.
    Sync {
        #[command(subcommand)]
        action: SyncAction,
    },
    /// `demo seed` and `wecom-sim`: only in a build with the `demo` feature.
    #[cfg(feature = "demo")]
    #[command(flatten)]
    Demo(demo::DemoCommand),
}

#[derive(Debug, Subcommand)]
enum AttributionAction {
    /// Recompute the ledger of a period; a dry run unless `--apply`.
    Replay {
        /// The first day (China time), `YYYY-MM-DD`, or an RFC 3339 time.
        #[arg(long)]
        from: String,
        /// The policy version to credit by (`attribution_policies`); default: the configured.
        #[arg(long)]
        policy: Option<i32>,
        /// Write the recomputed ledger (without it nothing is written).
        #[arg(long)]
        apply: bool,
    },
    /// Bind a member to a guide from now on, whatever the policy's lock (专属导购 by hand);
    /// their orders from now on are credited by the new binding.
    Bind {
        /// The mall's member id.
        #[arg(long)]
        member: String,
        /// The guide's WeCom userid.
        #[arg(long, value_name = "USERID")]
        guide: String,
        /// Why (kept with the binding, shown in its history).
        #[arg(long)]
        note: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging() {
        eprintln!("guidedesk: {err}");
        return ExitCode::from(2);
    }

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
    let outcome = runtime.block_on(run(settings, cli.command));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("guidedesk: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command to its end.
async fn run(settings: Settings, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings).await,
        Command::Migrate { action } => migrate(settings, action).await,
        Command::Inbox { action } => inbox(settings, action).await,
        Command::Sync { action } => sync(settings, action).await,
        Command::Stamp { action } => stamp(&settings, action),
        Command::Attribution { action } => match action {
            AttributionAction::Replay {
                from,
                policy,
                apply,
            } => replay_command(settings, &from, policy, apply).await,
            AttributionAction::Bind {
                member,
                guide,
                note,
            } => bind_command(settings, &member, &guide, &note).await,
        },
        Command::Import {
            kind,
            file,
            format,
            batch,
            no_credit,
        } => import(settings, &kind, &file, format.as_deref(), batch, !no_credit).await,
        Command::Transfer { from, to } => transfer(settings, &from, to.as_deref()).await,
        #[cfg(feature = "demo")]
        Command::Demo(command) => demo::run(settings, command).await,
    }
}

/// Logs go to stderr; `GUIDEDESK_LOG` (or `RUST_LOG`) sets the filter, default `info`;
/// `GUIDEDESK_LOG_FORMAT` `text` (default) or `json`.
fn init_logging() -> Result<(), String> {
    let filter = std::env::var("GUIDEDESK_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    let format = LogFormat::parse(std::env::var("GUIDEDESK_LOG_FORMAT").ok().as_deref())?;
    install_logging(format, &filter, std::io::stderr);
    Ok(())
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
