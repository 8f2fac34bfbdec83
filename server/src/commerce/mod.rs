//! What the brand's systems know about its customers, kept here so the sidebar answers from
//! local data: stores and staff, members (one customer whichever channel they buy in, linked
//! to the WeCom customer), orders, shipments, products, coupon templates and the coupons
//! members hold, and behaviour.
//!
//! Read back for the guide's sidebar by `member_view` (the member, home store, mall tags,
//! usable coupons), `order_history` (orders and parcels) and `trail` (behaviour), paged by
//! `cursor`; which member a guide may read, `directory::scope` decides before.
//!
//! Fed by the signed ingest API (`POST /api/v1/ingest/{kind}`) and bulk import, through the
//! same per-kind validation and idempotent, order-aware upserts: the same record twice changes
//! nothing, and an update older than what is stored never overwrites it.

pub mod batch;
pub mod behaviour;
pub mod columns;
pub mod coupons;
pub mod cursor;
pub mod grants;
pub mod import;
pub mod ingest;
pub mod materials;
pub mod member_link;
pub mod member_view;
pub mod members;
pub mod order_history;
mod order_record;
pub mod order_writes;
pub mod orders;
pub mod products;
pub mod record;
pub mod sendable_products;
pub mod shipments;
pub mod signature;
pub mod staff;
pub mod stamped;
pub mod stores;
pub mod trail;
