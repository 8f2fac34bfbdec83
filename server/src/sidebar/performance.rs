//! `GET /api/v1/reports/mine` (the 业绩 tab) and `GET /api/v1/reports/{guides|stores|regions|
//! days}` (JSON, or CSV with `format=csv`): figures from the reports' summary, within what the
//! signed-in guide's audience may read (own, their store's as a manager, all as
//! headquarters).

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::auth::Guide;
use crate::commerce::staff::current_store;
use crate::config::ReportSettings;
use crate::error::AppError;
use crate::reports::audience::{Breakdown, audience_of};
use crate::reports::csv_export::csv_lines;
use crate::reports::my_month::{Reader, my_month};
use crate::reports::tables::{Asked, Period, report};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    month: Option<String>,
    from: Option<String>,
    to: Option<String>,
    store: Option<i64>,
    region: Option<String>,
    format: Option<String>,
}

fn period(query: &ReportQuery) -> Result<Period, AppError> {
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    Period::asked(
        query.month.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        today,
    )
    .map_err(|message| AppError::BadRequest {
        code: "bad_period",
        message,
    })
}

/// `GET /api/v1/reports/mine?month=YYYY-MM`
pub async fn my_report(
    db: web::Data<DatabaseConnection>,
    settings: web::Data<ReportSettings>,
    guide: Guide,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let month = Period::month_of(period(&query)?.from);
    let store = current_store(db, &guide.userid).await?;
    let reader = Reader {
        guide: guide.id,
        store,
        commission_bp: settings.commission_bp,
    };
    Ok(HttpResponse::Ok().json(my_month(db, &reader, &month).await?))
}

/// `GET /api/v1/reports/{breakdown}`
pub async fn breakdown_report(
    db: web::Data<DatabaseConnection>,
    settings: web::Data<ReportSettings>,
    guide: Guide,
    path: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let breakdown = Breakdown::parse(&path).ok_or(AppError::NotFound)?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(AppError::BadRequest {
                code: "bad_format",
                message: format!("format `{other}` is not json or csv"),
            });
        }
    };
    let period = period(&query)?;
    let audience = audience_of(
        db,
        &settings,
        guide.id,
        &guide.userid,
        guide.position.as_deref(),
    )
    .await?;
    let reach = audience
        .reach(breakdown, query.store)
        .map_err(|message| AppError::Forbidden {
            code: "report_not_yours",
            message: message.into(),
        })?;
    let asked = Asked {
        breakdown,
        reach,
        period: &period,
        region: query.region.as_deref(),
        commission_bp: settings.commission_bp,
    };
    let report = report(db, asked).await?;
    if !csv {
        return Ok(HttpResponse::Ok().json(report));
    }
    let lines = csv_lines(&report).map_err(|err| AppError::Internal(err.into()))?;
    let name = format!("guidedesk-{}-{}-{}.csv", report.by, report.from, report.to);
    let body = futures_util::stream::iter(
        lines
            .into_iter()
            .map(|line| Ok::<_, actix_web::Error>(web::Bytes::from(line))),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body))
}
