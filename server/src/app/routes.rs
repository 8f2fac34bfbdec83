//! Every route of the server, and how malformed requests are answered.

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::error::AppError;
use crate::{auth, commerce, health, inbox, limits, monitoring, shares, sidebar};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    // The demo brand's product images: only in a build with the `demo` feature.
    #[cfg(feature = "demo")]
    cfg.configure(crate::demo::routes);
    cfg.route("/healthz", web::get().to(health::healthz))
        .service(
            web::resource("/wecom/callback")
                .route(web::get().to(inbox::verify_callback_url))
                .route(
                    web::post()
                        .to(inbox::receive_callback)
                        .wrap(from_fn(limits::shed_callbacks)),
                ),
        )
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(monitoring::scrape::metrics_text))
        .service(
            web::resource("/auth/wecom/start")
                .wrap(from_fn(limits::limit_door))
                .route(web::get().to(auth::start_oauth)),
        )
        .service(
            web::resource("/api/v1/session")
                .wrap(from_fn(limits::limit_door))
                .route(web::post().to(auth::sign_in))
                .route(web::get().to(auth::current_session))
                .route(web::delete().to(auth::sign_out)),
        )
        .route("/api/v1/jssdk/config", web::get().to(auth::jssdk_config))
        .service(
            web::resource("/s/{token}")
                .wrap(from_fn(limits::limit_door))
                .route(web::get().to(shares::open_share))
                .route(web::head().to(shares::open_share)),
        )
        .configure(sidebar::routes)
        .route(
            "/api/v1/ingest/{kind}",
            web::post().to(commerce::ingest::receive),
        )
        .route(
            "/sidebar",
            web::get().to(sidebar::assets::redirect_to_index),
        )
        .route(
            "/sidebar/{path:.*}",
            web::get().to(sidebar::assets::serve_asset),
        )
        .route(
            "/sidebar/{path:.*}",
            web::head().to(sidebar::assets::serve_asset),
        )
        .default_service(web::to(unknown_route));
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
