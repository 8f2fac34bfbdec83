//! What the guide sees: the sidebar page's files, and the guide-facing API. Every endpoint
//! here takes the guide from the session (`auth::Guide`) and reads only customers that guide
//! follows or followed (`directory::scope`); the data comes from `commerce` and `directory`.

pub mod assets;
pub mod customer_orders;
pub mod customer_tags;
pub mod my_customers;
mod order_credit;
mod performance;
pub mod profile;
pub mod send_tabs;
pub mod sending;
pub mod share_outcome;

use actix_web::web;

pub use assets::SidebarAssets;

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
        web::get().to(customer_orders::customer_orders),
    )
    .route(
        "/api/v1/customers/{external_userid}/timeline",
        web::get().to(customer_orders::customer_timeline),
    )
    .service(
        web::resource("/api/v1/customers/{external_userid}/tags")
            .route(web::post().to(customer_tags::add_tags))
            .route(web::delete().to(customer_tags::remove_tags)),
    )
    .route(
        "/api/v1/orders/{id}",
        web::get().to(customer_orders::order_detail),
    )
    .route(
        "/api/v1/orders/{id}/credit",
        web::get().to(order_credit::order_credit),
    )
    .route(
        "/api/v1/reports/mine",
        web::get().to(performance::my_report),
    )
    .route(
        "/api/v1/reports/{breakdown}",
        web::get().to(performance::breakdown_report),
    )
    .route(
        "/api/v1/customers/{external_userid}/coupons",
        web::get().to(send_tabs::coupons_for_customer),
    )
    .route(
        "/api/v1/chats/{chat_id}/coupons",
        web::get().to(send_tabs::coupons_for_chat),
    )
    .route("/api/v1/products", web::get().to(send_tabs::products))
    .route("/api/v1/materials", web::get().to(send_tabs::materials))
    .route("/api/v1/shares", web::post().to(sending::create_share))
    .route("/api/v1/tags", web::get().to(customer_tags::catalogue))
    .route(
        "/api/v1/shares/{token}/sent",
        web::post().to(share_outcome::share_sent),
    )
    .route(
        "/api/v1/shares/{token}/cancel",
        web::post().to(share_outcome::share_cancelled),
    );
}
