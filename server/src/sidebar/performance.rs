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
use crate::error::SessionRefusals;
use crate::reports::audience::{Breakdown, audience_of};
use crate::reports::csv_export::csv_lines;
use crate::reports::my_month::{Reader, my_month};
use crate::reports::tables::{Asked, Period, report};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `YYYY-MM` (China time); this month when neither it nor `from`/`to` is given.
    month: Option<String>,
    /// First day, `YYYY-MM-DD`, with `to`.
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`, with `from`.
    to: Option<String>,
    /// One store only (a store manager's own; HQ any).
    store: Option<i64>,
    /// One region only.
    region: Option<String>,
    /// `json` (the default) or `csv` (UTF-8 with BOM, streamed).
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
#[utoipa::path(get, path = "/api/v1/reports/mine", tag = "sidebar",
    description = "The guide's month: figures, last month, rank in the store, days, credited orders.",
    params(ReportQuery),
    responses(
        (status = 200, description = "The month", body = shared::report::MyMonth),
        (status = 400, description = "`bad_period`, `invalid_query`", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
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
#[utoipa::path(get, path = "/api/v1/reports/{breakdown}", tag = "sidebar",
    description = "A period by guide, store, region or day. A guide sees their own row; a store manager their store; HQ all (roles from WeCom positions and configuration).",
    params(("breakdown" = String, Path, description = "`guides`, `stores`, `regions` or `days`"), ReportQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv` (UTF-8 with BOM)", content(
            (shared::report::Report = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`bad_period`, `bad_format`, `invalid_query`", body = shared::ApiError),
        (status = 404, description = "`not_found`: no such breakdown", body = shared::ApiError),
        (status = 401, description = "`not_signed_in`, `session_expired`", body = shared::ApiError),
        (status = 403, description = "`report_not_yours`: outside what this reader may see; `guide_disabled`, `guide_resigned`", body = shared::ApiError),
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
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
