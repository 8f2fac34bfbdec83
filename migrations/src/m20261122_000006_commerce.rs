//! What the brand's systems know about customers: stores' details, staff assignments, members
//! (linked to WeCom customers), orders with items, shipments with tracking events, products
//! with SKUs, coupon templates and grants, behaviour events. Money is integer fen everywhere.
//! Every row fed by a source keeps the source's id (unique) and its `updated_at`, so an upsert
//! is idempotent and an older update never overwrites a newer one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date_null, integer, string, string_null,
    string_uniq, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{
    add_columns, col, desc, drop_columns, drop_index, drop_tables, fk, index,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
    Address,
    Status,
    SourceUpdatedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    MobileHash,
}

#[derive(DeriveIden)]
enum StaffAssignments {
    Table,
    Id,
    SourceId,
    WecomUserid,
    StoreId,
    Role,
    Active,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    SourceId,
    Name,
    MobileHash,
    MobileLast4,
    Unionid,
    Level,
    Points,
    BalanceFen,
    HomeStoreId,
    RegisteredAt,
    Birthday,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MemberCustomers {
    Table,
    Id,
    MemberId,
    CustomerId,
    MatchedBy,
    MatchedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    SourceId,
    MemberId,
    Channel,
    StoreId,
    Status,
    TotalFen,
    DiscountFen,
    PaidFen,
    OrderedAt,
    PaidAt,
    CompletedAt,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    Id,
    OrderId,
    LineNo,
    Sku,
    ProductSourceId,
    Title,
    Quantity,
    PriceFen,
    AmountFen,
}

#[derive(DeriveIden)]
enum Shipments {
    Table,
    Id,
    SourceId,
    OrderId,
    CarrierCode,
    CarrierName,
    TrackingNo,
    Status,
    ShippedAt,
    DeliveredAt,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShipmentEvents {
    Table,
    Id,
    ShipmentId,
    HappenedAt,
    Location,
    Description,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    SourceId,
    Title,
    PriceFen,
    ImageUrl,
    OnSale,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductSkus {
    Table,
    Id,
    ProductId,
    Sku,
    Spec,
    PriceFen,
}

#[derive(DeriveIden)]
enum ProductStores {
    Table,
    Id,
    ProductId,
    StoreId,
}

#[derive(DeriveIden)]
enum CouponTemplates {
    Table,
    Id,
    SourceId,
    Name,
    Kind,
    /// Fen off (cash) or the price kept in per mille (discount: 850 = 85折).
    Value,
    ThresholdFen,
    ValidFrom,
    ValidTo,
    ValidDays,
    TotalStock,
    PerCustomerLimit,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CouponTemplateStores {
    Table,
    Id,
    TemplateId,
    StoreId,
}

#[derive(DeriveIden)]
enum CouponGrants {
    Table,
    Id,
    SourceId,
    TemplateId,
    MemberId,
    Status,
    IssuedAt,
    ExpiresAt,
    UsedAt,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BehaviourEvents {
    Table,
    Id,
    SourceId,
    MemberId,
    Kind,
    HappenedAt,
    Details,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        extend_stores_and_customers(manager).await?;
        create_staff(manager).await?;
        create_members(manager).await?;
        create_orders(manager).await?;
        create_shipments(manager).await?;
        create_products(manager).await?;
        create_coupons(manager).await?;
        create_behaviour(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                BehaviourEvents::Table.into_iden(),
                CouponGrants::Table.into_iden(),
                CouponTemplateStores::Table.into_iden(),
                CouponTemplates::Table.into_iden(),
                ProductStores::Table.into_iden(),
                ProductSkus::Table.into_iden(),
                Products::Table.into_iden(),
                ShipmentEvents::Table.into_iden(),
                Shipments::Table.into_iden(),
                OrderItems::Table.into_iden(),
                Orders::Table.into_iden(),
                MemberCustomers::Table.into_iden(),
                Members::Table.into_iden(),
                StaffAssignments::Table.into_iden(),
            ],
        )
        .await?;
        drop_index(manager, "idx_customers_mobile_hash", Customers::Table).await?;
        drop_columns(
            manager,
            Stores::Table,
            vec![
                Stores::SourceUpdatedAt.into_iden(),
                Stores::Status.into_iden(),
                Stores::Address.into_iden(),
            ],
        )
        .await?;
        drop_columns(
            manager,
            Customers::Table,
            vec![Customers::MobileHash.into_iden()],
        )
        .await
    }
}

/// The stores gain their details; customers the hash their mobile is matched by.
async fn extend_stores_and_customers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    add_columns(
        manager,
        Stores::Table,
        vec![
            string_null(Stores::Address),
            string(Stores::Status).default("open").to_owned(),
            timestamp_with_time_zone_null(Stores::SourceUpdatedAt),
        ],
    )
    .await?;
    add_columns(
        manager,
        Customers::Table,
        vec![string_null(Customers::MobileHash)],
    )
    .await?;
    index(
        manager,
        "idx_customers_mobile_hash",
        Customers::Table,
        vec![col(Customers::MobileHash)],
        false,
    )
    .await
}

/// Who works in which store.
async fn create_staff(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(StaffAssignments::Table)
                .col(big_pk_auto(StaffAssignments::Id))
                .col(string_uniq(StaffAssignments::SourceId))
                .col(string(StaffAssignments::WecomUserid))
                .col(big_integer(StaffAssignments::StoreId))
                // guide | manager
                .col(string(StaffAssignments::Role))
                .col(boolean(StaffAssignments::Active).default(true))
                .col(timestamp_with_time_zone(StaffAssignments::SourceUpdatedAt))
                .col(timestamp_with_time_zone(StaffAssignments::CreatedAt))
                .col(timestamp_with_time_zone(StaffAssignments::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_staff_store",
                    (StaffAssignments::Table, StaffAssignments::StoreId),
                    (Stores::Table, Stores::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_staff_userid",
        StaffAssignments::Table,
        vec![col(StaffAssignments::WecomUserid)],
        false,
    )
    .await?;
    index(
        manager,
        "idx_staff_store",
        StaffAssignments::Table,
        vec![col(StaffAssignments::StoreId)],
        false,
    )
    .await?;
    Ok(())
}

/// Members, and the one WeCom customer each is linked to.
async fn create_members(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Members::Table)
                .col(big_pk_auto(Members::Id))
                .col(string_uniq(Members::SourceId))
                .col(string(Members::Name))
                .col(string_null(Members::MobileHash))
                .col(string_null(Members::MobileLast4))
                .col(string_null(Members::Unionid))
                .col(string_null(Members::Level))
                .col(big_integer(Members::Points).default(0))
                .col(big_integer(Members::BalanceFen).default(0))
                .col(big_integer_null(Members::HomeStoreId))
                .col(timestamp_with_time_zone_null(Members::RegisteredAt))
                .col(date_null(Members::Birthday))
                .col(timestamp_with_time_zone(Members::SourceUpdatedAt))
                .col(timestamp_with_time_zone(Members::CreatedAt))
                .col(timestamp_with_time_zone(Members::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_members_home_store",
                    (Members::Table, Members::HomeStoreId),
                    (Stores::Table, Stores::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_members_unionid",
        Members::Table,
        vec![col(Members::Unionid)],
        false,
    )
    .await?;
    index(
        manager,
        "idx_members_mobile_hash",
        Members::Table,
        vec![col(Members::MobileHash)],
        false,
    )
    .await?;

    manager
        .create_table(
            Table::create()
                .table(MemberCustomers::Table)
                .col(big_pk_auto(MemberCustomers::Id))
                .col(big_integer(MemberCustomers::MemberId))
                .col(big_integer(MemberCustomers::CustomerId))
                // unionid | mobile | explicit
                .col(string(MemberCustomers::MatchedBy))
                .col(timestamp_with_time_zone(MemberCustomers::MatchedAt))
                .foreign_key(&mut fk(
                    "fk_member_customers_member",
                    (MemberCustomers::Table, MemberCustomers::MemberId),
                    (Members::Table, Members::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_member_customers_customer",
                    (MemberCustomers::Table, MemberCustomers::CustomerId),
                    (Customers::Table, Customers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    // One member per WeCom customer, one customer per member.
    index(
        manager,
        "uq_member_customers_member",
        MemberCustomers::Table,
        vec![col(MemberCustomers::MemberId)],
        true,
    )
    .await?;
    index(
        manager,
        "uq_member_customers_customer",
        MemberCustomers::Table,
        vec![col(MemberCustomers::CustomerId)],
        true,
    )
    .await?;
    Ok(())
}

/// Orders and their items.
async fn create_orders(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Orders::Table)
                .col(big_pk_auto(Orders::Id))
                .col(string_uniq(Orders::SourceId))
                .col(big_integer_null(Orders::MemberId))
                // online | offline | pos
                .col(string(Orders::Channel))
                .col(big_integer_null(Orders::StoreId))
                .col(string(Orders::Status))
                .col(big_integer(Orders::TotalFen))
                .col(big_integer(Orders::DiscountFen).default(0))
                .col(big_integer(Orders::PaidFen))
                .col(timestamp_with_time_zone(Orders::OrderedAt))
                .col(timestamp_with_time_zone_null(Orders::PaidAt))
                .col(timestamp_with_time_zone_null(Orders::CompletedAt))
                .col(timestamp_with_time_zone(Orders::SourceUpdatedAt))
                .col(timestamp_with_time_zone(Orders::CreatedAt))
                .col(timestamp_with_time_zone(Orders::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_orders_member",
                    (Orders::Table, Orders::MemberId),
                    (Members::Table, Members::Id),
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_orders_store",
                    (Orders::Table, Orders::StoreId),
                    (Stores::Table, Stores::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
    // A customer's recent orders (the sidebar's first read).
    index(
        manager,
        "idx_orders_member_recent",
        Orders::Table,
        vec![col(Orders::MemberId), desc(Orders::OrderedAt)],
        false,
    )
    .await?;

    manager
        .create_table(
            Table::create()
                .table(OrderItems::Table)
                .col(big_pk_auto(OrderItems::Id))
                .col(big_integer(OrderItems::OrderId))
                .col(integer(OrderItems::LineNo))
                .col(string(OrderItems::Sku))
                .col(string_null(OrderItems::ProductSourceId))
                .col(string(OrderItems::Title))
                .col(integer(OrderItems::Quantity))
                .col(big_integer(OrderItems::PriceFen))
                .col(big_integer(OrderItems::AmountFen))
                .foreign_key(&mut fk(
                    "fk_order_items_order",
                    (OrderItems::Table, OrderItems::OrderId),
                    (Orders::Table, Orders::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_order_items_order",
        OrderItems::Table,
        vec![col(OrderItems::OrderId)],
        false,
    )
    .await?;
    Ok(())
}

/// Parcels and their tracking events.
async fn create_shipments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Shipments::Table)
                .col(big_pk_auto(Shipments::Id))
                .col(string_uniq(Shipments::SourceId))
                .col(big_integer(Shipments::OrderId))
                .col(string(Shipments::CarrierCode))
                .col(string(Shipments::CarrierName))
                .col(string(Shipments::TrackingNo))
                .col(string(Shipments::Status))
                .col(timestamp_with_time_zone_null(Shipments::ShippedAt))
                .col(timestamp_with_time_zone_null(Shipments::DeliveredAt))
                .col(timestamp_with_time_zone(Shipments::SourceUpdatedAt))
                .col(timestamp_with_time_zone(Shipments::CreatedAt))
                .col(timestamp_with_time_zone(Shipments::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_shipments_order",
                    (Shipments::Table, Shipments::OrderId),
                    (Orders::Table, Orders::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    // An order's shipments.
    index(
        manager,
        "idx_shipments_order",
        Shipments::Table,
        vec![col(Shipments::OrderId)],
        false,
    )
    .await?;

    manager
        .create_table(
            Table::create()
                .table(ShipmentEvents::Table)
                .col(big_pk_auto(ShipmentEvents::Id))
                .col(big_integer(ShipmentEvents::ShipmentId))
                .col(timestamp_with_time_zone(ShipmentEvents::HappenedAt))
                .col(string_null(ShipmentEvents::Location))
                .col(text(ShipmentEvents::Description))
                .foreign_key(&mut fk(
                    "fk_shipment_events_shipment",
                    (ShipmentEvents::Table, ShipmentEvents::ShipmentId),
                    (Shipments::Table, Shipments::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "idx_shipment_events_timeline",
        ShipmentEvents::Table,
        vec![
            col(ShipmentEvents::ShipmentId),
            col(ShipmentEvents::HappenedAt),
        ],
        false,
    )
    .await?;
    Ok(())
}

/// Products, their SKUs and the stores that sell them.
async fn create_products(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Products::Table)
                .col(big_pk_auto(Products::Id))
                .col(string_uniq(Products::SourceId))
                .col(string(Products::Title))
                .col(big_integer(Products::PriceFen))
                .col(text_null(Products::ImageUrl))
                .col(boolean(Products::OnSale).default(true))
                .col(timestamp_with_time_zone(Products::SourceUpdatedAt))
                .col(timestamp_with_time_zone(Products::CreatedAt))
                .col(timestamp_with_time_zone(Products::UpdatedAt))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(ProductSkus::Table)
                .col(big_pk_auto(ProductSkus::Id))
                .col(big_integer(ProductSkus::ProductId))
                .col(string(ProductSkus::Sku))
                .col(string_null(ProductSkus::Spec))
                .col(big_integer(ProductSkus::PriceFen))
                .foreign_key(&mut fk(
                    "fk_product_skus_product",
                    (ProductSkus::Table, ProductSkus::ProductId),
                    (Products::Table, Products::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "uq_product_skus",
        ProductSkus::Table,
        vec![col(ProductSkus::ProductId), col(ProductSkus::Sku)],
        true,
    )
    .await?;
    manager
        .create_table(
            Table::create()
                .table(ProductStores::Table)
                .col(big_pk_auto(ProductStores::Id))
                .col(big_integer(ProductStores::ProductId))
                .col(big_integer(ProductStores::StoreId))
                .foreign_key(&mut fk(
                    "fk_product_stores_product",
                    (ProductStores::Table, ProductStores::ProductId),
                    (Products::Table, Products::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_product_stores_store",
                    (ProductStores::Table, ProductStores::StoreId),
                    (Stores::Table, Stores::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "uq_product_stores",
        ProductStores::Table,
        vec![col(ProductStores::ProductId), col(ProductStores::StoreId)],
        true,
    )
    .await?;
    // What a store may sell.
    index(
        manager,
        "idx_product_stores_store",
        ProductStores::Table,
        vec![col(ProductStores::StoreId)],
        false,
    )
    .await?;
    Ok(())
}

/// Coupon templates, the stores they apply in, and the coupons members hold.
async fn create_coupons(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CouponTemplates::Table)
                .col(big_pk_auto(CouponTemplates::Id))
                .col(string_uniq(CouponTemplates::SourceId))
                .col(string(CouponTemplates::Name))
                // cash | discount
                .col(string(CouponTemplates::Kind))
                .col(big_integer(CouponTemplates::Value))
                .col(big_integer(CouponTemplates::ThresholdFen).default(0))
                .col(timestamp_with_time_zone_null(CouponTemplates::ValidFrom))
                .col(timestamp_with_time_zone_null(CouponTemplates::ValidTo))
                .col(integer(CouponTemplates::ValidDays).default(0))
                .col(big_integer(CouponTemplates::TotalStock).default(0))
                .col(integer(CouponTemplates::PerCustomerLimit).default(1))
                .col(timestamp_with_time_zone(CouponTemplates::SourceUpdatedAt))
                .col(timestamp_with_time_zone(CouponTemplates::CreatedAt))
                .col(timestamp_with_time_zone(CouponTemplates::UpdatedAt))
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(CouponTemplateStores::Table)
                .col(big_pk_auto(CouponTemplateStores::Id))
                .col(big_integer(CouponTemplateStores::TemplateId))
                .col(big_integer(CouponTemplateStores::StoreId))
                .foreign_key(&mut fk(
                    "fk_coupon_template_stores_template",
                    (
                        CouponTemplateStores::Table,
                        CouponTemplateStores::TemplateId,
                    ),
                    (CouponTemplates::Table, CouponTemplates::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_coupon_template_stores_store",
                    (CouponTemplateStores::Table, CouponTemplateStores::StoreId),
                    (Stores::Table, Stores::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    index(
        manager,
        "uq_coupon_template_stores",
        CouponTemplateStores::Table,
        vec![
            col(CouponTemplateStores::TemplateId),
            col(CouponTemplateStores::StoreId),
        ],
        true,
    )
    .await?;

    manager
        .create_table(
            Table::create()
                .table(CouponGrants::Table)
                .col(big_pk_auto(CouponGrants::Id))
                .col(string_uniq(CouponGrants::SourceId))
                .col(big_integer(CouponGrants::TemplateId))
                .col(big_integer(CouponGrants::MemberId))
                // issued | claimed | used | expired
                .col(string(CouponGrants::Status))
                .col(timestamp_with_time_zone(CouponGrants::IssuedAt))
                .col(timestamp_with_time_zone_null(CouponGrants::ExpiresAt))
                .col(timestamp_with_time_zone_null(CouponGrants::UsedAt))
                .col(timestamp_with_time_zone(CouponGrants::SourceUpdatedAt))
                .col(timestamp_with_time_zone(CouponGrants::CreatedAt))
                .col(timestamp_with_time_zone(CouponGrants::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_coupon_grants_template",
                    (CouponGrants::Table, CouponGrants::TemplateId),
                    (CouponTemplates::Table, CouponTemplates::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_coupon_grants_member",
                    (CouponGrants::Table, CouponGrants::MemberId),
                    (Members::Table, Members::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    // A member's usable coupons.
    index(
        manager,
        "idx_coupon_grants_member_status",
        CouponGrants::Table,
        vec![
            col(CouponGrants::MemberId),
            col(CouponGrants::Status),
            col(CouponGrants::ExpiresAt),
        ],
        false,
    )
    .await?;
    Ok(())
}

/// What members do in the mall and the stores.
async fn create_behaviour(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(BehaviourEvents::Table)
                .col(big_pk_auto(BehaviourEvents::Id))
                .col(string_uniq(BehaviourEvents::SourceId))
                .col(big_integer(BehaviourEvents::MemberId))
                // browse_product | search | add_to_cart | claim_coupon | order | after_sale | switch_store
                .col(string(BehaviourEvents::Kind))
                .col(timestamp_with_time_zone(BehaviourEvents::HappenedAt))
                .col(text_null(BehaviourEvents::Details))
                .col(timestamp_with_time_zone(BehaviourEvents::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_behaviour_events_member",
                    (BehaviourEvents::Table, BehaviourEvents::MemberId),
                    (Members::Table, Members::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    // A customer's recent behaviour.
    index(
        manager,
        "idx_behaviour_events_member_recent",
        BehaviourEvents::Table,
        vec![
            col(BehaviourEvents::MemberId),
            desc(BehaviourEvents::HappenedAt),
        ],
        false,
    )
    .await?;
    Ok(())
}
