//! Swagger UI, to read the document in a browser: its files come from the
//! `utoipa-swagger-ui` crate (carried in the binary), pointed at `/api/openapi.json`.

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::error::AppError;

static CONFIG: LazyLock<Arc<Config<'static>>> =
    LazyLock::new(|| Arc::new(Config::from("/api/openapi.json")));

/// `GET /api/docs` → `/api/docs/`, so the page's relative files resolve.
#[utoipa::path(get, path = "/api/docs", tag = "operations",
    responses((status = 308, description = "To `/api/docs/`", headers(("Location" = String)))))]
pub async fn redirect_to_page() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/api/docs/"))
        .finish()
}

/// `GET /api/docs/{file}`: the page (for an empty `file`) and its scripts and styles.
#[utoipa::path(get, path = "/api/docs/{file}", tag = "operations",
    description = "Swagger UI reading this document.",
    params(("file" = String, Path, description = "A file of the page; empty for the page itself")),
    responses(
        (status = 200, description = "The file", body = String, content_type = "text/html"),
        (status = 404, description = "`not_found`", body = shared::ApiError),
    ))]
pub async fn page_file(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let found = utoipa_swagger_ui::serve(&file, CONFIG.clone())
        .map_err(|err| anyhow::anyhow!("the API page cannot be served: {err}"))?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(found.content_type)
        .body(found.bytes.into_owned()))
}
