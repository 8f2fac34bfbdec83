//! `GET /demo/images/{id}.svg`: the demo products' pictures, drawn by the server from the
//! product range (a brand's real images live on its own CDN and come in `image_url`).

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::catalogue;
use crate::error::AppError;
use crate::route_table::RouteTable;

/// Where a demo product's image is served (relative: the sidebar is on the same origin).
pub fn url(product_id: &str) -> String {
    format!("/demo/images/{product_id}.svg")
}

/// The demo's pages in the API description (merged in by the demo build's server).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        product_image,
        super::demo_mall::mall_page,
        super::demo_mall::mall_action,
    ),
    tags((name = "demo", description = "The demo brand's images and mall (not in a production build)."))
)]
pub struct DemoPages;

/// The demo's routes, which the server mounts only in a build with the `demo` feature.
pub fn routes(table: &mut RouteTable) {
    table
        .get("/demo/images/{name}", |r| r.to(product_image))
        .get("/demo/mall/{kind}/{id}", |r| {
            r.to(super::demo_mall::mall_page)
        })
        .post("/demo/mall/{kind}/{id}/{action}", |r| {
            r.to(super::demo_mall::mall_action)
        });
}

#[utoipa::path(get, path = "/demo/images/{name}", tag = "demo",
    description = "A demo product's picture (only in a build with the `demo` feature).",
    params(("name" = String, Path, description = "`{product id}.svg`")),
    responses(
        (status = 200, description = "The picture", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "`not_found`", body = shared::ApiError),
    ))]
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
