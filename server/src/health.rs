//! `/healthz` answers "the process is alive"; `/readyz` answers "it can do its work", naming
//! whichever dependency is not reachable so an operator knows where to look.

use std::future::Future;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use shared::{Health, Readiness, ReadinessCheck};

use sea_orm::DatabaseConnection;

use crate::cache::Cache;
use crate::database;

/// A dependency that has not answered within this time counts as down: a load balancer
/// probing `/readyz` must get an answer quickly, whatever state the database is in.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[utoipa::path(get, path = "/healthz", tag = "operations",
    description = "The process is alive (for a liveness probe); reads nothing.",
    responses((status = 200, description = "Alive, with the version", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    description = "The database and the cache answer within 2 s each (for a readiness probe).",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready: `checks` names what is down", body = Readiness),
    ))]
pub async fn readyz(
    db: web::Data<DatabaseConnection>,
    cache: web::Data<dyn Cache>,
) -> HttpResponse {
    let (database, cache) = tokio::join!(
        check("database", database::ping(&db)),
        check("cache", cache.ping()),
    );
    let checks = vec![database, cache];
    let ready = checks.iter().all(|c| c.ok);
    let mut response = if ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Readiness { ready, checks })
}

async fn check<E: std::fmt::Display>(
    name: &str,
    probe: impl Future<Output = Result<(), E>>,
) -> ReadinessCheck {
    let error = match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Ok(Ok(())) => None,
        Ok(Err(err)) => {
            tracing::warn!(dependency = name, error = %err, "readiness check failed");
            Some(format!("{name} unreachable"))
        }
        Err(_) => {
            tracing::warn!(dependency = name, "readiness check timed out");
            Some(format!(
                "{name} did not answer within {}s",
                CHECK_TIMEOUT.as_secs()
            ))
        }
    };
    ReadinessCheck {
        name: name.into(),
        ok: error.is_none(),
        error,
    }
}
