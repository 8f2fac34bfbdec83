//! What the guide sees: the sidebar page's files, and the guide-facing API. Every endpoint
//! here takes the guide from the session (`auth::Guide`) and reads only customers that guide
//! follows or followed (`directory::scope`); the data comes from `commerce` and `directory`.

pub mod assets;
pub mod customer_orders;
pub mod customer_tags;
pub mod my_customers;
pub(crate) mod order_credit;
pub(crate) mod performance;
pub mod profile;
pub mod send_tabs;
pub mod sending;
pub mod share_outcome;

use crate::route_table::RouteTable;

pub use assets::SidebarAssets;

/// The guide-facing API's routes.
pub fn routes(table: &mut RouteTable) {
    table
        .get("/api/v1/customers", |r| r.to(my_customers::my_customers))
        .get("/api/v1/customers/{external_userid}/profile", |r| {
            r.to(profile::customer_profile)
        })
        .get("/api/v1/customers/{external_userid}/orders", |r| {
            r.to(customer_orders::customer_orders)
        })
        .get("/api/v1/customers/{external_userid}/timeline", |r| {
            r.to(customer_orders::customer_timeline)
        })
        .post("/api/v1/customers/{external_userid}/tags", |r| {
            r.to(customer_tags::add_tags)
        })
        .delete("/api/v1/customers/{external_userid}/tags", |r| {
            r.to(customer_tags::remove_tags)
        })
        .get("/api/v1/orders/{id}", |r| {
            r.to(customer_orders::order_detail)
        })
        .get("/api/v1/orders/{id}/credit", |r| {
            r.to(order_credit::order_credit)
        })
        .get("/api/v1/reports/mine", |r| r.to(performance::my_report))
        .get("/api/v1/reports/{breakdown}", |r| {
            r.to(performance::breakdown_report)
        })
        .get("/api/v1/customers/{external_userid}/coupons", |r| {
            r.to(send_tabs::coupons_for_customer)
        })
        .get("/api/v1/chats/{chat_id}/coupons", |r| {
            r.to(send_tabs::coupons_for_chat)
        })
        .get("/api/v1/products", |r| r.to(send_tabs::products))
        .get("/api/v1/materials", |r| r.to(send_tabs::materials))
        .post("/api/v1/shares", |r| r.to(sending::create_share))
        .get("/api/v1/tags", |r| r.to(customer_tags::catalogue))
        .post("/api/v1/shares/{token}/sent", |r| {
            r.to(share_outcome::share_sent)
        })
        .post("/api/v1/shares/{token}/cancel", |r| {
            r.to(share_outcome::share_cancelled)
        });
}
