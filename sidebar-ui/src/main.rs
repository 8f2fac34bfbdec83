//! GuideDesk sidebar: the page WeCom opens next to a customer's chat.

mod api;
mod app;
mod chat_customer;
mod clipboard;
mod context;
mod coupons_tab;
mod current_customer;
mod customer_picker;
mod customer_view;
mod dev_bridge;
mod format;
mod group_chat_view;
mod guide_session;
mod load_error;
mod materials_tab;
mod message_preview;
mod order_credit_why;
mod order_details;
mod order_row;
mod orders_tab;
mod paged;
mod parcel;
mod performance_panel;
mod products_tab;
mod profile_tab;
mod reading;
mod send_button;
mod service_status;
mod sign_in_prompt;
mod signed_in_guide;
mod skeleton;
mod tag_catalogue;
mod tag_editor;
mod timeline_tab;
mod wecom_bridge;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
