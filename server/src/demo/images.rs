//! `GET /demo/images/{id}.svg`: the demo products' pictures, drawn by the server from the
//! product range (a brand's real images live on its own CDN and come in `image_url`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::catalogue;
use crate::error::AppError;

/// Where a demo product's image is served (relative: the sidebar is on the same origin).
pub fn url(product_id: &str) -> String {
    format!("/demo/images/{product_id}.svg")
}

/// The demo's routes, which the server mounts only in a build with the `demo` feature.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/demo/images/{name}", web::get().to(product_image))
        .route(
            "/demo/mall/{kind}/{id}",
            web::get().to(super::demo_mall::mall_page),
        )
        .route(
            "/demo/mall/{kind}/{id}/{action}",
            web::post().to(super::demo_mall::mall_action),
        );
}

pub async fn product_image(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let svg = name
        .strip_suffix(".svg")
        .and_then(catalogue::product_image)
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
        // The drawing of an id never changes.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(svg))
}
