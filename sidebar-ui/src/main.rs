//! GuideDesk sidebar: the page WeCom opens next to a customer's chat.

mod api;
mod app;
mod clipboard;
mod current_customer;
mod customer_view;
mod format;
mod guide_session;
mod orders_tab;
mod paged;
mod profile_tab;
mod service_status;
mod skeleton;
mod tag_editor;
mod timeline_tab;
mod wecom_bridge;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
