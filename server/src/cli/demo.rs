//! The demo's commands: `demo seed` (a believable brand) and `wecom-sim` (the WeCom
//! simulator). Compiled only with the `demo` feature: the production build has neither.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Settings;
use crate::database;

#[derive(Debug, Subcommand)]
pub(super) enum DemoCommand {
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
    /// Demo data: a believable brand for trying GuideDesk and for benchmarks.
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum DemoAction {
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

pub(super) async fn run(settings: Settings, command: DemoCommand) -> anyhow::Result<()> {
    match command {
        DemoCommand::WecomSim {
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
        DemoCommand::Demo {
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
