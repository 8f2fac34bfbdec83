//! Every route of the server, and how malformed requests are answered.

use actix_web::middleware::from_fn;
use actix_web::{App, web};

use crate::error::AppError;
use crate::route_table::{ListedRoute, RouteTable};
use crate::{api_doc, auth, commerce, health, inbox, limits, monitoring, shares, sidebar};

/// Registers every route and answers what it registered (`listed_routes`).
pub(super) fn routes(cfg: &mut web::ServiceConfig) -> Vec<ListedRoute> {
    let mut table = RouteTable::new(cfg);
    // The demo brand's product images and mall: only in a build with the `demo` feature.
    #[cfg(feature = "demo")]
    crate::demo::routes(&mut table);
    table
        .get("/healthz", |r| r.to(health::healthz))
        .get("/readyz", |r| r.to(health::readyz))
        .get("/metrics", |r| r.to(monitoring::scrape::metrics_text))
        .get("/wecom/callback", |r| r.to(inbox::verify_callback_url))
        .post("/wecom/callback", |r| {
            r.to(inbox::receive_callback)
                .wrap(from_fn(limits::shed_callbacks))
        })
        .get("/auth/wecom/start", |r| {
            r.to(auth::start_oauth).wrap(from_fn(limits::limit_door))
        })
        .post("/api/v1/session", |r| {
            r.to(auth::sign_in).wrap(from_fn(limits::limit_door))
        })
        .get("/api/v1/session", |r| {
            r.to(auth::current_session)
                .wrap(from_fn(limits::limit_door))
        })
        .delete("/api/v1/session", |r| {
            r.to(auth::sign_out).wrap(from_fn(limits::limit_door))
        })
        .get("/api/v1/jssdk/config", |r| r.to(auth::jssdk_config))
        .get("/s/{token}", |r| {
            r.to(shares::open_share).wrap(from_fn(limits::limit_door))
        })
        .head("/s/{token}", |r| {
            r.to(shares::open_share).wrap(from_fn(limits::limit_door))
        })
        .post("/api/v1/ingest/{kind}", |r| r.to(commerce::ingest::receive))
        .get("/sidebar", |r| r.to(sidebar::assets::redirect_to_index))
        .get("/sidebar/{path:.*}", |r| r.to(sidebar::assets::serve_asset))
        .head("/sidebar/{path:.*}", |r| r.to(sidebar::assets::serve_asset));
    sidebar::routes(&mut table);
    api_doc::routes(&mut table);
    table.fallback(web::to(unknown_route));
    table.into_listed()
}

/// Every route the server answers, as `routes` registers them: what the API description
/// must cover.
pub fn listed_routes() -> Vec<ListedRoute> {
    let mut listed = Vec::new();
    let _app = App::new().configure(|cfg| listed = routes(cfg));
    listed
}

async fn unknown_route() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Malformed JSON, query strings and path segments answer with our `{code, message}` body,
/// like every other error, instead of actix's plain-text defaults.
pub(super) fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _| {
                AppError::BadRequest {
                    code: "invalid_json",
                    message: format!("请求内容无效：{err}"),
                }
                .into()
            }),
    )
    .app_data(web::QueryConfig::default().error_handler(|err, _| {
        AppError::BadRequest {
            code: "invalid_query",
            message: format!("请求参数无效：{err}"),
        }
        .into()
    }))
    .app_data(web::PathConfig::default().error_handler(|err, _| {
        AppError::BadRequest {
            code: "invalid_path",
            message: format!("请求路径无效：{err}"),
        }
        .into()
    }));
}
