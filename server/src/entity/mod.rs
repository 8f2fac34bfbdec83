//! sea-orm entities, one file per table (the schema itself lives in `migrations`).

pub mod behaviour_event;
pub mod callback_inbox;
pub mod coupon_grant;
pub mod coupon_template;
pub mod coupon_template_store;
pub mod customer;
pub mod customer_transfer;
pub mod follow_history;
pub mod guide;
pub mod guide_customer;
pub mod guide_customer_tag;
pub mod member;
pub mod member_customer;
pub mod order;
pub mod order_item;
pub mod product;
pub mod product_sku;
pub mod product_store;
pub mod shipment;
pub mod shipment_event;
pub mod staff_assignment;
pub mod store;
pub mod sync_run;
pub mod tag;
pub mod tag_group;
pub mod wecom_sync_queue;
