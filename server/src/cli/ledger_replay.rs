//! `guidedesk attribution replay --from DATE [--policy VERSION] [--apply]`: recompute the
//! ledger of orders paid from DATE on under a policy version (the configured one by default),
//! printing what changes per guide and per store; written only with `--apply`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::attribution::{policy, replay::replay};
use crate::config::Settings;
use crate::database;
use crate::entity::{guide, store};

/// Recomputes the ledger from `from` on under `asked` (the configured policy by default).
pub(super) async fn replay_command(
    settings: Settings,
    from: &str,
    asked: Option<i32>,
    apply: bool,
) -> anyhow::Result<()> {
    let from = parse_from(from)?;
    let db = database::connect(&settings.database).await?;
    database::migrate(&db).await?;
    let (rules, version) = match asked {
        Some(version) => (
            policy::load(&db, version)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no policy version {version} is stored"))?,
            version,
        ),
        None => (
            settings.attribution.clone(),
            policy::register(&db, &settings.attribution).await?,
        ),
    };
    let report = replay(&db, &rules, version, from, apply).await?;
    println!(
        "{} orders of {} members paid since {}, under policy version {version}: {}",
        report.orders,
        report.members,
        from.to_rfc3339(),
        if report.applied {
            "applied"
        } else {
            "dry run, nothing written"
        }
    );
    let guides = names(&db, true).await?;
    let stores = names(&db, false).await?;
    print_changes("guide", &report.by_guide, &guides);
    print_changes("store", &report.by_store, &stores);
    Ok(())
}

/// A day in China (UTC+8) from its midnight, or an exact time.
fn parse_from(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        return Ok(midnight - chrono::Duration::hours(8));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| anyhow::anyhow!("--from {text:?}: not YYYY-MM-DD or an RFC 3339 time"))
}

async fn names(db: &DatabaseConnection, guides: bool) -> anyhow::Result<HashMap<i64, String>> {
    Ok(if guides {
        guide::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect()
    } else {
        store::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()
    })
}

/// Every guide or store whose credited amount changes: before, after and the difference, yuan.
fn print_changes(
    what: &str,
    sums: &std::collections::BTreeMap<Option<i64>, (i64, i64)>,
    names: &HashMap<i64, String>,
) {
    let changed: Vec<_> = sums.iter().filter(|(_, (b, a))| b != a).collect();
    if changed.is_empty() {
        println!("no {what}'s credit changes");
        return;
    }
    println!(
        "{:<28} {:>14} {:>14} {:>14}",
        what, "before", "after", "change"
    );
    for (id, (before, after)) in changed {
        let name = match id {
            Some(id) => format!("{} ({id})", names.get(id).map_or("?", String::as_str)),
            None => "(none)".into(),
        };
        println!(
            "{name:<28} {:>14} {:>14} {:>14}",
            yuan(*before),
            yuan(*after),
            format!(
                "{}{}",
                if after >= before { "+" } else { "" },
                yuan(after - before)
            )
        );
    }
}

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}
