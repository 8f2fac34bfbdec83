//! What the brand's systems know about its customers, kept here so the sidebar answers from
//! local data: stores and staff, members (one customer whichever channel they buy in, linked
//! to the WeCom customer), orders, shipments, products, coupon templates and the coupons
//! members hold, and behaviour.
//!
//! Fed by the signed ingest API (`POST /api/v1/ingest/{kind}`) and bulk import, through the
//! same per-kind validation and idempotent, order-aware upserts: the same record twice changes
//! nothing, and an update older than what is stored never overwrites it.

pub mod behaviour;
pub mod columns;
pub mod coupons;
pub mod grants;
pub mod import;
pub mod ingest;
pub mod members;
pub mod orders;
pub mod products;
pub mod record;
pub mod shipments;
pub mod signature;
pub mod staff;
pub mod stores;
