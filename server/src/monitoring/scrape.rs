//! `GET /metrics`: the gauges that are read rather than counted (the inbox's backlog, the
//! database pool) brought up to date, then everything counted so far, as Prometheus text.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::MetricsHandle;
use crate::database::pool_figures;
use crate::error::AppError;
use crate::inbox::backlog;

/// Not found on the main address when `/metrics` has an address of its own.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    description = "Prometheus text format. `404` here when `GUIDEDESK_METRICS_LISTEN` serves it on \
        its own address.",
    responses(
        (status = 200, description = "The samples", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 404, description = "`not_found`: served on the metrics address instead", body = shared::ApiError),
    ))]
pub async fn metrics_text(
    handle: Option<web::Data<MetricsHandle>>,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, AppError> {
    let handle = handle.ok_or(AppError::NotFound)?;
    read_gauges(db.get_ref()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render()))
}

/// A server answering `GET /metrics` only, for an address that need not be public.
pub fn serve_apart(
    listener: TcpListener,
    handle: MetricsHandle,
    db: DatabaseConnection,
) -> std::io::Result<Server> {
    let handle = web::Data::new(handle);
    let db = web::Data::new(db);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(handle.clone())
            .app_data(db.clone())
            .route("/metrics", web::get().to(metrics_text))
    })
    .workers(1)
    .listen(listener)?
    .run())
}

async fn read_gauges(db: &DatabaseConnection) -> Result<(), AppError> {
    let inbox = backlog(db).await?;
    metrics::gauge!("guidedesk_inbox_waiting").set(inbox.waiting as f64);
    metrics::gauge!("guidedesk_inbox_failed").set(inbox.failed as f64);
    let oldest = inbox.oldest_waiting.map_or(0.0, |at| {
        (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0
    });
    metrics::gauge!("guidedesk_inbox_oldest_waiting_seconds").set(oldest);
    if let Some(pool) = pool_figures(db) {
        let in_use = pool.open.saturating_sub(pool.idle as u32);
        metrics::gauge!("guidedesk_db_pool_connections", "state" => "in_use").set(in_use);
        metrics::gauge!("guidedesk_db_pool_connections", "state" => "idle").set(pool.idle as f64);
        metrics::gauge!("guidedesk_db_pool_max_connections").set(pool.max);
    }
    Ok(())
}
