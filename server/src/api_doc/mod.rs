//! The API description: an OpenAPI 3.1 document that utoipa builds from the handlers' own
//! annotations and types (`document`), served at `/api/openapi.json`, with Swagger UI to
//! read it at `/api/docs/` (`page`). A test compares it with every route the server
//! registers (`app::listed_routes`), so an undescribed route fails CI.

mod document;
mod page;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

pub use document::{ApiDocument, document};

use crate::route_table::RouteTable;

pub fn routes(table: &mut RouteTable) {
    table
        .get("/api/openapi.json", |r| r.to(openapi_json))
        .get("/api/docs", |r| r.to(page::redirect_to_page))
        .get("/api/docs/{file:.*}", |r| r.to(page::page_file));
}

/// `GET /api/openapi.json`
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    description = "This document.",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
pub async fn openapi_json(document: web::Data<ApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .content_type("application/json")
        .body(document.json.clone())
}
