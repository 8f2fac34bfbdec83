//! What the guide sees: the sidebar page's files, and the guide-facing API. Every endpoint
//! here takes the guide from the session (`auth::Guide`) and reads only customers that guide
//! follows or followed (`scope`).

pub mod assets;
pub mod cursor;
pub mod my_customers;
pub mod orders;
pub mod profile;
pub mod scope;
pub mod tags;
pub mod timeline;

use actix_web::web;
use chrono::{DateTime, SecondsFormat, Utc};

pub use assets::SidebarAssets;

/// Times on the wire: RFC 3339 in UTC, to the second (the page shows local time).
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The guide-facing API's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/customers",
        web::get().to(my_customers::my_customers),
    )
    .route(
        "/api/v1/customers/{external_userid}/profile",
        web::get().to(profile::customer_profile),
    )
    .route(
        "/api/v1/customers/{external_userid}/orders",
        web::get().to(orders::customer_orders),
    )
    .route(
        "/api/v1/customers/{external_userid}/timeline",
        web::get().to(timeline::customer_timeline),
    )
    .service(
        web::resource("/api/v1/customers/{external_userid}/tags")
            .route(web::post().to(tags::add_tags))
            .route(web::delete().to(tags::remove_tags)),
    )
    .route("/api/v1/orders/{id}", web::get().to(orders::order_detail))
    .route("/api/v1/tags", web::get().to(tags::catalogue));
}
