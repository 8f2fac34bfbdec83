//! A report as the API answers it: the summary added up by guide, store, region or day over
//! a period, each row named, with the total of the rows.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use shared::report::{Figures, Report, ReportRow};

use super::audience::Breakdown;
use super::figures::{By, Reach, Summed, add_figures, sum_up};
use crate::entity::{guide, store};

/// Days from `from` to `to`, both included, as `YYYY-MM-DD` (China's calendar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Longest period one report covers.
const MAX_DAYS: i64 = 400;

impl Period {
    /// The month of `day`.
    pub fn month_of(day: NaiveDate) -> Self {
        let from = day.with_day(1).unwrap_or(day);
        let next = from.checked_add_months(Months::new(1)).unwrap_or(from);
        Self {
            from,
            to: next.pred_opt().unwrap_or(from),
        }
    }

    /// The month before this period's first day.
    pub fn month_before(&self) -> Self {
        Self::month_of(self.from.pred_opt().unwrap_or(self.from))
    }

    /// `month=YYYY-MM`, or `from`/`to` days, or (none given) the month of `today`.
    pub fn asked(
        month: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, String> {
        if let Some(month) = month {
            let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                .map_err(|_| format!("month `{month}` is not YYYY-MM"))?;
            return Ok(Self::month_of(first));
        }
        let day = |text: Option<&str>, default: NaiveDate| match text {
            None => Ok(default),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("`{text}` is not a day (YYYY-MM-DD)")),
        };
        let month = Self::month_of(today);
        let period = Self {
            from: day(from, month.from)?,
            to: day(to, month.to)?,
        };
        if period.to < period.from {
            return Err("`to` is before `from`".into());
        }
        if (period.to - period.from).num_days() >= MAX_DAYS {
            return Err(format!("a report covers at most {MAX_DAYS} days"));
        }
        Ok(period)
    }

    pub fn from_text(&self) -> String {
        self.from.format("%Y-%m-%d").to_string()
    }

    pub fn to_text(&self) -> String {
        self.to.format("%Y-%m-%d").to_string()
    }
}

/// What a report is asked for, its reach already decided by the reader's audience.
pub struct Asked<'a> {
    pub breakdown: Breakdown,
    pub reach: Reach,
    pub period: &'a Period,
    /// Stores and regions: only this region.
    pub region: Option<&'a str>,
    pub commission_bp: i64,
}

pub async fn report(db: &impl ConnectionTrait, asked: Asked<'_>) -> Result<Report, DbErr> {
    let by = match asked.breakdown {
        Breakdown::Guides => By::Guide,
        Breakdown::Stores | Breakdown::Regions => By::Store,
        Breakdown::Days => By::Day,
    };
    let (from, to) = (asked.period.from_text(), asked.period.to_text());
    let sums = sum_up(db, by, asked.reach, &from, &to).await?;
    let bp = asked.commission_bp;
    let mut rows = match asked.breakdown {
        Breakdown::Guides => guide_rows(db, sums, bp).await?,
        Breakdown::Stores => store_rows(db, sums, asked.region, bp).await?,
        Breakdown::Regions => region_rows(db, sums, asked.region, bp).await?,
        Breakdown::Days => sums
            .iter()
            .map(|s| row(s.day.clone(), s.day.clone(), s, bp, false))
            .collect(),
    };
    if asked.breakdown == Breakdown::Days {
        rows.sort_by(|a, b| a.key.cmp(&b.key));
    } else {
        rows.sort_by(|a, b| {
            b.figures
                .net_fen
                .cmp(&a.figures.net_fen)
                .then(a.key.cmp(&b.key))
        });
    }
    let mut total = Figures::default();
    rows.iter()
        .for_each(|r| add_figures(&mut total, &r.figures));
    Ok(Report {
        by: asked.breakdown.as_str().into(),
        from,
        to,
        rows,
        total,
    })
}

fn row(key: String, name: String, sums: &Summed, bp: i64, share: bool) -> ReportRow {
    ReportRow {
        key,
        name,
        figures: sums.figures(bp),
        private_share_bp: if share { sums.private_share_bp() } else { None },
    }
}

async fn guide_rows(
    db: &impl ConnectionTrait,
    sums: Vec<Summed>,
    bp: i64,
) -> Result<Vec<ReportRow>, DbErr> {
    let ids: Vec<i64> = sums.iter().map(|s| s.guide_id).collect();
    let names: HashMap<i64, String> = guide::Entity::find()
        .filter(guide::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    Ok(sums
        .iter()
        .map(|s| {
            let name = names.get(&s.guide_id).cloned();
            let name = name.unwrap_or_else(|| "门店（未归属导购）".into());
            row(s.guide_id.to_string(), name, s, bp, false)
        })
        .collect())
}

/// The stores of the sums: id → (name, region).
async fn stores_of(
    db: &impl ConnectionTrait,
    sums: &[Summed],
) -> Result<HashMap<i64, (String, Option<String>)>, DbErr> {
    let ids: Vec<i64> = sums.iter().map(|s| s.store_id).collect();
    Ok(store::Entity::find()
        .filter(store::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, (s.name, s.region)))
        .collect())
}

const NO_STORE: &str = "无门店";
const NO_REGION: &str = "未分区";

/// A store's name and region, as the reports name them.
fn place(stores: &HashMap<i64, (String, Option<String>)>, store: i64) -> (String, String) {
    match stores.get(&store) {
        Some((name, region)) => (name.clone(), region.clone().unwrap_or(NO_REGION.into())),
        None => (NO_STORE.into(), NO_REGION.into()),
    }
}

async fn store_rows(
    db: &impl ConnectionTrait,
    sums: Vec<Summed>,
    region: Option<&str>,
    bp: i64,
) -> Result<Vec<ReportRow>, DbErr> {
    let stores = stores_of(db, &sums).await?;
    Ok(sums
        .iter()
        .filter_map(|s| {
            let (name, in_region) = place(&stores, s.store_id);
            region
                .is_none_or(|wanted| wanted == in_region)
                .then(|| row(s.store_id.to_string(), name, s, bp, true))
        })
        .collect())
}

/// Each region's figures are its stores' rows added up (each store's commission rounded on
/// its own); its private share is over the stores' sums.
async fn region_rows(
    db: &impl ConnectionTrait,
    sums: Vec<Summed>,
    region: Option<&str>,
    bp: i64,
) -> Result<Vec<ReportRow>, DbErr> {
    let stores = stores_of(db, &sums).await?;
    let mut regions: BTreeMap<String, (Figures, Summed)> = BTreeMap::new();
    for s in &sums {
        let (_, name) = place(&stores, s.store_id);
        if region.is_some_and(|wanted| wanted != name) {
            continue;
        }
        let (figures, added) = regions.entry(name).or_default();
        add_figures(figures, &s.figures(bp));
        added.absorb(s);
    }
    Ok(regions
        .into_iter()
        .map(|(name, (figures, added))| ReportRow {
            key: name.clone(),
            name,
            figures,
            private_share_bp: added.private_share_bp(),
        })
        .collect())
}
